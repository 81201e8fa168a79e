#!/usr/bin/env bash
# Hostile inputs (tests/bad-input/expected.tsv): every case runs under `timeout` (20 s, 90 s in
# the sanitizer build: PTCE_CASE_TIMEOUT) and must
#  - end by itself with the expected exit status (no timeout, no signal, no sanitizer report),
#  - print the expected message fragment,
#  - when it fails (exit 1 to 6), leave its work folder exactly as it was (no half-written
#    output, no temporary folder), and otherwise leave no temporary folder either,
#  - pass the case's own check in tests/bad-input/cases.sh, if it has one.
# BAD_INPUT_ONLY=REGEX runs only the cases whose name matches.
source "$(dirname "$0")/lib.sh"
: "${PTCE_SOURCE_DIR:?run through ctest}"
CASES_DIR="$PTCE_SOURCE_DIR/tests/bad-input"
SAMPLE="$PTCE_MAP_DATA/sample/census-sample.csv"
export PTCE_MAP CASES_DIR SAMPLE
source "$CASES_DIR/cases.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Regular files and symlinks of a folder with their content or target, temporary folders
# of ptce-map included (by name).
snapshot() {
  (cd "$1" && find . \( -type f -o -type l -o -name '.ptce-map-tmp-*' \) -print0 | sort -z |
    while IFS= read -r -d '' f; do
      if [ -L "$f" ]; then printf 'L %s -> %s\n' "$f" "$(readlink "$f")"
      elif [ -d "$f" ]; then printf 'D %s\n' "$f"
      else printf 'F %s %s\n' "$f" "$(sha256sum < "$f" | cut -c1-64)"; fi
    done)
}

quote() { printf '%q' "$1"; }

failures=()
ran=0
while IFS=$'\t' read -r name args want fragment; do
  case "$name" in ''|'#'*) continue ;; esac
  if [ -n "${BAD_INPUT_ONLY:-}" ] && ! [[ "$name" =~ $BAD_INPUT_ONLY ]]; then continue; fi
  ran=$((ran + 1))
  dir="$tmp/$name"
  W="$dir/w"
  STDOUT="$dir/stdout"
  STDERR="$dir/stderr"
  mkdir -p "$W"
  export W STDOUT STDERR
  # Set-up and checks run in a subshell: their `fail` marks the case, not the whole test.
  if declare -F "setup_$name" > /dev/null; then
    if ! (set -e; "setup_$name") > "$dir/setup.log" 2>&1; then
      failures+=("$name: set-up failed: $(tail -c 300 "$dir/setup.log")")
      continue
    fi
  fi
  args=${args//@IN@/$(quote "$CASES_DIR")}
  args=${args//@OUT@/$(quote "$W/out")}
  args=${args//@W@/$(quote "$W")}
  args=${args//@SAMPLE@/$(quote "$SAMPLE")}
  eval "set -- $args"
  before=$(snapshot "$W")

  set +e
  (cd "$dir" && timeout "${PTCE_CASE_TIMEOUT:-20}" "$PTCE_MAP" "$@" > "$STDOUT" 2> "$STDERR" < /dev/null)
  code=$?
  set -e

  problem=""
  if [ "$code" -eq 124 ]; then
    problem="did not finish within 20 s"
  elif [ "$code" -ge 125 ]; then
    problem="killed or crashed (exit status $code)"
  elif grep -qE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$STDERR"; then
    problem="sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error:' "$STDERR")"
  elif [ "$code" != "$want" ]; then
    problem="exit status $code, expected $want: $(tail -c 300 "$STDERR")"
  elif [ "$fragment" != "-" ] && ! grep -qF -- "$fragment" "$STDOUT" "$STDERR"; then
    problem="message « $fragment » not found in: $(tail -c 300 "$STDERR")"
  elif [ "$code" -ge 1 ] && [ "$code" -le 6 ] && [ "$(snapshot "$W")" != "$before" ]; then
    problem="the failed run changed its folder: $(diff <(echo "$before") <(snapshot "$W") | head -5 | tr '\n' ' ')"
  elif leftover=$(find "$W" -name '.ptce-map-tmp-*' | head -1) && [ -n "$leftover" ]; then
    problem="temporary file or folder left behind: ${leftover#"$W"/}"
  elif declare -F "check_$name" > /dev/null; then
    if ! (set -e; "check_$name") > "$dir/check.log" 2>&1; then
      problem="check failed: $(tail -c 400 "$dir/check.log")"
    fi
  fi
  if [ -n "$problem" ]; then
    failures+=("$name: $problem")
    echo "not ok - $name" >&2
  else
    echo "ok - $name (exit $code)"
    rm -rf "$dir" # the big generated inputs go as soon as they are checked
  fi
done < "$CASES_DIR/expected.tsv"

[ "$ran" -gt 0 ] || fail "no case ran"
if [ ${#failures[@]} -gt 0 ]; then
  printf 'FAIL: %s\n' "${failures[@]}" >&2
  fail "${#failures[@]} of $ran hostile inputs misbehaved"
fi
echo "bad_input: ok ($ran cases)"
