"""Inventory management for a small shop.

Complete the methods below. Do not change the names or signatures.
"""
import re

# positions inside the [quantity, price] lists
QTY = 0
PRICE = 1

LINE_PATTERN = re.compile(r"^\s*([^;]*?)\s*;\s*(\d+)\s*;\s*(\d+(?:\.\d*)?)\s*$")
HEADER_PATTERN = re.compile(r"^\s*item\s*;\s*quantity\s*;\s*price\s*$", re.IGNORECASE)


def merge(a, b):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    result = a.copy()
    for name, entry in b.goods.items():
        if name in result.goods:
            mine = result.goods[name]
            mine[QTY] += entry[QTY]
            mine[PRICE] = max(mine[PRICE], entry[PRICE])
        else:
            result.goods[name] = entry[:]
    return result


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self):
        """Create an empty inventory."""
        self.goods = {}

    def add(self, item, quantity, price):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        if quantity <= 0:
            raise ValueError("add: quantity must be > 0")
        if price < 0:
            raise ValueError("add: price must be >= 0")
        try:
            entry = self.goods[item]
        except KeyError:
            self.goods[item] = [quantity, price]
        else:
            entry[QTY] += quantity
            entry[PRICE] = price

    def remove(self, item, quantity):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        try:
            entry = self.goods[item]
        except KeyError:
            raise ValueError(f"remove: unknown item {item}") from None
        if quantity > entry[QTY]:
            raise ValueError(f"remove: only {entry[QTY]} {item} available")
        entry[QTY] -= quantity
        if entry[QTY] == 0:
            self.goods.pop(item)

    @classmethod
    def from_csv(cls, text):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        inv = cls()
        for no, line in enumerate(text.splitlines(), 1):
            if not line.strip() or HEADER_PATTERN.match(line):
                continue
            match = LINE_PATTERN.match(line)
            if match is None or not match.group(1):
                raise ValueError(f"line {no} is malformed: {line!r}")
            name = match.group(1)
            qty = int(match.group(2))
            price = float(match.group(3))
            if qty == 0:
                raise ValueError(f"line {no}: quantity must be positive")
            inv.add(name, qty, price)
        return inv

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        out = "item;quantity;price\n"
        out += "".join(f"{name};{entry[QTY]};{entry[PRICE]}\n"
                       for name, entry in sorted(self.goods.items()))
        return out

    def restock_plan(self, target):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        plan = {}
        for name, entry in self.goods.items():
            missing = target - entry[QTY]
            if missing > 0:
                plan[name] = missing
        return plan

    def low_stock(self, limit):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        return sorted(filter(lambda name: self.goods[name][QTY] < limit, self.goods))

    def cheapest(self, n):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        by_price = sorted(self.goods.items(), key=lambda kv: (kv[1][PRICE], kv[0]))
        return [name for name, _ in by_price[:n]]

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        total = 0
        for entry in self.goods.values():
            total += entry[QTY] * entry[PRICE]
        return total

    def copy(self):
        """Return an independent copy of this inventory."""
        other = Inventory()
        for name, entry in self.goods.items():
            other.goods[name] = entry[:]
        return other
