/*
 * text/fold.c — see fold.h.
 *
 * Invariant: the output is ASCII letters, digits and single spaces only for French
 * and other Latin text; letters without a decomposition (ß, ø…) are kept as UTF-8.
 */
#include "text/fold.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/util.h"

/* Windows-1252 bytes 0x80–0x9F; the rest of the upper half is Latin-1. */
static const utf8proc_int32_t cp1252_high[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

static bool append_folded(strbuf *sb, utf8proc_int32_t cp, bool *pending_space)
{
    utf8proc_int32_t buf[16];
    utf8proc_ssize_t n = utf8proc_decompose_char(
        cp, buf, 16, UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK,
        NULL);
    if (n < 0 || n > 16)
        return false;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        utf8proc_int32_t c = buf[i];
        const char *spelt = NULL;
        if (c == 0x0153)
            spelt = "oe";
        else if (c == 0x00E6)
            spelt = "ae";
        utf8proc_category_t cat = utf8proc_category(c);
        bool alnum = spelt || (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                     (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
        if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC ||
            cat == UTF8PROC_CATEGORY_ME)
            continue; /* a combining mark left over: drop it like the accents */
        if (!alnum) {
            if (sb->len > 0)
                *pending_space = true;
            continue;
        }
        if (*pending_space) {
            sb_append_char(sb, ' ');
            *pending_space = false;
        }
        if (spelt) {
            sb_append(sb, spelt);
        } else {
            utf8proc_uint8_t enc[4];
            utf8proc_ssize_t len = utf8proc_encode_char(c, enc);
            sb_append_n(sb, (const char *)enc, (size_t)len);
        }
    }
    return true;
}

char *text_fold(const char *text)
{
    strbuf sb;
    sb_init(&sb);
    bool pending_space = false;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t used = utf8proc_iterate(p, -1, &cp);
        if (used <= 0) {
            /* Not UTF-8: read the byte as Windows-1252 so that nothing is lost. */
            cp = *p >= 0xA0 ? *p : (*p >= 0x80 ? cp1252_high[*p - 0x80] : 0xFFFD);
            used = 1;
        }
        p += used;
        if (!append_folded(&sb, cp, &pending_space)) {
            sb_free(&sb);
            return NULL;
        }
    }
    return sb_take(&sb);
}

size_t text_fold_into(const char *text, char *out, size_t outsize)
{
    if (outsize == 0)
        return 0;
    char *folded = text_fold(text);
    if (!folded) {
        out[0] = '\0';
        return 0;
    }
    size_t n = utf8_cut_length(folded, outsize - 1);
    memcpy(out, folded, n);
    out[n] = '\0';
    free(folded);
    return n;
}
