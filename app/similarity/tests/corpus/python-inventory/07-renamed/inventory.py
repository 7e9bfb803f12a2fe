"""Inventory management for a small shop."""
from collections import Counter
import heapq


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self):
        """Create an empty inventory."""
        self.stock = Counter()
        self.costs = {}

    def __len__(self):
        return len(self.stock)

    def __contains__(self, article):
        return article in self.stock

    def __eq__(self, rhs):
        if not isinstance(rhs, Inventory):
            return NotImplemented
        return self.stock == rhs.stock and self.costs == rhs.costs

    def __repr__(self):
        body = ", ".join(f"{name}: {self.stock[name]} @ {self.costs[name]}" for name in sorted(self.stock))
        return f"Inventory({body})"

    def add(self, article, units, cost):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        if units <= 0 or cost < 0:
            raise ValueError(f"bad quantity/price: {units}, {cost}")
        self.stock[article] += units
        self.costs[article] = cost

    def remove(self, article, units):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        if article not in self.stock or self.stock[article] < units:
            raise ValueError(f"not enough {article}")
        self.stock[article] -= units
        if not self.stock[article]:
            del self.stock[article], self.costs[article]

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        return sum(amount * self.costs[name] for name, amount in self.stock.items())

    def cheapest(self, count):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        return heapq.nsmallest(count, self.costs, key=lambda name: (self.costs[name], name))

    def low_stock(self, cap):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        return sorted(name for name in self.stock if self.stock[name] < cap)

    def restock_plan(self, goal):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        return {name: goal - amount for name, amount in self.stock.items() if amount < goal}

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        rows = ["item;quantity;price"]
        rows += [f"{name};{self.stock[name]};{self.costs[name]}" for name in sorted(self.stock)]
        return "\n".join(rows) + "\n"

    @classmethod
    def from_csv(cls, content):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        res = cls()
        for lineno, raw in enumerate(content.splitlines(), 1):
            if not raw.strip() or raw.replace(" ", "") == "item;quantity;price":
                continue
            try:
                name, amount, c = map(str.strip, raw.split(";"))
                if not name:
                    raise ValueError("empty name")
                res.add(name, int(amount), float(c))
            except ValueError as err:
                raise ValueError(f"line {lineno}: {err}") from err
        return res


def merge(left, right):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    out = Inventory()
    out.stock = left.stock + right.stock
    out.costs = {name: max(left.costs.get(name, 0), right.costs.get(name, 0)) for name in out.stock}
    return out
