/*
 * app/validate.c — see validate.h.
 *
 * Two sources of findings:
 *  - checks of our own on the cells (identifiers, names, numbers, coordinates, postal code
 *    against département), worded for the column they are about;
 *  - the geocoder, run exactly as `build` runs it: a reject or an ambiguity is an error
 *    (the PTCE would miss the map), and what it corrected or doubted on a placed row is a
 *    warning, quoted from its note. Silent, harmless corrections (a postal code's lost
 *    leading zero, a decimal comma) are not reported.
 * The census reader's own warnings (rows wider than the header, duplicate column names)
 * are caught while the file is read and become findings with their line.
 */
#include "app/validate.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "present/note.h"
#include "text/fold.h"
#include "write/writers.h"

/* ---- findings ------------------------------------------------------------------------- */

typedef struct checker {
    ptce_ctx *ctx;
    validate_report *r;
    bool failed; /* out of memory */
} checker;

static void add(checker *k, validate_severity sev, size_t line, const char *column,
                const char *advice, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void add(checker *k, validate_severity sev, size_t line, const char *column,
                const char *advice, const char *fmt, ...)
{
    validate_report *r = k->r;
    if (k->failed)
        return;
    if (r->nfindings == r->capfindings) {
        size_t cap = r->capfindings ? r->capfindings * 2 : 32;
        validate_finding *grown = realloc(r->findings, cap * sizeof *grown);
        if (!grown) {
            k->failed = true;
            return;
        }
        r->findings = grown;
        r->capfindings = cap;
    }
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *problem = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (problem)
        vsnprintf(problem, (size_t)len + 1, fmt, again);
    va_end(again);
    validate_finding *f = &r->findings[r->nfindings];
    f->severity = sev;
    f->line = line;
    f->seq = r->nfindings;
    f->column = ptce_strdup(column ? column : "");
    f->advice = ptce_strdup(advice ? advice : "");
    f->problem = problem;
    if (!f->column || !f->advice || !f->problem) {
        free(f->column);
        free(f->advice);
        free(f->problem);
        k->failed = true;
        return;
    }
    r->nfindings++;
    if (sev == VALIDATE_ERROR)
        r->nerrors++;
    else
        r->nwarnings++;
}

static int cmp_finding(const void *a, const void *b)
{
    const validate_finding *x = a, *y = b;
    if (x->severity != y->severity)
        return x->severity < y->severity ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void sort_findings(validate_report *r)
{
    if (r->nfindings > 1)
        qsort(r->findings, r->nfindings, sizeof *r->findings, cmp_finding);
}

/* ---- small helpers -------------------------------------------------------------------- */

static bool blank(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == 0xC2 && p[1] == 0xA0) { /* no-break space */
            p++;
            continue;
        }
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
            return false;
    }
    return true;
}

static const char *column_of(const census *c, census_role role)
{
    return c->role_col[role] >= 0 ? c->header[c->role_col[role]] : "";
}

static bool has_role(const census *c, census_role role)
{
    return c->role_col[role] >= 0;
}

/* A cell shortened for a message, on one line. */
static void excerpt(const char *s, char *out, size_t size)
{
    size_t n = utf8_cut_length(s, size > 44 ? 40 : size - 4);
    size_t j = 0;
    for (size_t i = 0; i < n && j + 1 < size; i++)
        out[j++] = (s[i] == '\n' || s[i] == '\r' || s[i] == '\t') ? ' ' : s[i];
    out[j] = '\0';
    if (s[n] && j + 4 < size)
        memcpy(out + j, "…", sizeof "…");
}

/* Metropolitan France and the five overseas regions, as latitude/longitude boxes: enough to
 * tell a point on another continent, not to draw a border. */
static bool in_france_box(double lat, double lon)
{
    static const double boxes[][4] = {
        {41.2, 51.2, -5.3, 9.7},     /* metropolitan France and Corsica */
        {15.8, 16.6, -61.9, -60.9},  /* Guadeloupe */
        {14.3, 14.95, -61.3, -60.75},/* Martinique */
        {2.0, 5.9, -54.7, -51.5},    /* Guyane */
        {-21.45, -20.8, 55.1, 55.9}, /* La Réunion */
        {-13.1, -12.55, 44.95, 45.35}/* Mayotte */
    };
    for (size_t i = 0; i < sizeof boxes / sizeof *boxes; i++)
        if (lat >= boxes[i][0] && lat <= boxes[i][1] && lon >= boxes[i][2] && lon <= boxes[i][3])
            return true;
    return false;
}

static const char *const advice_reject =
    "Corrigez la commune, le code postal ou le code INSEE dans le tableur ; si la ligne est "
    "juste mais introuvable, fixez ce PTCE dans overrides.csv (id;insee;latitude;longitude), "
    "ce qui vaut pour toutes les années";
static const char *const advice_ambiguous =
    "Ajoutez le code postal, le département ou le code INSEE pour désigner une seule commune "
    "(ou fixez ce PTCE dans overrides.csv)";
static const char *const advice_id =
    "Donnez à chaque PTCE son propre identifiant, et gardez-le d'une année à l'autre";

/* ---- file-level checks ---------------------------------------------------------------- */

static const census_role place_roles[] = {ROLE_COMMUNE, ROLE_CODE_POSTAL, ROLE_INSEE,
                                          ROLE_DEPARTEMENT, ROLE_ADRESSE, ROLE_LATITUDE,
                                          ROLE_LONGITUDE, ROLE_X, ROLE_Y};
#define NPLACE_ROLES (sizeof place_roles / sizeof *place_roles)

static void check_header(checker *k, const census *c)
{
    if (!has_role(c, ROLE_NOM)) {
        strbuf cols;
        sb_init(&cols);
        for (size_t i = 0; i < c->ncols && i < 20; i++)
            sb_printf(&cols, "%s« %s »", i ? ", " : "", c->header[i]);
        add(k, VALIDATE_ERROR, 1, "",
            "Nommez la colonne du nom « Nom du PTCE », ou indiquez-la avec "
            "--columns \"nom=Nom de votre colonne\"",
            "aucune colonne ne donne le nom du PTCE (colonnes lues : %s)",
            cols.data ? cols.data : "");
        sb_free(&cols);
    }
    bool any_place = false;
    for (size_t i = 0; i < NPLACE_ROLES; i++)
        any_place |= has_role(c, place_roles[i]);
    if (!any_place)
        add(k, VALIDATE_ERROR, 1, "",
            "Ajoutez au moins les colonnes « Commune » et « Code postal » (ou indiquez les "
            "vôtres avec --columns)",
            "aucune colonne ne permet de placer les PTCE (commune, code postal, code INSEE, "
            "département, adresse ou coordonnées)");
    if (!has_role(c, ROLE_ID))
        add(k, VALIDATE_WARNING, 1, "",
            "Ajoutez une colonne « Identifiant » et gardez le même identifiant pour chaque "
            "PTCE d'une année à l'autre",
            "aucune colonne d'identifiant : chaque PTCE reçoit un identifiant dérivé de son nom "
            "(auto-…), qui change si le nom change");
    if ((has_role(c, ROLE_LATITUDE) != has_role(c, ROLE_LONGITUDE)))
        add(k, VALIDATE_WARNING, 1, column_of(c, has_role(c, ROLE_LATITUDE) ? ROLE_LATITUDE
                                                                           : ROLE_LONGITUDE),
            "Ajoutez la colonne manquante ou retirez celle-ci",
            "une colonne %s sans colonne %s : les coordonnées ne seront pas lues",
            has_role(c, ROLE_LATITUDE) ? "de latitude" : "de longitude",
            has_role(c, ROLE_LATITUDE) ? "de longitude" : "de latitude");
    if (c->nrecords == 0)
        add(k, VALIDATE_ERROR, 0, "",
            "Vérifiez que l'export contient les lignes du tableau, pas seulement l'en-tête",
            "aucune ligne de PTCE sous l'en-tête");
}

/* ---- row checks ------------------------------------------------------------------------ */

static void check_coordinates(checker *k, const census *c, const census_record *rec,
                              bool *reported)
{
    const char *slat = census_value(c, rec, ROLE_LATITUDE);
    const char *slon = census_value(c, rec, ROLE_LONGITUDE);
    char ex[64];
    bool has_lat = !blank(slat), has_lon = !blank(slon);
    if (has_lat != has_lon) {
        census_role missing = has_lat ? ROLE_LONGITUDE : ROLE_LATITUDE;
        add(k, VALIDATE_ERROR, rec->line, column_of(c, missing),
            "Complétez la coordonnée manquante ou effacez l'autre",
            "%s sans %s : les coordonnées ne peuvent pas être lues",
            has_lat ? "latitude" : "longitude", has_lat ? "longitude" : "latitude");
        *reported = true;
    } else if (has_lat) {
        double a = 0, b = 0;
        bool ok_a = parse_decimal(slat, &a), ok_b = parse_decimal(slon, &b);
        if (!ok_a) {
            excerpt(slat, ex, sizeof ex);
            add(k, VALIDATE_ERROR, rec->line, column_of(c, ROLE_LATITUDE),
                "Écrivez la latitude en degrés décimaux (ex. 47,2488) ou effacez-la",
                "latitude « %s » illisible", ex);
        }
        if (!ok_b) {
            excerpt(slon, ex, sizeof ex);
            add(k, VALIDATE_ERROR, rec->line, column_of(c, ROLE_LONGITUDE),
                "Écrivez la longitude en degrés décimaux (ex. 6,0182) ou effacez-la",
                "longitude « %s » illisible", ex);
        }
        *reported |= !ok_a || !ok_b;
        /* Metres are Lambert-93, which the geocoder converts. */
        if (ok_a && ok_b && fabs(a) < 1000 && fabs(b) < 1000 && !in_france_box(a, b)) {
            if (in_france_box(b, a))
                add(k, VALIDATE_WARNING, rec->line, column_of(c, ROLE_LATITUDE),
                    "Échangez les deux colonnes dans le tableur",
                    "latitude et longitude inversées (%s ; %s) : corrigé à la lecture", slat,
                    slon);
            else
                add(k, VALIDATE_WARNING, rec->line, column_of(c, ROLE_LATITUDE),
                    "Corrigez les coordonnées (degrés décimaux WGS 84) ou effacez-les",
                    "coordonnées (%s ; %s) hors de France : elles seront ignorées", slat, slon);
            *reported = true;
        }
    }
    const char *sx = census_value(c, rec, ROLE_X), *sy = census_value(c, rec, ROLE_Y);
    bool has_x = !blank(sx), has_y = !blank(sy);
    double x, y;
    if (has_x != has_y) {
        add(k, VALIDATE_ERROR, rec->line, column_of(c, has_x ? ROLE_Y : ROLE_X),
            "Complétez la coordonnée manquante ou effacez l'autre",
            "coordonnée %s sans %s (Lambert-93) : les coordonnées ne peuvent pas être lues",
            has_x ? "X" : "Y", has_x ? "Y" : "X");
        *reported = true;
    } else if (has_x) {
        if (!parse_decimal(sx, &x) || !parse_decimal(sy, &y)) {
            excerpt(parse_decimal(sx, &x) ? sy : sx, ex, sizeof ex);
            add(k, VALIDATE_ERROR, rec->line, column_of(c, parse_decimal(sx, &x) ? ROLE_Y : ROLE_X),
                "Écrivez les coordonnées Lambert-93 en mètres ou effacez-les",
                "coordonnée Lambert-93 « %s » illisible", ex);
            *reported = true;
        } else if (!(x > 50000 && x < 1300000 && y > 6000000 && y < 7200000)) {
            add(k, VALIDATE_WARNING, rec->line, column_of(c, ROLE_X),
                "Les colonnes X/Y attendent du Lambert-93 en mètres (EPSG:2154) : corrigez-les "
                "ou effacez-les",
                "coordonnées X/Y (%s ; %s) hors de la France métropolitaine en Lambert-93 : "
                "elles seront ignorées", sx, sy);
            *reported = true;
        }
    }
}

static void check_numbers(checker *k, const census *c, const census_record *rec)
{
    char ex[64];
    double v;
    const char *m = census_value(c, rec, ROLE_MEMBRES);
    if (!blank(m)) {
        excerpt(m, ex, sizeof ex);
        const char *col = column_of(c, ROLE_MEMBRES);
        if (!parse_decimal(m, &v))
            add(k, VALIDATE_WARNING, rec->line, col,
                "Indiquez un nombre de structures membres (ex. 12), ou laissez la cellule vide",
                "« %s » n'est pas un nombre de membres : ignoré", ex);
        else if (v < 0)
            add(k, VALIDATE_WARNING, rec->line, col,
                "Indiquez un nombre positif de structures membres",
                "nombre de membres négatif (%s) : ignoré", ex);
        else if (v != floor(v))
            add(k, VALIDATE_WARNING, rec->line, col, "Indiquez un nombre entier de membres",
                "nombre de membres non entier (%s)", ex);
        else if (v > 1000)
            add(k, VALIDATE_WARNING, rec->line, col,
                "Vérifiez ce nombre : un PTCE réunit d'ordinaire quelques dizaines de membres",
                "nombre de membres très élevé (%s)", ex);
    }
    const char *y = census_value(c, rec, ROLE_ANNEE);
    if (!blank(y)) {
        excerpt(y, ex, sizeof ex);
        const char *col = column_of(c, ROLE_ANNEE);
        if (!parse_decimal(y, &v) || v != floor(v))
            add(k, VALIDATE_WARNING, rec->line, col,
                "Indiquez l'année sur quatre chiffres (ex. 2025)",
                "« %s » n'est pas une année", ex);
        else if (v < 2010 || v > 2030)
            add(k, VALIDATE_WARNING, rec->line, col,
                "Indiquez l'année de l'AMI (2013, 2015, 2021, 2023, 2025…)",
                "année %s hors de la période attendue (2010 à 2030)", ex);
    }
}

/* The département(s) a postal code points to when La Poste does not know it. */
static bool postcode_prefix_is(const char *pc, const char *dep)
{
    if (strncmp(pc, "97", 2) == 0)
        return strncmp(pc, dep, 3) == 0;
    if (strncmp(pc, "20", 2) == 0)
        return strcmp(dep, "2A") == 0 || strcmp(dep, "2B") == 0;
    return strncmp(pc, dep, 2) == 0 && strlen(dep) == 2;
}

/* What our own checks have already said about a row, so that the geocoder's remarks on the
 * same thing are not repeated. */
enum {
    SAID_COORDINATES = 1,
    SAID_POSTCODE = 2,
    SAID_INSEE = 4
};

static void check_place_consistency(checker *k, const ptce_run *run, const census_record *rec,
                                    unsigned *said)
{
    const census *c = &run->census;
    const refdata *rd = &run->rd;
    const char *sdep = census_value(c, rec, ROLE_DEPARTEMENT);
    if (blank(sdep))
        return;
    const departement *dep = geocode_parse_departement(rd, sdep);
    if (!dep)
        return; /* the geocoder's note says it is unknown */
    const char *spc = census_value(c, rec, ROLE_CODE_POSTAL);
    char pc[6];
    int restored = 0, cedex = 0;
    if (!blank(spc) && geocode_clean_postcode(spc, pc, &restored, &cedex)) {
        const postal_entry *first = NULL;
        size_t n = cedex ? 0 : refdata_postal(rd, pc, &first);
        bool agrees = false;
        for (size_t i = 0; i < n && !agrees; i++)
            agrees = strcmp(first[i].commune->dep, dep->code) == 0;
        if (n == 0)
            agrees = postcode_prefix_is(pc, dep->code);
        if (!agrees) {
            *said |= SAID_POSTCODE;
            add(k, VALIDATE_WARNING, rec->line, column_of(c, ROLE_CODE_POSTAL),
                "Corrigez le code postal ou le département : ils doivent désigner le même "
                "endroit",
                "le code postal %s n'est pas dans le département %s (%s) indiqué colonne « %s »",
                pc, dep->code, dep->nom, column_of(c, ROLE_DEPARTEMENT));
        }
    }
    const char *sinsee = census_value(c, rec, ROLE_INSEE);
    char code[6];
    int zero = 0;
    if (!blank(sinsee) && refdata_clean_insee(sinsee, code, &zero)) {
        const commune *m = refdata_commune(rd, code);
        if (!m) {
            const former_commune *f = refdata_former(rd, code);
            m = f ? f->current : NULL;
        }
        if (m && strcmp(m->dep, dep->code) != 0) {
            *said |= SAID_INSEE;
            add(k, VALIDATE_WARNING, rec->line, column_of(c, ROLE_INSEE),
                "Corrigez le code INSEE ou le département",
                "le code INSEE %s (%s) n'est pas dans le département %s (%s) indiqué", code,
                m->nom, dep->code, dep->nom);
        }
    }
}

/* A cell running over several lines and holding the separator: a quote closed too late
 * has most likely swallowed whole rows. */
static void check_swallowed_rows(checker *k, const census *c, const census_record *rec)
{
    for (size_t col = 0; col < c->ncols; col++) {
        const char *cell = census_cell(c, rec, col);
        if (!strchr(cell, '\n') || !strchr(cell, c->separator))
            continue;
        size_t breaks = 0;
        for (const char *p = cell; *p; p++)
            breaks += *p == '\n';
        add(k, VALIDATE_WARNING, rec->line, c->header[col],
            "Vérifiez les guillemets de cette cellule (dans le fichier, ou retapez-la dans le "
            "tableur) : les lignes avalées ne sont pas lues comme des PTCE",
            "la cellule court sur %zu lignes (%zu à %zu) et contient le séparateur : un "
            "guillemet mal fermé a sans doute avalé des lignes", breaks + 1, rec->line,
            rec->line + breaks);
    }
}

/* The column of `role` when the row has something in it, NULL otherwise. */
static const char *given(const census *c, const census_record *rec, census_role role)
{
    return has_role(c, role) && !blank(census_value(c, rec, role)) ? column_of(c, role) : NULL;
}

/* The column a geocoder remark is about: the first the remark names that the row fills. */
static const char *remark_column(const census *c, const census_record *rec, const char *s)
{
    const char *col = NULL;
    if (str_starts_with(s, "le nom") || str_starts_with(s, "nom ") ||
        str_starts_with(s, "commune") || str_starts_with(s, "ancienne commune"))
        col = given(c, rec, ROLE_COMMUNE);
    if (!col && strstr(s, "code INSEE"))
        col = given(c, rec, ROLE_INSEE);
    if (!col && strstr(s, "code postal"))
        col = given(c, rec, ROLE_CODE_POSTAL);
    if (!col && strstr(s, "département"))
        col = given(c, rec, ROLE_DEPARTEMENT);
    if (!col && (str_starts_with(s, "coordonn") || strstr(s, "latitude") || strstr(s, "point")))
        col = given(c, rec, ROLE_LATITUDE) ? given(c, rec, ROLE_LATITUDE)
                                           : given(c, rec, ROLE_X);
    if (!col && (strstr(s, "adresse") || strstr(s, "BAN") || strstr(s, "voie")))
        col = given(c, rec, ROLE_ADRESSE);
    if (!col && strstr(s, "commune"))
        col = given(c, rec, ROLE_COMMUNE);
    return col ? col : "";
}

static const char *remark_advice(const char *s)
{
    if (strstr(s, "ancienne commune"))
        return "Remplacez par la commune actuelle (nom et code INSEE) : l'ancienne est encore "
               "reconnue, mais la mettre à jour évite les erreurs les années suivantes";
    if (strstr(s, "corrigé en") || strstr(s, " lu « ") || strstr(s, "rapproché"))
        return "Vérifiez que c'est bien la bonne commune, puis corrigez l'orthographe dans le "
               "tableur";
    if (strstr(s, "ne correspond pas") || strstr(s, "contredit") || strstr(s, "hors du "))
        return "Vérifiez la commune, le code postal, le code INSEE et le département : ils "
               "doivent désigner le même endroit";
    if (strstr(s, "seul le département"))
        return "Ajoutez la commune pour placer le PTCE plus précisément";
    if (strstr(s, "coordonnées du recensement"))
        return "Vérifiez les coordonnées : elles sont loin de la commune indiquée";
    if (strstr(s, "inconnu") || strstr(s, "illisible"))
        return "Corrigez la valeur, ou effacez-la si elle n'a pas de sens";
    return "Vérifiez cette ligne dans le tableur";
}

/* Geocoder remarks that report a harmless correction, or a problem our own checks have
 * already worded for the analyst. */
static bool remark_is_silent(const char *s, unsigned said)
{
    /* Corrections that need nothing from anyone, and remarks on the precision of the
     * point (which the layers carry in their `precision` field). */
    static const char *const harmless[] = {
        "zéro initial", "virgule décimale", "coordonnées Lambert-93 converties",
        "coordonnées en Lambert-93", "commune lue dans l'adresse", "code CEDEX",
        "arrondissement précisé", "arrondissement indiqué", "code INSEE de la ville gardé",
        "adresse de la BAN", "adresse trouvée", "voie sans numéro", "numéro ",
        "nom de voie rapproché", "code postal seul", "nom seul, sans code postal",
        "commune déduite du point", "commune : ", "latitude et longitude inversées",
        "point approché", "point de ", "point corrigé", "correction manuelle", NULL};
    for (const char *const *h = harmless; *h; h++)
        if (str_starts_with(s, *h))
            return true;
    /* An abbreviation or an article read the usual way: « St-Jean (Le) » lu « Le Saint-Jean ». */
    if (strstr(s, " lu « ") && !strstr(s, "corrigé"))
        return true;
    if ((said & SAID_COORDINATES) &&
        (str_starts_with(s, "coordonn") || str_starts_with(s, "latitude")))
        return true;
    if ((said & SAID_POSTCODE) && str_starts_with(s, "le code postal"))
        return true;
    if ((said & SAID_INSEE) && str_starts_with(s, "le code INSEE"))
        return true;
    return false;
}

/* The " ; " that ends the geocoder remark starting at p, NULL for the last one. Remarks
 * quote cells and coordinates, which hold " ; " too: « … » and ( … ) are skipped. */
static char *next_remark(char *p)
{
    int depth = 0;
    for (char *q = p; *q; q++) {
        if (*q == '(' || strncmp(q, "«", sizeof "«" - 1) == 0)
            depth++;
        else if ((*q == ')' || strncmp(q, "»", sizeof "»" - 1) == 0) && depth > 0)
            depth--;
        else if (depth == 0 && strncmp(q, " ; ", 3) == 0)
            return q;
    }
    return NULL;
}

/* The first remark of a note, for the column of a reject or an ambiguity. */
static void first_remark(const char *note, char *out, size_t size)
{
    snprintf(out, size, "%s", note);
    char *end = next_remark(out);
    if (end)
        *end = '\0';
}

static void check_geocoding(checker *k, const ptce_run *run, const ptce_row *row,
                            unsigned said)
{
    const census *c = &run->census;
    const geo_result *g = &row->geo;
    size_t line = row->rec->line;
    char *note = note_string(g);
    char *first = note ? ptce_strdup(note) : NULL;
    if (!note || !first) {
        free(note);
        k->failed = true;
        return;
    }
    first_remark(note, first, strlen(note) + 1);
    if (g->status == GEO_REJECT) {
        add(k, VALIDATE_ERROR, line, remark_column(c, row->rec, first), advice_reject,
            "le PTCE ne sera pas placé sur la carte : %s", note);
        free(note);
        free(first);
        return;
    }
    if (g->status == GEO_AMBIGUOUS) {
        add(k, VALIDATE_ERROR, line, remark_column(c, row->rec, first), advice_ambiguous,
            "lieu ambigu, le PTCE ne sera pas placé sur la carte : %s", note);
        free(note);
        free(first);
        return;
    }
    free(first);
    /* Placed: each remark of the note on its own. */
    char *p = note;
    while (p && *p) {
        char *end = next_remark(p);
        if (end)
            *end = '\0';
        if (*p && !remark_is_silent(p, said))
            add(k, VALIDATE_WARNING, line, remark_column(c, row->rec, p), remark_advice(p),
                "%s", p);
        p = end ? end + 3 : NULL;
    }
    free(note);
}

static bool place_given(const census *c, const census_record *rec)
{
    for (size_t i = 0; i < NPLACE_ROLES; i++)
        if (!blank(census_value(c, rec, place_roles[i])))
            return true;
    return false;
}

typedef struct keyed_row {
    const char *key;  /* census id, or folded name */
    size_t index;
} keyed_row;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed_row *x = a, *y = b;
    int d = strcmp(x->key, y->key);
    if (d)
        return d;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Duplicate census ids (errors) and duplicate names (errors when neither row has an id
 * of its own, so that nothing tells them apart from one year to the next; warnings
 * otherwise). Each later row names the first one. */
static void check_duplicates(checker *k, const ptce_run *run)
{
    const census *c = &run->census;
    size_t n = run->nrows;
    keyed_row *ids = calloc(n ? n : 1, sizeof *ids);
    keyed_row *names = calloc(n ? n : 1, sizeof *names);
    char **folded = calloc(n ? n : 1, sizeof *folded);
    if (!ids || !names || !folded) {
        k->failed = true;
        goto done;
    }
    size_t nids = 0, nnames = 0;
    for (size_t i = 0; i < n; i++) {
        const ptce_row *row = &run->rows[i];
        if (!row->id_derived)
            ids[nids++] = (keyed_row){row->id, i};
        folded[i] = text_fold(row->nom);
        if (!folded[i]) {
            k->failed = true;
            goto done;
        }
        if (folded[i][0])
            names[nnames++] = (keyed_row){folded[i], i};
    }
    qsort(ids, nids, sizeof *ids, cmp_keyed);
    for (size_t i = 1; i < nids; i++) {
        size_t first = i - 1;
        while (first > 0 && strcmp(ids[first - 1].key, ids[i].key) == 0)
            first--;
        if (strcmp(ids[first].key, ids[i].key) != 0)
            continue;
        const ptce_row *a = &run->rows[ids[first].index], *b = &run->rows[ids[i].index];
        add(k, VALIDATE_ERROR, b->rec->line, column_of(c, ROLE_ID), advice_id,
            "l'identifiant « %s » est déjà celui de la ligne %zu (« %s »)", b->id, a->rec->line,
            a->nom);
    }
    qsort(names, nnames, sizeof *names, cmp_keyed);
    for (size_t i = 1; i < nnames; i++) {
        size_t first = i - 1;
        while (first > 0 && strcmp(names[first - 1].key, names[i].key) == 0)
            first--;
        if (strcmp(names[first].key, names[i].key) != 0)
            continue;
        const ptce_row *a = &run->rows[names[first].index], *b = &run->rows[names[i].index];
        if (a->id_derived && b->id_derived)
            add(k, VALIDATE_ERROR, b->rec->line, column_of(c, ROLE_NOM),
                "Supprimez le doublon, ou donnez un identifiant à chacune des deux lignes",
                "même nom que la ligne %zu, et ni l'une ni l'autre n'a d'identifiant : rien ne "
                "les distingue d'une année à l'autre", a->rec->line);
        else
            add(k, VALIDATE_WARNING, b->rec->line, column_of(c, ROLE_NOM),
                "Si c'est le même PTCE, gardez une seule ligne ; sinon, distinguez les noms",
                "même nom que la ligne %zu (identifiant « %s ») : doublon ?", a->rec->line,
                a->id);
    }
done:
    for (size_t i = 0; folded && i < n; i++)
        free(folded[i]);
    free(folded);
    free(ids);
    free(names);
}

ptce_status validate_run(ptce_ctx *ctx, const ptce_run *run, validate_report *out)
{
    checker k = {.ctx = ctx, .r = out};
    const census *c = &run->census;
    if (!out->path) {
        out->path = ptce_strdup(c->path ? c->path : "");
        if (!out->path)
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    snprintf(out->encoding, sizeof out->encoding, "%s", c->encoding);
    out->separator = c->separator;
    out->nrows = run->nrows;
    out->empty_lines = c->empty_lines;
    out->nplaced = run->nplaced;
    out->nambiguous = run->nambiguous;
    out->nrejected = run->nrejected;

    check_header(&k, c);
    bool any_place_column = false;
    for (size_t i = 0; i < NPLACE_ROLES; i++)
        any_place_column |= has_role(c, place_roles[i]);
    check_duplicates(&k, run);
    for (size_t i = 0; i < run->nrows && !k.failed; i++) {
        const ptce_row *row = &run->rows[i];
        const census_record *rec = row->rec;
        if (has_role(c, ROLE_NOM) && blank(row->nom))
            add(&k, VALIDATE_ERROR, rec->line, column_of(c, ROLE_NOM),
                "Indiquez le nom du PTCE",
                "nom du PTCE vide : la carte et les rapports n'auront rien à afficher");
        if (has_role(c, ROLE_ID) && row->id_derived)
            add(&k, VALIDATE_WARNING, rec->line, column_of(c, ROLE_ID),
                "Attribuez un identifiant à ce PTCE et gardez-le les années suivantes",
                "identifiant vide : « %s » sera dérivé du nom, et changera si le nom change",
                row->id);
        bool coords = false;
        unsigned said = 0;
        check_coordinates(&k, c, rec, &coords);
        if (coords)
            said |= SAID_COORDINATES;
        check_numbers(&k, c, rec);
        check_place_consistency(&k, run, rec, &said);
        check_swallowed_rows(&k, c, rec);
        if (!any_place_column)
            continue; /* said once for the file */
        if (!place_given(c, rec)) {
            add(&k, VALIDATE_ERROR, rec->line, "",
                "Renseignez au moins la commune et le code postal",
                "aucune information de lieu (commune, code postal, code INSEE, département, "
                "adresse ou coordonnées) : le PTCE ne sera pas placé sur la carte");
            continue;
        }
        check_geocoding(&k, run, row, said);
    }
    sort_findings(out);
    return k.failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante") : PTCE_OK;
}

/* ---- reading with the census reader's warnings caught ------------------------------------ */

/* Turns the reader's warning lines ("attention : PATH, ligne N : …") into findings. */
static void findings_from_log(checker *k, const char *path, const char *log)
{
    static const char prefix[] = "attention : ";
    const char *p = log;
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *msg = ptce_strndup(p, len);
        if (!msg) {
            k->failed = true;
            return;
        }
        char *text = msg;
        if (strncmp(text, prefix, sizeof prefix - 1) == 0)
            text += sizeof prefix - 1;
        size_t line = 0;
        size_t plen = strlen(path);
        if (strncmp(text, path, plen) == 0 && strncmp(text + plen, ", ligne ", 8) == 0) {
            char *after = NULL;
            line = strtoul(text + plen + 8, &after, 10);
            if (after && strncmp(after, " : ", 3) == 0)
                text = after + 3;
        }
        size_t cells = 0, cols = 0;
        if (*text && sscanf(text, "%zu cellules pour %zu colonnes", &cells, &cols) == 2) {
            k->r->wide_rows++;
            add(k, VALIDATE_WARNING, line, "",
                "Entourez de guillemets la cellule qui contient le séparateur, ou retirez les "
                "cellules en trop dans le tableur",
                "%zu cellules pour %zu colonnes d'en-tête : les cellules en trop sont ignorées "
                "(un séparateur dans une cellule ?)", cells, cols);
        } else if (*text) {
            add(k, VALIDATE_WARNING, line, "", "Vérifiez l'en-tête ou la ligne indiquée", "%s",
                text);
        }
        free(msg);
        p = eol ? eol + 1 : NULL;
    }
}

ptce_status validate_census(ptce_ctx *ctx, const run_options *opts, validate_report *out)
{
    memset(out, 0, sizeof *out);
    checker k = {.ctx = ctx, .r = out};
    out->path = ptce_strdup(opts->census_path);
    if (!out->path)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");

    /* 1. Read once with the reader's warnings sent to memory, to report them by line. */
    char *log = NULL;
    size_t loglen = 0;
    FILE *mem = open_memstream(&log, &loglen);
    if (!mem)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    FILE *saved_log = ctx->log;
    int saved_quiet = ctx->quiet;
    ctx->log = mem;
    ctx->quiet = 0;
    census probe;
    census_options copts = {.columns = opts->columns};
    ptce_status st = census_read(ctx, opts->census_path, &copts, &probe);
    ctx->log = saved_log;
    ctx->quiet = saved_quiet;
    census_free(&probe);
    fclose(mem);
    if (st) {
        free(log);
        return st;
    }
    findings_from_log(&k, opts->census_path, log ? log : "");
    free(log);
    if (k.failed)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");

    /* 2. The run as `build` would do it, quietly: the findings say it all. */
    run_options ro = *opts;
    ro.without_taxonomy = 1;
    ptce_run run;
    ctx->quiet = 1;
    st = run_load(ctx, &ro, &run);
    if (!st)
        st = run_geocode(ctx, &run);
    ctx->quiet = saved_quiet;
    if (!st)
        st = validate_run(ctx, &run, out);
    run_free(&run);
    return st;
}

/* ---- formats ---------------------------------------------------------------------------- */

static const char *separator_name(char sep)
{
    return sep == '\t' ? "tabulation" : sep == ',' ? "« , »" : "« ; »";
}

static void where(strbuf *sb, const validate_report *r, const validate_finding *f)
{
    sb_append(sb, r->path);
    if (f->line)
        sb_printf(sb, ", ligne %zu", f->line);
    if (f->column[0])
        sb_printf(sb, ", colonne « %s »", f->column);
}

static void plural(strbuf *sb, size_t n, const char *one, const char *many)
{
    sb_printf(sb, "%zu %s", n, n > 1 ? many : one);
}

ptce_status validate_format_text(ptce_ctx *ctx, const validate_report *r, strbuf *sb)
{
    sb_printf(sb, "Vérification de %s\n  encodage %s, séparateur %s, ", r->path, r->encoding,
              separator_name(r->separator));
    plural(sb, r->nrows, "ligne de PTCE", "lignes de PTCE");
    if (r->empty_lines) {
        sb_append(sb, ", ");
        plural(sb, r->empty_lines, "ligne vide ignorée", "lignes vides ignorées");
    }
    if (r->wide_rows) {
        sb_append(sb, ", ");
        plural(sb, r->wide_rows, "ligne avec trop de cellules", "lignes avec trop de cellules");
    }
    sb_append(sb, "\n");
    for (int pass = 0; pass < 2; pass++) {
        validate_severity sev = pass == 0 ? VALIDATE_ERROR : VALIDATE_WARNING;
        size_t n = pass == 0 ? r->nerrors : r->nwarnings;
        if (n == 0)
            continue;
        sb_printf(sb, "\n%s (%zu) : %s\n", pass == 0 ? "ERREURS" : "AVERTISSEMENTS", n,
                  pass == 0 ? "à corriger, sinon des PTCE manqueront sur la carte ou seront mal "
                              "suivis d'une année à l'autre"
                            : "à vérifier ; la carte peut être produite");
        for (size_t i = 0; i < r->nfindings; i++) {
            const validate_finding *f = &r->findings[i];
            if (f->severity != sev)
                continue;
            sb_append(sb, "\n  ");
            where(sb, r, f);
            size_t plen = strlen(f->problem);
            char last = plen ? f->problem[plen - 1] : '.';
            sb_printf(sb, " : %s%s\n", f->problem,
                      last == '.' || last == '?' || last == '!' ? "" : ".");
            if (f->advice[0])
                sb_printf(sb, "    → Que faire : %s.\n", f->advice);
        }
    }
    sb_append(sb, "\nBilan : ");
    plural(sb, r->nrows, "ligne lue", "lignes lues");
    sb_append(sb, " ; ");
    plural(sb, r->nerrors, "erreur", "erreurs");
    sb_append(sb, ", ");
    plural(sb, r->nwarnings, "avertissement", "avertissements");
    sb_append(sb, " ; ");
    plural(sb, r->nplaced, "PTCE sera placé", "PTCE seront placés");
    sb_printf(sb, " sur la carte, %zu ambigu%s, %zu rejeté%s.\n", r->nambiguous,
              r->nambiguous > 1 ? "s" : "", r->nrejected, r->nrejected > 1 ? "s" : "");
    if (r->nerrors == 0)
        sb_append(sb, "Aucune erreur : le recensement peut être cartographié (ptce-map build).\n");
    else
        sb_append(sb, "Corrigez les erreurs puis relancez ptce-map validate.\n");
    return sb->failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante") : PTCE_OK;
}

ptce_status validate_format_csv(ptce_ctx *ctx, const validate_report *r, strbuf *sb)
{
    sb_append(sb, "\xEF\xBB\xBF");
    csv_append_cell(sb, "ligne", ';', 1);
    csv_append_cell(sb, "colonne", ';', 0);
    csv_append_cell(sb, "gravite", ';', 0);
    csv_append_cell(sb, "probleme", ';', 0);
    csv_append_cell(sb, "conseil", ';', 0);
    sb_append(sb, "\r\n");
    for (size_t i = 0; i < r->nfindings; i++) {
        const validate_finding *f = &r->findings[i];
        char line[32] = "";
        if (f->line)
            snprintf(line, sizeof line, "%zu", f->line);
        csv_append_cell(sb, line, ';', 1);
        csv_append_cell(sb, f->column, ';', 0);
        csv_append_cell(sb, f->severity == VALIDATE_ERROR ? "erreur" : "avertissement", ';', 0);
        csv_append_cell(sb, f->problem, ';', 0);
        csv_append_cell(sb, f->advice, ';', 0);
        sb_append(sb, "\r\n");
    }
    return sb->failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante") : PTCE_OK;
}

void validate_report_free(validate_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nfindings; i++) {
        free(r->findings[i].column);
        free(r->findings[i].problem);
        free(r->findings[i].advice);
    }
    free(r->findings);
    free(r->path);
    memset(r, 0, sizeof *r);
}
