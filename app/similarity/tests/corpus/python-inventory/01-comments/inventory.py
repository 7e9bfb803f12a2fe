# inventory.py
# A small shop inventory (exercise sheet 5).
# Every item is stored as a tuple (quantity, price).
HEADER="item;quantity;price"


class Inventory:
    def __init__(self):
        """Start with nothing in stock."""
        # dictionary: name of item -> (how many, price per piece)
        self._items={}


    def add(self,item,quantity,price):
        """Put some pieces of an item into the inventory.

        Raises ValueError for a non-positive quantity or a negative price.
        """
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        if price < 0:
            raise ValueError("price cannot be negative")
        old_quantity=0
        # look up how many we had before (0 for a new item)
        if item in self._items:
            old_quantity=self._items[item][0]
        self._items[item]=(old_quantity+quantity,price)


    def remove(self,item,quantity):
        """Take pieces out; the item is deleted when none are left."""
        if item not in self._items:
            raise ValueError("no such item: "+str(item))
        current,price=self._items[item]
        if quantity > current:
            raise ValueError("not enough "+str(item)+" in stock")
        # nothing left -> forget the item
        if quantity == current:
            del self._items[item]
        else:
            self._items[item]=(current - quantity,price)


    def value(self):
        """Sum of quantity * price over all items."""
        total=0
        for quantity,price in self._items.values():
            total += quantity*price
        return total


    def cheapest(self,n):
        """Names of the n items with the lowest price (ties: alphabetical)."""
        pairs=[]
        for item,(quantity,price) in self._items.items():
            pairs.append((price,item))
        # (price, name) tuples: comparing tuples handles the tie-break for us
        pairs.sort()
        result=[]
        for price,item in pairs[:n]:
            result.append(item)
        return result


    def low_stock(self,limit):
        """Alphabetical list of items with fewer than `limit` pieces."""
        result=[]
        for item in sorted(self._items):
            if self._items[item][0] < limit:
                result.append(item)
        return result


    def restock_plan(self,target):
        """How much to order of every item that has less than `target`."""
        plan={}
        for item,(quantity,price) in self._items.items():
            if quantity < target:
                plan[item]=target - quantity
        return plan


    def to_csv(self):
        """Export as text, one item per line, sorted by name."""
        lines=[HEADER]
        for item in sorted(self._items):
            quantity,price=self._items[item]
            lines.append(item+";"+str(quantity)+";"+str(price))
        return "\n".join(lines)+"\n"


    @classmethod
    def from_csv(cls,text):
        """Import from text produced by to_csv (header optional).

        Errors mention the line number, counting from 1.
        """
        inventory=cls()
        for number,line in enumerate(text.splitlines(),start=1):
            line=line.strip()
            if line == "":
                continue
            if line == HEADER:
                continue
            # a correct line looks like  name;quantity;price
            parts=line.split(";")
            if len(parts) != 3:
                raise ValueError("line "+str(number)+": expected 3 fields")
            try:
                quantity=int(parts[1])
                price=float(parts[2])
            except ValueError:
                raise ValueError("line "+str(number)+": bad number")
            try:
                inventory.add(parts[0].strip(),quantity,price)
            except ValueError as error:
                raise ValueError("line "+str(number)+": "+str(error))
        return inventory


def merge(a,b):
    """Combine two inventories into a new one (a and b are not changed)."""
    result=Inventory()
    for item,(quantity,price) in a._items.items():
        result._items[item]=(quantity,price)
    # copy a first, then fold b into it
    for item,(quantity,price) in b._items.items():
        if item in result._items:
            old_quantity,old_price=result._items[item]
            result._items[item]=(old_quantity+quantity,max(old_price,price))
        else:
            result._items[item]=(quantity,price)
    return result
