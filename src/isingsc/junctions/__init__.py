"""Josephson and magnetic tunnel junctions between Ising superconductors (review Sec. 4).

Current-phase relations, 0 / pi / phi ground states by the barrier's magnetisation, SQUIDs with a
reference junction, and the tunnelling magnetoresistance of spin-filtering barriers.

* :mod:`~isingsc.junctions.vertical` -- momentum-conserving junctions of two electrodes of any model:
  :class:`Barrier` (T = t0 + t_m m.sigma, or N ferromagnetic-insulator layers), :class:`Junction`
  (current_phase, harmonics, ground_state, critical_current, ground_state_map);
* :mod:`~isingsc.junctions.greens` -- the same current from Green's functions summed over a pole
  expansion of the Fermi function (:class:`VerticalGreens`), and lateral junctions of semi-infinite
  electrodes (:class:`LateralJunction`, Lopez Sancho surfaces);
* :mod:`~isingsc.junctions.squid` -- phi-junctions of 0 and pi domains (:class:`DomainJunction`) and
  SQUIDs with a reference junction (:class:`Squid`);
* :mod:`~isingsc.junctions.tmr` -- tunnelling spectra through a spin filter
  (:class:`MagneticTunnelJunction`).

Units: energies in |t|, currents in e|t|/hbar per unit cell (vertical) or per edge period (lateral).
See docs/junctions.md.
"""
