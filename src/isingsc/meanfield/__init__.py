"""isingsc.meanfield."""
