#!/usr/bin/env python3
"""Build the labelled placement-by-coordinates cases: tests/data/coordinate-cases.csv.

Every case is made from the commune polygons of data/geom/ (IGN ADMIN EXPRESS, mapped to
the current COG by the data compiler; format in src/geom/codec.h) with an implementation
of its own (ray casting and point-to-segment distances in a local equirectangular plane,
in this file), never by running the geocoder:

  interior_alone        a random point inside a commune's polygon, at least MARGIN_M from
                        its outline and inside no other polygon; coordinates only: expected
                        that commune (the one whose polygon holds the point). 20 per
                        département, communes drawn uniformly (so mostly rural ones), some
                        written with a decimal comma, some in Lambert-93 X/Y;
  interior_stated       the same with the commune's INSEE code: the coordinates are its
                        point. Half are drawn in large communes, far (often more than 15 km)
                        from the commune's own point: a check against a point would doubt
                        them, a check against the polygon does not;
  outside_stated        the INSEE code of a commune and a point inside another commune, more
                        than FAR_M from the stated commune's polygon but less than 15 km from
                        its point: the commune is kept, its point drawn, the coordinates
                        doubted;
  near_outline          a point outside every polygon, NEAR_MIN_M to NEAR_MAX_M from the
                        nearest (a coast, a border), the second nearest clearly farther:
                        expected the nearest commune (within the tolerance of 1 km);
  off_land              a point more than FAR_M from every polygon (at sea, or abroad),
                        drawn off the outlines, plus the centres of foreign towns near the
                        border: expected reject.

Distances between NEAR_MAX_M and FAR_M are never drawn: the geocoder's tolerance (1 km)
sits in that gap, so that two correct implementations of the distance cannot disagree.

Seeded: reruns give the same file.
Usage: python3 scripts/make-coordinate-cases.py [--check] [--seed N] [--out FILE]
"""
import csv
import io
import math
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data")
OUT = os.path.join(ROOT, "tests", "data", "coordinate-cases.csv")
HEADER = ["category", "id", "insee", "code_postal", "commune", "departement", "adresse",
          "latitude", "longitude", "x", "y", "expected_status", "expected_insee"]

SEED = 20261201
PER_DEP = 20
MARGIN_M = 15.0
NEAR_MIN_M, NEAR_MAX_M = 40.0, 800.0
FAR_M = 1400.0


def option(name, default):
    if name in sys.argv[1:-1]:
        return sys.argv[sys.argv.index(name) + 1]
    return default


SEED = int(option("--seed", SEED))
OUT = option("--out", OUT)
rng = random.Random(SEED)


# ------------------------------------------------------------------ reference data
def read_tsv(name):
    with open(os.path.join(DATA, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


COMMUNES = {c["insee"]: c for c in read_tsv("communes.tsv")}


sys.path.insert(0, os.path.join(ROOT, "scripts", "refdata"))
import polygons  # noqa: E402
from polygons import CODES, SHAPES, boundary_m, distance_m, holders, inside, near_codes  # noqa: E402,E501

polygons.load(DATA)
R = polygons.R


def km(lat1, lon1, lat2, lon2):
    r = math.pi / 180
    a = (math.sin((lat2 - lat1) * r / 2) ** 2 +
         math.cos(lat1 * r) * math.cos(lat2 * r) * math.sin((lon2 - lon1) * r / 2) ** 2)
    return 2 * 6371 * math.asin(min(1, math.sqrt(a)))


def lambert93(lat, lon):
    """WGS 84 (≈ RGF93) to Lambert-93 metres, the EPSG:2154 conic conformal formulas."""
    a, f = 6378137.0, 1 / 298.257222101
    e = math.sqrt(2 * f - f * f)
    r = math.pi / 180

    def m(p):
        return math.cos(p) / math.sqrt(1 - (e * math.sin(p)) ** 2)

    def t(p):
        return math.tan(math.pi / 4 - p / 2) / ((1 - e * math.sin(p)) / (1 + e * math.sin(p))) ** (e / 2)

    p1, p2, p0 = 49 * r, 44 * r, 46.5 * r
    n = (math.log(m(p1)) - math.log(m(p2))) / (math.log(t(p1)) - math.log(t(p2)))
    F = m(p1) / (n * t(p1) ** n)
    rho0 = a * F * t(p0) ** n
    rho = a * F * t(lat * r) ** n
    th = n * (lon - 3) * r
    return 700000 + rho * math.sin(th), 6600000 + rho0 - rho * math.cos(th)


def random_inside(code, tries=400):
    x0, y0, x1, y1 = SHAPES[code][1]
    for _ in range(tries):
        lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
        lon, lat = round(lon, 6), round(lat, 6)
        if not inside(code, lon, lat) or boundary_m(code, lon, lat) < MARGIN_M:
            continue
        if any(c != code and inside(c, lon, lat) for c in near_codes(lon, lat, 0)):
            continue
        return lon, lat
    return None


def offset(lon, lat, metres, angle):
    dlat = metres * math.sin(angle) / (R * math.pi / 180)
    dlon = metres * math.cos(angle) / (R * math.pi / 180 * math.cos(math.radians(lat)))
    return round(lon + dlon, 6), round(lat + dlat, 6)


def random_vertex(code):
    rings = rng.choice(SHAPES[code][0])
    return rng.choice(rings[0])


# ------------------------------------------------------------------ cases
cases = []
seen = set()


def add(category, status, expected="", **fields):
    row = {h: "" for h in HEADER}
    row.update(fields)
    row.update(category=category, expected_status=status, expected_insee=expected)
    sig = tuple(row[h] for h in HEADER if h != "id")
    if sig in seen:
        return False
    seen.add(sig)
    row["id"] = f"CC-{len(cases) + 1:04d}"
    cases.append(row)
    return True


def coord_fields(lon, lat, dep):
    form = rng.random()
    if form < 0.08 and dep < "971":
        x, y = lambert93(lat, lon)
        return {"x": f"{x:.1f}", "y": f"{y:.1f}"}
    if form < 0.2:
        return {"latitude": f"{lat:.6f}".replace(".", ","),
                "longitude": f"{lon:.6f}".replace(".", ",")}
    return {"latitude": f"{lat:.6f}", "longitude": f"{lon:.6f}"}


BY_DEP = {}
for code in CODES:
    BY_DEP.setdefault(COMMUNES[code]["code_dep"], []).append(code)


def interior_alone():
    for dep in sorted(BY_DEP):
        codes = BY_DEP[dep]
        picks = rng.sample(codes, min(PER_DEP, len(codes)))
        while len(picks) < PER_DEP:
            picks.append(rng.choice(codes))
        for code in picks:
            p = None
            while p is None:
                p = random_inside(code)
                if p is None:
                    code = rng.choice(codes)
            lon, lat = p
            add("interior_alone", "match", code, **coord_fields(lon, lat, dep))


def area_deg2(code):
    x0, y0, x1, y1 = SHAPES[code][1]
    return (x1 - x0) * (y1 - y0)


def interior_stated(n=120):
    large = sorted(CODES, key=lambda c: (-area_deg2(c), c))[:600]
    count = 0
    while count < n:
        code = rng.choice(large if count % 2 == 0 else CODES)
        p = random_inside(code)
        if not p:
            continue
        lon, lat = p
        c = COMMUNES[code]
        if count % 2 == 0 and km(lat, lon, float(c["lat"]), float(c["lon"])) < 15:
            continue
        count += add("interior_stated", "match", code, insee=code,
                     **coord_fields(lon, lat, c["code_dep"]))


def outside_stated(n=120):
    count = 0
    while count < n:
        code = rng.choice(CODES)
        c = COMMUNES[code]
        clat, clon = float(c["lat"]), float(c["lon"])
        lon, lat = offset(clon, clat, rng.uniform(2000, 12000), rng.uniform(0, 2 * math.pi))
        hold = holders(lon, lat)
        if len(hold) != 1 or hold[0] == code:
            continue
        if boundary_m(hold[0], lon, lat) < MARGIN_M or distance_m(code, lon, lat) < FAR_M:
            continue
        if km(lat, lon, clat, clon) > 15:
            continue
        count += add("outside_stated", "match", code, insee=code,
                     **coord_fields(lon, lat, c["code_dep"]))


def near_outline(n=80):
    count = 0
    while count < n:
        code = rng.choice(CODES)
        vx, vy = random_vertex(code)
        lon, lat = offset(vx, vy, rng.uniform(NEAR_MIN_M, NEAR_MAX_M), rng.uniform(0, 2 * math.pi))
        cand = near_codes(lon, lat, FAR_M + 500)
        if any(inside(c, lon, lat) for c in cand):
            continue
        d = sorted((boundary_m(c, lon, lat), c) for c in cand)
        if not d or not (NEAR_MIN_M <= d[0][0] <= NEAR_MAX_M):
            continue
        if len(d) > 1 and d[1][0] < d[0][0] + 150:
            continue  # two communes about as near: not settled by the rule
        best = d[0][1]
        count += add("near_outline", "match", best,
                     **coord_fields(lon, lat, COMMUNES[best]["code_dep"]))


FOREIGN_TOWNS = [  # centres of towns across the border or the sea (WGS 84)
    ("Genève", 46.2044, 6.1432), ("Lausanne", 46.5197, 6.6323), ("Bâle", 47.5596, 7.5886),
    ("Neuchâtel", 46.9900, 6.9293), ("Bruxelles", 50.8503, 4.3517), ("Tournai", 50.6056, 3.3879),
    ("Mons", 50.4542, 3.9567), ("Arlon", 49.6833, 5.8167), ("Luxembourg", 49.6116, 6.1319),
    ("Sarrebruck", 49.2402, 6.9969), ("Karlsruhe", 49.0069, 8.4037),
    ("Fribourg-en-Brisgau", 47.9990, 7.8421), ("Turin", 45.0703, 7.6869),
    ("Aoste", 45.7372, 7.3206), ("Vintimille", 43.7903, 7.6078),
    ("Saint-Sébastien", 43.3183, -1.9812), ("Pampelune", 42.8125, -1.6458),
    ("Andorre-la-Vieille", 42.5063, 1.5218), ("Figueres", 42.2666, 2.9615),
    ("Gérone", 41.9794, 2.8214), ("Puigcerdà", 42.4317, 1.9275),
    ("Saint-Hélier (Jersey)", 49.1858, -2.1070), ("Douvres", 51.1279, 1.3134),
    ("Brighton", 50.8225, -0.1372), ("Portsmouth", 50.8198, -1.0880),
    ("Sassari", 40.7259, 8.5557), ("Paramaribo", 5.8520, -55.2038),
    ("Roseau (Dominique)", 15.3010, -61.3870), ("Castries (Sainte-Lucie)", 14.0101, -60.9875),
    ("Port-Louis (Maurice)", -20.1609, 57.5012), ("Moroni (Comores)", -11.7172, 43.2473),
]


def off_land(n=100):
    for name, lat, lon in FOREIGN_TOWNS:
        cand = near_codes(lon, lat, FAR_M + 500)
        if all(distance_m(c, lon, lat) > FAR_M for c in cand):
            add("off_land", "reject", "", latitude=f"{lat:.4f}", longitude=f"{lon:.4f}")
    count = 0
    while count < n:
        code = rng.choice(CODES)
        vx, vy = random_vertex(code)
        lon, lat = offset(vx, vy, rng.uniform(FAR_M + 100, 20000), rng.uniform(0, 2 * math.pi))
        cand = near_codes(lon, lat, FAR_M + 500)
        if any(distance_m(c, lon, lat) <= FAR_M for c in cand):
            continue
        count += add("off_land", "reject", "", latitude=f"{lat:.6f}", longitude=f"{lon:.6f}")


def main():
    interior_alone()
    interior_stated()
    outside_stated()
    near_outline()
    off_land()
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=HEADER, delimiter=";", lineterminator="\n",
                       quoting=csv.QUOTE_NONE, escapechar=None)
    w.writeheader()
    for row in cases:
        w.writerow(row)
    text = buf.getvalue()
    if "--check" in sys.argv[1:]:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                raise SystemExit(f"{OUT} differs from what the script writes")
        print(f"{OUT}: up to date ({len(cases)} cases)")
        return
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    print(f"{OUT}: {len(cases)} cases")


if __name__ == "__main__":
    main()
