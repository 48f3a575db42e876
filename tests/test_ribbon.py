"""Ribbons follow from the model data: a closed ribbon (torus) has exactly the bulk spectrum."""

import numpy as np
import pytest

from isingsc.errors import ParameterError
from isingsc.models import PAPER, heterostructure_model, tmd_model
from isingsc.ribbon import Ribbon


@pytest.mark.parametrize("edge", ["armchair-y", "zigzag-x"])
def test_closed_ribbon_equals_bulk_at_quantised_momenta(edge):
    model = heterostructure_model(PAPER)
    W = 6
    rib = Ribbon.oriented(model, W, edge, closed=True)
    lat = model.lattice
    U = np.array(rib.open_) @ lat.primitive
    T = np.array(rib.periodic) @ lat.primitive
    k_par = 0.37
    e_rib = np.linalg.eigvalsh(rib.bdg_hamiltonian(k_par, 0.05, 0.1))[0]
    # bulk momenta with k.T = k_par |T| and k.U = 2 pi j / W
    basis = np.array([U, T])
    ks = [np.linalg.solve(basis, [2 * np.pi * j / W, k_par * rib.period]) for j in range(W)]
    e_bulk = np.sort(np.concatenate([np.linalg.eigvalsh(model.bdg_hamiltonian(np.array(k), 0.05, 0.1))
                                     for k in ks]))
    assert np.allclose(e_rib, e_bulk, atol=1e-10)


def test_open_ribbon_is_hermitian_particle_hole_symmetric():
    rib = Ribbon.oriented(tmd_model(PAPER), 5)
    h = rib.bdg_hamiltonian([0.3, -0.3], 0.0, 0.2)
    assert np.allclose(h, np.swapaxes(h.conj(), -1, -2))
    assert np.allclose(np.linalg.eigvalsh(h[0]), -np.linalg.eigvalsh(h[1])[::-1], atol=1e-12)
    assert rib.period == pytest.approx(np.sqrt(3))


def test_bad_ribbons():
    with pytest.raises(ParameterError, match="width"):
        Ribbon.oriented(tmd_model(), 1)
    with pytest.raises(ParameterError, match="edge"):
        Ribbon.oriented(tmd_model(), 4, "diagonal")
    with pytest.raises(ParameterError, match="det"):
        Ribbon(tmd_model(), 4, (1, 0), (2, 0))
