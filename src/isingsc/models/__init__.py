"""isingsc.models."""
