/*
 * app/validate.c — see validate.h.
 *
 * Three sources of findings:
 *  - checks of our own on the cells (identifiers, names, numbers, the syntax of the
 *    coordinates, postal code against département), worded for the column they are about;
 *  - the geocoder, run exactly as `build` runs it, read by its remarks' codes: a reject or
 *    an ambiguity is an error (the PTCE would miss the map); on a placed row each remark
 *    is reported or not as model/remark.h's table says (harmless corrections such as a
 *    postal code's lost leading zero are silent), in present/note.h's words. Whether
 *    coordinates are used, swapped, converted or outside France is the geocoder's
 *    decision only, so validate and geocode cannot disagree on it;
 *  - the census reader's warnings (rows wider than the header, duplicate column names),
 *    records of the census read once.
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

static void vadd(checker *k, validate_source src, int code, validate_severity sev, size_t line,
                 const char *column, const char *advice, const char *fmt, va_list ap)
    __attribute__((format(printf, 8, 0)));
static void vadd(checker *k, validate_source src, int code, validate_severity sev, size_t line,
                 const char *column, const char *advice, const char *fmt, va_list ap)
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
    va_list again;
    va_copy(again, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    char *problem = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (problem)
        vsnprintf(problem, (size_t)len + 1, fmt, again);
    va_end(again);
    validate_finding *f = &r->findings[r->nfindings];
    f->severity = sev;
    f->source = src;
    f->code = code;
    f->line = line;
    f->seq = r->nfindings;
    f->column = util_strdup(column ? column : "");
    f->advice = util_strdup(advice ? advice : "");
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

/* A finding of validate's own checks. */
static void check(checker *k, validate_check code, validate_severity sev, size_t line,
                  const char *column, const char *advice, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
static void check(checker *k, validate_check code, validate_severity sev, size_t line,
                  const char *column, const char *advice, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vadd(k, VALIDATE_CHECK, (int)code, sev, line, column, advice, fmt, ap);
    va_end(ap);
}

/* A finding that reports a geocoder remark or a census reader's warning. */
static void report(checker *k, validate_source src, int code, validate_severity sev,
                   size_t line, const char *column, const char *advice, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
static void report(checker *k, validate_source src, int code, validate_severity sev,
                   size_t line, const char *column, const char *advice, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vadd(k, src, code, sev, line, column, advice, fmt, ap);
    va_end(ap);
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
    size_t n = util_utf8_cut_length(s, size > 44 ? 40 : size - 4);
    size_t j = 0;
    for (size_t i = 0; i < n && j + 1 < size; i++)
        out[j++] = (s[i] == '\n' || s[i] == '\r' || s[i] == '\t') ? ' ' : s[i];
    out[j] = '\0';
    if (s[n] && j + 4 < size)
        memcpy(out + j, "…", sizeof "…");
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

static const census_role place_roles[] = {CENSUS_ROLE_COMMUNE, CENSUS_ROLE_CODE_POSTAL, CENSUS_ROLE_INSEE,
                                          CENSUS_ROLE_DEPARTEMENT, CENSUS_ROLE_ADRESSE, CENSUS_ROLE_LATITUDE,
                                          CENSUS_ROLE_LONGITUDE, CENSUS_ROLE_X, CENSUS_ROLE_Y};
#define NPLACE_ROLES (sizeof place_roles / sizeof *place_roles)

/* The header problems that leave nothing to do: their words, once, for validate's finding
 * and for the refusal of build, geocode and classify (validate_require_usable). */
static const char *const msg_no_name =
    "aucune colonne ne donne le nom du PTCE (colonnes lues : %s)";
static const char *const advice_no_name =
    "Nommez la colonne du nom « Nom du PTCE », ou indiquez-la avec "
    "--columns \"nom=Nom de votre colonne\"";
static const char *const msg_no_place =
    "aucune colonne ne permet de placer les PTCE (commune, code postal, code INSEE, "
    "département, adresse ou coordonnées ; colonnes lues : %s)";
static const char *const advice_no_place =
    "Ajoutez au moins les colonnes « Commune » et « Code postal » (ou indiquez les "
    "vôtres avec --columns)";
static const char *const msg_no_text =
    "aucune colonne ne donne le nom, la thématique ou la description du PTCE (colonnes "
    "lues : %s)";
static const char *const advice_no_text =
    "Nommez les colonnes « Nom du PTCE », « Thématique déclarée » ou « Description », ou "
    "indiquez-les avec --columns \"description=Votre colonne\"";
static const char *const msg_no_rows = "aucune ligne de PTCE sous l'en-tête";
static const char *const advice_no_rows =
    "Vérifiez que l'export contient les lignes du tableau, pas seulement l'en-tête";

/* "« A », « B », …" for the first 20 header cells; caller frees. */
static char *header_list(const census *c)
{
    util_strbuf cols;
    util_sb_init(&cols);
    for (size_t i = 0; i < c->ncols && i < 20; i++)
        util_sb_printf(&cols, "%s« %s »", i ? ", " : "", c->header[i]);
    if (c->ncols > 20)
        util_sb_printf(&cols, ", … (%zu en tout)", c->ncols);
    return util_sb_take(&cols);
}

static bool has_place_column(const census *c)
{
    bool any_place = false;
    for (size_t i = 0; i < NPLACE_ROLES; i++)
        any_place |= has_role(c, place_roles[i]);
    return any_place;
}

static void check_header(checker *k, const census *c)
{
    char *cols = header_list(c);
    if (!has_role(c, CENSUS_ROLE_NOM))
        check(k, VALIDATE_CHECK_NO_NAME_COLUMN, VALIDATE_ERROR, 1, "", advice_no_name, msg_no_name,
              cols ? cols : "");
    if (!has_place_column(c))
        check(k, VALIDATE_CHECK_NO_PLACE_COLUMN, VALIDATE_ERROR, 1, "", advice_no_place, msg_no_place,
              cols ? cols : "");
    free(cols);
    if (!has_role(c, CENSUS_ROLE_ID))
        check(k, VALIDATE_CHECK_NO_ID_COLUMN, VALIDATE_WARNING, 1, "",
            "Ajoutez une colonne « Identifiant » et gardez le même identifiant pour chaque "
            "PTCE d'une année à l'autre",
            "aucune colonne d'identifiant : chaque PTCE reçoit un identifiant dérivé de son nom "
            "(auto-…), qui change si le nom change");
    if ((has_role(c, CENSUS_ROLE_LATITUDE) != has_role(c, CENSUS_ROLE_LONGITUDE)))
        check(k, VALIDATE_CHECK_HALF_COORD_COLUMNS, VALIDATE_WARNING, 1, column_of(c, has_role(c, CENSUS_ROLE_LATITUDE) ? CENSUS_ROLE_LATITUDE
                                                                           : CENSUS_ROLE_LONGITUDE),
            "Ajoutez la colonne manquante ou retirez celle-ci",
            "une colonne %s sans colonne %s : les coordonnées ne seront pas lues",
            has_role(c, CENSUS_ROLE_LATITUDE) ? "de latitude" : "de longitude",
            has_role(c, CENSUS_ROLE_LATITUDE) ? "de longitude" : "de latitude");
    if (c->nrecords == 0)
        check(k, VALIDATE_CHECK_NO_ROWS, VALIDATE_ERROR, 0, "", advice_no_rows, "%s", msg_no_rows);
}

ptce_status validate_require_usable(ptce_ctx *ctx, const census *c, validate_need need)
{
    bool usable = need == VALIDATE_NEED_TEXT
                      ? has_role(c, CENSUS_ROLE_NOM) || has_role(c, CENSUS_ROLE_THEME) ||
                            has_role(c, CENSUS_ROLE_DESCRIPTION)
                      : has_place_column(c);
    if (!usable) {
        char *cols = header_list(c);
        util_strbuf what;
        util_sb_init(&what);
        util_sb_printf(&what, need == VALIDATE_NEED_TEXT ? msg_no_text : msg_no_place,
                  cols ? cols : "");
        free(cols);
        ptce_status st = ptce_fail(ctx, PTCE_ERR_INPUT, "%s, ligne 1 : %s. %s ; « ptce-map "
                                   "validate %s » détaille le fichier.", c->path,
                                   what.data ? what.data : "",
                                   need == VALIDATE_NEED_TEXT ? advice_no_text : advice_no_place,
                                   c->path);
        util_sb_free(&what);
        return st;
    }
    if (c->nrecords == 0)
        return ptce_fail(ctx, PTCE_ERR_INPUT, "%s : %s. %s.", c->path, msg_no_rows,
                         advice_no_rows);
    return PTCE_OK;
}

/* ---- row checks ------------------------------------------------------------------------ */

/* The syntax of the coordinate cells, column by column. What the values mean (swapped,
 * Lambert-93, outside France) is the geocoder's to decide: see check_geocoding. */
static void check_coordinates(checker *k, const census *c, const census_record *rec,
                              bool *reported)
{
    const char *slat = census_value(c, rec, CENSUS_ROLE_LATITUDE);
    const char *slon = census_value(c, rec, CENSUS_ROLE_LONGITUDE);
    char ex[64];
    bool has_lat = !util_is_blank(slat), has_lon = !util_is_blank(slon);
    if (has_lat != has_lon) {
        census_role missing = has_lat ? CENSUS_ROLE_LONGITUDE : CENSUS_ROLE_LATITUDE;
        check(k, VALIDATE_CHECK_LATLON_HALF, VALIDATE_ERROR, rec->line, column_of(c, missing),
            "Complétez la coordonnée manquante ou effacez l'autre",
            "%s sans %s : les coordonnées ne peuvent pas être lues",
            has_lat ? "latitude" : "longitude", has_lat ? "longitude" : "latitude");
        *reported = true;
    } else if (has_lat) {
        double a = 0, b = 0;
        geocode_axis ax_a, ax_b;
        unsigned how_a, how_b;
        bool ok_a = geocode_read_coordinate(slat, &a, &ax_a, &how_a),
             ok_b = geocode_read_coordinate(slon, &b, &ax_b, &how_b);
        if (!ok_a) {
            excerpt(slat, ex, sizeof ex);
            check(k, VALIDATE_CHECK_LAT_UNREADABLE, VALIDATE_ERROR, rec->line, column_of(c, CENSUS_ROLE_LATITUDE),
                "Écrivez la latitude en degrés décimaux (ex. 47,2488) ou effacez-la",
                "latitude « %s » illisible", ex);
        }
        if (!ok_b) {
            excerpt(slon, ex, sizeof ex);
            check(k, VALIDATE_CHECK_LON_UNREADABLE, VALIDATE_ERROR, rec->line, column_of(c, CENSUS_ROLE_LONGITUDE),
                "Écrivez la longitude en degrés décimaux (ex. 6,0182) ou effacez-la",
                "longitude « %s » illisible", ex);
        }
        if (ok_a && ok_b && ax_a != GEOCODE_AXIS_NONE && ax_a == ax_b) {
            excerpt(slon, ex, sizeof ex);
            check(k, VALIDATE_CHECK_LATLON_SAME_AXIS, VALIDATE_ERROR, rec->line,
                  column_of(c, CENSUS_ROLE_LONGITUDE),
                  "Écrivez N ou S après la latitude, E ou O après la longitude",
                  "latitude et longitude portent toutes deux la lettre d'une %s (« %s »)",
                  ax_a == GEOCODE_AXIS_LATITUDE ? "latitude" : "longitude", ex);
            ok_b = false;
        }
        *reported |= !ok_a || !ok_b;
    }
    const char *sx = census_value(c, rec, CENSUS_ROLE_X), *sy = census_value(c, rec, CENSUS_ROLE_Y);
    bool has_x = !util_is_blank(sx), has_y = !util_is_blank(sy);
    double x, y;
    if (has_x != has_y) {
        check(k, VALIDATE_CHECK_XY_HALF, VALIDATE_ERROR, rec->line, column_of(c, has_x ? CENSUS_ROLE_Y : CENSUS_ROLE_X),
            "Complétez la coordonnée manquante ou effacez l'autre",
            "coordonnée %s sans %s (Lambert-93) : les coordonnées ne peuvent pas être lues",
            has_x ? "X" : "Y", has_x ? "Y" : "X");
        *reported = true;
    } else if (has_x) {
        geocode_axis ax;
        unsigned how_x = 0, how_y = 0;
        bool ok_x = geocode_read_coordinate(sx, &x, &ax, &how_x) &&
                    !(how_x & (GEOCODE_READ_HEMISPHERE | GEOCODE_READ_DMS));
        bool ok_y = geocode_read_coordinate(sy, &y, &ax, &how_y) &&
                    !(how_y & (GEOCODE_READ_HEMISPHERE | GEOCODE_READ_DMS));
        if (!ok_x || !ok_y) {
            excerpt(ok_x ? sy : sx, ex, sizeof ex);
            check(k, VALIDATE_CHECK_XY_UNREADABLE, VALIDATE_ERROR, rec->line, column_of(c, ok_x ? CENSUS_ROLE_Y : CENSUS_ROLE_X),
                "Écrivez les coordonnées Lambert-93 en mètres ou effacez-les",
                "coordonnée Lambert-93 « %s » illisible", ex);
            *reported = true;
        }
    }
}

static void check_numbers(checker *k, const census *c, const census_record *rec)
{
    char ex[64];
    double v;
    const char *m = census_value(c, rec, CENSUS_ROLE_MEMBRES);
    if (!util_is_blank(m)) {
        excerpt(m, ex, sizeof ex);
        const char *col = column_of(c, CENSUS_ROLE_MEMBRES);
        if (!util_parse_decimal(m, &v))
            check(k, VALIDATE_CHECK_MEMBERS_NOT_NUMBER, VALIDATE_WARNING, rec->line, col,
                "Indiquez un nombre de structures membres (ex. 12), ou laissez la cellule vide",
                "« %s » n'est pas un nombre de membres : ignoré", ex);
        else if (v < 0)
            check(k, VALIDATE_CHECK_MEMBERS_NEGATIVE, VALIDATE_WARNING, rec->line, col,
                "Indiquez un nombre positif de structures membres",
                "nombre de membres négatif (%s) : ignoré", ex);
        else if (v != floor(v))
            check(k, VALIDATE_CHECK_MEMBERS_FRACTION, VALIDATE_WARNING, rec->line, col, "Indiquez un nombre entier de membres",
                "nombre de membres non entier (%s)", ex);
        else if (v > 1000)
            check(k, VALIDATE_CHECK_MEMBERS_HIGH, VALIDATE_WARNING, rec->line, col,
                "Vérifiez ce nombre : un PTCE réunit d'ordinaire quelques dizaines de membres",
                "nombre de membres très élevé (%s)", ex);
    }
    const char *y = census_value(c, rec, CENSUS_ROLE_ANNEE);
    if (!util_is_blank(y)) {
        excerpt(y, ex, sizeof ex);
        const char *col = column_of(c, CENSUS_ROLE_ANNEE);
        if (!util_parse_decimal(y, &v) || v != floor(v))
            check(k, VALIDATE_CHECK_YEAR_UNREADABLE, VALIDATE_WARNING, rec->line, col,
                "Indiquez l'année sur quatre chiffres (ex. 2025)",
                "« %s » n'est pas une année", ex);
        else if (v < PTCE_YEAR_MIN || v > PTCE_YEAR_MAX)
            check(k, VALIDATE_CHECK_YEAR_OUT_OF_RANGE, VALIDATE_WARNING, rec->line, col,
                "Indiquez l'année de l'AMI (2013, 2015, 2021, 2023, 2025…)",
                "année %s hors de la période attendue (%d à %d)", ex, PTCE_YEAR_MIN,
                PTCE_YEAR_MAX);
    }
}

/* Whether a postal code's prefix points to `dep`, when La Poste does not know the code. */
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
    const refdata *rd = run->rd;
    const char *sdep = census_value(c, rec, CENSUS_ROLE_DEPARTEMENT);
    if (util_is_blank(sdep))
        return;
    const departement *dep = geocode_parse_departement(rd, sdep);
    if (!dep)
        return; /* the geocoder says it is unknown (GEO_R_DEP_UNKNOWN) */
    const char *spc = census_value(c, rec, CENSUS_ROLE_CODE_POSTAL);
    char pc[6];
    int restored = 0, cedex = 0;
    if (!util_is_blank(spc) && geocode_clean_postcode(spc, pc, &restored, &cedex)) {
        if (!geocode_postcode_in_departement(rd, pc, cedex, dep->code)) {
            *said |= SAID_POSTCODE;
            check(k, VALIDATE_CHECK_POSTCODE_NOT_IN_DEP, VALIDATE_WARNING, rec->line, column_of(c, CENSUS_ROLE_CODE_POSTAL),
                "Corrigez le code postal ou le département : ils doivent désigner le même "
                "endroit",
                "le code postal %s n'est pas dans le département %s (%s) indiqué colonne « %s »",
                pc, dep->code, dep->nom, column_of(c, CENSUS_ROLE_DEPARTEMENT));
        }
    }
    const char *sinsee = census_value(c, rec, CENSUS_ROLE_INSEE);
    char code[6];
    int zero = 0;
    if (!util_is_blank(sinsee) && refdata_clean_insee(sinsee, code, &zero)) {
        const commune *m = refdata_commune(rd, code);
        if (!m) {
            const refdata_former_commune *f = refdata_former(rd, code);
            m = f ? f->current : NULL;
        }
        if (m && strcmp(m->dep, dep->code) != 0) {
            *said |= SAID_INSEE;
            check(k, VALIDATE_CHECK_INSEE_NOT_IN_DEP, VALIDATE_WARNING, rec->line, column_of(c, CENSUS_ROLE_INSEE),
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
        check(k, VALIDATE_CHECK_SWALLOWED_ROWS, VALIDATE_WARNING, rec->line, c->header[col],
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
    return has_role(c, role) && !util_is_blank(census_value(c, rec, role)) ? column_of(c, role) : NULL;
}

/* The census column a remark is about, when the row fills it ("" otherwise): the cell of
 * its field, or the other cell of a coordinate pair. */
static const char *field_column(const census *c, const census_record *rec, geo_field field)
{
    static const census_role roles[GEO_FIELD_COUNT] = {
        [GEO_FIELD_NONE] = CENSUS_ROLE_COUNT,          [GEO_FIELD_ID] = CENSUS_ROLE_ID,
        [GEO_FIELD_INSEE] = CENSUS_ROLE_INSEE,         [GEO_FIELD_POSTCODE] = CENSUS_ROLE_CODE_POSTAL,
        [GEO_FIELD_COMMUNE] = CENSUS_ROLE_COMMUNE,     [GEO_FIELD_DEPARTEMENT] = CENSUS_ROLE_DEPARTEMENT,
        [GEO_FIELD_ADDRESS] = CENSUS_ROLE_ADRESSE,     [GEO_FIELD_LATITUDE] = CENSUS_ROLE_LATITUDE,
        [GEO_FIELD_LONGITUDE] = CENSUS_ROLE_LONGITUDE, [GEO_FIELD_X] = CENSUS_ROLE_X,
        [GEO_FIELD_Y] = CENSUS_ROLE_Y};
    static const census_role partner[GEO_FIELD_COUNT] = {
        [GEO_FIELD_NONE] = CENSUS_ROLE_COUNT,        [GEO_FIELD_ID] = CENSUS_ROLE_COUNT,
        [GEO_FIELD_INSEE] = CENSUS_ROLE_COUNT,       [GEO_FIELD_POSTCODE] = CENSUS_ROLE_COUNT,
        [GEO_FIELD_COMMUNE] = CENSUS_ROLE_COUNT,     [GEO_FIELD_DEPARTEMENT] = CENSUS_ROLE_COUNT,
        [GEO_FIELD_ADDRESS] = CENSUS_ROLE_COUNT,     [GEO_FIELD_LATITUDE] = CENSUS_ROLE_LONGITUDE,
        [GEO_FIELD_LONGITUDE] = CENSUS_ROLE_LATITUDE, [GEO_FIELD_X] = CENSUS_ROLE_Y,
        [GEO_FIELD_Y] = CENSUS_ROLE_X};
    if ((unsigned)field >= GEO_FIELD_COUNT || roles[field] == CENSUS_ROLE_COUNT)
        return "";
    const char *col = given(c, rec, roles[field]);
    if (!col && partner[field] != CENSUS_ROLE_COUNT)
        col = given(c, rec, partner[field]);
    return col ? col : "";
}

/* Whether one of validate's own checks already said what the remark says. */
static bool covered(geo_covered_by cover, unsigned said)
{
    switch (cover) {
    case GEO_COVER_COORDINATES: return (said & SAID_COORDINATES) != 0;
    case GEO_COVER_POSTCODE_DEP: return (said & SAID_POSTCODE) != 0;
    case GEO_COVER_INSEE_DEP: return (said & SAID_INSEE) != 0;
    case GEO_COVER_NONE: break;
    }
    return false;
}

/* The geocoder's remarks on a row, read by their codes (model/remark.h says how each is
 * treated); what they say is worded by present/note.h. */
static void check_geocoding(checker *k, const ptce_run *run, const ptce_row *row,
                            unsigned said)
{
    const census *c = &run->census;
    const geo_result *g = &row->geo;
    size_t line = row->rec->line;
    util_strbuf text;
    util_sb_init(&text);
    if (g->status != GEO_MATCH) {
        /* The reason comes first: its cell is the one to fix, or when it is about the row
         * as a whole ("aucun lieu reconnu"), the first cell another remark names. */
        const geo_remark *reason = g->nremarks ? &g->remarks[0] : NULL;
        const char *column = "";
        for (size_t i = 0; i < g->nremarks && !column[0]; i++)
            if (i == 0 || g->remarks[0].field == GEO_FIELD_NONE)
                column = field_column(c, row->rec, g->remarks[i].field);
        note_render(&text, g);
        report(k, VALIDATE_REMARK, reason ? (int)reason->code : -1, VALIDATE_ERROR, line,
               column,
               g->status == GEO_REJECT ? advice_reject : advice_ambiguous, "%s%s",
               g->status == GEO_REJECT ? "le PTCE ne sera pas placé sur la carte : "
                                       : "lieu ambigu, le PTCE ne sera pas placé sur la carte : ",
               text.data ? text.data : "");
    } else {
        for (size_t i = 0; i < g->nremarks; i++) {
            const geo_remark *m = &g->remarks[i];
            if (geo_remark_kind_of(m->code) == GEO_KIND_SILENT ||
                covered(geo_remark_covered_by(m->code), said))
                continue;
            text.len = 0;
            if (text.data)
                text.data[0] = '\0';
            note_render_remark(&text, g, m);
            report(k, VALIDATE_REMARK, (int)m->code, VALIDATE_WARNING, line,
                   field_column(c, row->rec, m->field),
                   note_advice_text(geo_remark_advice(m->code)), "%s",
                   text.data ? text.data : "");
        }
    }
    k->failed |= text.failed;
    util_sb_free(&text);
}

static bool place_given(const census *c, const census_record *rec)
{
    for (size_t i = 0; i < NPLACE_ROLES; i++)
        if (!util_is_blank(census_value(c, rec, place_roles[i])))
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
        check(k, VALIDATE_CHECK_DUPLICATE_ID, VALIDATE_ERROR, b->rec->line, column_of(c, CENSUS_ROLE_ID), advice_id,
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
            check(k, VALIDATE_CHECK_SAME_NAME_NO_ID, VALIDATE_ERROR, b->rec->line, column_of(c, CENSUS_ROLE_NOM),
                "Supprimez le doublon, ou donnez un identifiant à chacune des deux lignes",
                "même nom que la ligne %zu, et ni l'une ni l'autre n'a d'identifiant : rien ne "
                "les distingue d'une année à l'autre", a->rec->line);
        else
            check(k, VALIDATE_CHECK_SAME_NAME, VALIDATE_WARNING, b->rec->line, column_of(c, CENSUS_ROLE_NOM),
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

/* ---- the census reader's warnings ---------------------------------------------------- */

/* The reader's warnings (model/record.h), each a finding at its line. */
static void check_census_warnings(checker *k, const census *c)
{
    util_strbuf text;
    util_sb_init(&text);
    for (size_t i = 0; i < c->nwarns; i++) {
        const census_warning *w = &c->warns[i];
        if (w->kind == CENSUS_WIDE_ROW) {
            k->r->wide_rows++;
            report(k, VALIDATE_CENSUS, (int)w->kind, VALIDATE_WARNING, w->line, "",
                   "Entourez de guillemets la cellule qui contient le séparateur, ou retirez "
                   "les cellules en trop dans le tableur",
                   "%zu cellules pour %zu colonnes d'en-tête : les cellules en trop sont "
                   "ignorées (un séparateur dans une cellule ?)", w->n[0], w->n[1]);
            continue;
        }
        text.len = 0;
        if (text.data)
            text.data[0] = '\0';
        census_warning_text(c, w, &text);
        report(k, VALIDATE_CENSUS, (int)w->kind, VALIDATE_WARNING, w->line, "",
               "Vérifiez l'en-tête ou la ligne indiquée", "%s", text.data ? text.data : "");
    }
    k->failed |= text.failed;
    util_sb_free(&text);
}

ptce_status validate_run(ptce_ctx *ctx, const ptce_run *run, validate_report *out)
{
    checker k = {.ctx = ctx, .r = out};
    const census *c = &run->census;
    if (!out->path) {
        out->path = util_strdup(c->path ? c->path : "");
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

    check_census_warnings(&k, c);
    check_header(&k, c);
    bool any_place_column = false;
    for (size_t i = 0; i < NPLACE_ROLES; i++)
        any_place_column |= has_role(c, place_roles[i]);
    check_duplicates(&k, run);
    for (size_t i = 0; i < run->nrows && !k.failed; i++) {
        const ptce_row *row = &run->rows[i];
        const census_record *rec = row->rec;
        if (has_role(c, CENSUS_ROLE_NOM) && util_is_blank(row->nom))
            check(&k, VALIDATE_CHECK_EMPTY_NAME, VALIDATE_ERROR, rec->line, column_of(c, CENSUS_ROLE_NOM),
                "Indiquez le nom du PTCE",
                "nom du PTCE vide : la carte et les rapports n'auront rien à afficher");
        if (has_role(c, CENSUS_ROLE_ID) && row->id_derived)
            check(&k, VALIDATE_CHECK_DERIVED_ID, VALIDATE_WARNING, rec->line, column_of(c, CENSUS_ROLE_ID),
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
            check(&k, VALIDATE_CHECK_NO_PLACE, VALIDATE_ERROR, rec->line, "",
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

ptce_status validate_census(ptce_ctx *ctx, const run_options *opts, validate_report *out)
{
    memset(out, 0, sizeof *out);
    out->path = util_strdup(opts->census_path);
    if (!out->path)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    /* The run as `build` would do it, quietly: the findings say it all, the census
     * reader's warnings included (they are records of the census). */
    run_options ro = *opts;
    ro.without_taxonomy = 1;
    ptce_run run;
    int saved_quiet = ctx->quiet;
    ctx->quiet = 1;
    ptce_status st = run_load(ctx, &ro, &run);
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

static void where(util_strbuf *sb, const validate_report *r, const validate_finding *f)
{
    util_sb_append(sb, r->path);
    if (f->line)
        util_sb_printf(sb, ", ligne %zu", f->line);
    if (f->column[0])
        util_sb_printf(sb, ", colonne « %s »", f->column);
}

static void plural(util_strbuf *sb, size_t n, const char *one, const char *many)
{
    util_sb_printf(sb, "%zu %s", n, n > 1 ? many : one);
}

ptce_status validate_format_text(ptce_ctx *ctx, const validate_report *r, util_strbuf *sb)
{
    util_sb_printf(sb, "Vérification de %s\n  encodage %s, séparateur %s, ", r->path, r->encoding,
              separator_name(r->separator));
    plural(sb, r->nrows, "ligne de PTCE", "lignes de PTCE");
    if (r->empty_lines) {
        util_sb_append(sb, ", ");
        plural(sb, r->empty_lines, "ligne vide ignorée", "lignes vides ignorées");
    }
    if (r->wide_rows) {
        util_sb_append(sb, ", ");
        plural(sb, r->wide_rows, "ligne avec trop de cellules", "lignes avec trop de cellules");
    }
    util_sb_append(sb, "\n");
    for (int pass = 0; pass < 2; pass++) {
        validate_severity sev = pass == 0 ? VALIDATE_ERROR : VALIDATE_WARNING;
        size_t n = pass == 0 ? r->nerrors : r->nwarnings;
        if (n == 0)
            continue;
        util_sb_printf(sb, "\n%s (%zu) : %s\n", pass == 0 ? "ERREURS" : "AVERTISSEMENTS", n,
                  pass == 0 ? "à corriger, sinon des PTCE manqueront sur la carte ou seront mal "
                              "suivis d'une année à l'autre"
                            : "à vérifier ; la carte peut être produite");
        for (size_t i = 0; i < r->nfindings; i++) {
            const validate_finding *f = &r->findings[i];
            if (f->severity != sev)
                continue;
            util_sb_append(sb, "\n  ");
            where(sb, r, f);
            size_t plen = strlen(f->problem);
            char last = plen ? f->problem[plen - 1] : '.';
            util_sb_printf(sb, " : %s%s\n", f->problem,
                      last == '.' || last == '?' || last == '!' ? "" : ".");
            if (f->advice[0])
                util_sb_printf(sb, "    → Que faire : %s.\n", f->advice);
        }
    }
    util_sb_append(sb, "\nBilan : ");
    plural(sb, r->nrows, "ligne lue", "lignes lues");
    util_sb_append(sb, " ; ");
    plural(sb, r->nerrors, "erreur", "erreurs");
    util_sb_append(sb, ", ");
    plural(sb, r->nwarnings, "avertissement", "avertissements");
    util_sb_append(sb, " ; ");
    plural(sb, r->nplaced, "PTCE sera placé", "PTCE seront placés");
    util_sb_printf(sb, " sur la carte, %zu ambigu%s, %zu rejeté%s.\n", r->nambiguous,
              r->nambiguous > 1 ? "s" : "", r->nrejected, r->nrejected > 1 ? "s" : "");
    if (r->nerrors == 0)
        util_sb_append(sb, "Aucune erreur : le recensement peut être cartographié (ptce-map build).\n");
    else
        util_sb_append(sb, "Corrigez les erreurs puis relancez ptce-map validate.\n");
    return sb->failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante") : PTCE_OK;
}

ptce_status validate_format_csv(ptce_ctx *ctx, const validate_report *r, util_strbuf *sb)
{
    csvfile_begin(sb);
    csvfile_append_cell(sb, "ligne", CSVFILE_OUT_SEP, 1);
    csvfile_append_cell(sb, "colonne", CSVFILE_OUT_SEP, 0);
    csvfile_append_cell(sb, "gravite", CSVFILE_OUT_SEP, 0);
    csvfile_append_cell(sb, "probleme", CSVFILE_OUT_SEP, 0);
    csvfile_append_cell(sb, "conseil", CSVFILE_OUT_SEP, 0);
    csvfile_end_row(sb);
    for (size_t i = 0; i < r->nfindings; i++) {
        const validate_finding *f = &r->findings[i];
        char line[32] = "";
        if (f->line)
            snprintf(line, sizeof line, "%zu", f->line);
        csvfile_append_cell(sb, line, CSVFILE_OUT_SEP, 1);
        csvfile_append_cell(sb, f->column, CSVFILE_OUT_SEP, 0);
        csvfile_append_cell(sb, f->severity == VALIDATE_ERROR ? "erreur" : "avertissement", CSVFILE_OUT_SEP, 0);
        csvfile_append_cell(sb, f->problem, CSVFILE_OUT_SEP, 0);
        csvfile_append_cell(sb, f->advice, CSVFILE_OUT_SEP, 0);
        csvfile_end_row(sb);
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
