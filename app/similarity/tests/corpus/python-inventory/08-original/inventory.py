"""Inventory management for a small shop.

Complete the methods below. Do not change the names or signatures.
"""
import csv
import io
from typing import NamedTuple

FIELDS = ["item", "quantity", "price"]


class Entry(NamedTuple):
    """Quantity and unit price of one item (immutable)."""
    quantity: int
    price: float


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self):
        """Create an empty inventory."""
        self._entries = {}

    def _sorted_entries(self):
        """All (name, Entry) pairs, ordered by name."""
        return sorted(self._entries.items())

    def add(self, item, quantity, price):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        if quantity <= 0:
            raise ValueError("Quantity must be positive.")
        if price < 0:
            raise ValueError("Price must be zero or more.")
        old = self._entries.get(item)
        if old is None:
            self._entries[item] = Entry(quantity, price)
        else:
            self._entries[item] = old._replace(quantity=old.quantity + quantity, price=price)

    def remove(self, item, quantity):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        old = self._entries.get(item, Entry(0, 0))
        if old.quantity < quantity or item not in self._entries:
            raise ValueError(f"Cannot remove {quantity} of {item}: only {old.quantity} in stock.")
        left = old.quantity - quantity
        if left == 0:
            del self._entries[item]
        else:
            self._entries[item] = old._replace(quantity=left)

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        return sum(entry.quantity * entry.price for entry in self._entries.values())

    def cheapest(self, n):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        ranking = sorted(self._entries.items(), key=lambda pair: (pair[1].price, pair[0]))
        return [name for name, _entry in ranking][:n]

    def low_stock(self, limit):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        return [name for name, entry in self._sorted_entries() if entry.quantity < limit]

    def restock_plan(self, target):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        plan = {}
        for name, entry in self._sorted_entries():
            if entry.quantity < target:
                plan[name] = target - entry.quantity
        return plan

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS, delimiter=";", lineterminator="\n")
        writer.writeheader()
        for name, entry in self._sorted_entries():
            writer.writerow({"item": name, "quantity": entry.quantity, "price": entry.price})
        return buffer.getvalue()

    @classmethod
    def from_csv(cls, text):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        inventory = cls()
        # DictReader skips blank rows by itself; line_num is the physical line
        reader = csv.DictReader(text.splitlines(), fieldnames=FIELDS, delimiter=";")
        for row in reader:
            number = reader.line_num
            if None in row or row["price"] is None:
                raise ValueError(f"Line {number}: expected exactly 3 fields.")
            values = {key: row[key].strip() for key in FIELDS}
            if [values[key].lower() for key in FIELDS] == FIELDS:
                continue  # header line
            try:
                inventory.add(values["item"], int(values["quantity"]), float(values["price"]))
            except ValueError as problem:
                raise ValueError(f"Line {number}: {problem}") from None
        return inventory


def merge(a, b):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    merged = Inventory()
    merged._entries = dict(a._entries)
    for name, entry in b._entries.items():
        if name in merged._entries:
            mine = merged._entries[name]
            merged._entries[name] = Entry(mine.quantity + entry.quantity,
                                          max(mine.price, entry.price))
        else:
            merged._entries[name] = entry
    return merged
