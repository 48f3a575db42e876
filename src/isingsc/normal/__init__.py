"""isingsc.normal."""
