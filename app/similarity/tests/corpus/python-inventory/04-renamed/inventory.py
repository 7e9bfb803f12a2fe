"""Inventory management for a small shop."""
from __future__ import annotations

from dataclasses import dataclass, replace

CSV_HEAD = "item;quantity;price"


@dataclass
class Article:
    """One line of the inventory."""
    label: str
    amount: int
    cost: float

    def worth(self) -> float:
        return self.amount * self.cost


def _row_to_article(line: str, lineno: int) -> Article:
    """Turn 'name;qty;price' into an Item, or raise ValueError with the line number."""
    cells = [c.strip() for c in line.split(";")]
    if len(cells) != 3 or not cells[0]:
        raise ValueError(f"line {lineno}: expected 'item;quantity;price', got {line!r}")
    label, amt, cost = cells
    try:
        return Article(label, int(amt), float(cost))
    except ValueError:
        raise ValueError(f"line {lineno}: quantity/price must be numbers") from None


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self) -> None:
        """Create an empty inventory."""
        self.articles: dict[str, Article] = {}

    def add(self, art: str, amount: int, cost: float) -> None:
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        if amount <= 0 or cost < 0:
            raise ValueError("quantity must be > 0 and price >= 0")
        if art in self.articles:
            found = self.articles[art]
            found.amount += amount
            found.cost = cost
        else:
            self.articles[art] = Article(art, amount, cost)

    def remove(self, art: str, amount: int) -> None:
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        found = self.articles.get(art)
        if found is None:
            raise ValueError(f"{art} is not in stock")
        if found.amount < amount:
            raise ValueError(f"only {found.amount} of {art} left")
        found.amount -= amount
        if found.amount == 0:
            del self.articles[art]

    @classmethod
    def from_csv(cls, source: str) -> Inventory:
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        inv = cls()
        all_lines = source.split("\n")
        for i, original in enumerate(all_lines):
            lineno = i + 1
            if not original.strip():
                continue
            if original.strip().lower() == CSV_HEAD:
                continue
            parsed = _row_to_article(original, lineno)
            if parsed.amount <= 0 or parsed.cost < 0:
                raise ValueError(f"line {lineno}: invalid quantity or price")
            inv.add(parsed.label, parsed.amount, parsed.cost)
        return inv

    def to_csv(self) -> str:
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        text_lines = [CSV_HEAD]
        text_lines.extend(f"{article.label};{article.amount};{article.cost}" for article in self.articles.values())
        return "\n".join(text_lines) + "\n"

    def value(self) -> float:
        """Return the total value of the stock (sum of quantity * price)."""
        return sum(article.worth() for article in self.articles.values())

    def cheapest(self, how_many: int) -> list[str]:
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        by_cost = sorted(self.articles.values(), key=lambda article: (article.cost, article.label))
        return [article.label for article in by_cost[:how_many]]

    def low_stock(self, bound: int) -> list[str]:
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        labels = [article.label for article in self.articles.values() if article.amount < bound]
        return sorted(labels)

    def restock_plan(self, goal: int) -> dict[str, int]:
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        orders: dict[str, int] = {}
        for article in self.articles.values():
            if article.amount < goal:
                orders[article.label] = goal - article.amount
        return orders


def merge(first: Inventory, second: Inventory) -> Inventory:
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    combined = Inventory()
    for art in first.articles.values():
        combined.articles[art.label] = replace(art)
    for art in second.articles.values():
        ours = combined.articles.get(art.label)
        if ours is None:
            combined.articles[art.label] = replace(art)
        else:
            ours.amount += art.amount
            ours.cost = max(ours.cost, art.cost)
    return combined
