# tests/bad-input/cases.sh — set-up and extra checks of the hostile cases of expected.tsv
# that need more than a committed file. Sourced by tests/e2e/bad_input.sh.
#
# For a case NAME, setup_NAME runs before the command and check_NAME after it (when they
# exist), both with $W the case's work folder (empty at first; @W@ in expected.tsv) and
# $STDOUT / $STDERR the files holding what the command printed. Big inputs are generated
# here at test time rather than committed. A check fails with `fail MESSAGE`.

# ---- big inputs ------------------------------------------------------------------------

setup_field_10mb() {
  python3 - "$W/field_10mb.csv" <<'PY'
import sys
with open(sys.argv[1], 'w', encoding='utf-8') as f:
    f.write('Nom;Commune;Code postal;Description\n')
    f.write('A;Lyon;69001;"' + 'é;"" ' * 2_500_000 + '"\n')  # 10 MB quoted cell
    f.write('B;Nice;06000;courte\n')
PY
}
check_field_10mb() {
  local size
  size=$(stat -c %s "$W/result.csv")
  [ "$size" -gt 10000000 ] || fail "the 10 MB cell did not survive: result.csv has $size bytes"
}

setup_columns_50000() {
  python3 - "$W/columns_50000.csv" <<'PY'
import sys
n = 50000
with open(sys.argv[1], 'w') as f:
    f.write('Nom;Commune;' + ';'.join('c%d' % i for i in range(n)) + '\n')
    f.write('A;Lyon;' + ';'.join('v' for _ in range(n)) + '\n')
PY
}

setup_duplicate_columns_50000() {
  python3 - "$W/duplicate_columns_50000.csv" <<'PY'
import sys
n = 50000
with open(sys.argv[1], 'w') as f:
    f.write('Nom;Commune;' + ';'.join('x' for _ in range(n)) + '\n')
    f.write('A;Lyon\n')
PY
}
check_duplicate_columns_50000() {
  local lines
  lines=$(grep -c "portent le même nom" "$STDERR" || true)
  [ "$lines" -le 20 ] || fail "$lines warnings for repeated columns: they must be summarised"
}

setup_empty_lines_10000() {
  python3 - "$W/empty_lines_10000.csv" <<'PY'
import sys
with open(sys.argv[1], 'wb') as f:
    f.write(b'Nom;Commune\n' + b'\n' * 5000 + b'A;Lyon\n' + b'\r\n' * 5000 + b';\n ; \n')
PY
}

setup_one_column_200000_rows() {
  python3 - "$W/one_column_200000_rows.csv" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    # One useful column (a census with no place column at all is refused: no_usable_column).
    f.write('Nom;Commune\n')
    for i in range(200000):
        f.write('PTCE %d;\n' % i)
PY
}
check_one_column_200000_rows() {
  local rows
  rows=$(($(wc -l < "$W/result.csv") - 1))
  [ "$rows" -eq 200000 ] || fail "result.csv has $rows rows instead of 200000"
}

setup_line_without_end_1mb() {
  # One line of 1 MB with no line end at all (the header alone, never terminated).
  python3 -c "import sys; open(sys.argv[1],'w').write('Nom;' * 262144)" "$W/line_without_end_1mb.csv"
}

# ---- files that are not files ----------------------------------------------------------

setup_census_fifo() { mkfifo "$W/fifo.csv"; }
# 1 Gio + 1 byte, sparse (no disk used): refused by its size before any read.
setup_census_too_big() { truncate -s $(( (1 << 30) + 1 )) "$W/enorme.csv"; }

setup_output_under_file() { echo "un fichier" > "$W/file"; }
setup_output_is_file() { echo "un fichier" > "$W/file"; }
setup_geocode_output_under_file() { echo "un fichier" > "$W/file"; }

# ---- symlinks in place of outputs: replaced, never followed ----------------------------

setup_output_symlink() {
  mkdir -p "$W/out" "$W/victim_dir"
  echo "victime : ne pas écraser" > "$W/victim.txt"
  echo "dans un dossier victime" > "$W/victim_dir/keep.txt"
  ln -s ../victim.txt "$W/out/ptce_points.shp"
  ln -s ../victim.txt "$W/out/rejets.csv"
  ln -s ../victim_dir "$W/out/ptce_points.dbf"
  ln -s /nonexistent/dangling "$W/out/ptce_regions.shp"
}
check_output_symlink() {
  [ "$(cat "$W/victim.txt")" = "victime : ne pas écraser" ] || fail "symlink followed: victim.txt changed"
  [ "$(ls -A "$W/victim_dir")" = "keep.txt" ] || fail "symlink followed: victim_dir changed"
  local f
  for f in ptce_points.shp rejets.csv ptce_points.dbf ptce_regions.shp; do
    # Replaced by our own link into the generation on view (write/outdir.h).
    [ "$(readlink "$W/out/$f")" = ".ptce-map/build/courant/$f" ] ||
      fail "out/$f is not ptce-map's link: $(readlink "$W/out/$f")"
    [ -f "$W/out/$f" ] || fail "out/$f does not lead to a regular file"
    case "$(realpath "$W/out/$f")" in "$(realpath "$W/out")"/.ptce-map/build/g-*) ;;
      *) fail "out/$f leads out of the output folder: $(realpath "$W/out/$f")" ;; esac
  done
  [ ! -e /nonexistent/dangling ] || fail "dangling symlink followed"
}

setup_geocode_output_symlink() {
  echo "victime : ne pas écraser" > "$W/victim.txt"
  ln -s victim.txt "$W/result.csv"
}
check_geocode_output_symlink() {
  [ "$(cat "$W/victim.txt")" = "victime : ne pas écraser" ] || fail "symlink followed: victim.txt changed"
  [ -f "$W/result.csv" ] && [ ! -L "$W/result.csv" ] || fail "result.csv is not a regular file"
}

# ---- a failed run keeps the previous outputs ------------------------------------------

setup_taxonomy_error_keeps_outputs() {
  "$PTCE_MAP" build "$SAMPLE" -o "$W/out" --quiet || fail "set-up build failed"
}
setup_groups_error_keeps_outputs() { setup_taxonomy_error_keeps_outputs; }

# ---- formula-like cells come out defused ----------------------------------------------

check_formula_cells() {
  python3 - "$W/out/rejets.csv" "$STDOUT" <<'PY' || fail "formula-like cell not defused (see above)"
import csv, sys
rejets = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline=''), delimiter=';'))
bad = []
def scan(rows, what):
    for row in rows[1:]:
        for cell in row:
            if cell[:1] in ('=', '+', '-', '@', '\t', '\r'):
                try:
                    float(cell.replace(',', '.'))
                except ValueError:
                    bad.append((what, cell))
scan(rejets, 'rejets.csv')
if len(rejets) != 4:
    bad.append(('rejets.csv', '%d lines instead of 4' % len(rejets)))
if not any(c.startswith("'=HYPERLINK") for r in rejets for c in r):
    bad.append(('rejets.csv', "no '=HYPERLINK cell"))
for cell in ("'-2+3", "'+33 1 23 45 67 89", "'@SUM(A1:A9)"):
    if not any(c == cell for r in rejets for c in r):
        bad.append(('rejets.csv', 'missing ' + cell))
if not any(c == '-1' for r in rejets for c in r):
    bad.append(('rejets.csv', 'the number -1 must stay a number'))
for line in bad:
    print('  ', *line, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
  # The geocoding report is a spreadsheet too.
  "$PTCE_MAP" geocode "$CASES_DIR/formula_cells.csv" --quiet > "$W/geocode.csv" ||
    fail "geocode of formula_cells.csv failed"
  python3 - "$W/geocode.csv" <<'PY' || fail "formula-like cell not defused in the geocoding report"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline=''), delimiter=';'))
bad = [c for r in rows[1:] for c in r if c[:1] in ('=', '+', '@', '\t', '\r')
       or (c[:1] == '-' and c != '-1')]
if bad or len(rows) != 4:
    print('  ', bad, len(rows), file=sys.stderr)
    sys.exit(1)
PY
}

check_control_characters() {
  # Every row is a point or a reject; both files stay readable.
  local rejects points
  rejects=$(python3 -c "import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], encoding='utf-8-sig', newline=''), delimiter=';')))" "$W/out/rejets.csv")
  points=$(ogr_count "$W/out/ptce_points.shp")
  [ "$((rejects + points))" -eq 2 ] || fail "$rejects rejects + $points points for 2 rows"
  ogrinfo -ro -al "$W/out/ptce_points.geojson" > /dev/null 2>&1 || fail "GeoJSON unreadable by GDAL"
}

check_invalid_utf8_windows1252() {
  grep -q "Œuvre « Été » – 50 €" "$STDOUT" || fail "Windows-1252 text not decoded to UTF-8"
}

check_groups_ok() {
  [ -s "$W/out/ptce_groupes.shp" ] || fail "ptce_groupes.shp missing"
}

# validate and diff write spreadsheets too: the same cells come out defused.
no_raw_formula() {
  python3 - "$1" <<'PY' || fail "formula-like cell not defused in ${1##*/}"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline=''), delimiter=';'))
bad = [c for r in rows[1:] for c in r if c[:1] in ('=', '+', '@', '\t', '\r')
       or (c[:1] == '-' and c != '-1')]
if bad or len(rows) < 2:
    print('  ', bad, len(rows), file=sys.stderr)
    sys.exit(1)
PY
}
# Item 11 of #16: cells holding the other separators. Whatever separator a spreadsheet
# guesses (`;`, `,`, tab), and even ignoring quotes, no piece of a line starts a formula.
no_formula_any_reading() {
  python3 - "$1" <<'PY' || fail "formula-like piece not defused in ${1##*/} (some separator)"
import re, sys
text = open(sys.argv[1], encoding='utf-8-sig', newline='').read()
bad = []
for line in text.split('\r\n')[1:]:
    for piece in re.split('[;,\t]', line):
        p = piece[1:] if piece.startswith('"') else piece
        if p[:1] in ('=', '+', '@') or (p[:1] == '-' and not re.match(r'-[0-9]', p)):
            bad.append(piece)
if bad:
    print('  ', bad, file=sys.stderr)
    sys.exit(1)
PY
}
check_formula_other_separator() {
  no_formula_any_reading "$W/out/rejets.csv"
  "$PTCE_MAP" geocode "$CASES_DIR/formula_other_separator.csv" --quiet > "$W/geocode.csv" ||
    fail "geocode of formula_other_separator.csv failed"
  no_formula_any_reading "$W/geocode.csv"
}
check_validate_formula_cells() { no_raw_formula "$W/rapport.csv"; }
check_diff_formula_cells() { no_raw_formula "$W/out/evolutions.csv"; }

# ---- an output that is one of the inputs is refused (the input stays whole) -------------

setup_validate_output_is_census() { cp "$SAMPLE" "$W/r.csv"; }
setup_geocode_output_is_census_link() { cp "$SAMPLE" "$W/r.csv"; ln -s r.csv "$W/lien.csv"; }
setup_classify_output_is_taxonomy() { cp "$PTCE_MAP_DATA/taxonomie.txt" "$W/t.txt"; }
setup_ban_empty_folder() { mkdir "$W/vide"; }
setup_too_many_ban_options() { mkdir "$W/vide"; }
# ptce-map's own folder replaced by a link: refused, never followed.
setup_output_dot_ptce_map_is_link() { mkdir -p "$W/out" "$W/ailleurs"; ln -s ../ailleurs "$W/out/.ptce-map"; }
check_output_dot_ptce_map_is_link() { [ -z "$(ls -A "$W/ailleurs")" ] || fail "link followed"; }

# ---- every file option: a regular file, or a clear refusal (never a wait) ----------------

setup_ban_fifo() { mkfifo "$W/ban.csv"; }
setup_overrides_fifo() { mkfifo "$W/corr.csv"; }
setup_taxonomy_fifo() { mkfifo "$W/tax.txt"; }
# out/web and out/carte are links into a generation that the next build of out removes:
# a report or a build written through them would vanish then; refused.
setup_report_inside_an_output() {
  printf 'Nom;Code postal;Commune\nA;84410;Flassan\n' > "$W/small.csv"
  "$PTCE_MAP" build "$W/small.csv" -o "$W/out" --quiet
}
setup_output_inside_an_output() { setup_report_inside_an_output; }
# A report written into a folder that is read whole (the reference data, --ban DOSSIER):
# refused before anything is read (hard links: the copy costs no disk; a write would
# replace the link, never the original).
setup_report_over_reference_data() { cp -al "$PTCE_MAP_DATA" "$W/donnees"; }
setup_report_over_default_taxonomy() { setup_report_over_reference_data; }
setup_report_into_ban_folder() {
  mkdir "$W/ban" && cp "$CASES_DIR/../fuzz/corpus/fuzz_ban/adresses.csv" "$W/ban/adresses-84.csv"
}
setup_groups_fifo() { mkfifo "$W/groupes.csv"; }
# The model named by « modele = » in a taxonomy: reduced to its header (qsort(NULL, 0) for
# UBSan), or missing (a French reason, not strerror's English).
setup_taxonomy_model_header_only() {
  cp "$PTCE_MAP_DATA/taxonomie.txt" "$W/"
  printf 'secteur\tterme\tpoids\n' > "$W/classification-modele.tsv"
}
setup_taxonomy_model_missing() { cp "$PTCE_MAP_DATA/taxonomie.txt" "$W/"; }

# ---- a UTF-8 file with stray Windows-1252 bytes (item 14 of #16) --------------------------
# Read row by row: the 10 rows are all placed, the stray bytes of line 5 read as
# Windows-1252 ("Pôle numéro 3"), every other accent kept as UTF-8 ("Béziers", "Économie").
check_utf8_with_stray_windows1252() {
  python3 - "$W/r.csv" <<'PY' || fail "mixed file not read row by row (see above)"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline=''), delimiter=';'))
assert len(rows) == 11, len(rows)
head = rows[0]
assert 'Thématique déclarée' in head, head
status = head.index('result_status')
names = [r[1] for r in rows[1:]]
assert 'Pôle numéro 3' in names, names
assert all(r[3] == 'Béziers' for r in rows[1:]), [r[3] for r in rows[1:]]
assert all(r[status] == 'match' for r in rows[1:]), [r[status] for r in rows[1:]]
PY
  local n
  n=$(grep -c "octet(s) qui ne sont pas de l'UTF-8" "$STDERR")
  [ "$n" -eq 1 ] || fail "$n warnings about converted bytes, expected 1 (one per converted row)"
}

# ---- a full disk on the standard output is a write error (item 16 of #16) -----------------
# validate's report and diff's summary go to stdout: /dev/full there is exit 4 with a French
# message, not 7 ("errors found") or 0.
check_validate_report_disk_full() {
  local code=0
  "$PTCE_MAP" validate "$SAMPLE" > /dev/full 2> "$W/err" || code=$?
  [ "$code" -eq 4 ] || fail "validate > /dev/full: exit $code, expected 4"
  grep -qF "sortie standard : écriture impossible (disque plein)" "$W/err" ||
    fail "validate > /dev/full: no French message: $(cat "$W/err")"
  code=0
  "$PTCE_MAP" diff "$SAMPLE" "$SAMPLE" -o "$W/d" > /dev/full 2> "$W/err" || code=$?
  [ "$code" -eq 4 ] || fail "diff > /dev/full: exit $code, expected 4"
  grep -qF "sortie standard : écriture impossible (disque plein)" "$W/err" ||
    fail "diff > /dev/full: no French message: $(cat "$W/err")"
}

# ---- control characters from the input never reach the terminal (item 10 of #16) --------
# Cells and headers hold ESC[2J (clear screen), ESC]0;…BEL (window title), OSC 8 links,
# CR, BEL, a C1 control (U+009B, CSI) and a bidi override (U+202E): every warning on
# stderr and validate's report on stdout show them as \x1B, \u009B, \u202E…, never raw.
no_raw_controls() {
  python3 - "$@" <<'PY' || fail "raw control character written to the terminal (see above)"
import sys
bad = []
for path in sys.argv[1:]:
    b = open(path, 'rb').read()
    for i, c in enumerate(b):
        if (c < 0x20 and c not in (0x0A, 0x09)) or c == 0x7F:
            bad.append((path, i, hex(c)))
    t = b.decode('utf-8')
    for ch in t:
        if 0x80 <= ord(ch) <= 0x9F or 0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069:
            bad.append((path, hex(ord(ch))))
if bad:
    print('  ', bad[:10], file=sys.stderr)
    sys.exit(1)
PY
}
check_terminal_escapes() {
  no_raw_controls "$STDOUT" "$STDERR"
  grep -qF 'Note\x1B[2J' "$STDERR" || fail "the header's escape is not shown as text"
  grep -qF '\x1B[2J12\x0D\u009B' "$STDERR" || fail "the cell's controls are not shown as text"
}
check_terminal_escapes_validate() { no_raw_controls "$STDOUT" "$STDERR"; }
check_terminal_escapes_file_name() { no_raw_controls "$STDOUT" "$STDERR"; }
# geocode and classify without -o write their report on standard output: on a terminal
# (script(1) gives them one) the controls are shown as text; piped, the bytes are those of
# -o, controls included (the data is not changed).
check_terminal_escapes_report_on_tty() {
  local cmd
  for cmd in geocode classify; do
    script -qec "$(printf '%q ' "$PTCE_MAP" "$cmd" "$CASES_DIR/terminal_escapes.csv" --quiet)" \
      /dev/null < /dev/null > "$W/tty-$cmd" || fail "$cmd on a terminal failed"
    # script(1) turns each LF into CR LF: those CRs are the terminal's, not ours.
    python3 - "$W/tty-$cmd" <<'PY' || fail "$cmd on a terminal: raw control characters (see above)"
import sys
b = open(sys.argv[1], 'rb').read().replace(b'\r\r\n', b'\n').replace(b'\r\n', b'\n')
bad = [hex(c) for c in b if (c < 0x20 and c not in (0x0A, 0x09)) or c == 0x7F]
t = b.decode('utf-8')
bad += [hex(ord(ch)) for ch in t if 0x80 <= ord(ch) <= 0x9F or 0x202A <= ord(ch) <= 0x202E]
assert not bad, bad[:10]
assert '\\x1B[2J' in t, t[:300]
PY
  done
  "$PTCE_MAP" geocode "$CASES_DIR/terminal_escapes.csv" --quiet > "$W/piped.csv"
  cmp -s "$W/piped.csv" "$W/r.csv" || fail "geocode piped differs from geocode -o"
  grep -q $'\e\[2J' "$W/r.csv" || fail "the report file lost the cell's own bytes"
}

# ---- identifiers and group names are never cut (item 9 of #16) ---------------------------
# Two ids equal on their first 150 bytes (multibyte) are two PTCE, not a duplicate; three
# group names equal on their first 130 bytes are three groups.
setup_long_ids_differ_after_127() {
  python3 - "$W/ids.csv" <<'PY'
import sys
base = "PTCE-" + "é’" * 30
open(sys.argv[1], "w", encoding="utf-8").write(
    "Identifiant;Nom du PTCE;Code postal;Commune\n"
    f"{base}-A;Pôle A;84410;Flassan\n{base}-B;Pôle B;21400;Buncey\n")
PY
}
check_long_ids_differ_after_127() {
  python3 - "$W/r.csv" "$W/ids.csv" <<'PY' || fail "long ids merged or cut (see above)"
import sys
rep = open(sys.argv[1], encoding="utf-8-sig").read()
assert "identifiant" not in rep.lower() or "même identifiant" not in rep, rep[:500]
PY
  "$PTCE_MAP" geocode "$W/ids.csv" --quiet > "$W/g.csv" || fail "geocode failed"
  python3 - "$W/g.csv" <<'PY' || fail "long ids not whole in the geocoding report"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline=""), delimiter=";"))
ids = [r[0] for r in rows[1:]]
base = "PTCE-" + "é’" * 30
assert ids == [base + "-A", base + "-B"], [len(i.encode()) for i in ids]
PY
}
setup_group_names_common_prefix() {
  printf 'Nom;Code postal;Commune\nA;84410;Flassan\nB;21400;Buncey\n' > "$W/small.csv"
  python3 - "$W/groupes.csv" <<'PY'
import sys
prefix = "Délégation " + "é" * 59 + "x"
regs = ["94", "01", "02"]  # small regions: the other 15 form groups of their own
open(sys.argv[1], "w", encoding="utf-8").write("code_reg;groupe\n" + "".join(
    f"{r};{prefix}{'ABC'[i % 3]}\n" for i, r in enumerate(regs)))
PY
}
check_group_names_common_prefix() {
  python3 - "$W/out/ptce_groupes.geojson" <<'PY' || fail "group names merged or cut"
import json, sys
names = sorted(f["properties"]["groupe"] for f in json.load(open(sys.argv[1]))["features"])
prefix = "Délégation " + "é" * 59 + "x"
ours = [n for n in names if n.startswith(prefix)]
assert ours == [prefix + c for c in "ABC"], [len(n.encode()) for n in names]
PY
}
