"""Inventory management for a small shop.

Complete the methods below. Do not change the names or signatures.
"""


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self):
        """Create an empty inventory."""
        raise NotImplementedError

    def add(self, item, quantity, price):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        raise NotImplementedError

    def remove(self, item, quantity):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        raise NotImplementedError

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        raise NotImplementedError

    def cheapest(self, n):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        raise NotImplementedError

    def low_stock(self, limit):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        raise NotImplementedError

    def restock_plan(self, target):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        raise NotImplementedError

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        raise NotImplementedError

    @classmethod
    def from_csv(cls, text):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        raise NotImplementedError


def merge(a, b):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    raise NotImplementedError
