#!/usr/bin/env python3
"""gen_examples.py - regenerates the small event and spine files of the examples (deterministic)."""
import csv, json, random
from datetime import datetime, timedelta, timezone

BASE = datetime(2026, 3, 2, 8, 0, 0, tzinfo=timezone.utc)

def iso(t):
    return t.strftime('%Y-%m-%dT%H:%M:%S') + ('.%06dZ' % t.microsecond if t.microsecond else 'Z')

def fraud(rng, out):
    cards = ['c%03d' % i for i in range(1, 9)]
    merchants = ['m_grocer', 'm_fuel', 'm_airline', 'm_games', 'm_cafe']
    countries = ['NL', 'NL', 'NL', 'DE', 'FR', 'US']
    events, t, off = [], BASE, 0
    for i in range(140):
        t += timedelta(seconds=rng.choice([0, 5, 30, 90, 240, 600, 1800, 3600]))
        off += 1
        card = rng.choice(cards[:3]) if rng.random() < 0.6 else rng.choice(cards)
        ev = {'card_id': card, 'merchant_id': rng.choice(merchants),
              'amount': round(rng.choice([rng.uniform(1, 80), rng.uniform(80, 400), rng.uniform(400, 2500)]), 2),
              'currency': 'EUR', 'country': rng.choice(countries), 'channel': rng.choice(['pos', 'web', 'app']),
              'offset': off, 'ts': iso(t)}
        if i % 17 == 3: ev['country'] = None
        if i % 23 == 5: ev['amount'] = None
        if i % 29 == 7: del ev['channel']
        events.append(ev)
    # a burst with one shared timestamp, ties broken by offset
    for k in range(3):
        off += 1
        events.append({'card_id': 'c001', 'merchant_id': 'm_games', 'amount': 49.99 + k, 'currency': 'EUR',
                       'country': 'US', 'channel': 'web', 'offset': off, 'ts': iso(t)})
    lines = [json.dumps(e) for e in events]
    # data-quality problems the reader must reject with a reason
    lines.insert(10, '{"card_id": "c002", "merchant_id": "m_cafe", "amount": -5, "offset": 999, "ts": "%s"}' % iso(BASE + timedelta(hours=2)))
    lines.insert(20, '{"card_id": "c003", "merchant_id": "m_cafe", "amount": "12.50", "ts": "%s"}' % iso(BASE + timedelta(hours=3)))
    lines.insert(30, '{"card_id": null, "merchant_id": "m_cafe", "amount": 3, "ts": "%s"}' % iso(BASE + timedelta(hours=4)))
    lines.insert(40, 'this is not json')
    with open(out + '/transactions.jsonl', 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(out + '/cardholders.csv', 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['card_id', 'segment', 'credit_limit', 'home_country', 'updated_at'])
        rows = []
        for i, c in enumerate(cards):
            rows.append([c, rng.choice(['student', 'standard', 'gold']), rng.choice([500, 1500, 5000]),
                         rng.choice(['NL', 'DE']), BASE - timedelta(days=rng.randint(1, 200))])
        rows.append(['c002', 'gold', 8000, 'NL', BASE + timedelta(hours=5)])
        for r in sorted(rows, key=lambda r: r[4]):   # a table export in update order
            w.writerow(r[:4] + [iso(r[4])])
    end = t
    with open(out + '/spine.csv', 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['card_id', 'ts', 'merchant_id', 'amount', 'country', 'lat', 'lon', 'is_fraud'])
        for i in range(40):
            q = BASE + (end - BASE) * rng.random()
            q = q.replace(microsecond=0)
            w.writerow([rng.choice(cards), iso(q), rng.choice(merchants), round(rng.uniform(1, 3000), 2),
                        rng.choice(countries), round(rng.uniform(50, 54), 5), round(rng.uniform(3, 7), 5), rng.randint(0, 1)])
        e0 = events[5]
        w.writerow([e0['card_id'], e0['ts'], e0['merchant_id'], 10, 'NL', 52.37, 4.89, 0])   # exactly at an event
        w.writerow(['c999', iso(end), 'm_cafe', 1, '', '', '', 0])                          # unknown card
        w.writerow(['c001', iso(end + timedelta(days=1)), 'm_games', 75.5, 'US', 40.7, -74.0, 1])

def eta(rng, out):
    events, t = [], BASE
    zones = ['centre', 'north', 'harbour']
    for oid in range(1, 61):
        t += timedelta(seconds=rng.randint(20, 900))
        rid, zone, courier = rng.randint(1, 4), rng.choice(zones), 'k%02d' % rng.randint(1, 5)
        prep, drive, dist = rng.uniform(300, 1500), rng.uniform(240, 1800), rng.uniform(0.5, 9)
        placed = t
        picked = placed + timedelta(seconds=prep)
        done = picked + timedelta(seconds=drive)
        events.append((placed, {'order_id': oid, 'restaurant_id': rid, 'courier_id': None, 'zone': zone, 'status': 'placed', 'event_time': iso(placed)}))
        events.append((picked, {'order_id': oid, 'restaurant_id': rid, 'courier_id': courier, 'zone': zone, 'prep_secs': round(prep, 1), 'status': 'picked_up', 'event_time': iso(picked)}))
        events.append((done, {'order_id': oid, 'restaurant_id': rid, 'courier_id': courier, 'zone': zone, 'prep_secs': round(prep, 1), 'drive_secs': round(drive, 1), 'distance_km': round(dist, 3), 'status': 'delivered', 'event_time': iso(done)}))
    events.sort(key=lambda e: e[0])
    # mild disorder within the 1m lateness, and one event far too late
    for i in range(5, len(events) - 1, 25):
        if events[i + 1][0] - events[i][0] < timedelta(seconds=50):
            events[i], events[i + 1] = events[i + 1], events[i]
    late = dict(events[3][1]); late['order_id'] = 1000
    events.insert(80, (None, late))
    bad = {'order_id': 1001, 'restaurant_id': 2, 'zone': 'north', 'status': 'lost', 'event_time': iso(BASE + timedelta(hours=1))}
    events.insert(50, (None, bad))
    with open(out + '/deliveries.csv', 'w', newline='') as f:
        cols = ['order_id', 'restaurant_id', 'courier_id', 'zone', 'prep_secs', 'drive_secs', 'distance_km', 'status', 'event_time']
        w = csv.writer(f)
        w.writerow(cols)
        for _, e in events:
            w.writerow(['' if e.get(c) is None else e[c] for c in cols])
    end = max(e[0] for e in events if e[0])
    with open(out + '/spine.csv', 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['order_ref', 'restaurant_id', 'zone', 'courier_id', 'ts', 'pickup_lat', 'pickup_lon', 'dropoff_lat', 'dropoff_lon', 'actual_mins'])
        for i in range(30):
            q = (BASE + (end - BASE) * rng.random()).replace(microsecond=0)
            w.writerow(['r%d' % i, rng.randint(1, 4), rng.choice(zones), 'k%02d' % rng.randint(1, 5), iso(q),
                        round(52.36 + rng.uniform(0, .05), 5), round(4.88 + rng.uniform(0, .05), 5),
                        round(52.36 + rng.uniform(0, .05), 5), round(4.88 + rng.uniform(0, .05), 5), rng.randint(12, 70)])
        w.writerow(['r_far', 9, 'centre', '', iso(end), 90, 180, -90, -180, 0])

def ranking(rng, out):
    users = ['u%02d' % i for i in range(1, 7)]
    events, t = [], BASE
    for i in range(160):
        t += timedelta(seconds=rng.choice([1, 2, 10, 60, 300, 1200]), microseconds=rng.choice([0, 250000, 500000]))
        kind = rng.choices(['view', 'click', 'like', 'share'], [70, 20, 7, 3])[0]
        ev = {'user_id': rng.choice(users), 'item_id': rng.randint(100, 112), 'kind': kind,
              'dwell_ms': rng.randint(200, 60000) if kind != 'view' else None,
              'surface': rng.choice(['home', 'search', 'related', None]), 'time': iso(t)}
        events.append(ev)
    lines = [json.dumps({k: v for k, v in e.items() if v is not None or k == 'surface'}) for e in events]
    lines.insert(33, '{"user_id": "u01", "item_id": 2.5, "kind": "view", "time": "%s"}' % iso(BASE))
    lines.insert(66, '{"user_id": "u02", "item_id": 101, "kind": "view", "time": "2026-02-30T10:00:00Z"}')
    with open(out + '/interactions.jsonl', 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(out + '/items.csv', 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['item_id', 'category', 'author', 'price', 'published', 'updated_at'])
        rows = []
        for item in range(100, 113):
            pub = BASE - timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 23))
            rows.append([item, rng.choice(['Cooking', 'travel', 'Tech', 'music']), 'author %d' % (item % 4),
                         rng.choice([0, 2.99, 4.5, 9.99, '']), iso(pub), pub])
        rows.append([105, 'Travel, "long reads"', 'author 1', 3.5, iso(BASE - timedelta(days=3)), BASE + timedelta(hours=2)])
        for r in sorted(rows, key=lambda r: r[5]):   # a table export in update order
            w.writerow(r[:5] + [iso(r[5])])
    end = t
    with open(out + '/spine.csv', 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['request_id', 'user_id', 'item_id', 'ts', 'position', 'query', 'clicked'])
        for i in range(40):
            q = (BASE + (end - BASE) * rng.random()).replace(microsecond=0)
            w.writerow(['q%d' % i, rng.choice(users), rng.randint(100, 112), iso(q), rng.randint(1, 20),
                        rng.choice(['', 'cheap travel', 'tech news', 'cooking']), rng.randint(0, 1)])

if __name__ == '__main__':
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    fraud(random.Random(7), os.path.join(here, '..', 'fraud'))
    eta(random.Random(11), os.path.join(here, '..', 'eta'))
    ranking(random.Random(13), os.path.join(here, '..', 'ranking'))
