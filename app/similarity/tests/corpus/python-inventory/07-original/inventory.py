"""Inventory management for a small shop."""
from collections import Counter
import heapq


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self):
        """Create an empty inventory."""
        self.qty = Counter()
        self.price = {}

    def __len__(self):
        return len(self.qty)

    def __contains__(self, item):
        return item in self.qty

    def __eq__(self, other):
        if not isinstance(other, Inventory):
            return NotImplemented
        return self.qty == other.qty and self.price == other.price

    def __repr__(self):
        inner = ", ".join(f"{k}: {self.qty[k]} @ {self.price[k]}" for k in sorted(self.qty))
        return f"Inventory({inner})"

    def add(self, item, quantity, price):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        if quantity <= 0 or price < 0:
            raise ValueError(f"bad quantity/price: {quantity}, {price}")
        self.qty[item] += quantity
        self.price[item] = price

    def remove(self, item, quantity):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        if item not in self.qty or self.qty[item] < quantity:
            raise ValueError(f"not enough {item}")
        self.qty[item] -= quantity
        if not self.qty[item]:
            del self.qty[item], self.price[item]

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        return sum(q * self.price[k] for k, q in self.qty.items())

    def cheapest(self, n):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        return heapq.nsmallest(n, self.price, key=lambda k: (self.price[k], k))

    def low_stock(self, limit):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        return sorted(k for k in self.qty if self.qty[k] < limit)

    def restock_plan(self, target):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        return {k: target - q for k, q in self.qty.items() if q < target}

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        lines = ["item;quantity;price"]
        lines += [f"{k};{self.qty[k]};{self.price[k]}" for k in sorted(self.qty)]
        return "\n".join(lines) + "\n"

    @classmethod
    def from_csv(cls, text):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        inv = cls()
        for i, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.replace(" ", "") == "item;quantity;price":
                continue
            try:
                k, q, p = map(str.strip, line.split(";"))
                if not k:
                    raise ValueError("empty name")
                inv.add(k, int(q), float(p))
            except ValueError as e:
                raise ValueError(f"line {i}: {e}") from e
        return inv


def merge(a, b):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    r = Inventory()
    r.qty = a.qty + b.qty
    r.price = {k: max(a.price.get(k, 0), b.price.get(k, 0)) for k in r.qty}
    return r
