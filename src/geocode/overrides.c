/*
 * geocode/overrides.c — analyst corrections (overrides.csv), keyed by PTCE id.
 *
 * A correction is read once and checked whole at load time, so that a typing error in the
 * file stops the run with the file, the line and the column, instead of silently leaving
 * a row unfixed. The table is sorted by id and looked up by binary search.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csvfile.h"
#include "core/ctx.h"
#include "core/util.h"
#include "geocode/internal.h"

struct geocode_override_table {
    char *path;
    geocode_override_entry *entries;   /* sorted by id */
    size_t n;
    unsigned char *used;       /* n flags: a row carried the entry's id (geocode_row) */
    char **strings;            /* owned copies of ids, notes and codes */
    size_t nstrings, capstrings;
};

static void table_free(geocode_override_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nstrings; i++)
        free(t->strings[i]);
    free(t->strings);
    free(t->entries);
    free(t->used);
    free(t->path);
    free(t);
}

void geocode_overrides_free(geocode_override_table *t)
{
    table_free(t);
}

size_t geocode_overrides_size(const geocode_override_table *t)
{
    return t->n;
}

const char *geocode_overrides_path(const geocode_override_table *t)
{
    return t->path;
}

static int cmp_entry(const void *a, const void *b)
{
    const geocode_override_entry *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

const geocode_override_entry *geocode_overrides_find(const geocode_override_table *t, const char *id)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->entries[mid].id, id);
        if (c == 0)
            return &t->entries[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Keeps a copy owned by the table; NULL when memory runs out. */
static const char *keep(geocode_override_table *t, const char *s)
{
    if (t->nstrings == t->capstrings) {
        size_t cap = t->capstrings ? 2 * t->capstrings : 64;
        char **grown = realloc(t->strings, cap * sizeof *grown);
        if (!grown)
            return NULL;
        t->strings = grown;
        t->capstrings = cap;
    }
    char *copy = util_strdup(s);
    if (!copy)
        return NULL;
    t->strings[t->nstrings++] = copy;
    return copy;
}

/* ---- reading the file ------------------------------------------------------------------ */

/* The longest cell of a correction: an id, a code, a number or a short note. A longer one
 * is refused with its line and column (core/csvfile.h), never cut. */
#define OVERRIDE_MAX_CELL 500

enum { COL_ID, COL_INSEE, COL_LAT, COL_LON, COL_NOTE, NCOLS };
static const char *const col_names[NCOLS] = {"id", "insee", "latitude", "longitude", "note"};

static int column_role(const char *header)
{
    static const struct {
        const char *key;
        int role;
    } names[] = {{"id", COL_ID},          {"identifiant", COL_ID},     {"id ptce", COL_ID},
                 {"insee", COL_INSEE},    {"code insee", COL_INSEE},   {"cog", COL_INSEE},
                 {"latitude", COL_LAT},   {"lat", COL_LAT},            {"longitude", COL_LON},
                 {"lon", COL_LON},        {"lng", COL_LON},            {"long", COL_LON},
                 {"note", COL_NOTE},      {"commentaire", COL_NOTE},   {"remarque", COL_NOTE},
                 {"motif", COL_NOTE}};
    char key[128];
    text_fold_into(header, key, sizeof key);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(key, names[i].key) == 0)
            return names[i].role;
    return -1;
}

/* Reads one data row into `e`. Returns PTCE_OK or an error naming line and column. */
static ptce_status read_row(geocoder *g, geocode_override_table *t, const csvfile_table *tab,
                            const csvfile_row *rec, const int *col, const char *const *header,
                            geocode_override_entry *e)
{
    ptce_ctx *ctx = g->ctx;
    const char *path = t->path;
    char cell[NCOLS][OVERRIDE_MAX_CELL + 1];
    for (int k = 0; k < NCOLS; k++) {
        cell[k][0] = '\0';
        if (col[k] >= 0) {
            /* The reader refused longer cells: this copy cuts nothing. */
            snprintf(cell[k], sizeof cell[k], "%s", csvfile_table_cell(tab, rec, (size_t)col[k]));
            util_trim(cell[k]);
        }
    }
#define COLNAME(k) (header[col[k]])
    memset(e, 0, sizeof *e);
    e->line = rec->line;
    if (!cell[COL_ID][0])
        return ptce_fail(ctx, PTCE_ERR_INPUT, "%s, ligne %zu, colonne « %s » : identifiant vide",
                         path, rec->line, COLNAME(COL_ID));
    if (cell[COL_INSEE][0]) {
        char code[6];
        int zero;
        if (!refdata_clean_insee(cell[COL_INSEE], code, &zero))
            return ptce_fail(ctx, PTCE_ERR_INPUT,
                             "%s, ligne %zu, colonne « %s » : « %s » n'est pas un code INSEE "
                             "(5 caractères, comme 69123 ou 2A004)",
                             path, rec->line, COLNAME(COL_INSEE), cell[COL_INSEE]);
        const char *nom = NULL;
        const char *coll = refdata_outside_collectivity(g->rd, code, &nom);
        if (coll)
            return ptce_fail(ctx, PTCE_ERR_INPUT,
                             "%s, ligne %zu, colonne « %s » : %s (%s) est hors des 18 régions "
                             "de la carte (collectivité %s)",
                             path, rec->line, COLNAME(COL_INSEE), nom, code, coll);
        e->commune = refdata_commune(g->rd, code);
        if (!e->commune) {
            const refdata_former_commune *f = refdata_former(g->rd, code);
            if (!f)
                return ptce_fail(ctx, PTCE_ERR_INPUT,
                                 "%s, ligne %zu, colonne « %s » : code INSEE %s inconnu du COG "
                                 "%s",
                                 path, rec->line, COLNAME(COL_INSEE), code, g->rd->cog_year);
            e->commune = f->current;
            if (!(e->code_given = keep(t, code)))
                return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        }
    }
    int has_lat = cell[COL_LAT][0] != '\0', has_lon = cell[COL_LON][0] != '\0';
    if (has_lat != has_lon) {
        int missing = has_lat ? COL_LON : COL_LAT;
        return ptce_fail(ctx, PTCE_ERR_INPUT,
                         "%s, ligne %zu, colonne « %s » : vide alors que %s est donnée",
                         path, rec->line, col[missing] >= 0 ? COLNAME(missing) : col_names[missing],
                         has_lat ? "la latitude" : "la longitude");
    }
    if (has_lat) {
        /* Read as the census's coordinates are (geocode_read_coordinate: decimal comma,
         * no-break spaces, hemisphere letters, degrees-minutes-seconds), but a letter must
         * be its column's: a correction is not guessed at. */
        double lat, lon;
        geocode_axis ax;
        unsigned how;
        if (!geocode_read_coordinate(cell[COL_LAT], &lat, &ax, &how) ||
            ax == GEOCODE_AXIS_LONGITUDE)
            return ptce_fail(ctx, PTCE_ERR_INPUT,
                             "%s, ligne %zu, colonne « %s » : « %s » n'est pas une latitude "
                             "lisible (degrés décimaux, par exemple 45,7712)",
                             path, rec->line, COLNAME(COL_LAT), cell[COL_LAT]);
        if (!geocode_read_coordinate(cell[COL_LON], &lon, &ax, &how) ||
            ax == GEOCODE_AXIS_LATITUDE)
            return ptce_fail(ctx, PTCE_ERR_INPUT,
                             "%s, ligne %zu, colonne « %s » : « %s » n'est pas une longitude "
                             "lisible (degrés décimaux, par exemple 4,8802)",
                             path, rec->line, COLNAME(COL_LON), cell[COL_LON]);
        if (!geocode_in_france_box(lat, lon)) {
            const char *hint = geocode_in_france_box(lon, lat)
                                   ? " ; latitude et longitude inversées ?"
                                   : (lat > 1000 || lon > 1000)
                                         ? " ; des degrés WGS 84 sont attendus, pas des mètres"
                                         : "";
            return ptce_fail(ctx, PTCE_ERR_INPUT,
                             "%s, ligne %zu, colonnes « %s » et « %s » : (%s ; %s) est hors des "
                             "18 régions%s",
                             path, rec->line, COLNAME(COL_LAT), COLNAME(COL_LON), cell[COL_LAT],
                             cell[COL_LON], hint);
        }
        e->has_point = 1;
        e->lat = lat;
        e->lon = lon;
    }
    if (!e->commune && !e->has_point)
        return ptce_fail(ctx, PTCE_ERR_INPUT,
                         "%s, ligne %zu : ni code INSEE ni coordonnées pour « %s » ; indiquez "
                         "l'un ou l'autre (ou retirez la ligne)",
                         path, rec->line, cell[COL_ID]);
    if (!(e->id = keep(t, cell[COL_ID])) || !(e->note = keep(t, cell[COL_NOTE])))
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
#undef COLNAME
    return PTCE_OK;
}

static ptce_status parse_table(geocoder *g, geocode_override_table *t, const csvfile_table *tab)
{
    ptce_ctx *ctx = g->ctx;
    const char *path = t->path;
    if (tab->empty)
        return ptce_fail(ctx, PTCE_ERR_INPUT,
                         "%s : fichier vide ; l'en-tête attendu est id;insee;latitude;longitude;"
                         "note", path);
    int col[NCOLS];
    for (int k = 0; k < NCOLS; k++)
        col[k] = -1;
    /* The header's names, trimmed (copies, freed below). */
    char **names = calloc(tab->ncols ? tab->ncols : 1, sizeof *names);
    if (!names)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    ptce_status st = PTCE_OK;
    for (size_t i = 0; i < tab->ncols && !st; i++) {
        if (!(names[i] = util_strdup(csvfile_table_cell(tab, NULL, i)))) {
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            break;
        }
        util_trim(names[i]);
        int role = column_role(names[i]);
        if (role >= 0 && col[role] < 0)
            col[role] = (int)i;
    }
    const char *const *header = (const char *const *)names;
    size_t header_line = tab->header_line;
    if (!st && col[COL_ID] < 0)
        st = ptce_fail(ctx, PTCE_ERR_INPUT,
                       "%s, ligne %zu : colonne « id » absente ; l'en-tête attendu est "
                       "id;insee;latitude;longitude;note", path, header_line);
    else if (!st && col[COL_INSEE] < 0 && (col[COL_LAT] < 0 || col[COL_LON] < 0))
        st = ptce_fail(ctx, PTCE_ERR_INPUT,
                       "%s, ligne %zu : il faut une colonne « insee » ou les colonnes "
                       "« latitude » et « longitude » (en-tête attendu : id;insee;latitude;"
                       "longitude;note)", path, header_line);
    else if (!st && (col[COL_LAT] < 0) != (col[COL_LON] < 0))
        st = ptce_fail(ctx, PTCE_ERR_INPUT, "%s, ligne %zu : colonne « %s » absente", path,
                       header_line, col[COL_LAT] < 0 ? "latitude" : "longitude");
    if (!st && tab->nrows) {
        t->entries = malloc(tab->nrows * sizeof *t->entries);
        if (!t->entries)
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    for (size_t r = 0; !st && r < tab->nrows; r++) {
        st = read_row(g, t, tab, &tab->rows[r], col, header, &t->entries[t->n]);
        if (!st)
            t->n++;
    }
    char id_col[64];
    snprintf(id_col, sizeof id_col, "%s", col[COL_ID] >= 0 ? header[col[COL_ID]] : "id");
    for (size_t i = 0; i < tab->ncols; i++)
        free(names[i]);
    free(names);
    if (st)
        return st;
    if (t->n > 1)
        qsort(t->entries, t->n, sizeof *t->entries, cmp_entry);
    for (size_t i = 1; i < t->n; i++)
        if (strcmp(t->entries[i].id, t->entries[i - 1].id) == 0)
            return ptce_fail(ctx, PTCE_ERR_INPUT,
                             "%s, ligne %zu, colonne « %s » : l'identifiant « %s » est déjà "
                             "corrigé ligne %zu ; gardez une seule ligne par PTCE",
                             path, t->entries[i].line, id_col,
                             t->entries[i].id, t->entries[i - 1].line);
    return PTCE_OK;
}

ptce_status geocode_load_overrides(geocoder *g, const char *path)
{
    ptce_ctx *ctx = g->ctx;
    size_t len;
    char *bytes = util_read_file(path, &len);
    if (!bytes)
        return ptce_fail_read(ctx, PTCE_ERR_INPUT, path, errno);
    csvfile_table tab;
    csvfile_read_options opts = {.max_cell = OVERRIDE_MAX_CELL};
    ptce_status st = csvfile_table_parse(ctx, path, bytes, len, &opts, &tab);
    free(bytes);
    if (st)
        return st;
    geocode_override_table *t = calloc(1, sizeof *t);
    if (!t || !(t->path = util_strdup(path))) {
        free(t);
        csvfile_table_free(&tab);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    st = parse_table(g, t, &tab);
    csvfile_table_free(&tab);
    if (!st && !(t->used = calloc(t->n ? t->n : 1, 1)))
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    if (st) {
        table_free(t);
        return st;
    }
    geocode_overrides_free(g->overrides);
    g->overrides = t;
    return PTCE_OK;
}

void geocode_overrides_mark_used(geocode_override_table *t, const geocode_override_entry *e)
{
    if (e >= t->entries && e < t->entries + t->n)
        t->used[e - t->entries] = 1;
}

const char *geocode_unused_override(const geocoder *g, size_t *next, size_t *line)
{
    const geocode_override_table *t = g->overrides;
    for (; t && *next < t->n; (*next)++)
        if (!t->used[*next]) {
            *line = t->entries[*next].line;
            return t->entries[(*next)++].id;
        }
    return NULL;
}
