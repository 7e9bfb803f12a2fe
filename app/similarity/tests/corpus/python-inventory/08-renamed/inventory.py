"""Inventory management for a small shop.

Complete the methods below. Do not change the names or signatures.
"""
import csv
import io
from typing import NamedTuple

COLUMNS = ["item", "quantity", "price"]


class Record(NamedTuple):
    """Quantity and unit price of one item (immutable)."""
    count: int
    cost: float


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self):
        """Create an empty inventory."""
        self._stock = {}

    def _by_name(self):
        """All (name, Entry) pairs, ordered by name."""
        return sorted(self._stock.items())

    def add(self, product, count, cost):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        if count <= 0:
            raise ValueError("Quantity must be positive.")
        if cost < 0:
            raise ValueError("Price must be zero or more.")
        previous = self._stock.get(product)
        if previous is None:
            self._stock[product] = Record(count, cost)
        else:
            self._stock[product] = previous._replace(count=previous.count + count, cost=cost)

    def remove(self, product, count):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        previous = self._stock.get(product, Record(0, 0))
        if previous.count < count or product not in self._stock:
            raise ValueError(f"Cannot remove {count} of {product}: only {previous.count} in stock.")
        rest = previous.count - count
        if rest == 0:
            del self._stock[product]
        else:
            self._stock[product] = previous._replace(count=rest)

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        return sum(rec.count * rec.cost for rec in self._stock.values())

    def cheapest(self, how_many):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        order = sorted(self._stock.items(), key=lambda kv: (kv[1].cost, kv[0]))
        return [prod for prod, _rec in order][:how_many]

    def low_stock(self, threshold):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        return [prod for prod, rec in self._by_name() if rec.count < threshold]

    def restock_plan(self, goal):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        todo = {}
        for prod, rec in self._by_name():
            if rec.count < goal:
                todo[prod] = goal - rec.count
        return todo

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        buf = io.StringIO()
        csv_out = csv.DictWriter(buf, fieldnames=COLUMNS, delimiter=";", lineterminator="\n")
        csv_out.writeheader()
        for prod, rec in self._by_name():
            csv_out.writerow({"item": prod, "quantity": rec.count, "price": rec.cost})
        return buf.getvalue()

    @classmethod
    def from_csv(cls, source):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        new_inv = cls()
        # DictReader skips blank rows by itself; line_num is the physical line
        csv_in = csv.DictReader(source.splitlines(), fieldnames=COLUMNS, delimiter=";")
        for line_dict in csv_in:
            lineno = csv_in.line_num
            if None in line_dict or line_dict["price"] is None:
                raise ValueError(f"Line {lineno}: expected exactly 3 fields.")
            cleaned = {col: line_dict[col].strip() for col in COLUMNS}
            if [cleaned[col].lower() for col in COLUMNS] == COLUMNS:
                continue  # header line
            try:
                new_inv.add(cleaned["item"], int(cleaned["quantity"]), float(cleaned["price"]))
            except ValueError as err:
                raise ValueError(f"Line {lineno}: {err}") from None
        return new_inv


def merge(first, second):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    result = Inventory()
    result._stock = dict(first._stock)
    for prod, rec in second._stock.items():
        if prod in result._stock:
            ours = result._stock[prod]
            result._stock[prod] = Record(ours.count + rec.count,
                                          max(ours.cost, rec.cost))
        else:
            result._stock[prod] = rec
    return result
