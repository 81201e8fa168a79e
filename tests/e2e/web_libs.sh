#!/usr/bin/env bash
# The vendored mapping libraries (data/web/lib) are exactly the files SOURCE.md lists, with
# the SHA-256 it records (scripts/update-web-libs wrote both), licences included; and the
# web template names no address outside its own folder.
source "$(dirname "$0")/lib.sh"
lib="$PTCE_MAP_DATA/web/lib"
sums=$(sed -n '/^```$/,/^```$/p' "$lib/SOURCE.md" | grep -v '^```$')
[ -n "$sums" ] || fail "no checksums in $lib/SOURCE.md"
(cd "$lib" && sha256sum --quiet -c <<<"$sums") || fail "data/web/lib differs from SOURCE.md"
listed=$(awk '{print $2}' <<<"$sums" | LC_ALL=C sort)
present=$(cd "$lib" && find . -type f ! -name SOURCE.md | sed 's|^\./||' | LC_ALL=C sort)
[ "$listed" = "$present" ] || fail "data/web/lib holds files SOURCE.md does not list"
for f in leaflet/LICENSE leaflet.markercluster/MIT-LICENCE.txt; do
  grep -qi "permission\|redistribution" "$lib/$f" || fail "$f is not a licence"
done
# The template loads nothing from elsewhere: no http(s):// or protocol-relative address in
# src, href or url() (links that a user may follow, in the libraries' attribution, are not
# loads; the template itself has none).
if grep -nE '(src|href)="(https?:)?//|url\((["'\'']?)(https?:)?//' \
     "$PTCE_MAP_DATA/web/index.html" "$PTCE_MAP_DATA/web/carte.css" "$PTCE_MAP_DATA/web/carte.js"; then
  fail "the web template loads something from another host"
fi
echo "web_libs: ok"
