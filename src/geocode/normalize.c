/*
 * geocode/normalize.c — reading place fields as people type them.
 *
 * Everything here is pure (no reference data except for département names) so that the
 * fuzzer and the unit tests can drive it directly.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "geocode/geocode.h"
#include "geocode/internal.h"
#include "refdata/codes.h"
#include "text/fold.h"

/* ---- folding: text/fold.h (text_fold_into) ------------------------------------------- */

uint32_t geocode_letter_mask(const char *key)
{
    uint32_t m = 0;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            m |= 1u << (*p - 'a');
        else if (*p >= '0' && *p <= '9')
            m |= 1u << 26;
        else if (*p != ' ')
            m |= 1u << 27;
    }
    return m;
}

int geocode_mentions_cedex(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p | 0x20) != 'c')
            continue;
        const unsigned char *q = p + 1;
        if ((*q | 0x20) == 'e')
            q++;
        else if (q[0] == 0xC3 && (q[1] == 0xA9 || q[1] == 0x89)) /* é É */
            q += 2;
        else
            continue;
        if ((q[0] | 0x20) == 'd' && (q[1] | 0x20) == 'e' && (q[2] | 0x20) == 'x')
            return 1;
    }
    return 0;
}

int geocode_has_content(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
            return 1;
        if (*p >= 0x80) {
            char key[16];
            text_fold_into((const char *)p, key, sizeof key);
            return key[0] != '\0';
        }
    }
    return 0;
}

static int is_all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

/* ---- coordinate cells ------------------------------------------------------------------ */

/* The bytes of a space spreadsheets put in numbers (no-break, narrow no-break, thin,
 * figure space): its length, 0 when `p` is not one. */
static size_t unusual_space(const unsigned char *p)
{
    if (p[0] == 0xC2 && p[1] == 0xA0)
        return 2;
    if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xAF || p[2] == 0x89 || p[2] == 0x87))
        return 3;
    return 0;
}

/* Reads "652 345,5", "48.85", "-1,5" from s (ASCII, separators already made plain
 * spaces): digits, optional groups of three after single spaces, one decimal separator.
 * Returns the bytes read, 0 when it is not such a number; sets *comma and *grouped. */
static size_t read_number(const char *s, double *v, int *comma, int *grouped)
{
    char buf[64];
    size_t n = 0, i = 0;
    *comma = *grouped = 0;
    if (s[i] == '-' || s[i] == '+')
        buf[n++] = s[i++];
    size_t digits = 0, group = 0;
    int seen_sep = 0;
    for (; n + 2 < sizeof buf; i++) {
        if (isdigit((unsigned char)s[i])) {
            buf[n++] = s[i];
            digits++;
            group++;
        } else if (s[i] == ' ' && !seen_sep && digits > 0 && isdigit((unsigned char)s[i + 1])) {
            /* A group separator: the group before (if not the first) and the next one
             * must have three digits. */
            if (*grouped && group != 3)
                return 0;
            if (!*grouped && group > 3)
                return 0;
            size_t k = i + 1, next = 0;
            while (isdigit((unsigned char)s[k]))
                k++, next++;
            if (next != 3)
                return 0;
            *grouped = 1;
            group = 0;
        } else if ((s[i] == '.' || s[i] == ',') && !seen_sep && isdigit((unsigned char)s[i + 1])) {
            if (*grouped && group != 3)
                return 0;
            seen_sep = 1;
            *comma = s[i] == ',';
            buf[n++] = '.';
            group = 0;
        } else {
            break;
        }
    }
    if (*grouped && !seen_sep && group != 3)
        return 0;
    if (digits == 0 || n + 2 >= sizeof buf)
        return 0;
    /* An exponent, as some exports write large or small numbers: "4.885E+01". */
    if ((s[i] == 'e' || s[i] == 'E') && !*grouped) {
        size_t k = i + 1;
        if (s[k] == '+' || s[k] == '-')
            k++;
        if (isdigit((unsigned char)s[k])) {
            buf[n++] = 'e';
            for (size_t j = i + 1; j < k && n + 2 < sizeof buf; j++)
                buf[n++] = s[j];
            while (isdigit((unsigned char)s[k]) && n + 2 < sizeof buf)
                buf[n++] = s[k++];
            if (isdigit((unsigned char)s[k]))
                return 0;
            i = k;
        }
    }
    buf[n] = '\0';
    char *end;
    double x = strtod(buf, &end);
    if (*end || !isfinite(x))
        return 0;
    *v = x;
    return i;
}

int geocode_read_coordinate(const char *text, double *value, geocode_axis *axis, unsigned *how)
{
    *value = 0;
    *axis = GEOCODE_AXIS_NONE;
    *how = 0;
    /* Plain ASCII: unusual spaces to ' ', the degree sign to 'd', primes and apostrophes to
     * '\'', double primes and quotation marks to '"'. */
    char s[96];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        size_t sp = unusual_space(p);
        char c;
        if (sp) {
            *how |= GEOCODE_READ_SPACES;
            c = ' ';
            p += sp;
        } else if (p[0] == 0xC2 && (p[1] == 0xB0 || p[1] == 0xBA)) { /* ° º */
            c = 'd';
            p += 2;
        } else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xB2 || p[2] == 0x99)) { /* ′ ’ */
            c = '\'';
            p += 3;
        } else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xB3 || p[2] == 0x9D)) { /* ″ ” */
            c = '"';
            p += 3;
        } else if (*p >= 0x80) {
            return 0;
        } else {
            c = *p == '\t' ? ' ' : (char)*p;
            p++;
        }
        if (c == '\'' && n > 0 && s[n - 1] == '\'') { /* '' for " */
            s[n - 1] = '"';
            continue;
        }
        if (n + 1 >= sizeof s)
            return 0;
        s[n++] = c;
    }
    s[n] = '\0';
    /* Trim; a space between the parts of a number stays. */
    char *b = s;
    while (*b == ' ')
        b++;
    while (n > 0 && s[n - 1] == ' ')
        s[--n] = '\0';
    if (!*b)
        return 0;
    /* A hemisphere letter at either end, alone as a word or glued to the number's end. */
    int negative_letter = 0;
    size_t len = strlen(b);
    char first = (char)toupper((unsigned char)b[0]), last = (char)toupper((unsigned char)b[len - 1]);
    char letter = 0;
    if (strchr("NSEOW", first) && (b[1] == ' ' || isdigit((unsigned char)b[1]))) {
        letter = first;
        b++;
    } else if (len > 1 && strchr("NSEOW", last) &&
               (b[len - 2] == ' ' || isdigit((unsigned char)b[len - 2]) || b[len - 2] == 'd' ||
                b[len - 2] == '\'' || b[len - 2] == '"')) {
        letter = last;
        b[len - 1] = '\0';
    }
    if (letter) {
        *how |= GEOCODE_READ_HEMISPHERE;
        *axis = letter == 'N' || letter == 'S' ? GEOCODE_AXIS_LATITUDE : GEOCODE_AXIS_LONGITUDE;
        negative_letter = letter == 'S' || letter == 'O' || letter == 'W';
        while (*b == ' ')
            b++;
        len = strlen(b);
        while (len > 0 && b[len - 1] == ' ')
            b[--len] = '\0';
        if (!*b)
            return 0;
    }
    int comma, grouped;
    double v;
    size_t used;
    if (strpbrk(b, "d'\"")) {
        /* Degrees, minutes, seconds: each part a number followed by its unit, in order,
         * only the last with decimals. */
        *how |= GEOCODE_READ_DMS;
        int sign = 1;
        if (*b == '-' || *b == '+') {
            sign = *b == '-' ? -1 : 1;
            if (letter)
                return 0;
            b++;
        }
        static const char units[] = {'d', '\'', '"'};
        double part[3] = {0, 0, 0};
        int have = 0, decimals = 0;
        const char *q = b;
        for (int u = 0; u < 3 && *q; u++) {
            while (*q == ' ')
                q++;
            if (!*q)
                break;
            if (decimals || *q == '-' || *q == '+')
                return 0;
            used = read_number(q, &v, &comma, &grouped);
            if (!used || grouped)
                return 0;
            q += used;
            while (*q == ' ')
                q++;
            if (*q != units[u]) {
                /* Degrees and minutes may be written without the minutes' sign last
                 * ("48d51"): not read, it could be anything. */
                return 0;
            }
            q++;
            decimals = v != floor(v) || memchr(b, '.', (size_t)(q - b)) != NULL ||
                       memchr(b, ',', (size_t)(q - b)) != NULL;
            if (comma)
                *how |= GEOCODE_READ_COMMA;
            part[u] = v;
            have = u + 1;
        }
        while (*q == ' ')
            q++;
        if (*q || have == 0 || part[1] >= 60 || part[2] >= 60 || part[0] < 0)
            return 0;
        *value = sign * (part[0] + part[1] / 60.0 + part[2] / 3600.0);
    } else {
        used = read_number(b, &v, &comma, &grouped);
        if (!used || b[used])
            return 0;
        if (letter && (*b == '-' || *b == '+'))
            return 0;
        if (comma)
            *how |= GEOCODE_READ_COMMA;
        if (grouped)
            *how |= GEOCODE_READ_SPACES;
        *value = v;
    }
    if (negative_letter)
        *value = -*value;
    return 1;
}

/* ---- postal codes, INSEE codes, départements ------------------------------------------- */

int geocode_clean_postcode(const char *text, char out[6], int *restored_zero, int *cedex)
{
    char digits[8];
    size_t n = 0;
    *restored_zero = 0;
    *cedex = 0;
    out[0] = '\0';
    *cedex = geocode_mentions_cedex(text);
    if (geocode_foreign_postcode(text))
        return 0;
    char number[6];
    if (refdata_code_number(text, number))
        text = number;
    /* Take the first run of digits, allowing one space inside ("69 002"). */
    const char *p = text;
    while (*p && !isdigit((unsigned char)*p))
        p++;
    if (!*p)
        return 0;
    /* Glued to letters ("ABC12", "7500O") or to a hyphenated number ("4000-322"): not a
     * French postal code. */
    if (p > text && isalnum((unsigned char)p[-1]))
        return 0;
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
    if (isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80 ||
        ((*p == '-' || *p == '.' || *p == '/') && isdigit((unsigned char)p[1])))
        return 0;
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
    if (strcmp(out, "01000") < 0 || strcmp(out, "98999") > 0) {
        out[0] = '\0';
        *restored_zero = 0;
        return 0;
    }
    return 1;
}

bool geocode_postcode_in_departement(const refdata *rd, const char *postcode, int cedex,
                                     const char *dep_code)
{
    const refdata_postal_entry *first = NULL;
    size_t n = cedex ? 0 : refdata_postal(rd, postcode, &first);
    for (size_t i = 0; i < n; i++)
        if (strcmp(first[i].commune->dep, dep_code) == 0)
            return true;
    if (n > 0)
        return false;
    char codes[2][4];
    int ncodes = refdata_postcode_departements(postcode, codes);
    for (int i = 0; i < ncodes; i++)
        if (strcmp(codes[i], dep_code) == 0)
            return true;
    return false;
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
    while (key[i] && key[i] != ' ' && i < 4)
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
    const departement *by_key = refdata_departement_by_key(rd, name);
    if (by_key)
        return by_key;
    /* The name as people write it: compared word by word once abbreviations are expanded
     * ("St" → saint, "Ste" → sainte) and articles and little words left out, wherever they
     * stand ("Réunion (La)", "Bouches du Rhône", "Seine-St-Denis", "Côtes d'Armor");
     * then the usual other names, former names among them (Côtes-du-Nord until 1990). A
     * code after the name ("Ain (01)", "Gard - 30") must be that département's. */
    char canon[REFDATA_DEP_WORDS_MAX];
    refdata_departement_words(name, canon, sizeof canon);
    char trailing[4] = "";
    size_t cl = strlen(canon);
    const char *sp = strrchr(canon, ' ');
    if (sp && cl - (size_t)(sp + 1 - canon) <= 3) {
        const char *w = sp + 1;
        int digits = 1;
        for (const char *q = w; *q; q++)
            digits &= isdigit((unsigned char)*q) != 0;
        if (digits || strcmp(w, "2a") == 0 || strcmp(w, "2b") == 0) {
            size_t wl = strlen(w), at = 0;
            if (wl == 1)
                trailing[at++] = '0';
            memcpy(trailing + at, w, wl);
            trailing[at + wl] = '\0';
            if (trailing[1] == 'a' || trailing[1] == 'b')
                trailing[1] = (char)toupper((unsigned char)trailing[1]);
            canon[sp - canon] = '\0';
        }
    }
    if (!canon[0])
        return NULL;
    const departement *found = refdata_departement_by_words(rd, canon);
    static const char *const aliases[][2] = {
        {"corse sud", "2A"}, {"haute corse", "2B"}, {"reunion", "974"},
        {"ile reunion", "974"}, {"guyane francaise", "973"}, {"belfort", "90"},
        {"cotes nord", "22"}, {"seine inferieure", "76"}, {"basses alpes", "04"},
        {"loire inferieure", "44"}, {"charente inferieure", "17"}, {"basses pyrenees", "64"}};
    for (size_t k = 0; k < sizeof aliases / sizeof *aliases && !found; k++)
        if (strcmp(canon, aliases[k][0]) == 0)
            found = refdata_departement(rd, aliases[k][1]);
    if (found && trailing[0] && strcmp(found->code, trailing) != 0)
        return NULL;
    return found;
}

/* ---- foreign places -------------------------------------------------------------------- */

static const char *const countries[][2] = {
    {"suisse", "Suisse"}, {"switzerland", "Suisse"}, {"schweiz", "Suisse"},
    {"svizzera", "Suisse"}, {"belgique", "Belgique"}, {"belgium", "Belgique"},
    {"belgie", "Belgique"}, {"allemagne", "Allemagne"}, {"germany", "Allemagne"},
    {"deutschland", "Allemagne"}, {"italie", "Italie"}, {"italy", "Italie"},
    {"italia", "Italie"}, {"espagne", "Espagne"}, {"spain", "Espagne"}, {"espana", "Espagne"},
    {"luxembourg", "Luxembourg"}, {"grand duche de luxembourg", "Luxembourg"},
    {"royaume uni", "Royaume-Uni"}, {"united kingdom", "Royaume-Uni"}, {"uk", "Royaume-Uni"},
    {"angleterre", "Royaume-Uni"}, {"england", "Royaume-Uni"},
    {"grande bretagne", "Royaume-Uni"}, {"ecosse", "Royaume-Uni"},
    {"pays bas", "Pays-Bas"}, {"netherlands", "Pays-Bas"}, {"nederland", "Pays-Bas"},
    {"portugal", "Portugal"}, {"andorre", "Andorre"}, {"andorra", "Andorre"},
    {"principaute d andorre", "Andorre"}, {"monaco", "Monaco"},
    {"principaute de monaco", "Monaco"}, {"canada", "Canada"}, {"quebec", "Canada"},
    {"etats unis", "États-Unis"}, {"usa", "États-Unis"}, {"maroc", "Maroc"},
    {"morocco", "Maroc"}, {"algerie", "Algérie"}, {"tunisie", "Tunisie"},
    {"senegal", "Sénégal"}, {"cote d ivoire", "Côte d'Ivoire"}, {"cameroun", "Cameroun"},
    {"madagascar", "Madagascar"}, {"burkina faso", "Burkina Faso"}, {"benin", "Bénin"},
    {"togo", "Togo"}, {"haiti", "Haïti"}, {"liban", "Liban"}, {"autriche", "Autriche"},
    {"austria", "Autriche"}, {"irlande", "Irlande"}, {"ireland", "Irlande"},
    {"danemark", "Danemark"}, {"suede", "Suède"}, {"norvege", "Norvège"},
    {"pologne", "Pologne"}, {"grece", "Grèce"}, {"roumanie", "Roumanie"},
    {"bresil", "Brésil"}, {"argentine", "Argentine"}, {"chine", "Chine"}, {"japon", "Japon"}};

const char *geocode_foreign_country(const char *folded)
{
    size_t len = strlen(folded);
    if (!len)
        return NULL;
    for (size_t i = 0; i < sizeof countries / sizeof *countries; i++) {
        const char *c = countries[i][0];
        if (c[0] && folded[len - 1] != c[strlen(c) - 1])
            continue; /* the last letter first: this runs for every address and commune */
        size_t k = strlen(c);
        if (k > len)
            continue;
        /* The whole text, or its last words. */
        if (strcmp(folded + len - k, countries[i][0]) == 0 &&
            (k == len || folded[len - k - 1] == ' '))
            return countries[i][1];
    }
    return NULL;
}

const char *geocode_foreign_postcode(const char *text)
{
    static const char *const prefixes[][2] = {
        {"CH", "Suisse"},  {"B", "Belgique"},   {"BE", "Belgique"}, {"D", "Allemagne"},
        {"DE", "Allemagne"}, {"L", "Luxembourg"}, {"LU", "Luxembourg"}, {"I", "Italie"},
        {"IT", "Italie"},  {"E", "Espagne"},    {"ES", "Espagne"},  {"NL", "Pays-Bas"},
        {"P", "Portugal"}, {"PT", "Portugal"},  {"A", "Autriche"},  {"AT", "Autriche"},
        {"MC", "Monaco"},  {"AD", "Andorre"}};
    for (const char *p = text; *p; p++) {
        if (!isalpha((unsigned char)*p) || (p > text && isalnum((unsigned char)p[-1])))
            continue;
        char head[3] = "";
        size_t k = 0;
        while (k < 2 && isalpha((unsigned char)p[k])) {
            head[k] = (char)toupper((unsigned char)p[k]);
            k++;
        }
        head[k] = '\0';
        if (isalpha((unsigned char)p[k]))
            continue;
        const char *q = p + k;
        int hyphen = *q == '-';
        if (hyphen)
            q++;
        size_t nd = 0;
        while (isdigit((unsigned char)q[nd]))
            nd++;
        if (nd < 3 || nd > 5 || isalnum((unsigned char)q[nd]))
            continue;
        /* Without a hyphen only the codes that are written so: AD500, MC98000. */
        if (!hyphen && strcmp(head, "AD") != 0 && strcmp(head, "MC") != 0)
            continue;
        if (hyphen && nd < 4)
            continue;
        for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
            if (strcmp(head, prefixes[i][0]) == 0)
                return prefixes[i][1];
    }
    return NULL;
}

/* ---- qualifiers ------------------------------------------------------------------------ */

/* The country itself, as people add it after a commune. */
static const char *const france_words[] = {"france", "fr", "fra", "la france",
                                           "republique francaise", "france metropolitaine",
                                           "metropole", "france metropole", NULL};

/* Groups of départements people name: the overseas ones as a whole, and a few usual
 * short names of regions. Département codes from `lo` to `hi` (string order). */
static const struct {
    const char *key, *label, *lo, *hi;
} dep_groups[] = {
    {"dom", "DOM", "971", "976"}, {"drom", "DOM", "971", "976"},
    {"dom tom", "DOM", "971", "976"}, {"domtom", "DOM", "971", "976"},
    {"drom com", "DOM", "971", "976"}, {"dom com", "DOM", "971", "976"},
    {"outre mer", "DOM", "971", "976"}, {"departement d outre mer", "DOM", "971", "976"},
    {"departements d outre mer", "DOM", "971", "976"}, {"france d outre mer", "DOM", "971", "976"},
    {"antilles", "Antilles", "971", "972"}, {"antilles francaises", "Antilles", "971", "972"},
    {"ocean indien", "océan Indien", "974", "976"}};

static const struct {
    const char *key, *reg;
} region_aliases[] = {{"paca", "93"}, {"idf", "11"}, {"region parisienne", "11"},
                      {"corse", "94"}, {"20", "94"}};

static int in_words(const char *w, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(w, list[i]) == 0)
            return 1;
    return 0;
}

static void qual_add_dep(geocode_qualifier *q, const departement *d)
{
    for (int i = 0; i < q->ndeps; i++)
        if (q->deps[i] == d)
            return;
    if (q->ndeps < GEOCODE_QUAL_MAX_DEPS)
        q->deps[q->ndeps++] = d;
}

static geocode_qualifier_kind qual_region(const refdata *rd, const region *r, geocode_qualifier *q)
{
    q->kind = GEOCODE_QUAL_AREA;
    q->label = r->nom;
    for (size_t i = 0; i < rd->ndeps; i++)
        if (strcmp(rd->deps[i].reg, r->code) == 0)
            qual_add_dep(q, &rd->deps[i]);
    if (q->ndeps == 1)
        q->dep = q->deps[0];
    return q->ndeps ? GEOCODE_QUAL_AREA : (q->kind = GEOCODE_QUAL_NONE);
}

/* A département or a region named by a folded key without its designator word. */
static geocode_qualifier_kind qual_area(const refdata *rd, const char *key, int short_codes,
                                    geocode_qualifier *q)
{
    for (size_t i = 0; i < sizeof region_aliases / sizeof *region_aliases; i++)
        if (strcmp(key, region_aliases[i].key) == 0) {
            const region *r = refdata_region(rd, region_aliases[i].reg);
            return r ? qual_region(rd, r, q) : GEOCODE_QUAL_NONE;
        }
    for (size_t i = 0; i < sizeof dep_groups / sizeof *dep_groups; i++)
        if (strcmp(key, dep_groups[i].key) == 0) {
            q->kind = GEOCODE_QUAL_AREA;
            q->label = dep_groups[i].label;
            for (size_t k = 0; k < rd->ndeps; k++)
                if (strcmp(rd->deps[k].code, dep_groups[i].lo) >= 0 &&
                    strcmp(rd->deps[k].code, dep_groups[i].hi) <= 0)
                    qual_add_dep(q, &rd->deps[k]);
            return q->ndeps ? GEOCODE_QUAL_AREA : (q->kind = GEOCODE_QUAL_NONE);
        }
    /* A one-digit code ("1" for the Ain) only where a département is expected. */
    if (!short_codes && key[0] && !key[1])
        return GEOCODE_QUAL_NONE;
    const departement *d = geocode_parse_departement(rd, key);
    /* geocode_parse_departement also reads "13 bouches du rhone"; a code followed by
     * anything else is not a qualifier ("43 rue…"). */
    if (d) {
        const char *sp = strchr(key, ' ');
        if (sp && isdigit((unsigned char)key[0]) && strcmp(sp + 1, d->key) != 0)
            d = NULL;
    }
    if (d) {
        q->kind = GEOCODE_QUAL_AREA;
        q->label = d->nom;
        q->dep = d;
        q->deps[0] = d;
        q->ndeps = 1;
        return GEOCODE_QUAL_AREA;
    }
    for (size_t i = 0; i < rd->nregions; i++)
        if (strcmp(rd->regions[i].key, key) == 0)
            return qual_region(rd, &rd->regions[i], q);
    return GEOCODE_QUAL_NONE;
}

geocode_qualifier_kind geocode_read_qualifier(const refdata *rd, const char *text, int short_codes,
                                          geocode_qualifier *q)
{
    memset(q, 0, sizeof *q);
    char key[128];
    text_fold_into(text, key, sizeof key);
    if (!key[0])
        return GEOCODE_QUAL_NONE;
    if (in_words(key, france_words)) {
        q->label = "France";
        return q->kind = GEOCODE_QUAL_FRANCE;
    }
    const char *country = geocode_foreign_country(key);
    if (country) {
        /* Only the country alone ("Suisse"), not "Genève Suisse". */
        int alone = 0;
        for (size_t i = 0; i < sizeof countries / sizeof *countries; i++)
            if (strcmp(countries[i][1], country) == 0 && strcmp(countries[i][0], key) == 0)
                alone = 1;
        if (alone) {
            q->label = country;
            return q->kind = GEOCODE_QUAL_FOREIGN;
        }
    }
    /* A postal code: "43100", "1000", "43100 cedex", "43100 cedex 2". */
    {
        char words[128];
        memcpy(words, key, strlen(key) + 1);
        char *save = NULL;
        char *w0 = strtok_r(words, " ", &save);
        char *w1 = w0 ? strtok_r(NULL, " ", &save) : NULL;
        char *w2 = w1 ? strtok_r(NULL, " ", &save) : NULL;
        char *w3 = w2 ? strtok_r(NULL, " ", &save) : NULL;
        size_t l0 = w0 ? strlen(w0) : 0;
        if (w0 && (l0 == 4 || l0 == 5) && is_all_digits(w0) && !w3 &&
            (!w1 || (!strcmp(w1, "cedex") && (!w2 || is_all_digits(w2))))) {
            int cedex;
            if (geocode_clean_postcode(w0, q->postcode, &q->restored_zero, &cedex)) {
                q->label = q->postcode;
                return q->kind = GEOCODE_QUAL_POSTCODE;
            }
            return GEOCODE_QUAL_NONE;
        }
    }
    /* "département de la Haute-Loire", "dept 43", "région Bretagne", "île de la Réunion". */
    static const char *const designators[] = {"departement ", "dept ", "dpt ", "dep ",
                                              "region ", "ile de ", "ile ", NULL};
    const char *k = key;
    for (size_t i = 0; designators[i]; i++) {
        size_t n = strlen(designators[i]);
        if (strncmp(k, designators[i], n) == 0) {
            k += n;
            break;
        }
    }
    static const char *const links[] = {"de ", "du ", "des ", "d ", NULL};
    for (size_t i = 0; links[i] && k != key; i++) {
        size_t n = strlen(links[i]);
        if (strncmp(k, links[i], n) == 0) {
            k += n;
            break;
        }
    }
    if (qual_area(rd, k, short_codes, q))
        return q->kind;
    memset(q, 0, sizeof *q);
    /* "la Guadeloupe", "l'Ain": the article is not part of the name. */
    static const char *const articles[] = {"la ", "l ", "le ", "les ", NULL};
    for (size_t i = 0; articles[i]; i++) {
        size_t n = strlen(articles[i]);
        if (strncmp(k, articles[i], n) == 0 && k[n]) {
            if (qual_area(rd, k + n, short_codes, q))
                return q->kind;
            memset(q, 0, sizeof *q);
        }
    }
    return GEOCODE_QUAL_NONE;
}

/* ---- name variants --------------------------------------------------------------------- */

static const char *const abbreviations[][2] = {
    {"st", "saint"}, {"ste", "sainte"}, {"sts", "saints"}, {"stes", "saintes"},
    {"mt", "mont"},  {"hte", "haute"},  {"ht", "haut"},    {"htes", "hautes"},
    {"hts", "hauts"}, {"gd", "grand"}, {"gde", "grande"}, {"gds", "grands"},
    {"nd", "notre dame"}, {"s", "sur"}, {"ss", "sous"}, {"ch", "chateau"},
    {"chx", "chateaux"}, {"vx", "vieux"}, {"vlle", "ville"}};

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
    size_t len = strlen(key);
    if (len > 127)
        len = 127;
    memcpy(keys[*n], key, len);
    keys[*n][len] = '\0';
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
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        size_t k = strlen(words[i]);
        if (len + k + (i ? 1 : 0) + 1 > size)
            break;
        if (i)
            out[len++] = ' ';
        memcpy(out + len, words[i], k);
        len += k;
    }
    out[len] = '\0';
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
                strcmp(words[i], "ardt") != 0 && strcmp(words[i], "arrt") != 0 &&
                strcmp(words[i], "arrdt") != 0)
                return 0;
        snprintf(out, size, "%s %d%s arrondissement", cities[c].city, v, v == 1 ? "er" : "e");
        return 1;
    }
    return 0;
}

int geocode_name_variants(const char *name, char keys[][128], int max)
{
    /* "S/" means "sur" and "S/S" "sous" (also written "s/s/") before folding turns the
     * slash into a space: "Villers s/ Mer", "Fontenay-s/s-Bois", "Saint-Martin S/S Montaigu".
     * "s/Seine" is "sur Seine": "s/s" means "sous" only when no letter follows it. */
    char pre[256];
    size_t k = 0;
    for (const char *p = name; *p && k + 8 < sizeof pre; p++) {
        if ((p[0] == 's' || p[0] == 'S') && p[1] == '/' && (p[2] == 's' || p[2] == 'S') &&
            (p[3] == '/' || !isalnum((unsigned char)p[3])) && (unsigned char)p[3] < 0x80 &&
            (p == name || !isalnum((unsigned char)p[-1]))) {
            memcpy(pre + k, " sous ", 6);
            k += 6;
            p += p[3] == '/' ? 3 : 2;
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
    if (!base[0] || max <= 0)
        return 0;

    char work[128], joined[128];
    char *words[32];
    memcpy(work, base, strlen(base) + 1);
    int nw = split_words(work, words);

    /* Drop "cedex" and what follows it ("lyon cedex 03"). */
    for (int i = 0; i < nw; i++)
        if (strcmp(words[i], "cedex") == 0) {
            nw = i;
            break;
        }
    /* Drop a leading or trailing postal code that slipped into the name. */
    if (nw > 1 && strlen(words[0]) == 5 && is_all_digits(words[0]))
        memmove(words, words + 1, (size_t)--nw * sizeof *words);
    if (nw > 1 && strlen(words[nw - 1]) == 5 && is_all_digits(words[nw - 1]))
        nw--;
    if (nw == 0)
        return 0;

    char arr[128];
    if (arrondissement_key(words, nw, arr, sizeof arr))
        add_key(keys, &n, max, arr);

    join_words(words, nw, joined, sizeof joined);
    add_key(keys, &n, max, joined);

    /* Abbreviations expanded: "st jean" → "saint jean". A lone "s" or "ch" only between
     * words; "n d" (from "N.-D.") is "notre dame". */
    char *expanded[64] = {0};
    int ne = 0;
    for (int i = 0; i < nw && ne < 60; i++) {
        const char *rep = NULL;
        if (i + 1 < nw && !strcmp(words[i], "n") && !strcmp(words[i + 1], "d")) {
            expanded[ne++] = (char *)"notre dame";
            i++;
            continue;
        }
        if (strlen(words[i]) <= 4)
            for (size_t a = 0; a < sizeof abbreviations / sizeof *abbreviations; a++)
                if (strcmp(words[i], abbreviations[a][0]) == 0)
                    rep = abbreviations[a][1];
        if (rep && (!strcmp(words[i], "s") || !strcmp(words[i], "ss") || !strcmp(words[i], "ch")) &&
            (i == 0 || i == nw - 1))
            rep = NULL;
        expanded[ne++] = (char *)(rep ? rep : words[i]);
    }
    char exp_key[128];
    join_words(expanded, ne, exp_key, sizeof exp_key);
    add_key(keys, &n, max, exp_key);

    /* "lès" (near) is also written "lez", the old spelling several communes keep
     * ("Villeneuve-lès-Avignon" typed "Villeneuve-lez-Avignon", and the other way). */
    {
        char *swapped[64];
        int changed = 0;
        for (int i = 0; i < ne; i++) {
            swapped[i] = expanded[i];
            if (i > 0 && i < ne - 1 && !strcmp(expanded[i], "lez")) {
                swapped[i] = (char *)"les";
                changed = 1;
            } else if (i > 0 && i < ne - 1 && !strcmp(expanded[i], "les")) {
                swapped[i] = (char *)"lez";
                changed = 1;
            }
        }
        if (changed) {
            char skey[128];
            join_words(swapped, ne, skey, sizeof skey);
            add_key(keys, &n, max, skey);
        }
    }
    /* A trailing article moves to the front: "mans le" → "le mans" (from "Mans (Le)"). */
    char *moved[64];
    if (ne >= 2 && is_article(expanded[ne - 1])) {
        moved[0] = expanded[ne - 1];
        for (int i = 0; i < ne - 1; i++)
            moved[i + 1] = expanded[i];
        char mkey[128];
        join_words(moved, ne, mkey, sizeof mkey);
        add_key(keys, &n, max, mkey);
        /* "Abergement Clémenciat (L')" folds to "abergement clemenciat l". */
    }
    /* An article written after a comma in the middle: "Mans, Le (Sarthe)" is handled by the
     * caller; "Saint-Jean (Le)" with abbreviations is covered above. */
    return n;
}

/* ---- streets --------------------------------------------------------------------------- */

/* Street types, and the abbreviations that stand for them at the start of a street name. */
static const char *const street_types[] = {
    "rue", "avenue", "boulevard", "place", "chemin", "route", "impasse", "allee", "allees",
    "square", "cours", "quai", "faubourg", "passage", "voie", "sentier", "ruelle", "rond",
    "esplanade", "promenade", "parvis", "villa", "cite", "residence", "lotissement", "hameau",
    "lieu", "za", "zi", "zac", "zone", "parc", "domaine", "montee", "traverse", "venelle",
    "mail", "clos", "carrefour", "rocade", "digue", "port", "galerie", "levee", "chaussee",
    "corniche", "pont", "porte", "rampe", "sente", "vallon", "plateau", "hippodrome",
    "quartier", "lieudit", "giratoire", "espace", "centre", "cour", "jardin", "jardins",
    "ancien", "ancienne", "grande", "grand", "petite", "petit", "vieille", "vieux", NULL};

static const char *const type_abbrev[][2] = {
    {"r", "rue"}, {"rte", "route"}, {"av", "avenue"}, {"ave", "avenue"}, {"aven", "avenue"},
    {"avn", "avenue"}, {"bd", "boulevard"}, {"bld", "boulevard"}, {"bvd", "boulevard"},
    {"boul", "boulevard"}, {"boulv", "boulevard"}, {"pl", "place"}, {"plc", "place"},
    {"ch", "chemin"}, {"chem", "chemin"}, {"chm", "chemin"}, {"che", "chemin"},
    {"imp", "impasse"}, {"all", "allee"}, {"al", "allee"}, {"sq", "square"}, {"crs", "cours"},
    {"fg", "faubourg"}, {"fbg", "faubourg"}, {"faub", "faubourg"}, {"pass", "passage"},
    {"psg", "passage"}, {"res", "residence"}, {"resid", "residence"}, {"lot", "lotissement"},
    {"lotiss", "lotissement"}, {"ham", "hameau"}, {"qu", "quai"}, {"qua", "quai"},
    {"sent", "sentier"}, {"prom", "promenade"}, {"esp", "esplanade"}, {"espl", "esplanade"},
    {"mte", "montee"}, {"trav", "traverse"}, {"vla", "villa"}, {"rpt", "rond point"},
    {"ld", "lieu dit"}, {"car", "carrefour"}, {"carr", "carrefour"}, {"gal", "galerie"},
    {"chs", "chaussee"}, {"cit", "cite"}, {"dom", "domaine"}, {"pkg", "parking"}};

/* Titles and the like, expanded anywhere in the name. */
static const char *const word_abbrev[][2] = {
    {"st", "saint"}, {"ste", "sainte"}, {"sts", "saints"}, {"stes", "saintes"},
    {"gal", "general"}, {"gen", "general"}, {"gl", "general"}, {"mal", "marechal"},
    {"mar", "marechal"}, {"pdt", "president"}, {"pres", "president"}, {"dr", "docteur"},
    {"doct", "docteur"}, {"pr", "professeur"}, {"prof", "professeur"}, {"cdt", "commandant"},
    {"cmdt", "commandant"}, {"lt", "lieutenant"}, {"ltn", "lieutenant"}, {"cne", "capitaine"},
    {"cap", "capitaine"}, {"mgr", "monseigneur"}, {"nd", "notre dame"}, {"mt", "mont"},
    {"gde", "grande"}, {"gd", "grand"}, {"pt", "petit"}, {"pte", "petite"}, {"vx", "vieux"},
    {"vve", "veuve"}, {"fr", "freres"}, {"abb", "abbe"}, {"hte", "haute"}, {"ht", "haut"}};

static const char *const little_words[] = {"de", "du", "des", "d", "la", "le", "les", "l",
                                           "a", "au", "aux", "et", NULL};

static int in_list(const char *w, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(w, list[i]) == 0)
            return 1;
    return 0;
}

static const char *lookup_abbrev(const char *w, const char *const (*table)[2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(w, table[i][0]) == 0)
            return table[i][1];
    return NULL;
}

/* Appends word to out (space-separated), bounded. */
static void append_word(char *out, size_t size, size_t *len, const char *w)
{
    size_t k = strlen(w);
    if (*len + k + 2 > size)
        return;
    if (*len)
        out[(*len)++] = ' ';
    memcpy(out + *len, w, k);
    *len += k;
    out[*len] = '\0';
}

/* Street key from folded words. */
static size_t street_key_words(char *const *words, int nw, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < nw; i++) {
        const char *w = words[i];
        const char *rep = NULL;
        if (len == 0)
            rep = lookup_abbrev(w, type_abbrev, sizeof type_abbrev / sizeof *type_abbrev);
        if (!rep)
            rep = lookup_abbrev(w, word_abbrev, sizeof word_abbrev / sizeof *word_abbrev);
        if (i + 1 < nw && !strcmp(w, "n") && !strcmp(words[i + 1], "d")) {
            rep = "notre dame";
            i++;
        }
        if (!rep && in_list(w, little_words))
            continue;
        append_word(out, size, &len, rep ? rep : w);
    }
    return len;
}

size_t geocode_street_key(const char *name, char *out, size_t size)
{
    char folded[256];
    text_fold_into(name, folded, sizeof folded);
    char *words[32];
    int nw = split_words(folded, words);
    return street_key_words(words, nw, out, size);
}

static int is_rep(const char *w)
{
    static const char *const reps[] = {"bis", "ter", "quater", "quinquies", "b", "t", "q",
                                       "a", "c", "d", NULL};
    return in_list(w, reps);
}

static const char *rep_full(const char *w)
{
    if (!strcmp(w, "b"))
        return "bis";
    if (!strcmp(w, "t"))
        return "ter";
    if (!strcmp(w, "q"))
        return "quater";
    return w;
}

/* Reads one comma-separated segment; fills number/rep/key. Returns 2 for a street with a
 * type word, 1 for a number followed by words, -1 for a number alone, 0 for nothing. */
static int parse_segment(const char *segment, geocode_street *s)
{
    char folded[256];
    text_fold_into(segment, folded, sizeof folded);
    char *words[32];
    int nw = split_words(folded, words);
    /* Cut at the postal code (5 digits, or 4 after the first word) or at "cedex". */
    for (int i = 0; i < nw; i++) {
        size_t k = strlen(words[i]);
        if (!strcmp(words[i], "cedex") || (is_all_digits(words[i]) && (k == 5 || (k == 4 && i > 0)))) {
            nw = i;
            break;
        }
    }
    /* Drop "BP 12", "CS 30012", "TSA 1234", "B P 12", "France". */
    char *kept[32];
    int nk = 0;
    for (int i = 0; i < nw; i++) {
        if ((!strcmp(words[i], "bp") || !strcmp(words[i], "cs") || !strcmp(words[i], "tsa")) &&
            i + 1 < nw && is_all_digits(words[i + 1])) {
            i++;
            continue;
        }
        if (!strcmp(words[i], "b") && i + 2 < nw && !strcmp(words[i + 1], "p") &&
            is_all_digits(words[i + 2])) {
            i += 2;
            continue;
        }
        if (!strcmp(words[i], "france"))
            continue;
        kept[nk++] = words[i];
    }
    int i = 0;
    /* "N° 12", "no 12", "numéro 12". */
    if (i + 1 < nk && (!strcmp(kept[i], "n") || !strcmp(kept[i], "no") || !strcmp(kept[i], "numero")) &&
        isdigit((unsigned char)kept[i + 1][0]))
        i++;
    int number = 0;
    char rep[8] = "";
    if (i < nk && isdigit((unsigned char)kept[i][0])) {
        char *end;
        long v = strtol(kept[i], &end, 10);
        if (v > 0 && v < 100000 && (!*end || is_rep(end))) {
            number = (int)v;
            if (*end)
                snprintf(rep, sizeof rep, "%s", rep_full(end));
            i++;
            /* "12-14 rue…": keep the first number. */
            if (i < nk && is_all_digits(kept[i]) && i + 1 < nk)
                i++;
            if (!rep[0] && i + 1 < nk && is_rep(kept[i])) {
                snprintf(rep, sizeof rep, "%s", rep_full(kept[i]));
                i++;
            }
        } else {
            return 0;
        }
    }
    if (i >= nk) {
        /* "12, rue de la Paix": a number alone, for the next segment. */
        s->number = number;
        snprintf(s->rep, sizeof s->rep, "%s", rep);
        return number ? -1 : 0;
    }
    const char *first = kept[i];
    const char *t = lookup_abbrev(first, type_abbrev, sizeof type_abbrev / sizeof *type_abbrev);
    int typed = in_list(t ? t : first, street_types) || (t != NULL && number > 0);
    if (!typed && number == 0)
        return 0;
    street_key_words(kept + i, nk - i, s->key, sizeof s->key);
    if (!s->key[0])
        return 0;
    s->number = number;
    snprintf(s->rep, sizeof s->rep, "%s", rep);
    return typed ? 2 : 1;
}

int geocode_parse_street(const char *address, geocode_street *out)
{
    memset(out, 0, sizeof *out);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", address);
    geocode_street best = {0}, cur, pending = {0};
    int best_rank = 0;
    char *save = NULL;
    for (char *seg = strtok_r(buf, ",;\n", &save); seg; seg = strtok_r(NULL, ",;\n", &save)) {
        memset(&cur, 0, sizeof cur);
        int rank = parse_segment(seg, &cur);
        if (rank < 0) {
            pending = cur;
            continue;
        }
        if (rank > 0 && !cur.number && pending.number) {
            cur.number = pending.number;
            memcpy(cur.rep, pending.rep, sizeof cur.rep);
        }
        pending.number = 0;
        /* A typed street beats a number with words; the first one wins a tie. */
        if (rank > best_rank) {
            best = cur;
            best_rank = rank;
        }
        if (best_rank == 2)
            break;
    }
    if (!best_rank)
        return 0;
    *out = best;
    return 1;
}
