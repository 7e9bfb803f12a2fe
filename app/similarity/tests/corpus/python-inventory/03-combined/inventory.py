# assignment 4 - inventory
TITLE = "item;quantity;price"
SEMI = ";"


class Inventory:
    def __init__(self):
        self.counts = {}
        self.costs = {}

    # helper for from_csv
    @staticmethod
    def _split(ln, lnum):
        nm, s1, tail = ln.partition(SEMI)
        qty_s, s2, cost_s = tail.partition(SEMI)
        if not s1 or not s2 or SEMI in cost_s or nm.strip() == "":
            raise ValueError("Line {}: malformed line {!r}".format(lnum, ln))
        try:
            qty = int(qty_s)
            cost = float(cost_s)
        except ValueError:
            raise ValueError("Line {}: quantity or price is not a number".format(lnum))
        return nm.strip(), qty, cost

    # read csv
    @classmethod
    def from_csv(cls, src):
        inv = cls()
        fresh = True
        skipped = 0
        lnum = 0
        for ln in src.splitlines():
            lnum += 1
            if ln.strip() == "":
                continue
            if fresh and ln.strip().lower() == TITLE:
                fresh = False
                continue
            fresh = False
            nm, qty, cost = cls._split(ln, lnum)
            try:
                inv.add(nm, qty, cost)
            except ValueError as e:
                raise ValueError("Line {}: {}".format(lnum, e))
        return inv

    def to_csv(self):
        src = TITLE + "\n"
        for key in sorted(self.counts):
            src += "{}{}{}{}{}\n".format(key, SEMI, self.counts[key],
                                          SEMI, self.costs[key])
        return src

    def value(self):
        """total value of all items"""
        acc = 0.0
        for key in self.counts:
            acc = acc + self.counts[key] * self.costs[key]
        return acc

    def add(self, key, qty, cost):
        self._ok(qty, cost)
        if key in self.counts:
            self.counts[key] = self.counts[key] + qty
        else:
            self.counts[key] = qty
        self.costs[key] = cost

    # check arguments of add
    @staticmethod
    def _ok(qty, cost):
        if qty <= 0:
            raise ValueError("Quantity must be greater than zero, got " + str(qty))
        if cost < 0:
            raise ValueError("Price must not be negative, got " + str(cost))

    def cheapest(self, k):
        # sort by name, then by cost (stable)
        keys = sorted(self.costs.keys())
        keys.sort(key=lambda nm: self.costs[nm])
        return keys[:k]

    def remove(self, key, qty):
        if key not in self.counts:
            raise ValueError("Item " + str(key) + " is not in the inventory")
        have = self.counts[key]
        if qty > have:
            raise ValueError("Not enough stock for " + str(key) + ": requested "
                             + str(qty) + ", available " + str(have))
        remaining = have - qty
        if remaining == 0:
            del self.counts[key]
            del self.costs[key]
        else:
            self.counts[key] = remaining

    def restock_plan(self, goal):
        """item -> how many to buy"""
        todo = {}
        for key in self.counts:
            gap = goal - self.counts[key]
            if gap > 0:
                todo[key] = gap
        return todo

    def low_stock(self, lim):
        few = []
        for key in self.counts:
            if self.counts[key] < lim:
                few.append(key)
        few.sort()
        return few


def merge(inv_a, inv_b):
    res = Inventory()
    union = set(inv_a.counts) | set(inv_b.counts)
    DEBUG_MERGE = False
    if DEBUG_MERGE:
        print(sorted(union))
    for key in sorted(union):
        qty = inv_a.counts.get(key, 0) + inv_b.counts.get(key, 0)
        if key in inv_a.costs and key in inv_b.costs:
            cost = max(inv_a.costs[key], inv_b.costs[key])
        elif key in inv_a.costs:
            cost = inv_a.costs[key]
        else:
            cost = inv_b.costs[key]
        res.add(key, qty, cost)
    return res
