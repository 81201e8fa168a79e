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

static bool append_folded(util_strbuf *sb, utf8proc_int32_t cp, bool *pending_space)
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
            util_sb_append_char(sb, ' ');
            *pending_space = false;
        }
        if (spelt) {
            util_sb_append(sb, spelt);
        } else {
            utf8proc_uint8_t enc[4];
            utf8proc_ssize_t len = utf8proc_encode_char(c, enc);
            util_sb_append_n(sb, (const char *)enc, (size_t)len);
        }
    }
    return true;
}

/* U+00C0..U+00FF (UTF-8 C3 80..C3 BF): what the Unicode fold makes of each. NULL: not
 * handled here (letters without a decomposition, kept as they are); " ": a separator. */
static const char *const latin1_fold[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    NULL, "n", "o", "o", "o", "o", "o", " ", NULL, "u", "u", "u", "u", "y", NULL, "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    NULL, "n", "o", "o", "o", "o", "o", " ", NULL, "u", "u", "u", "u", "y", NULL, "y"};

/* The common characters of French text folded without utf8proc, which spends its time
 * decomposing: ASCII, the Latin-1 letters, œ Œ, the typographic dashes and quotes
 * U+2010–U+201F, the no-break space and « ». Returns the bytes used, 0 when p starts with
 * another character (then utf8proc decides); *emit is the folded text, NULL for a
 * separator. Same output as utf8proc, byte for byte (tests/unit compare the two). */
static size_t fold_common(const unsigned char *p, const char **emit, char one[2])
{
    unsigned char c = p[0];
    *emit = NULL;
    if (c < 0x80) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            one[0] = (char)c;
            *emit = one;
        } else if (c >= 'A' && c <= 'Z') {
            one[0] = (char)(c - 'A' + 'a');
            *emit = one;
        }
        return 1;
    }
    if (c == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
        const char *f = latin1_fold[p[1] - 0x80];
        if (!f)
            return 0;
        *emit = f[0] == ' ' ? NULL : f;
        return 2;
    }
    if (c == 0xC5 && (p[1] == 0x92 || p[1] == 0x93)) {
        *emit = "oe";
        return 2;
    }
    if (c == 0xE2 && p[1] == 0x80 && p[2] >= 0x90 && p[2] <= 0x9F)
        return 3; /* dashes and quotation marks: ’ ‘ – — */
    if (c == 0xC2 && (p[1] == 0xA0 || p[1] == 0xAB || p[1] == 0xBB || p[1] == 0xB0))
        return 2; /* no-break space, « », ° */
    if (c == 0xC2 && (p[1] == 0xB2 || p[1] == 0xB3 || p[1] == 0xB9)) {
        one[0] = p[1] == 0xB2 ? '2' : p[1] == 0xB3 ? '3' : '1'; /* ² ³ ¹ (m², m³) */
        *emit = one;
        return 2;
    }
    if (c == 0xE2 && ((p[1] == 0x80 && p[2] == 0xA6) || (p[1] == 0x82 && p[2] == 0xAC)))
        return 3; /* … € */
    return 0;
}

/* ASCII letters and digits as they fold (lower case), 0 for every other byte. */
#define L10(c) c, c + 1, c + 2, c + 3, c + 4, c + 5, c + 6, c + 7, c + 8, c + 9
static const unsigned char ascii_fold[256] = {
    ['0'] = L10('0'),
    ['A'] = L10('a'), L10('k'), 'u', 'v', 'w', 'x', 'y', 'z',
    ['a'] = L10('a'), L10('k'), 'u', 'v', 'w', 'x', 'y', 'z'};
#undef L10

static bool ascii_alnum(unsigned char c)
{
    return ascii_fold[c] != 0;
}

static char *fold(const char *text, bool fast)
{
    util_strbuf sb;
    util_sb_init(&sb);
    bool pending_space = false;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
    while (*p) {
        /* A run of ASCII letters and digits, the bulk of French text, is copied at once and
         * lowered in place (what fold_common would emit for each of its bytes). */
        if (fast && ascii_alnum(*p)) {
            const utf8proc_uint8_t *q = p + 1;
            while (ascii_alnum(*q))
                q++;
            if (pending_space) {
                util_sb_append_char(&sb, ' ');
                pending_space = false;
            }
            size_t at = sb.len, n = (size_t)(q - p);
            util_sb_append_n(&sb, (const char *)p, n);
            if (!sb.failed)
                for (size_t i = at; i < at + n; i++)
                    if (sb.data[i] >= 'A' && sb.data[i] <= 'Z')
                        sb.data[i] = (char)(sb.data[i] - 'A' + 'a');
            p = q;
            continue;
        }
        const char *emit;
        char one[2] = {0, 0};
        size_t common = fast ? fold_common(p, &emit, one) : 0;
        if (common) {
            p += common;
            if (!emit) {
                pending_space = pending_space || sb.len > 0;
                continue;
            }
            if (pending_space) {
                util_sb_append_char(&sb, ' ');
                pending_space = false;
            }
            util_sb_append(&sb, emit);
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t used = utf8proc_iterate(p, -1, &cp);
        if (used <= 0) {
            /* Not UTF-8: read the byte as Windows-1252 so that nothing is lost. */
            cp = *p >= 0x80 ? (utf8proc_int32_t)util_cp1252_codepoint(*p) : 0xFFFD;
            used = 1;
        }
        p += used;
        if (!append_folded(&sb, cp, &pending_space)) {
            util_sb_free(&sb);
            return NULL;
        }
    }
    return util_sb_take(&sb);
}

char *text_fold(const char *text)
{
    return fold(text, true);
}

char *text_fold_unicode(const char *text)
{
    return fold(text, false);
}

static size_t copy_cut(char *folded, char *out, size_t outsize)
{
    if (!folded) {
        out[0] = '\0';
        return 0;
    }
    size_t n = util_utf8_cut_length(folded, outsize - 1);
    memcpy(out, folded, n);
    out[n] = '\0';
    free(folded);
    return n;
}

size_t text_fold_into(const char *text, char *out, size_t outsize)
{
    if (outsize == 0)
        return 0;
    /* Without an allocation while every character is a common one. */
    size_t n = 0;
    bool pending = false;
    /* What this loop writes is never longer than what it reads (a letter for a byte or
     * more, "ae" "oe" "ss" for two bytes, one space for a run of separators), so when the
     * whole text fits, the bytes of a run need no room check. */
    bool fits = strlen(text) < outsize;
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        if (ascii_alnum(*p)) {
            /* A run of ASCII letters and digits, lowered as it is copied (as in fold()). */
            if (pending) {
                if (n + 1 < outsize)
                    out[n++] = ' ';
                pending = false;
            }
            if (fits)
                for (unsigned char f; (f = ascii_fold[*p]) != 0; p++)
                    out[n++] = (char)f;
            else
                for (unsigned char f; (f = ascii_fold[*p]) != 0; p++)
                    if (n + 1 < outsize)
                        out[n++] = (char)f;
            continue;
        }
        if (*p < 0x80) { /* ASCII but no letter or digit: a separator (fold_common's answer,
                            without the call: one a word in French text) */
            p++;
            pending = n > 0;
            continue;
        }
        const char *emit;
        char one[2] = {0, 0};
        size_t used = fold_common(p, &emit, one);
        if (!used)
            return copy_cut(text_fold(text), out, outsize);
        p += used;
        if (!emit) {
            pending = n > 0;
            continue;
        }
        if (pending) {
            if (n + 1 < outsize)
                out[n++] = ' ';
            pending = false;
        }
        for (const char *e = emit; *e; e++)
            if (n + 1 < outsize)
                out[n++] = *e;
    }
    out[n] = '\0';
    return n;
}

size_t text_fold_unicode_into(const char *text, char *out, size_t outsize)
{
    return outsize ? copy_cut(text_fold_unicode(text), out, outsize) : 0;
}
