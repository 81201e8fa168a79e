# Shared helpers for the end-to-end scripts, sourced by each of them.
set -euo pipefail
: "${PTCE_MAP:?run through ctest}"
: "${PTCE_MAP_DATA:?run through ctest}"
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
expect_match() { grep -qE -- "$2" <<<"$1" || fail "$3: '$2' not found in: ${1:0:400}"; }
# Feature count of a vector file, as GDAL's ogrinfo reports it.
ogr_count() { ogrinfo -ro -so -al "$1" | sed -n 's/^Feature Count: //p' | head -1; }
# EPSG code GDAL recognises for a .prj or a dataset.
srs_epsg() { gdalsrsinfo -e "$1" 2>/dev/null | sed -n 's/^EPSG:\([0-9]*\).*/\1/p' | head -1; }
tmpdir() { local d; d=$(mktemp -d); trap 'rm -rf "'"$d"'"' EXIT; echo "$d"; }
