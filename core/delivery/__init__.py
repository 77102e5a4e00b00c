"""Delivery: how a cart's lines reach the shopper, and where they come from (issue 13).

- ``model``: the values (delivery methods, options, groups, the shopper's selection,
  the fulfilment plan, checkout problems) and the hook contexts;
- ``groups``: a cart's delivery groups and their options (the delivery-options hook,
  split where a chosen pick-up store cannot supply every line in time);
- ``sourcing``: which location supplies which units (the sourcing hook, or the
  built-in default: the channel's locations in priority order);
- ``standard``: the options the built-in adapters offer (home delivery priced by a
  table, click and collect, reserve-in-store), configured by their settings;
- ``services``: the use cases the cart, checkout and GraphQL layers call.
"""
