/*
 * app/run.c — see run.h.
 */
#include "app/run.h"

#include <dirent.h>
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
    ptce_status st = census_read(ctx, opts->census_path, &copts, &run->census);
    if (st)
        return st;
    /* Without a data folder refdata_load says so, for every command (the default taxonomy
     * lives there too). */
    if ((!opts->without_refdata || !ptce_data_dir(ctx)) && (st = refdata_load(ctx, &run->rd)))
        return st;
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

ptce_status run_geocode(ptce_ctx *ctx, ptce_run *run)
{
    geocoder *g;
    ptce_status st = geocode_new(ctx, &run->rd, &g);
    if (st)
        return st;
    if (run->overrides && (st = geocode_load_overrides(g, run->overrides)) == PTCE_OK)
        ptce_info(ctx, "%s : %zu correction(s) manuelle(s) chargée(s)", run->overrides,
                  geocode_overrides_count(g));
    if (!st && run->nban > 0)
        st = load_ban(ctx, g, run->ban_paths, run->nban);
    if (st) {
        geocode_free(g);
        return st;
    }
    const census *c = &run->census;
    run->nplaced = run->nambiguous = run->nrejected = 0;
    for (size_t i = 0; i < run->nrows && st == PTCE_OK; i++) {
        ptce_row *row = &run->rows[i];
        geocode_input in = {
            .id = row->id,
            .insee = census_value(c, row->rec, CENSUS_ROLE_INSEE),
            .postcode = census_value(c, row->rec, CENSUS_ROLE_CODE_POSTAL),
            .commune = census_value(c, row->rec, CENSUS_ROLE_COMMUNE),
            .departement = census_value(c, row->rec, CENSUS_ROLE_DEPARTEMENT),
            .address = census_value(c, row->rec, CENSUS_ROLE_ADRESSE),
            .latitude = census_value(c, row->rec, CENSUS_ROLE_LATITUDE),
            .longitude = census_value(c, row->rec, CENSUS_ROLE_LONGITUDE),
            .x = census_value(c, row->rec, CENSUS_ROLE_X),
            .y = census_value(c, row->rec, CENSUS_ROLE_Y),
        };
        st = geocode_row(g, &in, &row->geo);
        if (row->geo.status == GEO_MATCH)
            run->nplaced++;
        else if (row->geo.status == GEO_AMBIGUOUS)
            run->nambiguous++;
        else
            run->nrejected++;
    }
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

ptce_status run_classify(ptce_ctx *ctx, ptce_run *run)
{
    const census *c = &run->census;
    for (size_t i = 0; i < run->nrows; i++) {
        ptce_row *row = &run->rows[i];
        ptce_status st = classify_text(ctx, run->tax, census_value(c, row->rec, CENSUS_ROLE_THEME),
                                       census_value(c, row->rec, CENSUS_ROLE_DESCRIPTION), &row->cls);
        if (st)
            return st;
    }
    return PTCE_OK;
}

static const char *theme_of(const ptce_run *run, size_t i)
{
    const char *v = census_value(&run->census, run->rows[i].rec, CENSUS_ROLE_THEME);
    return v ? v : "";
}

static const char *description_of(const ptce_run *run, size_t i)
{
    const char *v = census_value(&run->census, run->rows[i].rec, CENSUS_ROLE_DESCRIPTION);
    return v ? v : "";
}

/* FNV-1a over the theme, a NUL, then the description. */
static uint64_t texts_hash(const char *theme, const char *description)
{
    uint64_t h = 14695981039346656037u;
    for (const char *s = theme;; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211u;
        if (!*s)
            break;
    }
    for (const char *s = description; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

ptce_status run_classify_reusing(ptce_ctx *ctx, ptce_run *run, const ptce_run *done)
{
    if (!done || !done->nrows)
        return run_classify(ctx, run);
    /* Open addressing over done's rows: a slot holds a row index + 1, 0 when free; the
     * table is at least twice the rows, so a probe ends. */
    size_t cap = 16;
    while (cap < 2 * done->nrows)
        cap *= 2;
    size_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t i = 0; i < done->nrows; i++) {
        size_t k = (size_t)texts_hash(theme_of(done, i), description_of(done, i)) & (cap - 1);
        while (slot[k])
            k = (k + 1) & (cap - 1);
        slot[k] = i + 1;
    }
    const census *c = &run->census;
    ptce_status st = PTCE_OK;
    for (size_t i = 0; i < run->nrows && !st; i++) {
        ptce_row *row = &run->rows[i];
        const char *theme = theme_of(run, i), *description = description_of(run, i);
        size_t k = (size_t)texts_hash(theme, description) & (cap - 1);
        const classification *same = NULL;
        for (; slot[k] && !same; k = (k + 1) & (cap - 1)) {
            size_t j = slot[k] - 1;
            if (strcmp(theme_of(done, j), theme) == 0 &&
                strcmp(description_of(done, j), description) == 0)
                same = &done->rows[j].cls;
        }
        if (same && sectors_classification_copy(&row->cls, same))
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour classer un PTCE");
        else if (!same)
            st = classify_text(ctx, run->tax, census_value(c, row->rec, CENSUS_ROLE_THEME),
                               census_value(c, row->rec, CENSUS_ROLE_DESCRIPTION), &row->cls);
    }
    free(slot);
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
    refdata_free(&run->rd);
    census_free(&run->census);
    memset(run, 0, sizeof *run);
}
