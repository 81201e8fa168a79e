#!/usr/bin/env bash
# `ptce-map validate` and `ptce-map diff` driven like an analyst would: exit codes, the
# report's lines, the CSV report, evolutions.csv read back with Python's csv module.
source "$(dirname "$0")/lib.sh"
: "${PTCE_TEST_DATA:?run through ctest}"
data="$PTCE_TEST_DATA/census"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp "$data"/a-valider.csv "$data"/annee-2025.csv "$data"/annee-2026.csv \
   "$data"/guillemet-ouvert.csv .

# ---- validate -------------------------------------------------------------------------
code=0
"$PTCE_MAP" validate a-valider.csv -o rapport.csv > out.txt 2> err.txt || code=$?
expect_eq "$code" "7" "validate exit code with errors"
report=$(cat out.txt)
expect_match "$report" "^ERREURS \(6\)" "errors heading"
expect_match "$report" "^AVERTISSEMENTS \(11\)" "warnings heading"
expect_match "$report" "a-valider\.csv, ligne 3, colonne « Identifiant » : l'identifiant « V-01 » est déjà celui de la ligne 2" "duplicate id"
expect_match "$report" "a-valider\.csv, ligne 7, colonne « Commune » : le PTCE ne sera pas placé sur la carte" "rejected row"
expect_match "$report" "a-valider\.csv, ligne 12, colonne « Code postal » : le code postal 75011 n'est pas dans le département 69" "postal code vs département"
expect_match "$report" "a-valider\.csv, ligne 15 : 12 cellules pour 11 colonnes" "wide row"
expect_match "$report" "→ Que faire : " "advice"
expect_match "$report" "^Bilan : 15 lignes lues ; 6 erreurs, 11 avertissements" "final count"
[ -s err.txt ] && fail "validate wrote to stderr: $(cat err.txt)"
# The errors come before the warnings.
first_warning=$(grep -n "^AVERTISSEMENTS" out.txt | cut -d: -f1)
last_error=$(grep -n ", ligne 8, " out.txt | head -1 | cut -d: -f1)
[ "$last_error" -lt "$first_warning" ] || fail "errors not before warnings"

python3 - rapport.csv <<'EOF' || fail "rapport.csv"
import csv, sys
raw = open(sys.argv[1], "rb").read()
assert raw.startswith(b"\xef\xbb\xbfligne;colonne;gravite;probleme;conseil\r\n"), raw[:60]
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline=""), delimiter=";"))
assert len(rows) == 17, len(rows)
assert sum(r["gravite"] == "erreur" for r in rows) == 6
assert sum(r["gravite"] == "avertissement" for r in rows) == 11
assert all(r["conseil"] for r in rows)
assert {"ligne": "6", "colonne": "Latitude", "gravite": "erreur"}.items() <= rows[3].items(), rows[3]
lines = [(r["ligne"], r["colonne"]) for r in rows if r["gravite"] == "avertissement"]
assert ("14", "Code INSEE") in lines and ("16", "Thématique déclarée") in lines, lines
EOF

code=0
"$PTCE_MAP" validate annee-2025.csv > out.txt || code=$?
expect_eq "$code" "0" "validate exit code with warnings only"
expect_match "$(cat out.txt)" "^Aucune erreur" "clean census"
expect_match "$(cat out.txt)" "ligne 5, colonne « Code INSEE » : code INSEE 49006" "former INSEE code"
code=0
"$PTCE_MAP" validate --quiet annee-2026.csv > out.txt || code=$?
expect_eq "$code" "0" "validate the Windows-1252 year"
expect_eq "$(cat out.txt)" "" "--quiet prints nothing"

code=0
"$PTCE_MAP" validate guillemet-ouvert.csv > out.txt 2> err.txt || code=$?
expect_eq "$code" "2" "validate exit code on an unreadable file"
expect_match "$(cat err.txt)" "guillemet-ouvert\.csv, ligne 3 : guillemet ouvert jamais fermé" "unreadable file message"
code=0
"$PTCE_MAP" validate absent.csv 2> err.txt || code=$?
expect_eq "$code" "2" "validate exit code on a missing file"
code=0
"$PTCE_MAP" validate 2> /dev/null || code=$?
expect_eq "$code" "1" "validate without a file"

# ---- diff ------------------------------------------------------------------------------
mkdir evol
echo "à garder" > evol/autre.txt
code=0
"$PTCE_MAP" diff annee-2025.csv annee-2026.csv -o evol > out.txt 2> err.txt || code=$?
expect_eq "$code" "0" "diff exit code"
summary=$(cat out.txt)
expect_match "$summary" "présents les deux années : 9 \(6 par identifiant, 1 par nom identique, 2 par nom proche\)" "matching summary"
expect_match "$summary" "^  nouveau +3 " "new count"
expect_match "$summary" "^  disparu +2 " "gone count"
expect_match "$summary" "^  commune_fusionnee +2 " "merged count"
expect_match "$summary" "^  Occitanie : 1 nouveau, 1 disparu$" "per region"
expect_match "$summary" "PTCE-004 « Coopérative des Mauges » \(annee-2025\.csv, ligne 5\) : Andrezé \(49006\) → Beaupréau-en-Mauges \(49023\)" "remapped row named"
expect_eq "$(cat evol/autre.txt)" "à garder" "other files of the folder untouched"
ls -A evol | grep -q '^\.ptce-map-tmp' && fail "temporary folder left behind"

python3 - evol/evolutions.csv <<'EOF' || fail "evolutions.csv"
import csv, sys
raw = open(sys.argv[1], "rb").read()
assert raw.startswith(b"\xef\xbb\xbfid;nom;changement;avant;apres\r\n"), raw[:60]
assert b"\n" not in raw.replace(b"\r\n", b""), "bare LF"
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline=""), delimiter=";"))[1:]
got = [(r[0] if not r[0].startswith("auto-") else "auto", r[1], r[2], r[3], r[4]) for r in rows]
want = [
    ("PTCE-002", "Légumerie Solidaire de la Plaine", "renomme", "Légumerie de la Plaine", "Légumerie Solidaire de la Plaine"),
    ("PTCE-003", "Pôle Bois Énergie des Hautes-Vosges", "deplace", "Épinal (88160)", "Gérardmer (88196)"),
    ("PTCE-003", "Pôle Bois Énergie des Hautes-Vosges", "renomme", "Pôle Bois Énergie des Vosges", "Pôle Bois Énergie des Hautes-Vosges"),
    ("PTCE-004", "Coopérative des Mauges", "commune_fusionnee", "Andrezé (49006)", "Beaupréau-en-Mauges (49023)"),
    ("PTCE-005", "Tiers-lieu du Numérique", "secteur", "numerique", "alimentation_agriculture"),
    ("PTCE-006", "Fabrique à Projets du Littoral", "disparu", "La Rochelle (17300)", ""),
    ("PTCE-012", "Énergies Citoyennes du Pays de Francheleins", "commune_fusionnee", "ancienne commune (01003)", "Francheleins (01165)"),
    ("PTCE-020", "Cité du Goût et des Saveurs", "nouveau", "", "Saint-Denis (97411)"),
    ("PTCE-021", "Mobilités Partagées du Grand Ouest", "nouveau", "", "Nantes (44109)"),
]
assert got[:9] == want, got[:9]
derived = sorted(got[9:], key=lambda r: r[1])
assert derived == sorted([
    ("auto", "Pôle territorial de coopération économique Nord Aveyron", "nouveau", "", "Espalion (12096)"),
    ("auto", "Atelier Textile des Monts du Lyonnais", "renomme", "Atelier Textile des Monts", "Atelier Textile des Monts du Lyonnais"),
    ("auto", "Ressourcerie créative", "renomme", "Resourcerie Créative", "Ressourcerie créative"),
    ("auto", "Pôle territorial de coopération économique Sud Aveyron", "disparu", "Millau (12145)", ""),
], key=lambda r: r[1]), derived
ids = [r[0] for r in rows]
assert ids == sorted(ids), ids
EOF

# Same inputs, same bytes; a failed diff leaves the previous file as it was.
cp evol/evolutions.csv before.csv
"$PTCE_MAP" diff --quiet annee-2025.csv annee-2026.csv -o evol > out.txt
cmp -s before.csv evol/evolutions.csv || fail "diff is not deterministic"
expect_eq "$(cat out.txt)" "" "diff --quiet prints nothing"
code=0
"$PTCE_MAP" diff annee-2025.csv absent.csv -o evol 2> err.txt || code=$?
expect_eq "$code" "2" "diff exit code with a missing census"
cmp -s before.csv evol/evolutions.csv || fail "a failed diff changed evolutions.csv"
code=0
"$PTCE_MAP" diff annee-2025.csv 2> /dev/null || code=$?
expect_eq "$code" "1" "diff with one census"
echo "validate_diff: ok"
