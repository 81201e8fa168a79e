#!/usr/bin/env bash
# The map outputs: Lambert-93 Shapefiles, the national layout in carte/, RFC 7946 GeoJSON
# with simplified _web variants, groups, synthese.csv, and that nothing moved for the
# layout ever shows up in a true-position layer.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
checker="$PTCE_SOURCE_DIR/tests/tools/check_geojson.py"
cat > "$work/groupes.csv" <<'CSV'
code_reg;groupe
93;PACA et Corse
94;PACA et Corse
04;Océan Indien
06;Océan Indien
CSV

"$PTCE_MAP" build -o "$work/l93" --crs EPSG:2154 --groups "$work/groupes.csv" --quiet
"$PTCE_MAP" build -o "$work/wgs" --quiet
out="$work/l93"
placed=$(ogr_count "$out/ptce_points.geojson")   # GeoJSON: every placed PTCE, WGS 84

# --crs: the .prj is PROJ's ESRI WKT, which GDAL reads back as EPSG:2154.
for layer in ptce_points ptce_regions ptce_departements ptce_groupes; do
  expect_eq "$(srs_epsg "$out/$layer.prj")" "2154" "$layer.prj"
done
grep -q '^PROJCS\["RGF_1993_Lambert_93"' "$out/ptce_points.prj" || fail "ESRI WKT name"
# Lambert-93 is made for metropolitan France: with --crs EPSG:2154 the true-position
# layers (Shapefiles and the GeoPackage's ptce_* tables) keep metropolitan France only, and
# no coordinate of theirs lies outside Lambert-93's area of use (EPSG: 9.86°W–10.38°E,
# 41.15°N–51.56°N, projected bounds below). The overseas regions stay in the GeoJSON.
python3 - "$out" "$SHPCHECK" <<'PY' || fail "Lambert-93 keeps its domain"
import re, sqlite3, subprocess, sys
out, shpcheck = sys.argv[1], sys.argv[2]
X0, Y0, X1, Y1 = -378305.81, 6005281.2, 1320649.57, 7235612.72
def inside(b, what):
    assert X0 <= b[0] and Y0 <= b[1] and b[2] <= X1 and b[3] <= Y1, (what, b)
for layer in ("ptce_points", "ptce_regions", "ptce_departements", "ptce_epci", "ptce_groupes"):
    b = [float(v) for v in subprocess.run([shpcheck, out + "/" + layer, "bounds"], capture_output=True, text=True, check=True).stdout.split()]
    inside(b, layer + ".shp")
    rows = subprocess.run(["ogrinfo", "-ro", "-q", "-al", out + "/" + layer + ".shp"], capture_output=True, text=True).stdout
    regs = re.findall(r"code_reg \(String\) = (\d+)", rows)
    assert not set(regs) & {"01", "02", "03", "04", "06"}, (layer, "overseas feature in Lambert-93")
db = sqlite3.connect(out + "/ptce-map.gpkg")
for t, x0, y0, x1, y1, srs in db.execute("SELECT table_name, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents WHERE table_name LIKE 'ptce_%'"):
    assert srs == 2154, t
    inside((x0, y0, x1, y1), t + " (GeoPackage)")
    if t in ("ptce_points", "ptce_regions", "ptce_departements"):
        assert db.execute('SELECT count(*) FROM "%s" WHERE code_reg IN (\'01\',\'02\',\'03\',\'04\',\'06\')' % t).fetchone()[0] == 0, t
readme = open(out + "/LISEZMOI.txt", encoding="utf-8").read()
assert "contiennent que la métropole" in readme and "EPSG:5490" in readme, readme
PY
metro=$(ogr_count "$out/ptce_points.shp")
[ "$metro" -gt 0 ] && [ "$metro" -lt "$placed" ] || fail "Lambert-93 points: $metro of $placed"

# ogrinfo: geometry type and count of every Shapefile and GeoJSON.
ogr_geometry() { ogrinfo -ro -so -al "$1" | sed -n 's/^Geometry: //p' | head -1; }
for f in ptce_points.shp ptce_points.geojson carte/ptce_points.shp; do
  expect_eq "$(ogr_geometry "$out/$f")" "Point" "$f geometry"
done
for f in ptce_regions ptce_departements ptce_groupes carte/ptce_regions carte/ptce_departements carte/cadres; do
  expect_match "$(ogr_geometry "$out/$f.shp")" "Polygon" "$f.shp geometry"
done
for f in ptce_regions ptce_departements ptce_groupes ptce_regions_web ptce_departements_web; do
  expect_match "$(ogr_geometry "$out/$f.geojson")" "Polygon" "$f.geojson geometry"
  expect_eq "$(srs_epsg "$out/$f.geojson")" "4326" "$f.geojson CRS"
done
expect_eq "$(ogr_count "$out/ptce_regions.geojson")" "18" "regions GeoJSON count"
expect_eq "$(ogr_count "$out/ptce_regions_web.geojson")" "18" "regions web count"

# GeoJSON: RFC 7946 (no crs, lon/lat, 6 decimals, bbox, winding), _web variants lighter.
for f in ptce_points ptce_regions ptce_departements ptce_groupes ptce_regions_web ptce_departements_web; do
  res=$(python3 "$checker" "$out/$f.geojson") || fail "$f.geojson: $res"
done
full=$(python3 "$checker" "$out/ptce_departements.geojson" | cut -d' ' -f3)
web=$(python3 "$checker" "$out/ptce_departements_web.geojson" | cut -d' ' -f3)
[ "$web" -lt "$((full * 8 / 10))" ] || fail "_web not simplified: $web vs $full vertices"
expect_eq "$(ogr_count "$out/ptce_departements_web.geojson")" "101" "départements web"
# GeoJSON stays WGS 84 whatever --crs says.
cmp -s "$out/ptce_points.geojson" "$work/wgs/ptce_points.geojson" || fail "GeoJSON depends on --crs"

# carte/: Lambert-93 layout with insets; every feature inside the page; moved features flagged.
for layer in ptce_points ptce_regions ptce_departements cadres; do
  [ -s "$out/carte/$layer.shp" ] || fail "carte/$layer.shp missing"
  expect_eq "$(srs_epsg "$out/carte/$layer.prj")" "2154" "carte/$layer.prj"
done
expect_eq "$(ogr_count "$out/carte/cadres.shp")" "5" "inset frames"
expect_eq "$(ogr_count "$out/carte/ptce_points.shp")" "$placed" "carte points"
read -r cx0 cy0 cx1 cy1 <<<"$("$SHPCHECK" "$out/carte/ptce_departements" bounds)"
python3 -c "import sys; x0,y0,x1,y1=map(float,sys.argv[1:]); sys.exit(0 if x0>-400000 and x1<1300000 and y0>6000000 and y1<7200000 else 1)" \
  "$cx0" "$cy0" "$cx1" "$cy1" || fail "carte extent outside the page: $cx0 $cy0 $cx1 $cy1"
moved=$("$SHPCHECK" "$out/carte/ptce_regions" sum deplace)
expect_eq "$moved" "5" "regions flagged as moved"
overseas_points=$(python3 -c "import json,sys; print(sum(f['properties']['code_reg'] in ('01','02','03','04','06') for f in json.load(open(sys.argv[1]))['features']))" "$out/ptce_points.geojson")
expect_eq "$("$SHPCHECK" "$out/carte/ptce_points" sum deplace)" "$overseas_points" "points flagged as moved"
# Nothing moved in true-position layers: they have no deplace field at all.
info=$("$SHPCHECK" "$out/ptce_points" info)
grep -q deplace <<<"$info" && fail "true-position layer carries layout fields"

# Groups add up; synthese.csv has the regions and a national total equal to the points.
expect_eq "$(ogr_count "$out/ptce_groupes.geojson")" "16" "groups (18 regions, two pairs merged)"
gsum=$(python3 -c "import json,sys; print(sum(f['properties']['nb_ptce'] for f in json.load(open(sys.argv[1]))['features']))" "$out/ptce_groupes.geojson")
expect_eq "$gsum" "$placed" "groups add up"
grep -q '"groupe":"Océan Indien"' "$out/ptce_groupes.geojson" || fail "group name with accents"
# In Lambert-93 only the groups lying wholly in metropolitan France: 16 less Guadeloupe,
# Martinique, Guyane and Océan Indien; they add up to the metropolitan points.
expect_eq "$(ogr_count "$out/ptce_groupes.shp")" "12" "Lambert-93 groups"
expect_eq "$("$SHPCHECK" "$out/ptce_groupes" sum nb_ptce)" "$metro" "Lambert-93 groups add up"
python3 - "$out/synthese.csv" "$placed" <<'PY' || fail "synthese.csv"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"), delimiter=";"))
assert len(rows) == 19, len(rows)
assert rows[-1]["region"] == "France entière"
assert int(rows[-1]["nb_ptce"]) == int(sys.argv[2]) == sum(int(r["nb_ptce"]) for r in rows[:-1])
assert "Économie circulaire" in rows[0]
PY

# QGIS: a .qml beside every Shapefile (QGIS loads it by itself), a project with relative
# paths; all well-formed XML holding what QGIS 3 reads.
for base in ptce_points ptce_regions ptce_departements ptce_groupes carte/ptce_points \
            carte/ptce_regions carte/ptce_departements carte/cadres; do
  [ -s "$out/$base.qml" ] || fail "$base.qml missing"
  python3 -c "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])" "$out/$base.qml" \
    || fail "$base.qml is not well-formed XML"
done
qml=$(cat "$out/ptce_points.qml")
expect_match "$qml" '<renderer-v2 type="RuleRenderer"' "points by sector, approximate ones hollow"
expect_match "$qml" "IN \('economie_circulaire'\)\" label=\"Économie circulaire \([0-9]+\)\"" "sector rule with its count"
expect_match "$qml" "&quot;exactitude&quot; IN \('approche', 'departement'\)\" label=\"Cercle vide" \
  "hollow rule with its legend"
# Honest precision: `municipality` only on the commune's own point, approximate points
# drawn as rings on the SVG map, one per approximate point of the points layer.
python3 - "$out/ptce_points.geojson" "$out/ptce_carte.svg" <<'PY' || fail "approximate points"
import json, re, sys
feats = json.load(open(sys.argv[1], encoding="utf-8"))["features"]
approx = 0
for f in feats:
    p = f["properties"]
    ex, ty, sc = p["exactitude"], p["geo_type"], p["geo_score"]
    assert ex in ("lieu", "commune", "approche", "departement"), ex
    if ty == "municipality":
        assert ex == "commune", p
    if ex in ("approche", "departement"):
        approx += 1
        assert ty in ("approximate", "departement") and sc < 1.0, p
    if ty in ("coordinates", "address"):
        assert ex == "lieu", p
svg = open(sys.argv[2], encoding="utf-8").read()
# The Paris zoom draws its points again: count the main map and the legend only.
zoom = re.search(r'<g id="ptce-zoom".*?</g>', svg, re.S)
if zoom:
    svg = svg[:zoom.start()] + svg[zoom.end():]
rings = len(re.findall(r'<circle [^>]*fill="#ffffff" stroke="#', svg))
assert rings == approx + 1, (rings, approx)  # + the legend's
assert "Cercle vide : point approché" in svg
PY
qml=$(cat "$out/ptce_regions.qml")
expect_match "$qml" '<renderer-v2 type="graduatedSymbol" attr="ptce_100k"' "regions graduated"
python3 - "$out/ptce-map.qgs" <<'PY' || fail "ptce-map.qgs"
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
sources = [n.firstChild.data for n in doc.getElementsByTagName("datasource")]
assert len(sources) >= 8 and all(s.startswith("./") for s in sources), sources
absolute = [n for n in doc.getElementsByTagName("Absolute")]
assert absolute and absolute[0].firstChild.data == "false"
assert "EPSG:2154" in doc.getElementsByTagName("projectCrs")[0].toxml()
assert doc.getElementsByTagName("Layout"), "no print layout"
PY
# The SVG map renders, and carries its title, legend and credits.
svg=$(cat "$out/ptce_carte.svg")
expect_match "$svg" "Pôles territoriaux de coopération économique" "SVG title"
expect_match "$svg" "GeoNames \(CC BY 4.0\)" "SVG credit"
expect_match "$svg" "Guadeloupe \(×1,5\)" "SVG inset label"
rsvg-convert -o "$work/carte.png" "$out/ptce_carte.svg" || fail "rsvg-convert"
[ -s "$work/carte.png" ] || fail "empty PNG"

# One overseas territory in its legal CRS: only its features.
"$PTCE_MAP" build -o "$work/reu" --crs EPSG:2975 --quiet
expect_eq "$(srs_epsg "$work/reu/ptce_points.prj")" "2975" "La Réunion CRS"
regs=$("$SHPCHECK" "$work/reu/ptce_points" values code_reg | sort -u | tr '\n' ' ')
expect_eq "$regs" "04 " "only La Réunion's points"
expect_eq "$(ogr_count "$work/reu/ptce_regions.shp")" "1" "only La Réunion's region"
echo "map_outputs: ok"
