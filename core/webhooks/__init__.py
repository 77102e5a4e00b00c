"""Outbound webhooks (issue 15): committed events POSTed, signed, to staff's subscribers."""
