#!/usr/bin/env bash
# Exit codes of the man page (docs/ptce-map.1) in the cases the hostile corpus cannot set up
# with arguments alone (item 16 of issue #16):
#  - out of memory while reading the census is 5 ("mémoire"), not 2 ("illisible"): a census
#    larger than the address space the process is allowed (ulimit -v) — a sparse file, so it
#    costs no disk — must say "mémoire insuffisante" and exit 5.
# The hostile corpus (tests/bad-input) holds the others (usage before context, /dev/full…).
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 800 MB: under the 1 GiB read bound (UTIL_READ_MAX, refused by size: exit 2, tested in the
# hostile corpus as census_too_big), over the 400 MB of address space allowed below.
truncate -s 800M "$work/enorme.csv"
limit=400000 # KiB of address space: enough to start, far too little for 800 MB
if ! (ulimit -v "$limit"; "$PTCE_MAP" --version > /dev/null 2>&1); then
  # AddressSanitizer reserves terabytes of address space: it cannot start under ulimit -v.
  echo "exit_codes: skipped the ulimit -v case (this binary cannot start under ulimit -v)"
else
  code=0
  (ulimit -v "$limit"; "$PTCE_MAP" geocode "$work/enorme.csv" -o "$work/r.csv") \
    2> "$work/err" || code=$?
  expect_eq "$code" 5 "geocode of a census larger than the memory allowed"
  expect_match "$(cat "$work/err")" "enorme.csv : mémoire insuffisante pour lire ce fichier" \
    "out-of-memory message"
  [ ! -e "$work/r.csv" ] || fail "a report was written after running out of memory"
  code=0
  (ulimit -v "$limit"; "$PTCE_MAP" build "$work/enorme.csv" -o "$work/out" --quiet) \
    2> "$work/err" || code=$?
  expect_eq "$code" 5 "build of a census larger than the memory allowed"
fi
echo "exit_codes: ok"
