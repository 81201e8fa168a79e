#!/usr/bin/env bash
# `geocode` and `build` with --ban (files or a folder) and --overrides: address points for
# rows with a street address, analyst corrections applied first and kept by id.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/recensement.csv" <<'CSV'
Identifiant;Nom du PTCE;Adresse;Code postal;Commune
A-1;Pôle République;12 rue de la République;69002;Lyon
A-2;Pôle sans rue;;69002;Lyon
A-3;Pôle à corriger;;;Commune inconnue
CSV
cat > "$work/overrides.csv" <<'CSV'
id;insee;latitude;longitude;note
A-3;13055;;;vu avec le réseau
CSV
col() { python3 -c "
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8-sig'), delimiter=';'))
print(' '.join(r[sys.argv[2]] for r in rows))" "$1" "$2"; }

# Without options: row 3 is rejected, rows 1 and 2 are on the commune (arrondissement):
# at Lyon's point, which is not the arrondissement's own, hence "approximate".
"$PTCE_MAP" geocode "$work/recensement.csv" -o "$work/plain.csv" --quiet
expect_eq "$(col "$work/plain.csv" result_status)" "match match reject" "plain status"
expect_eq "$(col "$work/plain.csv" result_type)" "approximate approximate " "plain type"

# --ban with a folder and --overrides: row 1 on its address point, row 3 corrected.
"$PTCE_MAP" geocode "$work/recensement.csv" -o "$work/opts.csv" --quiet \
  --ban "$PTCE_TEST_DATA/ban" --overrides "$work/overrides.csv"
expect_eq "$(col "$work/opts.csv" result_status)" "match match match" "status with options"
expect_eq "$(col "$work/opts.csv" result_type)" "address approximate municipality" "types with options"
expect_eq "$(col "$work/opts.csv" result_insee)" "69382 69382 13055" "communes with options"
notes=$(col "$work/opts.csv" result_note)
expect_match "$notes" "overrides" "the correction says where it comes from"
# The same with the BAN file named (plain CSV) instead of its folder.
"$PTCE_MAP" geocode "$work/recensement.csv" -o "$work/file.csv" --quiet \
  --ban "$PTCE_TEST_DATA/ban/adresses-69.csv"
expect_eq "$(col "$work/file.csv" result_type)" "address approximate " "--ban FILE"

# build takes the same options: three points, no reject.
"$PTCE_MAP" build "$work/recensement.csv" -o "$work/out" --quiet \
  --ban "$PTCE_TEST_DATA/ban" --overrides "$work/overrides.csv"
expect_eq "$(ogr_count "$work/out/ptce_points.shp")" "3" "points with the corrections"

# A broken overrides file is an error naming its line; nothing is written.
printf 'id;insee\nA-3;99999\n' > "$work/bad.csv"
set +e
msg=$("$PTCE_MAP" build "$work/recensement.csv" -o "$work/out2" --overrides "$work/bad.csv" 2>&1)
code=$?
set -e
[ "$code" -ne 0 ] || fail "bad overrides accepted"
expect_match "$msg" "bad.csv, ligne 2" "overrides error names the line"
[ -e "$work/out2/ptce_points.shp" ] && fail "outputs written despite the error"
# Unreadable X/Y are said to be unreadable, not missing; the commune still places the row.
printf 'Nom;Commune;Code postal;X;Y\nA;Lyon;69002;nan;inf\n' > "$work/xy.csv"
"$PTCE_MAP" geocode "$work/xy.csv" -o "$work/xy-out.csv" --quiet
expect_match "$(col "$work/xy-out.csv" result_note)" "X/Y illisibles" "note for nan/inf X/Y"
expect_eq "$(col "$work/xy-out.csv" result_status)" "match" "row placed by its commune"
echo "geocode_options: ok"
