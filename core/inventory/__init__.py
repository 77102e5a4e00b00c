"""Inventory: stock per variant and location, reservations and channel availability.

One module per concept, each write made once:

- ``steps``: the stock write steps (take stock, grow or insert a hold, extend holds),
  the only statements that take stock into reservations;
- ``levels``: locking stock rows in (variant, location) order and releasing the
  expired reservations of the rows locked;
- ``holds``: what an owner (a cart, an order) holds, inside the owner's transaction:
  lock, plan across the channel's locations, take through ``steps``, give back;
- ``reservations``: reserving, releasing and expiring as use cases of their own
  unit of work, on ``holds`` and ``levels`` (no statement of their own that takes
  stock);
- ``services``: staff stock counts, adjustments, point-of-sale sales and transfers
  (on hand, never below what is reserved), with their movement log
  (``movement_log``);
- ``queries``, ``availability``, ``pickup``: reads; ``live``: pushed updates;
  ``sweeper``: the periodic expiry sweep.
"""
