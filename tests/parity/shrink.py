#!/usr/bin/env python3
"""shrink.py - reduces a failing generated parity case while it still fails the same way.

Used by run.py --shrink. Works on the generator's model (gen.Gen(seed).model()): drops
service outputs, on_demand features, views, features, lets, filters, expects, request
fields, unused sources, then events and spine rows (delta debugging), re-rendering and
re-running `featc check` and `featc parity` after each step. A candidate is kept only
when featc check accepts it and parity still fails with the original's first symptom.
"""
import copy
import os
import shutil

import gen
import run as runmod


class Shrinker:
    def __init__(self, runner, db, target, workdir, log=None, budget=600):
        self.runner, self.db, self.target = runner, db, target
        self.workdir, self.log, self.budget = workdir, log, budget
        self.tries = 0

    def fails(self, m):
        """Whether model m still shows the target symptom."""
        if self.tries >= self.budget:
            return False
        self.tries += 1
        d = os.path.join(self.workdir, "cand")
        shutil.rmtree(d, ignore_errors=True)
        gen.render(m, d)
        rc, _ = self.runner.check(d)
        if rc != 0:
            return False
        rc, report = self.runner.parity(d, self.db)
        sig = runmod.signature(rc, report)
        return sig is not None and self.target in sig

    def say(self, what):
        if self.log:
            self.log.write("  shrink: %s\n" % what)
            self.log.flush()

    def try_each(self, m, items_of, remove):
        """For each item, tries the model without it; keeps removals that still fail."""
        changed = False
        i = 0
        while True:
            items = items_of(m)
            if i >= len(items):
                return m, changed
            c = copy.deepcopy(m)
            remove(c, items[i])
            if self.fails(c):
                m, changed = c, True
                self.say("dropped %s" % (items[i],))
            else:
                i += 1

    def ddmin(self, m, get, put, what):
        """Delta debugging over the list get(m): removes chunks while the case still fails."""
        n = 2
        while len(get(m)) >= 1:
            xs = get(m)
            size = max(1, (len(xs) + n - 1) // n)
            progress = False
            for start in range(0, len(xs), size):
                c = copy.deepcopy(m)
                put(c, xs[:start] + xs[start + size:])
                if self.fails(c):
                    m = c
                    n = max(n - 1, 2)
                    progress = True
                    break
            if not progress:
                if size == 1:
                    break
                n = min(n * 2, len(xs))
        self.say("%s: %d left" % (what, len(get(m))))
        return m


def expand_stars(m):
    """Replaces view.* service items by the view's features, so each can be dropped alone."""
    items = []
    views = {v["name"]: v for v in m["views"]}
    for it in m["service"]["items"]:
        owner, feat = it.split(".", 1)
        if feat == "*" and owner in views:
            items.extend("%s.%s" % (owner, f["name"]) for f in views[owner]["features"])
        else:
            items.append(it)
    m["service"]["items"] = items


def drop_view(m, name):
    m["views"] = [v for v in m["views"] if v["name"] != name]
    m["service"]["items"] = [i for i in m["service"]["items"] if i.split(".")[0] != name]
    for b in m["blocks"]:
        b["views"] = [v for v in b["views"] if v != name]


def drop_feature(m, key):
    vname, fname = key
    for v in m["views"]:
        if v["name"] == vname:
            v["features"] = [f for f in v["features"] if f["name"] != fname]
    m["service"]["items"] = [i for i in m["service"]["items"] if i != "%s.%s" % key]


def drop_block(m, name):
    m["blocks"] = [b for b in m["blocks"] if b["name"] != name]
    m["service"]["items"] = [i for i in m["service"]["items"] if i.split(".")[0] != name]
    for b in m["blocks"]:
        b["blocks"] = [x for x in b["blocks"] if x != name]


def drop_od_feature(m, key):
    bname, fname = key
    for b in m["blocks"]:
        if b["name"] == bname:
            b["features"] = [f for f in b["features"] if f["name"] != fname]


def drop_field(m, key):
    sname, fname = key
    for s_ in m["sources"]:
        if s_["name"] == sname:
            s_["fields"] = [f for f in s_["fields"] if f["name"] != fname]
            if s_["seq"] == fname:
                s_["seq"] = None


def plain_source(m, name):
    """No lateness and no warehouse table name."""
    for s_ in m["sources"]:
        if s_["name"] == name:
            s_["lateness"], s_["table"] = 0, None


def shrink(m, runner, db, sig, workdir, log=None, budget=600):
    """Returns a smaller model that still fails with sig[0] (m itself when nothing helps)."""
    os.makedirs(workdir, exist_ok=True)
    s = Shrinker(runner, db, sig[0], workdir, log, budget)
    m = copy.deepcopy(m)
    expand_stars(m)
    if not s.fails(m):
        s.say("expanded service no longer fails; keeping the original")
        return m
    while True:
        changed = False
        steps = [
            (lambda x: list(x["service"]["items"]),
             lambda c, it: c["service"].__setitem__("items", [i for i in c["service"]["items"] if i != it])),
            (lambda x: [b["name"] for b in x["blocks"]], drop_block),
            (lambda x: [(b["name"], f["name"]) for b in x["blocks"] for f in b["features"]], drop_od_feature),
            (lambda x: [v["name"] for v in x["views"]], drop_view),
            (lambda x: [(v["name"], f["name"]) for v in x["views"] for f in v["features"]], drop_feature),
            (lambda x: [(v["name"], i) for v in x["views"] for i in range(len(v["wheres"]))],
             lambda c, k: [v["wheres"].pop(k[1]) for v in c["views"] if v["name"] == k[0]]),
            (lambda x: [(v["name"], i) for v in x["views"] for i in range(len(v["lets"]))][::-1],
             lambda c, k: [v["lets"].pop(k[1]) for v in c["views"] if v["name"] == k[0]]),
            (lambda x: [s_["name"] for s_ in x["sources"] if not any(v["source"] == s_["name"] for v in x["views"])],
             lambda c, n: c.__setitem__("sources", [s_ for s_ in c["sources"] if s_["name"] != n])),
            (lambda x: [(s_["name"], i) for s_ in x["sources"] for i in range(len(s_["expects"]))],
             lambda c, k: [s_["expects"].pop(k[1]) for s_ in c["sources"] if s_["name"] == k[0]]),
            (lambda x: [(s_["name"], f["name"]) for s_ in x["sources"] for f in s_["fields"]
                        if f["name"] != s_["time"]], drop_field),
            (lambda x: [s_["name"] for s_ in x["sources"] if s_["lateness"] or s_["table"]], plain_source),
            (lambda x: [f["name"] for f in x["request"]["fields"]],
             lambda c, n: c["request"].__setitem__("fields", [f for f in c["request"]["fields"] if f["name"] != n])),
        ]
        for items_of, remove in steps:
            m, ch = s.try_each(m, items_of, remove)
            changed |= ch
        for src in list(m["sources"]):
            name = src["name"]

            def get(x, name=name):
                return next(s_ for s_ in x["sources"] if s_["name"] == name)["events"]

            def put(x, evs, name=name):
                next(s_ for s_ in x["sources"] if s_["name"] == name)["events"] = evs

            before = len(get(m))
            m = s.ddmin(m, get, put, "%s events" % name)
            changed |= len(get(m)) < before
        before = len(m["spine"])
        m = s.ddmin(m, lambda x: x["spine"], lambda x, rows: x.__setitem__("spine", rows), "spine rows")
        changed |= len(m["spine"]) < before
        if not changed or s.tries >= s.budget:
            break
    s.say("%d runs" % s.tries)
    return m
