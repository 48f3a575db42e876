"""Shared fixtures and hypothesis strategies."""

import numpy as np
import pytest
from hypothesis import settings, strategies as st

settings.register_profile("default", max_examples=25, deadline=None)
settings.load_profile("default")

finite = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, allow_infinity=False)
hopping = st.one_of(st.floats(-2.0, -0.2), st.floats(0.2, 2.0))
k_point = st.tuples(st.floats(-7.0, 7.0), st.floats(-7.0, 7.0))


@st.composite
def heterostructure_params(draw):
    from isingsc.models.paper import HeterostructureParams

    return HeterostructureParams(
        t_sc=draw(hopping), mu_sc=draw(finite), t_tmd=draw(hopping), mu_tmd=draw(finite),
        beta_so=draw(finite), gamma=draw(st.floats(0.0, 2.0)), field_on_tmd=draw(st.booleans()))


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
