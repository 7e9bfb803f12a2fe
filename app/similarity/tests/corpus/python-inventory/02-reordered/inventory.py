"""Inventory management for a small shop.

Complete the methods below. Do not change the names or signatures.
"""
import csv
import io


def merge(a, b):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    merged = Inventory()
    for inv in (a, b):
        for name, e in inv.stock.items():
            if name in merged.stock:
                old = merged.stock[name]
                old["qty"] += e["qty"]
                old["price"] = max(old["price"], e["price"])
            else:
                merged.stock[name] = dict(e)
    return merged


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self):
        """Create an empty inventory."""
        self.stock = {}  # name -> {"qty": ..., "price": ...}

    def add(self, item, quantity, price):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        if not quantity > 0:
            raise ValueError(f"invalid quantity {quantity!r} for {item!r}")
        if not price >= 0:
            raise ValueError(f"invalid price {price!r} for {item!r}")
        entry = self.stock.setdefault(item, {"qty": 0, "price": price})
        entry["qty"] += quantity
        entry["price"] = price

    def remove(self, item, quantity):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        entry = self.stock.get(item)
        if entry is None or entry["qty"] < quantity:
            have = entry["qty"] if entry else 0
            raise ValueError(f"cannot remove {quantity} x {item!r}, only {have} in stock")
        entry["qty"] -= quantity
        if entry["qty"] == 0:
            del self.stock[item]

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(["item", "quantity", "price"])
        for name in sorted(self.stock):
            writer.writerow([name, self.stock[name]["qty"], self.stock[name]["price"]])
        return out.getvalue()

    @classmethod
    def from_csv(cls, text):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        inv = cls()
        rows = csv.reader(text.splitlines(), delimiter=";")
        for lineno, row in enumerate(rows, 1):
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue  # blank line
            if lineno == 1 and [c.lower() for c in cells] == ["item", "quantity", "price"]:
                continue  # optional header
            try:
                name, qty, price = cells
                inv.add(name, int(qty), float(price))
            except ValueError as exc:
                raise ValueError(f"malformed line {lineno}: {exc}") from None
        return inv

    def cheapest(self, n):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        return sorted(self.stock, key=lambda name: (self.stock[name]["price"], name))[:n]

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        return sum(e["qty"] * e["price"] for e in self.stock.values())

    def restock_plan(self, target):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        return {name: target - e["qty"] for name, e in self.stock.items() if e["qty"] < target}

    def low_stock(self, limit):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        return sorted(name for name, e in self.stock.items() if e["qty"] < limit)

    def __contains__(self, item):
        return item in self.stock

    def __len__(self):
        return len(self.stock)
