#!/usr/bin/env bash
# data/classification-modele.tsv, the learned part of the classification, is exactly what
# scripts/train-classification-model writes from the labelled sets, and its training never
# reads the test half: relabelling every test row changes nothing in it.
source "$(dirname "$0")/lib.sh"
: "${PTCE_SOURCE_DIR:?run through ctest}" "${PTCE_CLASSIFY_EVAL:?run through ctest}"
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
train="$PTCE_SOURCE_DIR/scripts/train-classification-model"
real="$PTCE_SOURCE_DIR/tests/data/classify-ptce-reels.csv"

"$train" --sortie "$work/modele.tsv" 2>/dev/null || fail "training failed"
cmp -s "$work/modele.tsv" "$PTCE_MAP_DATA/classification-modele.tsv" ||
  fail "data/classification-modele.tsv is not what scripts/train-classification-model writes: retrain it"
expect_match "$(grep -c $'\t' "$work/modele.tsv")" '^[0-9]{3,}$' "model terms"

# Every test row relabelled (primary and secondaries): the same weights.
python3 - "$real" "$work/relabelled.csv" <<'PY'
import sys
src, dst = sys.argv[1], sys.argv[2]
out = []
for line in open(src, encoding="utf-8"):
    if not line.startswith("#") and line.rstrip("\n").endswith(";test"):
        cells = line.rstrip("\n").split(";")
        cells[-3], cells[-2] = "autre", "economie_circulaire"
        line = ";".join(cells) + "\n"
    out.append(line)
open(dst, "w", encoding="utf-8").writelines(out)
PY
grep -q ';autre;economie_circulaire;test$' "$work/relabelled.csv" || fail "relabelling did nothing"
"$train" --reels "$work/relabelled.csv" --sortie "$work/relabelled.tsv" 2>/dev/null || fail "training failed"
cmp -s <(grep -v '^#' "$work/modele.tsv") <(grep -v '^#' "$work/relabelled.tsv") ||
  fail "the test half's labels changed the model"
echo "ok"
