# Inventory for a small shop
# Exercise 7


def merge(a, b):
    c = Inventory()
    # first everything from a
    for row in a.data:
        c.add(row[0], row[1], row[2])
    # then everything from b
    for row in b.data:
        i = c.find(row[0])
        if i == -1:
            c.add(row[0], row[1], row[2])
        else:
            c.data[i][1] = c.data[i][1] + row[1]
            if row[2] > c.data[i][2]:
                c.data[i][2] = row[2]
    return c


class Inventory:

    def __init__(self):
        # every entry is a list [name, quantity, price]
        self.data = []

    def to_csv(self):
        text = "item;quantity;price\n"
        for row in self.data:
            text = text + row[0] + ";" + str(row[1]) + ";" + str(row[2]) + "\n"
        return text

    @classmethod
    def from_csv(cls, text):
        inv = cls()
        lines = text.split("\n")
        line_number = 0
        for line in lines:
            line_number = line_number + 1
            line = line.strip()
            # skip empty lines
            if line == "":
                continue
            # skip the header (only allowed in the first line)
            if line_number == 1 and line == "item;quantity;price":
                continue
            parts = line.split(";")
            if len(parts) != 3:
                raise ValueError("Malformed line " + str(line_number))
            name = parts[0].strip()
            amount = parts[1].strip()
            cost = parts[2].strip()
            if name == "" or not amount.isdigit() or not is_number(cost):
                raise ValueError("Malformed line " + str(line_number))
            if int(amount) == 0 or float(cost) < 0:
                raise ValueError("Malformed line " + str(line_number))
            inv.add(name, int(amount), float(cost))
        return inv

    def value(self):
        total = 0
        for row in self.data:
            total = total + row[1] * row[2]
        return total

    def restock_plan(self, target):
        plan = {}
        for row in self.data:
            if row[1] < target:
                plan[row[0]] = target - row[1]
        return plan

    def low_stock(self, limit):
        names = []
        for row in self.data:
            if row[1] < limit:
                names.append(row[0])
        names.sort()
        return names

    def cheapest(self, n):
        # make a copy so the original order does not change
        copy = []
        for row in self.data:
            copy.append(row)
        copy.sort(key=lambda row: (row[2], row[0]))
        names = []
        for row in copy:
            if len(names) == n:
                break
            names.append(row[0])
        return names

    def remove(self, item, quantity):
        i = self.find(item)
        if i == -1:
            raise ValueError("Item not found")
        if self.data[i][1] < quantity:
            raise ValueError("Not enough items in stock")
        self.data[i][1] = self.data[i][1] - quantity
        # delete the item when there is nothing left
        if self.data[i][1] == 0:
            self.data.pop(i)

    def add(self, item, quantity, price):
        # check the input first
        if quantity <= 0:
            raise ValueError("Quantity has to be greater than 0")
        if price < 0:
            raise ValueError("Price can't be negative")
        i = self.find(item)
        if i == -1:
            # new item
            self.data.append([item, quantity, price])
        else:
            # item is already there
            self.data[i][1] = self.data[i][1] + quantity
            self.data[i][2] = price

    def find(self, item):
        # returns the position of item in self.data, or -1 if it is not there
        for i in range(len(self.data)):
            if self.data[i][0] == item:
                return i
        return -1


def is_number(text):
    # True if text can be turned into a float
    try:
        float(text)
        return True
    except ValueError:
        return False
