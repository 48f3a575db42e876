"""isingsc.topology."""
