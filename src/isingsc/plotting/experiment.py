"""Figures of the experiment toolkit (no physics here): fits, the materials table, lattice vs data.

Every function returns a :class:`matplotlib.figure.Figure` and, given ``path``,
writes it (format from the suffix, PNG by default).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D

from isingsc.plotting.style import save_figure, styled, subplots

from isingsc.core.units import G_FACTOR_DEFAULT

TYPE_COLORS = {"I": "#1f77b4", "II": "#d62728", "interface": "#2ca02c", "non-Ising": "#7f7f7f", "none": "#bcbd22"}


def _save(fig, path):
    if path is not None:
        path = Path(path)
        save_figure(fig, path if path.suffix else path.with_suffix(".png"))
    return fig


@styled
def plot_fit(result, path=None):
    """Data (with error bars) + fitted curve + Pauli-limited Hc2 and B_P: (a) B vs T, (b) B/B_P vs T/Tc."""
    d = result.data
    tc = result.values["Tc"]
    bp = result.pauli_field()
    curve = result.curve()
    fig, (ax, axn) = subplots(1, 2, figsize=(9.5, 3.8))
    err = d.B_err if d.B_err is not None else None
    for a, x, y, e, xl, yl in ((ax, d.T, d.B, err, "T (K)", "B (T)"),
                               (axn, d.T / tc, d.B / bp, None if err is None else err / bp, "T / Tc",
                                r"$B_{c2}/B_P$")):
        a.errorbar(x, y, yerr=e, fmt="o", ms=4, color="k", label="data", zorder=3)
        a.set_xlabel(xl)
        a.set_ylabel(yl)
    tcur = curve.T_curve.values
    ax.plot(tcur, curve.B_fit_curve, color="#1f77b4", label=f"fit: {result.model}")
    ax.plot(tcur, curve.B_pauli_limited_curve, color="#d62728", ls="--", label="Pauli-limited Hc2")
    ax.axhline(bp, color="#d62728", ls=":", lw=1, label=rf"$B_P$ = {bp:.3g} T")
    axn.plot(tcur / tc, curve.B_fit_curve / bp, color="#1f77b4")
    axn.plot(tcur / tc, curve.B_pauli_limited_curve / bp, color="#d62728", ls="--")
    axn.axhline(1.0, color="#d62728", ls=":", lw=1)
    ax.set_xlim(0, None)
    ax.set_ylim(0, None)
    axn.set_xlim(0, 1.05)
    axn.set_ylim(0, None)
    ax.legend(fontsize=8)
    parts = []
    for p in result.parameters.values():
        if p.vary:
            err = f"±{p.stderr:.2g}" if p.stderr is not None else ""
            parts.append(f"{p.name} = {p.value:.4g}{err} {p.unit}")
    fig.suptitle("; ".join(parts) + rf"; $\chi^2_\nu$ = {result.redchi:.3g}", fontsize=9)
    fig.tight_layout()
    return _save(fig, path)


def _type_color(ising_type: str) -> str:
    for key in ("non-Ising", "none", "interface", "II", "I"):
        if ising_type.startswith(key):
            return TYPE_COLORS[key]
    return "k"


@styled
def plot_materials(entries=None, path=None):
    """Bc2/Bp per entry: points (quoted value with its rounding), arrows for lower bounds, bars for ranges."""
    from isingsc.experiment.materials import load_materials

    entries = load_materials() if entries is None else entries
    rows = [e for e in entries if e.get("bc2_over_bp") is not None and e["bc2_over_bp"].numeric]
    fig, ax = subplots(figsize=(7.0, 0.45 * max(len(rows), 4) + 1.2))
    for i, e in enumerate(rows):
        q = e["bc2_over_bp"]
        c = _type_color(e["ising_type"])
        if q.kind == "lower_bound":
            ax.plot(q.low, i, ">", color=c, ms=7)
            ax.annotate("", xy=(q.low * 1.35, i), xytext=(q.low, i), arrowprops={"arrowstyle": "->", "color": c})
        elif q.kind == "upper_bound":
            ax.plot(q.high, i, "<", color=c, ms=7)
        else:
            ax.errorbar(q.nominal, i, xerr=[[q.nominal - q.low], [q.high - q.nominal]], fmt="o", color=c, capsize=3)
        ax.annotate(q.text, (q.nominal, i), textcoords="offset points", xytext=(6, 5), fontsize=7)
    ax.axvline(1.0, color="k", ls=":", lw=1)
    ax.text(1.02, -0.9, "Pauli limit", fontsize=7)
    ax.set_yticks(range(len(rows)), [f"{e['id']} {e.get('cited_as', '')}" for e in rows], fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel(r"$B_{c2}/B_P$ (as quoted; arrows: lower bounds)")
    ax.set_ylim(-1.2, len(rows) - 0.4)
    handles = [Line2D([], [], marker="o", ls="", color=v, label=k) for k, v in TYPE_COLORS.items()]
    ax.legend(handles=handles, fontsize=7, loc="lower right", title="Ising type", title_fontsize=7)
    fig.tight_layout()
    return _save(fig, path)


@styled
def plot_lattice_comparison(data, lattice_lab, tc_kelvin: float, *, g: float = G_FACTOR_DEFAULT, path=None,
                            label: str = "lattice mean field"):
    """Measured points next to a lattice Hc2 curve converted to K and T (:func:`.lattice_link.hc2_dataset_to_lab`),
    both also normalised by Tc and the Pauli field B_P(Tc)."""
    from isingsc.experiment.pauli import pauli_field

    bp = pauli_field(tc_kelvin, g)
    fig, (ax, axn) = subplots(1, 2, figsize=(9.5, 3.8))
    err = data.B_err
    ax.errorbar(data.T, data.B, yerr=err, fmt="o", color="k", ms=4, label="data")
    ax.plot(lattice_lab["T_K"], lattice_lab["Hc2"], "-", color="#2ca02c", label=label)
    axn.errorbar(data.T / tc_kelvin, data.B / bp, yerr=None if err is None else err / bp, fmt="o", color="k", ms=4)
    axn.plot(np.asarray(lattice_lab["T_K"]) / tc_kelvin, np.asarray(lattice_lab["Hc2"]) / bp, "-", color="#2ca02c")
    ax.set_xlabel("T (K)")
    ax.set_ylabel("B (T)")
    axn.set_xlabel("T / Tc")
    axn.set_ylabel(r"$B_{c2}/B_P$")
    ax.legend(fontsize=8)
    t_per = lattice_lab.attrs.get("scale_t_meV")
    if t_per is not None and math.isfinite(float(t_per)):
        fig.suptitle(f"|t| = {float(t_per):.4g} meV ({lattice_lab.attrs.get('scale_origin', '')})", fontsize=9)
    fig.tight_layout()
    return _save(fig, path)


@styled
def plot_spectrum_fit(result, path=None):
    """A :class:`~isingsc.experiment.spectrum_fit.SpectrumFit`: the data with the fitted curve (top) and the
    residuals (bottom); parameters in the legend."""
    d = result.data
    fig, (ax, axr) = subplots(2, 1, figsize=(5.2, 4.6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    ax.errorbar(d.V, d.G, yerr=d.G_err, fmt="o", ms=2.5, color="k", lw=0.6, label="data", zorder=3)
    vs = np.linspace(d.V.min(), d.V.max(), 600)
    parts = []
    for p in result.parameters.values():
        if p.vary and p.name not in ("scale",):
            err = f" ± {p.stderr:.2g}" if p.stderr is not None else ""
            parts.append(f"{p.name} = {p.value:.4g}{err} {p.unit}")
    ax.plot(vs, result.model(vs), color="#d62728", lw=1.4, label="fit\n" + "\n".join(parts))
    ax.set_ylabel("dI/dV (file units)")
    ax.legend(fontsize=7, frameon=False, loc="upper center")
    ax.set_title(Path(d.source).name if d.source != "arrays" else "spectrum fit", fontsize=9)
    res = d.G - result.model(d.V)
    axr.plot(d.V, res, "k.", ms=2.5)
    axr.axhline(0.0, color="#d62728", lw=0.8)
    axr.set_xlabel("bias V (mV)")
    axr.set_ylabel("residual")
    fig.tight_layout()
    return _save(fig, path)


@styled
def plot_ising_hc2(ds, path=None):
    """Bc2/B_P against T/Tc of :func:`isingsc.experiment.ising.ising_hc2_curve`, with the Pauli limit."""
    fig, ax = subplots(figsize=(4.5, 3.5))
    ax.plot(ds.T_over_Tc, ds.Hc2_over_BP, "-")
    ax.axhline(1.0, color="k", ls=":", lw=1)
    ax.set_xlabel("T / Tc")
    ax.set_ylabel(r"$B_{c2}/B_P$")
    fig.tight_layout()
    return _save(fig, path)
