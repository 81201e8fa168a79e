/*
 * geocode/geocode.c — the matching cascade. See geocode.h for the principles.
 *
 * Order for one row:
 *   0. an analyst correction (overrides.csv) for the row's id, if any, and nothing else;
 *   1. coordinates, if any, are read and repaired (decimal comma, swap, Lambert-93),
 *      kept inside France's areas (geocode_in_france_box) and located among the commune
 *      polygons (refdata_locate: inside one, near one within the tolerance, or nowhere);
 *   2. the INSEE code, checked against the name when both are given;
 *   3. the commune name (or the city of an address), narrowed by postal code or
 *      département: exact keys first, then typing errors inside the stated area only;
 *   4. a postal code alone; 5. coordinates alone (nearest commune); 6. a département alone;
 * then the point: the census's coordinates when they agree with the commune, else the BAN
 * address point (--ban) when the address cell holds a street, else the commune's point.
 */
#include "geocode/geocode.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/util.h"
#include "geocode/internal.h"
#include "text/fold.h"

#define MAX_CANDIDATES 64
#define MAX_VARIANTS 6

/* ---- setup ----------------------------------------------------------------------------- */

static size_t dep_index(const refdata *rd, const char *code)
{
    const departement *d = refdata_departement(rd, code);
    return d ? (size_t)(d - rd->deps) : rd->ndeps;
}

static geocode_fuzzy_entry make_entry(const char *key, const commune *m, const refdata_former_commune *f,
                              refdata_name_source src)
{
    size_t len = strlen(key);
    return (geocode_fuzzy_entry){key, m, f, geocode_letter_mask(key), (uint16_t)(len > 65535 ? 65535 : len),
                         (uint8_t)src};
}

/* The names of each département, for the fuzzy scan: communes and former communes. */
static ptce_status build_fuzzy_index(geocoder *g)
{
    const refdata *rd = g->rd;
    size_t nd = rd->ndeps;
    g->fuzzy_start = calloc(nd + 2, sizeof *g->fuzzy_start);
    size_t cap = rd->ncommunes + rd->nformer;
    g->fuzzy = malloc((cap ? cap : 1) * sizeof *g->fuzzy);
    size_t *fill = calloc(nd + 1, sizeof *fill);
    size_t *dep_of_commune = malloc((rd->ncommunes ? rd->ncommunes : 1) * sizeof *dep_of_commune);
    if (!g->fuzzy_start || !g->fuzzy || !fill || !dep_of_commune) {
        free(fill);
        free(dep_of_commune);
        return ptce_fail(g->ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    /* Count, then place: communes first (in INSEE order), then former communes. */
    for (size_t i = 0; i < rd->ncommunes; i++) {
        dep_of_commune[i] = dep_index(rd, rd->communes[i].dep);
        g->fuzzy_start[dep_of_commune[i] + 1]++;
    }
    for (size_t i = 0; i < rd->nformer; i++)
        if (rd->former[i].key[0])
            g->fuzzy_start[dep_of_commune[rd->former[i].current - rd->communes] + 1]++;
    for (size_t d = 1; d <= nd + 1; d++)
        g->fuzzy_start[d] += g->fuzzy_start[d - 1];
    for (size_t i = 0; i < rd->ncommunes; i++) {
        size_t d = dep_of_commune[i];
        g->fuzzy[g->fuzzy_start[d] + fill[d]++] =
            make_entry(rd->communes[i].key, &rd->communes[i], NULL, REFDATA_NAME_COMMUNE);
    }
    for (size_t i = 0; i < rd->nformer; i++) {
        const refdata_former_commune *f = &rd->former[i];
        if (!f->key[0])
            continue;
        size_t d = dep_of_commune[f->current - rd->communes];
        g->fuzzy[g->fuzzy_start[d] + fill[d]++] = make_entry(f->key, f->current, f, REFDATA_NAME_FORMER);
    }
    free(fill);
    free(dep_of_commune);
    return PTCE_OK;
}

ptce_status geocode_new(ptce_ctx *ctx, const refdata *rd, geocoder **out)
{
    *out = NULL;
    geocoder *g = calloc(1, sizeof *g);
    if (!g)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    g->ctx = ctx;
    g->rd = rd;
    ptce_status st = build_fuzzy_index(g);
    if (st) {
        geocode_free(g);
        return st;
    }
    *out = g;
    return PTCE_OK;
}

void geocode_free(geocoder *g)
{
    if (!g)
        return;
    if (g->l93_to_wgs84)
        proj_destroy(g->l93_to_wgs84);
    geocode_remark_scratch_free(g);
    geocode_ban_free(g->ban);
    geocode_overrides_free(g->overrides);
    free(g->fuzzy);
    free(g->fuzzy_start);
    free(g);
}

size_t geocode_overrides_count(const geocoder *g)
{
    return g->overrides ? geocode_overrides_size(g->overrides) : 0;
}

size_t geocode_ban_count(const geocoder *g)
{
    return g->ban ? geocode_ban_size(g->ban) : 0;
}

/* ---- small helpers --------------------------------------------------------------------- */

double geocode_distance_km(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371.0, rad = UTIL_RAD_PER_DEG;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(sqrt(a < 1 ? a : 1));
}

/* The five areas of the 18 regions, generously boxed. */
int geocode_in_france_box(double lat, double lon)
{
    static const double boxes[][4] = {
        {41.2, 51.3, -5.8, 9.8},     /* metropolitan France and Corsica */
        {15.7, 16.6, -61.9, -60.9},  /* Guadeloupe */
        {14.3, 14.95, -61.3, -60.75},/* Martinique */
        {2.0, 6.0, -54.7, -51.5},    /* Guyane */
        {-21.45, -20.8, 55.15, 55.9},/* La Réunion */
        {-13.1, -12.55, 44.9, 45.35} /* Mayotte */
    };
    for (size_t i = 0; i < sizeof boxes / sizeof *boxes; i++)
        if (lat >= boxes[i][0] && lat <= boxes[i][1] && lon >= boxes[i][2] && lon <= boxes[i][3])
            return 1;
    return 0;
}

/* Appends src to the NUL-terminated dst of `size` bytes, cutting at a UTF-8 boundary. */
static void append_text(char *dst, size_t size, const char *src)
{
    size_t len = strlen(dst);
    if (len + 1 >= size)
        return;
    size_t n = util_utf8_cut_length(src, size - len - 1);
    memcpy(dst + len, src, n);
    dst[len + n] = '\0';
}

static void copy_text(char *dst, size_t size, const char *src)
{
    dst[0] = '\0';
    append_text(dst, size, src);
}

/* A remark with one text. */
static geo_remark *note_text(geocoder *g, geo_result *r, geo_remark_code code, geo_field field,
                             const char *text)
{
    geo_remark *m = geocode_remark_add(g, r, code, field);
    geocode_remark_text(g, m, 0, text);
    return m;
}

/* A remark naming one commune. */
static geo_remark *note_commune(geocoder *g, geo_result *r, geo_remark_code code,
                                geo_field field, const commune *c)
{
    geo_remark *m = geocode_remark_add(g, r, code, field);
    m->commune[0] = c;
    return m;
}

static int has_content(const char *s)
{
    return geocode_has_content(s);
}

/* ---- candidate sets -------------------------------------------------------------------- */

typedef struct candidate {
    const commune *commune;
    refdata_name_source source;
    const refdata_former_commune *former;
    int distance; /* edit distance for fuzzy matches */
} candidate;

typedef struct candidates {
    candidate items[MAX_CANDIDATES];
    int n;
    int overflow; /* more than MAX_CANDIDATES were offered */
} candidates;

static void cand_add(candidates *c, const commune *m, refdata_name_source src, const refdata_former_commune *f,
                     int distance)
{
    for (int i = 0; i < c->n; i++)
        if (c->items[i].commune == m) {
            if (src < c->items[i].source) {
                c->items[i].source = src;
                c->items[i].former = f;
            }
            if (distance < c->items[i].distance)
                c->items[i].distance = distance;
            return;
        }
    if (c->n < MAX_CANDIDATES)
        c->items[c->n++] = (candidate){m, src, f, distance};
    else
        c->overflow = 1;
}

/* Empties a set without touching its (large) item array. */
static void cand_clear(candidates *c)
{
    c->n = 0;
    c->overflow = 0;
}

static int cmp_candidate(const void *a, const void *b)
{
    return strcmp(((const candidate *)a)->commune->insee, ((const candidate *)b)->commune->insee);
}

static void sort_candidates(candidates *c)
{
    if (c->n > 1)
        qsort(c->items, (size_t)c->n, sizeof *c->items, cmp_candidate);
}

static void cand_copy(candidates *dst, const candidates *src)
{
    dst->n = src->n;
    dst->overflow = src->overflow;
    memcpy(dst->items, src->items, (size_t)src->n * sizeof *src->items);
}

/* The postal code's communes, if the code is known. */
typedef struct postal_set {
    const refdata_postal_entry *first;
    size_t n;
} postal_set;

static int postal_has(const postal_set *ps, const commune *m)
{
    for (size_t i = 0; i < ps->n; i++)
        if (ps->first[i].commune == m)
            return 1;
    return 0;
}

/* The arrondissement of `m` that the postal code names, when m is Paris, Lyon or
 * Marseille and the code belongs to exactly one of its arrondissements. */
static const commune *postal_arrondissement_of(const postal_set *ps, const commune *m)
{
    const commune *found = NULL;
    for (size_t i = 0; i < ps->n; i++) {
        const commune *a = ps->first[i].commune;
        if (a->kind == REFDATA_COMMUNE_ARRONDISSEMENT && strcmp(a->parent, m->insee) == 0) {
            if (found && found != a)
                return NULL;
            found = a;
        }
    }
    return found;
}

typedef struct area {
    postal_set postal;           /* postal code known to La Poste or the COG */
    const departement *dep;      /* stated département */
    /* Else the départements the postal code's prefix points to, or those a qualifier
     * names as a group (a region, "DOM", Corsica's "20"). Codes point into the refdata. */
    const char *deps[GEOCODE_QUAL_MAX_DEPS];
    int ndeps;
} area;

/* The départements a search may cover: the stated one, else the postal code's or the
 * group's. Returns how many; *out points into the area. */
static int area_deps(const area *a, const char *const **out)
{
    static const char *const none[1] = {NULL};
    if (a->dep) {
        *out = &a->dep->code;
        return 1;
    }
    *out = a->ndeps ? a->deps : none;
    return a->ndeps;
}

static int in_area_deps(const area *a, const commune *m)
{
    const char *const *deps;
    int nd = area_deps(a, &deps);
    for (int i = 0; i < nd; i++)
        if (strcmp(m->dep, deps[i]) == 0)
            return 1;
    return nd == 0;
}

static int area_is_set(const area *a)
{
    return a->postal.n > 0 || a->dep || a->ndeps > 0;
}

/* Keeps the candidates compatible with the area. Returns how many remain; *loose is set
 * when the postal code matched none of them and the département decided instead. */
static int filter_by_area(candidates *c, const area *a, int *loose)
{
    *loose = 0;
    if (!area_is_set(a))
        return c->n;
    candidates kept;
    cand_clear(&kept);
    if (a->postal.n > 0) {
        for (int i = 0; i < c->n; i++) {
            const commune *m = c->items[i].commune;
            if (postal_has(&a->postal, m)) {
                cand_add(&kept, m, c->items[i].source, c->items[i].former, c->items[i].distance);
            } else {
                const commune *arr = postal_arrondissement_of(&a->postal, m);
                if (arr)
                    cand_add(&kept, arr, c->items[i].source, c->items[i].former,
                             c->items[i].distance);
            }
        }
        /* The postal code may be wrong while the département (stated, or that of the
         * postal code) is right. */
        if (kept.n == 0) {
            for (int i = 0; i < c->n; i++)
                if (in_area_deps(a, c->items[i].commune) && (a->dep || a->ndeps))
                    cand_add(&kept, c->items[i].commune, c->items[i].source,
                             c->items[i].former, c->items[i].distance);
            *loose = kept.n > 0;
        }
    } else {
        for (int i = 0; i < c->n; i++)
            if (in_area_deps(a, c->items[i].commune))
                cand_add(&kept, c->items[i].commune, c->items[i].source, c->items[i].former,
                         c->items[i].distance);
    }
    cand_copy(c, &kept);
    return c->n;
}

/* Keeps only the candidates of the best name source: a current commune's own name beats
 * a former commune's name, which beats a La Poste spelling. */
static void keep_best_source(candidates *c)
{
    refdata_name_source best = REFDATA_NAME_ROUTING;
    for (int i = 0; i < c->n; i++)
        if (c->items[i].source < best)
            best = c->items[i].source;
    int k = 0;
    for (int i = 0; i < c->n; i++)
        if (c->items[i].source == best)
            c->items[k++] = c->items[i];
    c->n = k;
}

/* ---- fuzzy matching -------------------------------------------------------------------- */

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions),
 * computed only in the diagonal band |i - j| <= limit, and stopping as soon as it exceeds
 * `limit`. Keys are ASCII after folding, so bytes are characters. */
static int edit_distance(const char *a, size_t la, const char *b, size_t lb, int limit)
{
    const int big = limit + 1;
    if (la > 126 || lb > 126)
        return big;
    if ((la > lb ? la - lb : lb - la) > (size_t)limit)
        return big;
    int rows[3][128];
    int *p2 = rows[0], *p1 = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        p1[j] = (int)j <= limit ? (int)j : big;
    for (size_t i = 1; i <= la; i++) {
        size_t jlo = i > (size_t)limit ? i - (size_t)limit : 1;
        size_t jhi = i + (size_t)limit < lb ? i + (size_t)limit : lb;
        cur[0] = (int)i <= limit ? (int)i : big;
        int row_min = jlo == 1 ? cur[0] : big;
        if (jlo > 1)
            cur[jlo - 1] = big;
        for (size_t j = jlo; j <= jhi; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = p1[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (p1[j - 1] + cost < v)
                v = p1[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                p2[j - 2] + 1 < v)
                v = p2[j - 2] + 1;
            if (v > big)
                v = big;
            cur[j] = v;
            if (v < row_min)
                row_min = v;
        }
        if (jhi < lb)
            cur[jhi + 1] = big;
        if (row_min > limit)
            return big;
        int *t = p2;
        p2 = p1;
        p1 = cur;
        cur = t;
    }
    return p1[lb] > big ? big : p1[lb];
}

/* How many typing errors a name of this length may carry. */
static int fuzzy_limit(size_t len)
{
    return len < 5 ? 0 : len < 9 ? 1 : 2;
}

static int popcount32(uint32_t x)
{
    int n = 0;
    while (x) {
        x &= x - 1;
        n++;
    }
    return n;
}

/* A typed key, prepared for the scan. */
typedef struct probe {
    const char *key;
    size_t len;
    uint32_t mask;
} probe;

typedef struct fuzzy_state {
    const probe *probes;
    int nprobes;
    int best;            /* best distance so far */
    candidates *out;
} fuzzy_state;

static void fuzzy_consider(fuzzy_state *st, const commune *m, const char *key, size_t len,
                           uint32_t mask, refdata_name_source src, const refdata_former_commune *f)
{
    int limit = fuzzy_limit(len);
    if (limit > st->best)
        limit = st->best;
    if (limit == 0)
        return;
    for (int k = 0; k < st->nprobes; k++) {
        const probe *p = &st->probes[k];
        if ((p->len > len ? p->len - len : len - p->len) > (size_t)limit)
            continue;
        if (popcount32(p->mask ^ mask) > 2 * limit)
            continue;
        int d = edit_distance(p->key, p->len, key, len, limit);
        if (d > limit || d == 0)
            continue;
        if (d < st->best) {
            st->best = d;
            st->out->n = 0;
            st->out->overflow = 0;
            limit = d;
        }
        cand_add(st->out, m, src, f, d);
    }
}

/* Typing errors are only forgiven inside the area the row states: the postal code's
 * communes (inside the stated département, if any), then the stated département, or the
 * département the postal code points to. */
/* Where a forgiving search looks: the postal code's communes, or the area's départements. */
typedef enum search_scope { SCOPE_POSTAL, SCOPE_DEPS } search_scope;

static void fuzzy_search(const geocoder *g, const area *a, const probe *probes, int nprobes,
                         search_scope scope, candidates *out)
{
    const refdata *rd = g->rd;
    fuzzy_state st = {probes, nprobes, 3, out};
    out->n = 0;
    out->overflow = 0;
    if (scope == SCOPE_POSTAL) {
        for (size_t i = 0; i < a->postal.n; i++) {
            const refdata_postal_entry *p = &a->postal.first[i];
            if (a->dep && strcmp(p->commune->dep, a->dep->code) != 0)
                continue;
            fuzzy_consider(&st, p->commune, p->commune->key, strlen(p->commune->key),
                           geocode_letter_mask(p->commune->key), REFDATA_NAME_COMMUNE, NULL);
            if (p->laposte_key[0] && strcmp(p->laposte_key, p->commune->key) != 0)
                fuzzy_consider(&st, p->commune, p->laposte_key, strlen(p->laposte_key),
                               geocode_letter_mask(p->laposte_key), REFDATA_NAME_LAPOSTE, NULL);
        }
        return;
    }
    const char *const *deps;
    int nd = area_deps(a, &deps);
    for (int d = 0; d < nd; d++) {
        size_t k = dep_index(rd, deps[d]);
        if (k >= rd->ndeps)
            continue;
        for (size_t i = g->fuzzy_start[k]; i < g->fuzzy_start[k + 1]; i++) {
            const geocode_fuzzy_entry *e = &g->fuzzy[i];
            fuzzy_consider(&st, e->commune, e->key, e->len, e->mask, (refdata_name_source)e->source,
                           e->former);
        }
    }
}

/* ---- name resolution ------------------------------------------------------------------- */

typedef struct name_match {
    candidates cands;
    int fuzzy;              /* typing errors were forgiven */
    int prefix;             /* read by its first words inside the postal code */
    int loose;              /* the postal code did not hold it: the département did */
    int variant_index;
    int outside_postcode;   /* the forgiving match is not in the postal code stated */
    candidates elsewhere;   /* exact matches outside the area */
} name_match;

/* "bourg" and "bourg en bresse", "lyon part dieu" and "lyon": one is the other's first
 * words. */
static int word_prefix(const char *n, size_t nl, const char *key, size_t kl)
{
    return (nl > kl && strncmp(n, key, kl) == 0 && n[kl] == ' ') ||
           (kl > nl && strncmp(key, n, nl) == 0 && key[nl] == ' ');
}

/* Inside the area, the communes whose name starts with the typed name's words
 * ("Bourg" → Bourg-en-Bresse): the postal code's communes first, else the département's.
 * Inside the postal code only, also a commune whose name starts the typed one ("Lyon
 * Part-Dieu" + 69003 → Lyon 3e): across a whole département, the extra words could be
 * anything ("Saint-Cyr-suo-Mer" is not Saint-Cyr). Names of 4 letters or more only. */
static void prefix_search(const geocoder *g, const area *a, const char *key, search_scope scope,
                          candidates *out)
{
    cand_clear(out);
    size_t kl = strlen(key);
    if (kl < 4)
        return;
    for (size_t i = 0; scope == SCOPE_POSTAL && i < a->postal.n; i++) {
        const refdata_postal_entry *p = &a->postal.first[i];
        if (a->dep && strcmp(p->commune->dep, a->dep->code) != 0)
            continue;
        const char *names[3] = {p->commune->key, p->laposte_key, p->routing_key};
        for (int k = 0; k < 3; k++) {
            size_t nl = strlen(names[k]);
            if (nl >= 4 && word_prefix(names[k], nl, key, kl)) {
                cand_add(out, p->commune, REFDATA_NAME_COMMUNE, NULL, 0);
                break;
            }
        }
    }
    if (scope == SCOPE_POSTAL)
        return;
    const char *const *deps;
    int nd = area_deps(a, &deps);
    for (int d = 0; d < nd; d++) {
        size_t k = dep_index(g->rd, deps[d]);
        if (k >= g->rd->ndeps)
            continue;
        for (size_t i = g->fuzzy_start[k]; i < g->fuzzy_start[k + 1]; i++) {
            const geocode_fuzzy_entry *e = &g->fuzzy[i];
            if (e->len > kl && strncmp(e->key, key, kl) == 0 && e->key[kl] == ' ')
                cand_add(out, e->commune, (refdata_name_source)e->source, e->former, 0);
        }
    }
}

static void resolve_name(const geocoder *g, const char *name, const area *a, name_match *nm)
{
    char keys[MAX_VARIANTS][128];
    int nk = geocode_name_variants(name, keys, MAX_VARIANTS);
    cand_clear(&nm->cands);
    cand_clear(&nm->elsewhere);
    nm->fuzzy = nm->prefix = nm->loose = nm->variant_index = nm->outside_postcode = 0;
    candidates c;
    for (int k = 0; k < nk; k++) {
        const refdata_name_entry *first;
        size_t n = refdata_names(g->rd, keys[k], &first);
        if (n == 0)
            continue;
        cand_clear(&c);
        for (size_t i = 0; i < n; i++)
            cand_add(&c, first[i].commune, first[i].source, first[i].former, 0);
        if (nm->elsewhere.n == 0) {
            cand_copy(&nm->elsewhere, &c);
            keep_best_source(&nm->elsewhere);
        }
        int loose;
        if (filter_by_area(&c, a, &loose) == 0)
            continue;
        keep_best_source(&c);
        cand_copy(&nm->cands, &c);
        nm->loose = loose;
        nm->variant_index = k;
        break;
    }
    /* The article left out ("Mans" + 72000 is Le Mans, "Abymes" + Guadeloupe Les Abymes):
     * only inside a stated area, and only as the name's whole first words. */
    static const char *const articles[] = {"le ", "la ", "les ", "l "};
    for (size_t ai = 0; nm->cands.n == 0 && nk > 0 && area_is_set(a) &&
                        ai < sizeof articles / sizeof *articles; ai++) {
        char key[160];
        if (strncmp(keys[0], "le ", 3) == 0 || strncmp(keys[0], "la ", 3) == 0 ||
            strncmp(keys[0], "les ", 4) == 0 || strncmp(keys[0], "l ", 2) == 0)
            break;
        snprintf(key, sizeof key, "%s%s", articles[ai], keys[0]);
        const refdata_name_entry *first;
        size_t n = refdata_names(g->rd, key, &first);
        if (n == 0)
            continue;
        cand_clear(&c);
        for (size_t i = 0; i < n; i++)
            cand_add(&c, first[i].commune, first[i].source, first[i].former, 0);
        int loose;
        if (filter_by_area(&c, a, &loose) == 0 || loose)
            continue;
        keep_best_source(&c);
        cand_copy(&nm->cands, &c);
        nm->variant_index = nk; /* read as another spelling: said in the note */
    }
    /* Forgiving searches, the postal code's communes first (typing errors, then first
     * words: "Saint-Martin" + 17410 is Saint-Martin-de-Ré), then the départements. What
     * only the départements give is not in the postal code the row states: two errors at
     * once, or a place the reference data does not know (a former commune merged long
     * ago): a person must decide (outside_postcode). */
    if (nm->cands.n == 0 && nk > 0 && area_is_set(a)) {
        probe probes[MAX_VARIANTS];
        for (int k = 0; k < nk; k++)
            probes[k] = (probe){keys[k], strlen(keys[k]), geocode_letter_mask(keys[k])};
        for (int scope = a->postal.n > 0 ? SCOPE_POSTAL : SCOPE_DEPS;
             scope <= SCOPE_DEPS && nm->cands.n == 0; scope++) {
            fuzzy_search(g, a, probes, nk, (search_scope)scope, &nm->cands);
            if (nm->cands.n > 0) {
                nm->fuzzy = 1;
                keep_best_source(&nm->cands);
            }
            for (int k = 0; k < nk && nm->cands.n == 0; k++)
                prefix_search(g, a, keys[k], (search_scope)scope, &nm->cands);
            if (nm->cands.n > 0 && !nm->fuzzy)
                nm->prefix = 1;
            if (nm->cands.n > 0 && scope == SCOPE_DEPS && a->postal.n > 0)
                nm->outside_postcode = 1;
        }
    }
    sort_candidates(&nm->cands);
    sort_candidates(&nm->elsewhere);
}

/* Does the typed name designate this commune (own name, former name, La Poste name)?
 * *former is set when it is one of its former communes' names (and not its own). */
static int name_designates(const geocoder *g, const char *name, const commune *m,
                           const refdata_former_commune **former)
{
    char keys[MAX_VARIANTS][128];
    int nk = geocode_name_variants(name, keys, MAX_VARIANTS);
    const commune *parent = m->kind == REFDATA_COMMUNE_ARRONDISSEMENT ? refdata_commune(g->rd, m->parent)
                                                              : NULL;
    *former = NULL;
    for (int k = 0; k < nk; k++) {
        if (strcmp(keys[k], m->key) == 0 || (parent && strcmp(keys[k], parent->key) == 0))
            return 1;
        const refdata_name_entry *first;
        size_t n = refdata_names(g->rd, keys[k], &first);
        for (size_t i = 0; i < n; i++)
            if (first[i].commune == m || first[i].commune == parent ||
                (first[i].commune->kind == REFDATA_COMMUNE_ARRONDISSEMENT &&
                 strcmp(first[i].commune->parent, m->insee) == 0)) {
                if (first[i].source == REFDATA_NAME_FORMER && first[i].commune == m)
                    *former = first[i].former;
                return 1;
            }
        int limit = fuzzy_limit(strlen(m->key));
        if (limit && edit_distance(keys[k], strlen(keys[k]), m->key, strlen(m->key), limit) <= limit)
            return 1;
    }
    return 0;
}

/* Words that say nothing of a place on their own: a name made only of them is no part of
 * a commune's name ("Saint" is not a part of Saint-Denis). */
static int only_little_words(const char *key)
{
    static const char *const little[] = {"a", "au", "aux", "d", "de", "des", "du", "en", "et",
                                         "l", "la", "le", "les", "les", "lez", "sur", "sous",
                                         "saint", "sainte", "saints", "saintes", NULL};
    char buf[128];
    snprintf(buf, sizeof buf, "%s", key);
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        int little_word = 0;
        for (size_t i = 0; little[i] && !little_word; i++)
            little_word = strcmp(w, little[i]) == 0;
        if (!little_word)
            return 0;
    }
    return 1;
}

/* Whether folded `part` is whole words of folded `whole`, in order and together: its first
 * words ("evry" of "evry courcouronnes"), its last ones, or words in the middle. */
static int words_within(const char *part, const char *whole)
{
    size_t pl = strlen(part), wl = strlen(whole);
    if (pl == 0 || pl >= wl)
        return 0;
    for (const char *p = strstr(whole, part); p; p = strstr(p + 1, part))
        if ((p == whole || p[-1] == ' ') && (p[pl] == '\0' || p[pl] == ' '))
            return 1;
    return 0;
}

/* Is the typed name a part of the name of commune m, or of one of its former communes
 * (the first words « Évry » of Évry-Courcouronnes, the last ones, words in the middle)?
 * A part made only of little words does not count, and neither does one of fewer than 3
 * letters. Returns 1 with *former set when the part is of a former commune's name, and
 * *of set to the name it is a part of (refdata text). */
static int name_part_of(const geocoder *g, const char *name, const commune *m,
                        const refdata_former_commune **former, const char **of)
{
    char keys[MAX_VARIANTS][128];
    int nk = geocode_name_variants(name, keys, MAX_VARIANTS);
    *former = NULL;
    *of = NULL;
    for (int k = 0; k < nk; k++) {
        if (strlen(keys[k]) < 3 || only_little_words(keys[k]))
            continue;
        if (words_within(keys[k], m->key)) {
            *of = m->nom;
            return 1;
        }
        for (size_t i = 0; i < g->rd->nformer; i++) {
            const refdata_former_commune *f = &g->rd->former[i];
            if (f->current == m && f->key[0] && words_within(keys[k], f->key)) {
                *former = f;
                *of = f->nom;
                return 1;
            }
        }
    }
    return 0;
}

/* Keeps the candidates in the result (they replace any it had). */
static void keep_candidates(geocoder *g, geo_result *r, const candidates *c)
{
    free(r->candidates);
    r->candidates = NULL;
    r->ncandidates = 0;
    r->candidates_overflow = c->overflow;
    if (c->n == 0)
        return;
    r->candidates = malloc((size_t)c->n * sizeof *r->candidates);
    if (!r->candidates) {
        g->oom = 1;
        return;
    }
    for (int i = 0; i < c->n; i++)
        r->candidates[i] = c->items[i].commune;
    r->ncandidates = (size_t)c->n;
}

/* ---- coordinates ----------------------------------------------------------------------- */

typedef struct coords {
    int given;      /* the row has something in its coordinate cells */
    geo_field field;/* the cells they were read from: GEO_FIELD_LATITUDE or GEO_FIELD_X */
    int valid;      /* lat/lon below are usable */
    int foreign;    /* readable coordinates outside France */
    double lat, lon;
    refdata_locate_result loc; /* where the point lies among the commune polygons (when valid) */
} coords;

static ptce_status lambert_to_wgs84(geocoder *g, double x, double y, double *lat, double *lon,
                                    int *ok)
{
    *ok = 0;
    if (!g->l93_to_wgs84) {
        /* The built-in operation, run backwards: no search of proj.db (about 40 ms) on
         * every run, and the one Lambert-93 definition (geom/geom.c). */
        g->l93_to_wgs84 = geom_wgs84_to(g->ctx, GEOM_EPSG_LAMBERT93);
        if (!g->l93_to_wgs84)
            return ptce_fail(g->ctx, PTCE_ERR_LIBRARY,
                             "PROJ : conversion Lambert-93 → WGS 84 impossible (%s)",
                             proj_context_errno_string(g->ctx->proj,
                                                       proj_context_errno(g->ctx->proj)));
    }
    PJ_COORD c = proj_coord(x, y, 0, 0);
    PJ_COORD out = proj_trans(g->l93_to_wgs84, PJ_INV, c);
    if (isfinite(out.v[0]) && isfinite(out.v[1])) {
        *lon = out.v[0];
        *lat = out.v[1];
        *ok = 1;
    }
    return PTCE_OK;
}

/* How far outside every commune polygon a point may lie and still be given to the nearest
 * commune, and how far outside a stated commune's polygon the census's coordinates may lie
 * and still be its point: 1 km. The polygons (IGN ADMIN EXPRESS, simplified to about 1 m)
 * explain only metres of it; the rest is what real coordinates do near an outline: a
 * harbour, a jetty or a beach beyond the coastline IGN draws, GPS and geocoder noise (tens
 * of metres), coordinates typed with three decimals (±55 m), a point taken from a web map
 * on the wrong side of a border street. 1 km covers these with room to spare while a point
 * farther out is at sea, or well into a neighbouring country (most border towns lie
 * several km from the line). */
#define PLACE_TOLERANCE_M 1000.0

/* The polygons are the reference data's own, loaded and indexed on the first point (never
 * for a census without coordinates); refdata loads them lazily, which is why the const is
 * cast away, and it keeps ownership. */
static refdata *shapes_of(geocoder *g)
{
    return (refdata *)g->rd;
}

/* Locates a point in the boxes among the commune polygons; clears c->valid when it lies
 * beyond the tolerance of every commune (at sea, abroad), with the distance. */
static ptce_status locate_point(geocoder *g, coords *c, geo_result *r)
{
    ptce_status st = refdata_locate(g->ctx, shapes_of(g), c->lon, c->lat, PLACE_TOLERANCE_M,
                                    &c->loc);
    if (st)
        return st;
    if (c->loc.status != REFDATA_LOCATE_NONE)
        return PTCE_OK;
    c->valid = 0;
    c->foreign = 1;
    geo_remark *n = geocode_remark_add(g, r, GEO_R_COORD_OFF_LAND, c->field);
    n->num[0] = c->lat;
    n->num[1] = c->lon;
    n->num[2] = c->loc.commune ? c->loc.distance_m / 1000.0 : 200.0;
    n->commune[0] = c->loc.commune;
    return PTCE_OK;
}

static ptce_status read_coordinates(geocoder *g, const geocode_input *in, coords *c, geo_result *r)
{
    memset(c, 0, sizeof *c);
    double a, b;
    int has_lat = !util_is_blank(in->latitude), has_lon = !util_is_blank(in->longitude);
    int has_x = !util_is_blank(in->x), has_y = !util_is_blank(in->y);
    int ok;
    ptce_status st;
    c->given = has_lat || has_lon || has_x || has_y;
    if (!c->given)
        return PTCE_OK;
    geo_remark *n;
    c->field = GEO_FIELD_X;
    geocode_axis ax_a, ax_b;
    unsigned how_a, how_b;
    /* Lambert-93 metres: numbers, with spaces between digit groups if need be, never a
     * hemisphere letter nor degrees. */
    int xy_read = has_x && has_y && geocode_read_coordinate(in->x, &a, &ax_a, &how_a) &&
                  geocode_read_coordinate(in->y, &b, &ax_b, &how_b) &&
                  !((how_a | how_b) & (GEOCODE_READ_HEMISPHERE | GEOCODE_READ_DMS));
    if (xy_read) {
        if (how_a & GEOCODE_READ_SPACES) {
            n = note_text(g, r, GEO_R_COORD_READ_AS, GEO_FIELD_X, in->x);
            n->num[0] = a;
            n->num[1] = GEOCODE_READ_SPACES;
        }
        if (how_b & GEOCODE_READ_SPACES) {
            n = note_text(g, r, GEO_R_COORD_READ_AS, GEO_FIELD_Y, in->y);
            n->num[0] = b;
            n->num[1] = GEOCODE_READ_SPACES;
        }
        if (geom_lambert93_plausible(a, b) || geom_lambert93_plausible(b, a)) {
            double x = geom_lambert93_plausible(a, b) ? a : b, y = geom_lambert93_plausible(a, b) ? b : a;
            if ((st = lambert_to_wgs84(g, x, y, &c->lat, &c->lon, &ok)))
                return st;
            if (ok && geocode_in_france_box(c->lat, c->lon)) {
                c->valid = 1;
                n = geocode_remark_add(g, r, x == a ? GEO_R_XY_CONVERTED : GEO_R_XY_SWAPPED,
                               GEO_FIELD_X);
                n->num[0] = x;
                n->num[1] = y;
                return locate_point(g, c, r);
            }
        }
        n = geocode_remark_add(g, r, GEO_R_XY_OUT_OF_ZONE, GEO_FIELD_X);
        n->num[0] = a;
        n->num[1] = b;
        return PTCE_OK;
    }
    if (has_x && has_y && !(has_lat && has_lon)) {
        /* Both given, at least one unreadable ("nan", "inf", text): not missing. */
        n = note_text(g, r, GEO_R_XY_UNREADABLE, GEO_FIELD_X, in->x);
        geocode_remark_text(g, n, 1, in->y);
        return PTCE_OK;
    }
    c->field = GEO_FIELD_LATITUDE;
    if (!(has_lat && has_lon)) {
        if (has_lat || has_lon)
            geocode_remark_add(g, r, GEO_R_LATLON_INCOMPLETE,
                       has_lat ? GEO_FIELD_LONGITUDE : GEO_FIELD_LATITUDE);
        else
            geocode_remark_add(g, r, GEO_R_XY_INCOMPLETE, has_x ? GEO_FIELD_Y : GEO_FIELD_X);
        return PTCE_OK;
    }
    /* Two hemisphere letters of one axis ("48.8 N" and "2.3 N") say nothing sure. */
    if (!geocode_read_coordinate(in->latitude, &a, &ax_a, &how_a) ||
        !geocode_read_coordinate(in->longitude, &b, &ax_b, &how_b) ||
        (ax_a != GEOCODE_AXIS_NONE && ax_a == ax_b)) {
        n = note_text(g, r, GEO_R_LATLON_UNREADABLE, GEO_FIELD_LATITUDE, in->latitude);
        geocode_remark_text(g, n, 1, in->longitude);
        return PTCE_OK;
    }
    if ((how_a | how_b) & GEOCODE_READ_COMMA)
        geocode_remark_add(g, r, GEO_R_DECIMAL_COMMA, GEO_FIELD_LATITUDE);
    if (how_a & ~(unsigned)GEOCODE_READ_COMMA) {
        n = note_text(g, r, GEO_R_COORD_READ_AS, GEO_FIELD_LATITUDE, in->latitude);
        n->num[0] = a;
        n->num[1] = how_a;
    }
    if (how_b & ~(unsigned)GEOCODE_READ_COMMA) {
        n = note_text(g, r, GEO_R_COORD_READ_AS, GEO_FIELD_LONGITUDE, in->longitude);
        n->num[0] = b;
        n->num[1] = how_b;
    }
    /* Hemisphere letters say which is which: a latitude's letter in the longitude column
     * (or the other way round) is a swap, whatever the values; degrees written with
     * letters or minutes are never Lambert-93 metres. */
    if (ax_a == GEOCODE_AXIS_LONGITUDE || ax_b == GEOCODE_AXIS_LATITUDE) {
        double t = a;
        a = b;
        b = t;
        n = geocode_remark_add(g, r, GEO_R_LATLON_SWAPPED, GEO_FIELD_LATITUDE);
        n->num[0] = a;
        n->num[1] = b;
    }
    int lettered = ax_a != GEOCODE_AXIS_NONE || ax_b != GEOCODE_AXIS_NONE ||
                   ((how_a | how_b) & GEOCODE_READ_DMS);
    if (lettered) {
        if (fabs(a) <= 90 && fabs(b) <= 180 && geocode_in_france_box(a, b)) {
            c->lat = a;
            c->lon = b;
            c->valid = 1;
            return locate_point(g, c, r);
        }
        c->foreign = fabs(a) <= 90 && fabs(b) <= 180;
        n = geocode_remark_add(g, r, GEO_R_COORD_OUTSIDE, GEO_FIELD_LATITUDE);
        n->num[0] = a;
        n->num[1] = b;
        return PTCE_OK;
    }
    if (geom_lambert93_plausible(a, b) || geom_lambert93_plausible(b, a)) {
        double x = geom_lambert93_plausible(a, b) ? a : b, y = geom_lambert93_plausible(a, b) ? b : a;
        if ((st = lambert_to_wgs84(g, x, y, &c->lat, &c->lon, &ok)))
            return st;
        if (ok && geocode_in_france_box(c->lat, c->lon)) {
            c->valid = 1;
            n = geocode_remark_add(g, r, GEO_R_LATLON_IN_L93, GEO_FIELD_LATITUDE);
            n->num[0] = x;
            n->num[1] = y;
            return locate_point(g, c, r);
        }
        return PTCE_OK;
    }
    if (geocode_in_france_box(a, b)) {
        c->lat = a;
        c->lon = b;
        c->valid = 1;
    } else if (geocode_in_france_box(b, a)) {
        c->lat = b;
        c->lon = a;
        c->valid = 1;
        n = geocode_remark_add(g, r, GEO_R_LATLON_SWAPPED, GEO_FIELD_LATITUDE);
        n->num[0] = b;
        n->num[1] = a;
    } else {
        /* Readable degrees away from France: a foreign place (0 ; 0 is a blank). */
        c->foreign = fabs(a) <= 90 && fabs(b) <= 180 && (fabs(a) > 0.01 || fabs(b) > 0.01);
        n = geocode_remark_add(g, r, GEO_R_COORD_OUTSIDE, GEO_FIELD_LATITUDE);
        n->num[0] = a;
        n->num[1] = b;
        return PTCE_OK;
    }
    return locate_point(g, c, r);
}

/* ---- results --------------------------------------------------------------------------- */

static void set_commune(geocoder *g, geo_result *r, const commune *m, geo_type type, double score)
{
    r->status = GEO_MATCH;
    r->type = type;
    r->score = score;
    r->commune = m;
    r->dep = refdata_departement(g->rd, m->dep);
    r->reg = refdata_region(g->rd, m->reg);
    r->lat = m->lat;
    r->lon = m->lon;
    r->precision = refdata_point_precision_name(m->precision);
}

/* The row is not placed: its reason goes first among its remarks (what the analyst must
 * read first); the caller fills the returned remark's values. */
static geo_remark *set_reject(geocoder *g, geo_result *r, geo_remark_code code, geo_field field)
{
    r->status = GEO_REJECT;
    r->type = GEO_TYPE_NONE;
    r->score = 0;
    r->commune = NULL;
    r->dep = NULL;
    r->reg = NULL;
    r->lat = r->lon = 0;
    r->precision = "";
    r->former = NULL;
    return geocode_remark_insert(g, r, 0, code, field);
}

/* The row designates several communes: the reason, then the candidates, go first. */
static geo_remark *set_ambiguous(geocoder *g, geo_result *r, const candidates *c,
                                 geo_remark_code why, geo_field field)
{
    r->status = GEO_AMBIGUOUS;
    r->type = GEO_TYPE_NONE;
    r->score = 0;
    r->commune = NULL;
    r->lat = r->lon = 0;
    r->precision = "";
    r->former = NULL;
    /* Keep the département and the region when every candidate shares them. */
    r->dep = NULL;
    r->reg = NULL;
    if (c->n > 0 && !c->overflow) {
        const commune *m0 = c->items[0].commune;
        int same_dep = 1, same_reg = 1;
        for (int i = 1; i < c->n; i++) {
            same_dep &= strcmp(c->items[i].commune->dep, m0->dep) == 0;
            same_reg &= strcmp(c->items[i].commune->reg, m0->reg) == 0;
        }
        if (same_dep)
            r->dep = refdata_departement(g->rd, m0->dep);
        if (same_reg)
            r->reg = refdata_region(g->rd, m0->reg);
    }
    keep_candidates(g, r, c);
    geocode_remark_insert(g, r, 0, GEO_R_CANDIDATES, field);
    return geocode_remark_insert(g, r, 0, why, field);
}

/* Moves a point that lies outside commune m's polygon (within the tolerance) to the nearest
 * point just inside it, so that every point drawn lies in its own commune (a QGIS count of
 * points in polygons then agrees with the counts by code). The step past the outline is
 * about 1 m, kept when the coordinates are rounded to 6 decimals. Returns the distance
 * moved in metres (0 when the point is already inside or no inside point is found). */
static double pull_inside(geocoder *g, const commune *m, double *lat, double *lon)
{
    GEOSContextHandle_t h = g->ctx->geos;
    const GEOSGeometry *poly = refdata_commune_geom(g->ctx, shapes_of(g), m);
    if (!poly) {
        g->failed = ptce_ctx_status(g->ctx, PTCE_ERR_DATA);
        return 0;
    }
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, *lon, *lat);
    if (!pt)
        return 0;
    double moved = 0;
    if (GEOSContains_r(h, poly, pt) != 1) {
        GEOSCoordSequence *cs = GEOSNearestPoints_r(h, poly, pt);
        double bx = 0, by = 0;
        if (cs && !GEOSCoordSeq_getXY_r(h, cs, 0, &bx, &by)) {
            GEOSCoordSeq_destroy_r(h, cs);
            cs = NULL;
        }
        if (cs) {
            /* One step further along the way in, then smaller ones if that leaves it. */
            double dx = bx - *lon, dy = by - *lat, len = sqrt(dx * dx + dy * dy);
            static const double steps[] = {1.5e-5, 5e-6, 1.5e-6};
            for (size_t k = 0; k < sizeof steps / sizeof *steps && len > 0; k++) {
                double x = bx + dx / len * steps[k], y = by + dy / len * steps[k];
                GEOSGeometry *q = GEOSGeom_createPointFromXY_r(h, x, y);
                int in = q ? GEOSContains_r(h, poly, q) : 0;
                if (q)
                    GEOSGeom_destroy_r(h, q);
                if (in == 1) {
                    moved = geocode_distance_km(*lat, *lon, y, x) * 1000.0;
                    *lon = x;
                    *lat = y;
                    break;
                }
            }
        }
        /* At a sharp corner the way in may not continue inside: a point on the surface
         * of the polygon's part within a few metres of the nearest point. */
        static const double radii[] = {3e-5, 1.5e-4};
        for (size_t k = 0; k < sizeof radii / sizeof *radii && moved == 0 && cs; k++) {
            GEOSGeometry *near = GEOSGeom_createPointFromXY_r(h, bx, by);
            GEOSGeometry *disc = near ? GEOSBuffer_r(h, near, radii[k], 8) : NULL;
            GEOSGeometry *part = disc ? GEOSIntersection_r(h, poly, disc) : NULL;
            GEOSGeometry *q = part && !GEOSisEmpty_r(h, part) ? GEOSPointOnSurface_r(h, part)
                                                              : NULL;
            double x, y;
            if (q && GEOSContains_r(h, poly, q) == 1 && GEOSGeomGetX_r(h, q, &x) &&
                GEOSGeomGetY_r(h, q, &y)) {
                moved = geocode_distance_km(*lat, *lon, y, x) * 1000.0;
                *lon = x;
                *lat = y;
            }
            GEOSGeometry *all[] = {near, disc, part, q};
            for (size_t i = 0; i < 4; i++)
                if (all[i])
                    GEOSGeom_destroy_r(h, all[i]);
        }
        if (cs)
            GEOSCoordSeq_destroy_r(h, cs);
    }
    GEOSGeom_destroy_r(h, pt);
    return moved;
}

/* Uses the census's coordinates as the point when they lie in the commune, or within the
 * tolerance of its polygon (for an arrondissement, its city's; for a re-created commune,
 * the 2018 polygon that holds it). Otherwise the commune's point is kept and the
 * coordinates are doubted, saying where they fall. */
static void settle_point(geocoder *g, geo_result *r, const coords *c)
{
    if (r->status != GEO_MATCH || !c->valid || !r->commune)
        return;
    double d;
    ptce_status st = refdata_commune_distance(g->ctx, shapes_of(g), r->commune, c->lon, c->lat,
                                              &d);
    if (st) {
        g->failed = st;
        return;
    }
    if (d <= PLACE_TOLERANCE_M) {
        r->lat = c->lat;
        r->lon = c->lon;
        r->type = GEO_TYPE_COORDINATES;
        r->precision = "coordonnees";
        if (d > 0) {
            double moved = pull_inside(g, r->commune, &r->lat, &r->lon);
            if (moved > 0)
                note_commune(g, r, GEO_R_POINT_PULLED_INSIDE, c->field, r->commune)->num[0] =
                    moved;
        }
        return;
    }
    const commune *in = c->loc.commune;
    int other_dep = in && strcmp(in->dep, r->commune->dep) != 0;
    geo_remark *n = note_commune(g, r, other_dep ? GEO_R_COORD_FAR_OTHER_DEP : GEO_R_COORD_FAR,
                                 c->field, r->commune);
    n->num[0] = d / 1000.0;
    n->commune[1] = in;
    if (r->score > GEOCODE_SCORE_CONTRADICTED)
        r->score = GEOCODE_SCORE_CONTRADICTED;
}

/* ---- address cell ---------------------------------------------------------------------- */

/* Finds "… 69002 Lyon …" in a free text: the last 5-digit number (or 4 digits before a
 * word, a postal code that lost its zero; at the very start only in a commune cell, where
 * it cannot be a house number) and the words after it as the city, or, in a commune cell
 * ("Lyon 69002"), the words before it. Returns 0 when there is no postal code. */
static int split_address(const char *text, int commune_cell, char postcode[6], char *city,
                         size_t citysize)
{
    const char *best = NULL;
    size_t best_len = 0;
    for (const char *p = text; *p; p++) {
        if (!isdigit((unsigned char)*p) || (p > text && isalnum((unsigned char)p[-1])))
            continue;
        size_t n = 0;
        while (isdigit((unsigned char)p[n]))
            n++;
        const char *after = p + n;
        if (isalpha((unsigned char)*after) || (*after == '-' && isdigit((unsigned char)after[1])))
            continue; /* "12bis", "4000-322" */
        while (*after == ' ')
            after++;
        int followed_by_word = isalpha((unsigned char)*after) || (unsigned char)*after >= 0x80;
        /* In a commune cell, also 4 digits at the very end ("Bourg-en-Bresse 1000"). */
        int at_end = commune_cell && p > text && !*after;
        if (n == 5 || (n == 4 && (followed_by_word || at_end) && (p > text || commune_cell))) {
            best = p;
            best_len = n;
        }
        p += n - 1;
    }
    if (!best)
        return 0;
    char digits[6];
    memcpy(digits, best, best_len);
    digits[best_len] = '\0';
    int restored, cedex;
    if (!geocode_clean_postcode(digits, postcode, &restored, &cedex))
        return 0;
    const char *c = best + best_len;
    while (*c == ' ' || *c == ',' || *c == '-')
        c++;
    snprintf(city, citysize, "%s", c);
    /* Cut at a comma: "Lyon, France" → "Lyon". */
    char *comma = strchr(city, ',');
    if (comma)
        *comma = '\0';
    util_trim(city);
    if (!city[0] && commune_cell) {
        size_t n = (size_t)(best - text);
        if (n >= citysize)
            n = citysize - 1;
        memcpy(city, text, n);
        city[n] = '\0';
        util_trim(city);
        size_t len = strlen(city);
        while (len && (city[len - 1] == ',' || city[len - 1] == '-'))
            city[--len] = '\0';
        util_trim(city);
    }
    return 1;
}

/* The foreign country an address names in its last comma-separated part, or NULL. */
static const char *address_country(const char *address)
{
    const char *last = strrchr(address, ',');
    char key[128];
    text_fold_into(last ? last + 1 : address, key, sizeof key);
    return geocode_foreign_country(key);
}

/* ---- the cascade ----------------------------------------------------------------------- */

static void area_add_dep(const refdata *rd, area *a, const char *code)
{
    const departement *d = refdata_departement(rd, code);
    if (d && a->ndeps < GEOCODE_QUAL_MAX_DEPS)
        a->deps[a->ndeps++] = d->code;
}

static void fill_area(geocoder *g, area *a, const char *postcode, geo_field pc_field, int cedex,
                      const departement *dep, const departement *const *group, int ngroup,
                      geo_result *r)
{
    memset(a, 0, sizeof *a);
    a->dep = dep;
    if (!postcode[0]) {
        for (int i = 0; i < ngroup && !dep; i++)
            area_add_dep(g->rd, a, group[i]->code);
        return;
    }
    /* A postal code of an overseas collectivity (Saint-Martin's 97150…) points to no
     * département: the cascade refuses the row with its own reason. */
    if (refdata_postcode_collectivity(postcode))
        return;
    /* The département(s) the postal code's prefix points to. */
    char codes[2][4];
    int ncodes = refdata_postcode_departements(postcode, codes);
    for (int i = 0; i < ncodes; i++)
        area_add_dep(g->rd, a, codes[i]);
    a->postal.n = refdata_postal(g->rd, postcode, &a->postal.first);
    if (a->postal.n == 0 && !cedex)
        note_text(g, r, GEO_R_POSTCODE_UNKNOWN, pc_field, postcode);
}

/* What a row says, once its cells are read. */
typedef struct reading {
    char postcode[6];
    geo_field pc_field;           /* the cell the postal code was read from */
    int restored;                 /* postal code's zero restored */
    int cedex;
    char name[256];               /* commune name, or the city of the address */
    int name_from_address;
    geo_field name_field;         /* GEO_FIELD_COMMUNE, or GEO_FIELD_ADDRESS */
    const departement *dep;
    /* Without a département: the group of départements the row names (a region, "DOM",
     * Corsica's "20"), from the département column or a qualifier of the commune cell. */
    const departement *group[GEOCODE_QUAL_MAX_DEPS];
    int ngroup;
    const char *foreign;          /* a foreign country the row names */
    geo_field foreign_field;      /* the cell that names it */
} reading;

/* ---- qualifiers of the commune cell ---------------------------------------------------- */

/* Does some spelling of the name lead to a place (a commune's own, former or La Poste
 * name), anywhere? */
static int name_known(const geocoder *g, const char *name)
{
    char keys[MAX_VARIANTS][128];
    int nk = geocode_name_variants(name, keys, MAX_VARIANTS);
    for (int k = 0; k < nk; k++) {
        const refdata_name_entry *first;
        if (refdata_names(g->rd, keys[k], &first) > 0)
            return 1;
    }
    return 0;
}

/* Takes what a qualifier says into the reading: a département or a group of them narrows
 * the search (the département column wins when both are given), a postal code fills an
 * empty postal code. */
static void apply_qualifier(geocoder *g, reading *rd, const geocode_qualifier *q, geo_result *r)
{
    if (q->kind == GEOCODE_QUAL_AREA) {
        if (rd->dep) {
            int inside = 0;
            for (int i = 0; i < q->ndeps; i++)
                inside |= q->deps[i] == rd->dep;
            if (!inside)
                note_text(g, r, GEO_R_QUALIFIER_DEP_MISMATCH, GEO_FIELD_DEPARTEMENT, q->label)
                    ->dep = rd->dep;
        } else if (q->dep) {
            rd->dep = q->dep;
            rd->ngroup = 0;
        } else if (rd->ngroup == 0) {
            memcpy(rd->group, q->deps, (size_t)q->ndeps * sizeof *q->deps);
            rd->ngroup = q->ndeps;
        }
    } else if (q->kind == GEOCODE_QUAL_POSTCODE) {
        if (!rd->postcode[0]) {
            memcpy(rd->postcode, q->postcode, sizeof rd->postcode);
            rd->pc_field = GEO_FIELD_COMMUNE;
            note_text(g, r, GEO_R_QUALIFIER_POSTCODE, GEO_FIELD_COMMUNE, q->postcode)->num[0] =
                q->restored_zero;
        } else if (strcmp(rd->postcode, q->postcode) != 0) {
            geo_remark *n =
                note_text(g, r, GEO_R_QUALIFIER_POSTCODE_IGNORED, GEO_FIELD_POSTCODE, q->postcode);
            geocode_remark_text(g, n, 1, rd->postcode);
        }
    }
}

/* A slash that abbreviates "sur" or "sous" ("Bar s/ Aube", "Fontenay-s/s-Bois") rather
 * than separating two parts. */
static int abbreviation_slash(const char *start, const char *slash)
{
    if (slash == start)
        return 0;
    const char *s = slash - 1;
    if ((*s | 0x20) != 's')
        return 0;
    return s == start || !isalnum((unsigned char)s[-1]);
}

/* Where the last part of a commune cell starts, when it is set apart: a trailing
 * parenthesis, or what follows the last comma, semicolon, slash or spaced dash. Returns
 * where the name would end and sets *part and *part_len, or returns NULL. */
static char *last_part(char *name, const char **part, size_t *part_len)
{
    size_t len = strlen(name);
    if (len >= 3 && name[len - 1] == ')') {
        char *open = strrchr(name, '(');
        if (!open || open == name)
            return NULL;
        *part = open + 1;
        *part_len = (size_t)(name + len - 1 - (open + 1));
        return open;
    }
    char *cut = NULL, *after = NULL;
    for (char *p = name; *p; p++) {
        size_t skip = 0;
        if (*p == ',' || *p == ';' || *p == '|' || (*p == '/' && !abbreviation_slash(name, p)))
            skip = 1;
        else if (p > name && p[-1] == ' ' && *p == '-' && p[1] == ' ')
            skip = 1;
        else if (p > name && p[-1] == ' ' && (unsigned char)p[0] == 0xE2 &&
                 (unsigned char)p[1] == 0x80 &&
                 ((unsigned char)p[2] == 0x93 || (unsigned char)p[2] == 0x94) && p[3] == ' ')
            skip = 3; /* – — */
        if (skip && p > name) {
            cut = p;
            after = p + skip;
        }
        if (skip)
            p += skip - 1;
    }
    if (!cut)
        return NULL;
    *part = after;
    *part_len = strlen(after);
    return cut;
}

/* Trims the name's end of spaces and of the separators left by a cut. */
static void trim_name_end(char *name)
{
    size_t len = strlen(name);
    while (len && (name[len - 1] == ' ' || name[len - 1] == ',' || name[len - 1] == '-' ||
                   name[len - 1] == ';' || name[len - 1] == '/'))
        name[--len] = '\0';
    util_trim(name);
}

/* "Mamoudzou Mayotte", "Kourou Guyane France", "Saint-Pierre 974": qualifiers written as
 * the last words, without a separator. Only taken when the whole text is no known name and
 * what remains is one ("Tremblay en France", "Fort de France" stay whole). Returns 1 when
 * the name (possibly shortened) is known. */
static int peel_words(geocoder *g, reading *rd, geo_result *r, int depth)
{
    if (name_known(g, rd->name))
        return 1;
    if (depth >= 3)
        return 0;
    char saved[sizeof rd->name];
    memcpy(saved, rd->name, sizeof saved);
    /* The starts of the last four words, longest qualifier first: "ile de la reunion"
     * before "reunion", so that "la" is not left to the name. */
    const char *starts[4];
    int ns = 0;
    const char *p = rd->name + strlen(rd->name);
    while (ns < 4) {
        while (p > rd->name && p[-1] != ' ')
            p--;
        if (p == rd->name)
            break;
        starts[ns++] = p;
        while (p > rd->name && p[-1] == ' ')
            p--;
    }
    for (int i = ns - 1; i >= 0; i--) {
        geocode_qualifier q;
        geocode_read_qualifier(g->rd, starts[i], 0, &q);
        if (q.kind != GEOCODE_QUAL_FRANCE && q.kind != GEOCODE_QUAL_AREA && q.kind != GEOCODE_QUAL_POSTCODE)
            continue;
        rd->name[starts[i] - rd->name] = '\0';
        trim_name_end(rd->name);
        if (rd->name[0] && peel_words(g, rd, r, depth + 1)) {
            apply_qualifier(g, rd, &q, r);
            return 1;
        }
        memcpy(rd->name, saved, sizeof saved);
    }
    return 0;
}

/* The qualifiers written after a commune: "Saint-Denis (93)", "Le Moule, Guadeloupe",
 * "Brioude - France", "Brioude (Haute-Loire, France)", "Brioude (43100)", "Sainte-Anne
 * (DOM)". A part that names a département, a region, the overseas départements, France or
 * a postal code is taken out of the name and narrows the search; one that names a foreign
 * country ("Genève (Suisse)") marks the row as foreign and stays in the name ("Montréal
 * (Canada)" must not match the French Montréal). */
static void read_qualifiers(geocoder *g, reading *rd, geo_result *r)
{
    for (int round = 0; round < 4 && rd->name[0]; round++) {
        const char *part;
        size_t part_len;
        char *cut = last_part(rd->name, &part, &part_len);
        if (!cut)
            break;
        char text[128];
        if (part_len >= sizeof text)
            break;
        memcpy(text, part, part_len);
        text[part_len] = '\0';
        /* A parenthesis may hold several: "(Haute-Loire, France)". */
        geocode_qualifier qs[4];
        int nq = 0, all = 1;
        char *save = NULL;
        for (char *t = strtok_r(text, ",;", &save); t; t = strtok_r(NULL, ",;", &save)) {
            if (nq == 4 || !geocode_read_qualifier(g->rd, t, 1, &qs[nq])) {
                all = 0;
                break;
            }
            nq++;
        }
        if (!all || nq == 0)
            break;
        for (int i = 0; i < nq; i++)
            if (qs[i].kind == GEOCODE_QUAL_FOREIGN) {
                if (!rd->foreign) {
                    rd->foreign = qs[i].label;
                    rd->foreign_field = rd->name_field;
                }
                return;
            }
        for (int i = 0; i < nq; i++)
            apply_qualifier(g, rd, &qs[i], r);
        *cut = '\0';
        trim_name_end(rd->name);
    }
    if (rd->name[0] && strchr(rd->name, ' '))
        peel_words(g, rd, r, 0);
}

static void read_cells(geocoder *g, const geocode_input *in, reading *rd, geo_result *r)
{
    memset(rd, 0, sizeof *rd);
    rd->pc_field = GEO_FIELD_POSTCODE;
    rd->name_field = GEO_FIELD_COMMUNE;
    int pc_given = !util_is_blank(in->postcode);
    if (pc_given) {
        const char *fc = geocode_foreign_postcode(in->postcode);
        if (fc) {
            rd->foreign = fc;
            rd->foreign_field = GEO_FIELD_POSTCODE;
            geocode_remark_text(g, note_text(g, r, GEO_R_POSTCODE_FOREIGN, GEO_FIELD_POSTCODE,
                                     in->postcode), 1, fc);
        } else if (!geocode_clean_postcode(in->postcode, rd->postcode, &rd->restored,
                                           &rd->cedex)) {
            note_text(g, r, GEO_R_POSTCODE_UNREADABLE, GEO_FIELD_POSTCODE, in->postcode);
            rd->postcode[0] = '\0';
        } else {
            char digits[6];
            if (refdata_code_number(in->postcode, digits))
                geocode_remark_text(g, note_text(g, r, GEO_R_CODE_NUMBER, GEO_FIELD_POSTCODE,
                                                 in->postcode), 1, rd->postcode);
        }
    }
    if (rd->restored)
        note_text(g, r, GEO_R_POSTCODE_ZERO, GEO_FIELD_POSTCODE, rd->postcode);

    copy_text(rd->name, sizeof rd->name, in->commune);
    util_trim(rd->name);
    if (!util_is_blank(in->departement)) {
        rd->dep = geocode_parse_departement(g->rd, in->departement);
        geocode_qualifier q;
        /* A region, "DOM", Corsica's "20" of before 1976 (now 2A and 2B). */
        if (!rd->dep && geocode_read_qualifier(g->rd, in->departement, 1, &q) == GEOCODE_QUAL_AREA)
            apply_qualifier(g, rd, &q, r);
        else if (!rd->dep && has_content(in->departement))
            note_text(g, r, GEO_R_DEP_UNKNOWN, GEO_FIELD_DEPARTEMENT, in->departement);
    }
    read_qualifiers(g, rd, r);
    /* A commune cell holding "31000 Toulouse Cedex" or "Lyon 69002": split it. */
    if (rd->name[0] && strpbrk(rd->name, "0123456789")) {
        const char *fc = geocode_foreign_postcode(rd->name);
        char pc2[6], city[256];
        if (fc && !rd->foreign) {
            rd->foreign = fc;
            rd->foreign_field = GEO_FIELD_COMMUNE;
        }
        geocode_qualifier q;
        if (!fc && geocode_read_qualifier(g->rd, rd->name, 0, &q) == GEOCODE_QUAL_POSTCODE) {
            /* A postal code alone in the commune cell. */
            rd->cedex |= geocode_mentions_cedex(rd->name);
            apply_qualifier(g, rd, &q, r);
            rd->name[0] = '\0';
        } else if (!fc && split_address(rd->name, 1, pc2, city, sizeof city) && city[0]) {
            if (!rd->postcode[0]) {
                memcpy(rd->postcode, pc2, 6);
                rd->pc_field = GEO_FIELD_COMMUNE;
                if (strlen(pc2) == 5 && !strstr(rd->name, pc2))
                    note_text(g, r, GEO_R_POSTCODE_ZERO, GEO_FIELD_COMMUNE, pc2);
            }
            rd->cedex |= geocode_mentions_cedex(rd->name);
            snprintf(rd->name, sizeof rd->name, "%s", city);
            read_qualifiers(g, rd, r);
        }
    }
    /* A country at the end of the name is looked for only when the name is not found
     * (see try_name): "Allemagne-en-Provence" is French. */
    if (rd->name[0] && geocode_mentions_cedex(rd->name))
        rd->cedex = 1;
    /* A free address gives a postal code and a city when the columns are empty. */
    if (!util_is_blank(in->address)) {
        const char *fc = geocode_foreign_postcode(in->address);
        if (!fc)
            fc = address_country(in->address);
        if (fc && !rd->foreign) {
            rd->foreign = fc;
            rd->foreign_field = GEO_FIELD_ADDRESS;
        }
        char pc2[6], city[256];
        if ((!rd->postcode[0] || !rd->name[0]) &&
            split_address(in->address, 0, pc2, city, sizeof city)) {
            if (!rd->postcode[0]) {
                memcpy(rd->postcode, pc2, 6);
                rd->pc_field = GEO_FIELD_ADDRESS;
                rd->cedex |= geocode_mentions_cedex(in->address);
            }
            if (!rd->name[0] && has_content(city)) {
                snprintf(rd->name, sizeof rd->name, "%s", city);
                rd->name_from_address = 1;
                rd->name_field = GEO_FIELD_ADDRESS;
                read_qualifiers(g, rd, r);
            }
            geocode_remark_add(g, r, GEO_R_COMMUNE_FROM_ADDRESS, GEO_FIELD_ADDRESS);
        } else if (!rd->name[0] && !rd->postcode[0]) {
            /* "12 rue de la République, Lyon": the last part, when it is not a street
             * ("…, Lyon, France": the part before the country). */
            char buf[512];
            copy_text(buf, sizeof buf, in->address);
            char *last = strrchr(buf, ',');
            geocode_qualifier q;
            while (last && geocode_read_qualifier(g->rd, last + 1, 0, &q) == GEOCODE_QUAL_FRANCE) {
                *last = '\0';
                last = strrchr(buf, ',');
            }
            geocode_street st;
            if (last && has_content(last + 1) && !geocode_parse_street(last + 1, &st)) {
                copy_text(rd->name, sizeof rd->name, last + 1);
                util_trim(rd->name);
                rd->name_from_address = 1;
                rd->name_field = GEO_FIELD_ADDRESS;
                read_qualifiers(g, rd, r);
                geocode_remark_add(g, r, GEO_R_COMMUNE_FROM_ADDRESS, GEO_FIELD_ADDRESS);
            }
        }
    }
    if (rd->name[0] && !has_content(rd->name))
        rd->name[0] = '\0';
    if (rd->postcode[0]) {
        memcpy(r->postcode_buf, rd->postcode, sizeof r->postcode_buf);
        r->postcode = r->postcode_buf;
    }
    if (rd->cedex)
        geocode_remark_add(g, r, GEO_R_CEDEX, rd->pc_field);
}

/* Paris, Lyon, Marseille: when every candidate left is an arrondissement of one city (the
 * row names the city, "Marseille", and its postal code serves several arrondissements),
 * the place is certainly that city, and which arrondissement is not known. Returns the
 * city, or NULL when the candidates are not two or more arrondissements of one city. */
static const commune *single_city_of(const geocoder *g, const candidates *c)
{
    if (c->n < 2)
        return NULL;
    const char *parent = NULL;
    for (int i = 0; i < c->n; i++) {
        const commune *m = c->items[i].commune;
        if (m->kind != REFDATA_COMMUNE_ARRONDISSEMENT || !m->parent[0])
            return NULL;
        if (parent && strcmp(parent, m->parent) != 0)
            return NULL;
        parent = m->parent;
    }
    const commune *city = refdata_commune(g->rd, parent);
    return city && city->kind == REFDATA_COMMUNE_CURRENT ? city : NULL;
}

/* Refuses the row: `name` (`code`) is in the overseas collectivity `coll`, outside the
 * map's 18 regions, as the cell `field` says. */
static void reject_outside(geocoder *g, geo_result *r, geo_field field, const char *name,
                           const char *code, const char *coll)
{
    geo_remark *n = set_reject(g, r, GEO_R_OUTSIDE_COLLECTIVITY, field);
    geocode_remark_text(g, n, 0, name);
    geocode_remark_text(g, n, 1, code);
    geocode_remark_text(g, n, 2, coll);
}

/* A name of the overseas collectivities outside the 18 regions: one of their communes
 * (Miquelon-Langlade, Gustavia is not one: Saint-Barthélemy is a single commune) or a
 * collectivity ("Saint-Pierre-et-Miquelon"). Asked only once no commune of the regions
 * bears the name. Returns the collectivity's code and sets *code to the commune's INSEE
 * code (or the collectivity's); NULL when the name is none of them. */
static const char *outside_by_name(const geocoder *g, const char *name, const char **code)
{
    char key[256], other[256];
    if (text_fold_into(name, key, sizeof key) == 0)
        return NULL;
    size_t n = refdata_outside_count(g->rd);
    for (size_t i = 0; i < n; i++) {
        const char *insee, *nom;
        const char *coll = refdata_outside_row(g->rd, i, &insee, &nom);
        text_fold_into(nom, other, sizeof other);
        if (strcmp(key, other) == 0) {
            *code = insee;
            return coll;
        }
        const char *cname = refdata_collectivity_name(coll);
        if (cname) {
            text_fold_into(cname, other, sizeof other);
            if (strcmp(key, other) == 0) {
                *code = coll;
                return coll;
            }
        }
    }
    return NULL;
}

/* The name path. Returns 1 when the result is settled (match, ambiguous or reject). */
static int try_name(geocoder *g, const reading *rd, const area *a, const coords *co,
                    geo_result *r)
{
    const char *name = rd->name;
    name_match nm;
    resolve_name(g, name, a, &nm);
    const char *foreign = rd->foreign;
    geo_field foreign_field = rd->foreign_field;
    if (!foreign && (nm.cands.n == 0 || nm.fuzzy || nm.prefix)) {
        char k[256];
        text_fold_into(name, k, sizeof k);
        foreign = geocode_foreign_country(k);
        foreign_field = rd->name_field;
    }
    geo_field nf = rd->name_field;
    if (nm.cands.n == 0 || ((nm.fuzzy || nm.prefix) && foreign)) {
        const char *coll_code = NULL;
        const char *coll = nm.cands.n == 0 && !foreign ? outside_by_name(g, name, &coll_code)
                                                       : NULL;
        if (coll) {
            reject_outside(g, r, nf, name, coll_code, coll);
            return 1;
        }
        if (foreign) {
            geocode_remark_text(g, set_reject(g, r, GEO_R_FOREIGN_PLACE, foreign_field), 0, foreign);
            return 1;
        }
        if (co->valid)
            return 0; /* the coordinates may still tell */
        if (nm.elsewhere.n > 0 && area_is_set(a)) {
            geo_field area_field = a->postal.n ? rd->pc_field : GEO_FIELD_DEPARTEMENT;
            geo_remark *n = set_ambiguous(g, r, &nm.elsewhere, GEO_R_NOT_IN_AREA, area_field);
            geocode_remark_text(g, n, 0, name);
            geocode_remark_text(g, n, 1, a->postal.n ? rd->postcode : a->dep ? a->dep->code
                                                 : a->ndeps ? a->deps[0] : "");
            n->num[0] = a->postal.n ? 1 : 0;
            r->dep = NULL; /* the row says another area: no département to count it in */
            r->reg = NULL;
            return 1;
        }
        geocode_remark_text(g, set_reject(g, r, co->foreign ? GEO_R_NAME_NOT_FOUND_OFF_LAND
                                       : area_is_set(a) ? GEO_R_NAME_NOT_FOUND_IN_AREA
                                                        : GEO_R_NAME_NOT_FOUND_NO_AREA, nf),
                    0, name);
        return 1;
    }
    if (nm.outside_postcode) {
        geo_remark *n = set_ambiguous(g, r, &nm.cands, GEO_R_NEAR_NAME_OUTSIDE_POSTCODE, nf);
        geocode_remark_text(g, n, 0, name);
        geocode_remark_text(g, n, 1, rd->postcode);
        return 1;
    }
    const commune *city = nm.fuzzy || nm.prefix ? NULL : single_city_of(g, &nm.cands);
    candidates arrondissements;
    if (city) {
        cand_copy(&arrondissements, &nm.cands);
        cand_clear(&nm.cands);
        cand_add(&nm.cands, city, REFDATA_NAME_COMMUNE, NULL, 0);
    }
    if (nm.cands.n > 1) {
        set_ambiguous(g, r, &nm.cands,
                      nm.prefix ? GEO_R_AMBIG_PREFIX
                      : nm.fuzzy ? GEO_R_AMBIG_FUZZY
                      : area_is_set(a) ? GEO_R_AMBIG_IN_AREA : GEO_R_AMBIG_NAME, nf);
        return 1;
    }
    const candidate *c = &nm.cands.items[0];
    double score = GEOCODE_SCORE_EXACT;
    if (!area_is_set(a))
        score = GEOCODE_SCORE_NAME_ALONE;
    else if (a->postal.n == 0 || nm.loose)
        score = GEOCODE_SCORE_NAME_IN_DEP;
    set_commune(g, r, c->commune, GEO_TYPE_MUNICIPALITY, score);
    geo_remark *n;
    if (c->source == REFDATA_NAME_FORMER && c->former) {
        r->former = c->former;
        n = note_commune(g, r, GEO_R_FORMER_COMMUNE, nf, c->commune);
        n->former = c->former;
    }
    if (nm.fuzzy) {
        n = note_text(g, r, GEO_R_NAME_CORRECTED, nf, name);
        geocode_remark_text(g, n, 1,
                    c->source == REFDATA_NAME_FORMER && c->former ? c->former->nom : c->commune->nom);
        n->commune[0] = c->commune;
    } else if (nm.prefix) {
        note_text(g, r, GEO_R_NAME_PREFIX, nf, name)->commune[0] = c->commune;
    } else if (nm.variant_index > 0 && c->source != REFDATA_NAME_FORMER) {
        note_text(g, r, GEO_R_NAME_READ_AS, nf, name)->commune[0] = c->commune;
    }
    if (city) {
        n = note_text(g, r, GEO_R_ARRONDISSEMENT_UNDETERMINED, rd->pc_field, rd->postcode);
        n->commune[0] = arrondissements.items[0].commune;
        n->commune[1] = arrondissements.items[1].commune;
        n->num[0] = arrondissements.n;
    }
    if (nm.loose)
        note_text(g, r, GEO_R_POSTCODE_MISMATCH_DEP, rd->pc_field, rd->postcode)->commune[0] =
            c->commune;
    int dep_differs = a->dep && strcmp(c->commune->dep, a->dep->code) != 0;
    if (dep_differs)
        note_commune(g, r, GEO_R_DEP_DIFFERS, GEO_FIELD_DEPARTEMENT, c->commune)->dep = a->dep;
    if (c->source == REFDATA_NAME_ROUTING && !nm.fuzzy && !nm.prefix)
        note_text(g, r, GEO_R_ROUTING_NAME, nf, name)->commune[0] = c->commune;
    if (nm.fuzzy)
        r->score = c->distance == 1 ? GEOCODE_SCORE_ONE_TYPO : GEOCODE_SCORE_TWO_TYPOS;
    else if (nm.prefix || c->source == REFDATA_NAME_ROUTING)
        r->score = GEOCODE_SCORE_NAME_PREFIX;
    else if (nm.loose)
        r->score = GEOCODE_SCORE_CONTRADICTED;
    if (c->source == REFDATA_NAME_FORMER)
        r->score *= GEOCODE_SCORE_FORMER_FACTOR;
    if (dep_differs && r->score > GEOCODE_SCORE_CONTRADICTED)
        r->score = GEOCODE_SCORE_CONTRADICTED;
    if (!area_is_set(a) && !nm.fuzzy)
        geocode_remark_add(g, r, GEO_R_NAME_ONLY, nf);
    return 1;
}

/* The INSEE path. Returns 1 when settled, with *by_code set when the code was read. */
static int try_insee(geocoder *g, const geocode_input *in, const reading *rd, const area *a,
                     const coords *co, geo_result *r)
{
    char code[6];
    int zero = 0;
    if (!refdata_clean_insee(in->insee, code, &zero)) {
        note_text(g, r, GEO_R_INSEE_UNREADABLE, GEO_FIELD_INSEE, in->insee);
        return 0;
    }
    const char *nom_outside = NULL;
    const char *coll = refdata_outside_collectivity(g->rd, code, &nom_outside);
    if (coll) {
        reject_outside(g, r, GEO_FIELD_INSEE, nom_outside, code, coll);
        return 1;
    }
    char digits[6];
    if (refdata_code_number(in->insee, digits))
        geocode_remark_text(g, note_text(g, r, GEO_R_CODE_NUMBER, GEO_FIELD_INSEE, in->insee), 1,
                            code);
    const commune *by_code = refdata_commune(g->rd, code);
    const refdata_former_commune *f = by_code ? NULL : refdata_former(g->rd, code);
    if (f) {
        by_code = f->current;
        geo_remark *n = note_text(g, r, GEO_R_INSEE_FORMER, GEO_FIELD_INSEE, code);
        n->former = f;
        n->commune[0] = f->current;
    } else if (!by_code) {
        note_text(g, r, GEO_R_INSEE_UNKNOWN, GEO_FIELD_INSEE, code);
        return 0;
    } else if (zero) {
        note_text(g, r, GEO_R_INSEE_ZERO, GEO_FIELD_INSEE, code);
    }
    const char *name = rd->name;
    const refdata_former_commune *named_former = NULL, *part_former = NULL;
    const char *part_of = NULL;
    int designates = !name[0] || name_designates(g, name, by_code, &named_former);
    /* A part of the code's commune's name, or of a former commune's ("Évry" with 91228,
     * Évry-Courcouronnes): the row agrees with its code, however many other communes bear
     * that part as their whole name. */
    int part = !designates && name_part_of(g, name, by_code, &part_former, &part_of);
    if (designates || part) {
        const commune *m = by_code;
        /* Paris, Lyon, Marseille: the code the row states is kept (75056), the
         * arrondissement that the postal code or the name tells is only noted. */
        const commune *arr = a->postal.n ? postal_arrondissement_of(&a->postal, m) : NULL;
        if (!arr && name[0] && m->kind == REFDATA_COMMUNE_CURRENT) {
            name_match nm;
            resolve_name(g, name, a, &nm);
            if (nm.cands.n == 1 && !nm.fuzzy &&
                nm.cands.items[0].commune->kind == REFDATA_COMMUNE_ARRONDISSEMENT &&
                strcmp(nm.cands.items[0].commune->parent, m->insee) == 0)
                arr = nm.cands.items[0].commune;
        }
        if (arr)
            note_commune(g, r, GEO_R_INSEE_ARRONDISSEMENT, GEO_FIELD_INSEE, arr);
        else if (rd->postcode[0] && a->postal.n > 0 && !postal_has(&a->postal, m))
            note_text(g, r, GEO_R_INSEE_POSTCODE_MISMATCH, rd->pc_field, rd->postcode)
                ->commune[0] = m;
        set_commune(g, r, m, GEO_TYPE_MUNICIPALITY, GEOCODE_SCORE_EXACT);
        r->former = f;
        if (named_former && !f) {
            r->former = named_former;
            geo_remark *n = note_commune(g, r, GEO_R_FORMER_COMMUNE, rd->name_field, m);
            n->former = named_former;
        } else if (part) {
            geo_remark *n = note_text(g, r, GEO_R_INSEE_NAME_PART, rd->name_field, name);
            n->commune[0] = m;
            n->former = part_former;
            geocode_remark_text(g, n, 1, part_of);
        }
        settle_point(g, r, co);
        return 1;
    }
    /* The code and the name disagree: the name wins only if the postal code agrees
     * with it; otherwise nobody can tell. */
    name_match nm;
    resolve_name(g, name, a, &nm);
    /* The name's search found the code's own commune among others (a near spelling, a
     * post-office name): the code tells which. */
    for (int i = 0; i < nm.cands.n; i++)
        if (nm.cands.items[i].commune == by_code) {
            note_text(g, r, GEO_R_INSEE_NAME_PART, rd->name_field, name)->commune[0] = by_code;
            set_commune(g, r, by_code, GEO_TYPE_MUNICIPALITY, GEOCODE_SCORE_EXACT);
            r->former = f;
            settle_point(g, r, co);
            return 1;
        }
    if (nm.cands.n == 1 && a->postal.n > 0 && !postal_has(&a->postal, by_code) && !nm.loose) {
        const commune *m = nm.cands.items[0].commune;
        note_commune(g, r, GEO_R_INSEE_CONTRADICTS, GEO_FIELD_INSEE, by_code)->commune[1] = m;
        set_commune(g, r, m, GEO_TYPE_MUNICIPALITY, GEOCODE_SCORE_CONTRADICTED);
        settle_point(g, r, co);
        return 1;
    }
    if (nm.cands.n >= 1) {
        cand_add(&nm.cands, by_code, REFDATA_NAME_COMMUNE, NULL, 0);
        sort_candidates(&nm.cands);
        set_ambiguous(g, r, &nm.cands, GEO_R_AMBIG_INSEE_NAME, GEO_FIELD_INSEE);
        return 1;
    }
    note_text(g, r, GEO_R_INSEE_NAME_MISMATCH, rd->name_field, name)->commune[0] = by_code;
    set_commune(g, r, by_code, GEO_TYPE_MUNICIPALITY, GEOCODE_SCORE_CONTRADICTED);
    r->former = f;
    settle_point(g, r, co);
    return 1;
}

static ptce_status cascade(geocoder *g, const geocode_input *in, geo_result *r)
{
    coords co;
    ptce_status st = read_coordinates(g, in, &co, r);
    if (st)
        return st;
    reading rd;
    read_cells(g, in, &rd, r);
    area a;
    fill_area(g, &a, rd.postcode, rd.pc_field, rd.cedex, rd.dep, rd.group, rd.ngroup, r);

    /* 2. INSEE code. */
    if (!util_is_blank(in->insee) && try_insee(g, in, &rd, &a, &co, r))
        return PTCE_OK;

    /* An overseas collectivity's postal code: outside the map's 18 regions, whatever the
     * name says (no commune of the regions has that code). */
    const char *coll = rd.postcode[0] ? refdata_postcode_collectivity(rd.postcode) : NULL;
    if (coll) {
        reject_outside(g, r, rd.pc_field, rd.name[0] ? rd.name : refdata_collectivity_name(coll),
                       rd.postcode, coll);
        return PTCE_OK;
    }

    /* 3. Commune name. */
    if (rd.name[0]) {
        if (try_name(g, &rd, &a, &co, r)) {
            settle_point(g, r, &co);
            return PTCE_OK;
        }
        note_text(g, r, GEO_R_NAME_NOT_FOUND, rd.name_field, rd.name);
    } else if (rd.foreign) {
        geocode_remark_text(g, set_reject(g, r, GEO_R_FOREIGN_PLACE, rd.foreign_field), 0,
                    rd.foreign);
        return PTCE_OK;
    }

    /* 4. Postal code alone. */
    if (rd.postcode[0] && a.postal.n > 0 && !rd.cedex && !rd.name[0]) {
        candidates c;
        cand_clear(&c);
        for (size_t i = 0; i < a.postal.n; i++)
            cand_add(&c, a.postal.first[i].commune, REFDATA_NAME_COMMUNE, NULL, 0);
        sort_candidates(&c);
        if (c.n == 1) {
            set_commune(g, r, c.items[0].commune, GEO_TYPE_POSTCODE, GEOCODE_SCORE_POSTCODE_ALONE);
            geocode_remark_add(g, r, GEO_R_POSTCODE_ONLY, rd.pc_field);
            settle_point(g, r, &co);
            return PTCE_OK;
        }
        if (!co.valid) {
            set_ambiguous(g, r, &c, GEO_R_AMBIG_POSTCODE, rd.pc_field);
            return PTCE_OK;
        }
    }

    /* 5. Coordinates alone: the commune whose polygon holds the point, else the nearest
     * one within the tolerance (the point is then just off the coast or a border). */
    if (co.valid) {
        const commune *m = co.loc.commune;
        if (!m || co.loc.status == REFDATA_LOCATE_NONE) {
            set_reject(g, r, GEO_R_COORD_NO_COMMUNE, co.field)->num[0] =
                m ? co.loc.distance_m / 1000.0 : 0.0;
            return PTCE_OK;
        }
        int inside = co.loc.status == REFDATA_LOCATE_INSIDE;
        set_commune(g, r, m, GEO_TYPE_COORDINATES,
                    inside ? GEOCODE_SCORE_POINT_IN_COMMUNE : GEOCODE_SCORE_POINT_NEAR_COMMUNE);
        r->lat = co.lat;
        r->lon = co.lon;
        r->precision = "coordonnees";
        note_commune(g, r, inside ? GEO_R_POINT_IN_COMMUNE : GEO_R_POINT_NEAR_COMMUNE, co.field,
                     m)->num[0] = co.loc.distance_m;
        if (!inside) {
            double moved = pull_inside(g, m, &r->lat, &r->lon);
            if (moved > 0)
                note_commune(g, r, GEO_R_POINT_PULLED_INSIDE, co.field, m)->num[0] = moved;
        }
        if (a.dep && strcmp(m->dep, a.dep->code) != 0) {
            geocode_remark_add(g, r, GEO_R_POINT_OUTSIDE_DEP, GEO_FIELD_DEPARTEMENT)->dep = a.dep;
            r->score = GEOCODE_SCORE_POINT_OUTSIDE_DEP;
        }
        return PTCE_OK;
    }
    if (co.foreign) {
        set_reject(g, r, GEO_R_COORD_OFF_LAND_ALONE, co.field);
        return PTCE_OK;
    }

    /* 6. Département alone. */
    if (rd.dep && !rd.name[0]) {
        const commune *chef = refdata_commune(g->rd, rd.dep->chef_lieu);
        if (chef) {
            r->status = GEO_MATCH;
            r->type = GEO_TYPE_DEPARTEMENT;
            r->score = GEOCODE_SCORE_DEPARTEMENT_ALONE;
            r->dep = rd.dep;
            r->reg = refdata_region(g->rd, rd.dep->reg);
            r->lat = chef->lat;
            r->lon = chef->lon;
            r->precision = "departement";
            note_commune(g, r, GEO_R_DEP_ONLY, GEO_FIELD_DEPARTEMENT, chef)->dep = rd.dep;
            return PTCE_OK;
        }
    }

    if (rd.name[0]) {
        geocode_remark_text(g, set_reject(g, r, GEO_R_NAME_NOT_FOUND, rd.name_field), 0, rd.name);
    } else if (rd.postcode[0]) {
        geo_remark *n = set_reject(g, r, GEO_R_POSTCODE_NO_NAME, rd.pc_field);
        geocode_remark_text(g, n, 0, rd.postcode);
        n->num[0] = rd.cedex;
    } else if (has_content(in->commune) || has_content(in->address) ||
               has_content(in->insee) || has_content(in->postcode)) {
        set_reject(g, r, GEO_R_NOTHING_RECOGNISED, GEO_FIELD_NONE);
    } else {
        set_reject(g, r, GEO_R_NO_PLACE, GEO_FIELD_NONE);
    }
    return PTCE_OK;
}

/* ---- BAN ------------------------------------------------------------------------------- */

static void refine_with_ban(geocoder *g, const geocode_input *in, geo_result *r)
{
    geocode_street s;
    if (!geocode_parse_street(in->address, &s))
        return;
    geocode_ban_hit hit;
    int covered = 0;
    if (!geocode_ban_locate(g->ban, g->rd, r->commune, &s, &hit, &covered)) {
        if (covered)
            note_text(g, r, GEO_R_BAN_MISSING, GEO_FIELD_ADDRESS, in->address);
        return;
    }
    if (r->type == GEO_TYPE_COORDINATES) {
        /* The census's own point agreed with the commune: keep it, but say where the BAN
         * puts the address when they are far apart. */
        double d = geocode_distance_km(r->lat, r->lon, hit.lat, hit.lon);
        if (d > 1.0)
            geocode_remark_add(g, r, GEO_R_BAN_FAR, GEO_FIELD_ADDRESS)->num[0] = d;
        return;
    }
    if (hit.commune && hit.commune != r->commune) {
        note_commune(g, r, GEO_R_BAN_OTHER_COMMUNE, GEO_FIELD_ADDRESS, hit.commune);
        const refdata_former_commune *former = r->former;
        set_commune(g, r, hit.commune, GEO_TYPE_ADDRESS, r->score);
        r->former = former;
    }
    double score = GEOCODE_SCORE_EXACT;
    geo_remark *n;
    switch (hit.match) {
    case GEOCODE_BAN_EXACT:
        n = note_text(g, r, GEO_R_BAN_EXACT, GEO_FIELD_ADDRESS, hit.rep);
        n->num[0] = hit.number;
        geocode_remark_text(g, n, 2, hit.street);
        break;
    case GEOCODE_BAN_NUMBER_NEAR:
        score = GEOCODE_SCORE_BAN_NUMBER_NEAR;
        n = note_text(g, r, GEO_R_BAN_NUMBER_NEAR, GEO_FIELD_ADDRESS, s.rep);
        n->num[0] = s.number;
        n->num[1] = hit.number;
        geocode_remark_text(g, n, 1, hit.rep);
        geocode_remark_text(g, n, 2, hit.street);
        break;
    case GEOCODE_BAN_STREET:
    case GEOCODE_BAN_NONE:
        score = GEOCODE_SCORE_BAN_STREET;
        geocode_remark_text(g, geocode_remark_add(g, r, GEO_R_BAN_STREET, GEO_FIELD_ADDRESS), 2, hit.street);
        break;
    }
    if (hit.street_fuzzy) {
        score *= GEOCODE_SCORE_BAN_FUZZY_FACTOR;
        geocode_remark_text(g, geocode_remark_add(g, r, GEO_R_BAN_STREET_FUZZY, GEO_FIELD_ADDRESS), 2,
                    hit.street);
    }
    r->type = GEO_TYPE_ADDRESS;
    r->precision = "adresse";
    r->lat = hit.lat;
    r->lon = hit.lon;
    if (score < r->score)
        r->score = score;
}

/* ---- overrides ------------------------------------------------------------------------- */

static ptce_status apply_override(geocoder *g, const geocode_input *in, const geocode_override_entry *ov,
                                  geo_result *r)
{
    if (ov->commune) {
        set_commune(g, r, ov->commune, GEO_TYPE_MUNICIPALITY, GEOCODE_SCORE_EXACT);
        if (ov->code_given)
            note_text(g, r, GEO_R_OVERRIDE_FORMER_CODE, GEO_FIELD_ID, ov->code_given)
                ->commune[0] = ov->commune;
    } else {
        /* Coordinates only: the commune the row designates if the point lies there, else
         * the nearest commune to the point. */
        geo_result found;
        memset(&found, 0, sizeof found);
        found.postcode = "";
        found.precision = "";
        ptce_status st = cascade(g, in, &found);
        const commune *m = NULL;
        double d = INFINITY;
        if (!st && found.status == GEO_MATCH && found.commune)
            st = refdata_commune_distance(g->ctx, shapes_of(g), found.commune, ov->lon, ov->lat,
                                          &d);
        if (d <= PLACE_TOLERANCE_M)
            m = found.commune;
        geo_result_free(&found);
        if (st)
            return st;
        if (!m) {
            refdata_locate_result loc;
            if ((st = refdata_locate(g->ctx, shapes_of(g), ov->lon, ov->lat, PLACE_TOLERANCE_M,
                                     &loc)))
                return st;
            if (loc.status != REFDATA_LOCATE_NONE)
                m = loc.commune;
        }
        if (!m) {
            geo_remark *n = set_reject(g, r, GEO_R_OVERRIDE_NO_COMMUNE, GEO_FIELD_ID);
            n->num[0] = (double)ov->line;
            geocode_remark_text(g, n, 0, ov->note);
            return PTCE_OK;
        }
        set_commune(g, r, m, GEO_TYPE_COORDINATES, GEOCODE_SCORE_EXACT);
    }
    if (ov->has_point) {
        r->type = GEO_TYPE_COORDINATES;
        r->lat = ov->lat;
        r->lon = ov->lon;
        r->precision = "coordonnees";
        double d = 0;
        ptce_status st = ov->commune ? refdata_commune_distance(g->ctx, shapes_of(g), r->commune,
                                                                ov->lon, ov->lat, &d)
                                     : PTCE_OK;
        if (st)
            return st;
        if (d > PLACE_TOLERANCE_M)
            note_commune(g, r, GEO_R_OVERRIDE_POINT_FAR, GEO_FIELD_ID, r->commune)->num[0] =
                d / 1000.0;
    }
    geo_remark *n = geocode_remark_insert(g, r, 0, GEO_R_OVERRIDE, GEO_FIELD_ID);
    n->num[0] = (double)ov->line;
    geocode_remark_text(g, n, 0, ov->note);
    /* The row still names a former commune when its INSEE cell holds the code of one
     * merged into the commune the correction retains. */
    char code[6];
    int zero;
    const refdata_former_commune *f;
    if (!util_is_blank(in->insee) && refdata_clean_insee(in->insee, code, &zero) &&
        !refdata_commune(g->rd, code) && (f = refdata_former(g->rd, code)) != NULL &&
        (f->current == r->commune || strcmp(f->current->insee, r->commune->parent) == 0))
        r->former = f;
    return PTCE_OK;
}

/* ---- entry point ----------------------------------------------------------------------- */

/* The class of a commune's own point, and the cap on the score when it is approximate. */
static geo_accuracy commune_point_accuracy(const commune *m, double *cap)
{
    *cap = GEOCODE_SCORE_EXACT;
    switch (m->precision) {
    case REFDATA_POINT_GEONAMES:
    case REFDATA_POINT_GEONAMES_NEARBY:
    case REFDATA_POINT_FORMER_COMMUNE:
    case REFDATA_POINT_INTERIOR: /* inside the commune's own polygon */
        return GEO_ACCURACY_COMMUNE;
    case REFDATA_POINT_PARENT:
        *cap = GEOCODE_SCORE_CAP_PARENT_POINT;
        return GEO_ACCURACY_APPROXIMATE;
    case REFDATA_POINT_RECREATED:
        *cap = GEOCODE_SCORE_CAP_RECREATED_POINT;
        return GEO_ACCURACY_APPROXIMATE;
    }
    return GEO_ACCURACY_APPROXIMATE;
}

/* The class of the point drawn. A point that is not the commune's own says so in its
 * type (`approximate`, never `municipality`), its score (capped) and its note. */
static void settle_accuracy(geocoder *g, geo_result *r)
{
    r->accuracy = GEO_ACCURACY_NONE;
    if (r->status != GEO_MATCH)
        return;
    if (r->type == GEO_TYPE_COORDINATES || r->type == GEO_TYPE_ADDRESS) {
        /* Coordinates outside every commune outline, within the tolerance: on a quay or a
         * beach, or just across a land border (Monaco, Llívia, Menin): without the
         * neighbours' outlines nobody can tell which, so the point is not the place. */
        r->accuracy = GEO_ACCURACY_PLACE;
        for (size_t i = 0; i < r->nremarks; i++)
            if (r->remarks[i].code == GEO_R_POINT_NEAR_COMMUNE)
                r->accuracy = GEO_ACCURACY_APPROXIMATE;
        return;
    }
    if (r->type == GEO_TYPE_DEPARTEMENT || !r->commune) {
        r->accuracy = GEO_ACCURACY_DEPARTEMENT;
        return;
    }
    double cap;
    const commune *m = r->commune;
    r->accuracy = commune_point_accuracy(m, &cap);
    if (r->accuracy == GEO_ACCURACY_COMMUNE)
        return;
    r->type = GEO_TYPE_APPROXIMATE;
    if (r->score > cap)
        r->score = cap;
    switch (m->precision) {
    case REFDATA_POINT_PARENT: {
        const commune *city = refdata_commune(g->rd, m->parent);
        note_text(g, r, GEO_R_POINT_PARENT, GEO_FIELD_NONE, city ? city->nom : m->parent)
            ->commune[0] = m;
        break;
    }
    case REFDATA_POINT_RECREATED:
        note_commune(g, r, GEO_R_POINT_RECREATED, GEO_FIELD_NONE, m);
        break;
    default:
        break;
    }
}

static ptce_status geocode_one(geocoder *g, const geocode_input *in, geo_result *r)
{
    ptce_status st = PTCE_OK;
    const geocode_override_entry *ov = NULL;
    if (g->overrides && in->id && in->id[0]) {
        /* The id whole, however long: a cut one could give a row another PTCE's correction. */
        char *id = util_strdup(in->id);
        if (!id)
            return ptce_fail(g->ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        ov = geocode_overrides_find(g->overrides, util_trim(id));
        free(id);
        if (ov)
            geocode_overrides_mark_used(g->overrides, ov);
    }
    if (ov) {
        st = apply_override(g, in, ov, r);
    } else {
        st = cascade(g, in, r);
        if (!st && g->ban && r->status == GEO_MATCH && r->commune && !util_is_blank(in->address))
            refine_with_ban(g, in, r);
    }
    if (st)
        return st;
    settle_accuracy(g, r);
    return PTCE_OK;
}

ptce_status geocode_row(geocoder *g, const geocode_input *in, geo_result *r)
{
    memset(r, 0, sizeof *r);
    r->postcode = "";
    r->precision = "";
    g->oom = 0;
    g->failed = PTCE_OK;
    ptce_status st = geocode_one(g, in, r);
    if (!st && g->failed)
        st = g->failed;
    if (!st && g->oom)
        st = ptce_fail(g->ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    return st;
}
