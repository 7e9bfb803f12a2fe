"""Inventory management for a small shop.

Complete the methods below. Do not change the names or signatures.
"""

CSV_TITLE = "item;quantity;price"


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self):
        """Create an empty inventory."""
        # item name -> (quantity, price)
        self._goods = {}

    def add(self, name, amount, cost):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        if amount <= 0:
            raise ValueError("quantity must be positive")
        if cost < 0:
            raise ValueError("price cannot be negative")
        previous = 0
        if name in self._goods:
            previous = self._goods[name][0]
        # the new price replaces the old one
        self._goods[name] = (previous + amount, cost)

    def remove(self, name, amount):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        if name not in self._goods:
            raise ValueError("no such item: " + str(name))
        on_hand, cost = self._goods[name]
        if amount > on_hand:
            raise ValueError("not enough " + str(name) + " in stock")
        if amount == on_hand:
            del self._goods[name]
        else:
            self._goods[name] = (on_hand - amount, cost)

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        worth = 0
        for amount, cost in self._goods.values():
            worth += amount * cost
        return worth

    def cheapest(self, count):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        # tuples sort by price first, then by name for ties
        ranking = []
        for name, (amount, cost) in self._goods.items():
            ranking.append((cost, name))
        ranking.sort()
        chosen = []
        for cost, name in ranking[:count]:
            chosen.append(name)
        return chosen

    def low_stock(self, threshold):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        chosen = []
        for name in sorted(self._goods):
            if self._goods[name][0] < threshold:
                chosen.append(name)
        return chosen

    def restock_plan(self, goal):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        orders = {}
        for name, (amount, cost) in self._goods.items():
            if amount < goal:
                orders[name] = goal - amount
        return orders

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        rows = [CSV_TITLE]
        for name in sorted(self._goods):
            amount, cost = self._goods[name]
            rows.append(name + ";" + str(amount) + ";" + str(cost))
        return "\n".join(rows) + "\n"

    @classmethod
    def from_csv(cls, data):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        inv = cls()
        for line_no, row_text in enumerate(data.splitlines(), start=1):
            row_text = row_text.strip()
            if row_text == "":
                continue
            if row_text == CSV_TITLE:
                continue
            fields = row_text.split(";")
            if len(fields) != 3:
                raise ValueError("line " + str(line_no) + ": expected 3 fields")
            try:
                amount = int(fields[1])
                cost = float(fields[2])
            except ValueError:
                raise ValueError("line " + str(line_no) + ": bad number")
            try:
                inv.add(fields[0].strip(), amount, cost)
            except ValueError as err:
                raise ValueError("line " + str(line_no) + ": " + str(err))
        return inv


def merge(first, second):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    chosen = Inventory()
    for name, (amount, cost) in first._goods.items():
        chosen._goods[name] = (amount, cost)
    for name, (amount, cost) in second._goods.items():
        if name in chosen._goods:
            previous, previous_cost = chosen._goods[name]
            chosen._goods[name] = (previous + amount, max(previous_cost, cost))
        else:
            chosen._goods[name] = (amount, cost)
    return chosen
