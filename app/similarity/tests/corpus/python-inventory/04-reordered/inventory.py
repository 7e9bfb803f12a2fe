"""Inventory management for a small shop."""
from __future__ import annotations

from dataclasses import dataclass, replace

HEADER = "item;quantity;price"


@dataclass
class Item:
    """One line of the inventory."""
    name: str
    quantity: int
    price: float

    def total(self) -> float:
        return self.quantity * self.price


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self) -> None:
        """Create an empty inventory."""
        self.catalog: dict[str, Item] = {}

    def value(self) -> float:
        """Return the total value of the stock (sum of quantity * price)."""
        return sum(it.total() for it in self.catalog.values())

    def cheapest(self, n: int) -> list[str]:
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        ordered = sorted(self.catalog.values(), key=lambda it: (it.price, it.name))
        return [it.name for it in ordered[:n]]

    def low_stock(self, limit: int) -> list[str]:
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        names = [it.name for it in self.catalog.values() if it.quantity < limit]
        return sorted(names)

    def restock_plan(self, target: int) -> dict[str, int]:
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        plan: dict[str, int] = {}
        for it in self.catalog.values():
            if it.quantity < target:
                plan[it.name] = target - it.quantity
        return plan

    def to_csv(self) -> str:
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        rows = [HEADER]
        rows.extend(f"{it.name};{it.quantity};{it.price}" for it in self.catalog.values())
        return "\n".join(rows) + "\n"

    @classmethod
    def from_csv(cls, text: str) -> Inventory:
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        inventory = cls()
        lines = text.split("\n")
        for index, raw in enumerate(lines):
            line_no = index + 1
            if not raw.strip():
                continue
            if raw.strip().lower() == HEADER:
                continue
            entry = _parse_row(raw, line_no)
            if entry.quantity <= 0 or entry.price < 0:
                raise ValueError(f"line {line_no}: invalid quantity or price")
            inventory.add(entry.name, entry.quantity, entry.price)
        return inventory

    def remove(self, item: str, quantity: int) -> None:
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        existing = self.catalog.get(item)
        if existing is None:
            raise ValueError(f"{item} is not in stock")
        if existing.quantity < quantity:
            raise ValueError(f"only {existing.quantity} of {item} left")
        existing.quantity -= quantity
        if existing.quantity == 0:
            del self.catalog[item]

    def add(self, item: str, quantity: int, price: float) -> None:
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        if quantity <= 0 or price < 0:
            raise ValueError("quantity must be > 0 and price >= 0")
        if item in self.catalog:
            existing = self.catalog[item]
            existing.quantity += quantity
            existing.price = price
        else:
            self.catalog[item] = Item(item, quantity, price)


def _parse_row(row: str, line_no: int) -> Item:
    """Turn 'name;qty;price' into an Item, or raise ValueError with the line number."""
    fields = [f.strip() for f in row.split(";")]
    if len(fields) != 3 or not fields[0]:
        raise ValueError(f"line {line_no}: expected 'item;quantity;price', got {row!r}")
    name, qty, price = fields
    try:
        return Item(name, int(qty), float(price))
    except ValueError:
        raise ValueError(f"line {line_no}: quantity/price must be numbers") from None


def merge(a: Inventory, b: Inventory) -> Inventory:
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    result = Inventory()
    for item in a.catalog.values():
        result.catalog[item.name] = replace(item)
    for item in b.catalog.values():
        mine = result.catalog.get(item.name)
        if mine is None:
            result.catalog[item.name] = replace(item)
        else:
            mine.quantity += item.quantity
            mine.price = max(mine.price, item.price)
    return result
