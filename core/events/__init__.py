"""Domain events that leave their transaction: the outbox, the bus, replay."""
