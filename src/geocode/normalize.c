/*
 * geocode/normalize.c — reading place fields as people type them.
 *
 * Everything here is pure (no reference data except for département names) so that the
 * fuzzer and the unit tests can drive it directly.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "geocode/geocode.h"
#include "text/fold.h"

int geocode_clean_postcode(const char *text, char out[6], int *restored_zero, int *cedex)
{
    char digits[8];
    size_t n = 0;
    int seen_other = 0;
    *restored_zero = 0;
    *cedex = 0;
    char folded[128];
    text_fold_into(text, folded, sizeof folded);
    if (strstr(folded, "cedex"))
        *cedex = 1;
    /* Take the first run of digits, allowing one space inside ("69 002"). */
    const char *p = text;
    while (*p && !isdigit((unsigned char)*p)) {
        if (isalpha((unsigned char)*p) && !*cedex)
            seen_other = 1;
        p++;
    }
    for (; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            if (n >= 5)
                return 0;
            digits[n++] = *p;
        } else if (*p == ' ' && n > 0 && n < 5 && isdigit((unsigned char)p[1])) {
            continue;
        } else {
            break;
        }
    }
    (void)seen_other;
    if (n == 4) {
        /* Spreadsheets drop the leading zero of 01000…09999. */
        out[0] = '0';
        memcpy(out + 1, digits, 4);
        *restored_zero = 1;
    } else if (n == 5) {
        memcpy(out, digits, 5);
    } else {
        return 0;
    }
    out[5] = '\0';
    return strcmp(out, "01000") >= 0 && strcmp(out, "98999") <= 0;
}

int geocode_clean_insee(const char *text, char out[6], int *restored_zero)
{
    char buf[16];
    size_t n = 0;
    *restored_zero = 0;
    for (const char *p = text; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\'' || *p == '"')
            continue;
        if (n >= 5)
            return 0;
        buf[n++] = (char)toupper((unsigned char)*p);
    }
    buf[n] = '\0';
    if (n == 4) {
        memmove(buf + 1, buf, 5);
        buf[0] = '0';
        n = 5;
        *restored_zero = 1;
    }
    if (n != 5)
        return 0;
    for (size_t i = 0; i < 5; i++) {
        int corsica = i == 1 && buf[0] == '2' && (buf[1] == 'A' || buf[1] == 'B');
        if (!isdigit((unsigned char)buf[i]) && !corsica)
            return 0;
    }
    memcpy(out, buf, 6);
    return 1;
}

const departement *geocode_parse_departement(const refdata *rd, const char *text)
{
    char key[128];
    text_fold_into(text, key, sizeof key);
    if (!key[0])
        return NULL;
    /* A leading code: "01", "1", "2a", "971", "13 bouches du rhone". */
    char code[4] = "";
    size_t i = 0;
    while (key[i] && key[i] != ' ' && i < 3)
        i++;
    if (i >= 1 && i <= 3 && (key[i] == ' ' || !key[i])) {
        char head[4];
        memcpy(head, key, i);
        head[i] = '\0';
        int digits = 1;
        for (size_t k = 0; k < i; k++)
            digits &= isdigit((unsigned char)head[k]) != 0;
        if (digits && i == 1) {
            code[0] = '0';
            code[1] = head[0];
            code[2] = '\0';
        } else if (digits || (i == 2 && head[0] == '2' && (head[1] == 'a' || head[1] == 'b'))) {
            snprintf(code, sizeof code, "%s", head);
            if (code[1] == 'a' || code[1] == 'b')
                code[1] = (char)toupper((unsigned char)code[1]);
        }
        if (code[0]) {
            const departement *d = refdata_departement(rd, code);
            if (d)
                return d;
        }
    }
    /* A name, possibly after a code: "bouches du rhone", "13 bouches du rhone". */
    const char *name = key;
    if (code[0] && key[i] == ' ')
        name = key + i + 1;
    for (size_t k = 0; k < rd->ndeps; k++)
        if (strcmp(rd->deps[k].key, name) == 0)
            return &rd->deps[k];
    return NULL;
}

/* ---- name variants --------------------------------------------------------------------- */

static const char *const abbreviations[][2] = {
    {"st", "saint"}, {"ste", "sainte"}, {"sts", "saints"}, {"stes", "saintes"},
    {"mt", "mont"},  {"hte", "haute"},  {"ht", "haut"},    {"htes", "hautes"},
    {"gd", "grand"}, {"gde", "grande"}, {"nd", "notre dame"}, {"s", "sur"},
    {"ss", "sous"},
};

static int is_article(const char *w)
{
    return !strcmp(w, "le") || !strcmp(w, "la") || !strcmp(w, "les") || !strcmp(w, "l");
}

static void add_key(char keys[][128], int *n, int max, const char *key)
{
    if (!key[0] || *n >= max)
        return;
    for (int i = 0; i < *n; i++)
        if (strcmp(keys[i], key) == 0)
            return;
    snprintf(keys[*n], 128, "%s", key);
    (*n)++;
}

/* Splits a folded key into words (at most 32), in place. */
static int split_words(char *key, char *words[32])
{
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(key, " ", &save); tok && n < 32; tok = strtok_r(NULL, " ", &save))
        words[n++] = tok;
    return n;
}

static void join_words(char *const *words, int n, char *out, size_t size)
{
    out[0] = '\0';
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        int w = snprintf(out + len, size - len, "%s%s", i ? " " : "", words[i]);
        if (w < 0 || (size_t)w >= size - len)
            break;
        len += (size_t)w;
    }
}

/* Roman numerals up to XX, for "Paris XIe". */
static int roman_value(const char *w)
{
    static const char *const romans[] = {"i",   "ii",   "iii",  "iv",  "v",   "vi",  "vii",
                                         "viii", "ix",  "x",    "xi",  "xii", "xiii", "xiv",
                                         "xv",  "xvi",  "xvii", "xviii", "xix", "xx"};
    char base[16];
    snprintf(base, sizeof base, "%s", w);
    size_t n = strlen(base);
    /* Strip an ordinal suffix: "xie", "xieme", "ier", "er", "e". */
    const char *sufs[] = {"ieme", "eme", "er", "e"};
    for (size_t s = 0; s < 4; s++) {
        size_t k = strlen(sufs[s]);
        if (n > k && strcmp(base + n - k, sufs[s]) == 0) {
            base[n - k] = '\0';
            break;
        }
    }
    for (int i = 0; i < 20; i++)
        if (strcmp(base, romans[i]) == 0)
            return i + 1;
    return 0;
}

/* "11", "11e", "11eme", "1er", "xi", "xie" → 11; 0 when not an ordinal. */
static int ordinal_value(const char *w)
{
    char *end;
    long v = strtol(w, &end, 10);
    if (end != w) {
        if (!*end || !strcmp(end, "e") || !strcmp(end, "eme") || !strcmp(end, "er") ||
            !strcmp(end, "ieme") || !strcmp(end, "ere") || !strcmp(end, "em"))
            return v > 0 && v < 100 ? (int)v : 0;
        return 0;
    }
    return roman_value(w);
}

/* "paris 11e", "lyon 3eme arrondissement", "marseille viii" → the COG's key
 * "paris 11e arrondissement". Returns 1 when the name is such an arrondissement. */
static int arrondissement_key(char *const *words, int n, char *out, size_t size)
{
    if (n < 2)
        return 0;
    static const struct {
        const char *city;
        int max;
    } cities[] = {{"paris", 20}, {"lyon", 9}, {"marseille", 16}};
    for (size_t c = 0; c < 3; c++) {
        if (strcmp(words[0], cities[c].city) != 0)
            continue;
        int v = ordinal_value(words[1]);
        if (v < 1 || v > cities[c].max)
            return 0;
        for (int i = 2; i < n; i++)
            if (strcmp(words[i], "arrondissement") != 0 && strcmp(words[i], "arr") != 0 &&
                strcmp(words[i], "ardt") != 0 && strcmp(words[i], "arrt") != 0)
                return 0;
        snprintf(out, size, "%s %d%s arrondissement", cities[c].city, v, v == 1 ? "er" : "e");
        return 1;
    }
    return 0;
}

int geocode_name_variants(const char *name, char keys[][128], int max)
{
    /* "S/" means "sur" and "S/S" "sous" before folding turns the slash into a space. */
    char pre[256];
    size_t k = 0;
    for (const char *p = name; *p && k + 8 < sizeof pre; p++) {
        if ((p[0] == 's' || p[0] == 'S') && p[1] == '/' && (p[2] == 's' || p[2] == 'S') &&
            p[3] == '/' && (p == name || !isalnum((unsigned char)p[-1]))) {
            memcpy(pre + k, " sous ", 6);
            k += 6;
            p += 3;
        } else if ((p[0] == 's' || p[0] == 'S') && p[1] == '/' &&
                   (p == name || !isalnum((unsigned char)p[-1]))) {
            memcpy(pre + k, " sur ", 5);
            k += 5;
            p += 1;
        } else {
            pre[k++] = *p;
        }
    }
    pre[k] = '\0';
    char base[128];
    text_fold_into(pre, base, sizeof base);
    int n = 0;
    if (!base[0])
        return 0;

    char work[128], joined[128];
    char *words[32];
    snprintf(work, sizeof work, "%s", base);
    int nw = split_words(work, words);

    /* Drop "cedex" and what follows it ("lyon cedex 03"). */
    for (int i = 0; i < nw; i++)
        if (strcmp(words[i], "cedex") == 0) {
            nw = i;
            break;
        }
    /* Drop a leading or trailing postal code that slipped into the name. */
    if (nw > 1 && strlen(words[0]) == 5 && isdigit((unsigned char)words[0][0]))
        memmove(words, words + 1, (size_t)--nw * sizeof *words);
    if (nw > 1 && strlen(words[nw - 1]) == 5 && isdigit((unsigned char)words[nw - 1][0]))
        nw--;
    if (nw == 0)
        return 0;

    char arr[128];
    if (arrondissement_key(words, nw, arr, sizeof arr))
        add_key(keys, &n, max, arr);

    join_words(words, nw, joined, sizeof joined);
    add_key(keys, &n, max, joined);

    /* Abbreviations expanded: "st jean" → "saint jean". A lone "s" only between words. */
    char *expanded[64];
    int ne = 0;
    for (int i = 0; i < nw && ne < 60; i++) {
        const char *rep = NULL;
        for (size_t a = 0; a < sizeof abbreviations / sizeof *abbreviations; a++)
            if (strcmp(words[i], abbreviations[a][0]) == 0)
                rep = abbreviations[a][1];
        if (rep && (!strcmp(words[i], "s") || !strcmp(words[i], "ss")) && (i == 0 || i == nw - 1))
            rep = NULL;
        expanded[ne++] = (char *)(rep ? rep : words[i]);
    }
    char exp_key[128];
    join_words(expanded, ne, exp_key, sizeof exp_key);
    add_key(keys, &n, max, exp_key);

    /* A trailing article moves to the front: "mans le" → "le mans" (from "Mans (Le)"). */
    char *moved[64];
    if (ne >= 2 && is_article(expanded[ne - 1])) {
        moved[0] = expanded[ne - 1];
        for (int i = 0; i < ne - 1; i++)
            moved[i + 1] = expanded[i];
        char mkey[128];
        join_words(moved, ne, mkey, sizeof mkey);
        add_key(keys, &n, max, mkey);
    }
    return n;
}
