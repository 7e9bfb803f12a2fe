# small shop inventory
# counts: Counter name -> pieces, units: name -> unit price
from collections import Counter
import heapq
import sys


class Inventory:
    """Shop stock."""
    def __init__(self):
        """Empty inventory."""
        self.counts = Counter()
        self.units = {}

    def add(self, what, howmany, unit):
        """Adds stock, ValueError for bad numbers."""
        if howmany <= 0 or unit < 0:
            raise ValueError(f"bad quantity/price: {howmany}, {unit}")
        # Counter starts at 0 for new names
        self.counts[what] += howmany
        self.units[what] = unit

    def __contains__(self, what):
        return what in self.counts

    def remove(self, what, howmany):
        """Removes stock; deletes empty entries."""
        if what not in self.counts or self.counts[what] < howmany:
            raise ValueError(f"not enough {what}")
        self.counts[what] -= howmany
        if not self.counts[what]:
            del self.counts[what], self.units[what]

    def low_stock(self, lo):
        """Sorted names with less than lo pieces."""
        return sorted(nm for nm in self.counts if self.counts[nm] < lo)

    def value(self):
        """Total value: pieces times unit price, summed."""
        return sum(cnt * self.units[nm] for nm, cnt in self.counts.items())

    def __len__(self):
        return len(self.counts)

    def cheapest(self, top):
        """Names of the `top` cheapest items.

        heapq.nsmallest with a (price, name) key does the sorting.
        """
        return heapq.nsmallest(top, self.units, key=lambda nm: (self.units[nm], nm))

    def restock_plan(self, want):
        """Missing pieces per item."""
        return {nm: want - cnt for nm, cnt in self.counts.items() if cnt < want}

    @classmethod
    def from_csv(cls, data):
        """Parse csv text; errors name the line."""
        obj = cls()
        warnings = []
        for num, s in enumerate(data.splitlines(), 1):
            if not s.strip() or s.replace(" ", "") == "item;quantity;price":
                continue
            try:
                nm, cnt, pr = map(str.strip, s.split(";"))
                if not nm:
                    raise ValueError("empty name")
                obj.add(nm, int(cnt), float(pr))
            except ValueError as err:
                raise ValueError(f"line {num}: {err}") from err
        return obj

    def to_csv(self):
        """Header + sorted lines."""
        out = ["item;quantity;price"]
        out += [f"{nm};{self.counts[nm]};{self.units[nm]}" for nm in sorted(self.counts)]
        return "\n".join(out) + "\n"

    # two inventories are equal if they have the same stock and prices
    def __eq__(self, that):
        if not isinstance(that, Inventory):
            return NotImplemented
        return self.counts == that.counts and self.units == that.units

    def __repr__(self):
        """Readable form, sorted by name."""
        txt = ", ".join(f"{nm}: {self.counts[nm]} @ {self.units[nm]}" for nm in sorted(self.counts))
        return f"Inventory({txt})"


def _dump(inv):
    sys.stderr.write(repr(inv) + "\n")


def merge(one, two):
    """Counter addition sums the pieces; the max price is kept."""
    both = Inventory()
    both.counts = one.counts + two.counts
    both.units = {nm: max(one.units.get(nm, 0), two.units.get(nm, 0)) for nm in both.counts}
    return both
