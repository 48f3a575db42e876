"""isingsc.backends."""
