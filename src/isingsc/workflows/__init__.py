"""isingsc.workflows."""
