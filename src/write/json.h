/*
 * write/json.h — the one JSON printer of the writers (GeoJSON, the web map's data).
 *
 * Owns: string escaping and number printing. Strings are UTF-8 in and out: control
 * characters, quotes and backslashes are escaped, and an invalid byte (which the census
 * decoder should never let through) becomes U+FFFD, so the output is always valid UTF-8.
 * Numbers print with fixed decimals, trailing zeros trimmed, never "-0"; a number that is
 * not finite prints as null (JSON has no NaN or infinity). Appends to a caller's util_strbuf.
 */
#ifndef PTCE_WRITE_JSON_H
#define PTCE_WRITE_JSON_H

#include "core/util.h"

/* How far a string is escaped. JSON_PLAIN: what JSON requires. JSON_IN_SCRIPT: also safe
 * inside an HTML <script> element and in older JavaScript: "</" is written "<\/" (so no
 * "</script>" can end the element) and U+2028 / U+2029 as \u2028 / \u2029. */
typedef enum json_escape {
    JSON_PLAIN,
    JSON_IN_SCRIPT
} json_escape;

void json_append_string(util_strbuf *sb, const char *s, json_escape how);

/* `decimals` after the point at most; past 1e15, 17 significant digits and an exponent
 * (never more than 24 characters); null when not finite. Always a valid JSON number. */
void json_append_number(util_strbuf *sb, double v, int decimals);

#endif
