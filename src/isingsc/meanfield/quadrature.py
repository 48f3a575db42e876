"""The one quadrature chooser of the mean-field solvers: which rays, which zone, which panels.

From a model's symmetry facts (:class:`~isingsc.models.symmetry.SymmetryFacts`, declared by the
catalogue or detected on a model file):

* **zone** -- the Gamma-K-M wedge when the Nambu spectrum is D6-symmetric in in-plane fields
  (Ising SOC only), else half the zone (six images of the wedge; exact for on-site singlet
  pairing, whose free energy and pair susceptibility are even under k -> -k);
* **K disks** -- when the Fermi surfaces include pockets around K and K' that a disk around each
  corner can hold (no other Fermi crossing in the cut-off annulus): rays from K there;
* **panels** -- graded around the zero crossings of the normal-state bands at zero field (every
  observable) and, for a solve at field V, also around the crossings of the Zeeman-split bands at
  V (:func:`mesh_at_field`): the pair susceptibility and the free energy at temperature T have
  features of width T there, which panels grown from the zero-field crossings miss at low T
  (the shift |E(V) - E(0)| <= |V| max|g_o| by Weyl's inequality, so the zero-field panels suffice
  while that bound is below a few T; beyond it the Zeeman-split crossings get their own panels).

The bands whose crossings place the panels: the particle block of H_BdG at Delta = 0 (the normal
state, also for the static effective model), at k and -- for spectra that are not D6-symmetric --
at -k (the hole block's crossings).
"""

from __future__ import annotations

import numpy as np

from isingsc.backends import eigvalsh
from isingsc.core.errors import ModelCapabilityError, ParameterError
from isingsc.core.field import as_field
from isingsc.lattice.quadrature import (K_DISK_LIMIT, PolarQuadrature, QuadratureSpec, disk_radii_for,
                                        k_pocket_radius, zone_quadrature)
from isingsc.lattice.triangular import KMesh

#: A Zeeman-split crossing is resolved by the zero-field panels while |V| max|g| <= this x order x T.
FIELD_PANEL_FACTOR = 0.5
#: Resolution-independent features of the most recent models' quadratures (K-disk radii, angular kinks), by
#: (Hamiltonian fingerprint, zone, fields, resolve, gap_ratio, disks): a refined pass reuses them.
_FEATURES: dict = {}
FEATURES_KEPT = 32
#: Fermi surfaces of bands with at least this weight on the pairing orbitals get graded angular panels where
#: they meet the zone edge or touch a ray (a band without pairing weight barely enters the pairing integrals).
KINK_PAIRING_WEIGHT = 0.1


def band_energy_function(model, fields=(None,), *, both_signs: bool = False):
    """``energies(k)``: sorted normal-state energies (particle block of H_BdG at Delta = 0) at each field
    in ``fields`` side by side, shape (n, n_fields x dim); with ``both_signs`` also at -k."""
    fields = [as_field(f) for f in fields]

    def energies(k):
        k = np.asarray(k, dtype=float)
        parts = []
        for f in fields:
            for kk in ((k, -k) if both_signs else (k,)):
                # the protocol's hamiltonian(k, field) is that particle block (cheaper than the BdG matrix)
                parts.append(eigvalsh(model.hamiltonian(kk, f)))
        return np.concatenate(parts, axis=-1)

    return energies


def pairing_band_energy_function(model, *, both_signs: bool = False, weight: float = None):
    """Like :func:`band_energy_function` at zero field, but a band whose weight on the pairing orbitals is
    below ``weight`` (default :data:`KINK_PAIRING_WEIGHT`) is moved to +-10 |t| (its sign kept, so that
    it has no zero crossing): the bands whose Fermi-surface kinks the quadrature grades."""
    weight = KINK_PAIRING_WEIGHT if weight is None else weight
    idx = np.concatenate([np.asarray(model.nambu_indices(o))[:2] for o in model.pairing_orbitals]) \
        if tuple(model.pairing_orbitals) else np.zeros(0, dtype=int)

    def energies(k):
        k = np.asarray(k, dtype=float)
        parts = []
        for kk in ((k, -k) if both_signs else (k,)):
            e, u = np.linalg.eigh(model.hamiltonian(kk, None))
            w = np.sum(np.abs(u[..., idx, :]) ** 2, axis=-2)
            parts.append(np.where(w >= weight, e, np.where(e >= 0, 10.0, -10.0)))
        return np.concatenate(parts, axis=-1)

    return energies


def gap_scaled_band_energy_function(model, gap_ratio: float, fields=(None,), *, both_signs: bool = False):
    """Normal-state bands scaled so that radial panels follow each band's own gap: E_n(k) x
    gap_ratio / max(w_n(k), gap_ratio), w_n the band's weight on the pairing orbitals.

    With on-site pairing Delta a band of pairing weight w has a BdG gap ~ w Delta at its Fermi crossing,
    so the integrand of a Green's function near that crossing is ~ w Delta / v_F wide; the quadrature's
    panels (half-width energy_scale / |dE/dr|, energy_scale set by the smallest gap E_g = gap_ratio x Delta)
    widen by w / gap_ratio there: a proximitised band with a small gap keeps fine panels, the paired bands
    get panels for their own, larger gap.  The zero crossings are those of the bands (a positive factor)."""
    fields = [as_field(f) for f in fields]
    idx = np.concatenate([np.asarray(model.nambu_indices(o))[:2] for o in model.pairing_orbitals]) \
        if tuple(model.pairing_orbitals) else np.zeros(0, dtype=int)

    def energies(k):
        k = np.asarray(k, dtype=float)
        parts = []
        for f in fields:
            for kk in ((k, -k) if both_signs else (k,)):
                e, u = np.linalg.eigh(model.hamiltonian(kk, f))
                w = np.sum(np.abs(u[..., idx, :]) ** 2, axis=-2)
                parts.append(e * gap_ratio / np.maximum(w, gap_ratio))
        return np.concatenate(parts, axis=-1)

    return energies


def quadrature_for(model, spec: QuadratureSpec, *, facts=None, angles=(0.0,), fields=(),
                   zone: str = "auto", k_disks: bool | None = None, label: str | None = None,
                   resolve: str = "pairing", gap_ratio: float | None = None) -> PolarQuadrature:
    """The rays of ``model``'s Brillouin-zone quadrature at resolution ``spec``.

    ``facts``: the model's :class:`~isingsc.models.symmetry.SymmetryFacts` (default: detected);
    ``angles``: in-plane field angles (rad) the quadrature must serve (the wedge needs D6 at all of
    them); ``fields``: fields whose Zeeman-split crossings get panels as well (besides zero field);
    ``zone``: auto | wedge | half | full; ``k_disks``: force the corner disks on/off (default: auto);
    ``label``: the model's name in error messages; ``resolve``: "pairing" (the Fermi-surface kinks of bands
    with pairing weight, enough for the mean-field integrals) or "all" (a Green's function's every element:
    the kinks of every band, the mirror lines and denser K-disk rays, see
    :func:`~isingsc.lattice.quadrature.zone_quadrature`); ``gap_ratio`` (E_g / Delta in (0, 1], for a
    Green's function whose smallest gap E_g is set by a band of small pairing weight): radial panels per band's
    own gap (:func:`gap_scaled_band_energy_function`).
    Raises ModelCapabilityError for a model without a Fermi surface (no superconducting instability
    of the weak-coupling kind the solvers are written for).
    """
    from isingsc.models.symmetry import detect_facts, is_d6_symmetric

    facts = facts or detect_facts(model)
    if zone not in ("auto", "wedge", "half", "full"):
        raise ParameterError("zone", zone, "auto | wedge | half | full")
    if zone in ("auto", "wedge"):
        d6 = facts.d6_in_plane or is_d6_symmetric(model, angles)
        if zone == "wedge" and not d6:
            raise ParameterError("zone", zone, "half or full (auto): the Nambu spectrum of this model is not "
                                 "D6-symmetric at these field angles, so the Gamma-K-M wedge is not exact")
        zone = "wedge" if d6 else "half"
    energy0 = band_energy_function(model, both_signs=zone != "wedge")
    if gap_ratio is None:
        energy = band_energy_function(model, (None,) + tuple(fields), both_signs=zone != "wedge")
    else:
        if not 0.0 < gap_ratio <= 1.0:
            raise ParameterError("gap_ratio", gap_ratio, "0 < E_g / Delta <= 1")
        energy = gap_scaled_band_energy_function(model, gap_ratio, (None,) + tuple(fields),
                                                 both_signs=zone != "wedge")
    disks = None
    use_disks = ("K" in facts.pockets) if k_disks is None else k_disks
    # what does not depend on the resolution (the disks, the angular kinks) is kept for the model's next spec
    fingerprint = getattr(model, "fingerprint", None)
    memo = None
    if isinstance(fingerprint, str):
        key = (fingerprint, zone, tuple(as_field(f) for f in fields), resolve, gap_ratio, bool(use_disks))
        memo = _FEATURES.pop(key, None) or {}
        _FEATURES[key] = memo  # most recent last
        while len(_FEATURES) > FEATURES_KEPT:
            _FEATURES.pop(next(iter(_FEATURES)))
    if use_disks:
        if memo is not None and "disks" in memo:
            pocket, disks = memo["pocket"], memo["disks"]
        else:
            pocket = k_pocket_radius(energy0, 0.75 * K_DISK_LIMIT)
            disks = disk_radii_for(energy, pocket) if pocket is not None else None
            if memo is not None:
                memo.update(pocket=pocket, disks=disks)
        if k_disks and disks is None:  # forced on, but impossible: say so instead of ignoring it
            raise ParameterError("k_disks", True, "False or None (auto) for this model: "
                                 + ("no closed Fermi pocket around K within "
                                    f"{0.75 * K_DISK_LIMIT:.3g} 1/a" if pocket is None else
                                    "another Fermi surface crosses the disks' cut-off annulus"))
    kinks = pairing_band_energy_function(model, both_signs=zone != "wedge", weight=0.0 if resolve == "all" else None)
    # the mirror lines need grading only where a field breaks the mirror (an in-plane component)
    in_plane = any(np.hypot(*as_field(f).vector[:2]) > 0 for f in fields)
    quad = zone_quadrature(energy, spec, zone=zone, disks=disks, kink_bands=kinks, resolve=resolve,
                           mirror_lines=resolve == "all" and in_plane, memo=memo)
    if disks is None and not np.any(quad.n_crossings[~quad.from_corner]):
        raise ModelCapabilityError(label or getattr(model, "name", "model"), "mean-field superconductivity",
                                   "its normal state has no Fermi surface (no band crosses zero energy): "
                                   "move the chemical potential into a band")
    return quad


def needs_field_panels(model, quad: PolarQuadrature, field, T: float) -> bool:
    """True when the Zeeman-split crossings at ``field`` may sit outside what the zero-field panels resolve
    at temperature T: |V| max|g_o| > FIELD_PANEL_FACTOR x order x T x (growth / (growth - 1))."""
    f = as_field(field)
    g = max((abs(x) for x in model.zeeman_coupling), default=1.0)
    s = quad.spec
    return f.strength * g > FIELD_PANEL_FACTOR * s.order * T * s.growth / (s.growth - 1.0)


def mesh_at_field(model, quad: PolarQuadrature, field) -> KMesh:
    """The quadrature with extra panels around the zero crossings of the normal-state bands at ``field``."""
    f = as_field(field)
    both = not quad.group.startswith("D6")
    return quad.mesh(extra_bands=band_energy_function(model, (f,), both_signs=both))


__all__ = ["FIELD_PANEL_FACTOR", "KINK_PAIRING_WEIGHT", "band_energy_function", "gap_scaled_band_energy_function",
           "mesh_at_field",
           "needs_field_panels", "pairing_band_energy_function", "quadrature_for"]
