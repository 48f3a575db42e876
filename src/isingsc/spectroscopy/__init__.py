"""isingsc.spectroscopy."""
