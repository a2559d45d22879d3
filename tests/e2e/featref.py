#!/usr/bin/env python3
"""featref.py - brute-force reference for `featc backfill`.

Computes a service's features for every spine row straight from the language's definitions
(events read and validated here, every window re-scanned, exact sums with math.fsum), and
compares them with a backfill output CSV. It shares nothing with the SQL back end: it reads
the typed plan that `featc check --dump=plan` prints and interprets it.

Events go through the arrival rules in file order, one at a time, as the language
defines them (ahead, late, duplicate); --keep-late keeps late and ahead events. With
--tables the files stand for tables already loaded from them: their rows arrive in the
contract's order for tables, and a refused row is found at TABLE:PLACE in that order.

usage: featref.py PLAN.txt --service S --spine SPINE.csv [--events SOURCE=PATH ...]
                  [--keep-late] [--tables] [--check-rejects LOG] (--check OUT.csv | --print)
Exit 0 when every value matches (floats within 1e-9 relative or 1e-12 absolute) and, with
--check-rejects, the log's ahead, late and duplicate lines are exactly the refused events.
"""

import argparse
import json
import math
import re
import sys
from decimal import Decimal, ROUND_HALF_EVEN, InvalidOperation

INT_MIN, INT_MAX = -(1 << 63), (1 << 63) - 1


def fit(v):
    """An int result, or None outside int64."""
    return v if v is not None and INT_MIN <= v <= INT_MAX else None


def finite(f):
    return f if f is not None and math.isfinite(f) else None


# ---------------------------------------------------------------- the plan dump

class Node:
    def __init__(self, kind, **kw):
        self.kind = kind
        self.__dict__.update(kw)


def tokenize(text):
    toks, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == ' ':
            i += 1
        elif c == "'":
            j, buf = i + 1, []
            while True:
                if text[j] == "'":
                    if j + 1 < n and text[j + 1] == "'":
                        buf.append("'")
                        j += 2
                        continue
                    break
                if text.startswith('\\x', j):
                    buf.append(chr(int(text[j + 2:j + 4], 16)))
                    j += 4
                    continue
                buf.append(text[j])
                j += 1
            toks.append(('str', ''.join(buf)))
            i = j + 1
        elif c == '(':
            toks.append(('(', None))
            i += 1
        elif c == ')':
            i += 1
            if i < n and text[i] == ':':
                j = i + 1
                while j < n and text[j] not in ' ()':
                    j += 1
                toks.append((')', text[i + 1:j]))
                i = j
            else:
                toks.append((')', None))
        else:
            if text.startswith('now()', i):
                toks.append(('atom', 'now()'))
                i += 5
                continue
            j = i
            while j < n and text[j] not in ' ()':
                j += 1
            toks.append(('atom', text[i:j]))
            i = j
    return toks


ARITH = {'+', '-', '*', '/', '%'}
CMP = {'=', '!=', '<', '<=', '>', '>='}


def parse_expr(toks, pos):
    kind, val = toks[pos]
    if kind == 'str':
        return Node('const', raw=val, is_str=True), pos + 1
    if kind == 'atom':
        return Node('atom', raw=val), pos + 1
    assert kind == '(', toks[pos:]
    head = toks[pos + 1][1]
    pos += 2
    args = []
    while toks[pos][0] != ')':
        a, pos = parse_expr(toks, pos)
        args.append(a)
    rtype = toks[pos][1]
    op, _, optype = head.partition(':')
    return Node('op', op=op, optype=optype or None, args=args, type=rtype), pos + 1


def parse_value_text(raw, typ):
    if raw == 'null':
        return None
    if raw in ('true', 'false'):
        return raw == 'true'
    if typ == 'bool':
        return raw == 'true'
    if raw.endswith('us'):
        return int(raw[:-2])
    if typ == 'float':
        return float(raw)
    if typ in ('int', 'timestamp'):
        return int(raw)
    return raw


class Plan:
    def __init__(self, text):
        self.entities, self.sources, self.views, self.blocks, self.services = {}, [], [], [], []
        cur = None
        for line in text.splitlines():
            if not line.strip():
                continue
            if line.startswith('entity '):
                m = re.match(r'entity (\w+) \((.*)\)$', line)
                self.entities[m.group(1)] = [kv.split(': ') for kv in m.group(2).split(', ')]
            elif line.startswith('source '):
                m = re.match(r'source \d+ (\w+) (\w+) table="(.*?)"(.*)$', line)
                rest = m.group(4)
                opt = dict(re.findall(r' (\w+)=(\S+)', rest))
                cur = dict(kind=m.group(1), name=m.group(2), table=m.group(3), fields=[], expects=[],
                           time=opt.get('time'), seq=opt.get('seq'),
                           lateness=int(opt.get('lateness', '0us')[:-2]), arrival=opt.get('arrival'),
                           max_ahead=None if opt.get('max_ahead', 'none') == 'none' else int(opt['max_ahead'][:-2]),
                           unique=opt.get('unique'))
                self.sources.append(cur)
            elif line.startswith('  field '):
                m = re.match(r'  field \d+ (\S+): (\w+)( not null)?$', line)
                cur['fields'].append(dict(name=m.group(1), type=m.group(2), not_null=bool(m.group(3))))
            elif line.startswith('  expect '):
                cur['expects'].append(parse_expr(tokenize(line[9:]), 0)[0])
            elif line.startswith('view '):
                m = re.match(r'view \d+ (\w+) on (\w+) by (\w+)\((.*)\)$', line)
                cur = dict(name=m.group(1), source=m.group(2), entity=m.group(3), keycols=m.group(4).split(', '),
                           where=None, lets=[], features=[])
                self.views.append(cur)
            elif line.startswith('  where '):
                cur['where'] = parse_expr(tokenize(line[8:]), 0)[0]
            elif line.startswith('  let '):
                m = re.match(r'  let (\S+): (\w+) = (.*)$', line)
                cur['lets'].append(dict(name=m.group(1), type=m.group(2), expr=parse_expr(tokenize(m.group(3)), 0)[0]))
            elif line.startswith('  feature ') and 'features' in cur:
                self.parse_feature(cur, line)
            elif line.startswith('on_demand '):
                m = re.match(r'on_demand \d+ (\w+) request=(\S+)$', line)
                cur = dict(name=m.group(1), request=m.group(2), ofeatures=[], request_=True)
                self.blocks.append(cur)
            elif line.startswith('  feature ') and 'ofeatures' in cur:
                m = re.match(r'  feature \d+ (\S+): (\w+) = (.*)$', line)
                cur['ofeatures'].append(dict(name=m.group(1), type=m.group(2), expr=parse_expr(tokenize(m.group(3)), 0)[0]))
            elif line.startswith('service '):
                m = re.match(r'service \d+ (\w+) request=(\S+) keys\((.*)\)$', line)
                keys = [kv.split(': ') for kv in m.group(3).split(', ')] if m.group(3) else []
                cur = dict(name=m.group(1), request=m.group(2), keys=keys, evaluates=[], outputs=[])
                self.services.append(cur)
            elif line.startswith('  evaluates '):
                cur['evaluates'].append(line[12:])
            elif line.startswith('  output '):
                m = re.match(r'  output (\S+): (\w+)$', line)
                cur['outputs'].append((m.group(1), m.group(2)))
            else:
                raise SystemExit('featref: cannot read plan line: ' + line)

    def parse_feature(self, view, line):
        m = re.match(r'  feature \d+ (\S+): (\w+) = (\w+)\((.*)$', line)
        name, typ, agg, rest = m.groups()
        toks = tokenize(rest)
        pos, inp = 0, None
        if toks[0][0] != ')':
            inp, pos = parse_expr(toks, 0)
        assert toks[pos][0] == ')'
        pos += 1
        f = dict(name=name, type=typ, agg=agg, input=inp, window=('lifetime', 0, 0), filter=None, ttl=0,
                 default=None)
        while pos < len(toks):
            w = toks[pos][1]
            if w == 'lifetime':
                pos += 1
            elif w == 'sliding':
                f['window'] = ('sliding', int(toks[pos + 1][1][:-2]), 0)
                pos += 2
            elif w == 'hop':
                f['window'] = ('hop', int(toks[pos + 1][1][:-2]), int(toks[pos + 3][1][:-2]))
                pos += 4
            elif w == 'where':
                f['filter'], pos = parse_expr(toks, pos + 1)
            elif w == 'ttl':
                f['ttl'] = int(toks[pos + 1][1][:-2])
                pos += 2
            elif w == 'default':
                kind, raw = toks[pos + 1]
                f['default'] = raw if kind == 'str' else parse_value_text(raw, typ)
                pos += 2
            else:
                raise SystemExit('featref: cannot read feature: ' + line)
        view['features'].append(f)


# ---------------------------------------------------------------- values

def fmt_float(x):
    """The shortest text that reads back as x (Python's repr), in rt_format_float's layout."""
    if x == 0:
        return '-0' if math.copysign(1, x) < 0 else '0'
    r = repr(x)
    mant, _, exp = r.partition('e')
    digits = mant.replace('-', '').replace('.', '')
    neg = x < 0
    # decimal exponent of the first significant digit
    if exp:
        e = int(exp)
        intpart = mant.replace('-', '').split('.')[0]
        e += len(intpart) - 1
    else:
        ip, _, fp = mant.replace('-', '').partition('.')
        if ip.strip('0'):
            e = len(ip.lstrip('0')) - 1
        else:
            e = -(len(fp) - len(fp.lstrip('0')) + 1)
    sig = digits.lstrip('0').rstrip('0') or '0'
    if -4 <= e < 17:
        if e >= 0:
            s = sig + '0' * (e + 1 - len(sig)) if len(sig) <= e + 1 else sig[:e + 1] + '.' + sig[e + 1:]
        else:
            s = '0.' + '0' * (-e - 1) + sig
    else:
        s = sig[0] + ('.' + sig[1:] if len(sig) > 1 else '') + 'e' + ('-' if e < 0 else '+') + '%02d' % abs(e)
    return ('-' if neg else '') + s


def days_from_civil(y, m, d):
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z):
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def fmt_ts(us):
    days, rem = divmod(us, 86400 * 10**6)
    y, m, d = civil_from_days(days)
    secs, frac = divmod(rem, 10**6)
    body = '-%02d-%02dT%02d:%02d:%02d.%06dZ' % (m, d, secs // 3600, secs // 60 % 60, secs % 60, frac)
    if 0 <= y <= 9999:
        return '%04d' % y + body
    return ('-' if y < 0 else '+') + '%04d' % abs(y) + body


ISO = re.compile(r'^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?$')
NUM = re.compile(r'^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$')


def parse_ts(s):
    m = ISO.match(s)
    if m:
        y, mo, d, h, mi, sec = (int(m.group(i)) for i in range(1, 7))
        mdays = [31, 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        if not (1 <= mo <= 12 and 1 <= d <= mdays[mo - 1] and h <= 23 and mi <= 59 and sec <= 59):
            return None
        frac = int((m.group(7) or '.')[1:].ljust(6, '0') or 0)
        off = 0
        if m.group(8) and m.group(8) != 'Z':
            sign = -1 if m.group(8)[0] == '-' else 1
            oh, om = int(m.group(8)[1:3]), int(m.group(8)[4:6])
            if oh > 23 or om > 59:
                return None
            off = sign * (oh * 3600 + om * 60)
        v = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off) * 10**6) + frac
        return fit(v)
    if NUM.match(s):
        try:
            v = int((Decimal(s) * 10**6).to_integral_value(rounding=ROUND_HALF_EVEN))
        except InvalidOperation:
            return None
        return fit(v)
    return None


def check_utf8_text(s):
    return '\x00' not in s


def value_from_text(typ, text, is_null):
    """CSV field text to a typed value; raises ValueError when invalid."""
    if is_null:
        return None
    if typ == 'int':
        if not re.match(r'^[+-]?[0-9]+$', text) or fit(int(text)) is None:
            raise ValueError('int')
        return int(text)
    if typ == 'float':
        if not NUM.match(text):
            raise ValueError('float')
        v = float(text)
        if not math.isfinite(v):
            raise ValueError('float')
        return v
    if typ == 'bool':
        if text not in ('true', 'false'):
            raise ValueError('bool')
        return text == 'true'
    if typ == 'timestamp':
        v = parse_ts(text)
        if v is None:
            raise ValueError('timestamp')
        return v
    if not check_utf8_text(text):
        raise ValueError('string')
    return text


def value_from_json(typ, v):
    if v is None:
        return None
    if typ == 'bool':
        if not isinstance(v, bool):
            raise ValueError('bool')
        return v
    if isinstance(v, bool):
        raise ValueError('not a number')
    if typ == 'int':
        if isinstance(v, Decimal) and v == v.to_integral_value() and fit(int(v)) is not None:
            return int(v)
        raise ValueError('int')
    if typ == 'float':
        if isinstance(v, Decimal):
            f = float(v)
            if not math.isfinite(f):
                raise ValueError('float')
            return f
        raise ValueError('float')
    if typ == 'timestamp':
        if isinstance(v, str):
            r = parse_ts(v)
        elif isinstance(v, Decimal):
            r = parse_ts(str(v))
        else:
            r = None
        if r is None:
            raise ValueError('timestamp')
        return r
    if not isinstance(v, str) or not check_utf8_text(v):
        raise ValueError('string')
    return v


def read_csv(path):
    """RFC 4180 records with a quoted flag per field: (line, [(text, quoted)])."""
    data = open(path, 'rb').read().decode('utf-8')
    if data.startswith('\ufeff'):
        data = data[1:]
    i, n, line = 0, len(data), 1
    while i < n:
        start_line = line
        fields, cur, quoted, inq = [], [], False, False
        if data[i] in '\r\n':  # blank line
            if data[i] == '\r' and i + 1 < n and data[i + 1] == '\n':
                i += 1
            i += 1
            line += 1
            continue
        while i < n:
            c = data[i]
            if inq:
                if c == '"':
                    if i + 1 < n and data[i + 1] == '"':
                        cur.append('"')
                        i += 2
                        continue
                    inq = False
                else:
                    if c == '\n':
                        line += 1
                    cur.append(c)
                i += 1
                continue
            if c == '"':
                inq, quoted = True, True
                i += 1
            elif c == ',':
                fields.append((''.join(cur), quoted))
                cur, quoted = [], False
                i += 1
            elif c in '\r\n':
                if c == '\r' and i + 1 < n and data[i + 1] == '\n':
                    i += 1
                i += 1
                line += 1
                break
            else:
                cur.append(c)
                i += 1
        fields.append((''.join(cur), quoted))
        yield start_line, fields


def read_events(src, path):
    """Valid events of a source as dicts {field: value} plus '_line'; invalid ones dropped."""
    fields = src['fields']
    out = []
    if path.endswith('.csv'):
        rows = read_csv(path)
        _, header = next(rows)
        names = [h for h, _ in header]
        for line, rec in rows:
            if len(rec) != len(names):
                continue
            ev = {f['name']: None for f in fields}
            try:
                for (text, quoted), name in zip(rec, names):
                    for f in fields:
                        if f['name'] == name:
                            ev[name] = value_from_text(f['type'], text, not quoted and text == '')
            except ValueError:
                continue
            ev['_line'] = line
            out.append(ev)
    else:
        for line, raw in enumerate(open(path, 'rb').read().decode('utf-8', 'replace').split('\n'), 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw, parse_float=Decimal, parse_int=Decimal,
                                 parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
            except ValueError:
                continue
            if not isinstance(obj, dict):
                continue
            ev = {}
            try:
                for f in fields:
                    ev[f['name']] = value_from_json(f['type'], obj.get(f['name']))
            except ValueError:
                continue
            ev['_line'] = line
            out.append(ev)
    return out


# ---------------------------------------------------------------- expressions

def c_mod(a, b):
    r = abs(a) % abs(b)
    return -r if a < 0 else r


def geohash(lat, lon, prec):
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or not 1 <= prec <= 12:
        return None
    alphabet = '0123456789bcdefghjkmnpqrstuvwxyz'
    lo = [-180.0, -90.0]
    hi = [180.0, 90.0]
    val = [lon, lat]
    out, bits, ch, which = [], 0, 0, 0
    while len(out) < prec:
        mid = (lo[which] + hi[which]) / 2
        if val[which] >= mid:
            ch = ch * 2 + 1
            lo[which] = mid
        else:
            ch = ch * 2
            hi[which] = mid
        which ^= 1
        bits += 1
        if bits == 5:
            out.append(alphabet[ch])
            bits, ch = 0, 0
    return ''.join(out)


def haversine(lat1, lon1, lat2, lon2):
    rad = math.pi / 180.0
    p1, p2 = lat1 * rad, lat2 * rad
    dp, dl = (lat2 - lat1) * rad, (lon2 - lon1) * rad
    s1, s2 = math.sin(dp / 2.0), math.sin(dl / 2.0)
    h = s1 * s1 + ((math.cos(p1) * math.cos(p2)) * (s2 * s2))
    h = 0.0 if h < 0.0 else (1.0 if h > 1.0 else h)
    return finite((2.0 * 6371.0088) * math.asin(math.sqrt(h)))


def fn_round(x, n):
    p = 10.0 ** n
    if abs(x) * p >= 2.0 ** 52:
        return x
    sign = 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)
    return (sign * math.floor(abs(x) * p + 0.5)) / p


def cmp_values(a, b):
    return (a > b) - (a < b)


class Env:
    """Resolves leaves: row columns (by name or $index), request fields, features, now;
    types maps the same leaf spellings to their types."""

    def __init__(self, row=None, cols=None, request=None, feats=None, now=None, types=None):
        self.row, self.cols, self.request, self.feats, self.now = row, cols, request, feats, now
        self.types = types or {}


def type_of(node, env):
    if node.kind == 'op':
        return node.type
    if node.kind == 'const':
        return 'string'
    a = node.raw
    if a == 'now()':
        return 'timestamp'
    return env.types.get(a)


def const_value(node, typ):
    if node.is_str:
        return node.raw
    return parse_value_text(node.raw, typ)


def ev(node, env, typ=None):
    """Evaluates node; typ is the type the parent expects (to read untyped constants)."""
    if node.kind == 'const':
        return const_value(node, typ)
    if node.kind == 'atom':
        a = node.raw
        if a in ('null', 'true', 'false') or re.match(r'^-?[0-9.]', a) or a.endswith('us') and re.match(r'^-?\d+us$', a):
            return parse_value_text(a, typ)
        if a == 'now()':
            return env.now
        if a.startswith('$'):
            return env.row[env.cols[int(a[1:])]]
        if a.startswith('request.'):
            return env.request[int(a[8:])]
        if '.' in a:
            return env.feats[a]
        return env.row[a]
    op, args, t = node.op, node.args, node.type
    if op in ARITH:
        ot = node.optype
        x, y = ev(args[0], env, ot), ev(args[1], env, ot)
        if x is None or y is None:
            return None
        if ot == 'int':
            if op == '%':
                return None if y == 0 else c_mod(x, y)
            return fit(x + y if op == '+' else x - y if op == '-' else x * y)
        if op == '/':
            return None if y == 0 else finite(x / y)
        try:
            return finite(x + y if op == '+' else x - y if op == '-' else x * y)
        except OverflowError:
            return None
    if op in CMP:
        ot = node.optype
        x, y = ev(args[0], env, ot), ev(args[1], env, ot)
        if x is None or y is None:
            return None
        c = cmp_values(x, y)
        return {'=': c == 0, '!=': c != 0, '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0}[op]
    if op in ('in', 'not-in'):
        ot = node.optype
        x = ev(args[0], env, ot)
        items = [ev(a, env, ot) for a in args[1:]]
        if x is None:
            r = None
        elif x in [i for i in items if i is not None]:
            r = True
        elif any(i is None for i in items):
            r = None
        else:
            r = False
        return r if op == 'in' or r is None else not r
    if op in ('and', 'or'):
        x, y = ev(args[0], env, 'bool'), ev(args[1], env, 'bool')
        if op == 'and':
            if x is False or y is False:
                return False
            return None if x is None or y is None else True
        if x is True or y is True:
            return True
        return None if x is None or y is None else False
    if op == 'not':
        x = ev(args[0], env, 'bool')
        return None if x is None else not x
    if op in ('is-null', 'is-not-null'):
        x = ev(args[0], env, None)
        return (x is None) == (op == 'is-null')
    if op in ('case', 'case-else'):
        n = len(args)
        pairs = (n - 1) // 2 if op == 'case-else' else n // 2
        for i in range(pairs):
            if ev(args[2 * i], env, 'bool') is True:
                return ev(args[2 * i + 1], env, t)
        return ev(args[-1], env, t) if op == 'case-else' else None
    if op == 'neg':
        x = ev(args[0], env, t)
        if x is None:
            return None
        return fit(-x) if t == 'int' else -x
    if op in ('ts+', 'ts-'):
        x, y = ev(args[0], env, 'timestamp'), ev(args[1], env, 'int')
        if x is None or y is None:
            return None
        return fit(x + y if op == 'ts+' else x - y)
    if op == '||':
        x, y = ev(args[0], env, 'string'), ev(args[1], env, 'string')
        return None if x is None or y is None else x + y
    return call(op, args, env, t)


FN_ARG_TYPES = {
    'sqrt': ['float'], 'ln': ['float'], 'exp': ['float'], 'pow': ['float', 'float'],
    'lower': ['string'], 'upper': ['string'], 'length': ['string'], 'substr': ['string', 'int', 'int'],
    'starts_with': ['string', 'string'], 'contains': ['string', 'string'],
    'seconds_between': ['timestamp', 'timestamp'], 'hour_of_day': ['timestamp'], 'day_of_week': ['timestamp'],
    'geohash': ['float', 'float', 'int'], 'haversine_km': ['float'] * 4,
}


def call(fn, args, env, t):
    if fn in ('coalesce', 'least', 'greatest', 'abs', 'floor', 'ceil'):
        types = [t] * len(args)
    elif fn == 'round':
        types = [t, 'int']
    elif fn == 'to_float':
        types = ['string' if getattr(args[0], 'is_str', False) else 'int']
    elif fn == 'to_int':
        types = ['float']
    elif fn == 'to_string':
        types = [type_of(args[0], env) or 'int']
    else:
        types = FN_ARG_TYPES[fn]
    v = [ev(a, env, ty) for a, ty in zip(args, types)]
    if fn == 'coalesce':
        return next((x for x in v if x is not None), None)
    if any(x is None for x in v):
        return None
    if fn in ('least', 'greatest'):
        return min(v) if fn == 'least' else max(v)
    x = v[0]
    if fn == 'abs':
        return fit(abs(x)) if t == 'int' else abs(x)
    if fn in ('floor', 'ceil'):
        return x if t == 'int' else float(math.floor(x) if fn == 'floor' else math.ceil(x))
    if fn == 'round':
        return x if t == 'int' else fn_round(x, v[1])
    if fn == 'sqrt':
        return None if x < 0 else math.sqrt(x)
    if fn == 'ln':
        return None if x <= 0 else math.log(x)
    if fn == 'exp':
        try:
            return finite(math.exp(x))
        except OverflowError:
            return None
    if fn == 'pow':
        try:
            return finite(math.pow(x, v[1]))
        except (OverflowError, ValueError):
            return None
    if fn in ('lower', 'upper'):
        return ''.join((c.lower() if fn == 'lower' else c.upper()) if c.isascii() and c.isalpha() else c for c in x)
    if fn == 'length':
        return len(x)
    if fn == 'substr':
        start, ln = v[1], v[2]
        if start < 1 or ln < 0:
            return None
        return x[start - 1:start - 1 + ln]
    if fn == 'starts_with':
        return x.startswith(v[1])
    if fn == 'contains':
        return v[1] in x
    if fn == 'to_float':
        if isinstance(x, str):
            return finite(float(x)) if NUM.match(x) else None
        return float(x)
    if fn == 'to_int':
        if isinstance(x, bool):
            return int(x)
        if isinstance(x, str):
            return fit(int(x)) if re.match(r'^[+-]?[0-9]+$', x) else None
        return fit(int(x)) if -2.0**63 <= x < 2.0**63 else None
    if fn == 'to_string':
        if isinstance(x, bool):
            return 'true' if x else 'false'
        if isinstance(x, str):
            return x
        return fmt_ts(x) if types[0] == 'timestamp' else str(x)
    if fn == 'seconds_between':
        d = fit(v[1] - x)
        return None if d is None else float(d) / 1e6
    if fn == 'hour_of_day':
        return (x // 3600000000) % 24
    if fn == 'day_of_week':
        return (x // 86400000000 + 3) % 7
    if fn == 'geohash':
        return geohash(x, v[1], v[2])
    if fn == 'haversine_km':
        return haversine(*v)
    raise SystemExit('featref: unknown function ' + fn)


# to_string's argument type depends on the node; resolve it from leaves where possible
def _to_string_types(args):
    return None


# ---------------------------------------------------------------- features

def aggregate(f, rows, t, seqname):
    """rows: (ts, seq, input value or True for count(), row) visible in the window."""
    agg = f['agg']
    vals = [r for r in rows if r[2] is not None]
    if agg == 'count':
        return len(rows) if f['input'] is None else len(vals)
    if agg == 'count_distinct':
        return len(set(r[2] for r in vals))
    xs = [r[2] for r in vals]
    if not xs:
        return None
    if agg == 'sum':
        return fit(sum(xs)) if f['type'] == 'int' else finite(math.fsum(xs))
    if agg == 'avg':
        if isinstance(xs[0], int) and not isinstance(xs[0], bool):
            return sum(xs) / len(xs)
        return finite(math.fsum(xs) / len(xs))
    if agg in ('min', 'max'):
        return min(xs) if agg == 'min' else max(xs)
    if agg in ('first', 'last'):
        def key(r):
            return (r[0], (0, 0) if r[1] is None else (1, r[1]), r[2])
        pick = min(vals, key=key) if agg == 'first' else max(vals, key=key)
        if f['ttl'] and pick[0] < t - f['ttl']:
            return None
        return pick[2]
    if agg in ('variance', 'stddev'):
        fx = [float(x) for x in xs]
        m = math.fsum(fx) / len(fx)
        try:
            var = math.fsum((x - m) * (x - m) for x in fx) / len(fx)
        except OverflowError:
            return None
        var = finite(max(var, 0.0))
        if var is None:
            return None
        return var if agg == 'variance' else math.sqrt(var)
    raise SystemExit('featref: unknown aggregation ' + agg)


def arrive(src, evs, keep_late, refused):
    """The accepted events of a source's valid events in file order, decided one by one:
    ahead, late, duplicate (keep_late: duplicates only). Appends (line, reason) to refused."""
    t, arr, uniq, lateness, ahead = src['time'], src['arrival'], src['unique'], src['lateness'], src['max_ahead']
    wm, seen, out = None, set(), []
    for e in evs:
        if not keep_late and arr is not None and ahead is not None and e[t] > e[arr] + ahead:
            refused.append((e['_line'], 'ahead'))
        elif not keep_late and wm is not None and e[t] < wm - lateness:
            refused.append((e['_line'], 'late'))
        elif uniq is not None and e[uniq] is not None and (e[uniq], e[t]) in seen:
            refused.append((e['_line'], 'duplicate'))
        else:
            if uniq is not None and e[uniq] is not None:
                seen.add((e[uniq], e[t]))
            wm = e[t] if wm is None else max(wm, e[t])
            out.append(e)
    return out


def table_order(src, evs):
    """The rows a load leaves in a table (the reader refuses nulls in `not null` fields and
    in the time), in the contract's arrival order for tables: the arrival field, time, seq,
    then every other field in declaration order, nulls lowest; '_line' becomes the row's
    1-based place in that order."""
    names = [f['name'] for f in src['fields']]
    lead = [n for n in (src['arrival'], src['time'], src['seq']) if n]
    keyorder = lead + [n for n in names if n not in lead]
    rows = [e for e in evs if not any(e[f['name']] is None for f in src['fields']
                                      if f['not_null'] or f['name'] == src['time'])]
    rows.sort(key=lambda e: [(0,) if e[n] is None else (1, e[n]) for n in keyorder])
    out = []
    for i, e in enumerate(rows, 1):
        e = dict(e)
        e['_line'] = i
        out.append(e)
    return out


class Reference:
    def __init__(self, plan, service, event_files, keep_late=False, tables=False):
        self.plan = plan
        self.svc = next(s for s in plan.services if s['name'] == service)
        self.src_by_name = {s['name']: s for s in plan.sources}
        self.view_rows = {}
        self.refused = {}  # (source, path) -> [(line, reason)]
        events = {}
        owners = {col.split('__', 1)[0] for col, _ in self.svc['outputs']}
        read = {v['source'] for v in plan.views
                if v['name'] in owners or owners - {w['name'] for w in plan.views}}
        for name, path in event_files.items():
            src = self.src_by_name[name]
            if tables and name not in read:
                continue  # a table the service does not read is not queried
            evs = read_events(src, path)
            if tables:  # the file was loaded before: its table's rows, in the table's order
                evs = table_order(src, evs)
                path = src['table']
            refused = self.refused.setdefault((name, path), [])
            events[name] = arrive(src, self.valid(src, evs), keep_late, refused)
        self.view_types = {}
        for v in plan.views:
            src = self.src_by_name[v['source']]
            types = {f['name']: f['type'] for f in src['fields']}
            types.update({let['name']: let['type'] for let in v['lets']})
            self.view_types[v['name']] = types
            rows = []
            for e in events.get(src['name'], []):
                row = dict(e)
                for let in v['lets']:
                    row[let['name']] = ev(let['expr'], Env(row=row, types=types), let['type'])
                if v['where'] is not None and ev(v['where'], Env(row=row, types=types), 'bool') is not True:
                    continue
                rows.append(row)
            self.view_rows[v['name']] = rows
        self.od_types = {}
        req = self.src_by_name.get(self.svc['request'])
        for i, f in enumerate(req['fields'] if req else []):
            self.od_types['request.%d' % i] = f['type']
        for v in plan.views:
            for f in v['features']:
                self.od_types[v['name'] + '.' + f['name']] = f['type']
        for b in plan.blocks:
            for f in b['ofeatures']:
                self.od_types[b['name'] + '.' + f['name']] = f['type']

    @staticmethod
    def valid(src, evs):
        cols = [f['name'] for f in src['fields']]
        types = {'$%d' % i: f['type'] for i, f in enumerate(src['fields'])}
        out = []
        for e in evs:
            if any(e[f['name']] is None for f in src['fields'] if f['not_null'] or f['name'] == src['time']):
                continue
            if any(ev(x, Env(row=e, cols=cols, types=types), 'bool') is False for x in src['expects']):
                continue
            out.append(e)
        return out

    def feature(self, view, f, keys, t):
        ent = self.plan.entities[view['entity']]
        kvals = [keys[k] for k, _ in ent]
        if any(k is None for k in kvals):
            return self.finish(f, None if f['agg'] not in ('count', 'count_distinct') else 0)
        src = self.src_by_name[view['source']]
        kind, size, hop = f['window']
        low = None
        if kind == 'sliding':
            low = t - size
        elif kind == 'hop':
            low = ((t - size) // hop) * hop
        rows = []
        for r in self.view_rows[view['name']]:
            if [r[c] for c in view['keycols']] != kvals:
                continue
            ts = r[src['time']]
            if not ts < t or (low is not None and ts < low):
                continue
            if f['filter'] is not None and ev(f['filter'], Env(row=r, types=self.view_types[view['name']]), 'bool') is not True:
                continue
            x = True if f['input'] is None else ev(f['input'], Env(row=r, types=self.view_types[view['name']]), f['type'] if f['agg'] != 'count_distinct' else None)
            rows.append((ts, r[src['seq']] if src['seq'] else None, x, r))
        return self.finish(f, aggregate(f, rows, t, src['seq']))

    @staticmethod
    def finish(f, v):
        return f['default'] if v is None and f['default'] is not None else v

    def compute(self, keys, t, request):
        feats = {}
        for v in self.plan.views:
            for f in v['features']:
                feats[v['name'] + '.' + f['name']] = (v, f)
        cache = {}

        class Lazy(dict):
            def __missing__(d, name):
                if name in feats:
                    v, f = feats[name]
                    d[name] = self.feature(v, f, keys, t)
                else:
                    bname, fname = name.split('.')
                    b = next(b for b in self.plan.blocks if b['name'] == bname)
                    of = next(x for x in b['ofeatures'] if x['name'] == fname)
                    d[name] = ev(of['expr'], Env(request=request, feats=d, now=t, types=self.od_types), of['type'])
                return d[name]
        lazy = Lazy(cache)
        return [lazy[col.replace('__', '.', 1)] for col, _ in self.svc['outputs']]


# ---------------------------------------------------------------- compare

def text_of(v, typ):
    if v is None:
        return None
    if typ == 'bool':
        return 'true' if v else 'false'
    if typ == 'timestamp':
        return fmt_ts(v)
    if typ == 'float':
        return fmt_float(v)
    return str(v)


def close(a, b):
    return a == b or abs(a - b) <= 1e-12 or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def check_rejects(ref, path):
    """The log's ahead, late and duplicate lines must be exactly the refused events."""
    want = set()
    for (name, file), items in ref.refused.items():
        want.update((file, line, name, reason) for line, reason in items)
    got = set()
    for text in open(path, encoding='utf-8', errors='replace').read().splitlines():
        m = re.match(r"^(.*):(\d+): source '(\w+)': (ahead|late|duplicate): ", text)
        if m:
            got.add((m.group(1), int(m.group(2)), m.group(3), m.group(4)))
    for x in sorted(want - got):
        print('featref: reject log misses %s:%d: source %s: %s' % x, file=sys.stderr)
    for x in sorted(got - want):
        print('featref: reject log has an unexpected %s:%d: source %s: %s' % x, file=sys.stderr)
    return want == got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('plan')
    ap.add_argument('--service', required=True)
    ap.add_argument('--spine', required=True)
    ap.add_argument('--events', action='append', default=[])
    ap.add_argument('--check')
    ap.add_argument('--print', action='store_true')
    ap.add_argument('--keep-late', action='store_true')
    ap.add_argument('--check-rejects')
    ap.add_argument('--tables', action='store_true')
    a = ap.parse_args()
    plan = Plan(open(a.plan).read())
    files = dict(e.split('=', 1) for e in a.events)
    ref = Reference(plan, a.service, files, a.keep_late, a.tables)
    if a.check_rejects and not check_rejects(ref, a.check_rejects):
        return 1
    svc = ref.svc
    req = ref.src_by_name.get(svc['request'])
    rows = read_csv(a.spine)
    _, header = next(rows)
    names = [h for h, _ in header]
    keytypes = dict(svc['keys'])
    expected = []
    for line, rec in rows:
        if len(rec) != len(names):
            continue
        fields = dict(zip(names, rec))
        try:
            t = value_from_text('timestamp', *(fields['ts'][0], not fields['ts'][1] and fields['ts'][0] == ''))
            if t is None:
                continue
            keys = {k: value_from_text(ty, fields[k][0], not fields[k][1] and fields[k][0] == '') for k, ty in keytypes.items()}
            request = []
            for f in (req['fields'] if req else []):
                text, quoted = fields[f['name']]
                request.append(value_from_text(f['type'], text, not quoted and text == ''))
        except ValueError:
            continue
        expected.append((rec, ref.compute(keys, t, request)))
    outs = svc['outputs']
    if a.print:
        print(','.join(names + [c for c, _ in outs]))
        for rec, vals in expected:
            print(','.join([x for x, _ in rec] + ['' if v is None else text_of(v, ty) for v, (_, ty) in zip(vals, outs)]))
        return 0
    got = list(read_csv(a.check))
    ghead = [h for h, _ in got[0][1]]
    if ghead != names + [c for c, _ in outs]:
        print('featref: header differs: %s' % ghead, file=sys.stderr)
        return 1
    if len(got) - 1 != len(expected):
        print('featref: %d rows, expected %d' % (len(got) - 1, len(expected)), file=sys.stderr)
        return 1
    bad = 0
    for i, ((rec, vals), (_, grec)) in enumerate(zip(expected, got[1:])):
        if [x for x, _ in grec[:len(names)]] != [x for x, _ in rec]:
            print('featref: row %d: spine columns differ' % (i + 1), file=sys.stderr)
            bad += 1
        for (col, ty), v, (text, quoted) in zip(outs, vals, grec[len(names):]):
            gv = None if (not quoted and text == '') else text
            ok = True
            if v is None or gv is None:
                ok = v is None and gv is None
            elif ty == 'float':
                ok = close(v, float(gv))
            else:
                ok = text_of(v, ty) == gv
            if not ok:
                bad += 1
                if bad <= 20:
                    print('featref: row %d (%s) %s: got %r, expected %r' % (i + 1, rec[0][0], col, gv,
                          None if v is None else text_of(v, ty)), file=sys.stderr)
    if bad:
        print('featref: %d mismatches' % bad, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
