/*
 * geocode/overrides.c — analyst corrections (overrides.csv), keyed by PTCE id.
 *
 * A correction is read once and checked whole at load time, so that a typing error in the
 * file stops the run with the file, the line and the column, instead of silently leaving
 * a row unfixed. The table is sorted by id and looked up by binary search.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/util.h"
#include "geocode/internal.h"

struct override_table {
    char *path;
    override_entry *entries;   /* sorted by id */
    size_t n;
    char **strings;            /* owned copies of ids, notes and codes */
    size_t nstrings, capstrings;
};

static void table_free(override_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nstrings; i++)
        free(t->strings[i]);
    free(t->strings);
    free(t->entries);
    free(t->path);
    free(t);
}

void overrides_free(override_table *t)
{
    table_free(t);
}

size_t overrides_count(const override_table *t)
{
    return t->n;
}

const char *overrides_path(const override_table *t)
{
    return t->path;
}

static int cmp_entry(const void *a, const void *b)
{
    const override_entry *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

const override_entry *overrides_find(const override_table *t, const char *id)
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
static const char *keep(override_table *t, const char *s)
{
    if (t->nstrings == t->capstrings) {
        size_t cap = t->capstrings ? 2 * t->capstrings : 64;
        char **grown = realloc(t->strings, cap * sizeof *grown);
        if (!grown)
            return NULL;
        t->strings = grown;
        t->capstrings = cap;
    }
    char *copy = ptce_strdup(s);
    if (!copy)
        return NULL;
    t->strings[t->nstrings++] = copy;
    return copy;
}

/* ---- reading the file ------------------------------------------------------------------ */

static const unsigned short cp1252_high[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

/* Windows-1252 bytes to UTF-8 (spreadsheets on Windows write it). */
static char *from_windows_1252(const char *bytes, size_t len)
{
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)bytes[i];
        unsigned cp = b < 0x80 ? b : b < 0xA0 ? cp1252_high[b - 0x80] : b;
        if (cp < 0x80) {
            sb_append_char(&sb, (char)cp);
        } else if (cp < 0x800) {
            sb_append_char(&sb, (char)(0xC0 | (cp >> 6)));
            sb_append_char(&sb, (char)(0x80 | (cp & 0x3F)));
        } else {
            sb_append_char(&sb, (char)(0xE0 | (cp >> 12)));
            sb_append_char(&sb, (char)(0x80 | ((cp >> 6) & 0x3F)));
            sb_append_char(&sb, (char)(0x80 | (cp & 0x3F)));
        }
    }
    return sb_take(&sb);
}

#define MAX_FIELDS 32
#define FIELD_SIZE 512

typedef struct record {
    char fields[MAX_FIELDS][FIELD_SIZE];
    int n;
    size_t line;      /* physical line where the record starts */
} record;

/* Reads one record at *pp (quotes as in RFC 4180, any of \n, \r\n). Returns 1 when a
 * record was read, 0 at the end, -1 on an unterminated quote. */
static int next_record(const char **pp, size_t *line, char sep, record *rec)
{
    const char *p = *pp;
    if (!*p)
        return 0;
    rec->n = 0;
    rec->line = *line;
    size_t len = 0;
    int quoted = 0, field_started = 0;
    char *cur = rec->fields[0];
    cur[0] = '\0';
    for (;;) {
        char c = *p;
        if (quoted) {
            if (!c)
                return -1;
            if (c == '"' && p[1] == '"') {
                p += 2;
                if (len + 1 < FIELD_SIZE)
                    cur[len++] = '"';
                continue;
            }
            if (c == '"') {
                quoted = 0;
                p++;
                continue;
            }
            if (c == '\n')
                (*line)++;
            if (len + 1 < FIELD_SIZE)
                cur[len++] = c;
            p++;
            continue;
        }
        if (c == '"' && !field_started) {
            quoted = 1;
            field_started = 1;
            p++;
            continue;
        }
        if (c == sep || c == '\n' || c == '\r' || !c) {
            /* A cell cut at FIELD_SIZE must not end inside a character. */
            int cut = len + 1 >= FIELD_SIZE;
            while (cut && len > 0 && !utf8_is_valid(cur, len))
                len--;
            cur[len] = '\0';
            rec->n++;
            if (c == sep) {
                p++;
                if (rec->n < MAX_FIELDS) {
                    cur = rec->fields[rec->n];
                    len = 0;
                    cur[0] = '\0';
                    field_started = 0;
                    continue;
                }
                /* Too many cells: skip the rest of the line. */
                while (*p && *p != '\n')
                    p++;
                c = *p;
            }
            if (c == '\r')
                p++;
            if (*p == '\n')
                p++;
            if (c || *p)
                (*line)++;
            *pp = p;
            return 1;
        }
        field_started = 1;
        if (len + 1 < FIELD_SIZE)
            cur[len++] = c;
        p++;
    }
}

static int blank_record(const record *rec)
{
    for (int i = 0; i < rec->n; i++) {
        char tmp[FIELD_SIZE];
        snprintf(tmp, sizeof tmp, "%s", rec->fields[i]);
        if (str_trim(tmp)[0])
            return 0;
    }
    return 1;
}

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
    geo_fold(header, key, sizeof key);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(key, names[i].key) == 0)
            return names[i].role;
    return -1;
}

/* Reads one data row into `e`. Returns PTCE_OK or an error naming line and column. */
static ptce_status read_row(geocoder *g, override_table *t, const record *rec, const int *col,
                            const char *const *header, override_entry *e)
{
    ptce_ctx *ctx = g->ctx;
    const char *path = t->path;
    char cell[NCOLS][FIELD_SIZE];
    for (int k = 0; k < NCOLS; k++) {
        cell[k][0] = '\0';
        if (col[k] >= 0 && col[k] < rec->n) {
            snprintf(cell[k], FIELD_SIZE, "%s", rec->fields[col[k]]);
            str_trim(cell[k]);
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
            const former_commune *f = refdata_former(g->rd, code);
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
        double lat, lon;
        if (!parse_decimal(cell[COL_LAT], &lat))
            return ptce_fail(ctx, PTCE_ERR_INPUT,
                             "%s, ligne %zu, colonne « %s » : « %s » n'est pas un nombre",
                             path, rec->line, COLNAME(COL_LAT), cell[COL_LAT]);
        if (!parse_decimal(cell[COL_LON], &lon))
            return ptce_fail(ctx, PTCE_ERR_INPUT,
                             "%s, ligne %zu, colonne « %s » : « %s » n'est pas un nombre",
                             path, rec->line, COLNAME(COL_LON), cell[COL_LON]);
        if (!geo_in_france_box(lat, lon)) {
            const char *hint = geo_in_france_box(lon, lat)
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

static ptce_status parse_table(geocoder *g, override_table *t, const char *text)
{
    ptce_ctx *ctx = g->ctx;
    const char *path = t->path;
    /* The separator: what the header line uses (";" expected, tab and "," accepted). */
    size_t semi = 0, tab = 0, comma = 0;
    for (const char *p = text; *p && *p != '\n'; p++) {
        semi += *p == ';';
        tab += *p == '\t';
        comma += *p == ',';
    }
    char sep = semi ? ';' : tab ? '\t' : comma ? ',' : ';';
    record *rec = malloc(sizeof *rec);
    if (!rec)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    const char *p = text;
    size_t line = 1;
    int got;
    do {
        got = next_record(&p, &line, sep, rec);
    } while (got == 1 && blank_record(rec));
    if (got <= 0) {
        free(rec);
        return ptce_fail(ctx, PTCE_ERR_INPUT,
                         "%s : fichier vide ; l'en-tête attendu est id;insee;latitude;longitude;"
                         "note", path);
    }
    int col[NCOLS];
    for (int k = 0; k < NCOLS; k++)
        col[k] = -1;
    const char *header[MAX_FIELDS];
    char (*names)[FIELD_SIZE] = malloc(sizeof(char[MAX_FIELDS][FIELD_SIZE]));
    if (!names) {
        free(rec);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    for (int i = 0; i < rec->n; i++) {
        snprintf(names[i], FIELD_SIZE, "%s", rec->fields[i]);
        str_trim(names[i]);
        header[i] = names[i];
        int role = column_role(names[i]);
        if (role >= 0 && col[role] < 0)
            col[role] = i;
    }
    ptce_status st = PTCE_OK;
    if (col[COL_ID] < 0)
        st = ptce_fail(ctx, PTCE_ERR_INPUT,
                       "%s, ligne %zu : colonne « id » absente ; l'en-tête attendu est "
                       "id;insee;latitude;longitude;note", path, rec->line);
    else if (col[COL_INSEE] < 0 && (col[COL_LAT] < 0 || col[COL_LON] < 0))
        st = ptce_fail(ctx, PTCE_ERR_INPUT,
                       "%s, ligne %zu : il faut une colonne « insee » ou les colonnes "
                       "« latitude » et « longitude » (en-tête attendu : id;insee;latitude;"
                       "longitude;note)", path, rec->line);
    else if ((col[COL_LAT] < 0) != (col[COL_LON] < 0))
        st = ptce_fail(ctx, PTCE_ERR_INPUT, "%s, ligne %zu : colonne « %s » absente", path,
                       rec->line, col[COL_LAT] < 0 ? "latitude" : "longitude");
    size_t cap = 0;
    while (!st && (got = next_record(&p, &line, sep, rec)) == 1) {
        if (blank_record(rec))
            continue;
        if (t->n == cap) {
            cap = cap ? 2 * cap : 32;
            override_entry *grown = realloc(t->entries, cap * sizeof *grown);
            if (!grown) {
                st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
                break;
            }
            t->entries = grown;
        }
        st = read_row(g, t, rec, col, header, &t->entries[t->n]);
        if (!st)
            t->n++;
    }
    if (!st && got < 0)
        st = ptce_fail(ctx, PTCE_ERR_INPUT,
                       "%s, ligne %zu : guillemet ouvert jamais refermé", path, rec->line);
    char id_col[64];
    snprintf(id_col, sizeof id_col, "%s", col[COL_ID] >= 0 ? header[col[COL_ID]] : "id");
    free(names);
    free(rec);
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

ptce_status geocoder_load_overrides(geocoder *g, const char *path)
{
    ptce_ctx *ctx = g->ctx;
    size_t len;
    char *bytes = ptce_read_file(path, &len);
    if (!bytes)
        return ptce_fail(ctx, PTCE_ERR_IO, "%s : lecture impossible (%s).", path,
                         strerror(errno));
    if (memchr(bytes, '\0', len)) {
        free(bytes);
        return ptce_fail(ctx, PTCE_ERR_INPUT,
                         "%s : fichier binaire ou UTF-16 ; enregistrez-le en CSV UTF-8 "
                         "(séparateur ;)", path);
    }
    char *text = bytes;
    size_t skip = 0;
    if (len >= 3 && (unsigned char)bytes[0] == 0xEF && (unsigned char)bytes[1] == 0xBB &&
        (unsigned char)bytes[2] == 0xBF)
        skip = 3;
    if (!utf8_is_valid(bytes + skip, len - skip)) {
        text = from_windows_1252(bytes + skip, len - skip);
        free(bytes);
        bytes = NULL;
        skip = 0;
        if (!text)
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    override_table *t = calloc(1, sizeof *t);
    if (!t || !(t->path = ptce_strdup(path))) {
        free(t);
        free(text);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    ptce_status st = parse_table(g, t, text + skip);
    free(text);
    if (st) {
        table_free(t);
        return st;
    }
    overrides_free(g->overrides);
    g->overrides = t;
    return PTCE_OK;
}
