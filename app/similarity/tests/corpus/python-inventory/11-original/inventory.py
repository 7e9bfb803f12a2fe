"""Inventory management for a small shop.

Complete the methods below. Do not change the names or signatures.
"""
from itertools import islice
from operator import itemgetter


class InventoryError(ValueError):
    """Raised for every invalid operation on an Inventory."""


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    HEADER = ("item", "quantity", "price")

    def __init__(self):
        """Create an empty inventory."""
        self._data = {}  # name -> (price, quantity)

    def __iter__(self):
        """Iterate over (name, price, quantity), sorted by name."""
        for name in sorted(self._data):
            price, quantity = self._data[name]
            yield name, price, quantity

    def __len__(self):
        return len(self._data)

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        return sum(price * quantity for price, quantity in self._data.values())

    def add(self, item, quantity, price):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        if quantity <= 0:
            raise InventoryError(f"{item}: quantity {quantity} is not > 0")
        if price < 0:
            raise InventoryError(f"{item}: price {price} is not >= 0")
        _, have = self._data.get(item, (price, 0))
        self._data[item] = (price, have + quantity)

    def remove(self, item, quantity):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        price, have = self._data.get(item, (0, 0))
        if item not in self._data or quantity > have:
            raise InventoryError(f"{item}: want {quantity}, have {have}")
        if have == quantity:
            self._data.pop(item)
        else:
            self._data[item] = (price, have - quantity)

    def cheapest(self, n):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        ranked = sorted((price, name) for name, (price, _) in self._data.items())
        return list(islice(map(itemgetter(1), ranked), n))

    def low_stock(self, limit):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        return [name for name, _, quantity in self if quantity < limit]

    def restock_plan(self, target):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        return {name: target - quantity for name, _, quantity in self if quantity < target}

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        rows = [";".join(self.HEADER)]
        rows.extend(f"{name};{quantity};{price}" for name, price, quantity in self)
        return "\n".join(rows) + "\n"

    @classmethod
    def from_csv(cls, text):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        result = cls()
        for number, line in enumerate(text.split("\n"), start=1):
            fields = tuple(part.strip() for part in line.split(";"))
            match fields:
                case ("",):
                    continue
                case (name, quantity, price) if fields == cls.HEADER:
                    continue
                case (name, quantity, price) if name:
                    try:
                        result.add(name, int(quantity), float(price))
                    except ValueError as exc:
                        raise InventoryError(f"line {number}: {exc}") from exc
                case _:
                    raise InventoryError(f"line {number}: cannot parse {line.strip()!r}")
        return result


def merge(a, b):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    out = Inventory()
    for name in a._data.keys() | b._data.keys():
        price_a, quantity_a = a._data.get(name, (0, 0))
        price_b, quantity_b = b._data.get(name, (0, 0))
        out._data[name] = (max(price_a, price_b), quantity_a + quantity_b)
    return out
