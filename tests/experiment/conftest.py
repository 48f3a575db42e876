"""Synthetic Hc2 data sets made from the formulas with Gaussian noise (known truth)."""

import numpy as np
import pytest

from isingsc.experiment import hc2_data, ising_hc2

TRUE = {"Tc": 3.0, "beta_so": 2.0}
SIGMA = 0.3


def synthetic_ising(seed: int, n: int = 25, sigma: float = SIGMA):
    rng = np.random.default_rng(seed)
    T = np.linspace(0.1, 0.97, n) * TRUE["Tc"]
    B = ising_hc2(T, TRUE["Tc"], TRUE["beta_so"])
    return hc2_data(T, np.abs(B + rng.normal(0.0, sigma, n)), np.full(n, sigma), source=f"synthetic seed {seed}")


@pytest.fixture
def ising_csv(tmp_path):
    d = synthetic_ising(7)
    path = tmp_path / "hc2.csv"
    lines = ["T_K,Bc2,sigma"] + [f"{t:.6f},{b:.6f},{e:.3f}" for t, b, e in zip(d.T, d.B, d.B_err)]
    path.write_text("\n".join(lines) + "\n")
    return path
