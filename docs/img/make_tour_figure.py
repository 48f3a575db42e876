"""Make docs/img/tour.png (the README's figure) from the NetCDF files of `isingsc reproduce`.

    .venv/bin/isingsc reproduce --out results --figures 3,4
    .venv/bin/python docs/img/make_tour_figure.py results docs/img/tour.png

Panel (a): Hc2/HP against T/Tc0 per coupling Gamma (paper Fig. 3a); panel (b): the edge spectral
function of the semi-infinite strip at Vx = 4 Delta, whose E = 0 line is the Majorana flat band
(paper Fig. 4).  Uses only the package's plotting on the stored results: the figure is built in the
package style (isingsc.plotting.style) without pyplot, so nothing global in matplotlib changes.
"""

import sys
from pathlib import Path

import isingsc
from isingsc.plotting.paper import plot_edge_spectral_function, plot_hc2
from isingsc.plotting.style import style, subplots


def main(folder: str, out: str) -> None:
    folder = Path(folder)
    curves = sorted((isingsc.load(p) for p in folder.glob("fig3a_hc2_gamma*.nc")),
                    key=lambda ds: float(ds.attrs["gamma"]))
    edge = isingsc.load(folder / "fig4_edge_vx4delta.nc")
    with style():  # the package's rcParams inside this block only
        fig, (ax_a, ax_b) = subplots(1, 2, figsize=(9.0, 3.4), layout="constrained")
        plot_hc2(curves, [f"Γ = {float(ds.attrs['gamma']):g}" for ds in curves], ax=ax_a)
        ax_a.set_title("(a) Hc2 beyond the Pauli limit (open: first order)", fontsize=9)
        plot_edge_spectral_function(edge, title="(b) edge at Vx = 4Δ: Majorana flat band at E = 0", ax=ax_b)
        ax_b.title.set_fontsize(9)
        fig.savefig(out, dpi=100)  # 900 x 340 pixels: the README's width
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
