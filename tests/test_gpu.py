"""The GPU backend (isingsc.backends.gpu) and the backend seam.

The numba.cuda kernels are compiled from the same Python source as the CPU kernels.  Here
they run in Numba's CUDA simulator (a subprocess with NUMBA_ENABLE_CUDASIM=1), which executes
the kernels thread by thread on the CPU: the GPU code path is checked on every machine.  On
a machine with a CUDA GPU the same comparison runs on the device as well.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from isingsc.backends import LinearNambu, active_backend, select_backend
from isingsc.core import config
from isingsc.core.errors import ParameterError

COMPARE = textwrap.dedent("""
    import numpy as np
    from isingsc.backends import LinearNambu, active_backend, select_backend
    from isingsc.backends import gpu as gpu
    from isingsc.models.paper import PAPER, heterostructure_model
    model = heterostructure_model(PAPER.with_(gamma=0.4))
    k = np.random.default_rng(3).uniform(-4.5, 4.5, ({nk}, 2))
    op = LinearNambu.from_model(model, k)
    w = np.full(len(k), 1.0 / len(k))
    worst = 0.0
    for field in [(0.01, 0.0, 0.0), (0.01, 0.004, 0.0)]:   # real and complex Hermitian matrices
        field = np.array(field)
        select_backend("cpu")
        e_cpu = op.eigenvalues(0.02, field)
        c_cpu = op.condensation([0.01, 0.03], [0.0, 0.002, 0.01], field, w)
        select_backend("gpu")
        assert active_backend() == "gpu"
        e_gpu = op.eigenvalues(0.02, field)
        c_gpu = op.condensation([0.01, 0.03], [0.0, 0.002, 0.01], field, w)
        lapack = np.linalg.eigvalsh(op.h0 + op.perturbation(0.02, field))
        assert np.max(np.abs(e_gpu - lapack)) < 1e-13
        worst = max(worst, float(np.max(np.abs(c_gpu - c_cpu) / np.abs(c_cpu))))
    # spectral functions (the DOS maps): Jacobi per k on the GPU against LAPACK eigh on the CPU
    from isingsc.normal.greens import spectral_function
    om = np.linspace(-0.3, 0.3, 7)
    for field in [(0.01, 0.0, 0.0), (0.0, 0.0, 0.0), (0.01, 0.004, 0.0)]:
        select_backend("cpu")
        a_cpu = spectral_function(model, k[:{nk_dos}], om, 0.02, "sc", 0.03, field)
        select_backend("gpu")
        a_gpu = spectral_function(model, k[:{nk_dos}], om, 0.02, "sc", 0.03, field)
        worst = max(worst, float(np.max(np.abs(a_gpu - a_cpu)) / np.max(np.abs(a_cpu))))
    print("device", gpu.device_name(), "worst relative difference", worst)
    assert worst < 1e-10
""")


def _run(env_extra: dict, nk: int, nk_dos: int) -> subprocess.CompletedProcess:
    env = dict(os.environ, **env_extra)
    return subprocess.run([sys.executable, "-c", COMPARE.format(nk=nk, nk_dos=nk_dos)], capture_output=True,
                          text=True, env=env, timeout=600)


def test_gpu_kernels_in_the_cuda_simulator_match_cpu_and_lapack():
    """Eigenvalues to 1e-13 |t| of LAPACK; free-energy sums and spectral functions (real and complex
    Hermitian H) within 1e-10 relative of the CPU backend."""
    proc = _run({"NUMBA_ENABLE_CUDASIM": "1"}, nk=24, nk_dos=4)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "numba CUDA simulator" in proc.stdout


def _real_gpu() -> bool:
    try:
        from numba import cuda

        return bool(cuda.is_available()) and os.environ.get("NUMBA_ENABLE_CUDASIM") != "1"
    except Exception:
        return False


@pytest.mark.skipif(not _real_gpu(), reason="no CUDA GPU on this machine (the simulator test covers the code)")
def test_gpu_kernels_on_the_device_match_cpu():
    proc = _run({}, nk=20000, nk_dos=5000)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_backend_selection_is_validated():
    before = config.current()
    with pytest.raises(ParameterError, match="backend"):
        select_backend("tpu")
    with pytest.raises(ParameterError, match="backend"):
        config.configure(backend="tpu")
    with pytest.raises(ParameterError, match="backend"):
        with config.using(backend="quantum"):
            pass
    assert config.current() == before
    # the environment variable gives the default of a fresh process; a bad value names it
    code = "from isingsc.backends import active_backend; print(active_backend())"
    env = dict(os.environ, ISINGSC_BACKEND="quantum")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode != 0 and "ParameterError" in proc.stderr and "ISINGSC_BACKEND" in proc.stderr
    env["ISINGSC_BACKEND"] = "cpu"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "cpu"


@pytest.mark.skipif(_real_gpu(), reason="a GPU is present")
def test_gpu_backend_without_a_gpu_says_so():
    from isingsc.backends.gpu import GPUUnavailableError

    before = config.current()
    with pytest.raises(GPUUnavailableError, match="--backend cpu"):
        select_backend("gpu")
    assert config.current() == before  # a refused backend is not set
    with config.using(backend="auto"):
        assert active_backend() == "cpu"


def test_complex_hermitian_kernel_matches_lapack():
    """Random complex Hermitian 8x8 (and exactly degenerate ones) through the compiled CPU kernel."""
    rng = np.random.default_rng(11)
    h = rng.normal(size=(300, 8, 8)) + 1j * rng.normal(size=(300, 8, 8))
    h = h + np.swapaxes(h.conj(), 1, 2)
    u, _ = np.linalg.qr(rng.normal(size=(8, 8)) + 1j * rng.normal(size=(8, 8)))
    degenerate = u @ np.diag([-1.0, -1.0, 0.0, 0.0, 0.0, 2.0, 2.0, 3.0]) @ u.conj().T
    h = np.concatenate([h, degenerate[None], np.diag(np.arange(8.0))[None].astype(complex)])
    op = LinearNambu(h0=np.ascontiguousarray(h), pairing=np.zeros((8, 8)), zeeman=np.zeros((3, 8, 8)))
    ours = op.eigenvalues(0.0, np.zeros(3))
    assert np.max(np.abs(ours - np.linalg.eigvalsh(h))) < 1e-13


@pytest.mark.skipif(_real_gpu(), reason="a GPU is present")
def test_cli_backend_option_reports_a_missing_gpu_in_one_line():
    proc = subprocess.run([sys.executable, "-c", "from isingsc.cli import main; main()", "--backend", "gpu",
                           "tc"], capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if k != "ISINGSC_BACKEND"})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "no CUDA GPU" in lines[0] and "--backend cpu" in lines[0]
