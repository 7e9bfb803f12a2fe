# Inventory (homework)
# rows: list of [name, qty, prc]


class Inventory:
    def __init__(self):
        self.rows = []

    def where(self, name):
        """index of name in self.rows or -1"""
        for idx in range(len(self.rows)):
            if self.rows[idx][0] == name:
                return idx
        return -1

    def remove(self, name, qty):
        """remove qty pieces of name"""
        idx = self.where(name)
        if idx == -1:
            raise ValueError("Item not found")
        if self.rows[idx][1] < qty:
            raise ValueError("Not enough items in stock")
        self.rows[idx][1] = self.rows[idx][1] - qty
        if self.rows[idx][1] == 0:
            # gone
            self.rows.pop(idx)

    def add(self, name, qty, prc):
        """add qty pieces of name for price prc"""
        if qty <= 0:
            raise ValueError("Quantity has to be greater than 0")
        if prc < 0:
            raise ValueError("Price can't be negative")
        idx = self.where(name)
        if idx == -1:
            self.rows.append([name, qty, prc])
        else:
            self.rows[idx][1] = self.rows[idx][1] + qty
            self.rows[idx][2] = prc

    def cheapest(self, num):
        ordered = []
        swaps = 0
        for r in self.rows:
            ordered.append(r)
        ordered.sort(key=lambda r: (r[2], r[0]))
        out = []
        for r in ordered:
            if len(out) == num:
                break
            out.append(r[0])
        return out

    def value(self):
        """value of everything"""
        tot = 0
        for r in self.rows:
            tot = tot + r[1] * r[2]
        return tot

    def low_stock(self, lim):
        out = []
        for r in self.rows:
            if r[1] < lim:
                out.append(r[0])
        out.sort()
        return out

    @classmethod
    def from_csv(cls, txt):
        res = cls()
        all_lines = txt.split("\n")
        debug = False
        ln = 0
        for l in all_lines:
            ln = ln + 1
            l = l.strip()
            if l == "":
                continue
            if ln == 1 and l == "item;quantity;price":
                continue
            cols = l.split(";")
            if debug:
                print(ln, cols)
            if len(cols) != 3:
                raise ValueError("Malformed line " + str(ln))
            nm = cols[0].strip()
            q_str = cols[1].strip()
            p_str = cols[2].strip()
            if nm == "" or not q_str.isdigit() or not numeric(p_str):
                raise ValueError("Malformed line " + str(ln))
            if int(q_str) == 0 or float(p_str) < 0:
                raise ValueError("Malformed line " + str(ln))
            res.add(nm, int(q_str), float(p_str))
        return res

    def to_csv(self):
        txt = "item;quantity;price\n"
        for r in self.rows:
            txt = txt + r[0] + ";" + str(r[1]) + ";" + str(r[2]) + "\n"
        return txt

    def restock_plan(self, goal):
        p = {}
        for r in self.rows:
            if r[1] < goal:
                p[r[0]] = goal - r[1]
        return p


# helper: can txt be converted to float?
def numeric(txt):
    try:
        float(txt)
        return True
    except ValueError:
        return False


def merge(x, y):
    """x and y together in a new inventory"""
    z = Inventory()
    for r in x.rows:
        z.add(r[0], r[1], r[2])
    for r in y.rows:
        idx = z.where(r[0])
        if idx == -1:
            z.add(r[0], r[1], r[2])
        else:
            z.rows[idx][1] = z.rows[idx][1] + r[1]
            if r[2] > z.rows[idx][2]:
                z.rows[idx][2] = r[2]
    return z
