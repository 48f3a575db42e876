"""Josephson and magnetic tunnel junctions between Ising superconductors (review Sec. 4).

Current-phase relations, 0 / pi / phi ground states by the barrier's magnetisation, SQUIDs with a
reference junction, and the tunnelling magnetoresistance of spin-filtering barriers.
"""
