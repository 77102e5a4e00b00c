"""Domain events after commit: the bus that carries them to subscribers."""
