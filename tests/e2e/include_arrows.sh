#!/usr/bin/env bash
# The arrows between the folders of src/ (scripts/check-includes holds the table): the
# real tree passes, and the check does refuse an arrow upward, an arrow between two stages,
# a folder missing from the table and a cycle, naming the file and line; and the public
# surface: the CLI including an internal header, a public header including an internal one.
source "$(dirname "$0")/lib.sh"
check="$PTCE_SOURCE_DIR/scripts/check-includes"
out=$(bash "$check" "$PTCE_SOURCE_DIR" 2>&1) || fail "the source tree breaks the arrows: $out"
expect_match "$out" "aucun interdit" "real tree"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fake() { # fake FILE 'INCLUDE' … : a one-file tree that includes the given headers
    rm -rf "$work/src"
    mkdir -p "$work/src/core" "$work/src/model" "$work/src/app" "$work/src/geocode" \
             "$work/src/diff" "$work/src/present"
    echo '#include "core/util.h"' > "$work/src/model/ok.h"
    printf 'set(PTCE_PUBLIC_HEADERS\n  ptce.h app/build.h\n  model/ok.h core/util.h)\n' > "$work/CMakeLists.txt"
    : > "$work/src/ptce.h"; : > "$work/src/app/build.h"; mkdir -p "$work/src/core"; : > "$work/src/core/util.h"
    local file=$1; shift
    mkdir -p "$work/src/$(dirname "$file")"
    : > "$work/src/$file"
    for inc in "$@"; do printf '#include "%s"\n' "$inc" >> "$work/src/$file"; done
}
refused() { # refused WHAT PATTERN: the check fails and says PATTERN
    local msg
    if msg=$(bash "$check" "$work" 2>&1); then fail "$1 accepted: $msg"; fi
    expect_match "$msg" "$2" "$1"
}
fake model/run.h "core/ctx.h" "app/run.h"
refused "model → app" "src/model/run.h:2 : model/ ne doit pas inclure app/"
fake diff/diff.c "model/run.h" "geocode/geocode.h"
refused "stage → stage" "src/diff/diff.c:2 : diff/ ne doit pas inclure geocode/"
fake core/util.h "model/run.h"
refused "floor → model (a cycle with model → core)" "core/ ne doit pas inclure model/"
fake pipeline/run.h "core/ctx.h"
refused "a folder missing from the table" "src/pipeline/ : dossier absent du tableau"
fake present/layers.h "app/build.h"
refused "present → app" "present/ ne doit pas inclure app/"
fake cli/cmd_build.c "cli/cli.h" "app/build.h" "present/layers.h"
refused "CLI → internal header" "src/cli/cmd_build.c:3 : la ligne de commande inclut \"present/layers.h\", qui n'est pas public"
fake app/build.h "model/ok.h" "geocode/internal.h"
refused "public → internal header" "src/app/build.h:2 : l'en-tête public inclut \"geocode/internal.h\""
fake app/build.c "present/layers.h" "diff/diff.h" "model/run.h" "core/ctx.h" "ptce.h"
out=$(bash "$check" "$work" 2>&1) || fail "allowed arrows refused: $out"
echo "ok"
