"""CLI commands of the experimentalist toolkit (fit, materials, ...)."""
