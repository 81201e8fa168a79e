#!/usr/bin/env bash
# All or nothing: a build killed while it writes (SIGKILL) or a build that fails leaves the
# previous outputs byte for byte as they were, with no file missing or half-written; the
# next successful run removes the temporary folder the killed one left.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'kill -9 "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
out="$work/out"
sample="$PTCE_MAP_DATA/sample/census-sample.csv"

# Checksums of every file of the output folder (temporary folders excluded).
sums() { (cd "${1:-$out}" && find . -path './.ptce-map-tmp-*' -prune -o -type f -print0 |
  sort -z | xargs -0 sha256sum); }
tmp_folders() { find "$out" -maxdepth 1 -name '.ptce-map-tmp-*' | wc -l; }

"$PTCE_MAP" build "$sample" -o "$out" --quiet
good=$(sums)
nfiles=$(wc -l <<<"$good")
[ "$nfiles" -ge 20 ] || fail "only $nfiles output files"

# A census large enough for the writing stage to take a while: 100,000 rows made from the
# communes of the reference data.
python3 - "$PTCE_MAP_DATA/communes.tsv" "$work/big.csv" <<'PY'
import csv, sys
communes = [r for r in csv.DictReader(open(sys.argv[1], encoding='utf-8'), delimiter='\t')
            if r['type'] == 'COM']
themes = ['Économie circulaire', 'Alimentation', 'Insertion', 'Énergie', 'Culture', 'Mobilité']
with open(sys.argv[2], 'w', encoding='utf-8') as f:
    f.write('Identifiant;Nom du PTCE;Code postal;Commune;Code INSEE;Thématique déclarée;'
            'Description\n')
    for i in range(100000):
        c = communes[(i * 7919) % len(communes)]
        cp = c['codes_postaux'].split(' ')[0]
        insee = c['insee'] if i % 3 else ''
        f.write(f"PTCE-{i:06d};Pôle {i} de {c['nom']};{cp};{c['nom']};{insee};{themes[i % 6]};"
                f"Ressourcerie, réemploi et circuits courts n° {i}\n")
PY

# Kill the big build at several moments after its temporary folder appears (the writing
# stage: everything before it only computes), and check the outputs after each kill. The
# last round kills at once, so that a stale temporary folder is left for the clean run.
kills=0
for delay in 0.2 0.7 1.5 3 0; do
  "$PTCE_MAP" build "$work/big.csv" -o "$out" --quiet &
  pid=$!
  while kill -0 "$pid" 2>/dev/null && [ "$(tmp_folders)" -eq 0 ]; do sleep 0.01; done
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then
    set +e; wait "$pid" 2>/dev/null; code=$?; set -e
    expect_eq "$code" "137" "exit status of the killed build"
    kills=$((kills + 1))
    if [ "$(tmp_folders)" -eq 0 ]; then
      # Killed during the final swap (the finished folder is exchanged with the target in
      # one rename): the folder must hold all the old files or all the new ones.
      now=$(sums)
      if [ "$now" != "$good" ]; then
        if [ -z "${big_good:-}" ]; then
          "$PTCE_MAP" build "$work/big.csv" -o "$work/reference" --quiet
          big_good=$(sums "$work/reference")
        fi
        expect_eq "$now" "$big_good" "outputs after a kill during the final swap"
        "$PTCE_MAP" build "$sample" -o "$out" --quiet
        expect_eq "$(sums)" "$good" "outputs rebuilt from the sample"
      fi
      echo "killed ${delay}s into the writing stage, during the final swap: all old or all new"
      pid=
      continue
    fi
    expect_eq "$(sums)" "$good" "outputs after a kill ${delay}s into the writing stage"
    echo "killed ${delay}s into the writing stage: previous outputs intact"
  else
    wait "$pid" || fail "big build failed by itself"
    echo "the big build finished within ${delay}s of writing: no kill at that moment"
    # It replaced the outputs (and removed the stale folders): put the sample's back.
    "$PTCE_MAP" build "$sample" -o "$out" --quiet
    expect_eq "$(sums)" "$good" "outputs rebuilt from the sample"
  fi
  pid=
done
[ "$kills" -ge 2 ] || fail "only $kills builds could be killed mid-write; make the census bigger"

# The next successful run removes what the killed runs left, and writes the same files.
[ "$(tmp_folders)" -ge 1 ] || fail "expected stale temporary folders before the clean run"
"$PTCE_MAP" build "$sample" -o "$out" --quiet
expect_eq "$(tmp_folders)" "0" "stale temporary folders after a successful run"
expect_eq "$(sums)" "$good" "outputs of the clean run"

# A run that fails (an error in the taxonomy, a grouping file with an unknown code) changes
# nothing either.
printf '[autre]\nlibellé = Autre\ncouleur = rouge\n' > "$work/bad-taxonomy.txt"
set +e
"$PTCE_MAP" build "$sample" -o "$out" --quiet --taxonomie "$work/bad-taxonomy.txt" 2> "$work/err"
code=$?
set -e
expect_eq "$code" "3" "exit status with a bad taxonomy"
expect_match "$(cat "$work/err")" "couleur invalide" "taxonomy error message"
expect_eq "$(sums)" "$good" "outputs after a failed run (taxonomy)"
printf 'code_reg;groupe\n99;Nulle part\n' > "$work/bad-groups.csv"
set +e
"$PTCE_MAP" build "$sample" -o "$out" --quiet --groups "$work/bad-groups.csv" 2> "$work/err"
code=$?
set -e
expect_eq "$code" "2" "exit status with a bad grouping file"
expect_eq "$(sums)" "$good" "outputs after a failed run (groups)"
expect_eq "$(tmp_folders)" "0" "temporary folders after failed runs"
echo "atomic_output: ok ($kills kills mid-write, $nfiles files intact)"
