"""Green's functions of the superconducting host and its pairing correlations (review Sec. 5).

* :mod:`~isingsc.correlations.host` -- the host's lattice Green's function G0(R, E) in real space
  (local, between any two sites, on whole grids), converged to a stated tolerance, and its gap;
* :mod:`~isingsc.correlations.amplitudes` -- the anomalous Green's function F(k, E), its singlet
  amplitude and triplet d-vector, their rotation to any spin axis, Fermi-surface and on-site averages;
* :mod:`~isingsc.correlations.wire` -- a half-metal wire on the host: the p-wave pairing the
  equal-spin correlations induce, its effective 1D model, topological phase and Majorana end states.
"""
