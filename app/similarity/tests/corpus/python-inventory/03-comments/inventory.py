# Shop inventory -- assignment 4
# Two dicts with the same keys: quantities and prices.
CSV_HEADER="item;quantity;price"
# field separator in the csv text
SEPARATOR=";"


class Inventory:
    def __init__(self):
        self.quantities={}
        self.prices={}

    @staticmethod
    def _validate(quantity, price):
        """Checks the arguments of add()."""
        if quantity <= 0:
            raise ValueError("Quantity must be greater than zero, got "+str(quantity))
        if price < 0:
            raise ValueError("Price must not be negative, got "+str(price))

    @staticmethod
    def _parse_line(line, line_number):
        """Parses 'name;quantity;price'.

        Returns a tuple (name, quantity, price) or raises ValueError
        with the line number in the message.
        """
        name, first_sep, rest=line.partition(SEPARATOR)
        quantity_text, second_sep, price_text=rest.partition(SEPARATOR)
        # need two separators, no third one, and a name
        if not first_sep or not second_sep or SEPARATOR in price_text or name.strip() == "":
            raise ValueError("Line {}: malformed line {!r}".format(line_number, line))
        try:
            quantity=int(quantity_text)
            price=float(price_text)
        except ValueError:
            raise ValueError("Line {}: quantity or price is not a number".format(line_number))
        return name.strip(), quantity, price

    def add(self, item, quantity, price):
        """Adds units of an item; the price is replaced by the new one."""
        self._validate(quantity, price)
        if item in self.quantities:
            self.quantities[item]=self.quantities[item]+quantity
        else:
            self.quantities[item]=quantity
        # new price wins
        self.prices[item]=price

    def remove(self, item, quantity):
        """Removes units; raises ValueError if that many are not there."""
        if item not in self.quantities:
            raise ValueError("Item "+str(item)+" is not in the inventory")
        in_stock=self.quantities[item]
        if quantity > in_stock:
            raise ValueError("Not enough stock for "+str(item)+": requested "
                            +str(quantity)+", available "+str(in_stock))
        new_quantity=in_stock - quantity
        # remove the keys when sold out
        if new_quantity == 0:
            del self.quantities[item]
            del self.prices[item]
        else:
            self.quantities[item]=new_quantity

    def value(self):
        """Returns the total value of the stock as a float."""
        total_value=0.0
        for item in self.quantities:
            total_value=total_value+self.quantities[item] * self.prices[item]
        return total_value

    def cheapest(self, n):
        """Names of the n cheapest items, ties alphabetically."""
        names=sorted(self.prices.keys())
        # stable sort -> alphabetical order is kept for equal prices
        names.sort(key=lambda name: self.prices[name])
        return names[:n]

    def low_stock(self, limit):
        """Items with quantity < limit, alphabetically."""
        low=[]
        for item in self.quantities:
            if self.quantities[item] < limit:
                low.append(item)
        low.sort()
        return low

    def restock_plan(self, target):
        """Dict item -> amount to order to reach target."""
        plan={}
        for item in self.quantities:
            missing=target - self.quantities[item]
            if missing > 0:
                plan[item]=missing
        return plan

    def to_csv(self):
        """Writes all items (sorted by name) in csv format."""
        text=CSV_HEADER+"\n"
        for item in sorted(self.quantities):
            text += "{}{}{}{}{}\n".format(item, SEPARATOR, self.quantities[item],
                                          SEPARATOR, self.prices[item])
        return text

    @classmethod
    def from_csv(cls, text):
        """Reads csv text.

        Header (first line) optional, empty lines skipped.
        """
        inventory=cls()
        first_line=True
        line_number=0
        for line in text.splitlines():
            line_number += 1
            if line.strip() == "":
                continue
            if first_line and line.strip().lower() == CSV_HEADER:
                first_line=False
                continue
            first_line=False
            # raises ValueError with the line number
            name, quantity, price=cls._parse_line(line, line_number)
            try:
                inventory.add(name, quantity, price)
            except ValueError as error:
                raise ValueError("Line {}: {}".format(line_number, error))
        return inventory


def merge(a, b):
    """Combines a and b into a new Inventory."""
    result=Inventory()
    all_items=set(a.quantities) | set(b.quantities)
    # union of the item names of both
    for item in sorted(all_items):
        quantity=a.quantities.get(item, 0)+b.quantities.get(item, 0)
        if item in a.prices and item in b.prices:
            price=max(a.prices[item], b.prices[item])
        elif item in a.prices:
            price=a.prices[item]
        else:
            price=b.prices[item]
        result.add(item, quantity, price)
    return result
