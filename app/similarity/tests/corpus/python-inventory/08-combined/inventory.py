# Inventory homework
import csv
import io
from typing import NamedTuple

HEADER = ["item", "quantity", "price"]
DEBUG = False


# pieces in stock and price of one piece
class Stock(NamedTuple):
    pieces: int
    unit_price: float


def merge(inv1, inv2):
    """Merge two inventories (sum of pieces, highest price)."""
    res = Inventory()
    res.records = dict(inv1.records)
    for nm, st in inv2.records.items():
        if nm in res.records:
            have = res.records[nm]
            res.records[nm] = Stock(have.pieces + st.pieces,
                                          max(have.unit_price, st.unit_price))
        else:
            res.records[nm] = st
    return res


class Inventory:
    def __init__(self):
        self.records = {}

    def value(self):
        return sum(st.pieces * st.unit_price for st in self.records.values())

    def cheapest(self, num):
        lst = sorted(self.records.items(), key=lambda p: (p[1].unit_price, p[0]))
        return [nm for nm, _ in lst][:num]

    def add(self, what, pieces, unit_price):
        """Add pieces; the new price replaces the old one."""
        if pieces <= 0:
            raise ValueError("Quantity must be positive.")
        if unit_price < 0:
            raise ValueError("Price must be zero or more.")
        cur = self.records.get(what)
        if cur is None:
            self.records[what] = Stock(pieces, unit_price)
        else:
            self.records[what] = cur._replace(pieces=cur.pieces + pieces, unit_price=unit_price)

    def remove(self, what, pieces):
        """Remove pieces or raise ValueError."""
        cur = self.records.get(what, Stock(0, 0))
        if cur.pieces < pieces or what not in self.records:
            raise ValueError(f"Cannot remove {pieces} of {what}: only {cur.pieces} in stock.")
        remaining = cur.pieces - pieces
        if remaining == 0:
            del self.records[what]
        else:
            self.records[what] = cur._replace(pieces=remaining)

    def _ordered(self):
        # sorted by name
        return sorted(self.records.items())

    def to_csv(self):
        out = io.StringIO()
        w = csv.DictWriter(out, fieldnames=HEADER, delimiter=";", lineterminator="\n")
        w.writeheader()
        for nm, st in self._ordered():
            w.writerow({"item": nm, "quantity": st.pieces, "price": st.unit_price})
        return out.getvalue()

    @classmethod
    def from_csv(cls, data):
        """Read csv text (header optional).

        csv.DictReader skips the empty lines for us.
        """
        inv = cls()
        rd = csv.DictReader(data.splitlines(), fieldnames=HEADER, delimiter=";")
        for r in rd:
            line_no = rd.line_num
            if DEBUG:
                print(line_no, r)
            if None in r or r["price"] is None:
                raise ValueError(f"Line {line_no}: expected exactly 3 fields.")
            vals = {k: r[k].strip() for k in HEADER}
            if [vals[k].lower() for k in HEADER] == HEADER:
                continue
            try:
                inv.add(vals["item"], int(vals["quantity"]), float(vals["price"]))
            except ValueError as e:
                raise ValueError(f"Line {line_no}: {e}") from None
        return inv

    def low_stock(self, lim):
        """Names with fewer than lim pieces."""
        return [nm for nm, st in self._ordered() if st.pieces < lim]

    def restock_plan(self, level):
        need = {}
        for nm, st in self._ordered():
            if st.pieces < level:
                need[nm] = level - st.pieces
        return need
