"""Plain-data exports of the models for other tight-binding packages (kwant, pythtb, ...).

kwant 1.5 does not build against NumPy 2, so isingsc does not depend on it: the models are
offered as dictionaries of real-space Nambu hopping matrices (and ribbons as sparse
matrices and column blocks, :meth:`isingsc.topology.ribbon.Ribbon.hopping_blocks` /
:meth:`~isingsc.topology.ribbon.Ribbon.sparse_bdg_hamiltonian`), and :func:`to_kwant` builds a kwant
system from them where kwant is installed.
"""

from __future__ import annotations

import numpy as np

from isingsc.core.errors import ParameterError
from isingsc.core.field import as_field


def nambu_hoppings(model, delta: float = 0.0, field=0.0) -> dict[tuple[int, int], np.ndarray]:
    """Real-space Nambu hoppings {R: (2 dim, 2 dim)} with H_BdG(k) = sum_R T^BdG_R exp(i k.R).

    T^BdG_R = [[T_R, 0], [0, -T_R^*]] (the hole block of sum_R T_R e^{ikR} is -h(-k)^*), plus the
    on-site Zeeman term and pairing D = pairing_scale Delta (-i sigma_y) in R = (0, 0).  R in lattice
    coordinates (a1, a2); energies in |t|.
    """
    dim = model.dim
    out = {}
    for offset, t in model.hoppings.items():
        block = np.zeros((2 * dim, 2 * dim), dtype=complex)
        block[:dim, :dim] = t
        block[dim:, dim:] = -np.conj(t)
        out[tuple(offset)] = block
    zeeman = model.zeeman_matrix(as_field(field))
    pairing = model.pairing_matrix(delta)
    onsite = out.setdefault((0, 0), np.zeros((2 * dim, 2 * dim), dtype=complex))
    onsite[:dim, :dim] += zeeman
    onsite[dim:, dim:] += -np.conj(zeeman)
    onsite[:dim, dim:] += pairing
    onsite[dim:, :dim] += pairing.conj().T
    return out


def to_kwant(model, delta: float = 0.0, field=0.0):
    """An infinite 2D kwant Builder (translational symmetry a1, a2) of the Nambu model.

    Raises ParameterError if kwant is not installed (it is an optional interop: kwant 1.5 needs NumPy < 2).
    """
    try:
        import kwant
    except ImportError:  # pragma: no cover - exercised only without kwant
        raise ParameterError("kwant", "not installed", "kwant importable (optional; kwant 1.5 needs numpy<2)") from None
    prim = np.asarray(model.lattice.primitive, dtype=float)
    hop = nambu_hoppings(model, delta, field)
    lat = kwant.lattice.general(prim, norbs=2 * model.dim)
    builder = kwant.Builder(kwant.TranslationalSymmetry(*prim))
    builder[lat(0, 0)] = hop[(0, 0)]
    for (n1, n2), t in hop.items():
        if (n1, n2) == (0, 0) or (-n1, -n2) in hop and (n1, n2) < (-n1, -n2):
            continue  # kwant adds the reverse hopping itself
        builder[kwant.builder.HoppingKind((n1, n2), lat)] = t
    return builder
