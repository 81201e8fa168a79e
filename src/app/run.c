/*
 * app/run.c — see run.h.
 */
#include "app/run.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ctx.h"
#include "core/util.h"
#include "text/fold.h"

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

static char *derive_id(const census *c, const census_record *rec)
{
    char *key = text_fold(census_value(c, rec, CENSUS_ROLE_NOM));
    if (!key)
        return NULL; /* out of memory: the caller says so (not another id) */
    char buf[32];
    if (key && key[0])
        snprintf(buf, sizeof buf, "auto-%08x", fnv1a(key));
    else
        snprintf(buf, sizeof buf, "ligne-%zu", rec->line);
    free(key);
    return util_strdup(buf);
}

ptce_status run_load(ptce_ctx *ctx, const run_options *opts, ptce_run *run)
{
    memset(run, 0, sizeof *run);
    census_options copts = {.columns = opts->columns};
    ptce_status st = PTCE_OK;
    if (opts->preread) {
        run->census = *opts->preread;
        memset(opts->preread, 0, sizeof *opts->preread);
    } else if ((st = census_read(ctx, opts->census_path, &copts, &run->census))) {
        return st;
    }
    if (opts->shared_refdata) {
        run->rd = opts->shared_refdata;
    } else {
        if (!(run->rd_owned = calloc(1, sizeof *run->rd_owned)))
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        run->rd = run->rd_owned;
        /* Without a data folder refdata_load says so, for every command (the default
         * taxonomy lives there too). */
        if ((!opts->without_refdata || !ptce_data_dir(ctx)) && (st = refdata_load(ctx, run->rd)))
            return st;
    }
    if (!opts->without_taxonomy) {
        char tax_path[4096];
        if (opts->taxonomy_path)
            snprintf(tax_path, sizeof tax_path, "%s", opts->taxonomy_path);
        else
            snprintf(tax_path, sizeof tax_path, "%s/taxonomie.txt", ptce_data_dir(ctx));
        if ((st = classify_taxonomy_load(ctx, tax_path, &run->tax)))
            return st;
    }

    census *c = &run->census;
    run->overrides = opts->overrides;
    run->ban_paths = opts->ban_paths;
    run->nban = opts->nban;
    run->rows = calloc(c->nrecords ? c->nrecords : 1, sizeof *run->rows);
    if (!run->rows)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    run->nrows = c->nrecords; /* only once the rows exist: run_free walks them */
    run->has_membres = c->role_col[CENSUS_ROLE_MEMBRES] >= 0;
    for (size_t i = 0; i < run->nrows; i++) {
        ptce_row *row = &run->rows[i];
        row->rec = &c->records[i];
        row->nom = census_value(c, row->rec, CENSUS_ROLE_NOM);
        /* The identifier whole, however long: a cut one could make two rows one. */
        row->id = util_strdup(census_value(c, row->rec, CENSUS_ROLE_ID));
        if (row->id && !util_trim(row->id)[0]) { /* trimmed in place */
            free(row->id);
            row->id = derive_id(c, row->rec);
            row->id_derived = 1;
        }
        if (!row->id)
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        double v;
        row->membres = -1;
        const char *m = census_value(c, row->rec, CENSUS_ROLE_MEMBRES);
        if (util_parse_decimal(m, &v) && v >= 0 && v < 1e9)
            row->membres = (long)v;
        else if (!util_is_blank(m)) {
            util_strbuf ex;
            util_sb_init(&ex);
            util_sb_append_excerpt(&ex, m, 30);
            ptce_warn(ctx, "%s, ligne %zu, colonne « %s » : « %s » n'est pas un nombre de "
                           "membres ; ignoré", c->path, row->rec->line,
                      c->header[c->role_col[CENSUS_ROLE_MEMBRES]], ex.data ? ex.data : "");
            util_sb_free(&ex);
        }
        const char *y = census_value(c, row->rec, CENSUS_ROLE_ANNEE);
        if (util_parse_decimal(y, &v) && v >= PTCE_YEAR_MIN && v <= PTCE_YEAR_MAX)
            row->annee = (int)v;
    }
    return PTCE_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The BAN files given, a folder standing for its .csv and .csv.gz files in name order. */
static ptce_status load_ban(ptce_ctx *ctx, geocoder *g, const char *const *given, size_t n)
{
    char **files = NULL;
    size_t nfiles = 0, cap = 0;
    ptce_status st = PTCE_OK;
    for (size_t i = 0; i < n && !st; i++) {
        struct stat sst;
        DIR *d = stat(given[i], &sst) == 0 && S_ISDIR(sst.st_mode) ? opendir(given[i]) : NULL;
        size_t first = nfiles;
        struct dirent *e = NULL;
        do {
            char path[4096];
            if (d) {
                e = readdir(d);
                if (!e)
                    break;
                if (!ends_with(e->d_name, ".csv") && !ends_with(e->d_name, ".csv.gz"))
                    continue;
                snprintf(path, sizeof path, "%s/%s", given[i], e->d_name);
            } else {
                snprintf(path, sizeof path, "%s", given[i]);
            }
            if (nfiles == cap) {
                cap = cap ? cap * 2 : 16;
                char **grown = realloc(files, cap * sizeof *files);
                if (!grown) {
                    st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
                    break;
                }
                files = grown;
            }
            if (!(files[nfiles] = util_strdup(path))) {
                st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
                break;
            }
            nfiles++;
        } while (d);
        if (d) {
            closedir(d);
            if (!st && nfiles == first)
                st = ptce_fail(ctx, PTCE_ERR_INPUT, "--ban %s : aucun fichier .csv ou .csv.gz "
                                                    "dans ce dossier", given[i]);
            if (nfiles > first) /* never qsort(NULL, 0, …): undefined */
                qsort(files + first, nfiles - first, sizeof *files, cmp_paths);
        }
    }
    if (!st)
        st = geocode_load_ban(g, (const char *const *)files, nfiles);
    if (!st)
        ptce_info(ctx, "base adresse nationale : %zu point(s) adresse chargé(s) de %zu "
                       "fichier(s)", geocode_ban_count(g), nfiles);
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    return st;
}

/* ---- rows of the other year with the same cells ------------------------------------------
 *
 * An index of a finished run's rows by the texts of some of their cells (roles): what a
 * stage reads of a row, when the stage depends on nothing else of it. Open addressing: a
 * slot holds a row index + 1, 0 when free; the table is at least twice the rows, so a
 * probe ends, and rows are inserted in file order, so a lookup finds the first row of the
 * run with these texts. */
typedef struct rows_index {
    const ptce_run *run;
    const census_role *roles;
    size_t nroles;
    size_t *slot;
    size_t mask;
} rows_index;

/* FNV-1a over the cells, each followed by a NUL. */
static uint64_t cells_hash(const census *c, const census_record *rec, const census_role *roles,
                           size_t nroles)
{
    uint64_t h = 14695981039346656037u;
    for (size_t k = 0; k < nroles; k++)
        for (const char *s = census_value(c, rec, roles[k]);; s++) {
            h = (h ^ (unsigned char)*s) * 1099511628211u;
            if (!*s)
                break;
        }
    return h;
}

/* An empty index for up to `nrows` rows of `run`; -1 without memory. */
static int rows_index_init(rows_index *ix, const ptce_run *run, const census_role *roles,
                           size_t nroles, size_t nrows)
{
    size_t cap = 16;
    while (cap < 2 * nrows)
        cap *= 2;
    *ix = (rows_index){.run = run, .roles = roles, .nroles = nroles, .mask = cap - 1};
    return (ix->slot = calloc(cap, sizeof *ix->slot)) ? 0 : -1;
}

/* Adds row i of the indexed run (at most the `nrows` of rows_index_init), whose cells have
 * the hash h (cells_hash with the index's roles). */
static void rows_index_add(rows_index *ix, size_t i, uint64_t h)
{
    size_t k = (size_t)h & ix->mask;
    while (ix->slot[k])
        k = (k + 1) & ix->mask;
    ix->slot[k] = i + 1;
}

static int rows_index_build(rows_index *ix, const ptce_run *run, const census_role *roles,
                            size_t nroles)
{
    if (rows_index_init(ix, run, roles, nroles, run->nrows))
        return -1;
    for (size_t i = 0; i < run->nrows; i++)
        rows_index_add(ix, i, cells_hash(&run->census, run->rows[i].rec, roles, nroles));
    return 0;
}

/* The first row of the indexed run whose cells are the same texts as those of `rec` (a
 * record of census `c`, whose cells have the hash h), NULL when none. */
static const ptce_row *rows_index_find_hashed(const rows_index *ix, const census *c,
                                              const census_record *rec, uint64_t h)
{
    const census *dc = &ix->run->census;
    for (size_t k = (size_t)h & ix->mask; ix->slot[k]; k = (k + 1) & ix->mask) {
        const ptce_row *other = &ix->run->rows[ix->slot[k] - 1];
        size_t r = 0;
        while (r < ix->nroles && strcmp(census_value(dc, other->rec, ix->roles[r]),
                                        census_value(c, rec, ix->roles[r])) == 0)
            r++;
        if (r == ix->nroles)
            return other;
    }
    return NULL;
}

static const ptce_row *rows_index_find(const rows_index *ix, const census *c,
                                       const census_record *rec)
{
    return rows_index_find_hashed(ix, c, rec, cells_hash(c, rec, ix->roles, ix->nroles));
}

static void rows_index_free(rows_index *ix)
{
    free(ix->slot);
    ix->slot = NULL;
}

/* ---- geocoding ------------------------------------------------------------------------- */

/* The cells geocode_row() reads of a row, besides its id (which only the corrections read):
 * the fields of geocode_input after .id, in order (place_input fills them from this list,
 * so the list and the input cannot drift apart). */
static const census_role place_roles[] = {
    CENSUS_ROLE_INSEE,    CENSUS_ROLE_CODE_POSTAL, CENSUS_ROLE_COMMUNE,
    CENSUS_ROLE_DEPARTEMENT, CENSUS_ROLE_ADRESSE, CENSUS_ROLE_LATITUDE,
    CENSUS_ROLE_LONGITUDE, CENSUS_ROLE_X,         CENSUS_ROLE_Y,
};
#define NPLACE_ROLES (sizeof place_roles / sizeof *place_roles)
_Static_assert(sizeof(geocode_input) == (1 + NPLACE_ROLES) * sizeof(const char *),
               "geocode_input has a field place_roles does not list");

static geocode_input place_input(const ptce_run *run, const ptce_row *row)
{
    const char *v[NPLACE_ROLES];
    for (size_t k = 0; k < NPLACE_ROLES; k++)
        v[k] = census_value(&run->census, row->rec, place_roles[k]);
    return (geocode_input){.id = row->id, .insee = v[0], .postcode = v[1], .commune = v[2],
                           .departement = v[3], .address = v[4], .latitude = v[5],
                           .longitude = v[6], .x = v[7], .y = v[8]};
}

static int same_paths(const char *const *a, size_t na, const char *const *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            return 0;
    return 1;
}

/* Whether a placement of `done` is what geocoding would give in `run` for the same place
 * cells. geocode_row() reads the row's place cells, the reference data, the BAN points
 * and the corrections, and keeps nothing from one row to the next but caches that do not
 * change a result (the commune polygons parsed on first use, the Lambert-93 operation).
 * So: the same reference data (one load: the copy's pointers into it stay valid), the
 * same BAN files, and no corrections — a correction is chosen by the row's id, and the
 * corrections a run uses are counted by its own geocoder (the warning about unused ones). */
static int placements_reusable(const ptce_run *run, const ptce_run *done)
{
    return done && done->nrows && done->rd == run->rd && !run->overrides && !done->overrides &&
           same_paths(run->ban_paths, run->nban, done->ban_paths, done->nban);
}

ptce_status run_geocode(ptce_ctx *ctx, ptce_run *run)
{
    return run_geocode_reusing(ctx, run, NULL);
}

ptce_status run_geocode_reusing(ptce_ctx *ctx, ptce_run *run, const ptce_run *done)
{
    geocoder *g;
    ptce_status st = geocode_new(ctx, run->rd, &g);
    if (st)
        return st;
    if (run->overrides && (st = geocode_load_overrides(g, run->overrides)) == PTCE_OK)
        ptce_info(ctx, "%s : %zu correction(s) manuelle(s) chargée(s)", run->overrides,
                  geocode_overrides_count(g));
    if (!st && run->nban > 0)
        st = load_ban(ctx, g, run->ban_paths, run->nban);
    rows_index same = {0};
    if (!st && placements_reusable(run, done) &&
        rows_index_build(&same, done, place_roles, NPLACE_ROLES))
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    if (st) {
        geocode_free(g);
        return st;
    }
    run->nplaced = run->nambiguous = run->nrejected = 0;
    for (size_t i = 0; i < run->nrows && st == PTCE_OK; i++) {
        ptce_row *row = &run->rows[i];
        const ptce_row *other = same.slot ? rows_index_find(&same, &run->census, row->rec) : NULL;
        if (other) {
            if (geo_result_copy(&row->geo, &other->geo))
                st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour géocoder un PTCE");
        } else {
            geocode_input in = place_input(run, row);
            st = geocode_row(g, &in, &row->geo);
        }
        if (row->geo.status == GEO_MATCH)
            run->nplaced++;
        else if (row->geo.status == GEO_AMBIGUOUS)
            run->nambiguous++;
        else
            run->nrejected++;
    }
    rows_index_free(&same);
    /* A correction that no row used has an id that is not the census's: said, never
     * dropped silently (an id retyped, a PTCE gone from this year's census). */
    size_t next = 0, line = 0;
    for (const char *id; st == PTCE_OK && (id = geocode_unused_override(g, &next, &line));)
        ptce_warn(ctx, "%s, ligne %zu : aucune ligne du recensement n'a l'identifiant « %s » : "
                       "cette correction n'est pas appliquée. Vérifiez l'identifiant (colonne "
                       "id) ou retirez la ligne.", run->overrides, line, id);
    geocode_free(g);
    return st;
}

/* ---- classifying ----------------------------------------------------------------------- */

/* The cells classify_text() reads. */
static const census_role text_roles[] = {CENSUS_ROLE_THEME, CENSUS_ROLE_DESCRIPTION};

#define NTEXT_ROLES (sizeof text_roles / sizeof *text_roles)

/* Classifies rows [from, to) of `run` as run_classify_reusing() does, in row order,
 * stopping at the first failure (its message in ctx) or, when `stop` is not NULL, as soon
 * as it is set (PTCE_OK: the caller discards the rows). A row whose theme and description
 * are the texts of a row of `done` (when not NULL), or of an earlier row of [from, to),
 * gets a copy of that row's classification (classify_text() depends on these texts and the
 * taxonomy alone: the copy is what classifying gives). The range alone decides which rows
 * are copied, never which thread runs it. Writes only these rows' `cls`; reads their text
 * cells, run->tax and `done`. */
static ptce_status classify_rows(ptce_ctx *ctx, ptce_run *run, const ptce_run *done,
                                 size_t from, size_t to, const atomic_int *stop)
{
    rows_index same = {0}, earlier = {0};
    if ((done && done->nrows && rows_index_build(&same, done, text_roles, NTEXT_ROLES)) ||
        rows_index_init(&earlier, run, text_roles, NTEXT_ROLES, to - from)) {
        rows_index_free(&same);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    const census *c = &run->census;
    ptce_status st = PTCE_OK;
    for (size_t i = from; i < to && !st; i++) {
        if (stop && atomic_load_explicit(stop, memory_order_relaxed))
            break;
        ptce_row *row = &run->rows[i];
        /* Both indexes are by the texts' roles: one hash for the two look-ups and the add. */
        uint64_t h = cells_hash(c, row->rec, text_roles, NTEXT_ROLES);
        const ptce_row *other = same.slot ? rows_index_find_hashed(&same, c, row->rec, h) : NULL;
        if (!other)
            other = rows_index_find_hashed(&earlier, c, row->rec, h);
        if (other && sectors_classification_copy(&row->cls, &other->cls))
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour classer un PTCE");
        else if (!other) {
            st = classify_text(ctx, run->tax, census_value(c, row->rec, CENSUS_ROLE_THEME),
                               census_value(c, row->rec, CENSUS_ROLE_DESCRIPTION), &row->cls);
            if (!st) /* the first row of the range with these texts */
                rows_index_add(&earlier, i, h);
        }
    }
    rows_index_free(&earlier);
    rows_index_free(&same);
    return st;
}

/* ---- a second core ----------------------------------------------------------------------
 *
 * Placing a row writes row->geo and uses the reference data (its polygons parsed on first
 * use), the BAN points, the corrections and the caller's context (GEOS, PROJ, the log).
 * Classifying it writes row->cls and reads only its two text cells, the taxonomy and the
 * other year's finished run, none of which changes meanwhile; classify_text() uses a
 * context only for ptce_fail(). So a part of the classification runs on a thread of its
 * own: a classify_part, which owns nothing but a detached context (core/ctx.h) for its
 * failure, and which the caller hands to its own context after the join, in the order the
 * one-thread run would have met the failures. When no thread can be started, the caller
 * runs the same part itself, where the one-thread run did: the same rows, the same calls,
 * in the same order (the allocation-failure driver refuses every thread and sees exactly
 * the sequence of before). The bytes never depend on which of the two happened. */

typedef struct classify_part {
    ptce_run *run;          /* not owned; the part writes rows[from, to).cls only */
    const ptce_run *done;   /* not owned, or NULL: see run_classify_reusing */
    size_t from, to;
    atomic_int stop;        /* set by the caller when the part's result will be discarded */
    ptce_ctx errors;        /* detached: the part's failure */
    ptce_status st;
    pthread_t thread;
    int threaded;           /* the thread was started and is to be joined */
} classify_part;

static void *classify_part_run(void *arg)
{
    classify_part *p = arg;
    p->st = classify_rows(&p->errors, p->run, p->done, p->from, p->to, &p->stop);
    return NULL;
}

/* Sets the part up and starts its thread; p->threaded says whether it runs there. */
static void classify_part_start(classify_part *p, ptce_run *run, const ptce_run *done,
                                size_t from, size_t to)
{
    p->run = run;
    p->done = done;
    p->from = from;
    p->to = to;
    atomic_init(&p->stop, 0);
    ptce_ctx_init_detached(&p->errors);
    p->st = PTCE_OK;
    p->threaded = pthread_create(&p->thread, NULL, classify_part_run, p) == 0;
}

/* Waits for the part (`discard`: the caller has failed, the part may stop early), or runs
 * it here when its thread could not be started and its result is wanted. Returns its
 * status, its message in the part's context. */
static ptce_status classify_part_finish(classify_part *p, int discard)
{
    if (p->threaded) {
        if (discard)
            atomic_store_explicit(&p->stop, 1, memory_order_relaxed);
        pthread_join(p->thread, NULL);
        p->threaded = 0;
    } else if (!discard) {
        classify_part_run(p);
    }
    return p->st;
}

/* Under this many rows the classification is not cut in two: starting a thread (tens of
 * microseconds) would be a good part of what it saves. */
#define RUN_CLASSIFY_SPLIT_MIN_ROWS 512

ptce_status run_classify(ptce_ctx *ctx, ptce_run *run)
{
    return run_classify_reusing(ctx, run, NULL);
}

ptce_status run_classify_reusing(ptce_ctx *ctx, ptce_run *run, const ptce_run *done)
{
    if ((done && done->nrows) || run->nrows < RUN_CLASSIFY_SPLIT_MIN_ROWS)
        return classify_rows(ctx, run, done, 0, run->nrows, NULL);
    /* Two halves, cut where the row count alone says: the second on another thread. */
    size_t half = run->nrows / 2;
    classify_part second;
    classify_part_start(&second, run, NULL, half, run->nrows);
    ptce_status st = classify_rows(ctx, run, NULL, 0, half, NULL);
    ptce_status later = classify_part_finish(&second, st != PTCE_OK);
    return st ? st : ptce_ctx_take_failure(ctx, &second.errors, later);
}

ptce_status run_geocode_and_classify(ptce_ctx *ctx, ptce_run *run, const ptce_run *done)
{
    classify_part cls;
    classify_part_start(&cls, run, done, 0, run->nrows);
    ptce_status st = run_geocode_reusing(ctx, run, done);
    ptce_status later = classify_part_finish(&cls, st != PTCE_OK);
    /* The placement's failure first, as when the classification came after it. */
    return st ? st : ptce_ctx_take_failure(ctx, &cls.errors, later);
}

/* ---- diff's two years -------------------------------------------------------------------
 *
 * Reading a census needs only its file and the --columns text, and it may warn: the new
 * year's census is read on a thread of its own (census_reader) with a deferred context
 * (core/ctx.h), whose lines are printed after the old year's, where the one-thread order
 * printed them, and only if that order would have read it (the old year succeeded). */

typedef struct census_reader {
    const char *path;       /* not owned */
    census_options copts;
    census census;          /* what was read, handed to run_load (run_options.preread) */
    ptce_ctx ctx;           /* deferred: the reader's log lines and failure */
    ptce_status st;
    pthread_t thread;
    int threaded;
} census_reader;

static void *census_reader_run(void *arg)
{
    census_reader *r = arg;
    r->st = census_read(&r->ctx, r->path, &r->copts, &r->census);
    return NULL;
}

ptce_status run_two_years(ptce_ctx *ctx, const run_options *old_opts,
                          const run_options *new_opts, ptce_run *old_run, ptce_run *new_run)
{
    memset(new_run, 0, sizeof *new_run);
    ptce_status st = run_load(ctx, old_opts, old_run);
    census_reader r = {.path = new_opts->census_path, .copts = {.columns = new_opts->columns}};
    if (!st && ptce_ctx_init_deferred(&r.ctx, ctx) == 0) {
        r.threaded = pthread_create(&r.thread, NULL, census_reader_run, &r) == 0;
        if (!r.threaded) /* read by run_load below, as before */
            ptce_ctx_end_deferred(ctx, &r.ctx, 0);
    }
    if (!st)
        st = run_geocode_and_classify(ctx, old_run, NULL);
    if (r.threaded) {
        pthread_join(r.thread, NULL);
        ptce_ctx_end_deferred(ctx, &r.ctx, st == PTCE_OK);
        if (!st)
            st = ptce_ctx_take_failure(ctx, &r.ctx, r.st);
    }
    if (!st) {
        run_options ro = *new_opts;
        ro.shared_refdata = old_run->rd;
        ro.preread = r.threaded ? &r.census : NULL;
        st = run_load(ctx, &ro, new_run);
    }
    census_free(&r.census); /* read but not handed over (a failure before): zeroed otherwise */
    if (!st)
        st = run_geocode_and_classify(ctx, new_run, old_run);
    return st;
}

void run_free(ptce_run *run)
{
    for (size_t i = 0; i < run->nrows; i++) {
        free(run->rows[i].id);
        geo_result_free(&run->rows[i].geo);
        sectors_classification_free(&run->rows[i].cls);
    }
    free(run->rows);
    classify_taxonomy_free(run->tax);
    if (run->rd_owned) {
        refdata_free(run->rd_owned);
        free(run->rd_owned);
    }
    census_free(&run->census);
    memset(run, 0, sizeof *run);
}
