#!/usr/bin/env python3
"""run.py - runs generated parity cases through `featc check` and `featc parity` on each database.

Usage: run.py [options] SEED...          (SEED may be a range A-B)
  --featc PATH      featc to test (default build/featc)
  --db LIST         comma-separated: duckdb, sqlite, pg (default duckdb,sqlite,pg)
  --pg URI          PostgreSQL URI (default: $FEATC_PG_URL, else scripts/pg-start.sh starts one)
  --pg-db NAME      use database NAME on that server (created if missing; for parallel runs)
  --out DIR         where failing cases are written (default build/parity-failures)
  --shrink          reduce each failure to a minimal case before writing it
  --timeout S       seconds allowed per featc parity run (default 120)
  --parity-opt OPT  pass OPT to featc parity (repeatable), e.g. --parity-opt=--featc=PATH
  --check-only      only require that featc check accepts the generated files
  -q                print failures and the summary only

A failing seed is written to OUT/seed-SEED-DB/ as a self-contained case: case.feat, the
event files, spine.csv, args, repro.sh and parity.txt (the report). Exit 0 when every seed
passes, 1 otherwise.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import gen  # noqa: E402


def parse_seeds(items):
    out = []
    for it in items:
        m = re.fullmatch(r"(\d+)-(\d+)", it)
        if m:
            out.extend(range(int(m.group(1)), int(m.group(2)) + 1))
        else:
            out.append(int(it))
    return out


class Runner:
    def __init__(self, featc, pg_uri=None, timeout=120):
        self.featc = os.path.abspath(featc)
        self.pg_uri = pg_uri
        self.timeout = timeout
        self.extra = []  # more featc parity options (e.g. --featc for a stand-in)
        self.hang_dir = None  # where cases that featc check cannot finish are kept

    def db_args(self, db, case_dir):
        if db == "duckdb":
            return []
        if db == "sqlite":
            return ["--db", "sqlite:" + os.path.join(case_dir, "case.sqlite")]
        if db == "pg":
            return ["--db", self.pg_uri]
        raise ValueError(db)

    def check(self, case_dir):
        try:
            p = subprocess.run([self.featc, "check", "case.feat"], cwd=case_dir, capture_output=True, text=True,
                               timeout=self.timeout, errors="replace")
            return p.returncode, p.stderr
        except subprocess.TimeoutExpired:
            if self.hang_dir:  # a checker that does not finish is a bug of its own: keep the file
                n = len(os.listdir(self.hang_dir)) if os.path.isdir(self.hang_dir) else 0
                shutil.copytree(case_dir, os.path.join(self.hang_dir, "check-hang-%d" % n))
            return 124, "featc check did not finish within %ss\n" % self.timeout

    def parity(self, case_dir, db):
        with open(os.path.join(case_dir, "args")) as f:
            args = [a for a in f.read().split("\n") if a]
        cmd = [self.featc, "parity", "case.feat"] + args + self.db_args(db, case_dir) + self.extra
        try:
            p = subprocess.run(cmd, cwd=case_dir, capture_output=True, text=True, timeout=self.timeout,
                               errors="replace")
            return p.returncode, p.stdout + p.stderr
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode("utf-8", "replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
            return 124, out + "\ntimeout after %ss\n" % self.timeout


def signature(rc, report):
    """What kind of failure a report shows, most specific first; None when parity held."""
    if rc == 0:
        return None
    sig = []
    m = re.search(r"the (replay|backfill) path (failed|did not finish)", report)
    if m:
        sig.append("fail:" + m.group(1))
    if rc == 124:
        sig.append("timeout")
    for line in report.splitlines():
        m = re.match(r"(\S+__\S+)\s+\S+\s+\d+\s+(\d+)", line)
        if m and int(m.group(2)) > 0:
            sig.append("mismatch:" + m.group(1))
        if "malformed" in line:
            sig.append("malformed")
    if re.search(r"\d+ events? treated differently by the two paths", report):
        sig.append("rejects")
    if "left out" in report or "match no spine row" in report:
        sig.append("rows")
    if "header is wrong" in report:
        sig.append("header")
    if not sig:
        sig.append("exit:%d" % rc)
    return sig


def write_repro(case_dir, out_dir, db, runner, report):
    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    shutil.copytree(case_dir, out_dir, ignore=shutil.ignore_patterns("case.sqlite*"))
    with open(os.path.join(out_dir, "args")) as f:
        args = [a for a in f.read().split("\n") if a]
    db_arg = ""
    if db == "sqlite":
        db_arg = " --db sqlite:case.sqlite"
    elif db == "pg":
        db_arg = ' --db "${PG_URI:-$(bash "$ROOT/scripts/pg-start.sh")}"'
    with open(os.path.join(out_dir, "repro.sh"), "w") as f:
        f.write("#!/usr/bin/env bash\n# Reproduces a parity failure found by tests/parity (db: %s).\n" % db)
        f.write('cd "$(dirname "$0")"\nROOT=${ROOT:-$(git rev-parse --show-toplevel)}\n')
        f.write('exec "${FEATC:-$ROOT/build/featc}" parity case.feat %s%s "$@"\n' % (" ".join(args), db_arg))
    os.chmod(os.path.join(out_dir, "repro.sh"), 0o755)
    with open(os.path.join(out_dir, "parity.txt"), "w") as f:
        f.write(report)
    with open(os.path.join(out_dir, "db"), "w") as f:
        f.write(db + "\n")


def start_pg(dbname=None):
    """The PostgreSQL URI: $FEATC_PG_URL, else what scripts/pg-start.sh prints; with dbname,
    that database on the same server (created when missing). None when there is no server."""
    uri = os.environ.get("FEATC_PG_URL")
    if not uri:
        p = subprocess.run(["bash", os.path.join(ROOT, "scripts", "pg-start.sh")], capture_output=True, text=True)
        if p.returncode != 0:
            return None
        uri = p.stdout.strip()
    if dbname:
        q = subprocess.run(["psql", uri, "-tAc", "select 1 from pg_database where datname = '%s'" % dbname],
                           capture_output=True, text=True)
        if q.stdout.strip() != "1":
            subprocess.run(["psql", uri, "-qc", 'create database "%s"' % dbname], capture_output=True, text=True)
        uri = uri.split("?", 1)[0].rsplit("/", 1)[0] + "/" + dbname
    return uri


def main(argv):
    featc, dbs, out, pg, timeout = "build/featc", ["duckdb", "sqlite", "pg"], "build/parity-failures", None, 120
    shrink_on, check_only, quiet, seeds, extra, pg_db = False, False, False, [], [], None
    i = 1
    while i < len(argv):
        a = argv[i]
        if a in ("--featc", "--db", "--out", "--pg", "--pg-db", "--timeout"):
            if i + 1 == len(argv):
                print("run.py: %s needs a value" % a, file=sys.stderr)
                return 2
            v = argv[i + 1]
            i += 2
            if a == "--featc":
                featc = v
            elif a == "--db":
                dbs = [d for d in v.split(",") if d]
            elif a == "--out":
                out = v
            elif a == "--pg":
                pg = v
            elif a == "--pg-db":
                pg_db = v
            else:
                timeout = float(v)
            continue
        if a.startswith("--parity-opt="):
            extra.append(a[len("--parity-opt="):])
        elif a == "--shrink":
            shrink_on = True
        elif a == "--check-only":
            check_only = True
        elif a == "-q":
            quiet = True
        elif a.startswith("-"):
            print(__doc__, file=sys.stderr)
            return 2
        else:
            seeds.append(a)
        i += 1
    seeds = parse_seeds(seeds)
    if not seeds:
        print(__doc__, file=sys.stderr)
        return 2
    for d in dbs:
        if d not in ("duckdb", "sqlite", "pg"):
            print("run.py: unknown database '%s'" % d, file=sys.stderr)
            return 2
    if "pg" in dbs and not check_only and not pg:
        pg = start_pg(pg_db)
        if not pg:
            print("run.py: cannot start PostgreSQL (scripts/pg-start.sh); leaving pg out", file=sys.stderr)
            dbs = [d for d in dbs if d != "pg"]
    runner = Runner(featc, pg, timeout)
    runner.extra = extra
    runner.hang_dir = os.path.join(out, "check-hangs")
    failures = 0
    work = tempfile.mkdtemp(prefix="featc-parity-run-")
    try:
        for seed in seeds:
            case = os.path.join(work, "seed-%d" % seed)
            try:
                gen.render(gen.Gen(seed).model(), case)
            except Exception as e:  # a generator bug: report it and go on
                failures += 1
                print("FAIL seed %d: the generator failed: %r" % (seed, e))
                continue
            rc, msg = runner.check(case)
            if rc != 0:
                failures += 1
                dest = os.path.join(out, "seed-%d-check" % seed)
                write_repro(case, dest, "duckdb", runner, msg)
                print("FAIL seed %d: featc check rejects the generated file (%s)\n%s" % (seed, dest, msg))
                continue
            if check_only:
                if not quiet:
                    print("ok   seed %d: check" % seed)
                continue
            for db in dbs:
                rc, report = runner.parity(case, db)
                sig = signature(rc, report)
                if sig is None:
                    if not quiet:
                        print("ok   seed %d %s" % (seed, db))
                    continue
                failures += 1
                dest = os.path.join(out, "seed-%d-%s" % (seed, db))
                if shrink_on:
                    import shrink
                    small = shrink.shrink(gen.Gen(seed).model(), runner, db, sig, os.path.join(work, "shrink"),
                                          log=None if quiet else sys.stdout)
                    shutil.rmtree(os.path.join(work, "small"), ignore_errors=True)
                    gen.render(small, os.path.join(work, "small"))
                    rc, report = runner.parity(os.path.join(work, "small"), db)
                    write_repro(os.path.join(work, "small"), dest, db, runner, report)
                else:
                    write_repro(case, dest, db, runner, report)
                print("FAIL seed %d %s: %s -> %s/repro.sh" % (seed, db, " ".join(sig), dest))
                tail = report.strip().splitlines()
                print("\n".join("     | " + l for l in tail[-25:]))
            shutil.rmtree(case, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("parity run: %d seed%s, %d failure%s" % (len(seeds), "" if len(seeds) == 1 else "s", failures,
                                                 "" if failures == 1 else "s"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
