#!/usr/bin/env bash
# `classify --explain` adds one column, secteur_explication, that says for every row which
# terms, with which weights, made each sector; without the option the report is unchanged.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sample="$PTCE_MAP_DATA/sample/census-sample.csv"

"$PTCE_MAP" classify "$sample" -o "$work/plain.csv" --quiet || fail "classify failed"
"$PTCE_MAP" classify "$sample" -o "$work/explain.csv" --explain --quiet || fail "classify --explain failed"

header=$(head -1 "$work/explain.csv")
expect_match "$header" ';secteur_termes;secteur_explication'$'\r''?$' "explain header"
expect_match "$(head -1 "$work/plain.csv")" ';secteur_termes'$'\r''?$' "plain header"
expect_eq "$(wc -l < "$work/explain.csv")" "$(wc -l < "$work/plain.csv")" "same number of lines"

# PTCE-0003 (a recycling pole, declared "Déchets / économie circulaire"): its sector comes
# first, named by the declared theme, with the terms and their weights.
row=$(grep '^PTCE-0003;' "$work/explain.csv")
expect_match "$row" 'economie_circulaire [0-9]+(,[0-9]+)? \(nommé par la thématique déclarée : prioritaire\) = « ' "explain of PTCE-0003"
expect_match "$row" '« réemploi » [0-9]' "weight of réemploi"
expect_match "$row" 'début de texte ×1,[0-9]' "start-of-text factor"
# The learned model does not count (facteur_modele 0) but says what it would add, with its terms.
expect_match "$row" 'economie_circulaire [^;]*\[modèle appris, non compté \(facteur_modele 0\) : [0-9]+(,[0-9]+)? = « [^»]+ » [0-9]' "the model's terms"

# Every line of the plain report is the start of the same line with --explain (or the same
# line, inside a multi-line description): the other columns are the same bytes.
awk 'NR == FNR { sub(/\r$/, ""); plain[FNR] = $0; next }
     { line = $0; sub(/\r$/, "", line) }
     line != plain[FNR] && index(line, plain[FNR] ";") != 1 { bad = FNR }
     END { exit bad ? 1 : 0 }' "$work/plain.csv" "$work/explain.csv" ||
  fail "--explain changed the other columns"
echo "ok"
