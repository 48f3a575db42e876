"""The linearised gap equation per channel (isingsc.channels) against the package's independent Tc solver and
against what the form factors imply."""

import numpy as np
import pytest

import isingsc
from isingsc.channels import PairingChannels
from isingsc.core.errors import ModelCapabilityError, ParameterError
from isingsc.meanfield import MeanField
from isingsc.models.channels import PairingChannel, with_pairing


def test_s_channel_tc_equals_the_mean_field_tc_solver():
    """For on-site s pairing at Q = 0 the channel's curvature 2/v - 2 chi is Omega''(0) of the mean-field solver:
    the same Tc from a different quadrature (uniform trapezoid grid here, graded polar rays there)."""
    model = isingsc.model("hole-tmd")
    ds = PairingChannels(model, channels=["s"], momenta=["0"], attraction=2.5, tol=2e-3).critical_temperatures()
    reference = float(MeanField(model, v=2.5, tol=1e-3).tc(gap=False)["Tc"])
    assert float(ds.Tc.sel(channel="s (singlet)", momentum="0")) == pytest.approx(reference, rel=4e-3)
    assert ds.attrs["achieved_tolerance"] <= 2e-3


def test_pocket_weights_order_the_channels_on_spin_polarised_pockets():
    """On small pockets at +-K every Q = 0 channel pairs the same Kramers partners, weighted by |f(K)|^2:
    27/4 (f), 9/4 (extended-s), 1 (s), 0 (p, d: a node at K).  The Fermi-surface (log) part of chi, seen in its
    growth chi(T/4) - chi(T) ~ N0 |f|^2 ln 4, orders alike, and the chiral channels' growth is smaller (their
    chi is mostly the non-singular background of the whole band)."""
    model = isingsc.model("hole-tmd")
    K = np.array([[4 * np.pi / 3, 0.0]])
    weights = {c: abs(PairingChannel(c).form_factor(K, model.model.lattice)[0]) ** 2
               for c in ("s", "extended-s", "f", "p+ip", "d+id")}
    assert weights["f"] == pytest.approx(27 / 4) and weights["extended-s"] == pytest.approx(9 / 4)
    assert weights["s"] == pytest.approx(1.0) and weights["p+ip"] < 1e-20 and weights["d+id"] < 1e-20
    chi = PairingChannels(model, channels=["s", "extended-s", "f", "p+ip", "d+id"], momenta=["0"]).susceptibility(
        [0.005, 0.02], n=576).chi.values[:, 0, :]
    growth = chi[:, 0] - chi[:, 1]
    assert growth[2] > growth[1] > growth[0] > 2 * max(growth[3], growth[4])
    assert growth[2] / growth[0] == pytest.approx(27 / 4, rel=0.1)  # the pockets' |f|^2 varies little


def test_bond_pairing_is_refused_where_on_site_pairing_is_assumed():
    state = with_pairing(isingsc.model("hole-tmd"), "p+ip")
    with pytest.raises(ModelCapabilityError, match="mean-field"):
        MeanField(state)
    with pytest.raises(ModelCapabilityError, match="on-site pairing"):
        state.pairing_matrix(0.1)


@pytest.mark.parametrize("kwargs, name", [
    ({"momenta": ["2Q"]}, "pair_momentum"),
    ({"channels": ["g"]}, "channel"),
    ({"attraction": -1.0}, "attraction"),
    ({"attraction": {"nope": 1.0}}, "attraction"),
    ({"t_min": 0.0}, "t_min"),
])
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        PairingChannels("hole-tmd", **kwargs)
