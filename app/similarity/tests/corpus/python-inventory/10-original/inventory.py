"""Inventory management for a small shop.

Complete the methods below. Do not change the names or signatures.
"""


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self):
        """Create an empty inventory."""
        # three lists of the same length, position k belongs to one item
        self.item_names = []
        self.item_quantities = []
        self.item_prices = []

    def add(self, item, quantity, price):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        if quantity <= 0 or price < 0:
            raise ValueError("Error: quantity must be more than 0 and price at least 0")
        if item in self.item_names:
            position = self.item_names.index(item)
            self.item_quantities[position] = self.item_quantities[position] + quantity
            self.item_prices[position] = price
        else:
            self.item_names.append(item)
            self.item_quantities.append(quantity)
            self.item_prices.append(price)

    def remove(self, item, quantity):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        if item not in self.item_names:
            raise ValueError("Error: the item " + str(item) + " does not exist")
        position = self.item_names.index(item)
        if self.item_quantities[position] < quantity:
            raise ValueError("Error: there are only " + str(self.item_quantities[position])
                             + " pieces of " + str(item))
        self.item_quantities[position] = self.item_quantities[position] - quantity
        if self.item_quantities[position] == 0:
            self.item_names.pop(position)
            self.item_quantities.pop(position)
            self.item_prices.pop(position)

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        total_value = 0
        position = 0
        while position < len(self.item_names):
            total_value = total_value + self.item_quantities[position] * self.item_prices[position]
            position = position + 1
        return total_value

    def cheapest(self, n):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        order = list(range(len(self.item_names)))
        # selection sort of the positions, by price and then by name
        for first in range(len(order)):
            smallest = first
            for other in range(first + 1, len(order)):
                candidate = order[other]
                best = order[smallest]
                if self.item_prices[candidate] < self.item_prices[best]:
                    smallest = other
                elif (self.item_prices[candidate] == self.item_prices[best]
                      and self.item_names[candidate] < self.item_names[best]):
                    smallest = other
            order[first], order[smallest] = order[smallest], order[first]
        cheapest_names = []
        for position in order:
            if len(cheapest_names) < n:
                cheapest_names.append(self.item_names[position])
        return cheapest_names

    def low_stock(self, limit):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        low_items = []
        for position in range(len(self.item_names)):
            if self.item_quantities[position] < limit:
                low_items.append(self.item_names[position])
        return sorted(low_items)

    def restock_plan(self, target):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        order_plan = {}
        for position in range(len(self.item_names)):
            if self.item_quantities[position] < target:
                order_plan[self.item_names[position]] = target - self.item_quantities[position]
        return order_plan

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        csv_text = "item;quantity;price\n"
        for position in range(len(self.item_names)):
            csv_text = csv_text + "%s;%d;%s\n" % (self.item_names[position],
                                                   self.item_quantities[position],
                                                   self.item_prices[position])
        return csv_text

    @classmethod
    def from_csv(cls, text):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        new_inventory = cls()
        all_lines = text.split("\n")
        line_index = 0
        while line_index < len(all_lines):
            line = all_lines[line_index].strip()
            line_number = line_index + 1
            line_index = line_index + 1
            if len(line) == 0 or line.lower() == "item;quantity;price":
                continue
            first_semicolon = line.find(";")
            second_semicolon = line.find(";", first_semicolon + 1)
            if (first_semicolon <= 0 or second_semicolon == -1
                    or line.find(";", second_semicolon + 1) != -1):
                raise ValueError("Error in line " + str(line_number) + ": wrong format")
            item_name = line[:first_semicolon].strip()
            quantity_text = line[first_semicolon + 1:second_semicolon].strip()
            price_text = line[second_semicolon + 1:].strip()
            try:
                item_quantity = int(quantity_text)
                item_price = float(price_text)
            except ValueError:
                raise ValueError("Error in line " + str(line_number) + ": not a number")
            if item_quantity <= 0 or item_price < 0:
                raise ValueError("Error in line " + str(line_number) + ": invalid values")
            new_inventory.add(item_name, item_quantity, item_price)
        return new_inventory


def merge(a, b):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    merged_inventory = Inventory()
    for position in range(len(a.item_names)):
        merged_inventory.add(a.item_names[position], a.item_quantities[position],
                             a.item_prices[position])
    for position in range(len(b.item_names)):
        name = b.item_names[position]
        if name in merged_inventory.item_names:
            old_price = merged_inventory.item_prices[merged_inventory.item_names.index(name)]
            new_price = max(old_price, b.item_prices[position])
        else:
            new_price = b.item_prices[position]
        merged_inventory.add(name, b.item_quantities[position], new_price)
    return merged_inventory
