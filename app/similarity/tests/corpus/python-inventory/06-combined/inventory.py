# shop inventory
import re

# index 0 = units, index 1 = price
Q = 0
P = 1

# name ; units ; price (no negative numbers)
LINE = re.compile(r"^\s*([^;]*?)\s*;\s*(\d+)\s*;\s*(\d+(?:\.\d*)?)\s*$")
HEAD = re.compile(r"^\s*item\s*;\s*quantity\s*;\s*price\s*$", re.IGNORECASE)


TRACE = False


class Inventory:
    def __init__(self):
        self.slots = {}

    def value(self):
        acc = 0
        for slot in self.slots.values():
            acc += slot[Q] * slot[P]
        return acc

    def add(self, product, units, unit_price):
        """Add units of product."""
        if units <= 0:
            raise ValueError("add: quantity must be > 0")
        if unit_price < 0:
            raise ValueError("add: price must be >= 0")
        try:
            slot = self.slots[product]
        except KeyError:
            self.slots[product] = [units, unit_price]
        else:
            slot[Q] += units
            slot[P] = unit_price

    def duplicate(self):
        """Deep enough copy (the inner lists are copied)."""
        dup = Inventory()
        for what, slot in self.slots.items():
            dup.slots[what] = slot[:]
        return dup

    def remove(self, product, units):
        try:
            slot = self.slots[product]
        except KeyError:
            raise ValueError(f"remove: unknown item {product}") from None
        if units > slot[Q]:
            raise ValueError(f"remove: only {slot[Q]} {product} available")
        if TRACE:
            print(product, slot)
        slot[Q] -= units
        if slot[Q] == 0:
            self.slots.pop(product)

    def low_stock(self, lim):
        return sorted(filter(lambda what: self.slots[what][Q] < lim, self.slots))

    def cheapest(self, k):
        srt = sorted(self.slots.items(), key=lambda t: (t[1][P], t[0]))
        return [what for what, _ in srt[:k]]

    def to_csv(self):
        s = "item;quantity;price\n"
        s += "".join(f"{what};{slot[Q]};{slot[P]}\n"
                       for what, slot in sorted(self.slots.items()))
        return s

    # read the format written by to_csv
    @classmethod
    def from_csv(cls, data):
        new = cls()
        bad_lines = []
        for i, ln in enumerate(data.splitlines(), 1):
            if not ln.strip() or HEAD.match(ln):
                continue
            m = LINE.match(ln)
            if m is None or not m.group(1):
                raise ValueError(f"line {i} is malformed: {ln!r}")
            what = m.group(1)
            u = int(m.group(2))
            unit_price = float(m.group(3))
            if u == 0:
                raise ValueError(f"line {i}: quantity must be positive")
            new.add(what, u, unit_price)
        return new

    def restock_plan(self, wanted):
        result = {}
        for what, slot in self.slots.items():
            diff = wanted - slot[Q]
            if diff > 0:
                result[what] = diff
        return result


def merge(inv_a, inv_b):
    """Merge: add units, keep the max price."""
    res = inv_a.duplicate()
    for what, slot in inv_b.slots.items():
        if what in res.slots:
            here = res.slots[what]
            here[Q] += slot[Q]
            here[P] = max(here[P], slot[P])
        else:
            res.slots[what] = slot[:]
    return res
