"""
inventory.py - Programming 1, assignment 4

Keeps track of the items in a small shop: how many of each item
we have and what one unit costs.
"""

CSV_HEADER = "item;quantity;price"
SEPARATOR = ";"


def merge(a, b):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    result = Inventory()
    all_items = set(a.quantities) | set(b.quantities)
    for item in sorted(all_items):
        quantity = a.quantities.get(item, 0) + b.quantities.get(item, 0)
        # the item is in at least one of them, so at least one price exists
        if item in a.prices and item in b.prices:
            price = max(a.prices[item], b.prices[item])
        elif item in a.prices:
            price = a.prices[item]
        else:
            price = b.prices[item]
        result.add(item, quantity, price)
    return result


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self):
        """Create an empty inventory."""
        # I use two dictionaries that always have the same keys:
        #   quantities: item -> number of units in stock
        #   prices:     item -> price of one unit
        self.quantities = {}
        self.prices = {}

    # ------------------------------------------------------------------
    # the methods from the assignment
    # ------------------------------------------------------------------

    def add(self, item, quantity, price):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        self._validate(quantity, price)
        if item in self.quantities:
            # we already have some, so just add to it
            self.quantities[item] = self.quantities[item] + quantity
        else:
            self.quantities[item] = quantity
        # the price is always overwritten with the newest one
        self.prices[item] = price

    def remove(self, item, quantity):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        if item not in self.quantities:
            raise ValueError("Item " + str(item) + " is not in the inventory")
        in_stock = self.quantities[item]
        if quantity > in_stock:
            raise ValueError("Not enough stock for " + str(item) + ": requested "
                             + str(quantity) + ", available " + str(in_stock))
        new_quantity = in_stock - quantity
        if new_quantity == 0:
            # sold out, so the item disappears completely
            del self.quantities[item]
            del self.prices[item]
        else:
            self.quantities[item] = new_quantity

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        text = CSV_HEADER + "\n"
        for item in sorted(self.quantities):
            text += "{}{}{}{}{}\n".format(item, SEPARATOR, self.quantities[item],
                                          SEPARATOR, self.prices[item])
        return text

    @classmethod
    def from_csv(cls, text):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        inventory = cls()
        first_line = True
        line_number = 0
        for line in text.splitlines():
            line_number += 1
            if line.strip() == "":
                # blank lines are skipped
                continue
            if first_line and line.strip().lower() == CSV_HEADER:
                # the header is optional, we just skip it
                first_line = False
                continue
            first_line = False
            name, quantity, price = cls._parse_line(line, line_number)
            try:
                inventory.add(name, quantity, price)
            except ValueError as error:
                raise ValueError("Line {}: {}".format(line_number, error))
        return inventory

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        total_value = 0.0
        for item in self.quantities:
            total_value = total_value + self.quantities[item] * self.prices[item]
        return total_value

    def restock_plan(self, target):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        plan = {}
        for item in self.quantities:
            missing = target - self.quantities[item]
            # only order if something is missing
            if missing > 0:
                plan[item] = missing
        return plan

    def low_stock(self, limit):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        low = []
        for item in self.quantities:
            if self.quantities[item] < limit:
                low.append(item)
        low.sort()
        return low

    def cheapest(self, n):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        # first sort by name, then by price. Python's sort is stable,
        # so items with the same price stay in alphabetical order.
        names = sorted(self.prices.keys())
        names.sort(key=lambda name: self.prices[name])
        return names[:n]

    # ------------------------------------------------------------------
    # helper methods
    # ------------------------------------------------------------------

    @staticmethod
    def _validate(quantity, price):
        """Raise ValueError if quantity or price is not allowed."""
        if quantity <= 0:
            raise ValueError("Quantity must be greater than zero, got " + str(quantity))
        if price < 0:
            raise ValueError("Price must not be negative, got " + str(price))

    @staticmethod
    def _parse_line(line, line_number):
        """Split one csv line into (name, quantity, price).

        Raises ValueError that mentions the line number if the line is wrong.
        """
        name, first_sep, rest = line.partition(SEPARATOR)
        quantity_text, second_sep, price_text = rest.partition(SEPARATOR)
        # there must be exactly two separators and a name
        if not first_sep or not second_sep or SEPARATOR in price_text or name.strip() == "":
            raise ValueError("Line {}: malformed line {!r}".format(line_number, line))
        try:
            quantity = int(quantity_text)
            price = float(price_text)
        except ValueError:
            raise ValueError("Line {}: quantity or price is not a number".format(line_number))
        return name.strip(), quantity, price
