# Assignment: shop inventory
# stock is a dict of dicts, e.g. {"apple": {"qty": 3, "price": 0.5}}
import csv
import io


class Inventory:
    """Items in the shop with their quantity and price."""
    def __init__(self):
        # filled by add()
        self.stock = {}


    def __len__(self):
        """Number of different items."""
        return len(self.stock)


    def __contains__(self,item):
        """Allows `"apple" in inv`."""
        return item in self.stock


    def add(self,item,quantity,price):
        """Adds stock; a second add of the same item updates its price.

        Raises ValueError on quantity <= 0 or price < 0.
        """
        if not quantity > 0:
            raise ValueError(f"invalid quantity {quantity!r} for {item!r}")
        if not price >= 0:
            raise ValueError(f"invalid price {price!r} for {item!r}")
        # setdefault creates the record the first time we see the item
        entry = self.stock.setdefault(item,{"qty": 0,"price": price})
        entry["qty"] += quantity
        entry["price"] = price


    def remove(self,item,quantity):
        """Removes stock, deleting items that run out. ValueError if too few."""
        entry = self.stock.get(item)
        if entry is None or entry["qty"] < quantity:
            have = entry["qty"] if entry else 0
            raise ValueError(f"cannot remove {quantity} x {item!r}, only {have} in stock")
        entry["qty"] -= quantity
        if entry["qty"] == 0:
            del self.stock[item]


    def value(self):
        """Total worth of everything in the shop."""
        return sum(e["qty"] * e["price"] for e in self.stock.values())


    def cheapest(self,n):
        """n cheapest item names; equal prices are sorted alphabetically."""
        return sorted(self.stock,key=lambda name: (self.stock[name]["price"],name))[:n]


    def low_stock(self,limit):
        """Sorted names of items with qty < limit."""
        return sorted(name for name,e in self.stock.items() if e["qty"] < limit)


    def restock_plan(self,target):
        """What to order so every item has at least `target` pieces."""
        return {name: target - e["qty"] for name,e in self.stock.items() if e["qty"] < target}


    def to_csv(self):
        """Semicolon separated export with header."""
        out = io.StringIO()
        writer = csv.writer(out,delimiter=";",lineterminator="\n")
        # lineterminator: csv would write \r\n by default
        writer.writerow(["item","quantity","price"])
        for name in sorted(self.stock):
            writer.writerow([name,self.stock[name]["qty"],self.stock[name]["price"]])
        return out.getvalue()


    @classmethod
    def from_csv(cls,text):
        """Parse text written by to_csv.

        The header is optional, empty lines are skipped and any broken line
        gives a ValueError with its line number.
        """
        inv = cls()
        rows = csv.reader(text.splitlines(),delimiter=";")
        for lineno,row in enumerate(rows,1):
            cells = [cell.strip() for cell in row]
            if not any(cells):
                # empty line
                continue
            if lineno == 1 and [c.lower() for c in cells] == ["item","quantity","price"]:
                # header, only in the first line
                continue
            try:
                # unpacking fails with ValueError if there are not 3 cells
                name,qty,price = cells
                inv.add(name,int(qty),float(price))
            except ValueError as exc:
                raise ValueError(f"malformed line {lineno}: {exc}") from None
        return inv


def merge(a,b):
    """New inventory with both; quantities summed, max price kept."""
    merged = Inventory()
    for inv in (a,b):
        for name,e in inv.stock.items():
            if name in merged.stock:
                old = merged.stock[name]
                old["qty"] += e["qty"]
                old["price"] = max(old["price"],e["price"])
            else:
                # copy, so the result does not share dicts with a or b
                merged.stock[name] = dict(e)
    return merged
