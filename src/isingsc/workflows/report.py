"""A self-contained ``report.html`` for the output folder of ``isingsc reproduce``.

:func:`build_report` reads the folder's NetCDF files (and ``reproduce.json``, the
run record written by the command) and writes one HTML page with no external
resources: the figures are embedded as base64 PNG, and a table lists the
headline numbers, each with the resolution (k mesh / quadrature / grid) and the
tolerance it was computed with, read from the NetCDF attrs:

* Fig. 3: Tc(Γ)/Tc(0) (attrs ``Tc``, ``Tc_reference``); Hc2(0.1 Tc0)/HP, where
  Tc0 = Tc(Γ = 0) is the x-axis normalisation of Fig. 3a (interpolated from the
  stored curve: no attr holds it); the order of the transition over the
  temperatures computed (variable ``transition_order``); the tricritical point (attrs
  ``tricritical_T_over_Tc_reference``, ``tricritical_H_over_HP``); for Γ = 0 the
  weak-coupling BCS values of the clean Pauli-limited superconductor beside them.
* Fig. 4: the ky ranges where W(ky) ≠ 0 (on the stored ky grid) and the
  zero-mode counts per edge, compared with |W(ky)| at the same momenta.

Numbers that the attrs do not hold are computed from the stored data where
possible; the page lists each such attr ("missing attrs") so that the figure
code can store it.  :func:`headline_numbers` returns the same content as data.

Run ``python -m isingsc.workflows.report FOLDER`` to rebuild the page of an existing folder.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from isingsc.core.version import __version__

REPORT_NAME = "report.html"
RUN_RECORD = "reproduce.json"

#: Captions of the paper's figures, by PNG name.
FIGURE_CAPTIONS = {
    "fig1_bands_fermi_surfaces.png": "Fig. 1: (a) bands along Γ-K-M-Γ of the SC (green) and the TMD "
                                     "(red ↑ / blue ↓; purple: spin-degenerate on Γ-M), coupled bands dashed; "
                                     "(b) Fermi surfaces at E = 0.",
    "fig2_rho0_rho3.png": "Fig. 2: spectral functions of the SC layer in the normal state at ω = 0: "
                          "(a) ρ0 = ρ↑ + ρ↓, (b) ρ3 = ρ↑ − ρ↓ (odd under k → −k, zero on Γ-M).",
    "fig3_hc2_gap_maps.png": "Fig. 3: (a) Hc2/HP against T/Tc0 per Γ (open markers: first order), "
                             "(b, c) Δ/Δ0 over (T, H) at Γ = 0 and Γ = 0.5, (d) the two pairing regimes.",
    "fig4_ribbon_edge_winding.png": "Fig. 4: armchair-y strip at Vx = 0 and Vx = 4Δ: finite-ribbon spectrum, "
                                    "semi-infinite edge spectral function (the Majorana flat band at E = 0), "
                                    "bulk winding W(ky), and the profile of one zero mode.",
    "fig5_spectroscopy.png": "Fig. 5 (not in the paper): tunnelling dI/dV against bias and in-plane field for a "
                             "Pauli-limited film and the Ising superconductor, the gap against field (abrupt vs "
                             "continuous), and the edge zero-bias peak of the Majorana flat bands.",
    "fig6a_ysr_field_direction.png": "Fig. 6a (review Sec. 5): shift of the YSR energy of a free spin aligned by "
                                     "the field, in units of |V|, against the field's polar angle: ±1 without "
                                     "SOC at every angle; with Ising SOC ±1 out of plane, quenched in plane.",
    "fig6b_chain_phase_diagram.png": "Fig. 6b: Shiba chain on the Ising layer over exchange J and the moments' "
                                     "polar angle: gap, and the invariant (W in class BDI for in-plane moments, "
                                     "ν in class D; none where gapless).",
    "fig6c_majorana_end_states.png": "Fig. 6c: weight per impurity of the lowest states of a finite chain at the "
                                     "topological point with the largest gap: the Majorana end states.",
    "fig7a_cpr.png": "Fig. 7a (review Sec. 4): current-phase relation between Ising electrodes through a magnet "
                     "magnetised out of plane (π junction) and in plane (0 junction).",
    "fig7b_ground_state_map.png": "Fig. 7b: ground-state phase over the magnetisation's polar angle and t_m/t0 "
                                  "(black: F(π) = F(0)).",
    "fig8a_berry_curvature.png": "Fig. 8a (review Sec. 5, Hsu et al. 2017): Berry curvature of the hole-doped TMD's "
                                 "inter-pocket chiral state (p+ip, triplet-z, Δ = 0.1 |t|): concentrated on the two "
                                 "spin-polarised pockets at K and K', each winding once, C = 2 (Fukui-Hatsugai-Suzuki).",
    "fig8b_edge_spectrum.png": "Fig. 8b: its ribbon spectrum coloured by the weight on the first edge; crosses: the "
                               "chiral edge modes at E = gap/3, net chirality −C and +C on the two edges.",
    "fig8c_channel_tc.png": "Fig. 8c: Tc of every pairing channel at pair momentum 0 and 2K for one attraction v per "
                            "channel (linearised gap equation); 0: no transition above t_min.",
    "fig8d_channel_map.png": "Fig. 8d: the leading channel over the Fermi level's depth below the upper band's top "
                             "and the spin splitting at K (dashed: depth = splitting, both spin bands cut).",
}

#: Weak-coupling reference temperature of the Hc2 column, in units of Tc0.
HC2_T_OVER_TC = 0.1


# --------------------------------------------------------------------------- reading
def _load(path: Path):
    from isingsc.core.results import load

    return load(path)


def _attr(ds, name, default=None):
    """An attr as a Python value; the string 'none' (how results.finalize stores None) is None."""
    value = ds.attrs.get(name, default)
    if isinstance(value, str) and value == "none":
        return None
    if hasattr(value, "item") and np.ndim(value) == 0:
        return value.item()
    return value


def _num(value):
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _fmt(x, digits=4):
    if x is None:
        return "—"
    if isinstance(x, str):
        return x
    return f"{x:.{digits}g}"


def _gamma_of(path: Path, ds) -> float:
    g = _num(_attr(ds, "gamma"))
    if g is None:
        g = _num(_attr(ds, "param_gamma"))
    if g is None:
        m = re.search(r"gamma([0-9.]+)\.nc$", path.name)
        g = float(m.group(1)) if m else float("nan")
    return g


def _order_ranges(t, order) -> str:
    """Contiguous runs of equal order over increasing T/Tc0, e.g. 'first 0.05–0.46; second 0.51–0.92'."""
    idx = np.argsort(t)
    t, order = np.asarray(t)[idx], np.asarray(order).astype(str)[idx]
    runs, start = [], 0
    for i in range(1, len(t) + 1):
        if i == len(t) or order[i] != order[start]:
            runs.append(f"{order[start]} {t[start]:.3g}–{t[i - 1]:.3g}" if i - 1 > start
                        else f"{order[start]} at {t[start]:.3g}")
            start = i
    return "; ".join(runs)


def _interpolate_hc2(t, h, order, t0):
    """Hc2/HP at T/Tc0 = t0 from the stored curve: (value, uncertainty, note) or (None, None, why).

    Value: monotone cubic (PCHIP) interpolation; uncertainty: its difference from linear
    interpolation between the two bracketing points (a measure of the curvature the
    temperature grid leaves unresolved)."""
    from scipy.interpolate import PchipInterpolator

    idx = np.argsort(t)
    t, h, order = np.asarray(t, float)[idx], np.asarray(h, float)[idx], np.asarray(order).astype(str)[idx]
    ok = np.isfinite(h)
    t, h, order = t[ok], h[ok], order[ok]
    if len(t) < 2 or not (t[0] <= t0 <= t[-1]):
        return None, None, f"T/Tc0 = {t0:g} outside the computed range"
    j = int(np.clip(np.searchsorted(t, t0), 1, len(t) - 1))
    lin = h[j - 1] + (h[j] - h[j - 1]) * (t0 - t[j - 1]) / (t[j] - t[j - 1])
    value = float(PchipInterpolator(t, h)(t0)) if len(t) > 2 else lin
    exact = np.isclose(t, t0, rtol=0, atol=1e-9)
    if exact.any():
        return float(h[exact][0]), 0.0, f"computed point T/Tc0 = {t0:g}"
    note = f"PCHIP between T/Tc0 = {t[j - 1]:.3g} and {t[j]:.3g}"
    if order[j - 1] != order[j]:
        note += f" (order changes there: {order[j - 1]} / {order[j]})"
    return value, abs(value - lin), note


def _resolution_fig3(ds) -> tuple[str, str]:
    kmesh = str(_attr(ds, "kmesh", "not stored"))
    tol, achieved = _num(_attr(ds, "tolerance")), _num(_attr(ds, "achieved_tolerance"))
    tol_text = (f"{achieved:.2g} achieved (target {tol:g}, relative)" if tol is not None and achieved is not None
                else "not stored")
    return kmesh, tol_text


def _map_tolerance(ds) -> str:
    """The Delta map's convergence: an absolute tolerance on Delta/Delta0 (older files: not refined)."""
    tol, achieved = _num(_attr(ds, "tolerance")), _num(_attr(ds, "achieved_tolerance"))
    if tol is None or achieved is None:
        return "not refined (starting quadrature)"
    return (f"{achieved:.2g} achieved in Δ/Δ0 (target {tol:g}, absolute), "
            f"{_attr(ds, 'cells_changing_phase', '?')} cells at a moving first-order boundary")


def _fig3_cases(folder: Path, missing: list) -> tuple[list[dict], dict | None]:
    """One record per Hc2 curve of Fig. 3 (per Γ, then the two pairing regimes), and the
    weak-coupling BCS reference of the isolated layer (None without a Γ = 0 curve)."""
    from isingsc.experiment.pauli import first_order_field_reduced, tricritical_point
    from isingsc.core.units import BCS_GAP_RATIO

    files = sorted(folder.glob("fig3a_hc2_gamma*.nc"))
    curves = sorted(((_gamma_of(p, ds), p, ds) for p in files for ds in [_load(p)]), key=lambda x: x[0])
    regimes = sorted(folder.glob("fig3_regime_delta0_*.nc"))
    if curves or regimes:
        missing.append({"files": "fig3a_hc2_gamma*.nc, fig3_regime_delta0_*.nc",
                        "attr": f"Hc2/HP at T/Tc0 = {HC2_T_OVER_TC:g} (e.g. 'Hc2_over_HP_at_0.1Tc0')",
                        "done": "interpolated from the stored curve (PCHIP; uncertainty = |PCHIP − linear|)"})
        missing.append({"files": "fig3a_hc2_gamma*.nc, fig3_regime_delta0_*.nc",
                        "attr": "order summary (temperature ranges of first / second order)",
                        "done": "read from the stored variable 'transition_order' at each temperature"})
    cases = [_hc2_case(p, ds, f"Γ = {gamma:g}", gamma) for gamma, p, ds in curves]
    for p in regimes:
        ds = _load(p)
        d0 = _num(_attr(ds, "delta0")) or _num(_attr(ds, "Delta0_reference"))
        gamma = _num(_attr(ds, "param_gamma"))
        case = _hc2_case(p, ds, f"Δ0 = {_fmt(d0)} |t|, Γ = {_fmt(gamma)}", gamma)
        case["tc_ratio"] = None  # Tc0 of another pairing strength: not a point of Fig. 3a
        cases.append(case)
    reference = None
    if any(c["gamma"] == 0.0 and c["source"].startswith("fig3a") for c in cases):
        tri = tricritical_point()
        reference = {
            "case": "weak-coupling BCS, clean Pauli limit (Γ = 0)", "tc_ratio": 1.0, "delta0_over_tc": BCS_GAP_RATIO,
            "hc2": first_order_field_reduced(HC2_T_OVER_TC) / (BCS_GAP_RATIO / math.sqrt(2.0)),
            "order": f"first below T*/Tc = {tri['T_over_Tc']:.4f}", "tricritical": (tri["T_over_Tc"], tri["B_over_BP"]),
            "source": "isingsc.experiment.pauli (Sarma; Maki & Tsuneto)"}
    return cases, reference


def _hc2_case(path, ds, label, gamma) -> dict:
    kmesh, tol = _resolution_fig3(ds)
    tc, tc_ref = _num(_attr(ds, "Tc")), _num(_attr(ds, "Tc_reference"))
    d0 = _num(_attr(ds, "Delta0_reference"))
    t, h, order = ds["T_over_Tc_reference"].values, ds["Hc2_over_HP"].values, ds["transition_order"].values
    value, err, note = _interpolate_hc2(t, h, order, HC2_T_OVER_TC)
    t_star, h_star = _num(_attr(ds, "tricritical_T_over_Tc_reference")), _num(_attr(ds, "tricritical_H_over_HP"))
    return {"case": label, "gamma": gamma, "source": path.name,
            "tc": tc, "tc_reference": tc_ref, "tc_ratio": tc / tc_ref if tc is not None and tc_ref else None,
            "delta0_over_tc": d0 / tc_ref if d0 and tc_ref else None,
            "hc2": value, "hc2_uncertainty": err, "hc2_note": note,
            "order": _order_ranges(t, order), "n_temperatures": int(len(t)),
            "tricritical": (t_star, h_star) if t_star is not None and h_star is not None else None,
            "mesh": kmesh, "tolerance": tol}


def _ky_ranges(ky, w) -> list[str]:
    """Contiguous runs of the ky grid with the same nonzero W: 'W = +1: ky ∈ [a, b] (n grid points)'.
    The true interval ends lie within one grid step of the runs' ends."""
    out, start = [], None
    ky, w = np.asarray(ky, float), np.asarray(w, float)
    for i in range(len(ky) + 1):
        cur = w[i] if i < len(ky) else np.nan
        if start is not None and (i == len(ky) or not (cur == w[start])):
            n = i - start
            where = (f"ky = {ky[start]:.3f}" if n == 1 else f"ky ∈ [{ky[start]:.3f}, {ky[i - 1]:.3f}]")
            out.append(f"W = {int(w[start]):+d}: {where} ({n} grid point{'s' if n > 1 else ''})")
            start = None
        if i < len(ky) and start is None and np.isfinite(cur) and cur != 0:
            start = i
    return out


def _fig4_cases(folder: Path, missing: list) -> list[dict]:
    """One record per field of Fig. 4: W(ky) ranges, zero-mode counts per edge and their agreement."""
    cases = []
    for tag in ("vx0", "vx4delta"):
        wpath, epath = folder / f"fig4_winding_{tag}.nc", folder / f"fig4_edge_{tag}.nc"
        if not wpath.is_file():
            continue
        wds = _load(wpath)
        delta = _num(_attr(wds, "delta"))
        vx = _num(_attr(wds, "field_strength"))
        vx = float("nan") if vx is None else vx
        ky, w = wds["ky"].values, wds["winding"].values
        step = float(np.median(np.diff(np.sort(ky)))) if len(ky) > 1 else float("nan")
        finite = np.isfinite(w)
        ranges = _ky_ranges(ky, w)
        ipath = folder / f"fig4_winding_intervals_{tag}.nc"
        exact = ipath.is_file()
        if exact:  # exact interval ends (node projections), e.g. from topology.winding_intervals
            ids = _load(ipath)
            ranges = [f"W = {int(wi):+d}: ky ∈ [{lo:.4f}, {hi:.4f}]" for lo, hi, wi in
                      zip(ids["ky_lo"].values, ids["ky_hi"].values, ids["winding"].values)
                      if np.isfinite(wi) and wi != 0]
        case = {"case": f"Vx = {vx / delta:g} Δ" if delta else f"Vx = {vx:g} |t|", "vx": vx, "delta": delta,
                "source": wpath.name, "n_ky": int(len(ky)), "dky": step,
                "w_values": sorted({int(x) for x in w[finite]}), "w_ranges": ranges,
                "w_summary": "; ".join(ranges) if ranges else "W = 0 at every ky",
                "through_node": int((~finite).sum()),
                "mesh": (f"{len(ky)} ky points (Δky = {step:.3g} /a); kx loop {_attr(wds, 'kx_loop', '?')}, "
                         f"{_attr(wds, 'n_init', '?')} initial kx samples"),
                "tolerance": f"node_tol = {_fmt(_num(_attr(wds, 'node_tol')))} |t|",
                "zero_modes": None, "zero_modes_match": None, "edge_resolution": None}
        if epath.is_file():
            eds = _load(epath)
            if "zero_modes" in eds:
                n = eds["zero_modes"].values.astype(int)
                ek = eds["k"].values
                case["zero_modes"] = ", ".join(f"{c} at {int(np.sum(n == c))} ky" for c in sorted(set(n.tolist())))
                if len(ek) == len(ky) and np.allclose(ek, ky):
                    agree = int(np.sum(n[finite] == np.abs(w[finite]).astype(int)))
                    case["zero_modes_match"] = (agree, int(finite.sum()))
                case["edge_resolution"] = (f"semi-infinite {_attr(eds, 'edge', '?')} edge: "
                                           f"{_attr(eds, 'iterations', '?')} decimation steps to tol "
                                           f"{_fmt(_num(_attr(eds, 'tol')))}, η = {_fmt(_num(_attr(eds, 'eta')))} |t|")
        case["exact_intervals"] = exact
        cases.append(case)
    if cases and not all(c["exact_intervals"] for c in cases):
        missing.append({"files": "fig4_winding_*.nc",
                        "attr": "ky projections of the nodes (the exact ends of the W ≠ 0 intervals, "
                                "e.g. topology.winding_intervals saved as fig4_winding_intervals_<vx0|vx4delta>.nc, "
                                "which this report reads when present)",
                        "done": "W ranges given on the stored ky grid (interval ends known to ± Δky)"})
    return cases


def _other_rows(folder: Path) -> list[dict]:
    """Resolution of the remaining results (Figs. 1, 2, the Δ maps of Fig. 3, the Fig. 4 profile)."""
    rows = []
    prof = folder / "fig4_zero_mode_profile.nc"
    if prof.is_file():
        pds = _load(prof)
        rows.append({"figure": "4", "case": f"Vx = 4Δ, ky = {_fmt(_num(_attr(pds, 'k')))} /a",
                     "quantity": "zero-mode profile", "source": prof.name,
                     "value": f"{pds.sizes.get('state', 0)} zero modes resolved",
                     "detail": f"bulk gap of the ky line {_fmt(_num(_attr(pds, 'bulk_gap')))} |t|",
                     "mesh": (f"semi-infinite strip (evanescent modes), {_attr(pds, 'columns')} columns shown"
                              if _attr(pds, "columns", None) is not None
                              else f"ribbon of {_attr(pds, 'width', '?')} columns (sparse)"), "tolerance": "—"})
    for name in ("fig1_fermi_sc.nc", "fig1_fermi_tmd.nc"):
        p = folder / name
        if p.is_file():
            ds = _load(p)
            rows.append({"figure": "1", "case": str(_attr(ds, "model", "")), "quantity": "Fermi contours",
                         "value": f"{ds.sizes.get('point', 0)} contour points", "source": name,
                         "detail": "marching squares on the band energy",
                         "mesh": f"{_attr(ds, 'grid', '?')}² grid", "known": None,
                         "tolerance": f"accurate to the grid spacing {_fmt(_num(_attr(ds, 'grid_spacing')))} /a"})
    p = folder / "fig2_spectral_maps.nc"
    if p.is_file():
        ds = _load(p)
        r3 = ds["rho_3"].values
        rows.append({"figure": "2", "case": f"Γ = {_fmt(_num(_attr(ds, 'param_gamma')))}, E = "
                                            f"{_fmt(_num(_attr(ds, 'energy')))}",
                     "quantity": "max ρ0, max |ρ3|", "source": p.name,
                     "value": f"{float(ds['rho_0'].max()):.4g}, {float(np.abs(r3).max()):.4g} states/|t|",
                     "detail": "normal state, SC layer", "mesh": f"{_attr(ds, 'grid', '?')}² (kx, ky) grid",
                     "tolerance": f"broadening η = {_fmt(_num(_attr(ds, 'eta')))} |t|", "known": None})
    for p in sorted(folder.glob("fig3_gap_map_gamma*.nc")):
        ds = _load(p)
        rows.append({"figure": "3", "case": f"Γ = {_fmt(_gamma_of(p, ds))}", "quantity": "Δ/Δ0 map",
                     "value": f"{ds.sizes.get('T', 0)} × {ds.sizes.get('field', 0)} (T, H) points",
                     "source": p.name, "detail": f"Δ0(model) = {_fmt(_num(_attr(ds, 'Delta0_model')))} |t|",
                     "mesh": str(_attr(ds, "kmesh", "not stored")), "known": None,
                     "tolerance": _map_tolerance(ds)})
    return rows


def _parameters(folder: Path) -> dict:
    """Model parameters (attrs param_*) of the first heterostructure file found, and the figure settings."""
    params = {}
    for name in ("fig2_spectral_maps.nc", "fig1_bands_coupled.nc", *sorted(p.name for p in folder.glob("*.nc"))):
        p = folder / name
        if p.is_file():
            ds = _load(p)
            found = {k[len("param_"):]: _attr(ds, k) for k in ds.attrs if k.startswith("param_")}
            if "gamma" in found and "mu_tmd" in found:
                params = found
                break
    for p, keys in ((folder / "fig3a_hc2_gamma0.nc", ("Delta0_reference", "v")),
                    (folder / "fig4_winding_vx4delta.nc", ("delta", "field_strength")),
                    (folder / "fig2_spectral_maps.nc", ("eta",))):
        if p.is_file():
            ds = _load(p)
            for k in keys:
                if k in ds.attrs:
                    value = _attr(ds, k)
                    params[f"{p.name.split('_')[0]}: {k}"] = value.tolist() if hasattr(value, "tolist") else value
    return params


def _versions(folder: Path) -> list[str]:
    seen = set()
    for p in folder.glob("*.nc"):
        try:
            v = _attr(_load(p), "isingsc_version")
        except Exception:  # an unreadable file is reported by the table rows that need it
            continue
        if v:
            seen.add(str(v))
    return sorted(seen)


def headline_numbers(folder: str | Path) -> dict:
    """Headline numbers of a reproduce output folder (the content of the report's tables).

    Returns a dict with ``fig3`` (one record per Hc2 curve: case, gamma, tc_ratio, hc2,
    hc2_uncertainty, hc2_note, order, tricritical, mesh, tolerance, source),
    ``fig3_reference`` (weak-coupling BCS values for Γ = 0, or None), ``fig4`` (one record
    per field: w_ranges, w_values, zero_modes, zero_modes_match = (agreeing, total) ky points,
    mesh, tolerance, ...), ``other`` (resolution of the remaining results),
    ``missing_attrs``, ``parameters`` and ``versions``.
    """
    folder = Path(folder)
    missing: list[dict] = []
    fig3, reference = _fig3_cases(folder, missing)
    return {"fig3": fig3, "fig3_reference": reference, "fig4": _fig4_cases(folder, missing),
            "other": _other_rows(folder), "missing_attrs": missing, "parameters": _parameters(folder),
            "versions": _versions(folder)}


# --------------------------------------------------------------------------- HTML
CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1200px;
       padding: 0 1em; color: #222; line-height: 1.4; background: #fff; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; font-size: 0.88em; margin: 0.6em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.45em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
table.headline td:nth-last-child(-n+3) { font-size: 0.85em; color: #444; }
p.note { font-size: 0.85em; color: #444; }
figure { margin: 1em 0 2em 0; } figure img { max-width: 100%; height: auto; box-shadow: 0 0 0 1px #ddd; display: block; }
figcaption { font-size: 0.9em; color: #444; margin-top: 0.3em; }
.meta { color: #555; font-size: 0.92em; } .warn { color: #8a4b00; }
code { background: #f5f5f5; padding: 0 0.2em; }
"""


def _e(value) -> str:
    return html.escape(str(value))


def _table(headers, rows, num_cols=(), css="") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(f'<td class="num">{_e(c)}</td>' if i in num_cols else f"<td>{_e(c)}</td>"
                        for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    cls = f' class="{css}"' if css else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _png_dimensions(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG header (IHDR), or None if the bytes are not a PNG."""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _figure_html(path: Path, max_width: int) -> str:
    data = path.read_bytes()
    dims = _png_dimensions(data)
    if dims is None:
        return f'<p class="warn">{_e(path.name)} is not a readable PNG: not shown.</p>'
    w, h = dims
    # display at most max_width CSS pixels wide (the PNGs are 200 dpi), keeping the aspect ratio
    dw = min(w, max_width)
    dh = round(h * dw / w)
    b64 = base64.b64encode(data).decode("ascii")
    caption = FIGURE_CAPTIONS.get(path.name, path.stem)
    return (f'<figure id="{_e(path.stem)}"><img src="data:image/png;base64,{b64}" width="{dw}" height="{dh}" '
            f'alt="{_e(caption)}"><figcaption>{_e(caption)} <code>{_e(path.name)}</code> '
            f"({w} × {h} px; PDF and NetCDF beside it)</figcaption></figure>")


def _headline_html(numbers: dict) -> str:
    out = []
    fig3, ref = numbers["fig3"], numbers["fig3_reference"]
    if fig3:
        rows = []
        for c in fig3:
            hc2 = _fmt(c["hc2"]) + (f" ± {c['hc2_uncertainty']:.1g}" if c["hc2_uncertainty"] else "")
            tri = (f"{c['tricritical'][0]:.4f}, {c['tricritical'][1]:.4f}" if c["tricritical"] else "none")
            rows.append([c["case"], _fmt(c["tc_ratio"]), hc2, c["order"], tri, c["mesh"], c["tolerance"], c["source"]])
        if ref:
            rows.append([ref["case"], _fmt(ref["tc_ratio"]), _fmt(ref["hc2"]), ref["order"],
                         f"{ref['tricritical'][0]:.4f}, {ref['tricritical'][1]:.4f}", "analytic", "—", ref["source"]])
        out.append("<h3>Fig. 3: Tc, Hc2 and the order of the transition</h3>")
        out.append(_table(["case", "Tc(Γ)/Tc0", f"Hc2({HC2_T_OVER_TC:g} Tc0)/HP",
                           "order of the transition (T/Tc0 ranges)", "tricritical point T*/Tc0, H*/HP",
                           "k mesh (quadrature)", "tolerance (relative)", "file"], rows, num_cols=(1, 2, 4),
                          css="headline"))
        notes = [f"{c['case']}: {c['hc2_note']}" for c in fig3]
        iso = [c for c in fig3 if c["gamma"] == 0.0 and c["delta0_over_tc"]]
        text = ("Tc0 = Tc(Γ = 0) and HP = Δ0(Γ = 0)/√2 of the isolated SC layer at the same pairing "
                "strength; T/Tc0 is the x axis of Fig. 3a. ")
        if iso:
            text += f"Γ = 0: Δ0/Tc0 = {iso[0]['delta0_over_tc']:.4f} (weak-coupling BCS π e^−γ = 1.7639). "
        out.append(f"<p class='note'>{_e(text)}Hc2 at {HC2_T_OVER_TC:g} Tc0: {_e('; '.join(notes))}.</p>")
    fig4 = numbers["fig4"]
    if fig4:
        rows = []
        for c in fig4:
            match = (f"|W| at {c['zero_modes_match'][0]} of {c['zero_modes_match'][1]} ky"
                     if c["zero_modes_match"] else "—")
            rows.append([c["case"], c["w_summary"], f"{c['w_values']}; {c['through_node']} through a node",
                         c["zero_modes"] or "—", match, c["mesh"], f"{c['tolerance']}; {c['edge_resolution'] or ''}",
                         c["source"]])
        out.append("<h3>Fig. 4: winding number and Majorana zero modes (Δ = "
                   f"{_e(_fmt(fig4[0]['delta']))} |t|)</h3>")
        out.append(_table(["field", "W(ky) ≠ 0 (ky in 1/a)", "W values", "zero modes per edge",
                           "zero modes = |W(ky)|", "ky grid", "tolerance", "file"], rows, css="headline"))
    other = numbers["other"]
    if other:
        out.append("<h3>Resolution of the other results</h3>")
        out.append(_table(["Fig.", "case", "quantity", "value", "detail", "mesh / grid", "tolerance", "file"],
                          [[r["figure"], r["case"], r["quantity"], r["value"], r["detail"], r["mesh"],
                            r["tolerance"], r["source"]] for r in other]))
    if not (fig3 or fig4 or other):
        out.append("<p class='warn'>No result files of Figs. 1-4 in this folder.</p>")
    return "\n".join(out)


def _run_section(run: dict | None) -> str:
    if not run:
        return '<p class="warn">No run record (reproduce.json) in this folder: run time not recorded.</p>'
    lines = [f"<p class='meta'>Quality <b>{_e(run.get('quality', '?'))}</b>; total run time "
             f"<b>{_e(_fmt(_num(run.get('total_seconds')), 3))} s</b>; started {_e(run.get('started', '?'))} "
             f"on {_e(run.get('cpu_count', '?'))} CPU core(s); command <code>{_e(run.get('command', ''))}</code>.</p>"]
    figs = run.get("figures", {})
    if figs:
        rows = [[f"Fig. {k}", "reused from cache" if v.get("cached") else "computed",
                 _fmt(_num(v.get("seconds")), 3), _fmt(_num(v.get("compute_seconds")), 3),
                 len(v.get("files", [])), str(v.get("cache_key", ""))[:16]] for k, v in sorted(figs.items())]
        lines.append(_table(["figure", "this run", "seconds (this run)", "seconds (computation)", "files",
                             "cache key"], rows, num_cols=(2, 3, 4)))
    return "\n".join(lines)


def build_report(folder: str | Path, run: dict | None = None, path: str | Path | None = None,
                 max_figure_width: int = 1100) -> Path:
    """Write the self-contained HTML report of a reproduce output ``folder``.

    ``run``: the run record (default: ``folder/reproduce.json`` if present).
    ``path``: where to write (default ``folder/report.html``).  Figures are the
    folder's ``fig*.png`` files, embedded as base64 and shown at most
    ``max_figure_width`` CSS pixels wide.  Returns the path written.
    """
    folder = Path(folder)
    if not folder.is_dir():
        from isingsc.core.errors import DataFileError
        raise DataFileError(f"no such output folder: {folder}")
    if run is None and (folder / RUN_RECORD).is_file():
        try:
            run = json.loads((folder / RUN_RECORD).read_text())
        except ValueError:
            run = None
    numbers = headline_numbers(folder)
    versions = numbers["versions"]
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>isingsc reproduce report</title><style>{CSS}</style></head><body>",
             "<h1>isingsc: reproduction of the paper's Figs. 1-4 (and the spectroscopy Fig. 5)</h1>",
             f"<p class='meta'>isingsc {_e(__version__)} (results written by version(s) "
             f"{_e(', '.join(versions) or 'unknown')}); report built {_e(now)} from <code>{_e(folder)}</code>. "
             "Energies in units of |t| (k_B = 1); Zeeman energy V = μ_B B; H_P = Δ0(Γ = 0)/√2; "
             "Tc0 = Tc(Γ = 0).</p>"]
    if len(versions) > 1:
        parts.append(f"<p class='warn'>The files were written by different versions: {_e(', '.join(versions))}.</p>")
    parts.append("<h2>Run</h2>" + _run_section(run))
    parts.append("<h2>Headline numbers</h2>")
    parts.append(_headline_html(numbers))
    if numbers["missing_attrs"]:
        parts.append("<h3>Numbers not stored in the attrs (computed here from the stored data)</h3>")
        parts.append(_table(["files", "attr needed", "what the report did"],
                            [[m["files"], m["attr"], m["done"]] for m in numbers["missing_attrs"]]))
    parts.append("<h2>Parameters</h2>")
    params = numbers["parameters"]
    parts.append(_table(["parameter", "value"], [[k, v] for k, v in params.items()]) if params
                 else "<p class='warn'>No parameters found in the attrs.</p>")
    parts.append("<h2>Figures</h2>")
    pngs = sorted(folder.glob("fig*.png"))
    parts.extend(_figure_html(p, max_figure_width) for p in pngs)
    if not pngs:
        parts.append("<p class='warn'>No figure PNGs in this folder.</p>")
    nc = sorted(p.name for p in folder.glob("*.nc"))
    parts.append("<h2>Data files</h2><p class='meta'>NetCDF (read with <code>isingsc.core.results.load</code> or "
                 f"<code>xarray.open_dataset</code>): {_e(', '.join(nc) or 'none')}.</p>")
    parts.append("</body></html>\n")
    out = Path(path) if path is not None else folder / REPORT_NAME
    out.write_text("\n".join(parts), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m isingsc.workflows.report FOLDER\n")
        return 2
    print(build_report(args[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
