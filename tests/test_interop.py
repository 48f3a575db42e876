"""Plain-data exports for other tight-binding packages."""

import numpy as np
import pytest

from isingsc.models.interop import nambu_hoppings, to_kwant
from isingsc.models.paper import PAPER, heterostructure_model


def test_nambu_hoppings_rebuild_the_bdg_hamiltonian():
    model = heterostructure_model(PAPER)
    delta, field = 0.03, (0.02, 0.01, 0.0)
    hop = nambu_hoppings(model, delta, field)
    k = np.random.default_rng(2).uniform(-4, 4, (20, 2))
    r = np.array([np.array(off) @ model.lattice.primitive for off in hop])
    phases = np.exp(1j * k @ r.T)
    rebuilt = np.einsum("kr,rab->kab", phases, np.array(list(hop.values())))
    assert np.allclose(rebuilt, model.bdg_hamiltonian(k, delta, field), atol=1e-13)


def test_kwant_export_where_installed():
    kwant = pytest.importorskip("kwant")
    model = heterostructure_model(PAPER)
    syst = kwant.wraparound.wraparound(to_kwant(model, 0.03, (0.02, 0.0, 0.0))).finalized()
    k = np.array([0.7, -0.4])
    a1, a2 = model.lattice.primitive
    h = syst.hamiltonian_submatrix(params=dict(k_x=k @ a1, k_y=k @ a2))
    assert np.allclose(np.linalg.eigvalsh(h), np.linalg.eigvalsh(model.bdg_hamiltonian(k, 0.03, (0.02, 0, 0))))
