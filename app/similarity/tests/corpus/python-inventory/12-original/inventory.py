"""Inventory management for a small shop.

Complete the methods below. Do not change the names or signatures.
"""


class Product:
    """
    A product in the shop.

    @param name      the name of the product
    @param quantity  how many units are in stock
    @param price     the price of a single unit
    """

    def __init__(self, name, quantity, price):
        self.name = name
        self.quantity = quantity
        self.price = price

    def getValue(self):
        """@return quantity times price"""
        return self.quantity * self.price

    def toCsvLine(self):
        """@return this product as 'name;quantity;price'"""
        return "%s;%s;%s" % (self.name, self.quantity, self.price)

    def copy(self):
        return Product(self.name, self.quantity, self.price)


class Inventory:
    """A collection of items in stock, each with a quantity and a unit price."""

    CSV_HEADER = "item;quantity;price"

    def __init__(self):
        """Create an empty inventory."""
        self.productMap = {}

    @staticmethod
    def checkValues(quantity, price):
        """
        Checks the values given to add().

        @throws ValueError if quantity is not positive or price is negative
        """
        if quantity <= 0:
            raise ValueError("Invalid quantity: " + repr(quantity))
        if price < 0:
            raise ValueError("Invalid price: " + repr(price))

    def add(self, item, quantity, price):
        """Add `quantity` units of `item` at unit `price`.

        quantity must be > 0 and price >= 0, otherwise raise ValueError.
        If the item already exists, increase its quantity and set the new price.
        """
        Inventory.checkValues(quantity, price)
        existingProduct = self.productMap.get(item)
        if existingProduct is None:
            self.productMap[item] = Product(item, quantity, price)
            return
        existingProduct.quantity = existingProduct.quantity + quantity
        existingProduct.price = price

    def remove(self, item, quantity):
        """Remove `quantity` units of `item`.

        Raise ValueError if there is not enough in stock. An item whose
        quantity reaches 0 is removed from the inventory.
        """
        if not item in self.productMap:
            raise ValueError("Unknown product: " + repr(item))
        product = self.productMap[item]
        if product.quantity < quantity:
            raise ValueError("Insufficient stock for " + repr(item))
        product.quantity = product.quantity - quantity
        if product.quantity == 0:
            self.productMap.pop(item)

    def low_stock(self, limit):
        """Return the names of the items whose quantity is below `limit`, sorted by name."""
        lowProducts = [p.name for p in self.productMap.values() if p.quantity < limit]
        lowProducts.sort()
        return lowProducts

    def restock_plan(self, target):
        """Return a dict item -> number of units to order so that every item
        reaches `target` quantity. Only items below `target` are included.
        """
        orderMap = {}
        for productName, product in self.productMap.items():
            amountMissing = target - product.quantity
            if amountMissing > 0:
                orderMap[productName] = amountMissing
        return orderMap

    def value(self):
        """Return the total value of the stock (sum of quantity * price)."""
        totalValue = 0
        for product in self.productMap.values():
            totalValue += product.getValue()
        return totalValue

    def cheapest(self, n):
        """Return the names of the n cheapest items as a list.

        Items with the same price are ordered by name.
        """
        productList = list(self.productMap.values())
        productList.sort(key=lambda p: p.name)
        productList.sort(key=lambda p: p.price)
        return [p.name for p in productList][0:n]

    @classmethod
    def from_csv(cls, text):
        """Build an Inventory from CSV text with lines `item;quantity;price`.

        The header line is optional and blank lines are ignored. A malformed
        line raises ValueError naming the line number.
        """
        newInventory = cls()
        lineNumber = 0
        for currentLine in text.splitlines():
            lineNumber += 1
            currentLine = currentLine.strip()
            if currentLine == "" or currentLine == cls.CSV_HEADER:
                continue
            columns = currentLine.rsplit(";", 2)
            if len(columns) != 3 or ";" in columns[0] or columns[0].strip() == "":
                raise ValueError("Malformed CSV at line " + str(lineNumber) + ": " + currentLine)
            try:
                productQuantity = int(columns[1])
                productPrice = float(columns[2])
                newInventory.add(columns[0].strip(), productQuantity, productPrice)
            except ValueError as e:
                raise ValueError("Malformed CSV at line " + str(lineNumber) + ": " + str(e))
        return newInventory

    def to_csv(self):
        """Return the inventory as CSV text: a header line `item;quantity;price`
        followed by one line per item.
        """
        csvLines = [Inventory.CSV_HEADER]
        for productName in sorted(self.productMap.keys()):
            csvLines.append(self.productMap[productName].toCsvLine())
        return "\n".join(csvLines) + "\n"


def merge(a, b):
    """Return a new Inventory containing the items of both `a` and `b`.

    Quantities of common items are added and the higher price is kept.
    """
    mergedInventory = Inventory()
    for product in a.productMap.values():
        mergedInventory.productMap[product.name] = product.copy()
    for product in b.productMap.values():
        if product.name in mergedInventory.productMap:
            mergedProduct = mergedInventory.productMap[product.name]
            mergedProduct.quantity += product.quantity
            mergedProduct.price = max(mergedProduct.price, product.price)
        else:
            mergedInventory.productMap[product.name] = product.copy()
    return mergedInventory
