"""Inventory management for a small shop.

Complete the methods below. Do not change the names or signatures.
"""
from dataclasses import dataclass, field


@dataclass(order=True)
class Product:
    # order=True compares (price, name), so sorting gives cheapest first
    # and equal prices are ordered by name
    price: float
    name: str
    quantity: int = field(compare=False)


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    def __init__(self):
        """Create an empty inventory."""
        self.products = []

    def _lookup(self, item):
        """Return the Product called `item`, or None."""
        for product in self.products:
            if product.name == item:
                return product
        return None

    def add(self, item, quantity, price):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        if quantity <= 0:
            raise ValueError(f"Quantity of {item} must be positive, not {quantity}")
        if price < 0:
            raise ValueError(f"Price of {item} must not be negative, not {price}")
        product = self._lookup(item)
        if product is not None:
            product.quantity += quantity
            product.price = price
        else:
            self.products.append(Product(price=price, name=item, quantity=quantity))

    def remove(self, item, quantity):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        product = self._lookup(item)
        available = product.quantity if product is not None else 0
        if product is None or quantity > available:
            raise ValueError(f"Cannot remove {quantity} {item}: {available} in stock")
        product.quantity -= quantity
        if product.quantity == 0:
            self.products.remove(product)

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        result = 0
        for product in self.products:
            result += product.price * product.quantity
        return result

    def low_stock(self, limit):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        names = []
        for product in self.products:
            if product.quantity < limit:
                names.append(product.name)
        return sorted(names)

    def restock_plan(self, target):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        return {
            product.name: target - product.quantity
            for product in self.products
            if product.quantity < target
        }

    def cheapest(self, n):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        # Product objects know how to compare themselves (see above)
        return [product.name for product in sorted(self.products)[:n]]

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        result = "item;quantity;price\n"
        for product in sorted(self.products, key=lambda p: p.name):
            result += f"{product.name};{product.quantity};{product.price}\n"
        return result

    @classmethod
    def from_csv(cls, text):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        result = cls()
        for position, raw_line in enumerate(text.splitlines()):
            line_number = position + 1
            cleaned = raw_line.strip()
            if not cleaned:
                continue
            if cleaned.replace(" ", "").lower() == "item;quantity;price":
                continue
            if cleaned.count(";") != 2:
                raise ValueError(f"Line {line_number}: wrong number of fields in {cleaned!r}")
            name, quantity_str, price_str = (part.strip() for part in cleaned.split(";"))
            if not name:
                raise ValueError(f"Line {line_number}: item name is missing")
            try:
                result.add(name, int(quantity_str), float(price_str))
            except ValueError as err:
                raise ValueError(f"Line {line_number}: {err}") from err
        return result


def merge(a, b):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    combined = Inventory()
    for product in a.products + b.products:
        existing = combined._lookup(product.name)
        if existing is None:
            combined.products.append(Product(product.price, product.name, product.quantity))
        else:
            existing.quantity += product.quantity
            existing.price = max(existing.price, product.price)
    return combined
