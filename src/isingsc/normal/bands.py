"""Band structures along high-symmetry paths and Fermi contours (paper Fig. 1).

Normal-state bands of a :class:`~isingsc.models.base.TightBindingModel`
(Zeeman field optional), with the spin expectation <sigma_z> and the weight
on each orbital (layer) per band.  Fermi contours are iso-lines E_n(k) = E_F
of each band, traced by marching squares (contourpy) on a fine rectangular
grid covering the hexagonal Brillouin zone, then folded into the zone.
"""

from __future__ import annotations

import contourpy
import numpy as np
import xarray as xr

from isingsc.core.errors import check_finite, check_positive_int
from isingsc.core.field import as_field
from isingsc.lattice.triangular import KPath, bz_grid, high_symmetry_path
from isingsc.core.results import MOMENTUM_UNITS, finalize
from isingsc.models.base import SIGMAZ


def inside_bz(k, tol: float = 1e-9) -> np.ndarray:
    """True where k (..., 2) lies in the closed hexagonal first BZ: |k.n_j| <= 2pi/sqrt3 for the M directions n_j."""
    ang = np.pi / 6 + np.arange(3) * np.pi / 3
    normals = np.stack([np.cos(ang), np.sin(ang)], axis=-1)
    return np.all(np.abs(np.asarray(k) @ normals.T) <= 2 * np.pi / np.sqrt(3) + tol, axis=-1)


def _spin_layer_resolved(model, k, field):
    h = model.hamiltonian(k, field)
    e, u = np.linalg.eigh(h)
    sz_op = np.kron(np.eye(len(model.orbitals)), SIGMAZ)
    sz = np.einsum("...an,ab,...bn->...n", u.conj(), sz_op, u).real
    prob = np.abs(u) ** 2  # (..., dim, n)
    layer = prob.reshape(prob.shape[:-2] + (len(model.orbitals), 2, prob.shape[-1])).sum(-2)
    return e, sz, layer


def band_structure(model, path: KPath | None = None, field=0.0) -> xr.Dataset:
    """Normal-state bands E_n(k) along a path (default Γ-K-M-Γ), spin- and orbital-resolved.

    Returns a Dataset with dims (k, band[, orbital]): ``energy`` (|t|),
    ``spin_z`` = <sigma_z> in [-1, 1], ``orbital_weight`` (sums to 1 over orbitals).
    """
    path = path or high_symmetry_path()
    e, sz, layer = _spin_layer_resolved(model, path.k, field)
    ds = xr.Dataset(
        {
            "energy": (("k", "band"), e, {"units": "|t|", "long_name": "band energy"}),
            "spin_z": (("k", "band"), sz, {"units": "1", "long_name": "<sigma_z>"}),
            "orbital_weight": (("k", "orbital", "band"), layer,
                               {"units": "1", "long_name": "weight on each orbital"}),
        },
        coords={
            "k": ("k", path.distance, {"units": MOMENTUM_UNITS, "long_name": "path length"}),
            "kx": ("k", path.k[:, 0], {"units": MOMENTUM_UNITS}),
            "ky": ("k", path.k[:, 1], {"units": MOMENTUM_UNITS}),
            "band": np.arange(e.shape[-1]),
            "orbital": list(model.orbitals),
        },
    )
    return finalize(ds, model=model, path_labels=",".join(path.labels),
                    path_ticks=list(path.tick_positions), **as_field(field).attrs())


def fermi_contours(model, n_grid: int = 301, energy: float = 0.0, field=0.0) -> xr.Dataset:
    """Fermi contours E_n(k) = energy of every band, as polylines in the first BZ.

    Returns a Dataset with dim ``point``: ``kx``, ``ky`` (1/a), ``band``,
    ``segment`` (id of the polyline the point belongs to) and ``spin_z`` at the point.
    The accuracy is set by the grid spacing ``4 pi / (sqrt3 n_grid)`` (linear
    interpolation between grid points), recorded in attrs.
    """
    n_grid = check_positive_int("n_grid", n_grid, 16)
    energy = check_finite("energy", energy)
    kx, ky = bz_grid(n_grid, margin=1.15)
    kk = np.stack(np.meshgrid(kx, ky, indexing="xy"), axis=-1)  # (ny, nx, 2)
    e, _, _ = _spin_layer_resolved(model, kk, field)
    xs, ys, bands, segs = [], [], [], []
    seg_id = 0
    for n in range(e.shape[-1]):
        gen = contourpy.contour_generator(kx, ky, e[..., n])
        for line in gen.lines(energy):
            if len(line) < 2:
                continue
            # the grid is larger than the BZ: keep the runs of points inside the zone
            inside = inside_bz(line)
            edges = np.flatnonzero(np.diff(np.concatenate([[0], inside.astype(int), [0]])))
            for start, stop in zip(edges[::2], edges[1::2]):
                if stop - start < 2:
                    continue
                run = line[start:stop]
                xs.append(run[:, 0]); ys.append(run[:, 1])
                bands.append(np.full(len(run), n)); segs.append(np.full(len(run), seg_id))
                seg_id += 1
    if xs:
        x, y = np.concatenate(xs), np.concatenate(ys)
        b, s = np.concatenate(bands), np.concatenate(segs)
        _, sz, _ = _spin_layer_resolved(model, np.stack([x, y], -1), field)
        spin = sz[np.arange(len(b)), b]
    else:
        x = y = spin = np.zeros(0)
        b = s = np.zeros(0, dtype=int)
    ds = xr.Dataset(
        {"kx": ("point", x, {"units": MOMENTUM_UNITS}), "ky": ("point", y, {"units": MOMENTUM_UNITS}),
         "band": ("point", b), "segment": ("point", s),
         "spin_z": ("point", spin, {"units": "1", "long_name": "<sigma_z> of the band"})},
    )
    return finalize(ds, model=model, fermi_energy=energy, grid=n_grid,
                    grid_spacing=float(kx[1] - kx[0]), **as_field(field).attrs())
