#!/usr/bin/env bash
# `ptce-map build` on the bundled sample: every output exists, GDAL and shapelib read it
# back with the right CRS, counts, accents, and every input row is a point or a reject.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="$work/out"

"$PTCE_MAP" build -o "$out" 2> "$work/stderr"
cat "$work/stderr"

for layer in ptce_points ptce_regions ptce_departements ptce_epci; do
  for ext in shp shx dbf prj cpg geojson; do
    [ -s "$out/$layer.$ext" ] || fail "$layer.$ext missing"
  done
  expect_eq "$(cat "$out/$layer.cpg")" "UTF-8" "$layer.cpg"
  expect_eq "$(srs_epsg "$out/$layer.prj")" "4326" "$layer.prj read by GDAL"
  expect_eq "$(srs_epsg "$out/$layer.shp")" "4326" "$layer.shp CRS read by GDAL"
done
[ -s "$out/rejets.csv" ] || fail "rejets.csv missing"
[ -s "$out/LISEZMOI.txt" ] || fail "LISEZMOI.txt missing"
grep -q "GeoNames (CC BY 4.0)" "$out/LISEZMOI.txt" || fail "GeoNames credit missing"
grep -q "IGN – ADMIN EXPRESS COG 2018" "$out/LISEZMOI.txt" || fail "IGN credit missing"
ls -A "$out" | grep -q '^\.ptce-map-tmp' && fail "temporary folder left behind"

# Rows: the summary, the points and the rejects add up to the census.
rows=$(sed -n 's/.*: \([0-9]*\) lignes lues.*/\1/p' "$work/stderr")
placed=$(sed -n 's/.* \([0-9]*\) placées.*/\1/p' "$work/stderr")
expect_eq "$rows" "230" "rows read"
points=$(ogr_count "$out/ptce_points.shp")
expect_eq "$points" "$placed" "points in the Shapefile"
expect_eq "$(ogr_count "$out/ptce_points.geojson")" "$placed" "points in the GeoJSON"
rejects=$(python3 -c "import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], encoding='utf-8-sig'), delimiter=';')))" "$out/rejets.csv")
expect_eq "$((points + rejects))" "$rows" "points + rejects"

# Areas: 18 regions and 101 départements whose counts add up to the placed rows.
expect_eq "$(ogr_count "$out/ptce_regions.shp")" "18" "regions"
expect_eq "$(ogr_count "$out/ptce_departements.shp")" "101" "départements"
expect_eq "$(ogr_count "$out/ptce_regions.geojson")" "18" "regions GeoJSON"
expect_eq "$("$SHPCHECK" "$out/ptce_regions" sum nb_ptce)" "$placed" "sum of nb_ptce (regions)"
expect_eq "$("$SHPCHECK" "$out/ptce_departements" sum nb_ptce)" "$placed" "sum of nb_ptce (départements)"
# EPCI: all 1,255, counting the points that carry an EPCI code (a point placed in one of the
# four island communes outside any EPCI, or by its département only, has none).
expect_eq "$(ogr_count "$out/ptce_epci.shp")" "1255" "EPCI"
with_epci=$("$SHPCHECK" "$out/ptce_points" values code_epci | grep -c .)
[ "$with_epci" -ge $((placed * 9 / 10)) ] || fail "only $with_epci of $placed points have an EPCI"
expect_eq "$("$SHPCHECK" "$out/ptce_epci" sum nb_ptce)" "$with_epci" "sum of nb_ptce (EPCI)"
[ -s "$out/ptce_epci.qml" ] || fail "ptce_epci.qml missing"
grep -q 'ptce_epci.shp' "$out/ptce-map.qgs" || fail "EPCI layer missing from the QGIS project"
info=$("$SHPCHECK" "$out/ptce_points" info)
expect_match "$info" "type=Point count=$placed" "points read by shapelib"
for f in id nom insee commune code_reg code_epci nom_epci secteur secteurs; do
  expect_match "$info" "(=|,)$f(,|$)" "field $f"
done

# Accents survive: shapelib and GDAL both give back UTF-8 names.
# (Outputs are captured first: grep -q closing a pipe early would fail the pipeline.)
names=$("$SHPCHECK" "$out/ptce_regions" values nom_reg)
expect_match "$names" "^Île-de-France$" "accented region name (shapelib)"
regions=$(ogrinfo -ro -al -q "$out/ptce_regions.shp")
expect_match "$regions" "nom_reg \(String\) = Provence-Alpes-Côte d'Azur" "accented region name (ogrinfo)"
points_json=$(ogrinfo -ro -al -q "$out/ptce_points.geojson")
expect_match "$points_json" "nom \(String\) = Légumerie" "accented PTCE name (GeoJSON)"
# Polygons: a Shapefile's outer rings are clockwise (GDAL would otherwise reorganise them).
rings=$("$SHPCHECK" "$out/ptce_regions" rings)
cw=${rings#cw=}; cw=${cw%% *}
[ "$cw" -ge 18 ] || fail "clockwise outer rings: $rings"
echo "build_sample: ok ($placed placed, $rejects rejected)"
