"""report.html, the figure cache and the `reproduce` command's use of both.

Fast by construction: the report is built from small synthetic result folders
whose numbers are known by construction (no solver runs), the cache is driven
by stand-in figure makers, and the one end-to-end run makes Fig. 1 only.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest

from isingsc.core.field import Field
import xarray as xr

from isingsc.workflows import cache as cache_mod
from isingsc.plotting import figures as figures
from isingsc.core.errors import DataFileError, ParameterError
from isingsc.workflows.report import RUN_RECORD, build_report, headline_numbers
from isingsc.core.results import finalize, save


# ------------------------------------------------------------------ synthetic result folders
def _png(path: Path, width: int, height: int, color=(200, 30, 30)) -> Path:
    from PIL import Image

    Image.new("RGB", (width, height), color).save(path)
    return path


def _hc2(path, *, gamma, t, h, order, tc, tc_ref, tri=None, kmesh="1234 k points, test quadrature",
         achieved=1.0e-3):
    """An Hc2(T) file shaped like :meth:`isingsc.meanfield.MeanField.hc2` output: dimension T (|t|),
    T/Tc of the model and of the reference, the order of the transition; ``t`` is T/Tc0 (reference)."""
    temps = np.asarray(t, float) * tc_ref
    ds = xr.Dataset({"Hc2_over_HP": ("T", np.asarray(h, float), {"units": "1"}),
                     "transition_order": ("T", np.asarray(order, dtype=str))},
                    coords={"T": ("T", temps, {"units": "|t|"}),
                            "T_over_Tc": ("T", temps / tc, {"units": "1"}),
                            "T_over_Tc_reference": ("T", temps / tc_ref, {"units": "1"})})
    finalize(ds, Tc=tc, Tc_reference=tc_ref, Delta0_reference=0.02, HP_reference=0.02 / np.sqrt(2),
             kmesh=kmesh, tolerance=0.005, achieved_tolerance=achieved,
             tricritical_T_over_Tc_reference=tri[0] if tri else "none",
             tricritical_H_over_HP=tri[1] if tri else "none",
             gamma=gamma, param_gamma=gamma, param_mu_tmd=3.0)
    return save(ds, path)


KY = np.linspace(-1.8, 1.8, 20)


def _fig4(folder, tag, w, zero_modes, vx):
    wds = xr.Dataset({"winding": ("ky", np.asarray(w, float), {"units": "1"})}, coords={"ky": KY})
    finalize(wds, delta=0.05, **Field.in_plane(vx).attrs(), node_tol=1e-6, n_init=128, kx_loop="[0, 4 pi)")
    save(wds, folder / f"fig4_winding_{tag}.nc")
    eds = xr.Dataset({"zero_modes": ("k", np.asarray(zero_modes, int))}, coords={"k": KY})
    finalize(eds, edge="armchair-y", iterations=17, tol=1e-13, eta=1e-3, delta=0.05, **Field.in_plane(vx).attrs())
    save(eds, folder / f"fig4_edge_{tag}.nc")


T_GRID = np.arange(0.05, 1.0, 0.1)  # 0.05, 0.15, ..., 0.95: T/Tc0 = 0.1 falls between two points


@pytest.fixture
def folder(tmp_path):
    out = tmp_path / "results"
    out.mkdir()
    # Gamma = 0: first order below 0.5, tricritical point in the attrs
    _hc2(out / "fig3a_hc2_gamma0.nc", gamma=0.0, t=T_GRID, h=2.0 - T_GRID**2,
         order=["first"] * 5 + ["second"] * 5, tc=0.01, tc_ref=0.01, tri=(0.5, 0.86))
    # Gamma = 0.5: Tc = 0.75 Tc0, second order throughout, no tricritical point ("none")
    _hc2(out / "fig3a_hc2_gamma0.5.nc", gamma=0.5, t=np.r_[0.05, 0.1, 0.3, 0.6], h=[1.8, 1.6, 1.1, 0.3],
         order=["second"] * 4, tc=0.0075, tc_ref=0.01)
    w = np.zeros(len(KY))
    w[3:6], w[14:17], w[9] = 1, -1, np.nan            # W = +1 on 3 points, -1 on 3, one line through a node
    zm = np.abs(np.nan_to_num(w)).astype(int)
    zm[0] = 2                                          # one ky where the count disagrees with |W|
    _fig4(out, "vx4delta", w, zm, vx=0.2)
    _fig4(out, "vx0", np.zeros(len(KY)), np.zeros(len(KY), int), vx=0.0)
    _png(out / "fig3_hc2_gap_maps.png", 300, 200)
    _png(out / "fig4_ribbon_edge_winding.png", 2400, 1200, color=(30, 30, 200))
    return out


# ------------------------------------------------------------------ headline numbers
def test_fig3_numbers(folder):
    numbers = headline_numbers(folder)
    rows = {c["case"]: c for c in numbers["fig3"]}
    iso, coupled = rows["Γ = 0"], rows["Γ = 0.5"]
    assert iso["tc_ratio"] == pytest.approx(1.0)
    assert coupled["tc_ratio"] == pytest.approx(0.75)        # attrs Tc / Tc_reference = 0.0075 / 0.01
    # h(t) = 2 - t^2 at t = 0.1 is 1.99.  Linear interpolation between 0.05 and 0.15 errs by
    # (t - t0)(t1 - t) h''/2 = 0.05 * 0.05 * 1 = 0.0025; the reported uncertainty (|PCHIP - linear|)
    # must cover the PCHIP error.
    assert abs(iso["hc2"] - 1.99) <= iso["hc2_uncertainty"] + 1e-12
    assert 0 < iso["hc2_uncertainty"] <= 0.0025 + 1e-12
    assert "0.05 and 0.15" in iso["hc2_note"]
    # a computed point at exactly 0.1 Tc0 is reported as it is, without interpolation
    assert coupled["hc2"] == pytest.approx(1.6) and coupled["hc2_uncertainty"] == 0.0
    assert iso["order"] == "first 0.05–0.45; second 0.55–0.95"
    assert coupled["order"] == "second 0.05–0.6"
    assert iso["tricritical"] == (0.5, 0.86) and coupled["tricritical"] is None
    assert iso["mesh"] == "1234 k points, test quadrature" and "0.001 achieved (target 0.005" in iso["tolerance"]
    # the weak-coupling reference row appears with a Gamma = 0 curve
    assert numbers["fig3_reference"]["tricritical"][0] == pytest.approx(0.5615, abs=1e-4)


def test_fig4_numbers(folder):
    cases = {c["case"]: c for c in headline_numbers(folder)["fig4"]}
    nodal, gapped = cases["Vx = 4 Δ"], cases["Vx = 0 Δ"]
    assert nodal["w_values"] == [-1, 0, 1] and nodal["through_node"] == 1
    assert nodal["w_ranges"] == [f"W = +1: ky ∈ [{KY[3]:.3f}, {KY[5]:.3f}] (3 grid points)",
                                 f"W = -1: ky ∈ [{KY[14]:.3f}, {KY[16]:.3f}] (3 grid points)"]
    # 19 ky lines with a defined W; the count disagrees with |W| on one of them
    assert nodal["zero_modes_match"] == (18, 19)
    assert gapped["w_summary"] == "W = 0 at every ky" and gapped["zero_modes_match"] == (20, 20)
    assert "node_tol = 1e-06" in nodal["tolerance"] and "17 decimation steps" in nodal["edge_resolution"]


def test_exact_winding_intervals_are_used_when_stored(folder):
    """With a winding_intervals dataset beside it, the W ranges are the exact node-bounded intervals."""
    ids = xr.Dataset({"ky_lo": ("interval", [-1.3, -1.2, 1.2]), "ky_hi": ("interval", [-1.2, 1.2, 1.3]),
                      "winding": ("interval", [1.0, 0.0, -1.0])})
    save(ids, folder / "fig4_winding_intervals_vx4delta.nc")
    save(ids.assign(winding=("interval", [0.0, 0.0, 0.0])), folder / "fig4_winding_intervals_vx0.nc")
    numbers = headline_numbers(folder)
    nodal = next(c for c in numbers["fig4"] if c["case"] == "Vx = 4 Δ")
    assert nodal["w_ranges"] == ["W = +1: ky ∈ [-1.3000, -1.2000]", "W = -1: ky ∈ [1.2000, 1.3000]"]
    assert not any("ky projections" in m["attr"] for m in numbers["missing_attrs"])


def test_missing_attrs_are_named(folder):
    missing = headline_numbers(folder)["missing_attrs"]
    attrs = " ".join(m["attr"] for m in missing)
    assert "Hc2/HP at T/Tc0 = 0.1" in attrs and "order summary" in attrs and "ky projections of the nodes" in attrs


# ------------------------------------------------------------------ the HTML page
def test_report_is_self_contained_with_figures_at_their_size(folder):
    run = {"quality": "fast", "total_seconds": 12.5, "started": "2026-01-01T00:00:00+00:00", "cpu_count": 2,
           "command": "isingsc reproduce", "figures": {"3": {"cached": True, "seconds": 0.4, "compute_seconds": 61.0,
                                                             "files": ["a"], "cache_key": "abc"}}}
    path = build_report(folder, run)
    assert path == folder / "report.html"
    text = path.read_text(encoding="utf-8")
    # nothing fetched from elsewhere: no scripts, stylesheets or remote sources
    assert "<script" not in text and "<link" not in text
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", text)
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)" width="(\d+)" height="(\d+)"', text)
    assert len(images) == 2
    small = (folder / "fig3_hc2_gap_maps.png").read_bytes()
    assert base64.b64decode(images[0][0]) == small and images[0][1:] == ("300", "200")
    # a 2400 x 1200 PNG is shown 1100 CSS pixels wide, aspect ratio kept
    assert images[1][1:] == ("1100", "550")
    for needle in ("Tc(Γ)/Tc0", "Hc2(0.1 Tc0)/HP", "order of the transition", "tricritical point",
                   "W(ky) ≠ 0", "zero modes per edge", "1234 k points", "reused from cache", "12.5 s",
                   "isingsc ", "mu_tmd", "Numbers not stored in the attrs"):
        assert needle in text, needle


def test_report_without_run_record_or_results(tmp_path):
    text = build_report(tmp_path).read_text()
    assert "No run record" in text and "No result files" in text and "No figure PNGs" in text


def test_report_reads_the_run_record_file(folder):
    (folder / RUN_RECORD).write_text(json.dumps({"quality": "paper", "total_seconds": 777.0, "figures": {}}))
    text = build_report(folder).read_text()
    assert "<b>paper</b>" in text and "777 s" in text


def test_report_errors_name_the_file(tmp_path, folder):
    with pytest.raises(DataFileError, match="no such output folder"):
        build_report(tmp_path / "nowhere")
    (folder / "fig3a_hc2_gamma0.2.nc").write_bytes(b"not a netcdf file")
    with pytest.raises(DataFileError, match="fig3a_hc2_gamma0.2.nc"):
        build_report(folder)


def test_report_of_a_real_figure_1(tmp_path):
    """The real Fig. 1 code on a coarse grid: its contour grid is reported from the attrs."""
    figures.figure_1(tmp_path, n_grid=40)
    text = build_report(tmp_path).read_text()
    assert "40² grid" in text and "fig1_bands_fermi_surfaces.png" in text
    assert text.count("data:image/png;base64,") == 1


# ------------------------------------------------------------------ the cache
def _maker(calls, content=b"result"):
    def make(folder):
        calls.append(folder)
        a, b = Path(folder) / "fig9_data.nc", Path(folder) / "fig9_plot.png"
        a.write_bytes(content)
        b.write_bytes(content * 3)
        return [a, b]
    return make


def test_cache_store_lookup_restore(tmp_path):
    cache = cache_mod.FigureCache(tmp_path / "cache")
    calls = []
    assert cache.lookup("9", "k" * 64) is None and cache.last_problem is None
    entry = cache.store("9", "k" * 64, {"quality": "fast"}, _maker(calls))
    assert len(calls) == 1 and sorted(entry.files) == ["fig9_data.nc", "fig9_plot.png"]
    again = cache.lookup("9", "k" * 64)
    assert again is not None and again.manifest["key"] == "k" * 64
    written = cache.restore(again, tmp_path / "out")
    assert (tmp_path / "out" / "fig9_plot.png").read_bytes() == b"result" * 3 and len(written) == 2
    assert cache.lookup("9", "x" * 64) is None                     # another key: a miss
    assert not list((tmp_path / "cache").glob(".tmp-*"))           # no temporary folder left


@pytest.mark.parametrize("damage, reason", [
    (lambda e: (e / "fig9_data.nc").write_bytes(b"resulT"), "checksum mismatch"),
    (lambda e: (e / "fig9_data.nc").write_bytes(b"res"), "size"),
    (lambda e: (e / "fig9_plot.png").unlink(), "missing"),
    (lambda e: (e / "manifest.json").write_text("{ truncated"), "unreadable manifest"),
    (lambda e: (e / "manifest.json").unlink(), "no manifest"),
])
def test_corrupt_cache_entries_are_detected_and_removed(tmp_path, damage, reason):
    cache = cache_mod.FigureCache(tmp_path)
    entry = cache.store("9", "k" * 64, {"quality": "fast"}, _maker([]))
    damage(entry.path)
    assert cache.lookup("9", "k" * 64) is None
    assert reason in cache.last_problem
    assert not entry.path.exists()


def test_failed_computation_leaves_no_entry(tmp_path):
    cache = cache_mod.FigureCache(tmp_path)

    def broken(folder):
        (Path(folder) / "partial.nc").write_bytes(b"x")
        raise RuntimeError("solver failed")

    with pytest.raises(RuntimeError, match="solver failed"):
        cache.store("9", "k" * 64, {"quality": "fast"}, broken)
    assert list(tmp_path.iterdir()) == []


def test_new_entry_replaces_older_ones_of_the_same_quality_only(tmp_path):
    cache = cache_mod.FigureCache(tmp_path)
    old = cache.store("9", "a" * 64, {"quality": "fast"}, _maker([]))
    paper = cache.store("9", "b" * 64, {"quality": "paper"}, _maker([]))
    new = cache.store("9", "c" * 64, {"quality": "fast"}, _maker([]))
    assert not old.path.exists() and paper.path.exists() and new.path.exists()


def test_cache_key_follows_settings_quality_version_and_source(monkeypatch):
    specs = figures.FIGURES
    key = lambda spec, quality: cache_mod.settings_key(cache_mod.figure_settings(spec, quality))  # noqa: E731
    assert key(specs["3"], "fast") != key(specs["3"], "paper")
    assert key(specs["1"], "fast") == key(specs["1"], "paper")        # Fig. 1 has no quality preset
    assert key(specs["1"], "fast") != key(specs["2"], "fast")
    base = key(specs["3"], "fast")
    monkeypatch.setattr(cache_mod, "source_digest", lambda: "0" * 64)
    changed_source = key(specs["3"], "fast")
    assert changed_source != base
    monkeypatch.setattr(cache_mod, "__version__", "99.0")
    changed_version = key(specs["3"], "fast")
    assert changed_version != changed_source
    # a module constant the figure names (FigureSpec.constants), and a default argument of its maker
    other_constant = dataclasses.replace(specs["3"], constants={**specs["3"].constants, "FIG3_DELTA0": 0.03})
    assert key(other_constant, "fast") != changed_version

    def maker(out, quality="fast", delta0=0.02):
        return []

    a = cache_mod.FigureSpec("3", maker, has_quality=True)
    b = cache_mod.FigureSpec("3", lambda out, quality="fast", delta0=0.03: [], has_quality=True)
    assert key(a, "fast") != key(b, "fast")
    assert key(a, "fast") == key(cache_mod.FigureSpec("3", maker, has_quality=True), "fast")


# ------------------------------------------------------------------ `isingsc reproduce`
@pytest.fixture
def fake_figures(monkeypatch):
    """Stand-ins for every figure of FIGURES that count their calls, and a fixed source digest
    (other work on the tree must not change the key between two runs of a test)."""
    calls = {name: 0 for name in figures.FIGURES}

    def make(name):
        def figure(out, n_grid=7):
            calls[name] += 1
            out = Path(out)
            ds = finalize(xr.Dataset({"x": ("i", np.arange(3.0))}), grid=n_grid)
            return [save(ds, out / f"fig{name}_fake.nc"), _png(out / f"fig{name}_fake.png", 40, 30)]
        return figure

    for name in list(figures.FIGURES):
        monkeypatch.setitem(figures.FIGURES, name, cache_mod.FigureSpec(name, make(name)))
    monkeypatch.setattr(cache_mod, "source_digest", lambda: "test-source")
    return calls


def _reproduce(*args):
    from isingsc.cli import main

    main(["reproduce", *args])


def test_reproduce_reuses_cache_and_force_recomputes(tmp_path, fake_figures, capsys):
    out = tmp_path / "out"
    _reproduce("--figures", "1,2", "--out", str(out))
    record = json.loads((out / RUN_RECORD).read_text())
    assert fake_figures == {"1": 1, "2": 1, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0}
    assert not record["figures"]["1"]["cached"] and (out / "report.html").is_file()
    assert (out / "fig2_fake.nc").is_file() and (out / "fig2_fake.png").is_file()
    capsys.readouterr()

    _reproduce("--figures", "1,2", "--out", str(out))
    assert fake_figures == {"1": 1, "2": 1, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0}  # nothing recomputed
    assert "reused from cache" in capsys.readouterr().out
    record = json.loads((out / RUN_RECORD).read_text())
    assert record["figures"]["1"]["cached"] and record["figures"]["2"]["cached"]
    assert "reused from cache" in (out / "report.html").read_text()

    _reproduce("--figures", "1", "--out", str(out), "--force", "--quiet")
    assert fake_figures["1"] == 2 and fake_figures["2"] == 1
    assert capsys.readouterr().out == ""                     # --quiet prints nothing


def test_reproduce_recomputes_a_corrupt_cache_entry(tmp_path, fake_figures, capsys):
    out = tmp_path / "out"
    _reproduce("--figures", "2", "--out", str(out), "--quiet")
    entry = next((out / cache_mod.DEFAULT_CACHE_NAME).glob("fig2-*"))
    (entry / "fig2_fake.png").write_bytes(b"garbage")
    (out / "fig2_fake.png").write_bytes(b"garbage")
    _reproduce("--figures", "2", "--out", str(out))
    assert fake_figures["2"] == 2
    assert "cache entry corrupt (fig2_fake.png: size" in capsys.readouterr().out
    assert (out / "fig2_fake.png").read_bytes()[:4] == b"\x89PNG"   # the output was repaired too


def test_reproduce_cache_dir_option(tmp_path, fake_figures):
    shared = tmp_path / "shared-cache"
    _reproduce("--figures", "1", "--out", str(tmp_path / "a"), "--cache-dir", str(shared), "--quiet")
    _reproduce("--figures", "1", "--out", str(tmp_path / "b"), "--cache-dir", str(shared), "--quiet")
    assert fake_figures["1"] == 1 and (tmp_path / "b" / "fig1_fake.nc").is_file()
    assert not (tmp_path / "a" / cache_mod.DEFAULT_CACHE_NAME).exists()


@pytest.mark.parametrize("args, name", [
    (["--figures", "9"], "figures"),
    (["--figures", ""], "figures"),
    (["--quality", "best"], "quality")])
def test_reproduce_bad_options_are_one_line_errors(tmp_path, args, name, capsys, fake_figures):
    with pytest.raises(SystemExit) as exc:
        _reproduce("--out", str(tmp_path), *args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and name in err
    assert not any(tmp_path.iterdir())                        # nothing computed, nothing written
    assert not any(fake_figures.values())


@pytest.mark.parametrize("kwargs, name", [
    ({"figures": ["9"]}, "figures"),
    ({"figures": []}, "figures"),
    ({"figures": ["1"], "quality": "best"}, "quality")])
def test_reproduce_api_refuses_bad_selections(tmp_path, kwargs, name, fake_figures):
    """isingsc.reproduce (the library function behind the command): ParameterError naming the option,
    nothing computed or written."""
    with pytest.raises(ParameterError) as err:
        figures.reproduce(tmp_path / "out", **kwargs)
    assert err.value.name == name
    assert not (tmp_path / "out").exists() and not any(fake_figures.values())


def test_reproduce_api_runs_the_figure_specs_through_the_cache(tmp_path):
    """isingsc.workflows.reproduce.reproduce with FigureSpecs of its own: computed once, then reused."""
    from isingsc.workflows.reproduce import reproduce

    calls = []

    def make(out):
        calls.append(out)
        ds = finalize(xr.Dataset({"x": ("i", np.arange(3.0))}), grid=7)
        return [save(ds, Path(out) / "fig9_data.nc"), _png(Path(out) / "fig9_plot.png", 40, 30)]

    specs = {"9": cache_mod.FigureSpec("9", make)}
    lines = []
    first = reproduce(tmp_path / "out", specs, echo=lines.append)
    second = reproduce(tmp_path / "out", specs, echo=lines.append)
    assert len(calls) == 1
    assert not first.record["figures"]["9"]["cached"] and second.record["figures"]["9"]["cached"]
    assert second.report == tmp_path / "out" / "report.html" and second.report.is_file()
    assert sorted(f.name for f in second.files) == ["fig9_data.nc", "fig9_plot.png"]
    assert any("reused from cache" in line for line in lines)


def test_reproduce_real_figure_1_twice(tmp_path, monkeypatch, capsys):
    """End to end with the real Fig. 1: computed once, then reused; the report shows its grid."""
    monkeypatch.setattr(cache_mod, "source_digest", lambda: "test-source")
    out = tmp_path / "out"
    _reproduce("--figures", "1", "--out", str(out))
    first = capsys.readouterr().out
    _reproduce("--figures", "1", "--out", str(out))
    second = capsys.readouterr().out
    assert "computed in" in first and "reused from cache" in second
    for name in ("fig1_bands_fermi_surfaces.png", "fig1_bands_fermi_surfaces.pdf", "fig1_fermi_sc.nc"):
        assert (out / name).is_file()
    assert "301² grid" in (out / "report.html").read_text()
