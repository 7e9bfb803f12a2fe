# Inventory for a small shop
# Exercise 7


def looks_numeric(s):
    # True if text can be turned into a float
    try:
        float(s)
        return True
    except ValueError:
        return False


class Inventory:

    def __init__(self):
        # every entry is a list [name, quantity, price]
        self.entries = []

    def index_of(self, thing):
        # returns the position of item in self.data, or -1 if it is not there
        for pos in range(len(self.entries)):
            if self.entries[pos][0] == thing:
                return pos
        return -1

    def add(self, thing, how_many, cost):
        # check the input first
        if how_many <= 0:
            raise ValueError("Quantity has to be greater than 0")
        if cost < 0:
            raise ValueError("Price can't be negative")
        pos = self.index_of(thing)
        if pos == -1:
            # new item
            self.entries.append([thing, how_many, cost])
        else:
            # item is already there
            self.entries[pos][1] = self.entries[pos][1] + how_many
            self.entries[pos][2] = cost

    def remove(self, thing, how_many):
        pos = self.index_of(thing)
        if pos == -1:
            raise ValueError("Item not found")
        if self.entries[pos][1] < how_many:
            raise ValueError("Not enough items in stock")
        self.entries[pos][1] = self.entries[pos][1] - how_many
        # delete the item when there is nothing left
        if self.entries[pos][1] == 0:
            self.entries.pop(pos)

    def value(self):
        sum_ = 0
        for entry in self.entries:
            sum_ = sum_ + entry[1] * entry[2]
        return sum_

    def cheapest(self, count):
        # make a copy so the original order does not change
        tmp = []
        for entry in self.entries:
            tmp.append(entry)
        tmp.sort(key=lambda entry: (entry[2], entry[0]))
        result = []
        for entry in tmp:
            if len(result) == count:
                break
            result.append(entry[0])
        return result

    def low_stock(self, minimum):
        result = []
        for entry in self.entries:
            if entry[1] < minimum:
                result.append(entry[0])
        result.sort()
        return result

    def restock_plan(self, wanted):
        order = {}
        for entry in self.entries:
            if entry[1] < wanted:
                order[entry[0]] = wanted - entry[1]
        return order

    def to_csv(self):
        s = "item;quantity;price\n"
        for entry in self.entries:
            s = s + entry[0] + ";" + str(entry[1]) + ";" + str(entry[2]) + "\n"
        return s

    @classmethod
    def from_csv(cls, s):
        new_inv = cls()
        rows = s.split("\n")
        nr = 0
        for current in rows:
            nr = nr + 1
            current = current.strip()
            # skip empty lines
            if current == "":
                continue
            # skip the header (only allowed in the first line)
            if nr == 1 and current == "item;quantity;price":
                continue
            pieces = current.split(";")
            if len(pieces) != 3:
                raise ValueError("Malformed line " + str(nr))
            thing_name = pieces[0].strip()
            qty_text = pieces[1].strip()
            price_text = pieces[2].strip()
            if thing_name == "" or not qty_text.isdigit() or not looks_numeric(price_text):
                raise ValueError("Malformed line " + str(nr))
            if int(qty_text) == 0 or float(price_text) < 0:
                raise ValueError("Malformed line " + str(nr))
            new_inv.add(thing_name, int(qty_text), float(price_text))
        return new_inv


def merge(inv1, inv2):
    inv3 = Inventory()
    # first everything from a
    for entry in inv1.entries:
        inv3.add(entry[0], entry[1], entry[2])
    # then everything from b
    for entry in inv2.entries:
        pos = inv3.index_of(entry[0])
        if pos == -1:
            inv3.add(entry[0], entry[1], entry[2])
        else:
            inv3.entries[pos][1] = inv3.entries[pos][1] + entry[1]
            if entry[2] > inv3.entries[pos][2]:
                inv3.entries[pos][2] = entry[2]
    return inv3
