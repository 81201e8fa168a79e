#!/usr/bin/env python3
"""Checks a GeoJSON file against RFC 7946 the way the end-to-end tests need it.

usage: check_geojson.py FILE [--decimals N]
Checks: FeatureCollection; no "crs" member; a 4-number bbox [west, south, east, north] that
holds every coordinate; positions of 2 numbers with at most N decimals (default 6) in
longitude/latitude range; closed rings of 4+ positions; exterior rings counter-clockwise
and holes clockwise. Prints "ok FEATURES VERTICES" or the first problem (exit 1).
"""
import json
import re
import sys


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def signed_area(ring):
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2


def main():
    path = sys.argv[1]
    decimals = int(sys.argv[sys.argv.index("--decimals") + 1]) if "--decimals" in sys.argv else 6
    text = open(path, encoding="utf-8").read()
    doc = json.loads(text)
    if doc.get("type") != "FeatureCollection":
        fail("not a FeatureCollection")
    if "crs" in doc:
        fail("has a crs member")
    too_precise = re.search(r"-?\d+\.\d{%d,}" % (decimals + 1), text.split('"features"', 1)[1])
    if too_precise:
        fail("number with more than %d decimals: %s" % (decimals, too_precise.group(0)))
    bbox = doc.get("bbox")
    if not bbox or len(bbox) != 4:
        fail("no 4-number bbox")
    vertices = 0

    def check_pos(p):
        nonlocal vertices
        vertices += 1
        if len(p) != 2:
            fail("position of %d numbers" % len(p))
        x, y = p
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            fail("position out of range: %r" % (p,))
        if not (bbox[0] - 1e-6 <= x <= bbox[2] + 1e-6 and bbox[1] - 1e-6 <= y <= bbox[3] + 1e-6):
            fail("position outside bbox: %r" % (p,))

    def check_polygon(rings):
        for i, ring in enumerate(rings):
            if len(ring) < 4 or ring[0] != ring[-1]:
                fail("ring not closed or too short")
            for p in ring:
                check_pos(p)
            a = signed_area(ring)
            if i == 0 and a <= 0:
                fail("exterior ring not counter-clockwise")
            if i > 0 and a >= 0:
                fail("hole not clockwise")

    for f in doc["features"]:
        if f.get("type") != "Feature" or "properties" not in f:
            fail("bad feature")
        g = f["geometry"]
        if g["type"] == "Point":
            check_pos(g["coordinates"])
        elif g["type"] == "Polygon":
            check_polygon(g["coordinates"])
        elif g["type"] == "MultiPolygon":
            for poly in g["coordinates"]:
                check_polygon(poly)
        else:
            fail("unexpected geometry " + g["type"])
    print("ok %d %d" % (len(doc["features"]), vertices))


if __name__ == "__main__":
    main()
