/*
 * refdata/codes.c — see codes.h.
 */
#include "refdata/codes.h"

#include <ctype.h>
#include <string.h>

int refdata_code_number(const char *text, char digits[6])
{
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = 0;
    while (isdigit((unsigned char)p[n]))
        n++;
    if ((n != 4 && n != 5) || (p[n] != '.' && p[n] != ','))
        return 0;
    const char *q = p + n + 1;
    if (*q != '0')
        return 0;
    while (*q == '0')
        q++;
    while (*q == ' ' || *q == '\t')
        q++;
    if (*q)
        return 0;
    memcpy(digits, p, n);
    digits[n] = '\0';
    return 1;
}

int refdata_clean_insee(const char *text, char out[6], int *restored_zero)
{
    char buf[16];
    size_t n = 0;
    *restored_zero = 0;
    char number[6];
    if (refdata_code_number(text, number))
        text = number;
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
    if (n != 5) {
        *restored_zero = 0;
        return 0;
    }
    for (size_t i = 0; i < 5; i++) {
        int corsica = i == 1 && buf[0] == '2' && (buf[1] == 'A' || buf[1] == 'B');
        if (!isdigit((unsigned char)buf[i]) && !corsica) {
            *restored_zero = 0;
            return 0;
        }
    }
    /* "2A004" and "2B…" only: a 4-character "A004" is no code. */
    if (*restored_zero && !isdigit((unsigned char)buf[1])) {
        *restored_zero = 0;
        return 0;
    }
    memcpy(out, buf, 6);
    return 1;
}

int refdata_postcode_departements(const char *postcode, char out[2][4])
{
    if (strlen(postcode) < 3)
        return 0;
    if (strncmp(postcode, "97", 2) == 0) {
        memcpy(out[0], postcode, 3);
        out[0][3] = '\0';
        return 1;
    }
    if (strncmp(postcode, "20", 2) == 0) {
        memcpy(out[0], "2A", 3);
        memcpy(out[1], "2B", 3);
        return 2;
    }
    memcpy(out[0], postcode, 2);
    out[0][2] = '\0';
    return 1;
}

/* La Poste's postal codes of the overseas collectivities; every other code starting with
 * these digits is a département's. */
static const struct {
    const char *prefix, *collectivity;
} collectivity_postcodes[] = {
    {"97133", "977"}, {"97150", "978"}, {"975", "975"},
    {"986", "986"}, {"987", "987"}, {"988", "988"},
};

static const struct {
    const char *code, *name;
} collectivity_names[] = {
    {"975", "Saint-Pierre-et-Miquelon"}, {"977", "Saint-Barthélemy"},
    {"978", "Saint-Martin"}, {"984", "Terres australes et antarctiques françaises"},
    {"986", "Wallis-et-Futuna"}, {"987", "Polynésie française"},
    {"988", "Nouvelle-Calédonie"}, {"989", "Clipperton"},
};

const char *refdata_postcode_collectivity(const char *postcode)
{
    if (strlen(postcode) != 5)
        return NULL;
    for (size_t i = 0; i < sizeof collectivity_postcodes / sizeof collectivity_postcodes[0]; i++)
        if (strncmp(postcode, collectivity_postcodes[i].prefix,
                    strlen(collectivity_postcodes[i].prefix)) == 0)
            return collectivity_postcodes[i].collectivity;
    return NULL;
}

const char *refdata_collectivity_name(const char *code)
{
    for (size_t i = 0; i < sizeof collectivity_names / sizeof collectivity_names[0]; i++)
        if (strcmp(code, collectivity_names[i].code) == 0)
            return collectivity_names[i].name;
    return NULL;
}

/* Was strtok_r and one snprintf a word (4,600 instructions a name): the geocoder compares
 * a département cell with every département's words, once per unknown name. */
void refdata_departement_words(const char *key, char *out, size_t size)
{
    static const char *const little[] = {"le", "la", "les", "l", "de", "du", "des", "d", "et"};
    static const char *const abbrev[][2] = {{"st", "saint"}, {"ste", "sainte"},
                                            {"sts", "saints"}, {"stes", "saintes"}};
    if (size == 0)
        return;
    size_t in = strnlen(key, REFDATA_DEP_WORDS_MAX - 1), len = 0, i = 0;
    int full = 0;
    out[0] = '\0';
    while (i < in && !full) {
        while (i < in && key[i] == ' ')
            i++;
        size_t w = i;
        while (i < in && key[i] != ' ')
            i++;
        size_t wl = i - w;
        if (wl == 0)
            break;
        int skip = 0;
        for (size_t k = 0; k < sizeof little / sizeof *little && !skip; k++)
            skip = strlen(little[k]) == wl && memcmp(key + w, little[k], wl) == 0;
        if (skip)
            continue;
        const char *word = key + w;
        for (size_t k = 0; k < sizeof abbrev / sizeof *abbrev; k++)
            if (strlen(abbrev[k][0]) == wl && memcmp(key + w, abbrev[k][0], wl) == 0) {
                word = abbrev[k][1];
                wl = strlen(word);
                break;
            }
        /* Byte by byte into what is left: a word that does not fit is cut and ends it. */
        if (len > 0) {
            if (len + 1 >= size)
                break;
            out[len++] = ' ';
        }
        for (size_t k = 0; k < wl; k++) {
            if (len + 1 >= size) {
                full = 1;
                break;
            }
            out[len++] = word[k];
        }
        out[len] = '\0';
    }
}
