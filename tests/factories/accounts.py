"""Customers, their sessions and staff tokens: the plugin kit's (``omnicart.kit.accounts``)."""

from omnicart.kit.accounts import bearer, log_in_customer, make_customer, staff_token

__all__ = ["bearer", "log_in_customer", "make_customer", "staff_token"]
