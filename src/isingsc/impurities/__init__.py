"""Magnetic impurities in a superconducting host (review Sec. 5): Yu-Shiba-Rusinov states and chains.

* :mod:`~isingsc.impurities.single` -- one classical spin (exchange J, optional potential) in the
  infinite host by the T-matrix: bound-state energies, LDOS maps, tip dI/dV;
* :mod:`~isingsc.impurities.chain` -- chains and clusters of moments: Shiba bands, symmetry class,
  gap, invariant, end states.
"""
