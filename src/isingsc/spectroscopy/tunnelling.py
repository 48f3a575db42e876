"""Normal-metal / superconductor conductance: BTK for a bulk s-wave gap, and a Green's-function
junction attached to the edge of the nodal topological superconductor.

Energies (E = eV), gaps, broadenings and couplings in |t| for the lattice junction (any common
unit for the BTK formulas); conductances in units of e^2/h per channel (BTK: G_NS/G_NN).

BTK (Blonder, Tinkham & Klapwijk, PRB 25, 4515 (1982)), barrier strength Z, Dynes broadening
Gamma through z = E + i Gamma (Plecenik et al., PRB 49, 10016 (1994)):

    u^2, v^2 = (1 +- sqrt(z^2 - Delta^2)/z) / 2,     g = u^2 + Z^2 (u^2 - v^2),
    A = |u^2| |v^2| / |g|^2     (Andreev reflection),
    B = |u^2 - v^2|^2 Z^2 (1 + Z^2) / |g|^2     (normal reflection),
    G_NS / G_NN = (1 + Z^2)(1 + A - B),

with the square root of :func:`isingsc.spectroscopy.bulk.dynes_dos` (analytic in the upper half
plane).  Limits: Z = 0 gives 2 inside the gap (perfect Andreev reflection) and
2|E|/(|E| + sqrt(E^2 - Delta^2)) outside; Z -> infinity gives the (Dynes) BCS DOS; Delta = 0 gives 1.
The junction transparency is tau = 1/(1 + Z^2).

Edge junction (Mahaux-Weidenmueller / Datta).  A wide-band normal lead couples to a set of
*contact* states of the outermost principal layer of the semi-infinite strip (electron and hole
components of chosen orbitals and columns) with self-energy Sigma = -i gamma on each of them
(gamma = pi rho_lead t_c^2, |t|: the transparency parameter).  At momentum ky along the edge
(a planar junction conserves ky) and energy E, with g the surface Green's function restricted to
the contact states (Lopez Sancho decimation at E + i eta),

    G_c = (g^-1 + i gamma)^-1 = g (1 + i gamma g)^-1,      S = 1 - 2 i gamma G_c,

S in the channel basis [electrons (site, spin), holes (site, spin)].  The conductance for
electrons incident from the lead (zero temperature, e^2/h):

    X = 1_e - r_ee^dagger r_ee + r_he^dagger r_he    (a matrix over incident electron channels),
    G = Tr X = N_e - Tr r_ee^dagger r_ee + Tr r_he^dagger r_he,

and spin-resolved for electrons incident with spin along n: G_n = Tr[(1 + n.sigma)/2 X]
= (G + n.g)/2, g_a = Tr[sigma_a X].  Spin selectivity along n: n.g / G (max |g|/G).
Known limits tested: (i) tunnelling limit gamma -> 0: G = 4 pi gamma A_e,contact(E) + O(gamma^2)
(Fermi's golden rule); (ii) at E = 0 a Majorana zero mode gives resonant Andreev reflection,
G = 2 e^2/h per zero mode (per ky) in the tunnelling limit, independent of gamma; (iii) for a
single contact site a Majorana is locally fully spin polarised (in plane) and only electrons with
spin along its spin are Andreev reflected: G_n(0) = 2, G_-n(0) = 0 (selective equal-spin Andreev
reflection, He, Ng, Lee & Law, PRL 112, 037001 (2014); the paper's refs. 46-47).
Per unit length of edge the conductance is int dky/(2 pi) G(ky, E) (e^2/h per a).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from isingsc.topology.edge import SemiInfiniteEdge, decimate
from isingsc.core.errors import ParameterError, check_range
from isingsc.core.results import MOMENTUM_UNITS, finalize
from isingsc.models.base import SIGMAX, SIGMAY, SIGMAZ
from isingsc.normal.greens import default_orbital

CONTACTS = ("site", "column", "layer")


# --------------------------------------------------------------------------- BTK
def _coherence_factors(energy, delta: float, gamma: float):
    z = np.asarray(energy, dtype=float) + 1j * gamma
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.sqrt(z - delta) * np.sqrt(z + delta) / z
    u2, v2 = 0.5 * (1 + ratio), 0.5 * (1 - ratio)
    return u2, v2


def btk_coefficients(energy, delta: float, Z: float, gamma: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Andreev (A) and normal (B) reflection probabilities of the BTK model (complex-energy form).

    Inputs in one energy unit; Z >= 0 the dimensionless barrier strength; gamma >= 0 the Dynes
    broadening.  For gamma = 0 and |E| < Delta the closed forms A = Delta^2/(E^2 + (Delta^2 - E^2)(1 + 2Z^2)^2),
    B = 1 - A are used (the complex form's limit; E = 0 included); Delta = 0 gives A = 0, B = Z^2/(1 + Z^2).
    """
    delta = check_range("delta", delta, lo=0.0)
    Z = check_range("Z", Z, lo=0.0)
    gamma = check_range("gamma", gamma, lo=0.0)
    e = np.asarray(energy, dtype=float)
    z2 = Z * Z
    if delta == 0.0:
        return np.zeros(e.shape), np.full(e.shape, z2 / (1 + z2))
    inside = (np.abs(e) < delta) if gamma == 0.0 else np.zeros(e.shape, bool)
    eo = np.where(inside, 2 * delta, e)  # placeholder outside the complex branch's trouble spots
    u2, v2 = _coherence_factors(eo, delta, gamma)
    g = u2 + z2 * (u2 - v2)
    a = np.abs(u2) * np.abs(v2) / np.abs(g) ** 2
    b = np.abs(u2 - v2) ** 2 * z2 * (1 + z2) / np.abs(g) ** 2
    a_in = delta**2 / (e * e + (delta**2 - e * e) * (1 + 2 * z2) ** 2)
    return np.where(inside, a_in, a), np.where(inside, 1 - a_in, b)


def btk_conductance(bias, delta: float, Z: float, gamma: float = 0.0, temperature: float = 0.0) -> np.ndarray:
    """Normalised NS conductance G_NS/G_NN = (1 + Z^2)(1 + A - B), thermally broadened at T.

    ``bias`` = eV, ``delta``, ``gamma``, ``temperature`` (k_B T) in one energy unit.  At T > 0 the
    zero-temperature conductance is convolved with -f'(E - eV) on a grid of step
    min(gamma, T, Delta)/10 (exact for the piecewise-linear interpolant,
    :func:`isingsc.spectroscopy.bulk.thermal_conductance`).
    """
    from isingsc.spectroscopy.bulk import thermal_conductance

    T = check_range("temperature", temperature, lo=0.0)
    v = np.asarray(bias, dtype=float)
    if T == 0:
        a, b = btk_coefficients(v, delta, Z, gamma)
        return (1 + Z * Z) * (1 + a - b)
    scales = [s for s in (gamma, T, delta) if s > 0]
    step = min(scales) / 10
    lo, hi = float(v.min()) - 40 * T - 10 * delta, float(v.max()) + 40 * T + 10 * delta
    n = int(np.ceil((hi - lo) / step)) + 1
    if n > 2_000_000:
        raise ParameterError("bias", f"[{v.min():g}, {v.max():g}]", "a bias range below 2e5 x min(gamma, T, Delta)")
    e = np.linspace(lo, hi, n)
    a, b = btk_coefficients(e, delta, Z, gamma)
    return thermal_conductance(e, (1 + Z * Z) * (1 + a - b), v.ravel(), T).reshape(v.shape)


def transparency(Z: float) -> float:
    """Normal-state transmission tau = 1/(1 + Z^2) of a BTK barrier."""
    Z = check_range("Z", Z, lo=0.0)
    return 1.0 / (1.0 + Z * Z)


def barrier_strength(tau: float) -> float:
    """Z = sqrt(1/tau - 1) for a transmission 0 < tau <= 1."""
    tau = check_range("tau", tau, lo=0.0, hi=1.0, lo_open=True)
    return float(np.sqrt(1.0 / tau - 1.0))


# --------------------------------------------------------------------------- edge junction
class EdgeJunction:
    """A normal lead attached to the outermost layer of a :class:`~isingsc.topology.edge.SemiInfiniteEdge`.

    coupling : gamma = pi rho_lead t_c^2 (|t|) > 0, the transparency parameter.
    contact : "site" (the first pairing orbital of the outermost column: a point contact per
        edge cell), "column" (every orbital of the outermost column) or "layer" (every orbital of
        the outermost principal layer).
    side : which edge ("left" or "right").
    """

    def __init__(self, edge: SemiInfiniteEdge, coupling: float, contact: str = "site", side: str = "left"):
        if not isinstance(edge, SemiInfiniteEdge):
            raise ParameterError("edge", type(edge).__name__, "an isingsc.topology.edge.SemiInfiniteEdge")
        self.edge = edge
        self.coupling = check_range("coupling", coupling, lo=0.0, lo_open=True)
        if contact not in CONTACTS:
            raise ParameterError("contact", contact, " | ".join(CONTACTS))
        if side not in ("left", "right"):
            raise ParameterError("side", side, "left | right")
        self.contact, self.side = contact, side
        model = edge.model
        D, dim = model.nambu_dim, model.dim
        if contact == "site":
            orbs = [model.orbital_index(default_orbital(model))]
            cols = [0]
        elif contact == "column":
            orbs, cols = list(range(dim // 2)), [0]
        else:
            orbs, cols = list(range(dim // 2)), list(range(edge.span))
        # The outermost column of the left edge is column 0 of layer 0; of the right edge, the last.
        if side == "right":
            cols = [edge.span - 1 - c for c in cols]
        e_idx = [c * D + 2 * o + s for c in cols for o in orbs for s in (0, 1)]
        h_idx = [c * D + dim + 2 * o + s for c in cols for o in orbs for s in (0, 1)]
        self.electron_index = np.array(e_idx)
        self.hole_index = np.array(h_idx)
        self.n_sites = len(cols) * len(orbs)

    def _surface(self, ky, energies, eta: float):
        h00, h10 = self.edge.layer_blocks(ky)
        z = np.asarray(energies, dtype=float)[None, :] + 1j * eta
        gl, gr, _ = decimate(h00[:, None], h10[:, None], z)
        return gl if self.side == "left" else gr

    def scattering_matrix(self, ky, energies, eta: float = 1e-9) -> np.ndarray:
        """S(ky, E), shape (n_k, n_E, 2n, 2n), channel order [electrons (site, spin), holes (site, spin)]."""
        eta = check_range("eta", eta, lo=0.0, lo_open=True)
        ky = np.atleast_1d(np.asarray(ky, dtype=float))
        g = self._surface(ky, np.atleast_1d(energies), eta)
        idx = np.concatenate([self.electron_index, self.hole_index])
        gc = g[..., idx[:, None], idx]
        eye = np.eye(len(idx))
        # G_c = g (1 + i gamma g)^-1: well conditioned even where g has a 1/eta pole (a zero mode)
        gdress = np.swapaxes(np.linalg.solve(np.swapaxes(eye + 1j * self.coupling * gc, -1, -2),
                                             np.swapaxes(gc, -1, -2)), -1, -2)
        return eye - 2j * self.coupling * gdress

    def conductance(self, ky, energies, eta: float = 1e-9) -> xr.Dataset:
        """G(ky, E) in e^2/h (zero temperature), its Andreev and normal parts and its spin vector.

        Dataset dims (ky, energy[, component]): G, G_andreev = Tr r_he^dag r_he, G_normal_reflection
        = Tr r_ee^dag r_ee, spin = Tr[sigma_a X] (G_n = (G + n.spin)/2), and the unitarity defect
        |S^dag S - 1| (non-zero where quasiparticles enter the superconductor or through eta).
        """
        ky = np.atleast_1d(np.asarray(ky, dtype=float))
        e = np.atleast_1d(np.asarray(energies, dtype=float))
        s = self.scattering_matrix(ky, e, eta)
        n = len(self.electron_index)
        ree, rhe = s[..., :n, :n], s[..., n:, :n]
        x = np.eye(n) - np.conj(np.swapaxes(ree, -1, -2)) @ ree + np.conj(np.swapaxes(rhe, -1, -2)) @ rhe
        g = np.einsum("...ii->...", x).real
        andreev = np.einsum("...ji,...ji->...", rhe.conj(), rhe).real
        normal = np.einsum("...ji,...ji->...", ree.conj(), ree).real
        spin = np.stack([np.einsum("...ij,ji->...", x, np.kron(np.eye(self.n_sites), sm)).real
                         for sm in (SIGMAX, SIGMAY, SIGMAZ)], axis=-1)
        defect = np.abs(np.conj(np.swapaxes(s, -1, -2)) @ s - np.eye(2 * n)).max(axis=(-2, -1))
        ds = xr.Dataset(
            {"G": (("ky", "energy"), g, {"units": "e^2/h", "long_name": "conductance per ky (electrons from the lead)"}),
             "G_andreev": (("ky", "energy"), andreev, {"units": "e^2/h", "long_name": "Tr r_he^dagger r_he"}),
             "G_normal_reflection": (("ky", "energy"), normal, {"units": "1", "long_name": "Tr r_ee^dagger r_ee"}),
             "spin": (("ky", "energy", "component"), spin,
                      {"units": "e^2/h", "long_name": "Tr[sigma_a X]: G_n = (G + n.spin)/2 for incident spin n"}),
             "unitarity_defect": (("ky", "energy"), defect, {"units": "1"})},
            coords={"ky": ("ky", ky, {"units": MOMENTUM_UNITS}), "energy": ("energy", e, {"units": "|t| (eV)"}),
                    "component": ["x", "y", "z"]})
        return finalize(ds, model=self.edge.model, edge=self.edge.edge, delta=self.edge.delta,
                        field=list(self.edge.field), coupling=self.coupling, contact=self.contact,
                        side=self.side, channels=n, eta=eta,
                        definition="G = N_e - Tr r_ee^dag r_ee + Tr r_he^dag r_he, S = 1 - 2 i gamma g(1 + i gamma g)^-1")

    def spin_selectivity(self, ky, energy: float = 0.0, eta: float = 1e-9) -> xr.Dataset:
        """Best spin axis n = spin/|spin| and the selectivity |spin|/G, with G_+n and G_-n (e^2/h), per ky."""
        ds = self.conductance(ky, [energy], eta).isel(energy=0)
        g = ds.G.values
        sv = ds.spin.values
        norm = np.linalg.norm(sv, axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            axis = np.where(norm[:, None] > 0, sv / np.where(norm > 0, norm, 1)[:, None], 0.0)
            sel = np.where(g > 0, norm / np.where(g > 0, g, 1), 0.0)
        out = xr.Dataset(
            {"G": ("ky", g, {"units": "e^2/h"}),
             "G_parallel": ("ky", (g + norm) / 2, {"units": "e^2/h", "long_name": "incident spin along the axis"}),
             "G_antiparallel": ("ky", (g - norm) / 2, {"units": "e^2/h"}),
             "selectivity": ("ky", sel, {"units": "1", "long_name": "(G_+n - G_-n)/(G_+n + G_-n), best n"}),
             "axis": (("ky", "component"), axis, {"units": "1"})},
            coords={"ky": ds.ky, "component": ["x", "y", "z"]})
        out.attrs.update(ds.attrs)
        out.attrs["energy"] = float(energy)
        return out


def normal_state_conductance(junction: EdgeJunction, ky, energies, eta: float = 1e-9) -> np.ndarray:
    """G_NN(ky, E): the same junction with Delta = 0 (same field), for the BTK-type normalisation."""
    normal = SemiInfiniteEdge(junction.edge.model, junction.edge.edge, 0.0, junction.edge.field)
    ref = EdgeJunction(normal, junction.coupling, junction.contact, junction.side)
    return ref.conductance(ky, energies, eta).G.values


def edge_conductance_spectrum(junction: EdgeJunction, energies, n_ky: int = 200, eta: float = 1e-6,
                              temperature: float = 0.0) -> xr.Dataset:
    """ky-integrated conductance per unit length of edge, g(E) = int dky/2pi G(ky, E) (e^2/h per a),
    normalised by the normal state, spin-resolved along the field axis, and thermally broadened
    at ``temperature`` (|t|, junction temperature; on the energy grid given, which must resolve it)."""
    from isingsc.lattice.triangular import edge_momenta
    from isingsc.spectroscopy.bulk import SPINS, spin_axis, thermal_conductance

    T = check_range("temperature", temperature, lo=0.0)
    ky = edge_momenta(junction.edge.ribbon.period, n_ky)
    dky = 2 * np.pi / junction.edge.ribbon.period / len(ky)
    e = np.atleast_1d(np.asarray(energies, dtype=float))
    ds = junction.conductance(ky, e, eta)
    g = ds.G.values.sum(0) * dky / (2 * np.pi)
    axis = spin_axis(None, junction.edge.field)
    s_n = np.tensordot(ds.spin.values.sum(0), axis, axes=(-1, 0)) * dky / (2 * np.pi)
    g_spin = np.stack([(g + s_n) / 2, (g - s_n) / 2], axis=-1)
    gn = normal_state_conductance(junction, ky, e, eta).sum(0) * dky / (2 * np.pi)
    if T > 0:
        if len(e) < 2 or np.max(np.diff(e)) > T / 2:
            raise ParameterError("energies", f"step {np.max(np.diff(e)) if len(e) > 1 else 'n/a'}",
                                 f"a grid with step <= T/2 = {T / 2:g} for the thermal broadening")
        g = thermal_conductance(e, g, e, T)
        g_spin = thermal_conductance(e, g_spin.T, e, T).T
        gn = thermal_conductance(e, gn, e, T)
    out = xr.Dataset(
        {"G": ("energy", g, {"units": "e^2/h per a of edge"}),
         "G_spin": (("energy", "spin"), g_spin, {"units": "e^2/h per a of edge",
                                                 "long_name": "incident spin parallel / antiparallel to the field"}),
         "G_normal": ("energy", gn, {"units": "e^2/h per a of edge", "long_name": "same junction, Delta = 0"}),
         "G_over_GN": ("energy", g / gn, {"units": "1"})},
        coords={"energy": ("energy", e, {"units": "|t| (eV)"}), "spin": list(SPINS)})
    out.attrs.update(ds.attrs)
    out.attrs.update(n_ky=n_ky, temperature=T, eta=eta, transparency_at_zero_bias=float(
        np.interp(0.0, e, gn) / (len(junction.electron_index) / junction.edge.ribbon.period / 1.0)))
    return out
