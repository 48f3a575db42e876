"""NetCDF round trip and corrupt files."""

import pytest
import xarray as xr

from isingsc.normal.bands import band_structure
from isingsc.core.errors import DataFileError
from isingsc.normal.greens import spectral_map
from isingsc.models.paper import heterostructure_model
from isingsc.core.results import load, save


@pytest.mark.parametrize("make", [lambda: band_structure(heterostructure_model()),
                                  lambda: spectral_map(heterostructure_model(), n_grid=15)])
def test_netcdf_round_trip_is_identical(tmp_path, make):
    ds = make()
    assert ds.attrs["param_gamma"] == 0.5 and "isingsc_version" in ds.attrs
    back = load(save(ds, tmp_path / "x.nc"))
    xr.testing.assert_identical(ds, back)


def test_corrupt_and_missing_files(tmp_path):
    bad = tmp_path / "bad.nc"
    bad.write_bytes(b"this is not netcdf" * 10)
    with pytest.raises(DataFileError, match="not a readable NetCDF"):
        load(bad)
    with pytest.raises(DataFileError, match="no such"):
        load(tmp_path / "missing.nc")
