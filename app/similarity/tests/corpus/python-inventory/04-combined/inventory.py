# inventory.py - shop stock
from __future__ import annotations

from dataclasses import dataclass, replace

FIRST_LINE = "item;quantity;price"


def _parse(s: str, num: int) -> Entry:
    """Parse one csv line."""
    bits = [piece.strip() for piece in s.split(";")]
    if len(bits) != 3 or not bits[0]:
        raise ValueError(f"line {num}: expected 'item;quantity;price', got {s!r}")
    title, st, unit = bits
    try:
        return Entry(title, int(st), float(unit))
    except ValueError:
        raise ValueError(f"line {num}: quantity/price must be numbers") from None


# one product
@dataclass
class Entry:
    title: str
    stock: int
    unit: float

    def subtotal(self) -> float:
        return self.stock * self.unit


class Inventory:
    def __init__(self) -> None:
        self.by_title: dict[str, Entry] = {}

    def remove(self, what: str, stock: int) -> None:
        """remove stock, ValueError if too little"""
        cur = self.by_title.get(what)
        if cur is None:
            raise ValueError(f"{what} is not in stock")
        if cur.stock < stock:
            raise ValueError(f"only {cur.stock} of {what} left")
        cur.stock -= stock
        if cur.stock == 0:
            del self.by_title[what]

    def add(self, what: str, stock: int, unit: float) -> None:
        """add stock (new unit price replaces the old one)"""
        if stock <= 0 or unit < 0:
            raise ValueError("quantity must be > 0 and price >= 0")
        if what in self.by_title:
            cur = self.by_title[what]
            cur.stock += stock
            cur.unit = unit
        else:
            self.by_title[what] = Entry(what, stock, unit)

    def to_csv(self) -> str:
        csv_rows = [FIRST_LINE]
        if False:
            csv_rows.sort()
        csv_rows.extend(f"{x.title};{x.stock};{x.unit}" for x in self.by_title.values())
        return "\n".join(csv_rows) + "\n"

    def value(self) -> float:
        return sum(x.subtotal() for x in self.by_title.values())

    @classmethod
    def from_csv(cls, txt: str) -> Inventory:
        res = cls()
        parts = txt.split("\n")
        count_bad = 0
        for k, ln in enumerate(parts):
            num = k + 1
            if not ln.strip():
                continue
            if ln.strip().lower() == FIRST_LINE:
                continue
            e = _parse(ln, num)
            if e.stock <= 0 or e.unit < 0:
                raise ValueError(f"line {num}: invalid quantity or price")
            res.add(e.title, e.stock, e.unit)
        return res

    def restock_plan(self, level: int) -> dict[str, int]:
        need: dict[str, int] = {}
        for x in self.by_title.values():
            if x.stock < level:
                need[x.title] = level - x.stock
        return need

    def cheapest(self, count: int) -> list[str]:
        srt = sorted(self.by_title.values(), key=lambda x: (x.unit, x.title))
        return [x.title for x in srt[:count]]

    def low_stock(self, under: int) -> list[str]:
        out = [x.title for x in self.by_title.values() if x.stock < under]
        return sorted(out)


# merge two inventories into a new one
def merge(inv1: Inventory, inv2: Inventory) -> Inventory:
    new_inv = Inventory()
    for what in inv1.by_title.values():
        new_inv.by_title[what.title] = replace(what)
    for what in inv2.by_title.values():
        have = new_inv.by_title.get(what.title)
        if have is None:
            new_inv.by_title[what.title] = replace(what)
        else:
            have.stock += what.stock
            have.unit = max(have.unit, what.unit)
    return new_inv
