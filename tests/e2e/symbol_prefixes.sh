#!/usr/bin/env bash
# Every symbol libptce.a exports carries its module's prefix (scripts/check-symbols holds
# the table header → prefix): the real library passes, and the check does refuse a symbol
# with another module's prefix, a symbol no header declares, and a header without a prefix.
source "$(dirname "$0")/lib.sh"
: "${PTCE_LIB:?run through ctest}"
check="$PTCE_SOURCE_DIR/scripts/check-symbols"
out=$(bash "$check" "$PTCE_LIB" "$PTCE_SOURCE_DIR" 2>&1) || fail "libptce.a breaks the prefixes: $out"
expect_match "$out" "chacun au préfixe de son module" "real library"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
refused() { # refused WHAT LIST PATTERN [SOURCE_DIR]: the check fails on LIST and says PATTERN
    local msg
    printf '%s\n' $2 > "$work/symbols"
    if msg=$(bash "$check" "$work/symbols" "${4:-$PTCE_SOURCE_DIR}" 2>&1); then fail "$1 accepted: $msg"; fi
    expect_match "$msg" "$3" "$1"
}
# csv_read_everything as geocode.h would declare it: a generic name in another module.
mkdir -p "$work/tree/src/geocode" "$work/tree/src/core"
printf '#include "ptce.h"\nint csv_read_everything(int x);\nint geocode_row(int x);\n' > "$work/tree/src/geocode/geocode.h"
printf 'int geocode_stray;\n' > "$work/tree/src/core/util.h"
touch "$work/tree/src/ptce.h"
refused "another module's prefix" "csv_read_everything geocode_row" \
    "csv_read_everything : déclaré dans src/geocode/geocode.h, dont le préfixe est « geocode_ »" "$work/tree"
refused "a variable under another module's prefix" "geocode_stray" \
    "geocode_stray : déclaré dans src/core/util.h, dont le préfixe est « util_ »" "$work/tree"
refused "an undeclared symbol" "geocode_row util_not_declared_anywhere" \
    "util_not_declared_anywhere : exporté mais déclaré dans aucun en-tête" "$work/tree"
touch "$work/tree/src/geocode/extra.h"
refused "a header without a prefix" "geocode_row" "src/geocode/extra.h : en-tête absent du tableau" "$work/tree"
echo "ok"
