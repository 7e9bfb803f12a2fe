import csv
import io


# Inventory - articles with units and cost
class Inventory:
    def __init__(self):
        self.articles = {}

    # total value
    def value(self):
        return sum(data["units"] * data["cost"] for data in self.articles.values())

    def cheapest(self, num):
        """The num cheapest articles (by cost, then by name)."""
        return sorted(self.articles, key=lambda art: (self.articles[art]["cost"], art))[:num]

    def low_stock(self, lim):
        """Articles with less than lim units, alphabetically."""
        return sorted(art for art, data in self.articles.items() if data["units"] < lim)

    def restock_plan(self, tgt):
        """How many units of each article to buy to get to tgt."""
        return {art: tgt - data["units"] for art, data in self.articles.items() if data["units"] < tgt}

    # add units, overwrite cost
    def add(self, article, units, unit_cost):
        if not units > 0:
            raise ValueError(f"invalid quantity {units!r} for {article!r}")
        if not unit_cost >= 0:
            raise ValueError(f"invalid price {unit_cost!r} for {article!r}")
        slot = self.articles.setdefault(article, {"units": 0, "cost": unit_cost})
        slot["units"] += units
        slot["cost"] = unit_cost

    def remove(self, article, units):
        """Take units away; ValueError if we do not have that many."""
        slot = self.articles.get(article)
        if slot is None or slot["units"] < units:
            left = slot["units"] if slot else 0
            raise ValueError(f"cannot remove {units} x {article!r}, only {left} in stock")
        remaining = slot["units"] - units
        slot["units"] -= units
        if slot["units"] == 0:
            del self.articles[article]

    # parse the text, header is optional
    @classmethod
    def from_csv(cls, csv_text):
        """Reads lines like  apple;3;0.5  and returns a new Inventory.

        Raises ValueError with the line number when a line can not be read.
        """
        new = cls()
        rdr = csv.reader(csv_text.splitlines(), delimiter=";")
        for no, r in enumerate(rdr, 1):
            parts = [p.strip() for p in r]
            if not any(parts):
                continue
            if no == 1 and [s.lower() for s in parts] == ["item", "quantity", "price"]:
                continue
            try:
                art, u, unit_cost = parts
                new.add(art, int(u), float(unit_cost))
            except ValueError as problem:
                raise ValueError(f"malformed line {no}: {problem}") from None
        return new

    def to_csv(self):
        """Header plus one line per article."""
        sio = io.StringIO()
        wr = csv.writer(sio, delimiter=";", lineterminator="\n")
        wr.writerow(["item", "quantity", "price"])
        for art in sorted(self.articles):
            wr.writerow([art, self.articles[art]["units"], self.articles[art]["cost"]])
        return sio.getvalue()

    def __len__(self):
        return len(self.articles)

    def __contains__(self, article):
        return article in self.articles


VERBOSE = False


def merge(x, y):
    """Merge two inventories into a new one.

    Units are added, the higher cost wins.
    """
    res = Inventory()
    if VERBOSE:
        print(len(x), len(y))
    for new in (x, y):
        for art, data in new.articles.items():
            if art in res.articles:
                mine = res.articles[art]
                mine["units"] += data["units"]
                mine["cost"] = max(mine["cost"], data["cost"])
            else:
                res.articles[art] = dict(data)
    return res
