TITLE_ROW = "item;quantity;price"


# Shop inventory, homework 5
class Inventory:
    def __init__(self):
        # product -> (qty, unit_price)
        self.store = {}

    def value(self):
        # add up qty*price
        s = 0
        for qty, unit_price in self.store.values():
            s += qty * unit_price
        return s

    def add(self, product, qty, unit_price):
        if qty <= 0:
            raise ValueError("quantity must be positive")
        if unit_price < 0:
            raise ValueError("price cannot be negative")
        before = 0
        if product in self.store:
            before = self.store[product][0]
        self.store[product] = (before + qty, unit_price)

    def low_stock(self, minimum):
        out = []
        for product in sorted(self.store):
            if self.store[product][0] < minimum:
                out.append(product)
        return out

    def remove(self, product, qty):
        if product not in self.store:
            raise ValueError("no such item: " + str(product))
        have, unit_price = self.store[product]
        if qty > have:
            raise ValueError("not enough " + str(product) + " in stock")
        if qty == have:
            del self.store[product]
        else:
            self.store[product] = (have - qty, unit_price)

    @classmethod
    def from_csv(cls, content):
        """Read an inventory from semicolon separated text."""
        new_inv = cls()
        for idx, ln in enumerate(content.splitlines(), start=1):
            ln = ln.strip()
            if ln == "":
                continue
            if ln == TITLE_ROW:
                continue
            check = 0
            cols = ln.split(";")
            if len(cols) != 3:
                raise ValueError("line " + str(idx) + ": expected 3 fields")
            try:
                qty = int(cols[1])
                unit_price = float(cols[2])
            except ValueError:
                raise ValueError("line " + str(idx) + ": bad number")
            try:
                new_inv.add(cols[0].strip(), qty, unit_price)
            except ValueError as exc:
                raise ValueError("line " + str(idx) + ": " + str(exc))
        return new_inv

    def to_csv(self):
        out_lines = [TITLE_ROW]
        for product in sorted(self.store):
            qty, unit_price = self.store[product]
            out_lines.append(product + ";" + str(qty) + ";" + str(unit_price))
        return "\n".join(out_lines) + "\n"

    def restock_plan(self, wanted):
        need = {}
        for product, (qty, unit_price) in self.store.items():
            if qty < wanted:
                need[product] = wanted - qty
        return need

    def cheapest(self, k):
        # sort by price then name
        lst = []
        for product, (qty, unit_price) in self.store.items():
            lst.append((unit_price, product))
        lst.sort()
        out = []
        for unit_price, product in lst[:k]:
            out.append(product)
        return out


def _show(inv):
    print(inv.to_csv())


def merge(inv1, inv2):
    out = Inventory()
    for product, (qty, unit_price) in inv1.store.items():
        out.store[product] = (qty, unit_price)
    for product, (qty, unit_price) in inv2.store.items():
        if product in out.store:
            before, p_before = out.store[product]
            out.store[product] = (before + qty, max(p_before, unit_price))
        else:
            out.store[product] = (qty, unit_price)
    return out
