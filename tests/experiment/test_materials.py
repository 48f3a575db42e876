"""The packaged materials table: parsing, traceability of every number, the Bc2/Bp consistency check."""

import math
import re

import numpy as np
import pytest

from isingsc.core.errors import DataFileError
from isingsc.experiment import materials as M

WORDS = {"two": "2", "three": "3"}


def test_versions_and_sources():
    v = M.table_versions()
    assert v["schema_version"] == 1 and re.fullmatch(r"\d+\.\d+\.\d+", v["data_version"])
    s = M.sources()
    assert s["review"]["file"].startswith("000_") and s["model_paper"]["file"].startswith("004_")


def test_every_number_is_in_its_quote():
    """Traceability: each numeric value appears (as digits, or as a number word) in the quoted source text,
    except ratios recorded as '> 1' from the words 'exceed(s) the Pauli limit'."""
    for e in M.load_materials():
        quote = e["quote"].lower()
        for w, d in WORDS.items():
            quote = quote.replace(w, d)
        for k in M.NUMERIC_KEYS:
            q = e.get(k)
            if q is None or not q.numeric:
                continue
            if k == "bc2_over_bp" and q.text == "> 1":
                assert "exceed" in quote, e["id"]
                continue
            for num in re.findall(r"[0-9]*\.?[0-9]+", q.text):
                assert num in quote, (e["id"], k, q.text)


def test_required_materials_present():
    entries = M.load_materials()
    mats = {e["material"] for e in entries}
    for name in ("MoS2", "NbSe2", "TaS2", "WS2", "MoTe2", "W2N3", "Pb", "PdTe2"):
        assert name in mats
    assert any("stanene" in m for m in mats)
    ids = {e["id"]: e for e in entries}
    assert ids["MoS2-1Tprime"]["phase"] == "1T'" and ids["MoS2-1Tprime"]["ising_type"].startswith("II")
    assert ids["MATTG"]["ising_type"].startswith("non-Ising")
    assert ids["Pb-6ML-SIC-Si111"]["ising_type"] == "interface-induced"
    assert ids["W2N3-1L-Chen-mu0.10"]["status"] == "predicted"
    # disagreeing sources are separate entries, not averaged
    assert ids["MoS2-gated-review"]["soc_meV"].text == "~6" and ids["MoS2-gated-model-paper"]["soc_meV"].text == "~10"
    assert {ids["NbSe2-1L-MBE"]["tc_zero_K"].text, ids["NbSe2-1L-MBE"]["tc_onset_K"].text} == {"2.40", "> 6"}
    # the SPEC.md numbers
    assert ids["NbSe2-1L-exfoliated"]["bc2_T"].text == "> 31.5" and ids["NbSe2-1L-exfoliated"]["bc2_over_bp"].text == "> 6"
    assert ids["WS2-1L-gated"]["bc2_over_bp"].text == "~12" and ids["PdTe2-bulk"]["tc_K"].text == "1.7"
    assert ids["Pb-6ML-SIC-Si111"]["bp_T"].text == "14.7" and ids["Pb-6ML-SIC-Si111"]["bc2_T"].text == "> 35.5"


@pytest.mark.parametrize("text, kind, low, high", [
    ("2.40", "value", 2.395, 2.405), ("~5", "approx", 4.0, 6.0), ("> 31.5", "lower_bound", 31.5, math.inf),
    ("< 3", "upper_bound", 0.0, 3.0), ("2-3", "range", 2.0, 3.0), ("24.58", "value", 24.575, 24.585),
    ("several", "text", math.nan, math.nan),
])
def test_parse_quantity(text, kind, low, high):
    q = M.parse_quantity(text)
    assert q.kind == kind
    if kind == "text":
        assert not q.numeric and math.isnan(q.low)
    else:
        assert q.low == pytest.approx(low, abs=1e-12) and q.high == pytest.approx(high, abs=1e-12)


def _entry(**kw):
    base = {"id": "x", "material": "X", "ising_type": "I", "status": "measured", "reference": "r", "source": "s",
            "quote": "q"}
    base.update({k: M.parse_quantity(v) for k, v in kw.items()})
    return base


def test_consistency_check_by_hand():
    # Bc2 = 10 T, Tc = 2.0 K: Bc2/(1.86 T/K x Tc) = 10/3.72 = 2.688 (interval from rounding: [2.54, 2.84])
    ok, bad, open_ = (_entry(bc2_T="10", tc_K="2.0", bc2_over_bp=r) for r in ("~2.7", "~5", "> 2"))
    res = {i: r["status"] for i, r in enumerate(M.consistency_check([ok, bad, open_]))}
    assert res == {0: "consistent", 1: "inconsistent", 2: "consistent"}
    assert M.consistency_check([_entry(bc2_T="10", bc2_over_bp="3")])[0]["status"] == "not checkable"


def test_review_table_flags_mbe_nbse2():
    """MBE NbSe2 [27]: Bc2 ~32.4 T with Tc,zero 2.40 K implies 32.4/(1.86 x 2.40) = 7.26, with Tc,onset > 6 K at
    most 32.5/(1.86 x 6) = 2.91; the quoted ~5 matches neither (the review does not say which Tc it used)."""
    rep = {r["id"]: r for r in M.consistency_check()}
    r = rep["NbSe2-1L-MBE"]
    assert r["status"] == "inconsistent"
    lo, hi = r["implied"]["tc_zero_K"]
    assert lo == pytest.approx(32.3 / (1.86 * 2.405), rel=1e-12) and hi == pytest.approx(32.5 / (1.86 * 2.395), rel=1e-12)
    assert r["implied"]["tc_onset_K"][1] == pytest.approx(32.5 / (1.86 * 6), rel=1e-12)
    assert all(v["status"] != "inconsistent" for k, v in rep.items() if k != "NbSe2-1L-MBE")


def test_dataset_round_trip(tmp_path):
    from isingsc.experiment.results import load, save

    ds = M.materials_dataset()
    back = load(save(ds, tmp_path / "m.nc"))
    assert list(back.entry.values) == [e["id"] for e in M.load_materials()]
    assert back.attrs["data_version"] == M.table_versions()["data_version"]
    i = list(back.entry.values).index("PdTe2-bulk")
    assert back.tc_K_low.values[i] == pytest.approx(1.65) and back.tc_K_quoted.values[i] == "1.7"
    assert np.isnan(back.bc2_T_low.values[i])


def test_select_and_plot(tmp_path):
    sel = M.select(M.load_materials(), "nbse2")
    assert sel and all("NbSe2" in e["material"] for e in sel)
    with pytest.raises(Exception, match="material"):
        M.select(M.load_materials(), "unobtainium")
    from isingsc.plotting.experiment import plot_materials

    plot_materials(path=tmp_path / "m.png")
    assert (tmp_path / "m.png").stat().st_size > 1000


def test_bad_range_is_rejected():
    with pytest.raises(DataFileError):
        M.parse_quantity("3-2")
