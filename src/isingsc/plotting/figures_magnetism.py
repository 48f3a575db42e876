"""Report figures of the review's magnetic routes (not figures of the paper).

* Fig. 6 (impurities and chains, review Sec. 5): (a) the YSR energy of a free classical spin aligned by the
  field against the field's polar angle, on an Ising host and on a host without SOC; (b) the phase diagram
  of a Shiba chain over exchange J and the moments' polar angle (gap and invariant); (c) the end states of a
  finite topological chain (Majorana profile).
* Fig. 7 (Josephson junctions through magnets, review Sec. 4): (a) the current-phase relation for an
  out-of-plane and an in-plane barrier magnetisation between Ising electrodes; (b) the ground-state phase
  over the magnetisation's polar angle and t_m / t0.

Each function writes PNG + NetCDF into ``out`` and returns the paths; settings per quality preset.
Energies in |t|, angles in rad (degrees on the plots' axes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from isingsc.core.errors import ParameterError
from isingsc.core.results import save
from isingsc.models.catalogue import resolve
from isingsc.plotting.style import save_figure

#: The Ising host of both figures: one triangular layer with Ising SOC 2 beta_SO S(k) sigma_z, filled to mu.
ISING_HOST = {"beta_so": 0.3, "mu": 1.0}

#: Fig. 6 settings per quality preset.
MAGNETISM_QUALITY = {
    "fast": {"ysr_delta": 0.2, "ysr_field": 0.04, "ysr_J": 2.0, "ysr_angles": 2, "ysr_tol": 1e-6,
             "chain_delta": 0.3, "chain_J": (0.5, 3.0, 6), "chain_angles": 5, "chain_sites": 24},
    "paper": {"ysr_delta": 0.2, "ysr_field": 0.04, "ysr_J": 2.0, "ysr_angles": 7, "ysr_tol": 1e-8,
              "chain_delta": 0.3, "chain_J": (0.25, 4.0, 16), "chain_angles": 13, "chain_sites": 40},
}

#: Fig. 7 settings per quality preset.
JUNCTION_QUALITY = {
    "fast": {"delta": 0.05, "T": 0.005, "t0": 0.05, "t_m": 0.1, "n_phases": 32, "map_angles": 5,
             "map_ratios": (0.5, 3.0, 3), "tol": 1e-2},
    "paper": {"delta": 0.05, "T": 0.005, "t0": 0.05, "t_m": 0.1, "n_phases": 64, "map_angles": 19,
              "map_ratios": (0.25, 4.0, 16), "tol": 1e-2},
}


def _quality(table: dict, quality: str) -> dict:
    if quality not in table:
        raise ParameterError("quality", quality, " | ".join(table))
    return table[quality]


def figure_magnetism(out: Path, quality: str = "fast") -> list[Path]:
    """Fig. 6: YSR energy against the field direction with and without Ising SOC, a Shiba-chain phase diagram
    and the Majorana end states of a finite chain."""
    from isingsc.correlations.host import HostGreensFunction
    from isingsc.impurities.chain import MagneticChain, tilted
    from isingsc.impurities.single import MagneticImpurity, bound_states_versus_field_direction
    from isingsc.plotting.chains import plot_chain_phase_diagram, plot_end_state_profile
    from isingsc.plotting.impurities import plot_ysr_field_direction

    q = _quality(MAGNETISM_QUALITY, quality)
    out = Path(out)
    files: list[Path] = []
    ising = resolve("intrinsic", overrides=ISING_HOST)
    plain = resolve("sc", overrides={"mu_sc": ISING_HOST["mu"]})
    angles = np.linspace(0.0, np.pi / 2, q["ysr_angles"])
    ysr = {}
    for label, host, name in (("Ising SOC", ising, "ising"), ("no SOC", plain, "no_soc")):
        ds = bound_states_versus_field_direction(host, q["ysr_J"], q["ysr_field"], angles, delta=q["ysr_delta"],
                                                 tol=q["ysr_tol"])
        zero = MagneticImpurity(host, q["ysr_J"], (0.0, 0.0, 1.0), delta=q["ysr_delta"], tol=q["ysr_tol"])
        energies = zero.bound_states().energy.values
        ds.attrs["zero_field_energy"] = float(energies[energies > 0].min())
        files.append(save(ds, out / f"fig6a_ysr_field_direction_{name}.nc"))
        ysr[label] = ds
    files += save_figure(plot_ysr_field_direction(ysr), out / "fig6a_ysr_field_direction.png")

    host = HostGreensFunction(ising, q["chain_delta"])
    chain = MagneticChain(host, 1.0, tilted(np.pi / 2, 0.0))
    js = np.linspace(*q["chain_J"])
    diagram = chain.phase_diagram(js, np.linspace(0.0, np.pi / 2, q["chain_angles"]))
    files.append(save(diagram, out / "fig6b_chain_phase_diagram.nc"))
    files += save_figure(plot_chain_phase_diagram(diagram, title="Shiba chain on the Ising layer (in-plane "
                                                                 "moments: class BDI)"),
                         out / "fig6b_chain_phase_diagram.png")

    # the end states of the topological point with the largest gap (in-plane moments)
    inv = np.nan_to_num(np.abs(diagram.invariant.values), nan=0.0)
    gap = np.where(inv > 0, diagram.gap.values, -np.inf)
    i, k = np.unravel_index(int(np.argmax(gap)), gap.shape)
    if np.isfinite(gap[i, k]):
        chosen = chain.with_(J=float(js[i]), moments=tilted(float(diagram.theta.values[k]), 0.0))
        ends = chosen.end_states(q["chain_sites"])
        files.append(save(ends, out / "fig6c_majorana_end_states.nc"))
        files += save_figure(plot_end_state_profile(ends, title=f"end states, J = {js[i]:.3g} |t|, θ = "
                                                                f"{np.degrees(diagram.theta.values[k]):.0f}°"),
                             out / "fig6c_majorana_end_states.png")
    return files


def figure_junctions(out: Path, quality: str = "fast") -> list[Path]:
    """Fig. 7: CPR of an Ising junction through an out-of-plane and an in-plane magnet; ground state over the
    magnetisation's polar angle and t_m / t0."""
    from isingsc.junctions.vertical import Barrier, Junction
    from isingsc.plotting.junctions import plot_current_phase, plot_ground_state_map

    q = _quality(JUNCTION_QUALITY, quality)
    out = Path(out)
    files: list[Path] = []
    ising = resolve("intrinsic", overrides=ISING_HOST)
    phases = np.linspace(-np.pi, np.pi, q["n_phases"], endpoint=False)
    cprs = {}
    junction = None
    for label, theta, name in (("m out of plane", 0.0, "out_of_plane"), ("m in plane", np.pi / 2, "in_plane")):
        j = Junction(ising, barrier=Barrier.magnetic(q["t0"], q["t_m"], theta), delta=q["delta"], tol=q["tol"])
        junction = junction or j
        ds = j.summary(q["T"], phases)
        files.append(save(ds, out / f"fig7a_cpr_{name}.nc"))
        cprs[f"{label} ({ds.attrs['ground_state_class']})"] = ds
    files += save_figure(plot_current_phase(cprs, title="Ising electrodes through a magnet"), out / "fig7a_cpr.png")
    gsmap = junction.ground_state_map(q["T"], theta=np.linspace(0.0, np.pi / 2, q["map_angles"]),
                                      ratio=np.linspace(*q["map_ratios"]))
    files.append(save(gsmap, out / "fig7b_ground_state_map.nc"))
    files += save_figure(plot_ground_state_map(gsmap, title="ground-state phase"), out / "fig7b_ground_state_map.png")
    return files


__all__ = ["ISING_HOST", "JUNCTION_QUALITY", "MAGNETISM_QUALITY", "figure_junctions", "figure_magnetism"]
