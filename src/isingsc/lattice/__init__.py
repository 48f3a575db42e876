"""isingsc.lattice."""
