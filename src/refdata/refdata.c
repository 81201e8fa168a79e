/*
 * refdata/refdata.c — see refdata.h.
 */
#define _DEFAULT_SOURCE /* madvise(MADV_DONTNEED): glibc's posix_madvise ignores DONTNEED */
#include "refdata/refdata.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/ctx.h"
#include "core/util.h"
#include "refdata/geofile.h"
#include "refdata/cache.h"
#include "refdata/codes.h"
#include "refdata/index.h"
#include "refdata/shapes.h"

static const char *const precision_names[] = {"geonames",        "geonames_proche",
                                              "ancienne_commune", "interieur",
                                              "commune_parente",  "commune_recreee"};

const char *refdata_point_precision_name(refdata_point_precision p)
{
    return precision_names[p];
}

static int parse_precision(const char *s)
{
    for (size_t i = 0; i < sizeof precision_names / sizeof *precision_names; i++)
        if (strcmp(s, precision_names[i]) == 0)
            return (int)i;
    return -1;
}

/* ---- comparison functions for sorting and searching ----------------------------------- */

static int cmp_commune(const void *a, const void *b)
{
    return strcmp(((const commune *)a)->insee, ((const commune *)b)->insee);
}
static int cmp_former(const void *a, const void *b)
{
    return strcmp(((const refdata_former_commune *)a)->code, ((const refdata_former_commune *)b)->code);
}
static int cmp_postal(const void *a, const void *b)
{
    const refdata_postal_entry *x = a, *y = b;
    int c = strcmp(x->postcode, y->postcode);
    return c ? c : strcmp(x->commune->insee, y->commune->insee);
}
static int cmp_dep(const void *a, const void *b)
{
    return strcmp(((const departement *)a)->code, ((const departement *)b)->code);
}
static int cmp_region(const void *a, const void *b)
{
    return strcmp(((const region *)a)->code, ((const region *)b)->code);
}
static int cmp_epci(const void *a, const void *b)
{
    return strcmp(((const epci *)a)->code, ((const epci *)b)->code);
}
static int cmp_name(const void *a, const void *b)
{
    const refdata_name_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    c = strcmp(x->commune->insee, y->commune->insee);
    if (c)
        return c;
    if (x->source != y->source)
        return (int)x->source - (int)y->source;
    const char *fx = x->former ? x->former->code : "", *fy = y->former ? y->former->code : "";
    return strcmp(fx, fy);
}

/* ---- loading --------------------------------------------------------------------------- */

static ptce_status load_communes(ptce_ctx *ctx, const char *dir, refdata *rd)
{
    static const char *const cols[] = {"insee", "nom", "cle", "type", "parent", "code_dep",
                                       "code_reg", "population", "codes_postaux", "lat", "lon",
                                       "precision", "contour", "epci", NULL};
    tsv_table *t = &rd->t_communes;
    ptce_status st = tsv_read(ctx, dir, "communes.tsv", cols, t);
    if (st)
        return st;
    int c[14];
    for (int i = 0; i < 14; i++)
        c[i] = tsv_column(t, cols[i]);
    rd->communes = calloc(t->nrows ? t->nrows : 1, sizeof *rd->communes);
    if (!rd->communes)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t i = 0; i < t->nrows; i++) {
        commune *m = &rd->communes[i];
        m->insee = tsv_cell(t, i, c[0]);
        m->nom = tsv_cell(t, i, c[1]);
        m->key = tsv_cell(t, i, c[2]);
        m->kind = strcmp(tsv_cell(t, i, c[3]), "ARM") == 0 ? REFDATA_COMMUNE_ARRONDISSEMENT
                                                           : REFDATA_COMMUNE_CURRENT;
        m->parent = tsv_cell(t, i, c[4]);
        m->dep = tsv_cell(t, i, c[5]);
        m->reg = tsv_cell(t, i, c[6]);
        m->population = strtol(tsv_cell(t, i, c[7]), NULL, 10);
        m->postcodes = tsv_cell(t, i, c[8]);
        m->contour = tsv_cell(t, i, c[12]);
        m->epci = tsv_cell(t, i, c[13]);
        int prec = parse_precision(tsv_cell(t, i, c[11]));
        if (strlen(m->insee) != 5 || prec < 0 || !util_parse_decimal(tsv_cell(t, i, c[9]), &m->lat) ||
            !util_parse_decimal(tsv_cell(t, i, c[10]), &m->lon))
            return ptce_fail(ctx, PTCE_ERR_DATA,
                             "%s/communes.tsv, ligne %zu : code, point ou précision invalide",
                             dir, i + 2);
        m->precision = (refdata_point_precision)prec;
    }
    rd->ncommunes = t->nrows;
    qsort(rd->communes, rd->ncommunes, sizeof *rd->communes, cmp_commune);
    return PTCE_OK;
}

static ptce_status load_former(ptce_ctx *ctx, const char *dir, refdata *rd)
{
    static const char *const cols[] = {"code", "nom", "cle", "type", "insee_actuel", NULL};
    tsv_table *t = &rd->t_former;
    ptce_status st = tsv_read(ctx, dir, "anciennes_communes.tsv", cols, t);
    if (st)
        return st;
    int c[5];
    for (int i = 0; i < 5; i++)
        c[i] = tsv_column(t, cols[i]);
    rd->former = calloc(t->nrows ? t->nrows : 1, sizeof *rd->former);
    if (!rd->former)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    size_t n = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        refdata_former_commune *f = &rd->former[n];
        f->code = tsv_cell(t, i, c[0]);
        f->nom = tsv_cell(t, i, c[1]);
        f->key = tsv_cell(t, i, c[2]);
        const char *kind = tsv_cell(t, i, c[3]);
        f->kind = strcmp(kind, "COMD") == 0   ? REFDATA_FORMER_DELEGUEE
                  : strcmp(kind, "COMA") == 0 ? REFDATA_FORMER_ASSOCIEE
                  : strcmp(kind, "NOM") == 0  ? REFDATA_FORMER_NAME
                                              : REFDATA_FORMER_CODE;
        f->current = refdata_commune(rd, tsv_cell(t, i, c[4]));
        if (!f->current)
            return ptce_fail(ctx, PTCE_ERR_DATA,
                             "%s/anciennes_communes.tsv, ligne %zu : commune actuelle %s inconnue",
                             dir, i + 2, tsv_cell(t, i, c[4]));
        n++;
    }
    rd->nformer = n;
    qsort(rd->former, rd->nformer, sizeof *rd->former, cmp_former);
    return PTCE_OK;
}

static ptce_status load_postal(ptce_ctx *ctx, const char *dir, refdata *rd)
{
    static const char *const cols[] = {"code_postal", "insee", "libelle_acheminement",
                                       "cle_acheminement", "cle_laposte", NULL};
    tsv_table *t = &rd->t_postal;
    ptce_status st = tsv_read(ctx, dir, "codes_postaux.tsv", cols, t);
    if (st)
        return st;
    int c[5];
    for (int i = 0; i < 5; i++)
        c[i] = tsv_column(t, cols[i]);
    rd->postal = calloc(t->nrows ? t->nrows : 1, sizeof *rd->postal);
    if (!rd->postal)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t i = 0; i < t->nrows; i++) {
        refdata_postal_entry *p = &rd->postal[i];
        p->postcode = tsv_cell(t, i, c[0]);
        p->commune = refdata_commune(rd, tsv_cell(t, i, c[1]));
        p->routing = tsv_cell(t, i, c[2]);
        p->routing_key = tsv_cell(t, i, c[3]);
        p->laposte_key = tsv_cell(t, i, c[4]);
        if (!p->commune || strlen(p->postcode) != 5)
            return ptce_fail(ctx, PTCE_ERR_DATA, "%s/codes_postaux.tsv, ligne %zu : invalide",
                             dir, i + 2);
    }
    rd->npostal = t->nrows;
    qsort(rd->postal, rd->npostal, sizeof *rd->postal, cmp_postal);
    return PTCE_OK;
}

static ptce_status load_territories(ptce_ctx *ctx, const char *dir, refdata *rd)
{
    static const char *const dcols[] = {"code_dep", "nom_dep", "cle", "code_reg", "chef_lieu",
                                        "population", NULL};
    static const char *const rcols[] = {"code_reg", "nom_reg", "cle", "population", NULL};
    static const char *const gcols[] = {"code", "wkt", NULL};
    ptce_status st;
    if ((st = tsv_read(ctx, dir, "departements.tsv", dcols, &rd->t_deps)) ||
        (st = tsv_read(ctx, dir, "regions.tsv", rcols, &rd->t_regions)) ||
        (st = tsv_read(ctx, dir, "departements_web_geom.tsv", gcols, &rd->t_deps_web)) ||
        (st = tsv_read(ctx, dir, "regions_web_geom.tsv", gcols, &rd->t_regions_web)))
        return st;
    tsv_table *t = &rd->t_deps;
    rd->deps = calloc(t->nrows ? t->nrows : 1, sizeof *rd->deps);
    rd->regions = calloc(rd->t_regions.nrows ? rd->t_regions.nrows : 1, sizeof *rd->regions);
    if (!rd->deps || !rd->regions)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    int c[6];
    for (int i = 0; i < 6; i++)
        c[i] = tsv_column(t, dcols[i]);
    for (size_t i = 0; i < t->nrows; i++) {
        departement *d = &rd->deps[i];
        d->code = tsv_cell(t, i, c[0]);
        d->nom = tsv_cell(t, i, c[1]);
        d->key = tsv_cell(t, i, c[2]);
        d->reg = tsv_cell(t, i, c[3]);
        d->chef_lieu = tsv_cell(t, i, c[4]);
        d->population = strtol(tsv_cell(t, i, c[5]), NULL, 10);
    }
    rd->ndeps = t->nrows;
    qsort(rd->deps, rd->ndeps, sizeof *rd->deps, cmp_dep);
    t = &rd->t_regions;
    for (int i = 0; i < 4; i++)
        c[i] = tsv_column(t, rcols[i]);
    for (size_t i = 0; i < t->nrows; i++) {
        region *r = &rd->regions[i];
        r->code = tsv_cell(t, i, c[0]);
        r->nom = tsv_cell(t, i, c[1]);
        r->key = tsv_cell(t, i, c[2]);
        r->population = strtol(tsv_cell(t, i, c[3]), NULL, 10);
    }
    rd->nregions = t->nrows;
    qsort(rd->regions, rd->nregions, sizeof *rd->regions, cmp_region);
    for (size_t i = 0; i < rd->ndeps; i++) {
        region *r = (region *)refdata_region(rd, rd->deps[i].reg);
        if (!r)
            return ptce_fail(ctx, PTCE_ERR_DATA, "%s/departements.tsv : région %s inconnue", dir,
                             rd->deps[i].reg);
        r->ndeps++;
    }
    /* Attach the web polygons' WKT; they are parsed only when a writer asks for them (the
     * full polygons are read from data/geom/ on first use). */
    for (size_t i = 0; i < rd->t_deps_web.nrows; i++) {
        departement *d = (departement *)refdata_departement(rd, tsv_cell(&rd->t_deps_web, i, 0));
        if (d)
            d->wkt_web = tsv_cell(&rd->t_deps_web, i, 1);
    }
    for (size_t i = 0; i < rd->t_regions_web.nrows; i++) {
        region *r = (region *)refdata_region(rd, tsv_cell(&rd->t_regions_web, i, 0));
        if (r)
            r->wkt_web = tsv_cell(&rd->t_regions_web, i, 1);
    }
    for (size_t i = 0; i < rd->ndeps; i++)
        if (!rd->deps[i].wkt_web)
            return ptce_fail(ctx, PTCE_ERR_DATA, "%s : pas de polygone pour le département %s",
                             dir, rd->deps[i].code);
    for (size_t i = 0; i < rd->nregions; i++)
        if (!rd->regions[i].wkt_web)
            return ptce_fail(ctx, PTCE_ERR_DATA, "%s : pas de polygone pour la région %s", dir,
                             rd->regions[i].code);
    return PTCE_OK;
}

/* The hash indexes that the image did not bring (all of them when read from the tables). */
static ptce_status build_indexes(ptce_ctx *ctx, refdata *rd)
{
    if (!rd->ix && !(rd->ix = calloc(1, sizeof *rd->ix)))
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    struct {
        refdata_index *ix;
        refdata_index_keys keys;
        bool ready; /* the keys exist (the départements' words are made after the EPCI) */
    } const all[] = {
        {&rd->ix->communes, REFDATA_KEYS_COMMUNES(rd), true},
        {&rd->ix->former, REFDATA_KEYS_FORMER(rd), true},
        {&rd->ix->postal, REFDATA_KEYS_POSTAL(rd), true},
        {&rd->ix->names, REFDATA_KEYS_NAMES(rd), true},
        {&rd->ix->deps, REFDATA_KEYS_DEPS(rd), true},
        {&rd->ix->regions, REFDATA_KEYS_REGIONS(rd), true},
        {&rd->ix->epcis, REFDATA_KEYS_EPCIS(rd), true},
        {&rd->ix->deps_by_key, REFDATA_KEYS_DEPS_BY_KEY(rd), true},
        {&rd->ix->deps_by_words, REFDATA_KEYS_DEPS_BY_WORDS(rd), rd->dep_words != NULL}};
    ptce_status st = PTCE_OK;
    for (size_t i = 0; !st && i < sizeof all / sizeof *all; i++)
        if (!all[i].ix->slots && all[i].ready)
            st = refdata_index_build(ctx, all[i].keys, all[i].ix);
    return st;
}

/* The EPCI: small, read from their table on every load (not in the binary image). */
static ptce_status load_epci(ptce_ctx *ctx, const char *dir, refdata *rd)
{
    static const char *const cols[] = {"code_epci", "nom_epci", "cle", "type", "population",
                                       "nb_communes", NULL};
    ptce_status st = tsv_read(ctx, dir, "epci.tsv", cols, &rd->t_epci);
    if (st)
        return st;
    tsv_table *t = &rd->t_epci;
    rd->epcis = calloc(t->nrows ? t->nrows : 1, sizeof *rd->epcis);
    if (!rd->epcis)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    int c[6];
    for (int i = 0; i < 6; i++)
        c[i] = tsv_column(t, cols[i]);
    for (size_t i = 0; i < t->nrows; i++) {
        epci *e = &rd->epcis[i];
        e->code = tsv_cell(t, i, c[0]);
        e->nom = tsv_cell(t, i, c[1]);
        e->key = tsv_cell(t, i, c[2]);
        e->type = tsv_cell(t, i, c[3]);
        e->population = strtol(tsv_cell(t, i, c[4]), NULL, 10);
        e->ncommunes = strtol(tsv_cell(t, i, c[5]), NULL, 10);
    }
    rd->nepci = t->nrows;
    qsort(rd->epcis, rd->nepci, sizeof *rd->epcis, cmp_epci);
    if ((st = build_indexes(ctx, rd))) /* the check below: one look-up per commune */
        return st;
    for (size_t i = 0; i < rd->ncommunes; i++) {
        commune *m = &rd->communes[i];
        m->epci_area = m->epci[0] ? refdata_epci(rd, m->epci) : NULL;
        if (m->epci[0] && !m->epci_area)
            return ptce_fail(ctx, PTCE_ERR_DATA, "%s/communes.tsv : EPCI %s de la commune %s "
                             "absent de epci.tsv", dir, m->epci, m->insee);
    }
    return PTCE_OK;
}

static ptce_status build_name_index(ptce_ctx *ctx, refdata *rd)
{
    size_t cap = rd->ncommunes + rd->nformer + 2 * rd->npostal;
    rd->names = calloc(cap ? cap : 1, sizeof *rd->names);
    if (!rd->names)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    size_t n = 0;
    for (size_t i = 0; i < rd->ncommunes; i++)
        rd->names[n++] = (refdata_name_entry){rd->communes[i].key, &rd->communes[i], NULL, REFDATA_NAME_COMMUNE};
    for (size_t i = 0; i < rd->nformer; i++)
        if (rd->former[i].key[0] && strcmp(rd->former[i].key, rd->former[i].current->key) != 0)
            rd->names[n++] = (refdata_name_entry){rd->former[i].key, rd->former[i].current,
                                          &rd->former[i], REFDATA_NAME_FORMER};
    for (size_t i = 0; i < rd->npostal; i++) {
        const refdata_postal_entry *p = &rd->postal[i];
        if (p->laposte_key[0] && strcmp(p->laposte_key, p->commune->key) != 0)
            rd->names[n++] = (refdata_name_entry){p->laposte_key, p->commune, NULL, REFDATA_NAME_LAPOSTE};
        if (p->routing_key[0] && strcmp(p->routing_key, p->commune->key) != 0 &&
            strcmp(p->routing_key, p->laposte_key) != 0)
            rd->names[n++] = (refdata_name_entry){p->routing_key, p->commune, NULL, REFDATA_NAME_ROUTING};
    }
    qsort(rd->names, n, sizeof *rd->names, cmp_name);
    /* Drop exact duplicates (same key, commune and source) so candidates are listed once. */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (kept > 0 && strcmp(rd->names[kept - 1].key, rd->names[i].key) == 0 &&
            rd->names[kept - 1].commune == rd->names[i].commune &&
            rd->names[kept - 1].source == rd->names[i].source)
            continue;
        rd->names[kept++] = rd->names[i];
    }
    rd->nnames = kept;
    return PTCE_OK;
}

static ptce_status load_meta(ptce_ctx *ctx, const char *dir, refdata *rd)
{
    static const char *const cols[] = {"cle", "valeur", NULL};
    ptce_status st = tsv_read(ctx, dir, "meta.tsv", cols, &rd->t_meta);
    if (st)
        return st;
    util_strbuf versions;
    util_sb_init(&versions);
    for (size_t i = 0; i < rd->t_meta.nrows; i++) {
        const char *k = tsv_cell(&rd->t_meta, i, 0), *v = tsv_cell(&rd->t_meta, i, 1);
        if (strcmp(k, "cog_millesime") == 0)
            snprintf(rd->cog_year, sizeof rd->cog_year, "%s", v);
        else if (strcmp(k, "credit") == 0)
            snprintf(rd->credit, sizeof rd->credit, "%s", v);
        else
            util_sb_printf(&versions, "%s%s %s", versions.len ? ", " : "", k, v);
    }
    if (versions.failed) {
        util_sb_free(&versions);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    snprintf(rd->versions, sizeof rd->versions, "%s", versions.data ? versions.data : "");
    util_sb_free(&versions);
    return PTCE_OK;
}

static ptce_status load_tables(ptce_ctx *ctx, const char *dir, refdata *rd)
{
    ptce_status st;
    if ((st = load_communes(ctx, dir, rd)) || (st = load_former(ctx, dir, rd)) ||
        (st = load_postal(ctx, dir, rd)) || (st = load_territories(ctx, dir, rd)))
        return st;
    return build_name_index(ctx, rd);
}

/* What the look-ups of a loaded refdata need beyond its sorted arrays, whichever way it was
 * loaded (image or tables): each département's words, which the geocoder compares with a
 * département cell that is no département's key (rd->dep_words: before, they were made
 * again for the 101 départements at each such cell, 9 % of a 100,000-row geocode); the
 * communes outside the 18 regions in INSEE order (a linear scan of them for every INSEE
 * code was 5 %); then the indexes not made yet (the départements by words need the words). */
static ptce_status build_lookups(ptce_ctx *ctx, refdata *rd)
{
    rd->dep_words = malloc(rd->ndeps * REFDATA_DEP_WORDS_MAX + 1);
    rd->outside_by_insee = malloc((rd->outside.nrows + 1) * sizeof *rd->outside_by_insee);
    if (!rd->dep_words || !rd->outside_by_insee || rd->outside.nrows > UINT32_MAX)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    /* A slot each: the words may be longer than the key ("st" → "saint"), never longer
     * than REFDATA_DEP_WORDS_MAX - 1 bytes. */
    for (size_t i = 0; i < rd->ndeps; i++) {
        char *w = rd->dep_words + i * REFDATA_DEP_WORDS_MAX;
        refdata_departement_words(rd->deps[i].key, w, REFDATA_DEP_WORDS_MAX);
        rd->deps[i].words = w;
    }
    ptce_status st = build_indexes(ctx, rd); /* now with the words */
    if (st)
        return st;
    /* Insertion sort, stable (a code listed twice is found at its first row, as the scan
     * found it): some 90 rows. */
    uint32_t *o = rd->outside_by_insee;
    for (size_t i = 0; i < rd->outside.nrows; i++) {
        size_t j = i;
        const char *code = tsv_cell(&rd->outside, i, 0);
        while (j > 0 && strcmp(tsv_cell(&rd->outside, o[j - 1], 0), code) > 0) {
            o[j] = o[j - 1];
            j--;
        }
        o[j] = (uint32_t)i;
    }
    return PTCE_OK;
}

/* The image of the tables of `dir`: beside them once installed, in the build tree when
 * running from the source tree. */
static int load_image(ptce_ctx *ctx, const char *dir, refdata *rd)
{
    const char *off = getenv("PTCE_MAP_NO_CACHE");
    if (off && *off && strcmp(off, "0") != 0)
        return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/refdata.bin", dir);
    int got = refdata_cache_read(ctx, dir, path, rd);
    if (got == 0)
        got = refdata_cache_read(ctx, dir, PTCE_BUILD_CACHE, rd);
    return got;
}

static ptce_status load(ptce_ctx *ctx, refdata *rd, int allow_image)
{
    memset(rd, 0, sizeof *rd);
    rd->geos = ctx->geos;
    const char *dir = ptce_data_dir(ctx);
    if (!dir)
        return ptce_fail(ctx, PTCE_ERR_DATA,
                         "données de référence introuvables : ni $PTCE_MAP_DATA, ni %s, ni %s. "
                         "Indiquez le dossier data/ avec --data.",
                         PTCE_INSTALLED_DATA_DIR, PTCE_SOURCE_DATA_DIR);
    static const char *const ocols[] = {"insee", "nom", "collectivite", NULL};
    ptce_status st = PTCE_OK;
    int image = allow_image ? load_image(ctx, dir, rd) : 0;
    if (image < 0)
        st = (ptce_status)-image;
    else if (image == 0)
        st = load_tables(ctx, dir, rd);
    if (!st && !(st = load_meta(ctx, dir, rd)) && !(st = load_epci(ctx, dir, rd)) &&
        !(st = tsv_read(ctx, dir, "hors_regions.tsv", ocols, &rd->outside)))
        st = build_lookups(ctx, rd);
    if (st)
        refdata_free(rd);
    return st;
}

ptce_status refdata_load(ptce_ctx *ctx, refdata *rd)
{
    return load(ctx, rd, 1);
}

ptce_status refdata_load_tables(ptce_ctx *ctx, refdata *rd)
{
    return load(ctx, rd, 0);
}

void refdata_free(refdata *rd)
{
    for (size_t i = 0; i < rd->ndeps; i++) {
        if (rd->deps[i].geom)
            GEOSGeom_destroy_r(rd->geos, rd->deps[i].geom);
        if (rd->deps[i].geom_web)
            GEOSGeom_destroy_r(rd->geos, rd->deps[i].geom_web);
    }
    for (size_t i = 0; i < rd->nregions; i++) {
        if (rd->regions[i].geom)
            GEOSGeom_destroy_r(rd->geos, rd->regions[i].geom);
        if (rd->regions[i].geom_web)
            GEOSGeom_destroy_r(rd->geos, rd->regions[i].geom_web);
    }
    for (size_t i = 0; i < rd->nepci; i++) {
        if (rd->epcis[i].geom)
            GEOSGeom_destroy_r(rd->geos, rd->epcis[i].geom);
        if (rd->epcis[i].geom_web)
            GEOSGeom_destroy_r(rd->geos, rd->epcis[i].geom_web);
    }
    refdata_shapes_free(rd);
    free(rd->epcis);
    free(rd->communes);
    free(rd->former);
    free(rd->postal);
    free(rd->deps);
    free(rd->regions);
    free(rd->names);
    free(rd->dep_words);
    if (rd->ix) {
        refdata_index_free(&rd->ix->communes);
        refdata_index_free(&rd->ix->former);
        refdata_index_free(&rd->ix->postal);
        refdata_index_free(&rd->ix->names);
        refdata_index_free(&rd->ix->deps);
        refdata_index_free(&rd->ix->regions);
        refdata_index_free(&rd->ix->epcis);
        refdata_index_free(&rd->ix->deps_by_key);
        refdata_index_free(&rd->ix->deps_by_words);
        free(rd->ix);
    }
    free(rd->outside_by_insee);
    tsv_free(&rd->t_communes);
    tsv_free(&rd->t_former);
    tsv_free(&rd->t_postal);
    tsv_free(&rd->t_deps);
    tsv_free(&rd->t_regions);
    tsv_free(&rd->t_epci);
    tsv_free(&rd->t_deps_web);
    tsv_free(&rd->t_regions_web);
    tsv_free(&rd->t_meta);
    tsv_free(&rd->outside);
    if (rd->cache_map)
        munmap(rd->cache_map, rd->cache_size);
    memset(rd, 0, sizeof *rd);
}

/* ---- lookups --------------------------------------------------------------------------- */

/* One key's entries: through the index, or by binary search while the refdata is being
 * loaded (the tables' loaders look communes and EPCI up before the indexes are made). The
 * index gives exactly the binary search's range (tests/unit/test_refdata.c compares them). */
static size_t find(const refdata_index *ix, refdata_index_keys keys, const char *key,
                   const void **first)
{
    if (ix->slots || keys.n == 0)
        return refdata_index_find(ix, keys, key, first);
    return refdata_index_find_sorted(keys, key, first);
}

/* rd's index of `field`, or an empty one before they are made. */
static const refdata_index no_index;
#define IX(rd, field) ((rd)->ix ? &(rd)->ix->field : &no_index)

static const void *find_one(const refdata_index *ix, refdata_index_keys keys, const char *key)
{
    const void *first;
    return find(ix, keys, key, &first) ? first : NULL;
}

const commune *refdata_commune(const refdata *rd, const char *insee)
{
    return find_one(IX(rd, communes), REFDATA_KEYS_COMMUNES(rd), insee);
}

const refdata_former_commune *refdata_former(const refdata *rd, const char *code)
{
    return find_one(IX(rd, former), REFDATA_KEYS_FORMER(rd), code);
}

const departement *refdata_departement(const refdata *rd, const char *code)
{
    return find_one(IX(rd, deps), REFDATA_KEYS_DEPS(rd), code);
}

/* The départements' keys and words are distinct (tests/unit/test_refdata.c), so these
 * indexes hold one entry each: the one a scan in code order finds, which stays the answer
 * before they are made (the array is not sorted by these keys: no binary search). */
static const departement *dep_by(const refdata *rd, const refdata_index *ix,
                                 refdata_index_keys keys, const char *s, bool words)
{
    if (ix->slots)
        return find_one(ix, keys, s);
    for (size_t k = 0; k < rd->ndeps; k++) {
        const char *v = words ? rd->deps[k].words : rd->deps[k].key;
        if (v && strcmp(v, s) == 0)
            return &rd->deps[k];
    }
    return NULL;
}

const departement *refdata_departement_by_key(const refdata *rd, const char *key)
{
    return dep_by(rd, IX(rd, deps_by_key), REFDATA_KEYS_DEPS_BY_KEY(rd), key, false);
}

const departement *refdata_departement_by_words(const refdata *rd, const char *words)
{
    return dep_by(rd, IX(rd, deps_by_words), REFDATA_KEYS_DEPS_BY_WORDS(rd), words, true);
}

const region *refdata_region(const refdata *rd, const char *code)
{
    return find_one(IX(rd, regions), REFDATA_KEYS_REGIONS(rd), code);
}

const epci *refdata_epci(const refdata *rd, const char *code)
{
    return find_one(IX(rd, epcis), REFDATA_KEYS_EPCIS(rd), code);
}

const char *refdata_outside_collectivity(const refdata *rd, const char *insee, const char **nom)
{
    size_t lo = 0, hi = rd->outside.nrows;
    while (lo < hi) { /* the first row of the code in rd->outside_by_insee */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(tsv_cell(&rd->outside, rd->outside_by_insee[mid], 0), insee) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == rd->outside.nrows)
        return NULL;
    size_t row = rd->outside_by_insee[lo];
    if (strcmp(tsv_cell(&rd->outside, row, 0), insee) != 0)
        return NULL;
    if (nom)
        *nom = tsv_cell(&rd->outside, row, 1);
    return tsv_cell(&rd->outside, row, 2);
}

size_t refdata_outside_count(const refdata *rd)
{
    return rd->outside.nrows;
}

const char *refdata_outside_row(const refdata *rd, size_t i, const char **insee,
                                const char **nom)
{
    *insee = tsv_cell(&rd->outside, i, 0);
    *nom = tsv_cell(&rd->outside, i, 1);
    return tsv_cell(&rd->outside, i, 2);
}

size_t refdata_postal(const refdata *rd, const char *postcode, const refdata_postal_entry **first)
{
    const void *f;
    size_t n = find(IX(rd, postal), REFDATA_KEYS_POSTAL(rd), postcode, &f);
    *first = f;
    return n;
}

size_t refdata_names(const refdata *rd, const char *key, const refdata_name_entry **first)
{
    const void *f;
    size_t n = find(IX(rd, names), REFDATA_KEYS_NAMES(rd), key, &f);
    *first = f;
    return n;
}

/* A web polygon parsed on first use: from its WKB when the binary image gave one, else
 * from its WKT. */
static const GEOSGeometry *parse_polygon(ptce_ctx *ctx, const unsigned char *wkb, size_t wkb_len,
                                         const char *wkt, GEOSGeometry **slot, const char *what,
                                         const char *code)
{
    if (*slot)
        return *slot;
    if (wkb) {
        GEOSWKBReader *reader = GEOSWKBReader_create_r(ctx->geos);
        if (reader) {
            *slot = GEOSWKBReader_read_r(ctx->geos, reader, wkb, wkb_len);
            GEOSWKBReader_destroy_r(ctx->geos, reader);
        }
    } else if (wkt) {
        GEOSWKTReader *reader = GEOSWKTReader_create_r(ctx->geos);
        if (reader) {
            *slot = GEOSWKTReader_read_r(ctx->geos, reader, wkt);
            GEOSWKTReader_destroy_r(ctx->geos, reader);
        }
    }
    if (!*slot)
        ptce_fail(ctx, PTCE_ERR_DATA, "polygone illisible pour %s %s : %s", what, code,
                  ctx->geos_error);
    return *slot;
}

/* Where a full polygon of data/geom/ goes: the slot of the territory of that code. */
typedef GEOSGeometry **(*geo_slot_fn)(refdata *rd, const char *code);

static GEOSGeometry **dep_slot(refdata *rd, const char *code)
{
    departement *d = (departement *)refdata_departement(rd, code);
    return d ? &d->geom : NULL;
}
static GEOSGeometry **region_slot(refdata *rd, const char *code)
{
    region *r = (region *)refdata_region(rd, code);
    return r ? &r->geom : NULL;
}
static GEOSGeometry **epci_slot(refdata *rd, const char *code)
{
    epci *e = (epci *)refdata_epci(rd, code);
    return e ? &e->geom : NULL;
}
static GEOSGeometry **epci_web_slot(refdata *rd, const char *code)
{
    epci *e = (epci *)refdata_epci(rd, code);
    return e ? &e->geom_web : NULL;
}

/* Reads every polygon of data/geom/<name> into the slots `slot` gives (those already
 * filled are kept). */
static ptce_status load_geo_file(ptce_ctx *ctx, refdata *rd, const char *name, geo_slot_fn slot)
{
    refdata_geofile_reader r;
    ptce_status st = refdata_geofile_open(ctx, rd, name, true, &r);
    const char *code;
    while (!st && refdata_geofile_next(&r, &code)) {
        if (!code) {
            st = ptce_fail(ctx, PTCE_ERR_DATA, "%s, ligne %zu : pas de tabulation", r.path,
                           r.line);
            break;
        }
        GEOSGeometry **s = slot(rd, code);
        if (s && !*s) {
            *s = refdata_geofile_geometry(ctx, &r);
            if (!*s && errno == ENOMEM)
                st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            else if (!*s)
                st = ptce_fail(ctx, PTCE_ERR_DATA, "%s, ligne %zu : polygone illisible (%s)",
                               r.path, r.line, code);
        }
    }
    refdata_geofile_close(&r);
    return st;
}

const GEOSGeometry *refdata_departement_geom(ptce_ctx *ctx, refdata *rd, departement *d)
{
    if (!d->geom && load_geo_file(ctx, rd, "departements.geo.gz", dep_slot) == PTCE_OK &&
        !d->geom)
        ptce_fail(ctx, PTCE_ERR_DATA, "pas de polygone pour le département %s", d->code);
    return d->geom;
}

const GEOSGeometry *refdata_region_geom(ptce_ctx *ctx, refdata *rd, region *r)
{
    if (!r->geom && load_geo_file(ctx, rd, "regions.geo.gz", region_slot) == PTCE_OK && !r->geom)
        ptce_fail(ctx, PTCE_ERR_DATA, "pas de polygone pour la région %s", r->code);
    return r->geom;
}

const GEOSGeometry *refdata_epci_geom(ptce_ctx *ctx, refdata *rd, epci *e)
{
    if (!e->geom && load_geo_file(ctx, rd, "epci.geo.gz", epci_slot) == PTCE_OK && !e->geom)
        ptce_fail(ctx, PTCE_ERR_DATA, "pas de polygone pour l'EPCI %s", e->code);
    return e->geom;
}

const GEOSGeometry *refdata_departement_web_geom(ptce_ctx *ctx, refdata *rd, departement *d)
{
    (void)rd;
    return parse_polygon(ctx, d->wkb_web, d->wkb_web_len, d->wkt_web, &d->geom_web,
                         "le département (web)", d->code);
}

const GEOSGeometry *refdata_region_web_geom(ptce_ctx *ctx, refdata *rd, region *r)
{
    (void)rd;
    return parse_polygon(ctx, r->wkb_web, r->wkb_web_len, r->wkt_web, &r->geom_web,
                         "la région (web)", r->code);
}

const GEOSGeometry *refdata_epci_web_geom(ptce_ctx *ctx, refdata *rd, epci *e)
{
    if (!e->geom_web && load_geo_file(ctx, rd, "epci_web.geo.gz", epci_web_slot) == PTCE_OK &&
        !e->geom_web)
        ptce_fail(ctx, PTCE_ERR_DATA, "pas de polygone pour l'EPCI %s (web)", e->code);
    return e->geom_web;
}

/* The set of the image that `g` comes from, when it is the i-th area of `kind`'s polygon
 * or web variant; -1 otherwise. */
static int polygon_set(const refdata *rd, refdata_area_kind kind, size_t i, const GEOSGeometry *g)
{
    int set = -1;
    /* Only the very polygon the image was made from: its pointer says which it is. */
    if (kind == REFDATA_AREA_REGION && i < rd->nregions)
        set = g == rd->regions[i].geom       ? REFDATA_POLYGONS_REGIONS
              : g == rd->regions[i].geom_web ? REFDATA_POLYGONS_REGIONS_WEB
                                             : -1;
    else if (kind == REFDATA_AREA_DEPARTEMENT && i < rd->ndeps)
        set = g == rd->deps[i].geom       ? REFDATA_POLYGONS_DEPARTEMENTS
              : g == rd->deps[i].geom_web ? REFDATA_POLYGONS_DEPARTEMENTS_WEB
                                          : -1;
    else if (kind == REFDATA_AREA_EPCI && i < rd->nepci)
        set = g == rd->epcis[i].geom_web ? REFDATA_POLYGONS_EPCI_WEB : -1;
    if (set < 0 || !g || i >= rd->prebuilt_count[set])
        return -1;
    /* The EPCI come from epci.tsv, read after the image: the same table (the stamp covers
     * it), so the same count. */
    size_t n = kind == REFDATA_AREA_REGION ? rd->nregions
               : kind == REFDATA_AREA_DEPARTEMENT ? rd->ndeps : rd->nepci;
    return rd->prebuilt_count[set] == n ? set : -1;
}

const unsigned char *refdata_polygon_bytes(const refdata *rd, refdata_area_kind kind, size_t i,
                                           const GEOSGeometry *g, int format, size_t *len)
{
    if (!rd->prebuilt || format < 0 || (size_t)format >= rd->prebuilt_nformats)
        return NULL;
    int set = polygon_set(rd, kind, i, g);
    if (set < 0)
        return NULL;
    const uint64_t *span =
        rd->prebuilt_spans[set] + 2 * (i * rd->prebuilt_nformats + (size_t)format);
    if (span[1] == 0)
        return NULL;
    *len = (size_t)span[1];
    return rd->prebuilt + span[0];
}

void refdata_polygon_bytes_done(const refdata *rd, refdata_area_kind kind, const GEOSGeometry *g0,
                                int format)
{
    if (!rd->prebuilt || format < 0 || (size_t)format >= rd->prebuilt_nformats)
        return;
    int set = polygon_set(rd, kind, 0, g0);
    if (set < 0 || rd->prebuilt_count[set] == 0)
        return;
    const uint64_t *spans = rd->prebuilt_spans[set];
    size_t nf = rd->prebuilt_nformats, n = rd->prebuilt_count[set];
    uint64_t lo = spans[2 * (size_t)format], hi = lo;
    for (size_t i = 0; i < n; i++) {
        const uint64_t *sp = spans + 2 * (i * nf + (size_t)format);
        lo = sp[0] < lo ? sp[0] : lo;
        hi = sp[0] + sp[1] > hi ? sp[0] + sp[1] : hi;
    }
    /* Only the pages wholly inside the range: a neighbour's bytes may share the others. */
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = ((uintptr_t)(rd->prebuilt + lo) + page - 1) / page * page;
    uintptr_t end = (uintptr_t)(rd->prebuilt + hi) / page * page;
    /* A clean private mapping of the image: the pages are dropped from the process (and
     * read again from the file if ever asked for); nothing is lost. */
    if (end > start)
        madvise((void *)start, end - start, MADV_DONTNEED);
}
