"""Figures of the model families: Hc2(T) curves and Hc2(phi) polar plots (no physics here).

* :func:`plot_hc2_curves` -- Hc2/HP against T/Tc for several datasets of
  :meth:`isingsc.meanfield.MeanField.hc2`, with optional reference curves (e.g. the clean Ising formula).
* :func:`plot_hc2_polar` -- Hc2(phi)/HP from :meth:`isingsc.meanfield.MeanField.hc2_vs_angle`.
* :func:`make_family_figures` -- the figures of docs/families.md (and their NetCDF data):
  ``python -m isingsc.plotting.families OUTDIR [--reuse]`` (about 5 minutes on two cores).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from isingsc.plotting.style import new_figure, save_figure, styled, subplots

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def clean_ising_over_hp(t_over_tc, beta_over_tc):
    """Clean Ising Hc2/HP (HP = Delta0/sqrt2 with the weak-coupling Delta0 = pi e^-gamma Tc) at T/Tc."""
    from isingsc.experiment.ising import clean_ising_field_reduced

    hp = np.pi * np.exp(-np.euler_gamma) / np.sqrt(2)
    return clean_ising_field_reduced(np.asarray(t_over_tc, dtype=float), beta_over_tc) / hp


@styled
def plot_hc2_curves(curves, references=(), ax=None, title: str | None = None):
    """Hc2/HP against T/Tc: ``curves`` = [(dataset, label)], ``references`` = [(t, h, label)] (dashed).

    Filled markers: second-order transition; open markers: first order.
    """
    fig, ax = (subplots(figsize=(4.8, 3.8)) if ax is None else (ax.figure, ax))
    for i, (ds, label) in enumerate(curves):
        c = COLORS[i % len(COLORS)]
        t, h = ds.T_over_Tc_reference.values, ds.Hc2_over_HP.values
        ax.plot(t, h, "-", color=c, lw=1.5, label=label)
        first = ds.transition_order.values == "first"
        ax.plot(t[~first], h[~first], "o", color=c, ms=4)
        ax.plot(t[first], h[first], "o", mfc="white", color=c, ms=4)
    for j, (t, h, label) in enumerate(references):
        ax.plot(t, h, "--", color="0.3", lw=1.0, label=label)
    ax.axhline(1.0, color="k", lw=0.6, ls=":")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, None)
    ax.set_xlabel(r"$T/T_c$")
    ax.set_ylabel(r"$H_{c2}/H_P$")
    if title:
        ax.set_title(title)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


@styled
def plot_hc2_polar(datasets, ax=None, title: str | None = None):
    """Polar plot of Hc2(phi)/HP: ``datasets`` = [(dataset, label)] from hc2_vs_angle (closed curves)."""
    if ax is None:
        fig = new_figure(figsize=(4.4, 4.2))
        ax = fig.add_subplot(projection="polar")
    else:
        fig = ax.figure
    for i, (ds, label) in enumerate(datasets):
        phi = np.r_[ds.angle.values, ds.angle.values[:1] + 2 * np.pi]
        h = np.r_[ds.Hc2_over_HP.values, ds.Hc2_over_HP.values[:1]]
        ax.plot(phi, h, "-o", color=COLORS[i % len(COLORS)], ms=3, lw=1.4, label=label)
    ring = np.linspace(0, 2 * np.pi, 200)
    ax.plot(ring, np.ones_like(ring), "k:", lw=0.8, label="Pauli limit")
    ax.set_rlim(0, None)
    ax.set_rlabel_position(100)
    if title:
        ax.set_title(title + "\n" + r"(angle: field from $x$; radius: $H_{c2}/H_P$)", fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), frameon=False, fontsize=8, ncol=1)
    fig.tight_layout()
    return fig


def make_family_figures(outdir, temperatures=(0.1, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9, 0.97), n_angles: int = 24,
                        delta0: float = 0.03, reuse: bool = False) -> list[Path]:
    """Compute and draw the figures of docs/families.md into ``outdir`` (PNG + NetCDF of every curve).

    ``reuse``: read a curve from its NetCDF file in ``outdir`` when it is there (redraw only).
    Every curve is converged to the default tolerance (Delta0 = 0.03 |t|); tests/test_families.py
    checks it against the clean Ising formula.
    """
    from isingsc.core.results import load, save
    from isingsc.meanfield import MeanField
    from isingsc.models import families as fam

    out = Path(outdir)
    files: list[Path] = []
    t = np.asarray(temperatures, dtype=float)
    fine_t = np.linspace(0.05, 0.999, 200)

    def cached(path, compute):
        if reuse and path.is_file():
            files.append(path)
            return load(path)
        ds = compute()
        files.append(save(ds, path))
        return ds

    def curve(model, name, temps=t):
        return cached(out / f"families_{name}.nc", lambda: MeanField(model, delta0=delta0).hc2(t_over_tc=temps))

    # type II: orbital texture and the stanene-like set
    ty = [(curve(fam.type_ii_model(fam.TYPE_II.with_(t_orb=x)), f"type_ii_torb{x:g}"),
           rf"$\beta_{{SO}}=0.2$, $t_{{orb}}={x:g}$") for x in (0.0, 0.1, 0.2)]
    st = curve(fam.stanene_model(), "stanene")
    tc = ty[0][0].attrs["Tc_reference"]
    fig = plot_hc2_curves(ty + [(st, r"stanene-like: $\beta_{SO}=0.03$")],
                          [(fine_t, clean_ising_over_hp(fine_t, 0.2 / tc), r"clean Ising, $\beta=0.2$"),
                           (fine_t, clean_ising_over_hp(fine_t, 0.03 / tc), r"clean Ising, $\beta=0.03$")],
                          title="type-II Ising (review Fig. 6e, 7b)")
    files += save_figure(fig, out / "families_type_ii.png")

    # Ising + Rashba family (Fig. 7c)
    # (from 0.2 Tc: the half-zone 8 x 8 problem on the finer low-T quadrature would take ~1 h)
    rs = [(curve(fam.rashba_model(fam.PDTE2.with_(alpha_r=a)), f"rashba_alpha{a:g}", temps=t[t >= 0.2]),
           rf"$\alpha_R={a:g}$") for a in fam.FAMILY_ALPHAS]
    fig = plot_hc2_curves(rs, [(fine_t, clean_ising_over_hp(fine_t, 0.2 / tc), r"clean Ising, $\beta=0.2$")],
                          title=r"Zeeman-type SOC $\beta_{SO}=0.2$ + Rashba (review Fig. 7c)")
    files += save_figure(fig, out / "families_rashba.png")

    # anisotropic: polar plot
    angles = np.linspace(0.0, 2 * np.pi, n_angles, endpoint=False)
    polar = []
    for p, tt, label, name in ((fam.MOTE2, 0.5, r"anisotropic, $T=0.5\,T_c$", "mote2_t0.5"),
                               (fam.MOTE2, 0.2, r"anisotropic, $T=0.2\,T_c$", "mote2_t0.2"),
                               (fam.MOTE2.isotropic(), 0.5, r"isotropic ($\alpha_x=\alpha_y$, $\lambda_z=0$), $0.5\,T_c$",
                                "mote2_isotropic_t0.5")):
        ds = cached(out / f"families_polar_{name}.nc", lambda p=p, tt=tt: MeanField(
            fam.anisotropic_model(p), delta0=delta0).hc2_vs_angle(tt, angles))
        polar.append((ds, label))
    fig = plot_hc2_polar(polar, title=r"Td-MoTe$_2$-like $H_{c2}(\varphi)$ (review Fig. 4c)")
    files += save_figure(fig, out / "families_mote2_polar.png")

    # multi-pocket
    ws = curve(fam.k_only_model(), "ws2")
    nb = curve(fam.multipocket_model(), "nbse2")
    beta, _ = fam.k_pocket_ising_field()
    tcw = ws.attrs["Tc_reference"]
    fig = plot_hc2_curves([(ws, "K pockets only (WS2-like)"), (nb, r"$\Gamma$ + K pockets (NbSe2-like)")],
                          [(fine_t, clean_ising_over_hp(fine_t, beta / tcw),
                            rf"clean Ising, $\beta$ = FS mean {beta:.3f}")],
                          title="multi-pocket monolayers")
    files += save_figure(fig, out / "families_multipocket.png")
    return files


if __name__ == "__main__":  # pragma: no cover - the docs figures
    args = [a for a in sys.argv[1:] if a != "--reuse"]
    for f in make_family_figures(args[0] if args else "families-figures", reuse="--reuse" in sys.argv):
        print(f"wrote {f}")
