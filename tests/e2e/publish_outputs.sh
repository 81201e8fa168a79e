#!/usr/bin/env bash
# The publication outputs of build, read back by real clients:
#  - ptce-map.gpkg: GDAL's ogrinfo (layers, CRSs, counts equal to the Shapefiles, a -spat
#    query answered through the R-tree), GDAL's validate_gpkg.py when Debian ships it, and
#    the GeoPackage 1.3 requirements that apply checked one by one with SQLite; its
#    layer_styles rows are well-formed QML, default, and the very .qml files;
#  - synthese.xlsx: unzipped (python3 zipfile + XML): sheets, codes as text, counts as
#    numbers adding up to the national total, frozen header row;
#  - ptce_carte.pdf / .png: poppler (one A4-landscape page, fonts embedded, not blank) and
#    the PNG's size and 300 dpi pHYs chunk.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'code_reg;groupe\n93;Sud-Est\n94;Sud-Est\n04;Océan Indien\n06;Océan Indien\n' > "$work/groupes.csv"
"$PTCE_MAP" build -o "$work/out" --groups "$work/groupes.csv" --date 2026-03-01 --quiet
out="$work/out"
gpkg="$out/ptce-map.gpkg"
[ -s "$gpkg" ] || fail "ptce-map.gpkg missing"

# ---- GeoPackage through GDAL -------------------------------------------------------------
layers=$(ogrinfo -ro -q "$gpkg" | sed -n 's/^[0-9]*: \([a-z_]*\) .*/\1/p' | tr '\n' ' ')
expect_eq "$layers" "ptce_points ptce_regions ptce_departements ptce_epci ptce_groupes carte_ptce_points carte_ptce_regions carte_ptce_departements carte_cadres layer_styles " "GeoPackage layers"
for pair in ptce_points:ptce_points ptce_regions:ptce_regions ptce_departements:ptce_departements \
            ptce_epci:ptce_epci ptce_groupes:ptce_groupes carte_ptce_points:carte/ptce_points \
            carte_ptce_regions:carte/ptce_regions carte_ptce_departements:carte/ptce_departements \
            carte_cadres:carte/cadres; do
  table=${pair%%:*}; shp=${pair#*:}
  expect_eq "$(ogrinfo -ro -so "$gpkg" "$table" | sed -n 's/^Feature Count: //p')" \
            "$(ogr_count "$out/$shp.shp")" "$table: count equal to $shp.shp"
  # The layer's CRS is the last ID of its WKT; the Shapefile's .prj says the same.
  gsrs=$(ogrinfo -ro -so "$gpkg" "$table" | sed -n 's/^    ID\["EPSG",\([0-9]*\)\]\]$/\1/p' | tail -1)
  expect_eq "$gsrs" "$(srs_epsg "$out/$shp.prj")" "$table: CRS equal to $shp.prj"
  case "$table" in carte_*) expect_eq "$gsrs" 2154 "$table CRS" ;; *) expect_eq "$gsrs" 4326 "$table CRS" ;; esac
done
# Same attributes as the Shapefile (a region's count and rate, a point's commune code).
ogrinfo -ro -q "$gpkg" ptce_regions -where "code_reg = '53'" > "$work/g53"
ogrinfo -ro -q -al "$out/ptce_regions.shp" -where "code_reg = '53'" > "$work/s53"
for f in nb_ptce ptce_100k part_nat population; do
  g=$(sed -n "s/^  $f ([A-Za-z0-9]*) = //p" "$work/g53"); s=$(sed -n "s/^  $f ([A-Za-z0-9]*) = //p" "$work/s53")
  python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if abs(a-b)<1e-9 else 1)" "$g" "$s" \
    || fail "Bretagne $f: GeoPackage $g, Shapefile $s"
done
# A spatial filter goes through the R-tree, and finds what the Shapefile finds.
spat="2.2 48.7 2.5 49.0"
dbg=$(ogrinfo -ro -q --debug on -spat $spat "$gpkg" ptce_points 2>&1 >/dev/null)
expect_match "$dbg" 'rtree_ptce_points_geom' "-spat uses the R-tree"
expect_eq "$(ogrinfo -ro -so -spat $spat "$gpkg" ptce_points | sed -n 's/^Feature Count: //p')" \
          "$(ogrinfo -ro -so -al -spat $spat "$out/ptce_points.shp" | sed -n 's/^Feature Count: //p')" "-spat count"

validator=$(dpkg -L python3-gdal 2>/dev/null | grep '/validate_gpkg\.py$' | head -1 || true)
if [ -n "$validator" ]; then
  res=$(python3 "$validator" "$gpkg" 2>&1) || fail "validate_gpkg.py: $res"
  [ -z "$res" ] || fail "validate_gpkg.py: $res"
else
  echo "validate_gpkg.py absent (python3-gdal): the spec checks below stand alone" >&2
fi

# ---- GeoPackage 1.3 requirements, one by one ---------------------------------------------
python3 - "$gpkg" "$out" <<'PY' || fail "GeoPackage requirements"
import sqlite3, struct, sys, os, xml.dom.minidom
path, out = sys.argv[1], sys.argv[2]
raw = open(path, 'rb').read(100)
assert raw[:16] == b'SQLite format 3\0', 'R1: SQLite 3 file'
assert raw[68:72] == b'GPKG', 'R2: application_id GPKG'
assert struct.unpack('>I', raw[60:64])[0] == 10300, 'R2: user_version 10300'
assert path.endswith('.gpkg'), 'R3: extension'
db = sqlite3.connect(path)
q = lambda s, *a: db.execute(s, a).fetchall()
assert q('PRAGMA integrity_check') == [('ok',)], 'R6: integrity_check'
assert q('PRAGMA foreign_key_check') == [], 'R7: foreign_key_check'
srs = {r[0]: r for r in q('SELECT srs_id, organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys')}
assert {-1, 0, 4326} <= set(srs), 'R11: the three required SRS rows'
assert srs[4326][1] == 'EPSG' and srs[4326][2] == 4326 and srs[4326][3].startswith('GEOGCS["WGS 84"'), 'R11: WGS 84'
assert srs[2154][3].startswith('PROJCS["RGF93 v1 / Lambert-93"'), 'CRS WKT from PROJ'
contents = q("SELECT table_name, data_type, identifier, last_change, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents")
features = [c for c in contents if c[1] == 'features']
assert len(features) == 9, contents
idents = [c[2] for c in contents]
assert len(set(idents)) == len(idents), 'R13: unique identifiers'
for t, _, ident, last, *ext, s in features:
    assert last == '2026-03-01T00:00:00.000Z', ('R15: fixed last_change from --date', last)
    assert s in srs, 'R14: srs_id references gpkg_spatial_ref_sys'
    cols = q('PRAGMA table_info("%s")' % t)
    assert cols[0][1] == 'fid' and cols[0][2] == 'INTEGER' and cols[0][5] == 1, 'R29: integer primary key'
    gc = q('SELECT column_name, geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns WHERE table_name = ?', t)
    assert len(gc) == 1 and gc[0][0] == 'geom' and gc[0][2] == s and gc[0][3:] == (0, 0), 'R21-R27'
    assert gc[0][1] in ('POINT', 'MULTIPOLYGON'), gc
    n = 0
    for fid, blob in q('SELECT fid, geom FROM "%s"' % t):
        assert blob[:2] == b'GP' and blob[2] == 0, 'R19: magic and version'
        flags = blob[3]
        assert flags & 1 and (flags >> 1) & 7 == 1 and not flags & 0x20, ('R19: LE, XY envelope', flags)
        assert struct.unpack('<i', blob[4:8])[0] == s, 'R33: srs_id of the geometry'
        minx, maxx, miny, maxy = struct.unpack('<4d', blob[8:40])
        assert blob[40] == 1, 'WKB little-endian'
        wkb_type = struct.unpack('<I', blob[41:45])[0]
        assert wkb_type == (1 if gc[0][1] == 'POINT' else 6), 'R32: declared type'
        r = q('SELECT minx, maxx, miny, maxy FROM "rtree_%s_geom" WHERE id = ?' % t, fid)
        assert r and r[0][0] <= minx + 1e-6 * abs(minx) + 1e-9 and r[0][1] >= maxx - 1e-6 * abs(maxx) - 1e-9, 'R-tree entry'
        if ext[0] is not None:
            assert ext[0] <= minx and ext[1] <= miny and ext[2] >= maxx and ext[3] >= maxy, 'extent holds the features'
        n += 1
    assert q('SELECT count(*) FROM "rtree_%s_geom"' % t)[0][0] == n, 'R-tree filled'
    ext_rows = q("SELECT scope FROM gpkg_extensions WHERE table_name = ? AND column_name = 'geom' AND extension_name = 'gpkg_rtree_index'", t)
    assert ext_rows == [('write-only',)], 'F.3: rtree extension row'
    trig = {r[0] for r in q("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", t)}
    want = {'rtree_%s_geom_%s' % (t, k) for k in ('insert', 'update1', 'update2', 'update3', 'update4', 'delete')}
    assert want <= trig, ('F.3: triggers', want - trig)
    # Aliases (schema extension) and the default QGIS style, the same text as the .qml file.
    aliases = dict(q('SELECT column_name, name FROM gpkg_data_columns WHERE table_name = ?', t))
    missing = [c[1] for c in cols[2:] if not aliases.get(c[1])]
    assert not missing, ('F.9: every field has a French alias', t, missing)
    st = q("SELECT styleQML, useAsDefault, f_geometry_column, update_time FROM layer_styles WHERE f_table_name = ?", t)
    assert len(st) == 1 and st[0][1] == 1 and st[0][2] == 'geom' and st[0][3] == '2026-03-01T00:00:00.000Z', st[0][1:]
    doc = xml.dom.minidom.parseString(st[0][0].encode('utf-8'))
    assert doc.documentElement.tagName == 'qgis' and doc.getElementsByTagName('renderer-v2'), t
    qml = {'ptce_': '', 'carte_': 'carte/'}
    base = ('carte/' + t[len('carte_'):]) if t.startswith('carte_') else t
    with open(os.path.join(out, base + '.qml'), encoding='utf-8') as f:
        assert f.read() == st[0][0], ('layer_styles row differs from', base + '.qml')
    desc = [c for c in contents if c[0] == t]
    md = q("SELECT m.metadata, m.mime_type FROM gpkg_metadata m JOIN gpkg_metadata_reference r ON r.md_file_id = m.id WHERE r.reference_scope = 'table' AND r.table_name = ?", t)
    assert md and 'Licence Ouverte' in md[0][0] and md[0][1] == 'text/plain', ('F.8 metadata', t)
assert q("SELECT count(*) FROM gpkg_extensions WHERE extension_name = 'gpkg_schema'")[0][0] == 2
assert q("SELECT count(*) FROM gpkg_extensions WHERE extension_name = 'gpkg_metadata'")[0][0] == 2
assert q("SELECT reference_scope, md_file_id FROM gpkg_metadata_reference WHERE table_name IS NULL") == [('geopackage', 1)]
assert q("SELECT name FROM gpkg_data_columns WHERE table_name = 'ptce_regions' AND column_name = 'ptce_100k'") == [('PTCE pour 100 000 habitants',)]
print('GeoPackage: %d feature tables checked' % len(features))
PY

# ---- the workbook ------------------------------------------------------------------------
placed=$(ogr_count "$out/ptce_points.shp")
python3 - "$out/synthese.xlsx" "$placed" <<'PY' || fail "synthese.xlsx"
import re, sys, zipfile, xml.dom.minidom as dom
path, placed = sys.argv[1], int(sys.argv[2])
z = zipfile.ZipFile(path)
wb = dom.parseString(z.read('xl/workbook.xml'))
sheets = [s.getAttribute('name') for s in wb.getElementsByTagName('sheet')]
assert sheets == ['Régions', 'Départements', 'EPCI', 'Secteurs', 'PTCE'], sheets
shared = [si.getElementsByTagName('t')[0].firstChild.data if si.getElementsByTagName('t')[0].firstChild else ''
          for si in dom.parseString(z.read('xl/sharedStrings.xml')).getElementsByTagName('si')]
core = z.read('docProps/core.xml').decode()
assert '<dcterms:created xsi:type="dcterms:W3CDTF">2026-03-01T00:00:00Z</dcterms:created>' in core, core
def sheet(i):
    d = dom.parseString(z.read('xl/worksheets/sheet%d.xml' % (i + 1)))
    pane = d.getElementsByTagName('pane')
    assert pane and pane[0].getAttribute('ySplit') == '1' and pane[0].getAttribute('state') == 'frozen', 'frozen header'
    assert d.getElementsByTagName('col'), 'column widths'
    rows = []
    for r in d.getElementsByTagName('row'):
        cells = {}
        for c in r.getElementsByTagName('c'):
            col = re.match(r'[A-Z]+', c.getAttribute('r')).group(0)
            v = c.getElementsByTagName('v')[0].firstChild.data
            cells[col] = ('s', shared[int(v)]) if c.getAttribute('t') == 's' else ('n', float(v))
        rows.append(cells)
    return rows
def column(rows, heading):
    for col, (t, v) in rows[0].items():
        if v == heading:
            return [r.get(col) for r in rows[1:]]
    raise AssertionError('no column ' + heading)
for i, name in enumerate(sheets):
    rows = sheet(i)
    assert all(t == 's' for t, _ in rows[0].values()), 'French headings are text'
    counts = column(rows, 'Nombre de PTCE') if name != 'PTCE' else None
    if counts is not None:
        assert all(t == 'n' for t, _ in counts), (name, 'counts are numbers')
        # Every placed PTCE counts in its region, département and sector; a PTCE placed in
        # a commune outside any EPCI (a few islands) counts in no EPCI.
        total = sum(v for _, v in counts)
        assert total == placed if name != 'EPCI' else 0 < total <= placed, (name, total, placed)
    if name == 'EPCI':
        codes = column(rows, "SIREN de l'EPCI")
        assert len(codes) > 1000 and all(t == 's' and len(v) == 9 for t, v in codes), codes[:3]
    if name == 'Régions':
        codes = column(rows, 'Code de la région')
        assert len(codes) == 18 and all(t == 's' for t, _ in codes) and ('s', '01') in codes, codes
        assert all(t == 'n' for t, _ in column(rows, 'PTCE pour 100 000 habitants'))
    if name == 'Départements':
        codes = column(rows, 'Code du département')
        assert len(codes) == 101 and ('s', '01') in codes and ('s', '2A') in codes and ('s', '976') in codes
    if name == 'PTCE':
        assert len(rows) - 1 == placed
        insee = [c for c in column(rows, 'Code INSEE de la commune') if c]
        assert all(t == 's' for t, _ in insee) and any(v.startswith('0') for _, v in insee), 'INSEE codes keep their zero'
print('synthese.xlsx: %d sheets checked' % len(sheets))
PY

# ---- the ; CSV reports: decimal commas, codes as they are, a per-département table -------
python3 - "$out/synthese.csv" "$out/synthese_departements.csv" "$placed" <<'PY' || fail "CSV reports"
import csv, re, sys
for path, n, code in ((sys.argv[1], 18, 'code_reg'), (sys.argv[2], 101, 'code_dep')):
    raw = open(path, 'rb').read()
    assert raw.startswith(b'\xef\xbb\xbf') and b'\r\n' in raw, path
    rows = list(csv.DictReader(open(path, encoding='utf-8-sig', newline=''), delimiter=';'))
    assert len(rows) == n + 1, (path, len(rows))
    assert int(rows[-1]['nb_ptce']) == int(sys.argv[3]) == sum(int(r['nb_ptce']) for r in rows[:-1])
    for r in rows:
        for col in ('ptce_pour_100000_hab', 'part_nationale_pct'):
            assert re.fullmatch(r'\d+,\d+', r[col]), (path, col, r[col])
    codes = [r[code] for r in rows[:-1]]
    assert '01' in codes, codes[:3]
    if code == 'code_dep':
        assert '2A' in codes and '976' in codes
PY

# ---- the printed map ---------------------------------------------------------------------
pdf="$out/ptce_carte.pdf"
info=$(pdfinfo "$pdf")
expect_match "$info" "Pages: +1$" "PDF pages"
expect_match "$info" "Page size: +841.89 x 595.276 pts \(A4\)" "PDF A4 landscape"
expect_match "$info" "CreationDate: +Sun Mar  1 00:00:00 2026 UTC" "PDF date from --date"
fonts=$(pdffonts "$pdf" | tail -n +3)
[ -n "$fonts" ] || fail "no font in the PDF"
if awk '{ if ($(NF-4) != "yes") bad=1 } END { exit !bad }' <<<"$fonts"; then fail "a font is not embedded: $fonts"; fi
expect_match "$fonts" "DejaVuSans" "PDF font"
pdftoppm -r 40 -png "$pdf" "$work/page" >/dev/null
python3 - "$work/page-1.png" "$out/ptce_carte.png" <<'PY' || fail "map images"
import struct, sys, zlib
def png(path):
    d = open(path, 'rb').read()
    assert d[:8] == b'\x89PNG\r\n\x1a\n'
    chunks, i = {}, 8
    while i < len(d):
        n = struct.unpack('>I', d[i:i+4])[0]; t = d[i+4:i+8]
        chunks.setdefault(t, b''); chunks[t] += d[i+8:i+8+n]; i += 12 + n
    w, h, depth, ctype = struct.unpack('>IIBB', chunks[b'IHDR'][:10])
    return w, h, depth, ctype, chunks
def non_white_share(path):
    w, h, depth, ctype, ch = png(path)
    bpp = {2: 3, 6: 4, 0: 1, 4: 2}[ctype]
    raw = zlib.decompress(ch[b'IDAT'])
    stride, prev, dark, rows = w * bpp, bytearray(w * bpp), 0, []
    pos = 0
    for y in range(h):
        f = raw[pos]; line = bytearray(raw[pos+1:pos+1+stride]); pos += 1 + stride
        for x in range(stride):
            a = line[x-bpp] if x >= bpp else 0; b = prev[x]; c = prev[x-bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p-a), abs(p-b), abs(p-c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        dark += sum(1 for x in range(0, stride, bpp) if min(line[x:x+3]) < 200)
        prev = line
    return dark / (w * h)
share = non_white_share(sys.argv[1])
assert share > 0.08, ('PDF renders almost blank', share)
w, h, depth, ctype, ch = png(sys.argv[2])
assert (w, h) == (3508, 2480), (w, h)
ppm_x, ppm_y, unit = struct.unpack('>IIB', ch[b'pHYs'])
assert unit == 1 and round(ppm_x * 0.0254) == 300 and ppm_x == ppm_y, (ppm_x, ppm_y, unit)
print('PDF page %.0f %% drawn; PNG %dx%d at 300 dpi' % (share * 100, w, h))
PY
# The SVG the PDF and PNG are drawn from carries the elements of a finished map.
svg=$(cat "$out/ptce_carte.svg")
expect_match "$svg" '<g id="limites-regions" fill="none" stroke="#4d4d4d" stroke-width="1.2"' "region borders heavier"
expect_match "$svg" '<g id="zoom">' "Paris zoom"
expect_match "$svg" 'France métropolitaine : 1 : ' "scale fraction"
expect_match "$svg" "Réalisation : ptce-map [0-9.]+, 2026-03-01" "production line with --date"
expect_match "$svg" ">Bretagne</text>" "region labels"
echo "publish outputs: ok"
