"""Outbound webhooks in the API (issue 15): staff with scope ``webhooks:manage``."""
