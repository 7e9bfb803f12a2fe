"""Inventory management for a small shop.

Complete the methods below. Do not change the names or signatures.
"""
import re

# positions inside the [quantity, price] lists
AMOUNT = 0
COST = 1

ROW_RE = re.compile(r"^\s*([^;]*?)\s*;\s*(\d+)\s*;\s*(\d+(?:\.\d*)?)\s*$")
TITLE_RE = re.compile(r"^\s*item\s*;\s*quantity\s*;\s*price\s*$", re.IGNORECASE)


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self):
        """Create an empty inventory."""
        self.stock = {}

    def clone(self):
        """Return an independent copy of this inventory."""
        twin = Inventory()
        for key, pair in self.stock.items():
            twin.stock[key] = pair[:]
        return twin

    def add(self, article, amount, cost):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        if amount <= 0:
            raise ValueError("add: quantity must be > 0")
        if cost < 0:
            raise ValueError("add: price must be >= 0")
        try:
            pair = self.stock[article]
        except KeyError:
            self.stock[article] = [amount, cost]
        else:
            pair[AMOUNT] += amount
            pair[COST] = cost

    def remove(self, article, amount):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        try:
            pair = self.stock[article]
        except KeyError:
            raise ValueError(f"remove: unknown item {article}") from None
        if amount > pair[AMOUNT]:
            raise ValueError(f"remove: only {pair[AMOUNT]} {article} available")
        pair[AMOUNT] -= amount
        if pair[AMOUNT] == 0:
            self.stock.pop(article)

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        worth = 0
        for pair in self.stock.values():
            worth += pair[AMOUNT] * pair[COST]
        return worth

    def cheapest(self, count):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        ranked = sorted(self.stock.items(), key=lambda kv_pair: (kv_pair[1][COST], kv_pair[0]))
        return [key for key, _ in ranked[:count]]

    def low_stock(self, floor):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        return sorted(filter(lambda key: self.stock[key][AMOUNT] < floor, self.stock))

    def restock_plan(self, goal):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        orders = {}
        for key, pair in self.stock.items():
            lacking = goal - pair[AMOUNT]
            if lacking > 0:
                orders[key] = lacking
        return orders

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        csv_text = "item;quantity;price\n"
        csv_text += "".join(f"{key};{pair[AMOUNT]};{pair[COST]}\n"
                       for key, pair in sorted(self.stock.items()))
        return csv_text

    @classmethod
    def from_csv(cls, raw):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        result_inv = cls()
        for lineno, row in enumerate(raw.splitlines(), 1):
            if not row.strip() or TITLE_RE.match(row):
                continue
            found = ROW_RE.match(row)
            if found is None or not found.group(1):
                raise ValueError(f"line {lineno} is malformed: {row!r}")
            key = found.group(1)
            amt = int(found.group(2))
            cost = float(found.group(3))
            if amt == 0:
                raise ValueError(f"line {lineno}: quantity must be positive")
            result_inv.add(key, amt, cost)
        return result_inv


def merge(first, second):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    merged = first.clone()
    for key, pair in second.stock.items():
        if key in merged.stock:
            ours = merged.stock[key]
            ours[AMOUNT] += pair[AMOUNT]
            ours[COST] = max(ours[COST], pair[COST])
        else:
            merged.stock[key] = pair[:]
    return merged
