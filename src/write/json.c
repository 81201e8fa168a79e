/*
 * write/json.c — see json.h.
 */
#include "write/json.h"

#include <math.h>
#include <stdio.h>

/* Length of the valid UTF-8 sequence at p (1–4), or 0 when the bytes are not one
 * (overlong forms, surrogates and code points above U+10FFFF are refused). */
static size_t utf8_sequence(const unsigned char *p)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

void json_append_string(util_strbuf *sb, const char *s, json_escape how)
{
    util_sb_append_char(sb, '"');
    const unsigned char *run = (const unsigned char *)s;
    const unsigned char *p = run;
    for (;;) {
        unsigned c = *p;
        /* Plain ASCII that needs no escape is copied by runs, not one by one. */
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' &&
            !(how == JSON_IN_SCRIPT && c == '<' && p[1] == '/')) {
            p++;
            continue;
        }
        if (c >= 0x80) {
            size_t n = utf8_sequence(p);
            int line_sep = n == 3 && c == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9);
            if (n && !(how == JSON_IN_SCRIPT && line_sep)) {
                p += n;
                continue;
            }
            util_sb_append_n(sb, (const char *)run, (size_t)(p - run));
            if (n) {
                util_sb_append(sb, p[2] == 0xA8 ? "\\u2028" : "\\u2029");
                p += n;
            } else {
                util_sb_append(sb, "\\ufffd");
                p++;
            }
            run = p;
            continue;
        }
        util_sb_append_n(sb, (const char *)run, (size_t)(p - run));
        if (!c)
            break;
        switch (c) {
        case '"': util_sb_append(sb, "\\\""); break;
        case '\\': util_sb_append(sb, "\\\\"); break;
        case '\n': util_sb_append(sb, "\\n"); break;
        case '\r': util_sb_append(sb, "\\r"); break;
        case '\t': util_sb_append(sb, "\\t"); break;
        case '<': util_sb_append(sb, "<\\/"); p++; break; /* "</" in a script: the '/' is taken too */
        default: util_sb_printf(sb, "\\u%04x", c);
        }
        p++;
        run = p;
    }
    util_sb_append_char(sb, '"');
}

void json_append_number(util_strbuf *sb, double v, int decimals)
{
    if (!isfinite(v)) {
        util_sb_append(sb, "null");
        return;
    }
    char buf[64];
    size_t n = util_format_fixed(buf, v, decimals, 1);
    if (n == 0) {
        /* Past what the fast path formats: "%.*f" while it fits the buffer (16 digits at
         * most before the point), otherwise 17 significant digits with an exponent
         * (1e+300 is a JSON number; "%f" of it would be 300 digits). */
        int w = fabs(v) < 1e15 && decimals >= 0 && decimals <= 40
                    ? snprintf(buf, sizeof buf, "%.*f", decimals, v)
                    : snprintf(buf, sizeof buf, "%.17g", v);
        n = w > 0 && (size_t)w < sizeof buf ? (size_t)w : 0;
    }
    util_sb_append_n(sb, n ? buf : "null", n ? n : 4);
}
