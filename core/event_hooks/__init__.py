"""The ``omnicart_event`` plugin hook: committed events, at least once, in commit order."""
