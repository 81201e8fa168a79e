#!/usr/bin/env bash
# `cmake --install` puts the binary, its data and its man page in a prefix, and the
# installed binary finds its installed data by itself.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build_dir=$(dirname "$PTCE_MAP")
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
[ -x "$work/prefix/bin/ptce-map" ] || fail "binary not installed"
[ -s "$work/prefix/share/man/man1/ptce-map.1" ] || fail "man page not installed"
[ -s "$work/prefix/share/ptce-map/communes.tsv" ] || fail "data not installed"
[ -s "$work/prefix/share/ptce-map/taxonomie.txt" ] || fail "taxonomy not installed"
# Without PTCE_MAP_DATA the installed binary must pick the installed data, not the source tree.
version=$(env -u PTCE_MAP_DATA "$work/prefix/bin/ptce-map" --version)
expect_match "$version" "données de référence : $work/prefix/bin/../share/ptce-map" "data found beside the binary"
expect_match "$version" "GEOS 3\\.[0-9]+" "GEOS version"
expect_match "$version" "PROJ [0-9]+\\." "PROJ version"
(cd "$work" && env -u PTCE_MAP_DATA "$work/prefix/bin/ptce-map" build -o "$work/out" --quiet)
[ -s "$work/out/ptce_points.shp" ] || fail "installed binary did not build the sample map"
# --data overrides, and a wrong folder is a clear error with exit code 3.
set +e
msg=$("$work/prefix/bin/ptce-map" build --data "$work" -o "$work/out2" 2>&1)
code=$?
set -e
expect_eq "$code" "3" "exit code for a folder without data"
expect_match "$msg" "ne contient pas les données de référence" "message for a folder without data"
echo "install: ok"
