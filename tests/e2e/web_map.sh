#!/usr/bin/env bash
# The web map in a real browser (tests/web/carte.test.mjs: Debian's chromium, headless,
# driven by puppeteer-core): on the sample census, on a generated 2,000-row census, and
# with --previous. Also: web/ opens offline as written (every file its pages name exists),
# is under 3 MB, and is byte-identical from one run to the next.
# Needs node and tests/web/node_modules (scripts/setup runs `npm ci` there); without them
# the test is skipped (exit 77), except in CI (CI=true), where it fails.
source "$(dirname "$0")/lib.sh"
web="$PTCE_SOURCE_DIR/tests/web"
chromium=${CHROMIUM:-/usr/bin/chromium}
if ! command -v node >/dev/null || [ ! -d "$web/node_modules/puppeteer-core" ] || [ ! -x "$chromium" ]; then
  [ "${CI:-}" = "true" ] && fail "node, chromium or tests/web/node_modules missing: run scripts/setup"
  echo "web_map: skipped (run scripts/setup to install node, chromium and puppeteer-core)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sample="$PTCE_MAP_DATA/sample/census-sample.csv"

# Sample census.
"$PTCE_MAP" build "$sample" -o "$work/a" --quiet
size=$(du -sb "$work/a/web" | cut -f1)
[ "$size" -lt 3000000 ] || fail "web/ is $size bytes (3 MB at most)"
"$PTCE_MAP" build "$sample" -o "$work/b" --quiet
diff -r "$work/a/web" "$work/b/web" >/dev/null || fail "web/ differs between two runs"
# Every local file named by index.html (and leaflet.css's images) is there.
for f in $(grep -oE '(src|href)="[^"#:]+"' "$work/a/web/index.html" | sed -E 's/^[a-z]+="//; s/"$//'); do
  [ -f "$work/a/web/$f" ] || fail "web/index.html names $f, which is missing"
done
for f in lib/leaflet/LICENSE lib/leaflet.markercluster/MIT-LICENCE.txt; do
  [ -s "$work/a/web/$f" ] || fail "licence $f missing from web/"
done
grep -q '<iframe src=' "$work/a/LISEZMOI.txt" || fail "LISEZMOI.txt has no iframe snippet"
node "$web/carte.test.mjs" "$work/a" || fail "browser checks on the sample census"

# A generated census of 2,000 rows.
python3 "$PTCE_SOURCE_DIR/scripts/gen_census.py" 2000 "$work/gen.csv" --data "$PTCE_MAP_DATA" >/dev/null
"$PTCE_MAP" build "$work/gen.csv" -o "$work/g" --quiet
size=$(du -sb "$work/g/web" | cut -f1)
echo "web/ for 2,000 rows: $size bytes"
node "$web/carte.test.mjs" "$work/g" || fail "browser checks on the 2,000-row census"

# With --previous: new and gone PTCE.
"$PTCE_MAP" build "$PTCE_TEST_DATA/census/annee-2026.csv" --previous "$PTCE_TEST_DATA/census/annee-2025.csv" \
  -o "$work/p" --quiet
node "$web/carte.test.mjs" "$work/p" --previous || fail "browser checks with --previous"

# A tile server, when asked for, is the only foreign address, and its attribution is shown.
"$PTCE_MAP" build "$sample" -o "$work/t" --quiet --tuiles 'https://tuiles.exemple.invalid/{z}/{x}/{y}.png' \
  --attribution '© Exemple « tuiles »'
grep -q 'tuiles.exemple.invalid' "$work/t/web/donnees.js" || fail "--tuiles not in web/donnees.js"
node "$web/carte.test.mjs" "$work/t" --tiles tuiles.exemple.invalid '© Exemple « tuiles »' || fail "browser checks with --tuiles"
if "$PTCE_MAP" build "$sample" -o "$work/u" --quiet --tuiles 'https://x.invalid/{z}/{x}/{y}.png' 2>"$work/err"; then
  fail "--tuiles without --attribution accepted"
fi
grep -q -- '--attribution' "$work/err" || fail "--tuiles without --attribution: message should name --attribution"
echo "web_map: ok"
