"""Inventory management for a small shop.

Complete the methods below. Do not change the names or signatures.
"""
import csv
import io


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self):
        """Create an empty inventory."""
        self.products = {}  # name -> {"amount": ..., "cost": ...}

    def __len__(self):
        return len(self.products)

    def __contains__(self, product):
        return product in self.products

    def add(self, product, count, cost):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        if not count > 0:
            raise ValueError(f"invalid quantity {count!r} for {product!r}")
        if not cost >= 0:
            raise ValueError(f"invalid price {cost!r} for {product!r}")
        record = self.products.setdefault(product, {"amount": 0, "cost": cost})
        record["amount"] += count
        record["cost"] = cost

    def remove(self, product, count):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        record = self.products.get(product)
        if record is None or record["amount"] < count:
            available = record["amount"] if record else 0
            raise ValueError(f"cannot remove {count} x {product!r}, only {available} in stock")
        record["amount"] -= count
        if record["amount"] == 0:
            del self.products[product]

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        return sum(rec["amount"] * rec["cost"] for rec in self.products.values())

    def cheapest(self, how_many):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        return sorted(self.products, key=lambda key: (self.products[key]["cost"], key))[:how_many]

    def low_stock(self, below):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        return sorted(key for key, rec in self.products.items() if rec["amount"] < below)

    def restock_plan(self, goal):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        return {key: goal - rec["amount"] for key, rec in self.products.items() if rec["amount"] < goal}

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        buffer = io.StringIO()
        w = csv.writer(buffer, delimiter=";", lineterminator="\n")
        w.writerow(["item", "quantity", "price"])
        for key in sorted(self.products):
            w.writerow([key, self.products[key]["amount"], self.products[key]["cost"]])
        return buffer.getvalue()

    @classmethod
    def from_csv(cls, source):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        result = cls()
        reader = csv.reader(source.splitlines(), delimiter=";")
        for line_no, fields in enumerate(reader, 1):
            values = [v.strip() for v in fields]
            if not any(values):
                continue  # blank line
            if line_no == 1 and [x.lower() for x in values] == ["item", "quantity", "price"]:
                continue  # optional header
            try:
                key, amount, cost = values
                result.add(key, int(amount), float(cost))
            except ValueError as err:
                raise ValueError(f"malformed line {line_no}: {err}") from None
        return result


def merge(left, right):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    combined = Inventory()
    for result in (left, right):
        for key, rec in result.products.items():
            if key in combined.products:
                current = combined.products[key]
                current["amount"] += rec["amount"]
                current["cost"] = max(current["cost"], rec["cost"])
            else:
                combined.products[key] = dict(rec)
    return combined
