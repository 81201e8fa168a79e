#!/usr/bin/env bash
# Every point where it says it is: on the bundled sample and on a generated census of
# 10,000 rows, no placed point lies outside its own commune's polygon (beyond the
# geocoder's tolerance of 1 km; in fact none lies outside at all, since points just off an
# outline are moved inside), every point lies in exactly one département polygon of the
# build, its own, and the counts of points in each département polygon (what QGIS "count
# points in polygon" gives) equal the counts by code (nb_ptce). Checked by placecheck
# (GEOS prepared geometries on the layers read back with shapelib).
source "$(dirname "$0")/lib.sh"
: "${PLACECHECK:?run through ctest}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source_dir="$(cd "$(dirname "$0")/../.." && pwd)"

check() {
  local report
  report=$("$PLACECHECK" "$1" 1000) || fail "$2: $report"
  echo "$2: $report"
  expect_match "$report" "outside_own_commune=0 beyond_tolerance=0 " "$2: points in their commune"
  expect_match "$report" "dep_mismatch=0 count_mismatch=0$" "$2: counts by polygon = by code"
}

"$PTCE_MAP" build -o "$work/sample" --quiet
check "$work/sample" "sample"
# The sample has coordinates just off the coast or in the wrong commune: some are moved,
# some doubted, none is lost.
points=$(ogr_count "$work/sample/ptce_points.shp")
[ "$points" -gt 200 ] || fail "sample: only $points points"

python3 "$source_dir/scripts/gen_census.py" 10000 "$work/c10k.csv" --data "$PTCE_MAP_DATA" \
  > /dev/null
"$PTCE_MAP" build "$work/c10k.csv" -o "$work/c10k" --quiet
check "$work/c10k" "10,000 rows"
echo "placement_polygons: ok"
