#!/usr/bin/env bash
# `build --previous OLD.csv`: evolutions.csv as `diff` writes it, and nb_prec / evol fields
# on regions and départements that add up to the two censuses' placed rows.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
old="$PTCE_TEST_DATA/census/annee-2025.csv"
new="$PTCE_TEST_DATA/census/annee-2026.csv"
"$PTCE_MAP" build "$new" --previous "$old" -o "$work/out" --quiet
"$PTCE_MAP" diff "$old" "$new" -o "$work/diff" --quiet
[ -s "$work/out/evolutions.csv" ] || fail "evolutions.csv missing"
cmp -s "$work/out/evolutions.csv" "$work/diff/evolutions.csv" || fail "build --previous and diff disagree"
"$PTCE_MAP" build "$old" -o "$work/old" --quiet
placed_old=$(ogr_count "$work/old/ptce_points.shp")
placed_new=$(ogr_count "$work/out/ptce_points.shp")
for layer in ptce_regions ptce_departements; do
  info=$("$SHPCHECK" "$work/out/$layer" info)
  expect_match "$info" ",nb_prec,evol$" "$layer fields"
  expect_eq "$("$SHPCHECK" "$work/out/$layer" sum nb_prec)" "$placed_old" "$layer nb_prec"
  expect_eq "$("$SHPCHECK" "$work/out/$layer" sum evol)" "$((placed_new - placed_old))" "$layer evol"
done
# EPCI: nb_prec per EPCI is what the old census alone counts there.
expect_eq "$("$SHPCHECK" "$work/out/ptce_epci" sum nb_prec)" "$("$SHPCHECK" "$work/old/ptce_epci" sum nb_ptce)" "ptce_epci nb_prec"
# Without --previous, no such fields and no evolutions.csv.
[ -e "$work/old/evolutions.csv" ] && fail "evolutions.csv without --previous"
info=$("$SHPCHECK" "$work/old/ptce_regions" info)
grep -q nb_prec <<<"$info" && fail "nb_prec without --previous"
echo "build_previous: ok"
