#!/usr/bin/env python3
"""formats.py FEATC CASE... - checks that `featc check --format json` and `--format github`
report exactly the errors of the text form: same order, lines, columns, messages and hints,
and the same exit code."""
import json
import re
import subprocess
import sys

TEXT = re.compile(r"^(.*):(\d+):(\d+): error: (.*)$")
GITHUB = re.compile(r"^::error file=([^,]*),line=(\d+),col=(\d+),endLine=(\d+),endColumn=(\d+)::(.*)$")


def undo_github(s):
    return s.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def text_errors(out):
    errs = []
    for line in out.splitlines():
        m = TEXT.match(line)
        if m:
            errs.append([m.group(1), int(m.group(2)), int(m.group(3)), m.group(4), None])
        elif line.startswith("    hint: ") and errs:
            errs[-1][4] = line[len("    hint: "):]
    return errs


def main():
    featc, cases = sys.argv[1], sys.argv[2:]
    failed = 0
    for case in cases:
        t = subprocess.run([featc, "check", case], capture_output=True, text=True, errors="replace")
        j = subprocess.run([featc, "check", case, "--format", "json"], capture_output=True, text=True,
                           errors="replace")
        g = subprocess.run([featc, "check", case, "--format=github"], capture_output=True, text=True,
                           errors="replace")
        want = text_errors(t.stderr)
        problems = []
        if not (t.returncode == j.returncode == g.returncode):
            problems.append("exit codes %d/%d/%d" % (t.returncode, j.returncode, g.returncode))
        try:
            doc = json.loads(j.stdout)
            got = [[d["file"], d["line"], d["column"], d["message"], d["hint"]] for d in doc["diagnostics"]]
            for d in doc["diagnostics"]:
                if d["severity"] != "error" or (d["end_line"], d["end_column"]) < (d["line"], d["column"]):
                    problems.append("json: bad severity or end in %r" % d)
            if got != want:
                problems.append("json differs:\n  text %r\n  json %r" % (want, got))
        except (ValueError, KeyError) as e:
            problems.append("json does not parse: %s" % e)
        gh = []
        for line in g.stdout.splitlines():
            m = GITHUB.match(line)
            if not m:
                problems.append("github: not an annotation: %r" % line)
                continue
            msg, _, hint = undo_github(m.group(6)).partition("\nhint: ")
            gh.append([undo_github(m.group(1)), int(m.group(2)), int(m.group(3)), msg, hint or None])
        if gh != want:
            problems.append("github differs:\n  text   %r\n  github %r" % (want, gh))
        if problems:
            failed += 1
            print("FAIL %s: %s" % (case, "; ".join(problems)))
    print("formats: %d cases, %d failed" % (len(cases), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
