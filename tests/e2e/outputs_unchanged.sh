#!/usr/bin/env bash
# Outputs unchanged (issue #15: "outputs byte-identical to before each optimisation"): the
# files of a fixed set of runs are hashed and compared with the manifest recorded in
# tests/data/golden/outputs.sha256. A change that alters any output byte fails here, so a
# speed-up cannot change a result unseen. When a change of output is intended (new reference
# data, a fix), record it again with `scripts/update-golden` and say why in the commit.
#
# The runs: the bundled sample (default and Lambert-93 with groups), a generated census of
# 3,000 rows (every kind of location cell, coordinates, typos: scripts/gen_census.py, seed
# 2026), `geocode` and `classify` of it, `build --previous` and `diff` against its "next
# year" without identifiers (the derivation of scripts/bench). A change of scripts/gen_census.py
# or of the reference data changes these inputs, hence the outputs: record them again.
#
# Some bytes belong to the libraries, not to us: SQLite writes its version into the
# GeoPackage header, libxlsxwriter its name into the workbook, cairo and the font embedded
# by fontconfig shape the PDF and PNG. The manifest records the versions it was made with
# (its "# env" lines); where they differ on this machine, the files they shape are not
# compared, and the test says so (Debian 12 and scripts/setup give the recorded ones).
source "$(dirname "$0")/lib.sh"
here=${PTCE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
manifest="$here/tests/data/golden/outputs.sha256"
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="$work/out"
mkdir -p "$out"

# Inputs are named relative to the work folder: the outputs record the census's path.
cp "$PTCE_MAP_DATA/sample/census-sample.csv" "$work/census-sample.csv"
sample=census-sample.csv
printf 'code_reg;groupe\n93;Sud-Est\n94;Sud-Est\n11;Île-de-France\n' > "$work/groups.csv"
python3 - "$here/scripts" "$PTCE_MAP_DATA" "$work" <<'PY' || fail "census generation failed"
import importlib.machinery, importlib.util, os, sys
scripts, data, work = sys.argv[1:4]
sys.path.insert(0, scripts)
import gen_census
loader = importlib.machinery.SourceFileLoader("bench", os.path.join(scripts, "bench"))
spec = importlib.util.spec_from_loader("bench", loader)
bench = importlib.util.module_from_spec(spec)
loader.exec_module(bench)
rows = gen_census.generate(3000, 2026, data)
gen_census.write(rows, os.path.join(work, "c3000.csv"))
old, nxt = bench.derive_next_year(rows, data)
gen_census.write(nxt, os.path.join(work, "c3000-next.csv"))
gen_census.write(old, os.path.join(work, "c3000-noid.csv"))
PY

run() { "$PTCE_MAP" "$@" --quiet > /dev/null || fail "ptce-map $* failed"; }
(cd "$work" &&
  run build "$sample" -o "$out/sample" &&
  run build "$sample" -o "$out/sample-l93" --crs EPSG:2154 --groups groups.csv &&
  run build c3000.csv -o "$out/c3000" &&
  run geocode c3000.csv -o "$out/c3000-geocode.csv" &&
  run classify c3000.csv -o "$out/c3000-classify.csv" &&
  run build c3000-next.csv --previous c3000-noid.csv -o "$out/c3000-next" &&
  run diff c3000-noid.csv c3000-next.csv -o "$out/c3000-diff") || exit 1

# The environment that shapes the libraries' bytes.
pkgver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo none; }
env_sqlite="sqlite $(pkgver libsqlite3-0)"
env_xlsx="xlsxwriter $(pkgver libxlsxwriter4)"
env_print="cairo $(pkgver libcairo2) rsvg $(pkgver librsvg2-2) font $(fc-match -f '%{file}' 'DejaVu Sans' 2>/dev/null || echo none) $(pkgver fonts-dejavu-core)"
env_geo="geos $(pkgver libgeos-c1v5) proj $(pkgver libproj25)"

hash_all() {
  (cd "$out" && find -L . -name .ptce-map -prune -o -type f -print | LC_ALL=C sort |
    sed 's|^\./||' | while IFS= read -r f; do printf '%s  %s\n' "$(sha256sum < "$f" | cut -c1-64)" "$f"; done)
}

if [ "${PTCE_GOLDEN_WRITE:-}" = 1 ]; then
  mkdir -p "$(dirname "$manifest")"
  { echo "# Hashes of the outputs of tests/e2e/outputs_unchanged.sh (scripts/update-golden)."
    echo "# env sqlite: $env_sqlite"
    echo "# env xlsx: $env_xlsx"
    echo "# env print: $env_print"
    echo "# env geo: $env_geo"
    hash_all; } > "$manifest"
  echo "outputs_unchanged: manifest written ($(grep -vc '^#' "$manifest") files): $manifest"
  exit 0
fi

[ -f "$manifest" ] || fail "no manifest $manifest: run scripts/update-golden"
[ "$(sed -n 's/^# env geo: //p' "$manifest")" = "$env_geo" ] || {
  echo "GEOS/PROJ differ from the manifest's ($env_geo): not compared"; exit 77; }
skip_re='^$'
note=""
[ "$(sed -n 's/^# env sqlite: //p' "$manifest")" = "$env_sqlite" ] ||
  { skip_re="$skip_re|\\.gpkg\$"; note="$note GeoPackages (other SQLite);"; }
[ "$(sed -n 's/^# env xlsx: //p' "$manifest")" = "$env_xlsx" ] ||
  { skip_re="$skip_re|\\.xlsx\$"; note="$note workbooks (other libxlsxwriter);"; }
[ "$(sed -n 's/^# env print: //p' "$manifest")" = "$env_print" ] ||
  { skip_re="$skip_re|\\.(pdf|png)\$"; note="$note printed maps (other cairo, librsvg or font);"; }

hash_all > "$work/now"
grep -v '^#' "$manifest" > "$work/then"
keep() { awk -v re="$skip_re" '{ f = $0; sub(/^[0-9a-f]+  /, "", f); if (f !~ re) print }' "$1"; }
keep "$work/then" > "$work/then.kept"
keep "$work/now" > "$work/now.kept"
if ! diff <(sed 's/^[0-9a-f]*  //' "$work/then.kept") <(sed 's/^[0-9a-f]*  //' "$work/now.kept") > "$work/names"; then
  head -20 "$work/names" >&2
  fail "the set of output files changed (< recorded, > now); if intended: scripts/update-golden"
fi
if ! diff "$work/then.kept" "$work/now.kept" > "$work/hashes"; then
  echo "files whose bytes changed:" >&2
  grep '^>' "$work/hashes" | sed 's/^> [0-9a-f]*  /  /' | head -30 >&2
  fail "outputs differ from the recorded ones; if the change is intended: scripts/update-golden, and say why in the commit"
fi
n=$(wc -l < "$work/now.kept")
[ "$n" -ge 150 ] || fail "only $n files compared"
echo "outputs_unchanged: ok ($n files identical to the manifest)${note:+; not compared:$note}"
