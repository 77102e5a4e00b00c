"""What ``omnicart.testing`` is made of, importable on its own: the test database, a
GraphQL client, accounts and checkout, and the in-process shop (``Omnicart``).

Omnicart's own test suite (``tests/``) uses the same pieces.
"""
