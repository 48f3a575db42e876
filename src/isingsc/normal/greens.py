"""Green's functions, the TMD self-energy, spectral functions and densities of states.

Retarded Green's function of a Nambu model with constant broadening eta > 0:

    G^R(k, omega) = (omega + i eta - H_BdG(k))^-1 = sum_n |n><n| / (omega + i eta - E_n(k)),

so the spin-resolved spectral function of orbital o is

    A_{o,sigma}(k, omega) = -(1/pi) Im G^R_{o sigma, o sigma}
                          = sum_n |<o sigma|n>|^2 (eta/pi) / ((omega - E_n)^2 + eta^2)

(particle components only).  This is paper Eq. (6); rho_0 = A_up + A_dn and
rho_3 = A_up - A_dn.  Each spin component integrates to 1 over omega at every k.

The SC-layer Green's function of the heterostructure can equally be written
with the TMD integrated out (paper Eq. 4, in Nambu form):

    G_SC(k, z) = (z - H_BdG,SC(k) - Sigma(k, z))^-1,
    Sigma(k, z) = Gamma^2 tau_z (z - H_TMD^Nambu(k))^-1 tau_z.

Energies in units of |t|.
"""

from __future__ import annotations

import numpy as np

from isingsc.core.errors import ParameterError, check_range
from isingsc.backends import orbital_spectral_function
from isingsc.core.field import as_field
from isingsc.models.paper import HeterostructureParams, downfold, sc_model, tmd_model
from isingsc.models.base import nambu

TAU_Z_SPIN = np.diag([1.0, 1.0, -1.0, -1.0])


def check_eta(eta) -> float:
    """Broadening eta must be > 0 (retarded functions; eta -> 0 is a limit, not an input)."""
    return check_range("eta", eta, lo=0.0, lo_open=True)


def greens_function(model, k, z, delta: complex = 0.0, field=0.0) -> np.ndarray:
    """Full Nambu G(k, z) = (z - H_BdG(k))^-1 for complex z (scalar), shape (..., N, N)."""
    h = model.bdg_hamiltonian(k, delta, field)
    eye = np.eye(h.shape[-1])
    return np.linalg.inv(z * eye - h)


def tmd_self_energy(params: HeterostructureParams, k, z, field=0.0) -> np.ndarray:
    """Sigma(k, z) = Gamma^2 tau_z (z - H_TMD^Nambu(k))^-1 tau_z, the TMD's self-energy on the SC.

    4x4 in the SC Nambu basis; the field enters H_TMD if ``params.field_on_tmd``.
    """
    tmd = tmd_model(params)
    k = np.asarray(k, dtype=float)
    h_tmd = nambu(tmd.hamiltonian(k, field), tmd.hamiltonian(-k, field),
                  np.zeros((2, 2)))
    g_tmd = np.linalg.inv(z * np.eye(4) - h_tmd)
    return params.gamma**2 * TAU_Z_SPIN @ g_tmd @ TAU_Z_SPIN


def sc_greens_function_dyson(params: HeterostructureParams, k, z, delta: complex = 0.0,
                             field=0.0) -> np.ndarray:
    """SC-layer Green's function (z - H_BdG,SC - Sigma)^-1 via the self-energy (paper Eq. 4)."""
    h_sc = sc_model(params).bdg_hamiltonian(k, delta, field)
    sigma = tmd_self_energy(params, k, z, field)
    return np.linalg.inv(z * np.eye(4) - h_sc - sigma)


def embedded_self_energy(model, orbital: str, k, z, delta: complex = 0.0, field=0.0):
    """Self-energy on one orbital's Nambu block from all other orbitals (Schur complement)."""
    h = model.bdg_hamiltonian(k, delta, field)
    keep = model.nambu_indices(orbital)
    return downfold(h, keep, z) - h[..., keep[:, None], keep]


def spectral_weights(model, k, orbital: str, delta: complex = 0.0, field=0.0):
    """Eigenvalues E_n(k) and particle weights |<orbital, sigma|n>|^2.

    Returns ``energies`` (..., N) and ``weights`` (..., 2, N) with the spin
    index (up, down) along axis -2.
    """
    h = model.bdg_hamiltonian(k, delta, field)
    e, u = np.linalg.eigh(h)
    idx = model.nambu_indices(orbital)[:2]
    w = np.abs(u[..., idx, :]) ** 2
    return e, w


def lorentzian(x, eta):
    """(eta/pi) / (x^2 + eta^2): the spectral line shape of a constant broadening eta."""
    return (eta / np.pi) / (x * x + eta * eta)


def default_orbital(model) -> str:
    """The orbital whose spectra the commands show by default: the first pairing orbital (the SC layer of
    the heterostructure), else the first orbital."""
    pairing = tuple(model.pairing_orbitals)
    return pairing[0] if pairing else tuple(model.orbitals)[0]


def selected_orbitals(model, orbital=None) -> tuple[str, ...]:
    """The orbitals a spectrum is taken on: ``orbital`` None -> (:func:`default_orbital`,), "all" -> every
    orbital, a name -> that orbital."""
    names = tuple(model.orbitals)
    if orbital is None:
        return (default_orbital(model),)
    if orbital == "all":
        return names
    if orbital not in names:
        raise ParameterError("orbital", orbital, f"one of {names}, 'all' or None (the first pairing orbital)")
    return (orbital,)


def spectral_function(model, k, energies, eta: float, orbital: str | None = None,
                      delta: complex = 0.0, field=0.0) -> np.ndarray:
    """A_sigma(k, E) = -(1/pi) Im G^R_{sigma sigma}(k, E + i eta) for one orbital, shape (..., n_E, 2).

    ``energies`` is a 1D array (units of |t|); the last axis is spin (up, down) along z; ``orbital``
    default :func:`default_orbital`.
    """
    eta = check_eta(eta)
    h = model.bdg_hamiltonian(k, delta, field)
    return orbital_spectral_function(h, model.nambu_indices(orbital or default_orbital(model))[:2], energies, eta)


def density_of_states(model, mesh, energies, eta: float, orbital: str | None = None,
                      delta: complex = 0.0, field=0.0, chunk: int = 4096) -> np.ndarray:
    """k-averaged DOS per spin of one orbital, N_sigma(E) = <A_sigma(k, E)>_BZ.

    Per site and per spin, in states / |t|; ``mesh`` is a :class:`~isingsc.lattice.triangular.KMesh`.
    Shape (n_E, 2).  Evaluated in chunks of k to bound memory.
    """
    eta = check_eta(eta)
    energies = np.atleast_1d(np.asarray(energies, dtype=float))
    out = np.zeros((energies.size, 2))
    idx = model.nambu_indices(orbital or default_orbital(model))[:2]
    for start in range(0, len(mesh), chunk):
        sl = slice(start, start + chunk)
        a = orbital_spectral_function(model.bdg_hamiltonian(mesh.k[sl], delta, field), idx, energies, eta)
        out += np.einsum("kws,k->ws", a, mesh.weights[sl])
    return out


# --------------------------------------------------------------------------- datasets
def spectral_map(model, n_grid: int = 241, energy: float = 0.0, eta: float = 0.05,
                 orbital: str | None = None, delta: complex = 0.0, field=0.0):
    """Maps of rho_0 = A_up + A_dn and rho_3 = A_up - A_dn over the BZ at one energy (paper Fig. 2).

    A rectangular (kx, ky) grid of ``n_grid`` x ``n_grid`` points covering the
    hexagonal zone.  Units: states per |t| per site.  Normal state when delta = 0.
    """
    import xarray as xr

    from isingsc.core.errors import check_finite, check_positive_int
    from isingsc.lattice.triangular import bz_grid
    from isingsc.core.results import MOMENTUM_UNITS, finalize

    n_grid = check_positive_int("n_grid", n_grid, 8)
    energy = check_finite("energy", energy)
    eta = check_eta(eta)
    orbital = orbital or default_orbital(model)
    kx, ky = bz_grid(n_grid)
    kk = np.stack(np.meshgrid(kx, ky, indexing="ij"), axis=-1)
    # a band of kx rows at a time: the BdG matrices of the whole grid would take ~0.7 GB at n_grid = 401
    rows = max(1, 16384 // n_grid)
    a = np.concatenate([spectral_function(model, kk[i:i + rows], [energy], eta, orbital, delta, field)[..., 0, :]
                        for i in range(0, n_grid, rows)])
    attrs = {"units": "1/|t|"}
    ds = xr.Dataset(
        {
            "rho_up": (("kx", "ky"), a[..., 0], {**attrs, "long_name": "A_up(k, E)"}),
            "rho_down": (("kx", "ky"), a[..., 1], {**attrs, "long_name": "A_down(k, E)"}),
            "rho_0": (("kx", "ky"), a[..., 0] + a[..., 1], {**attrs, "long_name": "rho_0 = A_up + A_down"}),
            "rho_3": (("kx", "ky"), a[..., 0] - a[..., 1], {**attrs, "long_name": "rho_3 = A_up - A_down"}),
        },
        coords={"kx": ("kx", kx, {"units": MOMENTUM_UNITS}), "ky": ("ky", ky, {"units": MOMENTUM_UNITS})},
    )
    return finalize(ds, model=model, energy=energy, eta=eta, orbital=orbital, delta=complex(delta).real,
                    **as_field(field).attrs(), grid=n_grid)


def dos_dataset(model, energies, eta: float = 0.01, n_k: int = 300, orbital: str | None = None,
                delta: complex = 0.0, field=0.0):
    """k-integrated spin-resolved DOS N_sigma(E) of one orbital on an n_k x n_k mesh.

    The mesh must resolve eta: the k spacing times the Fermi velocity, ~ 4 pi |t| / n_k,
    should be below eta (``resolution_over_eta`` in attrs).  Units: states / |t| / site / spin.
    """
    import xarray as xr

    from isingsc.core.errors import check_positive_int
    from isingsc.lattice.triangular import reduced_mesh
    from isingsc.core.results import finalize

    n_k = check_positive_int("n_k", n_k, 6)
    eta = check_eta(eta)
    orbital = orbital or default_orbital(model)
    field = as_field(field)
    # C3v acts on k alone and leaves H(k) invariant in any in-plane field for Ising-type models, so the
    # spin-resolved DOS may be summed over its orbits (k -> -k would flip rho_3); other models
    # (in-plane SOC) take the full mesh.
    from isingsc.core.errors import ParameterError
    from isingsc.lattice.triangular import check_spectral_symmetry, uniform_mesh

    try:
        check_spectral_symmetry(lambda k: spectral_weights(model, k, orbital, delta, field)[1].reshape(len(k), -1),
                                "C3v", name="model")
        mesh = reduced_mesh(n_k, "C3v")
    except ParameterError:
        mesh = uniform_mesh(n_k)
    energies = np.atleast_1d(np.asarray(energies, dtype=float))
    n = density_of_states(model, mesh, energies, eta, orbital, delta, field)
    ds = xr.Dataset(
        {
            "dos_up": ("energy", n[:, 0], {"units": "1/|t|", "long_name": "N_up(E) per site"}),
            "dos_down": ("energy", n[:, 1], {"units": "1/|t|", "long_name": "N_down(E) per site"}),
            "dos": ("energy", n.sum(-1), {"units": "1/|t|", "long_name": "N(E) per site, both spins"}),
        },
        coords={"energy": ("energy", energies, {"units": "|t|"})},
    )
    return finalize(ds, model=model, eta=eta, kmesh=mesh.describe(), n_k=n_k, orbital=orbital,
                    resolution_over_eta=4 * np.pi / n_k / eta,
                    delta=complex(delta).real, **field.attrs())
