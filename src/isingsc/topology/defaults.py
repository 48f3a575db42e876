"""Defaults of the topology commands.

The pairing of the topology and edge calculations is held fixed (not self-consistent) unless asked:
``DEFAULT_DELTA`` = 0.05 |t| is small enough for the paper's regime and large enough that the nodal
structure is resolved in seconds; the default field is ``DEFAULT_FIELD_OVER_DELTA`` x Delta (the
paper's Fig. 4b, Vx = 4 Delta), inside the nodal phase Vx > Delta.
"""

from __future__ import annotations

import numpy as np

from isingsc.lattice.triangular import edge_momenta

DEFAULT_DELTA = 0.05
DEFAULT_FIELD_OVER_DELTA = 4.0


def ribbon_zero_modes(model, delta: float, field, n_ky: int, *, edge: str = "armchair-y",
                      method: str = "semi-infinite", width: int = 100_000):
    """Zero-energy edge modes per edge against the bulk winding number |W(ky)|, on ``n_ky`` edge momenta.

    ``model``: a :class:`~isingsc.models.catalogue.ResolvedModel` (or a lattice model); ``method``:
    "semi-infinite" (surface Green's function, the infinite-width limit) or "ribbon" (a finite ribbon of
    ``width`` columns, sparse shift-invert).  The bulk W(ky) (kx loop at fixed ky) is computed for the
    armchair-y edge of a model with chiral symmetry.  Dataset over ``ky``: ``zero_modes_left``,
    ``zero_modes_right``, ``winding`` (NaN where undefined), ``gap`` (|t|: 0 where zero modes exist, else
    the bulk gap of the line (semi-infinite) or the lowest ribbon state (ribbon)).
    """
    import xarray as xr

    from isingsc.core.errors import ParameterError
    from isingsc.core.results import MOMENTUM_UNITS, finalize
    from isingsc.topology.bulk import winding_number
    from isingsc.topology.edge import SemiInfiniteEdge
    from isingsc.topology.ribbon import Ribbon, check_edge

    from isingsc.models.catalogue import as_resolved

    resolved = as_resolved(model)
    lattice_model, facts = resolved.model, resolved.facts
    check_edge(edge)
    if method not in ("semi-infinite", "ribbon"):
        raise ParameterError("method", method, "semi-infinite | ribbon")
    ky = edge_momenta(Ribbon.oriented(lattice_model, 2, edge).period, n_ky)
    bulk = winding_number(lattice_model, delta, field, ky) if edge == "armchair-y" and facts.chiral else None
    if method == "semi-infinite":
        modes = SemiInfiniteEdge(lattice_model, edge, delta, field).zero_modes(ky).n_modes.values
        left, right = modes[0].astype(float), modes[1].astype(float)
        line_gap = bulk.min_gap.values if bulk is not None else np.full(len(ky), np.nan)
        gap = np.where((left + right) > 0, 0.0, line_gap)
    else:
        states = Ribbon.oriented(lattice_model, width, edge).edge_states(ky, delta, field, method="sparse")
        left, right = states.n_left.values.astype(float), states.n_right.values.astype(float)
        energies = np.abs(states.energy.values)
        finite = np.isfinite(energies)
        gap = np.where(finite.any(1), np.nanmin(np.where(finite, energies, np.inf), 1), states.bulk_gap.values)
    data = {"zero_modes_left": ("ky", left, {"long_name": "zero-energy modes on the left edge"}),
            "zero_modes_right": ("ky", right, {"long_name": "zero-energy modes on the right edge"}),
            "gap": ("ky", np.asarray(gap, dtype=float), {"units": "|t|"})}
    if bulk is not None:
        data["winding"] = ("ky", np.asarray(bulk.winding.values, dtype=float),
                           {"long_name": "bulk winding number W(ky) (NaN: line through a node)"})
    ds = xr.Dataset(data, coords={"ky": ("ky", ky, {"units": MOMENTUM_UNITS, "long_name": "momentum along the edge"})})
    return finalize(ds, model=model, delta=delta, edge=edge, method=method,
                    width=width if method == "ribbon" else "semi-infinite")
