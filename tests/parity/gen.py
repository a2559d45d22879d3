#!/usr/bin/env python3
"""gen.py - from a seed, a random .feat file with events and a spine that both paths must agree on.

Usage: gen.py SEED OUTDIR        writes OUTDIR/case.feat, event files, spine.csv and args
       gen.py --model SEED FILE  writes the case's model (JSON) for shrink.py

The output depends only on the seed (random.Random(seed), no clock, no hash ordering).
The model is plain data (dicts and lists) so that shrink.py can delete parts of it and
render it again with render().
"""
import datetime
import json
import os
import random
import sys

US = 1_000_000
MIN, HOUR, DAY = 60 * US, 3600 * US, 86400 * US
EPOCH = datetime.datetime(1970, 1, 1)
RESERVED = set("""entity stream table request features on_demand service on by where let over hop
    default ttl time seq lateness expect and or not is null in case when then else end true
    false arrival max_ahead unique none session""".split())
INT64_MAX, INT64_MIN = 2**63 - 1, -2**63

# Durations used for windows, with the hops that divide them.
WINDOWS = [
    (250 * 1000, [50 * 1000, 250 * 1000]),
    (1 * US, [1 * US]),
    (30 * US, [10 * US, 15 * US]),
    (1 * MIN, [20 * US, 1 * MIN]),
    (10 * MIN, [1 * MIN, 5 * MIN]),
    (1 * HOUR, [1 * MIN, 15 * MIN, 1 * HOUR]),
    (6 * HOUR, [1 * HOUR, 2 * HOUR]),
    (1 * DAY, [1 * HOUR, 6 * HOUR, 1 * DAY]),
    (7 * DAY, [1 * DAY]),
]

STRINGS = ["a", "b", "B", "ab", "abc", "Zz", "", "é", "Ést", "ß", "日本語", "x,y", 'say "hi"',
           "two\nlines", "12", "-3.5", "1e3", ".5", "+7", " 7", "9223372036854775808", "m", "Mm",
           "it's", "naïve", "\u00e9t\u00e9"]
INT_LITS = ["0", "1", "2", "3", "7", "10", "100", "1000", "-1", "-5", "9223372036854775807",
            "-9223372036854775808"]
FLOAT_LITS = ["0.5", "2.5", "0.1", "1e3", "2E-3", "1.0", "3.0", "100.25", "0.0", "0.25", "1e17"]
EXACT_FLOAT_LITS = ["0.5", "2.5", "1.0", "3.0", "0.25", "100.25", "0.0"]
STRING_LITS = ["'a'", "''", "'it''s'", "'é'", "'日本'", "'M'", "'abc'", "'x,y'", "'b'", "'Zz'"]


def dur_text(us):
    for unit, size in (("d", DAY), ("h", HOUR), ("m", MIN), ("s", US), ("ms", 1000)):
        if us % size == 0:
            return "%d%s" % (us // size, unit)
    raise ValueError(us)


def qn(name):
    """A name as written in a .feat file (backticks for reserved words)."""
    return "`%s`" % name if name in RESERVED else name


def paren(s):
    return "(" + s + ")"


# ---------------------------------------------------------------------------------------
# Expressions: typed random expressions over a set of columns.
# A column is (text, type, exact): exact floats are dyadic rationals whose sums are exact.
# ---------------------------------------------------------------------------------------

class Expr:
    def __init__(self, r, cols, od=False):
        self.r = r
        self.cols = cols  # list of (text, type, exact)
        self.od = od      # on_demand: now() allowed

    def col(self, t, exact=False):
        c = [x for x in self.cols if x[1] == t and (not exact or x[2] or t == "int")]
        return self.r.choice(c)[0] if c else None

    def lit(self, t, exact=False):
        r = self.r
        if t == "int":
            v = r.choice(INT_LITS)
            return paren(v) if v.startswith("-") else v
        if t == "float":
            return r.choice(EXACT_FLOAT_LITS if exact else FLOAT_LITS)
        if t == "string":
            return r.choice(STRING_LITS)
        if t == "bool":
            return r.choice(["true", "false"])
        if t == "timestamp":
            c = self.col("timestamp")
            if c is None:
                return "now()" if self.od else None
            return paren(c + " + " + dur_text(r.choice([US, MIN, HOUR, DAY])))
        raise ValueError(t)

    def leaf(self, t, exact=False):
        r = self.r
        c = self.col(t, exact)
        if c is not None and r.random() < 0.75:
            return c
        if t == "bool" and r.random() < 0.7:
            # a column compared with a literal reads data, unlike a bare true/false
            u = r.choice(["int", "float", "string", "int"])
            x = self.col(u)
            if x is not None:
                return paren("%s %s %s" % (x, r.choice(["=", "!=", "<", "<=", ">", ">="]), self.lit(u)))
        if t == "timestamp" and self.od and r.random() < 0.5:
            return "now()"
        v = self.lit(t, exact)
        if v is None:
            return c
        return v

    def gen(self, t, depth=2, exact=False):
        """An expression of type t; exact floats use only operations that keep sums exact."""
        r = self.r
        if depth <= 0 or r.random() < 0.3:
            e = self.leaf(t, exact)
            if e is not None:
                return e
        if exact and t == "float":
            return self.exact_float(depth)
        return getattr(self, "gen_" + t)(depth - 1)

    def exact_float(self, d):
        r = self.r
        k = r.randrange(8)
        a = lambda: self.gen("float", d - 1, exact=True)
        if k == 0:
            return paren(a() + r.choice([" + ", " - "]) + a())
        if k == 1:
            return paren(a() + " * " + r.choice(["2", "0.5", "-1", "0.25", "3"]))
        if k == 2:
            return r.choice(["abs", "floor", "ceil"]) + paren(a())
        if k == 3:
            return paren("-" + a())
        if k == 4:
            return "coalesce(%s, %s)" % (a(), a())
        if k == 5:
            return "if(%s, %s, %s)" % (self.gen("bool", d - 1), a(), a())
        if k == 6:
            return "to_float(%s)" % self.gen_small_int(d - 1)
        return self.leaf("float", exact=True) or "0.5"

    def gen_small_int(self, d):
        """An int expression that stays far from overflow (for exact float inputs)."""
        r = self.r
        c = [x[0] for x in self.cols if x[1] == "int" and x[2]]
        if c and r.random() < 0.7:
            return r.choice(c)
        return r.choice(["1", "2", "3", "10", "(-4)"])

    def gen_bool(self, d):
        r = self.r
        k = r.randrange(12)
        if k <= 2:
            t = r.choice(["int", "float", "string", "timestamp", "int", "float", "bool"])
            a, b = self.gen(t, d), self.gen(t if t != "int" or r.random() < 0.7 else "float", d)
            if a is None or b is None:
                return self.lit("bool")
            return paren("%s %s %s" % (a, r.choice(["=", "!=", "<", "<=", ">", ">="]), b))
        if k == 3:
            return paren("%s %s %s" % (self.gen("bool", d), r.choice(["and", "or"]), self.gen("bool", d)))
        if k == 4:
            return paren("not " + self.gen("bool", d))
        if k == 5:
            t = r.choice(["int", "float", "string", "bool", "timestamp"])
            e = self.gen(t, d)
            return self.lit("bool") if e is None else paren(e + r.choice([" is null", " is not null"]))
        if k == 6:
            t = r.choice(["int", "string", "float"])
            items = [self.lit(t) for _ in range(r.randint(1, 4))]
            if r.random() < 0.2:
                items.append("null")
            return paren("%s %s (%s)" % (self.gen(t, d), r.choice(["in", "not in"]), ", ".join(items)))
        if k == 7:
            return "%s(%s, %s)" % (r.choice(["starts_with", "contains"]), self.gen("string", d), self.gen("string", d))
        if k == 8:
            return self.gen_case("bool", d)
        if k == 9:
            return "coalesce(%s, %s)" % (self.gen("bool", d), self.lit("bool"))
        if k == 10:
            return "if(%s, %s, %s)" % (self.gen("bool", d), self.gen("bool", d), self.gen("bool", d))
        return self.leaf("bool")

    def gen_case(self, t, d):
        r = self.r
        parts = ["case"]
        for _ in range(r.randint(1, 3)):
            parts.append("when %s then %s" % (self.gen("bool", d), self.gen(t, d)))
        if r.random() < 0.7:
            parts.append("else " + (self.gen(t, d) if r.random() < 0.85 else "null"))
        parts.append("end")
        return " ".join(parts)

    def gen_int(self, d):
        r = self.r
        k = r.randrange(14)
        g = lambda: self.gen("int", d)
        if k <= 2:
            return paren("%s %s %s" % (g(), r.choice(["+", "-", "*", "%"]), g()))
        if k == 3:
            return paren("-" + g())
        if k == 4:
            return "%s(%s)" % (r.choice(["abs", "floor", "ceil", "round"]), g())
        if k == 5:
            return "length(%s)" % self.gen("string", d)
        if k == 6:
            return "to_int(%s)" % self.gen(r.choice(["float", "bool", "string"]), d)
        if k == 7:
            ts = self.gen("timestamp", d)
            return self.leaf("int") if ts is None else "%s(%s)" % (r.choice(["hour_of_day", "day_of_week"]), ts)
        if k == 8:
            return "%s(%s)" % (r.choice(["coalesce", "least", "greatest"]), ", ".join(g() for _ in range(r.randint(1, 3))))
        if k == 9:
            return self.gen_case("int", d)
        if k == 10:
            return "if(%s, %s, %s)" % (self.gen("bool", d), g(), g())
        return self.leaf("int")

    def gen_float(self, d):
        r = self.r
        k = r.randrange(18)
        g = lambda: self.gen(r.choice(["float", "float", "int"]), d)
        f = lambda: self.gen("float", d)
        if k <= 2:
            a, b = (f(), g()) if r.random() < 0.5 else (g(), f())
            return paren("%s %s %s" % (a, r.choice(["+", "-", "*", "/"]), b))
        if k == 3:
            return "%s(%s)" % (r.choice(["sqrt", "ln", "exp", "abs", "floor", "ceil"]), self.gen("float", d))
        if k == 4:
            return "pow(%s, %s)" % (g(), r.choice(["2", "0.5", "3", "-1", "1.5"]) if r.random() < 0.7 else g())
        if k == 5:
            n = r.choice(["", ", 0", ", 1", ", 2", ", 3", ", 15"])
            return "round(%s%s)" % (self.gen("float", d), n)
        if k == 6:
            return "to_float(%s)" % self.gen(r.choice(["int", "string"]), d)
        if k == 7:
            a, b = self.gen("timestamp", d), self.gen("timestamp", d)
            if a is None or b is None:
                return self.leaf("float")
            return "seconds_between(%s, %s)" % (a, b)
        if k == 8:
            return "haversine_km(%s)" % ", ".join(self.gen("float", d) for _ in range(4))
        if k == 9:
            return "%s(%s)" % (r.choice(["coalesce", "least", "greatest"]), ", ".join([f()] + [g() for _ in range(r.randint(0, 2))]))
        if k == 10:
            return self.gen_case("float", d)
        if k == 11:
            return paren("-" + self.gen("float", d))
        return self.leaf("float")

    def gen_string(self, d):
        r = self.r
        k = r.randrange(12)
        g = lambda: self.gen("string", d)
        if k <= 1:
            return paren(g() + " || " + g())
        if k == 2:
            return "%s(%s)" % (r.choice(["lower", "upper"]), g())
        if k == 3:
            start = r.choice(["1", "2", "0", "(-1)", "3"]) if r.random() < 0.7 else self.gen("int", d)
            n = r.choice(["0", "1", "2", "5", "(-1)"]) if r.random() < 0.7 else self.gen("int", d)
            return "substr(%s, %s, %s)" % (g(), start, n)
        if k == 4:
            t = r.choice(["int", "bool", "string", "timestamp"])
            e = self.gen(t, d)
            return g() if e is None else "to_string(%s)" % e
        if k == 5:
            return "geohash(%s, %s, %d)" % (self.gen("float", d), self.gen("float", d), r.randint(1, 12))
        if k == 6:
            return self.gen_case("string", d)
        if k == 7:
            return "%s(%s)" % (r.choice(["coalesce", "least", "greatest"]), ", ".join(g() for _ in range(r.randint(1, 3))))
        return self.leaf("string")

    def gen_timestamp(self, d):
        r = self.r
        base = self.leaf("timestamp")
        if base is None:
            return None
        k = r.randrange(6)
        if k == 0:
            return paren("%s %s %s" % (base, r.choice(["+", "-"]), dur_text(r.choice([US, MIN, HOUR, DAY, 7 * DAY]))))
        if k == 1:
            other = self.gen("timestamp", d)
            return "%s(%s, %s)" % (r.choice(["coalesce", "least", "greatest"]), base, other)
        if k == 2:
            return "case when %s then %s else %s end" % (self.gen("bool", d), base, self.gen("timestamp", d))
        return base


# ---------------------------------------------------------------------------------------
# The model: sources, views, on_demand blocks, a service, events and a spine.
# ---------------------------------------------------------------------------------------

# value fields a source may have: (name, type, profile)
FIELD_POOL = [
    ("amount", "float", "dyadic"), ("price", "float", "decimal"), ("big", "float", "huge"),
    ("qty", "int", "small"), ("total", "int", "bigint"), ("label", "string", "words"),
    ("code", "string", "numeric_text"), ("flag", "bool", "bool"), ("seen_at", "timestamp", "near"),
    ("default", "string", "words"), ("Amount", "float", "dyadic"), ("lat", "float", "lat"),
    ("lon", "float", "lon"), ("rank", "int", "small"),
]


class Gen:
    def __init__(self, seed):
        self.seed = seed
        self.r = random.Random(seed)

    def model(self):
        r = self.r
        m = {"seed": self.seed}
        era = r.random()
        base = (datetime.datetime(2026, 3, 1) if era < 0.8 else datetime.datetime(1969, 12, 31, 22)
                if era < 0.92 else datetime.datetime(1900, 1, 1) if era < 0.96 else datetime.datetime(2099, 12, 31))
        m["t0"] = int((base - EPOCH).total_seconds()) * US
        m["span"] = r.choice([2 * HOUR, 12 * HOUR, DAY, 3 * DAY])
        m["sources"] = [self.source(i) for i in range(r.randint(1, 3))]
        if r.random() < 0.35:
            m["sources"].append(self.source(len(m["sources"]), table=True))
        m["request"] = self.request()
        m["views"] = []
        for i in range(r.randint(1, 4)):
            m["views"].append(self.view(m, i))
        m["blocks"] = self.blocks(m)
        m["service"] = self.service(m)
        self.events(m)
        self.spine(m)
        return m

    # -- declarations --

    def source(self, i, table=False):
        r = self.r
        names = ["clicks", "orders", "pings", "payments"]
        name = "profiles" if table else names[i]
        fields = [{"name": "uid", "type": "string", "not_null": r.random() < 0.5, "profile": "uid"},
                  {"name": "gid", "type": "int", "not_null": r.random() < 0.5, "profile": "gid"}]
        if r.random() < 0.3:
            fields.append({"name": "payer", "type": "string", "not_null": False, "profile": "uid"})
        for name_, t, prof in r.sample(FIELD_POOL, r.randint(3, 7)):
            if any(f["name"].lower() == name_.lower() for f in fields):
                continue  # names may not differ only in case
            fields.append({"name": name_, "type": t, "not_null": r.random() < 0.1, "profile": prof})
        seq = None
        if r.random() < 0.5:
            seq = r.choice(["offset", "seq_no"])
            fields.append({"name": seq, "type": "int", "not_null": False, "profile": "seq"})
        time = "updated_at" if table else r.choice(["ts", "ts", "event_time", "time"])
        fields.append({"name": time, "type": "timestamp", "not_null": True, "profile": "time"})
        r.shuffle(fields)
        src = {"name": name, "kind": "table" if table else "stream", "fields": fields, "time": time, "seq": seq,
               "lateness": r.choice([0, 0, US, 10 * US, MIN, 10 * MIN]), "expects": [],
               "table": None, "format": r.choice(["jsonl", "csv"])}
        numeric = [f for f in fields if f["type"] in ("int", "float") and f["profile"] in ("dyadic", "small", "decimal")]
        if numeric and r.random() < 0.4:
            f = r.choice(numeric)
            src["expects"].append("%s >= %s" % (qn(f["name"]), "-900" if f["type"] == "int" else "-900.5"))
        strings = [f for f in fields if f["type"] == "string" and f["profile"] == "words"]
        if strings and r.random() < 0.2:
            src["expects"].append("%s is null or length(%s) <= 8" % (qn(strings[0]["name"]), qn(strings[0]["name"])))
        if r.random() < 0.25:
            src["table"] = r.choice(["raw_" + name, "Events_" + name, "raw." + name])
        self.arrival_rules(src, table)
        return src

    def arrival_rules(self, src, table):
        """Streams: sometimes an arrival field with a max_ahead, sometimes a unique event id.
        (Drawn last, so that the rest of a seed's case stays as it was.)"""
        r = self.r
        src["arrival"] = src["unique"] = None
        src["max_ahead"] = None  # None: the default (1d); 0: `max_ahead none`
        if table:
            return
        if r.random() < 0.4:
            name = r.choice(["received_at", "arrival", "recv"])
            src["fields"].insert(r.randrange(len(src["fields"]) + 1),
                                 {"name": name, "type": "timestamp", "not_null": True, "profile": "arrival"})
            src["arrival"] = name
            src["max_ahead"] = r.choice([None, None, 10 * MIN, HOUR, 0])
        elif r.random() < 0.2:
            src["max_ahead"] = r.choice([HOUR, 0])
        if r.random() < 0.4:
            name, t = r.choice([("event_id", "string"), ("event_id", "int"), ("unique", "string"), ("msg_no", "int")])
            src["fields"].insert(r.randrange(len(src["fields"]) + 1),
                                 {"name": name, "type": t, "not_null": False, "profile": "event_id"})
            src["unique"] = name

    def request(self):
        r = self.r
        fields = []
        if r.random() < 0.5:
            fields.append({"name": "uid", "type": "string", "not_null": True, "profile": "uid"})
        for name, t, prof in [("x", "float", "dyadic"), ("n", "int", "small"), ("s", "string", "words"),
                              ("lat", "float", "lat"), ("lon", "float", "lon"), ("at", "timestamp", "near"),
                              ("ok", "bool", "bool"), ("code", "string", "numeric_text")]:
            if r.random() < 0.7:
                fields.append({"name": name, "type": t, "not_null": False, "profile": prof})
        if not fields:
            fields.append({"name": "x", "type": "float", "not_null": False, "profile": "dyadic"})
        return {"name": "req", "fields": fields}

    def row_cols(self, src, lets):
        cols = []
        for f in src["fields"]:
            exact = f["type"] == "float" and f["profile"] == "dyadic" or f["type"] == "int" and f["profile"] in ("small", "seq", "gid")
            cols.append((qn(f["name"]), f["type"], exact))
        for l in lets:
            cols.append((l["name"], l["type"], l["exact"]))
        return cols

    def view(self, m, i):
        r = self.r
        src = r.choice(m["sources"])
        entity = r.choice(["user", "grp", "pair", "user"])
        mapping = None
        has_payer = any(f["name"] == "payer" for f in src["fields"])
        if entity == "user" and has_payer and r.random() < 0.5:
            mapping = "payer"
        v = {"name": ["act", "stats", "recent", "hist"][i], "source": src["name"], "entity": entity,
             "mapping": mapping, "wheres": [], "lets": [], "features": []}
        if r.random() < 0.4:
            v["wheres"].append({"expr": Expr(r, self.row_cols(src, [])).gen("bool", 2), "after_lets": False})
        for k in range(r.choice([0, 0, 1, 2])):
            t = r.choice(["int", "float", "bool", "string", "float"])
            exact = t == "float" and r.random() < 0.6
            e = Expr(r, self.row_cols(src, v["lets"])).gen(t, 2, exact=exact)
            v["lets"].append({"name": "l%d" % k, "type": t, "expr": e, "exact": exact or t == "int"})
        if v["lets"] and r.random() < 0.3:
            v["wheres"].append({"expr": Expr(r, self.row_cols(src, v["lets"])).gen("bool", 1), "after_lets": True})
        names = set()
        for k in range(r.randint(2, 8)):
            f = self.feature(src, v, k)
            if f["name"] not in names:
                names.add(f["name"])
                v["features"].append(f)
        return v

    def feature(self, src, v, k):
        r = self.r
        ex = Expr(r, self.row_cols(src, v["lets"]))
        agg = r.choice(["count", "count_rows", "sum", "avg", "min", "max", "first", "last", "variance",
                        "stddev", "count_distinct", "sum", "last", "count_rows"])
        if agg == "count_rows":
            text, rtype = "count()", "int"
        elif agg == "count":
            t = r.choice(["int", "float", "string", "bool", "timestamp"])
            arg = ex.col(t) if r.random() < 0.6 else None
            text, rtype = "count(%s)" % (arg or ex.gen(t, 1) or ex.gen("int", 1)), "int"
        elif agg in ("sum", "avg", "variance", "stddev"):
            t = r.choice(["int", "float", "float"])
            if t == "float" and agg in ("sum", "avg") and r.random() < 0.3:
                pos = [f for f in src["fields"] if f["profile"] in ("decimal", "huge")]
                arg = qn(r.choice(pos)["name"]) if pos else ex.gen("float", 2, exact=True)
            elif t == "float":
                arg = ex.gen("float", 2, exact=True)
            else:
                arg = ex.gen_small_int(1) if agg in ("variance", "stddev") else ex.gen("int", 2)
            text = "%s(%s)" % (agg, arg)
            rtype = t if agg == "sum" else "float"
        elif agg in ("min", "max"):
            t = r.choice(["int", "float", "string", "timestamp"])
            arg = ex.gen(t, 2) or ex.gen("int", 2)
            t = t if arg is not None and (t != "timestamp" or ex.col("timestamp")) else "int"
            text, rtype = "%s(%s)" % (agg, arg), t
        elif agg in ("first", "last"):
            t = r.choice(["int", "float", "string", "timestamp", "bool", "timestamp"])
            arg = ex.col(t) if r.random() < 0.5 else None
            text, rtype = "%s(%s)" % (agg, arg or ex.gen(t, 2)), t
        else:
            t = r.choice(["int", "string", "bool"])
            arg = ex.col(t) if r.random() < 0.6 else None
            text, rtype = "count_distinct(%s)" % (arg or ex.gen(t, 1)), "int"
        w = r.random()
        window = None
        if w < 0.55:
            d, hops = r.choice(WINDOWS)
            window = [d, None]
            if r.random() < 0.35:
                window = [d, r.choice(hops)]
        if window:
            text += " over " + dur_text(window[0])
            if window[1]:
                text += " hop " + dur_text(window[1])
        if r.random() < 0.3:
            text += " where " + ex.gen("bool", 1)
        ttl = None
        if window is None and agg in ("first", "last") and r.random() < 0.5:
            ttl = r.choice([US, MIN, HOUR, DAY])
            text += " ttl " + dur_text(ttl)
        if r.random() < 0.25 and rtype != "timestamp":
            text += " default " + {"int": r.choice(["0", "-1", "42"]), "float": r.choice(["0", "0.5", "-2.5"]),
                                   "string": r.choice(["'none'", "''"]), "bool": "false"}[rtype]
        name = "%s_%d" % (agg.replace("_rows", ""), k)
        return {"name": name, "text": text, "type": rtype, "window": window, "ttl": ttl}

    def blocks(self, m):
        r = self.r
        if r.random() < 0.15:
            return []
        views = r.sample(m["views"], r.randint(1, len(m["views"])))
        cols = [("req." + qn(f["name"]), f["type"], False) for f in m["request"]["fields"]]
        for v in views:
            for f in v["features"]:
                cols.append(("%s.%s" % (v["name"], f["name"]), f["type"], False))
        ex = Expr(r, cols, od=True)
        feats = []
        for k in range(r.randint(1, 6)):
            t = r.choice(["int", "float", "string", "bool", "timestamp", "float"])
            e = ex.gen(t, 3)
            if e is None:
                continue
            feats.append({"name": "o%d" % k, "type": t, "expr": e})
        if not feats:
            feats.append({"name": "o0", "type": "timestamp", "expr": "now()"})
        blocks = [{"name": "od", "request": True, "views": [v["name"] for v in views], "blocks": [],
                   "features": feats}]
        if r.random() < 0.3:
            c2 = [("od." + f["name"], f["type"], False) for f in feats]
            ex2 = Expr(r, c2, od=True)
            f2 = []
            for k in range(r.randint(1, 3)):
                t = r.choice(["int", "float", "string", "bool"])
                f2.append({"name": "p%d" % k, "type": t, "expr": ex2.gen(t, 2)})
            blocks.append({"name": "od2", "request": False, "views": [], "blocks": ["od"], "features": f2})
        return blocks

    def service(self, m):
        r = self.r
        items = []
        for v in m["views"]:
            if r.random() < 0.5:
                items.append(v["name"] + ".*")
            else:
                for f in v["features"]:
                    if r.random() < 0.6:
                        items.append("%s.%s" % (v["name"], f["name"]))
        for b in m["blocks"]:
            items.append(b["name"] + ".*")
        if not items:
            items.append("%s.%s" % (m["views"][0]["name"], m["views"][0]["features"][0]["name"]))
        return {"name": "svc", "items": items}

    # -- data --

    def value(self, prof, t, key_pool):
        r = self.r
        if prof == "uid":
            return r.choice(key_pool["uid"])
        if prof == "gid":
            return r.choice(key_pool["gid"])
        if prof == "dyadic":
            return r.randint(-8000, 8000) / 8
        if prof == "decimal":
            return round(r.uniform(0.01, 999.99), 2)
        if prof == "huge":
            return r.choice([1e17, 1.0, 2.5, 3e16, 1.0, 0.5, 7.0])
        if prof == "small":
            return r.randint(-1000, 1000)
        if prof == "bigint":
            return r.choice([r.randint(-50, 50), INT64_MAX - r.randint(0, 3), INT64_MIN + r.randint(0, 3),
                             2**62, -2**62, r.randint(-10**15, 10**15)])
        if prof == "words":
            return r.choice(STRINGS)
        if prof == "numeric_text":
            return r.choice(["12", "-3.5", "1e3", ".5", "+7", " 7", "abc", "", "9223372036854775808",
                             "1.", "-0", "2E-2", "0x10", "5"])
        if prof == "bool":
            return r.random() < 0.5
        if prof == "lat":
            return r.choice([r.uniform(-90, 90), 90.0, -90.0, 0.0, 91.5, 45.0, r.randint(-720, 720) / 8])
        if prof == "lon":
            return r.choice([r.uniform(-180, 180), 180.0, -180.0, 0.0, -181.0, r.randint(-1440, 1440) / 8])
        if prof == "seq":
            return r.randint(0, 50)
        raise ValueError(prof)

    def key_pool(self):
        r = self.r
        uids = ["u%d" % i for i in range(r.randint(2, 12))] + ["ü", "U0"]
        gids = list(range(r.randint(1, 6))) + [-3, 2**40]
        return {"uid": uids, "gid": gids}

    def windows_of(self, m, src_name):
        out = set()
        for v in m["views"]:
            if v["source"] != src_name:
                continue
            for f in v["features"]:
                w = f["window"]
                if w:
                    out.add((w[0], w[1]))
                if f["ttl"]:
                    out.add((f["ttl"], None))
        return sorted(out, key=lambda x: (x[0], x[1] or 0))

    def events(self, m):
        r = self.r
        pool = self.key_pool()
        m["keys"] = pool
        t0, span = m["t0"], m["span"]
        grain = [r.choice([1, 1000, US, US]) for _ in range(r.randint(8, 40))]
        m["spine_times"] = sorted(t0 + r.randrange(0, span) // g * g for g in grain)
        for src in m["sources"]:
            evs = []
            hot = r.sample(pool["uid"], min(2, len(pool["uid"])))
            n = r.randint(10, 150)
            for _ in range(n):
                ts = t0 - r.randrange(0, DAY) if r.random() < 0.15 else t0 + r.randrange(0, span)
                evs.append(self.event(src, pool, ts, hot))
            # events exactly on window edges of spine times, and one microsecond inside/outside
            for t in r.sample(m["spine_times"], min(len(m["spine_times"]), 8)):
                for d, h in self.windows_of(m, src["name"]):
                    edge = t - d if h is None else (t - d) // h * h
                    for ts in (edge, edge - 1, t, t - 1):
                        if r.random() < 0.6:
                            evs.append(self.event(src, pool, ts, hot))
                if r.random() < 0.5:
                    evs.append(self.event(src, pool, t, hot))
            # duplicate timestamps (ties broken by seq, then value)
            for e in r.sample(evs, len(evs) // 8):
                d = self.event(src, pool, e["_ts"], hot)
                for kf in ("uid", "gid", "payer"):
                    if kf in e:
                        d[kf] = e[kf]
                evs.append(d)
            if r.random() < 0.1:  # a key with exactly one event, far before everything
                e = self.event(src, pool, t0 - 30 * DAY, hot)
                e["uid"] = "lonely"
                evs.append(e)
            self.order(src, evs)
            src["events"] = evs

    def event(self, src, pool, ts, hot):
        r = self.r
        e = {"_ts": ts}
        for f in src["fields"]:
            if f["name"] == src["time"]:
                e[f["name"]] = ts
                continue
            if f["profile"] == "arrival":
                e[f["name"]] = ts  # set to the delivery time by order()
                continue
            if f["profile"] == "event_id":
                self.next_id = getattr(self, "next_id", 0) + 1
                e[f["name"]] = None if r.random() < 0.05 else \
                    self.next_id if f["type"] == "int" else "e%d" % self.next_id
                continue
            if not f["not_null"] and r.random() < 0.15:
                e[f["name"]] = None
                continue
            if f["profile"] == "uid" and r.random() < 0.5:
                e[f["name"]] = r.choice(hot)
            elif f["profile"] == "near":
                e[f["name"]] = ts + r.choice([-DAY, -HOUR, -1, 0, 1, MIN, r.randrange(-DAY, DAY)])
            else:
                e[f["name"]] = self.value(f["profile"], f["type"], pool)
        if r.random() < 0.03:
            self.spoil(src, e)
        return e

    def spoil(self, src, e):
        """Makes an event invalid in one of the ways the reader must reject."""
        r = self.r
        f = r.choice(src["fields"])
        kind = r.randrange(4)
        if kind == 0 and f["type"] in ("int", "float", "bool", "timestamp"):
            e[f["name"]] = {"raw": r.choice(["abc", "1.5x", "2026-13-01T00:00:00Z", "tru"])}
        elif kind == 1:
            nn = [x for x in src["fields"] if x["not_null"]]
            e[r.choice(nn)["name"]] = None
        elif kind == 2:
            e[src["time"]] = {"raw": r.choice(["2026-03-01T24:00:00Z", "2026-02-30T00:00:00Z", "yesterday",
                                               "2026-03-01T00:00:00.1234567Z"])}
        else:
            ints = [x for x in src["fields"] if x["type"] == "int"]
            if ints:
                e[r.choice(ints)["name"]] = {"raw": "1.5"}
        e["_bad"] = True

    def order(self, src, evs):
        """Delivery order: time order disturbed by at most the lateness, then some events that
        are too late and some exactly on the late boundary."""
        r = self.r
        lat = src["lateness"]
        for e in evs:
            e["_arrive"] = e["_ts"] + (r.randint(0, lat) if lat else 0)
        evs.sort(key=lambda e: (e["_arrive"], r.random()))
        wm = None
        out = []
        for e in evs:
            if wm is not None and r.random() < 0.05:
                # on the boundary (accepted) and one microsecond beyond it (late)
                for delta in (0, -1) if r.random() < 0.5 else (-1,):
                    x = dict(e)
                    x["_ts"] = wm - lat + delta
                    x[src["time"]] = x["_ts"]
                    x.pop("_bad", None)
                    for f in src["fields"]:
                        if f["not_null"] and x.get(f["name"]) is None:
                            x[f["name"]] = x["_ts"] if f["type"] == "timestamp" else \
                                self.value(f["profile"], f["type"], {"uid": ["u0"], "gid": [0]})
                        if isinstance(x.get(f["name"]), dict):
                            x[f["name"]] = None if not f["not_null"] else x["_ts"] if f["type"] == "timestamp" else 0
                    out.append(x)
            if wm is not None and r.random() < 0.03:
                x = dict(e)
                x["_ts"] = wm - lat - r.choice([1, US, HOUR])
                x[src["time"]] = x["_ts"]
                out.append(x)
            out.append(e)
            if not e.get("_bad") and (wm is None or e["_ts"] > wm):
                if wm is None or not (e["_ts"] < wm - lat):
                    wm = e["_ts"]
        self.arrivals(src, out)
        self.repeats(src, out)
        evs[:] = out

    def arrivals(self, src, out):
        """Arrival times: the delivery time (never before the event time); and around some
        events, copies stamped exactly max_ahead after their arrival (accepted) and one
        microsecond or a century beyond it (ahead). An ahead copy keeps the event's time, or
        moves far into the future, where it would have dragged the watermark along."""
        r = self.r
        a, ahead = src.get("arrival"), src.get("max_ahead")
        ahead = DAY if ahead is None else ahead  # 0 is `max_ahead none`: nothing is ahead
        if not a:
            return
        extra = []
        for e in out:
            e[a] = e.get("_arrive", e["_ts"])
            if ahead and not e.get("_bad") and r.random() < 0.05:
                for delta in r.sample([0, 1, 100 * 365 * DAY], r.randint(1, 3)):
                    x = dict(e)
                    x[a] = e["_ts"] - ahead - (delta if delta < DAY else 0)
                    if delta >= DAY:
                        x["_ts"] = x[src["time"]] = e["_ts"] + delta
                    extra.append((out.index(e), x))
        for k, (i, x) in enumerate(extra):
            out.insert(i + k + 1, x)

    def repeats(self, src, out):
        """A stream with a unique field gets events delivered again (a retry: same id and
        time, other fields may differ) and ids reused at another time (not repeats)."""
        r = self.r
        u = src.get("unique")
        if not u or not out:
            return
        for _ in range(r.randint(1, 1 + len(out) // 6)):
            i = r.randrange(len(out))
            x = dict(out[i])
            if r.random() < 0.3:
                x["_ts"] = x[src["time"]] = x["_ts"] + r.choice([1, US])
            elif r.random() < 0.3:
                f = r.choice([f for f in src["fields"] if f["profile"] in ("dyadic", "small", "words")] or [None])
                if f:
                    x[f["name"]] = self.value(f["profile"], f["type"], {"uid": ["u0"], "gid": [0]})
            out.insert(r.randrange(i + 1, len(out) + 1), x)

    def spine(self, m):
        r = self.r
        rows = []
        pool = m["keys"]
        req = m["request"]["fields"]
        uids = pool["uid"] + ["nobody", "lonely"]
        for t in m["spine_times"]:
            for _ in range(r.choice([1, 1, 1, 2])):
                row = {"ts": t + r.choice([0, 0, 0, 1, -1, US])}
                row["uid"] = None if r.random() < 0.05 else r.choice(uids)
                row["gid"] = None if r.random() < 0.05 else r.choice(pool["gid"] + [99])
                for f in req:
                    if f["name"] == "uid":
                        row["uid"] = row["uid"] if row["uid"] is not None else "u0"
                        continue
                    if r.random() < 0.15:
                        row["req." + f["name"]] = None
                    elif f["profile"] == "near":
                        row["req." + f["name"]] = t + r.choice([-HOUR, 0, 1, DAY])
                    else:
                        row["req." + f["name"]] = self.value(f["profile"], f["type"], pool)
                row["label"] = r.choice(["0", "1", ""])
                rows.append(row)
        if r.random() < 0.3:
            early = dict(rows[0])
            early["ts"] = m["t0"] - 60 * DAY
            rows.append(early)
        r.shuffle(rows)
        m["spine"] = rows
        m["spine_cols"] = None  # decided at render time from the service's keys


# ---------------------------------------------------------------------------------------
# Rendering.
# ---------------------------------------------------------------------------------------

def fmt_ts(us, r):
    """One of the accepted text forms of a timestamp (as a JSON/CSV value text)."""
    k = r.randrange(10)
    dt = EPOCH + datetime.timedelta(microseconds=us)
    if k == 0 and -10**11 * US < us < 10**11 * US:
        sec, frac = divmod(us, US)
        if frac == 0:
            return ("num", str(sec))
        if sec < 0 and frac:
            # negative: -(|us| / 1e6) written exactly
            a = -us
            return ("num", "-%d.%06d" % divmod(a, US))
        return ("num", "%d.%06d" % (sec, frac))
    if k == 1:
        off = r.choice([60, -330, 120])
        local = dt + datetime.timedelta(minutes=off)
        sign = "+" if off >= 0 else "-"
        return ("str", local.strftime("%Y-%m-%dT%H:%M:%S") + ".%06d" % local.microsecond +
                "%s%02d:%02d" % (sign, abs(off) // 60, abs(off) % 60))
    sep = " " if k == 2 else "T"
    text = dt.strftime("%Y-%m-%d" + sep + "%H:%M:%S")
    if dt.microsecond:
        text += ".%06d" % dt.microsecond
    elif k == 3:
        text += ".000"
    return ("str", text + ("Z" if k != 4 else ""))


def fmt_float(x):
    s = repr(float(x))
    return s


def json_value(f, v, r):
    if v is None:
        return "null"
    if isinstance(v, dict):
        return json.dumps(v["raw"], ensure_ascii=False)
    t = f["type"]
    if t == "timestamp":
        kind, text = fmt_ts(v, r)
        return text if kind == "num" else json.dumps(text)
    if t == "bool":
        return "true" if v else "false"
    if t == "int":
        return str(v) + (".0" if abs(v) < 2**50 and r.random() < 0.05 else "")
    if t == "float":
        return fmt_float(v)
    return json.dumps(v, ensure_ascii=False)


def csv_text(text):
    if text is None:
        return ""
    if text == "" or any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_value(f, v, r):
    if v is None:
        return ""
    if isinstance(v, dict):
        return csv_text(v["raw"])
    t = f["type"]
    if t == "timestamp":
        return csv_text(fmt_ts(v, r)[1])
    if t == "bool":
        return "true" if v else "false"
    if t == "int":
        return str(v)
    if t == "float":
        return fmt_float(v)
    return csv_text(v)


def render_feat(m):
    out = ["# generated by tests/parity/gen.py, seed %s" % m["seed"], ""]
    used = set()
    for v in m["views"]:
        used.add(v["entity"])
    ent = {"user": "uid: string", "grp": "gid: int", "pair": "uid: string, gid: int"}
    for e in ("user", "grp", "pair"):
        if e in used:
            out.append("entity %s (%s)" % (e, ent[e]))
    out.append("")
    for s in m["sources"]:
        out.append("%s %s {" % (s["kind"], s["name"]))
        w = max(len(qn(f["name"])) for f in s["fields"])
        for f in s["fields"]:
            out.append("    %-*s : %s%s" % (w, qn(f["name"]), f["type"], " not null" if f["not_null"] else ""))
        out.append("    time " + qn(s["time"]))
        if s["seq"]:
            out.append("    seq " + qn(s["seq"]))
        if s["lateness"]:
            out.append("    lateness " + dur_text(s["lateness"]))
        if s.get("arrival"):
            out.append("    arrival " + qn(s["arrival"]))
        if s.get("max_ahead") is not None:
            out.append("    max_ahead " + (dur_text(s["max_ahead"]) if s["max_ahead"] else "none"))
        if s.get("unique"):
            out.append("    unique " + qn(s["unique"]))
        for x in s["expects"]:
            out.append("    expect " + x)
        if s["table"]:
            out.append("    table '%s'" % s["table"])
        out.append("}")
        out.append("")
    out.append("request %s {" % m["request"]["name"])
    for f in m["request"]["fields"]:
        out.append("    %s : %s%s" % (qn(f["name"]), f["type"], " not null" if f["not_null"] else ""))
    out.append("}")
    out.append("")
    for v in m["views"]:
        by = v["entity"] + ("(%s)" % v["mapping"] if v["mapping"] else "")
        out.append("features %s on %s by %s {" % (v["name"], v["source"], by))
        for w in v["wheres"]:
            if not w["after_lets"]:
                out.append("    where " + w["expr"])
        for l in v["lets"]:
            out.append("    let %s = %s" % (l["name"], l["expr"]))
        for w in v["wheres"]:
            if w["after_lets"]:
                out.append("    where " + w["expr"])
        for f in v["features"]:
            out.append("    %s = %s" % (f["name"], f["text"]))
        out.append("}")
        out.append("")
    for b in m["blocks"]:
        ins = (["req"] if b["request"] else []) + b["views"] + b["blocks"]
        out.append("on_demand %s (%s) {" % (b["name"], ", ".join(ins)))
        for f in b["features"]:
            out.append("    %s = %s" % (f["name"], f["expr"]))
        out.append("}")
        out.append("")
    out.append("service %s (%s) {" % (m["service"]["name"], m["request"]["name"]))
    for it in m["service"]["items"]:
        out.append("    " + it)
    out.append("}")
    return "\n".join(out) + "\n"


def service_keys(m):
    """The spine's key columns: entity keys of the views the service reaches."""
    reach = set()
    for it in m["service"]["items"]:
        reach.add(it.split(".")[0])
    for b in m["blocks"]:
        if b["name"] in reach:
            reach.update(b["views"])
            for bb in b["blocks"]:
                reach.add(bb)
                for b2 in m["blocks"]:
                    if b2["name"] == bb:
                        reach.update(b2["views"])
    keys = []
    for v in m["views"]:
        if v["name"] in reach:
            for k in {"user": ["uid"], "grp": ["gid"], "pair": ["uid", "gid"]}[v["entity"]]:
                if k not in keys:
                    keys.append(k)
    return keys


def render(m, outdir):
    """Writes the case into outdir: case.feat, one event file per source, spine.csv, args."""
    r = random.Random(m["seed"] * 7919 + 1)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "case.feat"), "w", encoding="utf-8") as f:
        f.write(render_feat(m))
    args = ["--service", m["service"]["name"], "--spine", "spine.csv"]
    for s in m["sources"]:
        name = "%s.%s" % (s["name"], s["format"])
        lines = []
        if s["format"] == "jsonl":
            for e in s["events"]:
                parts = []
                for fl in s["fields"]:
                    if fl["name"] in e and not (e[fl["name"]] is None and r.random() < 0.3):
                        parts.append("%s: %s" % (json.dumps(fl["name"]), json_value(fl, e[fl["name"]], r)))
                if r.random() < 0.05:
                    parts.append('"unknown_field": 1')
                lines.append("{" + ", ".join(parts) + "}")
        else:
            lines.append(",".join(csv_text(fl["name"]) for fl in s["fields"]))
            for e in s["events"]:
                lines.append(",".join(csv_value(fl, e.get(fl["name"]), r) for fl in s["fields"]))
        with open(os.path.join(outdir, name), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + ("\n" if lines else ""))
        args += ["--events", "%s=%s" % (s["name"], name)]
    keys = service_keys(m)
    req = [f for f in m["request"]["fields"] if f["name"] not in keys and f["name"] != "uid"]
    if any(f["name"] == "uid" for f in m["request"]["fields"]) and "uid" not in keys:
        keys = keys + ["uid"]
    cols = ["row_id"] + keys + ["ts"] + ["req." + f["name"] for f in req] + ["label"]
    header = [c[4:] if c.startswith("req.") else c for c in cols]
    rq = {f["name"]: f for f in m["request"]["fields"]}
    lines = [",".join(header)]
    for i, row in enumerate(m["spine"]):
        vals = []
        for c in cols:
            if c == "row_id":
                vals.append(str(i + 1))
            elif c == "ts":
                vals.append(csv_text(fmt_ts(row["ts"], r)[1]))
            elif c == "uid":
                vals.append("" if row.get("uid") is None else csv_text(row["uid"]))
            elif c == "gid":
                vals.append("" if row.get("gid") is None else str(row["gid"]))
            elif c == "label":
                vals.append(row["label"])
            else:
                vals.append(csv_value(rq[c[4:]], row.get(c), r))
        lines.append(",".join(vals))
    with open(os.path.join(outdir, "spine.csv"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(outdir, "args"), "w") as f:
        f.write("\n".join(args) + "\n")


def main(argv):
    if len(argv) == 4 and argv[1] == "--model":
        m = Gen(int(argv[2])).model()
        with open(argv[3], "w") as f:
            json.dump(m, f)
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    render(Gen(int(argv[1])).model(), argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
