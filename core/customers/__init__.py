"""Customers: accounts, password logins and the sessions their devices hold."""
