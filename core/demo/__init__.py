"""The demo retailer: a fictional Polish outfitter selling through five channels.

Everything is derived from fixed word lists, a seeded ``random.Random`` and a fixed
base time, so every seed writes the same rows (ids aside, which the database picks).
Prices and listings differ by channel the way a real retailer's would: marketplace
prices carry the commission, the EU shop sells in euros, the Warszawa store shows
Polish names and a smaller range, the marketplace does not carry everything.
Stock differs by location too: the warehouse holds most, stores hold a few of each
variant, and some variants are scarce (1-3 units) or sold out in some stores.

``retailer`` holds its channels and locations, ``product_lines`` the words its
products are made of, ``catalog`` turns those into import data, ``stock`` gives the
opening stock figures and ``seed`` writes it all (``omnicart seed --demo``).
"""
