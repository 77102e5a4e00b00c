"""Carts shared across devices and channels (issue 5)."""
