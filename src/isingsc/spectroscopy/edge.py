"""Edge spectroscopy: the local DOS at the edge of the nodal topological superconductor.

Built on :class:`isingsc.topology.edge.SemiInfiniteEdge` (surface Green's function of the half-infinite
strip by Lopez Sancho decimation).  Units: energies |t|, ky in 1/a, lengths a (k_B = 1).

Edge LDOS (what a tunnelling tip on the outermost principal layer sees), integrated over the
momentum ky along the edge:

    N_edge(E) = int dky/(2 pi)  A_e(ky, E),    A_e = -(1/pi) Im Tr_e G_surface(ky, E + i eta),

Tr_e over the electron (particle) components of the tunnelling orbital (default the pairing orbital,
i.e. the SC film; or every orbital) on the ``layer_columns`` columns of the outermost principal layer.
Units: states per |t| per unit length a of edge.  The ky integral is the midpoint rule on
``n_ky`` points over the edge Brillouin zone [-pi/P, pi/P] (P the period along the edge).
Spin-resolved along the field axis n: A_+- = (A_e +- n.A_spin)/2, A_spin = -(1/pi) Im Tr[sigma G_ee].

Zero-bias peak.  Where the bulk winding W(ky) != 0 the edge carries |W(ky)| Majorana zero modes
per ky (bulk-boundary correspondence), so G_surface has a pole at E = 0:

    M(eta) = eta (i/2)(G_s(i eta) - G_s(i eta)^dagger) -> sum_{zero modes} |psi^s><psi^s|  (eta -> 0),

(:meth:`SemiInfiniteEdge.zero_modes` counts them from the eigenvalues of M at a pair (eta, eta/10),
eta set on each ky line from its gap E_g by the resolution rule of :mod:`isingsc.topology.edge`:
eta_1 = 1e-2 E_g 10^-j, descending until the count is clean, or the line is reported unresolved).  The
zero-mode part rho_0 of M (its eigenvalues that survive eta -> eta/10) gives, per ky,

* the surface weight w = Tr rho_0 and its electron part w_e = Tr_e rho_0 = w/2 (a Majorana
  psi = tau_x psi^* at fixed ky has equal electron and hole weight on every site);
* the spin of the zero modes s_a = Tr_e[sigma_a rho_0] and the polarisation |s|/w_e.

Integrated over ky, the flat-band density of zero-energy states (all depths) is

    n_flat = int dky/(2 pi) n_modes(ky)  =  int dky/(2 pi) |W(ky)|

(per unit length a of edge, per edge): the ky-integrated weight of the zero-bias pole of the
depth-summed edge Green's function, proportional to the length of the flat-band intervals
weighted by |W|.  The tip on the surface layer sees the part int dky/2pi w_e(ky) of it.
Resolution: every ky line is counted at its own eta (above); ``flat_band_density`` is NaN if any
line is unresolved (then ``flat_band_density_resolved`` sums the resolved lines and
``unresolved_lines`` counts the others), never a sum with a wrong integer in it.  The midpoint rule
over n_ky points adds at most (dky/2) |jump of n_modes| per ky cell holding one jump of |W|
(attr ``ky_quadrature_error``, per unit length: (dky/2) sum |jumps| / 2 pi); cells holding two node
projections need more points.

Depth profile (decay of the peak into the bulk): the zero-mode weight on principal layer j,
Tr M_j(eta) with G_jj = (z - H00 - H10 g_{j-1} H01 - H01 G_s H10)^-1, g_j the right-end Green's
function of the finite chain of layers 0..j (g_0 = (z - H00)^-1, g_j = (z - H00 - H10 g_{j-1} H01)^-1)
and G_s the left-edge surface Green's function (the chain j+1, j+2, ... to the right).  Summed over
all j it equals n_modes(ky) (the modes are normalised); its tail decays as exp(-2 d / xi).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from isingsc.core.errors import ParameterError, check_positive_int, check_range
from isingsc.core.field import Field, as_field
from isingsc.core.progress import track
from isingsc.core.results import MOMENTUM_UNITS, finalize
from isingsc.lattice.triangular import edge_momenta
from isingsc.models.base import SIGMAX, SIGMAY, SIGMAZ
from isingsc.normal.greens import selected_orbitals
from isingsc.spectroscopy.bulk import SPINS, spin_axis
from isingsc.topology.edge import RULE_SUMMARY, SemiInfiniteEdge, decimate


class EdgeSpectroscopy:
    """Edge LDOS and zero-bias peak of ``model`` with pairing ``delta`` (|t|) in the Zeeman ``field`` (a
    :class:`~isingsc.core.field.Field`, or a number: the Zeeman energy along x, the flat-band direction).

    ``edge``: "armchair-y" (the paper's Fig. 4) or "zigzag-x"; ``n_ky``: momenta along the edge
    (midpoint grid over the edge Brillouin zone) unless ``ky`` is given.  Delta is held fixed
    (the self-consistent value can be passed in: :class:`isingsc.spectroscopy.bulk.BulkSpectroscopy`).
    """

    def __init__(self, model, delta: float, field=None, edge: str = "armchair-y", n_ky: int = 200, ky=None):
        self.model = model
        self.delta = check_range("delta", delta, lo=0.0)
        self.field_value = as_field(field)
        self.field = self.field_value.vector
        self.edge = SemiInfiniteEdge(model, edge, self.delta, self.field)
        self.period = self.edge.ribbon.period
        if ky is None:
            self.ky = edge_momenta(self.period, n_ky)
            self.dky = 2 * np.pi / self.period / len(self.ky)
        else:
            self.ky = np.atleast_1d(np.asarray(ky, dtype=float))
            self.dky = None  # arbitrary momenta: no ky integral
        self.axis = spin_axis(None, self.field)
        n_orb = model.dim // 2
        self.n_orb = n_orb

    def _integral(self, values, axis=0):
        if self.dky is None:
            raise ParameterError("ky", "explicit momenta", "the default midpoint grid (n_ky) for ky integrals")
        return np.sum(values, axis=axis) * self.dky / (2 * np.pi)

    def _attrs(self) -> dict:
        return dict(delta=self.delta, **self.field_value.attrs(), edge=self.edge.edge, n_ky=len(self.ky),
                    ky_grid="midpoints of the edge Brillouin zone" if self.dky is not None else "explicit",
                    period=self.period, layer_columns=self.edge.span,
                    spin_axis=list(self.axis))

    # ------------------------------------------------------------------ LDOS
    def ldos(self, energies, eta: float, side: str = "left", orbital=None, chunk: int = 512) -> xr.Dataset:
        """A_e(ky, E) of the outermost principal layer and its ky integral N_edge(E), spin-resolved.

        A_e,+-(ky, E) = -(1/pi) Im Tr[P_+- G_ee(ky, E + i eta)] over the electron components of the
        tunnelling orbital(s) on the s columns of the outermost layer (``orbital``: None = the pairing
        orbital, i.e. the SC film, as the bulk module; a name; or "all").  Units: A in states/|t| per
        edge cell; N_edge in states/|t| per a of edge.
        """
        from isingsc.spectroscopy.bulk import spin_projectors

        eta = check_range("eta", eta, lo=0.0, lo_open=True)
        if side not in ("left", "right"):
            raise ParameterError("side", side, "left | right")
        chosen = selected_orbitals(self.model, orbital)
        orbs = [self.model.orbitals.index(o) for o in chosen]
        e = np.atleast_1d(np.asarray(energies, dtype=float))
        D = self.model.nambu_dim
        idx = np.array([[c * D + 2 * o, c * D + 2 * o + 1] for c in range(self.edge.span) for o in orbs])
        proj = spin_projectors(self.axis)
        h00, h10 = self.edge.layer_blocks(self.ky)
        kk, ee = np.meshgrid(np.arange(len(self.ky)), np.arange(len(e)), indexing="ij")
        kk, ee = kk.ravel(), ee.ravel()
        spin = np.empty((kk.size, 2))
        iters = 0
        for start in range(0, kk.size, chunk):
            sl = slice(start, start + chunk)
            gl, gr, n_it = decimate(h00[kk[sl]], h10[kk[sl]], e[ee[sl]] + 1j * eta)
            iters = max(iters, n_it)
            g = gl if side == "left" else gr
            blocks = g[:, idx[:, :, None], idx[:, None, :]]  # (n, sites, 2, 2)
            spin[sl] = -np.einsum("nsab,pba->np", blocks, proj).imag / np.pi
        spin = spin.reshape(len(self.ky), len(e), 2)
        a = spin.sum(-1)
        out = xr.Dataset(
            {"A": (("ky", "energy"), a, {"units": "states / |t| / edge cell",
                                         "long_name": "electron spectral function of the tunnelling orbital(s), "
                                                      "outermost layer"}),
             "A_spin": (("ky", "energy", "spin"), spin, {"units": "states / |t| / edge cell"})},
            coords={"ky": ("ky", self.ky, {"units": MOMENTUM_UNITS}), "energy": ("energy", e, {"units": "|t|"}),
                    "spin": list(SPINS)})
        if self.dky is not None:
            out["N_edge"] = ("energy", self._integral(a),
                             {"units": "states / |t| / a of edge", "long_name": "ky-integrated edge LDOS"})
            out["N_edge_spin"] = (("energy", "spin"), self._integral(spin), {"units": "states / |t| / a of edge"})
        return finalize(out, model=self.model, **self._attrs(), eta=eta, side=side, orbitals=",".join(chosen),
                        iterations=iters,
                        definition="N_edge(E) = int dky/(2 pi) A_e(ky, E): states of the outermost layer per "
                                   "unit length of edge (A_e per edge cell of length P; 1/P cells per unit length)")

    # ------------------------------------------------------------------ zero modes
    def _zero_mode_density(self, side: str, ratio: float = 10.0):
        """rho_0 (n_k, N, N): M(eta_2) on the eigenvectors counted as zero modes, at the pair (eta_1, eta_2)
        where the count of that ky line was resolved (:meth:`SemiInfiniteEdge.zero_modes`); zero on
        unresolved lines.  Returns (count dict, rho, n_modes (float, NaN where unresolved))."""
        count = self.edge._count(self.ky, ratio=ratio)
        si = 0 if side == "left" else 1
        return count, count["rho"][si], count["n_modes"][si]

    def _electron_spin(self, rho):
        """Electron weight and spin density Tr_e[sigma_a rho] per (column, orbital), (n_k, s, n_orb[, 3])."""
        s, D, n_orb = self.edge.span, self.model.nambu_dim, self.n_orb
        dim = self.model.dim
        rb = rho.reshape(len(rho), s, D, s, D)
        ee = np.einsum("kcicj->kcij", rb)[..., :dim, :dim].reshape(len(rho), s, n_orb, 2, n_orb, 2)
        loc = np.einsum("kcoaob->kcoab", ee)  # (k, column, orbital, spin, spin)
        weight = np.einsum("kcoaa->kco", loc).real
        spin = np.stack([np.einsum("kcoab,ba->kco", loc, sm).real for sm in (SIGMAX, SIGMAY, SIGMAZ)], -1)
        hole = np.einsum("kcicj->kcij", rb)[..., dim:, dim:]
        hole_weight = np.einsum("kcii->kc", hole).real
        return weight, spin, hole_weight

    def zero_bias_peak(self, side: str = "left", ratio: float = 10.0, winding: bool = True) -> xr.Dataset:
        """Zero modes per ky, their surface (electron) weight and spin, and the ky-integrated flat-band density.

        Each ky line is counted at the eta its gap allows (:meth:`SemiInfiniteEdge.zero_modes`):
        ``n_modes`` is NaN and ``resolved`` False where the rule cannot resolve it; ``eta``/``eta_2``
        the pair used, ``line_gap`` the gap bound E_g.  Attrs: ``flat_band_density`` (NaN if a line
        is unresolved), ``flat_band_density_resolved``, ``unresolved_lines``, ``ky_quadrature_error``
        (module docstring).  With ``winding`` the bulk W(ky) intervals
        (:func:`isingsc.topology.bulk.winding_intervals`) give the expected int dky/2pi |W| for
        comparison (attrs ``flat_band_density_from_winding``).
        """
        if side not in ("left", "right"):
            raise ParameterError("side", side, "left | right")
        count, rho, n = self._zero_mode_density(side, ratio)
        si = 0 if side == "left" else 1
        resolved = count["resolved"][si]
        w_e, spin, w_h = self._electron_spin(rho)
        w_total = np.einsum("kii->k", rho).real
        we = w_e.sum((1, 2))
        sv = spin.sum((1, 2))
        with np.errstate(invalid="ignore", divide="ignore"):
            pol = np.where(we > 0, np.linalg.norm(sv, axis=-1) / np.where(we > 0, we, 1), 0.0)
            local = np.linalg.norm(spin, axis=-1) / np.where(w_e > 0, w_e, 1)
        # local polarisation on the (column, orbital) sites holding >= 1 % of the electron weight
        big = w_e >= 0.01 * np.maximum(we[:, None, None], np.finfo(float).tiny)
        local_min = np.where(n > 0, np.where(big, local, np.inf).min(axis=(1, 2)), 0.0)
        ds = xr.Dataset(
            {"n_modes": ("ky", n, {"long_name": "zero modes per edge at ky (NaN: not resolved)"}),
             "resolved": ("ky", resolved, {"long_name": "the count obeys the resolution rule of "
                                                        "isingsc.topology.edge (else n_modes is NaN)"}),
             "status": ("ky", count["status"][si], {"long_name": "0 resolved, else the reason (see "
                                                                  "SemiInfiniteEdge.zero_modes)"}),
             "weight": ("ky", w_total, {"units": "1", "long_name": "zero-mode weight on the outermost layer"}),
             "weight_electron": ("ky", we, {"units": "1", "long_name": "electron part of it (what a tip sees)"}),
             "weight_hole": ("ky", w_h.sum(1), {"units": "1"}),
             "spin": (("ky", "component"), sv, {"units": "1", "long_name": "Tr_e[sigma_a rho_0] (hbar/2 units)"}),
             "polarisation": ("ky", pol, {"units": "1", "long_name": "|spin| / weight_electron"}),
             "local_polarisation_min": ("ky", local_min,
                                        {"units": "1", "long_name": "min over sites (>= 1 % of the weight) of "
                                                                    "|spin| / weight (1: fully polarised)"}),
             "weight_site": (("ky", "column", "orbital"), w_e,
                             {"units": "1", "long_name": "electron weight per column and orbital of the outer layer"}),
             "spin_site": (("ky", "column", "orbital", "component"), spin,
                           {"units": "1", "long_name": "Tr_e[sigma_a rho_0] per column and orbital"}),
             "eta": ("ky", count["eta1"][si], {"units": "|t|", "long_name": "eta_1 of the pair used"}),
             "eta_2": ("ky", count["eta2"][si], {"units": "|t|", "long_name": "eta_2 = eta_1/ratio"}),
             "line_gap": ("ky", count["resolution"].line_gap_lower.values,
                          {"units": "|t|", "long_name": "E_g: lower bound on the gap of the ky line"})},
            coords={"ky": ("ky", self.ky, {"units": MOMENTUM_UNITS}), "component": ["x", "y", "z"],
                    "column": np.arange(self.edge.span) if side == "left" else np.arange(self.edge.span)[::-1],
                    "orbital": list(self.model.orbitals)})
        attrs = dict(self._attrs(), side=side, ratio=ratio, criterion=RULE_SUMMARY)
        if self.dky is not None:
            all_resolved = bool(resolved.all())
            n0 = np.where(resolved, n, 0.0)
            # midpoint rule on a step function: error <= (dky/2) |jump| per cell holding one jump of n
            jumps = np.abs(np.roll(n0, -1) - n0)
            both = resolved & np.roll(resolved, -1)
            attrs.update(flat_band_density=float(self._integral(n0)) if all_resolved else float("nan"),
                         flat_band_density_resolved=float(self._integral(n0)),
                         unresolved_lines=int((~resolved).sum()),
                         ky_quadrature_error=float(0.5 * self.dky * jumps[both].sum() / (2 * np.pi)),
                         surface_peak_weight=float(self._integral(we)),
                         flat_band_length=float(self._integral(n0 > 0) * 2 * np.pi) if all_resolved
                         else float("nan"),
                         units_note="flat_band_density: zero-energy states per a of edge (= int dky/2pi n_modes; "
                                    "NaN if a ky line is not resolved, flat_band_density_resolved sums the "
                                    "resolved lines, unresolved_lines counts the others); ky_quadrature_error: "
                                    "(dky/2) sum |jumps of n_modes| / 2pi, the midpoint-rule error bound when each "
                                    "ky cell holds at most one jump; surface_peak_weight: electron weight on the "
                                    "outermost layer per a of edge")
        if winding:
            attrs.update(self._winding_reference())
        return finalize(ds, model=self.model, **attrs)

    def _winding_reference(self) -> dict:
        """int dky/2pi |W(ky)| from the bulk node intervals (and the |W|-weighted interval length)."""
        from isingsc.topology.bulk import winding_intervals

        if self.delta <= 0:
            return {"flat_band_density_from_winding": 0.0}
        wi = winding_intervals(self.model, self.delta, self.field)
        w = np.nan_to_num(np.abs(wi.winding.values))
        length = float(np.sum(w * (wi.ky_hi.values - wi.ky_lo.values)))
        return {"flat_band_density_from_winding": length / (2 * np.pi),
                "winding_weighted_length": length,
                "winding_intervals": [[float(a), float(b), float(c)] for a, b, c in
                                      zip(wi.ky_lo.values, wi.ky_hi.values, wi.winding.values)]}

    # ------------------------------------------------------------------ depth profile
    def depth_profile(self, ky, n_layers: int, eta: float | None = None, side: str = "left") -> xr.Dataset:
        """Zero-energy weight Tr M_j(eta) on principal layers j = 0 .. n_layers-1 at momenta ky.

        M_j = eta (i/2)(G_jj - G_jj^dagger) at z = i eta (default eta = 1e-7 B(ky), B = ||H00|| + 2 ||H10||:
        the bulk continuum adds up to n_layers N (eta/E_g)^2, so eta must be small against the line gap E_g
        -- check it against ``SemiInfiniteEdge.resolution(ky).line_gap`` on small-gap lines); Tr M_j -> sum
        over zero modes of their weight on layer j, and sum_j Tr M_j -> n_modes(ky) once n_layers >> xi.
        Also the electron part.  ``side``: left.
        """
        if side != "left":
            raise ParameterError("side", side, "left (the right edge is its mirror image)")
        n_layers = check_positive_int("n_layers", n_layers, 1)
        ky = np.atleast_1d(np.asarray(ky, dtype=float))
        h00, h10 = self.edge.layer_blocks(ky)
        h01 = np.conj(np.swapaxes(h10, -1, -2))
        bound = np.linalg.norm(h00, 2, axis=(-2, -1)) + 2 * np.linalg.norm(h10, 2, axis=(-2, -1))
        et = 1e-7 * bound if eta is None else np.full(len(ky), check_range("eta", eta, lo=0.0, lo_open=True))
        z = (1j * et)[:, None, None]
        nb = h00.shape[-1]
        eye = np.eye(nb)
        gs, _, _ = decimate(h00, h10, 1j * et)
        sigma_right = h01 @ gs @ h10
        dim = self.model.dim
        D = self.model.nambu_dim
        electron = np.zeros(nb, bool)
        for c in range(self.edge.span):
            electron[c * D:c * D + dim] = True
        total = np.empty((len(ky), n_layers))
        elec = np.empty((len(ky), n_layers))
        g_left = None
        for j in range(n_layers):
            sig = sigma_right if g_left is None else sigma_right + h10 @ g_left @ h01
            gjj = np.linalg.inv(z * eye - h00 - sig)
            m = et[:, None, None] * 0.5j * (gjj - np.conj(np.swapaxes(gjj, -1, -2)))
            d = np.einsum("kii->ki", m).real
            total[:, j] = d.sum(-1)
            elec[:, j] = d[:, electron].sum(-1)
            inner = z * eye - h00 if g_left is None else z * eye - h00 - h10 @ g_left @ h01
            g_left = np.linalg.inv(inner)
        columns = self.edge.span * np.arange(n_layers)
        ds = xr.Dataset(
            {"weight": (("ky", "layer"), total, {"units": "1", "long_name": "Tr M_j: zero-mode weight on layer j"}),
             "weight_electron": (("ky", "layer"), elec, {"units": "1"}),
             "cumulative_weight": (("ky", "layer"), np.cumsum(total, axis=1), {"units": "1"}),
             "eta": ("ky", et, {"units": "|t|"})},
            coords={"ky": ("ky", ky, {"units": MOMENTUM_UNITS}), "layer": np.arange(n_layers),
                    "column": ("layer", columns, {"units": "columns from the edge (first column of the layer)"}),
                    "distance": ("layer", columns * self.edge.ribbon.column_spacing, {"units": "a"})})
        return finalize(ds, model=self.model, **self._attrs(), side=side,
                        definition="M_j = eta (i/2)(G_jj(i eta) - G_jj(i eta)^dagger) on principal layer j")


def tail_decay_length(profile: xr.Dataset, lo: float = 1e-10, hi: float = 1e-3) -> np.ndarray:
    """Decay length (a) of the zero-mode weight: least-squares fit of log(weight) against distance
    over the layers where lo < weight / max(weight) < hi (the exponential tail, above the floor set
    by eta and rounding); weight ~ exp(-2 d / xi), so xi = -2 / slope.  inf if the tail is not
    resolved (fewer than 4 layers in the range, or no decay)."""
    d = profile.distance.values
    out = []
    for w in profile.weight.values:
        r = w / max(float(w.max()), np.finfo(float).tiny)
        first = int(np.argmax(r < hi))  # the tail starts where the weight first drops below hi
        sel = (np.arange(len(r)) >= first) & (r > lo) & (r < hi)
        if sel.sum() < 4:
            out.append(np.inf)
            continue
        slope = np.polyfit(d[sel], np.log(r[sel]), 1)[0]
        out.append(-2.0 / slope if slope < 0 else np.inf)
    return np.array(out)


def ldos_field_scan(model, delta: float, strengths, energies, eta: float, edge: str = "armchair-y",
                    n_ky: int = 96, orbital=None, angle: float = 0.0) -> xr.Dataset:
    """N_edge(E) for several field strengths (Zeeman energies, |t|, in the plane at ``angle``, default along x)
    at fixed Delta: the zero-bias peak appears for |V| > Delta (the nodal topological phase).
    Dims (field, energy[, spin])."""
    vxs = np.atleast_1d(np.asarray(strengths, dtype=float))
    rows, spins, attrs = [], [], {}
    for v in track(vxs, "edge LDOS", unit="field"):
        es = EdgeSpectroscopy(model, delta, Field.in_plane(check_range("field strength", v, lo=0.0), angle),
                              edge=edge, n_ky=n_ky)
        ds = es.ldos(energies, eta, orbital=orbital)
        rows.append(ds.N_edge.values)
        spins.append(ds.N_edge_spin.values)
        attrs = ds.attrs
    e = np.atleast_1d(np.asarray(energies, dtype=float))
    out = xr.Dataset(
        {"N_edge": (("field", "energy"), np.array(rows), {"units": "states / |t| / a of edge"}),
         "N_edge_spin": (("field", "energy", "spin"), np.array(spins), {"units": "states / |t| / a of edge"})},
        coords={"field": ("field", vxs, {"units": "|t|", "long_name": "Zeeman energy mu_B B"}),
                "field_over_delta": ("field", vxs / delta if delta > 0 else vxs, {"units": "1"}),
                "energy": ("energy", e, {"units": "|t|"}), "spin": list(SPINS)})
    out.attrs.update({k: v for k, v in attrs.items() if not k.startswith("field_")})
    out.attrs.update(field_angle=angle, field_angle_units="rad")
    return out
