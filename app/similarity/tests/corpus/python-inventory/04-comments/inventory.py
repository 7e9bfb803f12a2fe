# Inventory assignment.
# I used a dataclass for the items, the inventory keeps them in a dict by name.
from __future__ import annotations

from dataclasses import dataclass,replace

HEADER = "item;quantity;price"


@dataclass
class Item:
    """Name, quantity and unit price of one product."""
    name: str
    quantity: int
    price: float


    def total(self) -> float:
        """Value of this item in stock."""
        return self.quantity*self.price


# used by Inventory.from_csv; line_no is only used for the error message
def _parse_row(row: str,line_no: int) -> Item:
    # split on ';' and remove spaces
    fields = [f.strip() for f in row.split(";")]
    if len(fields) != 3 or not fields[0]:
        raise ValueError(f"line {line_no}: expected 'item;quantity;price', got {row!r}")
    name,qty,price = fields
    try:
        return Item(name,int(qty),float(price))
    except ValueError:
        raise ValueError(f"line {line_no}: quantity/price must be numbers") from None


class Inventory:
    """Shop inventory: item name -> Item."""
    def __init__(self) -> None:
        self.catalog: dict[str,Item] = {}


    def add(self,item: str,quantity: int,price: float) -> None:
        """Add stock of one item.

        ValueError if quantity <= 0 or price < 0. For an item that is
        already there the quantity grows and the price is updated.
        """
        if quantity <= 0 or price < 0:
            raise ValueError("quantity must be > 0 and price >= 0")
        if item in self.catalog:
            existing = self.catalog[item]
            existing.quantity += quantity
            existing.price = price
        else:
            self.catalog[item] = Item(item,quantity,price)


    def remove(self,item: str,quantity: int) -> None:
        """Take stock away, delete the item when nothing is left."""
        existing = self.catalog.get(item)
        if existing is None:
            raise ValueError(f"{item} is not in stock")
        if existing.quantity < quantity:
            raise ValueError(f"only {existing.quantity} of {item} left")
        # enough in stock at this point
        existing.quantity -= quantity
        if existing.quantity == 0:
            del self.catalog[item]


    @classmethod
    def from_csv(cls,text: str) -> Inventory:
        """Create an inventory from semicolon separated text.

        The header is optional; empty lines are skipped.
        """
        inventory = cls()
        lines = text.split("\n")
        for index,raw in enumerate(lines):
            line_no = index + 1
            # humans count lines from 1
            if not raw.strip():
                continue
            if raw.strip().lower() == HEADER:
                continue
            entry = _parse_row(raw,line_no)
            if entry.quantity <= 0 or entry.price < 0:
                raise ValueError(f"line {line_no}: invalid quantity or price")
            inventory.add(entry.name,entry.quantity,entry.price)
        return inventory


    def to_csv(self) -> str:
        """Inverse of from_csv."""
        rows = [HEADER]
        rows.extend(f"{it.name};{it.quantity};{it.price}" for it in self.catalog.values())
        return "\n".join(rows) + "\n"


    def value(self) -> float:
        """Total value (quantity * price summed)."""
        return sum(it.total() for it in self.catalog.values())


    def cheapest(self,n: int) -> list[str]:
        """The n cheapest names; on equal price the name decides."""
        ordered = sorted(self.catalog.values(),key=lambda it: (it.price,it.name))
        return [it.name for it in ordered[:n]]


    def low_stock(self,limit: int) -> list[str]:
        """Names with quantity < limit, sorted."""
        names = [it.name for it in self.catalog.values() if it.quantity < limit]
        return sorted(names)


    def restock_plan(self,target: int) -> dict[str,int]:
        """Units to order per item so each reaches target."""
        plan: dict[str,int] = {}
        for it in self.catalog.values():
            if it.quantity < target:
                plan[it.name] = target - it.quantity
        return plan


def merge(a: Inventory,b: Inventory) -> Inventory:
    """Merged copy of a and b (sum of quantities, maximum price)."""
    result = Inventory()
    for item in a.catalog.values():
        # replace() without changes makes a copy
        result.catalog[item.name] = replace(item)
    for item in b.catalog.values():
        mine = result.catalog.get(item.name)
        if mine is None:
            result.catalog[item.name] = replace(item)
        else:
            mine.quantity += item.quantity
            mine.price = max(mine.price,item.price)
    return result
