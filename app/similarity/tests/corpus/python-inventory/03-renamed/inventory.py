"""
inventory.py - Programming 1, assignment 4

Keeps track of the items in a small shop: how many of each item
we have and what one unit costs.
"""

HEADER_LINE = "item;quantity;price"
DELIM = ";"


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self):
        """Create an empty inventory."""
        # I use two dictionaries that always have the same keys:
        #   quantities: item -> number of units in stock
        #   prices:     item -> price of one unit
        self.amounts = {}
        self.unit_costs = {}

    # ------------------------------------------------------------------
    # helper methods
    # ------------------------------------------------------------------

    @staticmethod
    def _check_input(amount, unit_cost):
        """Raise ValueError if quantity or price is not allowed."""
        if amount <= 0:
            raise ValueError("Quantity must be greater than zero, got " + str(amount))
        if unit_cost < 0:
            raise ValueError("Price must not be negative, got " + str(unit_cost))

    @staticmethod
    def _read_row(row, row_no):
        """Split one csv line into (name, quantity, price).

        Raises ValueError that mentions the line number if the line is wrong.
        """
        label, sep_a, remainder = row.partition(DELIM)
        amount_str, sep_b, cost_str = remainder.partition(DELIM)
        # there must be exactly two separators and a name
        if not sep_a or not sep_b or DELIM in cost_str or label.strip() == "":
            raise ValueError("Line {}: malformed line {!r}".format(row_no, row))
        try:
            amount = int(amount_str)
            unit_cost = float(cost_str)
        except ValueError:
            raise ValueError("Line {}: quantity or price is not a number".format(row_no))
        return label.strip(), amount, unit_cost

    # ------------------------------------------------------------------
    # the methods from the assignment
    # ------------------------------------------------------------------

    def add(self, article, amount, unit_cost):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        self._check_input(amount, unit_cost)
        if article in self.amounts:
            # we already have some, so just add to it
            self.amounts[article] = self.amounts[article] + amount
        else:
            self.amounts[article] = amount
        # the price is always overwritten with the newest one
        self.unit_costs[article] = unit_cost

    def remove(self, article, amount):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        if article not in self.amounts:
            raise ValueError("Item " + str(article) + " is not in the inventory")
        available = self.amounts[article]
        if amount > available:
            raise ValueError("Not enough stock for " + str(article) + ": requested "
                             + str(amount) + ", available " + str(available))
        left_over = available - amount
        if left_over == 0:
            # sold out, so the item disappears completely
            del self.amounts[article]
            del self.unit_costs[article]
        else:
            self.amounts[article] = left_over

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        grand_total = 0.0
        for article in self.amounts:
            grand_total = grand_total + self.amounts[article] * self.unit_costs[article]
        return grand_total

    def cheapest(self, count):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        # first sort by name, then by price. Python's sort is stable,
        # so items with the same price stay in alphabetical order.
        labels = sorted(self.unit_costs.keys())
        labels.sort(key=lambda label: self.unit_costs[label])
        return labels[:count]

    def low_stock(self, threshold):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        short_list = []
        for article in self.amounts:
            if self.amounts[article] < threshold:
                short_list.append(article)
        short_list.sort()
        return short_list

    def restock_plan(self, wanted):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        order = {}
        for article in self.amounts:
            shortfall = wanted - self.amounts[article]
            # only order if something is missing
            if shortfall > 0:
                order[article] = shortfall
        return order

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        content = HEADER_LINE + "\n"
        for article in sorted(self.amounts):
            content += "{}{}{}{}{}\n".format(article, DELIM, self.amounts[article],
                                          DELIM, self.unit_costs[article])
        return content

    @classmethod
    def from_csv(cls, content):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        inv = cls()
        at_start = True
        row_no = 0
        for row in content.splitlines():
            row_no += 1
            if row.strip() == "":
                # blank lines are skipped
                continue
            if at_start and row.strip().lower() == HEADER_LINE:
                # the header is optional, we just skip it
                at_start = False
                continue
            at_start = False
            label, amount, unit_cost = cls._read_row(row, row_no)
            try:
                inv.add(label, amount, unit_cost)
            except ValueError as problem:
                raise ValueError("Line {}: {}".format(row_no, problem))
        return inv


def merge(left, right):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    combined = Inventory()
    every_article = set(left.amounts) | set(right.amounts)
    for article in sorted(every_article):
        amount = left.amounts.get(article, 0) + right.amounts.get(article, 0)
        # the item is in at least one of them, so at least one price exists
        if article in left.unit_costs and article in right.unit_costs:
            unit_cost = max(left.unit_costs[article], right.unit_costs[article])
        elif article in left.unit_costs:
            unit_cost = left.unit_costs[article]
        else:
            unit_cost = right.unit_costs[article]
        combined.add(article, amount, unit_cost)
    return combined
