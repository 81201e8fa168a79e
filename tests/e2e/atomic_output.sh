#!/usr/bin/env bash
# All or nothing (write/outdir.h, docs/robustesse.md): a build killed while it writes
# (SIGKILL), interrupted (SIGTERM, SIGINT), stopped by the file-size limit, refused because
# of what stands in the folder, or racing a second build into the same folder, leaves what
# the folder showed before byte for byte: all the old files or all the new ones, whatever
# -o's spelling (trailing slash, symbolic link to the folder) and whatever else the folder
# holds. The folder itself (inode, mode, setgid bit, owner, group, ACLs) is never replaced; new folders
# and files follow the umask; our outputs an earlier run wrote and this one does not are
# removed; a link inside the folder is never followed.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'kill -9 "${pid:-}" "${pid2:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
out="$work/out"
sample="$PTCE_MAP_DATA/sample/census-sample.csv"

# What the folder shows: every file reached through it (links followed, ptce-map's own
# .ptce-map folder excluded), with its checksum — foreign files included.
sums() { (cd "${1:-$out}" && find -L . -path ./.ptce-map -prune -o -type f -print0 |
  sort -z | xargs -0 sha256sum); }
# Generations on disk beside the one on view: > 0 while a run writes, or after a kill.
extra_gens() { local n; n=$(find "$out/.ptce-map/build" -maxdepth 1 -name 'g-*' 2>/dev/null | wc -l)
  echo $((n > 0 ? n - 1 : 0)); }
# The folder itself: inode, mode (setgid included), owner, group and ACLs.
folder_id() { stat -c '%i %a %u %g' "$out"; if [ -n "$acl" ]; then getfacl -p "$out" | grep -v '^#'; fi; }
wait_writing() { # until the run $1 has made its generation (or ended)
  while kill -0 "$1" 2>/dev/null && [ "$(extra_gens)" -eq 0 ]; do sleep 0.01; done; }

# A shared folder: setgid, group-writable, holding the user's own files and folders.
mkdir -p "$out/perso"
chmod 2775 "$out"
# Owned by someone else (root can make it so), with an ACL for a group, inherited too.
if [ "$(id -u)" -eq 0 ]; then chown 4242:4243 "$out"; fi
acl=""
if command -v setfacl > /dev/null && setfacl -m g:4244:rwx -m d:g:4244:rwx "$out" 2>/dev/null; then
  acl=yes
else
  echo "setfacl missing or not supported here (scripts/setup installs acl): ACLs not checked"
fi
echo "mes notes" > "$out/notes.txt"
echo "à moi" > "$out/perso/doc.txt"
ln -s out "$work/lien"
id_before=$(folder_id)

# An earlier run with --groups, then one without: its ptce_groupes.* go (no dangling link).
printf 'code_reg;groupe\n93;Sud-Est\n94;Sud-Est\n11;Île-de-France\n' > "$work/groups.csv"
"$PTCE_MAP" build "$sample" -o "$out/" --groups "$work/groups.csv" --quiet
[ -f "$out/ptce_groupes.shp" ] || fail "no ptce_groupes.shp with --groups"
"$PTCE_MAP" build "$sample" -o "$work/lien" --quiet
for f in "$out"/ptce_groupes.*; do [ ! -e "$f" ] && [ ! -L "$f" ] || fail "stale output left: $f"; done
good=$(sums)
nfiles=$(wc -l <<<"$good")
[ "$nfiles" -ge 22 ] || fail "only $nfiles files on view"
grep -q './notes.txt' <<<"$good" && grep -q './perso/doc.txt' <<<"$good" || fail "foreign files lost"
expect_eq "$(folder_id)" "$id_before" "inode, mode and group of the output folder"
[ "$(readlink "$out/ptce_points.shp")" = ".ptce-map/build/courant/ptce_points.shp" ] ||
  fail "ptce_points.shp is not a link into the generation on view"
ogr_count "$out/ptce_points.shp" > /dev/null || fail "GDAL cannot read the linked Shapefile"

# A census large enough for the writing stage to take a while (about a second on a quiet
# machine, several under the sanitizers): 30,000 rows made from the communes of the
# reference data. 100,000 made the test run past its time limit under ASan.
python3 - "$PTCE_MAP_DATA/communes.tsv" "$work/big.csv" <<'PY'
import csv, sys
communes = [r for r in csv.DictReader(open(sys.argv[1], encoding='utf-8'), delimiter='\t')
            if r['type'] == 'COM']
themes = ['Économie circulaire', 'Alimentation', 'Insertion', 'Énergie', 'Culture', 'Mobilité']
with open(sys.argv[2], 'w', encoding='utf-8') as f:
    f.write('Identifiant;Nom du PTCE;Code postal;Commune;Code INSEE;Thématique déclarée;'
            'Description\n')
    for i in range(30000):
        c = communes[(i * 7919) % len(communes)]
        cp = c['codes_postaux'].split(' ')[0]
        insee = c['insee'] if i % 3 else ''
        f.write(f"PTCE-{i:06d};Pôle {i} de {c['nom']};{cp};{c['nom']};{insee};{themes[i % 6]};"
                f"Ressourcerie, réemploi et circuits courts n° {i}\n")
PY
big_sums() { # the view of a completed big build into the same (shared) folder
  if [ -z "${big_good:-}" ]; then
    mkdir -p "$work/reference/perso"
    cp "$out/notes.txt" "$work/reference/"; cp "$out/perso/doc.txt" "$work/reference/perso/"
    "$PTCE_MAP" build "$work/big.csv" -o "$work/reference" --quiet
    big_good=$(sums "$work/reference")
  fi
  echo "$big_good"; }

# Kill the big build at several moments after its generation appears, with -o spelt four
# ways: the folder, with a trailing slash, a link to it, the link with a slash.
kills=0
spellings=("$out" "$out/" "$work/lien" "$work/lien/" "$out")
i=0
for delay in 0.2 0.7 1.5 3 0; do
  "$PTCE_MAP" build "$work/big.csv" -o "${spellings[$i]}" --quiet &
  pid=$!
  i=$((i + 1))
  wait_writing "$pid"
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then
    set +e; wait "$pid" 2>/dev/null; code=$?; set -e
    expect_eq "$code" "137" "exit status of the killed build"
    kills=$((kills + 1))
    now=$(sums)
    if [ "$now" != "$good" ]; then
      # Killed after the commit (the one rename of .ptce-map/build/courant): all new.
      expect_eq "$now" "$(big_sums)" "outputs after a kill right after the commit"
      "$PTCE_MAP" build "$sample" -o "$out" --quiet
      expect_eq "$(sums)" "$good" "outputs rebuilt from the sample"
      echo "killed ${delay}s into the writing stage, after the commit: all new"
    else
      echo "killed ${delay}s into the writing stage (-o ${spellings[$((i - 1))]}): previous outputs intact"
    fi
  else
    wait "$pid" || fail "big build failed by itself"
    echo "the big build finished within ${delay}s of writing: no kill at that moment"
    expect_eq "$(sums)" "$(big_sums)" "outputs of the big build"
    "$PTCE_MAP" build "$sample" -o "$out" --quiet
    expect_eq "$(sums)" "$good" "outputs rebuilt from the sample"
  fi
  pid=
done
[ "$kills" -ge 2 ] || fail "only $kills builds could be killed mid-write; make the census bigger"

# The next successful run removes what the killed runs left, and writes the same files.
[ "$(extra_gens)" -ge 1 ] || fail "expected generations left by the killed runs"
"$PTCE_MAP" build "$sample" -o "$out" --quiet
expect_eq "$(extra_gens)" "0" "generations left after a successful run"
expect_eq "$(sums)" "$good" "outputs of the clean run"
expect_eq "$(folder_id)" "$id_before" "inode, mode and group of the output folder after kills"

# Two builds into one folder: the second refuses while the first writes; the first's
# outputs are then on view, whole.
"$PTCE_MAP" build "$work/big.csv" -o "$out" --quiet &
pid=$!
wait_writing "$pid"
set +e
"$PTCE_MAP" build "$sample" -o "$work/lien/" --quiet 2> "$work/err2"
code2=$?
wait "$pid"; code=$?
set -e
pid=
expect_eq "$code" "0" "exit status of the first of two concurrent builds"
expect_eq "$code2" "4" "exit status of the second of two concurrent builds"
expect_match "$(cat "$work/err2")" "un autre ptce-map écrit en ce moment" "concurrent build message"
expect_eq "$(sums)" "$(big_sums)" "outputs after two concurrent builds"
"$PTCE_MAP" build "$sample" -o "$out" --quiet
expect_eq "$(sums)" "$good" "outputs rebuilt from the sample"

# SIGTERM and SIGINT: the generation being written is removed, and the run says so.
for sig in TERM INT; do
  set -m # a job of its own, so that SIGINT is not ignored by the background build
  "$PTCE_MAP" build "$work/big.csv" -o "$out" --quiet 2> "$work/err-$sig" &
  pid=$!
  set +m
  wait_writing "$pid"
  sleep 0.3
  kill -s "$sig" "$pid"
  set +e; wait "$pid"; code=$?; set -e
  pid=
  if [ "$code" -eq 0 ]; then
    echo "SIG$sig came after the end of the run"; "$PTCE_MAP" build "$sample" -o "$out" --quiet
    continue
  fi
  expect_match "$(cat "$work/err-$sig")" "interrompu ; fichiers temporaires supprimés" "SIG$sig message"
  expect_eq "$(extra_gens)" "0" "generations left after SIG$sig"
  expect_eq "$(sums)" "$good" "outputs after SIG$sig"
done

# Interrupted, the first run into a folder it made leaves nothing at all (no empty folder
# holding an empty .ptce-map).
set -m
"$PTCE_MAP" build "$work/big.csv" -o "$work/neuf" --quiet 2> "$work/err-new" &
pid=$!
set +m
while kill -0 "$pid" 2>/dev/null && [ ! -d "$work/neuf/.ptce-map/build" ]; do sleep 0.01; done
sleep 0.3
kill -s INT "$pid"
set +e; wait "$pid"; code=$?; set -e
pid=
if [ "$code" -eq 0 ]; then
  echo "SIGINT came after the end of the run into a new folder"
else
  expect_match "$(cat "$work/err-new")" "interrompu ; fichiers temporaires supprimés" "SIGINT message (new folder)"
  [ ! -e "$work/neuf" ] || fail "an interrupted first run left $(find "$work/neuf" | head -5 | tr '\n' ' ')"
fi
rm -rf "$work/neuf"

# The file-size limit (SIGXFSZ): a write error with its message, exit 4, nothing changed.
set +e
(ulimit -f 64; "$PTCE_MAP" build "$sample" -o "$out" --quiet) 2> "$work/err-xfsz"
code=$?
set -e
expect_eq "$code" "4" "exit status past the file-size limit"
expect_match "$(cat "$work/err-xfsz")" "ulimit -f" "file-size limit message"
expect_eq "$(extra_gens)" "0" "generations left past the file-size limit"
expect_eq "$(sums)" "$good" "outputs past the file-size limit"
# The same for a report: the old one stays, no temporary file is left.
echo "ancien rapport" > "$work/geo.csv"
set +e
(ulimit -f 16; "$PTCE_MAP" geocode "$work/big.csv" -o "$work/geo.csv" --quiet) 2> "$work/err-xfsz2"
code=$?
set -e
expect_eq "$code" "4" "exit status of a report past the file-size limit"
expect_match "$(cat "$work/err-xfsz2")" "ulimit -f" "file-size limit message of a report"
expect_eq "$(cat "$work/geo.csv")" "ancien rapport" "report kept past the file-size limit"
[ -z "$(find "$work" -maxdepth 1 -name '.ptce-map-tmp-*' | head -1)" ] ||
  fail "temporary report file left past the file-size limit"

# What stands where an output goes is checked before anything changes.
rm "$out/carte" && echo "pas un dossier" > "$out/carte"
before=$(sums)
set +e
"$PTCE_MAP" build "$sample" -o "$out" --quiet 2> "$work/err"; code=$?
set -e
expect_eq "$code" "4" "exit status with a file where carte/ goes"
expect_match "$(cat "$work/err")" "un fichier porte le nom du dossier de sortie carte/" "message"
expect_eq "$(sums)" "$before" "outputs after a refused run (file where carte/ goes)"
rm "$out/carte" "$out/ptce_carte.svg" && mkdir "$out/ptce_carte.svg"
set +e
"$PTCE_MAP" build "$sample" -o "$out" --quiet 2> "$work/err"; code=$?
set -e
expect_eq "$code" "4" "exit status with a folder where a file goes"
expect_match "$(cat "$work/err")" "un dossier porte le nom d'un fichier de sortie" "message"
rmdir "$out/ptce_carte.svg"
# A carte link planted by someone else is replaced, never followed.
mkdir "$work/victime" && echo "garder" > "$work/victime/keep.txt"
rm -f "$out/carte" && ln -s ../victime "$out/carte"
"$PTCE_MAP" build "$sample" -o "$out" --quiet
expect_eq "$(ls -A "$work/victime")" "keep.txt" "folder behind a planted carte link"
expect_eq "$(readlink "$out/carte")" ".ptce-map/build/courant/carte" "carte link"
expect_eq "$(sums)" "$good" "outputs after a planted carte link"
expect_eq "$(folder_id)" "$id_before" "inode, mode and group of the output folder at the end"

# The layout of earlier versions (plain files, a real carte/, ptce_groupes.* of a --groups
# run): adopted and changed in the same one commit; the files no longer written go.
mkdir "$work/ancien"
cp -rL "$out"/. "$work/ancien/"; rm -rf "$work/ancien/.ptce-map"
echo "vieux" > "$work/ancien/ptce_groupes.shp"; echo "vieux" > "$work/ancien/evolutions.csv"
echo "carte à moi" > "$work/ancien/carte/perso.txt"
set +e
"$PTCE_MAP" build "$sample" -o "$work/ancien" --quiet 2> "$work/err"; code=$?
set -e
expect_eq "$code" "4" "exit status with a foreign file in an old carte/"
expect_match "$(cat "$work/err")" "perso.txt : n'est pas une sortie de ptce-map" "message"
rm "$work/ancien/carte/perso.txt"
"$PTCE_MAP" build "$sample" -o "$work/ancien" --quiet
[ ! -e "$work/ancien/ptce_groupes.shp" ] && [ ! -e "$work/ancien/evolutions.csv" ] ||
  fail "old optional outputs left after the upgrade"
expect_eq "$(sums "$work/ancien")" "$good" "outputs after upgrading an old folder"

# A user's own file named like an output, in a folder that holds no earlier outputs (no
# LISEZMOI.txt of ours beside it): refused, the file and the folder left as they were.
mkdir "$work/perso" && echo "mes rejets" > "$work/perso/rejets.csv"
set +e
"$PTCE_MAP" build "$sample" -o "$work/perso" --quiet 2> "$work/err"; code=$?
set -e
expect_eq "$code" "4" "exit status with a user's own rejets.csv"
expect_match "$(cat "$work/err")" "rejets.csv : ce fichier porte le nom d'une sortie" "message"
expect_eq "$(cat "$work/perso/rejets.csv")" "mes rejets" "the user's file kept"
expect_eq "$(ls -A "$work/perso")" "rejets.csv" "nothing else left in the folder"

# New folders and files follow the umask.
(umask 027 && "$PTCE_MAP" build "$sample" -o "$work/new" --quiet &&
  "$PTCE_MAP" geocode "$sample" -o "$work/new/geo.csv" --quiet)
expect_eq "$(stat -c %a "$work/new")" "750" "mode of a new output folder under umask 027"
expect_eq "$(stat -L -c %a "$work/new/ptce_points.shp")" "640" "mode of an output under umask 027"
expect_eq "$(stat -c %a "$work/new/geo.csv")" "640" "mode of a report under umask 027"
(umask 077 && "$PTCE_MAP" validate "$sample" -o "$work/new/rapport.csv" --quiet) || true
expect_eq "$(stat -c %a "$work/new/rapport.csv")" "600" "mode of a report under umask 077"
echo "atomic_output: ok ($kills kills mid-write, $nfiles files intact)"
