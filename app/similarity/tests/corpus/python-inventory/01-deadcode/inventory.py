"""Inventory management for a small shop.

Complete the methods below. Do not change the names or signatures.
"""

HEADER = "item;quantity;price"
DEBUG = False


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self):
        """Create an empty inventory."""
        # item name -> (quantity, price)
        self._items = {}
        self._history = []

    def add(self, item, quantity, price):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        if price < 0:
            raise ValueError("price cannot be negative")
        old_quantity = 0
        if DEBUG:
            print("add", item, quantity, price)
        if item in self._items:
            old_quantity = self._items[item][0]
        # the new price replaces the old one
        self._items[item] = (old_quantity + quantity, price)

    def remove(self, item, quantity):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        if item not in self._items:
            raise ValueError("no such item: " + str(item))
        current, price = self._items[item]
        removed = 0
        if quantity > current:
            raise ValueError("not enough " + str(item) + " in stock")
        if quantity == current:
            del self._items[item]
        else:
            self._items[item] = (current - quantity, price)

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        total = 0
        for quantity, price in self._items.values():
            total += quantity * price
        return total

    def cheapest(self, n):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        # tuples sort by price first, then by name for ties
        pairs = []
        for item, (quantity, price) in self._items.items():
            pairs.append((price, item))
        pairs.sort()
        if False:
            pairs.reverse()
        result = []
        for price, item in pairs[:n]:
            result.append(item)
        return result

    def _debug_dump(self):
        for item in self._items:
            print(item, self._items[item])

    def low_stock(self, limit):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        result = []
        for item in sorted(self._items):
            if self._items[item][0] < limit:
                result.append(item)
        return result

    def restock_plan(self, target):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        plan = {}
        for item, (quantity, price) in self._items.items():
            if quantity < target:
                plan[item] = target - quantity
        return plan

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        lines = [HEADER]
        for item in sorted(self._items):
            quantity, price = self._items[item]
            lines.append(item + ";" + str(quantity) + ";" + str(price))
        return "\n".join(lines) + "\n"

    @classmethod
    def from_csv(cls, text):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        inventory = cls()
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if line == "":
                continue
            if line == HEADER:
                continue
            parts = line.split(";")
            if len(parts) != 3:
                raise ValueError("line " + str(number) + ": expected 3 fields")
            try:
                quantity = int(parts[1])
                price = float(parts[2])
            except ValueError:
                raise ValueError("line " + str(number) + ": bad number")
            try:
                inventory.add(parts[0].strip(), quantity, price)
            except ValueError as error:
                raise ValueError("line " + str(number) + ": " + str(error))
        return inventory


def _unused_total(inventory):
    result = 0
    for quantity, price in inventory._items.values():
        result = result + quantity * price
    return result


def merge(a, b):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    result = Inventory()
    for item, (quantity, price) in a._items.items():
        result._items[item] = (quantity, price)
    for item, (quantity, price) in b._items.items():
        if item in result._items:
            old_quantity, old_price = result._items[item]
            result._items[item] = (old_quantity + quantity, max(old_price, price))
        else:
            result._items[item] = (quantity, price)
    return result
