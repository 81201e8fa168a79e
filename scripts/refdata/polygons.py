"""The commune polygons of data/geom/ for the scripts that label test cases.

Reads data/geom/communes-*.geo.gz (format in src/geom/codec.h) with an implementation of its
own (ray casting, point-to-segment distances in a local equirectangular plane), so that the
cases it labels check the geocoder rather than repeat it. Standard library only.
"""
import glob
import gzip
import math
import os

R = 6371008.8
CELL = 0.1


def decode(text):
    """src/geom/codec.h: polygons ';', rings '|', 'X,Y DX,DY …' in 1e-5 degree."""
    polys = []
    for ptext in text.split(";"):
        rings = []
        for rtext in ptext.split("|"):
            pts = []
            x = y = 0
            for i, pair in enumerate(rtext.split(" ")):
                a, b = pair.split(",")
                if i == 0:
                    x, y = int(a), int(b)
                else:
                    x += int(a)
                    y += int(b)
                pts.append((x / 1e5, y / 1e5))
            pts.append(pts[0])
            rings.append(pts)
        polys.append(rings)
    return polys


SHAPES = {}   # code -> (polygons, bbox), filled by load()
GRID = {}
CODES = []


def load(data_dir):
    """Reads every commune polygon of data_dir/geom once."""
    if SHAPES:
        return
    for path in sorted(glob.glob(os.path.join(data_dir, "geom", "communes-*.geo.gz"))):
        with gzip.open(path, "rt", encoding="ascii") as f:
            for line in f:
                code, geom = line.rstrip("\n").split("\t")
                polys = decode(geom)
                xs = [p[0] for rings in polys for p in rings[0]]
                ys = [p[1] for rings in polys for p in rings[0]]
                SHAPES[code] = (polys, (min(xs), min(ys), max(xs), max(ys)))
    CODES.extend(sorted(SHAPES))
    for code in CODES:
        x0, y0, x1, y1 = SHAPES[code][1]
        for i in range(math.floor(x0 / CELL), math.floor(x1 / CELL) + 1):
            for j in range(math.floor(y0 / CELL), math.floor(y1 / CELL) + 1):
                GRID.setdefault((i, j), []).append(code)


def near_codes(lon, lat, radius_m):
    dlat = radius_m / (R * math.pi / 180)
    dlon = dlat / max(0.01, math.cos(math.radians(lat)))
    found = set()
    for i in range(math.floor((lon - dlon) / CELL), math.floor((lon + dlon) / CELL) + 1):
        for j in range(math.floor((lat - dlat) / CELL), math.floor((lat + dlat) / CELL) + 1):
            for code in GRID.get((i, j), ()):
                x0, y0, x1, y1 = SHAPES[code][1]
                if x0 - dlon <= lon <= x1 + dlon and y0 - dlat <= lat <= y1 + dlat:
                    found.add(code)
    return sorted(found)


def inside(code, lon, lat):
    polys = SHAPES[code][0]
    n = 0
    for rings in polys:
        for ring in rings:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
                if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
                    n += 1
    return n % 2 == 1


def boundary_m(code, lon, lat):
    """Distance in metres from the point to the polygon's rings (local plane)."""
    kx = math.cos(math.radians(lat)) * R * math.pi / 180
    ky = R * math.pi / 180
    best = float("inf")
    for rings in SHAPES[code][0]:
        for ring in rings:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
                ax, ay = (x1 - lon) * kx, (y1 - lat) * ky
                bx, by = (x2 - lon) * kx, (y2 - lat) * ky
                dx, dy = bx - ax, by - ay
                L = dx * dx + dy * dy
                t = 0 if L == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / L))
                d = math.hypot(ax + t * dx, ay + t * dy)
                if d < best:
                    best = d
    return best


def distance_m(code, lon, lat):
    return 0.0 if inside(code, lon, lat) else boundary_m(code, lon, lat)


def holders(lon, lat):
    return [c for c in near_codes(lon, lat, 0) if inside(c, lon, lat)]




def land_m(lon, lat, radius_m=30000):
    """0 inside a commune polygon, else the distance in metres to the nearest one (up to
    radius_m; farther gives infinity)."""
    best = float("inf")
    for c in near_codes(lon, lat, radius_m):
        d = distance_m(c, lon, lat)
        if d < best:
            best = d
            if d == 0:
                break
    return best
