"""Inventory: stock per variant and location, reservations and channel availability."""
