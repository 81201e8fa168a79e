/*
 * geocode/geocode.c — the matching cascade. See geocode.h for the principles.
 *
 * Order of the cascade for one row:
 *   1. coordinates, if any, are read and repaired (decimal comma, swap, Lambert-93);
 *   2. the INSEE code, checked against the name when both are given;
 *   3. the commune name (or the city of an address), narrowed by postal code or
 *      département, exact keys first, then typing errors inside the stated area;
 *   4. a postal code alone; 5. a département alone;
 *   6. coordinates alone (nearest commune point);
 * and finally the point: the census's coordinates when they agree with the commune,
 * otherwise the commune's point.
 */
#include "geocode/geocode.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/util.h"
#include "text/fold.h"

#define MAX_CANDIDATES 64
#define MAX_VARIANTS 6

struct geocoder {
    ptce_ctx *ctx;
    const refdata *rd;
    size_t *by_lat;      /* commune indices sorted by latitude, for nearest-commune search */
    PJ *l93_to_wgs84;    /* created on first use */
};

static const char *const status_names[] = {"match", "ambiguous", "reject"};
static const char *const type_names[] = {"", "coordinates", "address", "municipality",
                                         "postcode", "departement"};

const char *geo_status_name(geo_status s)
{
    return status_names[s];
}

const char *geo_type_name(geo_type t)
{
    return type_names[t];
}

/* ---- setup ----------------------------------------------------------------------------- */

typedef struct lat_index {
    double lat;
    size_t index; /* communes are sorted by INSEE, so the index breaks ties by code */
} lat_index;

static int cmp_lat(const void *a, const void *b)
{
    const lat_index *x = a, *y = b;
    if (x->lat != y->lat)
        return x->lat < y->lat ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

ptce_status geocoder_new(ptce_ctx *ctx, const refdata *rd, geocoder **out)
{
    geocoder *g = calloc(1, sizeof *g);
    if (!g)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    g->ctx = ctx;
    g->rd = rd;
    g->by_lat = malloc((rd->ncommunes ? rd->ncommunes : 1) * sizeof *g->by_lat);
    if (!g->by_lat) {
        free(g);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    lat_index *tmp = malloc((rd->ncommunes ? rd->ncommunes : 1) * sizeof *tmp);
    if (!tmp) {
        free(g->by_lat);
        free(g);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    for (size_t i = 0; i < rd->ncommunes; i++)
        tmp[i] = (lat_index){rd->communes[i].lat, i};
    qsort(tmp, rd->ncommunes, sizeof *tmp, cmp_lat);
    for (size_t i = 0; i < rd->ncommunes; i++)
        g->by_lat[i] = tmp[i].index;
    free(tmp);
    *out = g;
    return PTCE_OK;
}

void geocoder_free(geocoder *g)
{
    if (!g)
        return;
    if (g->l93_to_wgs84)
        proj_destroy(g->l93_to_wgs84);
    free(g->by_lat);
    free(g);
}

/* ---- small helpers --------------------------------------------------------------------- */

static double distance_km(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371.0, rad = 3.14159265358979323846 / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(sqrt(a < 1 ? a : 1));
}

/* The five areas of the 18 regions, generously boxed. */
static int in_france(double lat, double lon)
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
    size_t n = utf8_cut_length(src, size - len - 1);
    memcpy(dst + len, src, n);
    dst[len + n] = '\0';
}

static void copy_text(char *dst, size_t size, const char *src)
{
    dst[0] = '\0';
    append_text(dst, size, src);
}

static void note_add(geo_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_add(geo_result *r, const char *fmt, ...)
{
    size_t len = strlen(r->note);
    if (len + 4 >= sizeof r->note)
        return;
    if (len) {
        snprintf(r->note + len, sizeof r->note - len, " ; ");
        len += 3;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->note + len, sizeof r->note - len, fmt, ap);
    va_end(ap);
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

/* True when the text holds at least one letter or digit (after folding). */
static int has_content(const char *s)
{
    char key[64];
    text_fold_into(s, key, sizeof key);
    return key[0] != '\0';
}

/* ---- candidate sets -------------------------------------------------------------------- */

typedef struct candidate {
    const commune *commune;
    name_source source;
    const former_commune *former;
    int distance; /* edit distance for fuzzy matches */
} candidate;

typedef struct candidates {
    candidate items[MAX_CANDIDATES];
    int n;
} candidates;

static void cand_add(candidates *c, const commune *m, name_source src, const former_commune *f,
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
}

static int cmp_candidate(const void *a, const void *b)
{
    return strcmp(((const candidate *)a)->commune->insee, ((const candidate *)b)->commune->insee);
}

/* The postal code's communes, if the code is known. */
typedef struct postal_set {
    const postal_entry *first;
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
        if (a->kind == COMMUNE_ARRONDISSEMENT && strcmp(a->parent, m->insee) == 0) {
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
    char deps[2][4];             /* départements implied by an unknown postal code */
    int ndeps;
} area;

static int in_area_deps(const area *a, const commune *m)
{
    if (a->dep)
        return strcmp(m->dep, a->dep->code) == 0;
    for (int i = 0; i < a->ndeps; i++)
        if (strcmp(m->dep, a->deps[i]) == 0)
            return 1;
    return a->ndeps == 0;
}

static int area_is_set(const area *a)
{
    return a->postal.n > 0 || a->dep || a->ndeps > 0;
}

/* Keeps the candidates compatible with the area. Returns how many remain. */
static int filter_by_area(candidates *c, const area *a)
{
    if (!area_is_set(a))
        return c->n;
    candidates kept = {.n = 0};
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
        /* The postal code may be wrong while the département it implies is right. */
        if (kept.n == 0 && a->dep)
            for (int i = 0; i < c->n; i++)
                if (strcmp(c->items[i].commune->dep, a->dep->code) == 0)
                    cand_add(&kept, c->items[i].commune, c->items[i].source,
                             c->items[i].former, c->items[i].distance);
    } else {
        for (int i = 0; i < c->n; i++)
            if (in_area_deps(a, c->items[i].commune))
                cand_add(&kept, c->items[i].commune, c->items[i].source, c->items[i].former,
                         c->items[i].distance);
    }
    *c = kept;
    return c->n;
}

/* Keeps only the candidates of the best name source: a current commune's own name beats
 * a former commune's name, which beats a La Poste spelling. */
static void keep_best_source(candidates *c)
{
    name_source best = NAME_ROUTING;
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
 * stopping early beyond `limit`. Keys are ASCII after folding, so bytes are characters. */
static int edit_distance(const char *a, const char *b, int limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 126 || lb > 126)
        return limit + 1;
    if ((la > lb ? la - lb : lb - la) > (size_t)limit)
        return limit + 1;
    int prev2[128], prev[128], cur[128];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        int row_min = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (prev[j - 1] + cost < v)
                v = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
            if (v < row_min)
                row_min = v;
        }
        if (row_min > limit)
            return limit + 1;
        memcpy(prev2, prev, sizeof prev);
        memcpy(prev, cur, sizeof cur);
    }
    return prev[lb];
}

/* How many typing errors a name of this length may carry. */
static int fuzzy_limit(size_t len)
{
    return len < 5 ? 0 : len < 9 ? 1 : 2;
}

static void fuzzy_consider(candidates *c, const commune *m, const char *key, const char *target,
                           name_source src, const former_commune *f, int *best)
{
    int limit = fuzzy_limit(strlen(target));
    if (limit == 0)
        return;
    int d = edit_distance(key, target, limit < *best ? limit : *best);
    if (d > limit || d > *best)
        return;
    if (d < *best) {
        *best = d;
        c->n = 0;
    }
    cand_add(c, m, src, f, d);
}

/* Communes of a département: the INSEE codes of a département start with its code. */
static void dep_range(const refdata *rd, const char *dep, size_t *lo, size_t *hi)
{
    size_t n = strlen(dep), a = 0, b = rd->ncommunes;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (strncmp(rd->communes[mid].insee, dep, n) < 0)
            a = mid + 1;
        else
            b = mid;
    }
    *lo = a;
    while (a < rd->ncommunes && strncmp(rd->communes[a].insee, dep, n) == 0)
        a++;
    *hi = a;
}

/* Typing errors are only forgiven inside the area the row states. */
static void fuzzy_search(const geocoder *g, const area *a, const char *target, candidates *out)
{
    const refdata *rd = g->rd;
    int best = 3;
    out->n = 0;
    if (a->postal.n > 0) {
        for (size_t i = 0; i < a->postal.n; i++) {
            const postal_entry *p = &a->postal.first[i];
            fuzzy_consider(out, p->commune, p->commune->key, target, NAME_COMMUNE, NULL, &best);
            if (p->laposte_key[0])
                fuzzy_consider(out, p->commune, p->laposte_key, target, NAME_LAPOSTE, NULL, &best);
        }
        if (out->n > 0 || !a->dep)
            return;
    }
    const char *deps[2];
    int nd = 0;
    if (a->dep)
        deps[nd++] = a->dep->code;
    else
        for (int i = 0; i < a->ndeps; i++)
            deps[nd++] = a->deps[i];
    for (int d = 0; d < nd; d++) {
        size_t lo, hi;
        dep_range(rd, deps[d], &lo, &hi);
        for (size_t i = lo; i < hi; i++)
            fuzzy_consider(out, &rd->communes[i], rd->communes[i].key, target, NAME_COMMUNE,
                           NULL, &best);
        for (size_t i = 0; i < rd->nformer; i++) {
            const former_commune *f = &rd->former[i];
            if (f->key[0] && strcmp(f->current->dep, deps[d]) == 0)
                fuzzy_consider(out, f->current, f->key, target, NAME_FORMER, f, &best);
        }
    }
}

/* ---- name resolution ------------------------------------------------------------------- */

typedef struct name_match {
    candidates cands;
    int fuzzy;              /* typing errors were forgiven */
    char used_key[128];     /* the variant that matched */
    int variant_index;
} name_match;

static void resolve_name(const geocoder *g, const char *name, const area *a, name_match *nm)
{
    char keys[MAX_VARIANTS][128];
    int nk = geocode_name_variants(name, keys, MAX_VARIANTS);
    memset(nm, 0, sizeof *nm);
    for (int k = 0; k < nk; k++) {
        const name_entry *first;
        size_t n = refdata_names(g->rd, keys[k], &first);
        candidates c = {.n = 0};
        for (size_t i = 0; i < n; i++)
            cand_add(&c, first[i].commune, first[i].source, first[i].former, 0);
        if (c.n == 0)
            continue;
        if (filter_by_area(&c, a) == 0)
            continue;
        keep_best_source(&c);
        nm->cands = c;
        nm->variant_index = k;
        copy_text(nm->used_key, sizeof nm->used_key, keys[k]);
        break;
    }
    if (nm->cands.n == 0 && nk > 0 && area_is_set(a)) {
        for (int k = 0; k < nk && nm->cands.n == 0; k++) {
            fuzzy_search(g, a, keys[k], &nm->cands);
            if (nm->cands.n > 0) {
                nm->fuzzy = 1;
                keep_best_source(&nm->cands);
                copy_text(nm->used_key, sizeof nm->used_key, keys[k]);
            }
        }
    }
    qsort(nm->cands.items, (size_t)nm->cands.n, sizeof *nm->cands.items, cmp_candidate);
}

/* Does the typed name designate this commune (own name, former name, La Poste name)? */
static int name_designates(const geocoder *g, const char *name, const commune *m)
{
    char keys[MAX_VARIANTS][128];
    int nk = geocode_name_variants(name, keys, MAX_VARIANTS);
    for (int k = 0; k < nk; k++) {
        if (strcmp(keys[k], m->key) == 0)
            return 1;
        const name_entry *first;
        size_t n = refdata_names(g->rd, keys[k], &first);
        for (size_t i = 0; i < n; i++)
            if (first[i].commune == m ||
                (m->kind == COMMUNE_ARRONDISSEMENT && strcmp(first[i].commune->insee, m->parent) == 0))
                return 1;
        if (edit_distance(keys[k], m->key, fuzzy_limit(strlen(m->key))) <=
            fuzzy_limit(strlen(m->key)))
            return 1;
    }
    return 0;
}

static void list_candidates(geo_result *r, const candidates *c)
{
    char buf[600] = "";
    size_t len = 0;
    for (int i = 0; i < c->n && i < 8; i++) {
        const commune *m = c->items[i].commune;
        int w = snprintf(buf + len, sizeof buf - len, "%s%s (%s, %s)", i ? ", " : "", m->nom,
                         m->insee, m->dep);
        if (w < 0 || (size_t)w >= sizeof buf - len)
            break;
        len += (size_t)w;
    }
    if (c->n > 8 && len + 16 < sizeof buf)
        snprintf(buf + len, sizeof buf - len, ", … (%d en tout)", c->n);
    note_add(r, "candidats : %s", buf);
}

/* ---- coordinates ----------------------------------------------------------------------- */

typedef struct coords {
    int given;      /* the row has something in its coordinate cells */
    int valid;      /* lat/lon below are usable */
    double lat, lon;
} coords;

static int lambert_to_wgs84(geocoder *g, double x, double y, double *lat, double *lon)
{
    if (!g->l93_to_wgs84) {
        /* Built from its pipeline rather than proj_create_crs_to_crs: the same operation
         * without a search of proj.db (about 40 ms) on every run. */
        g->l93_to_wgs84 = proj_create(g->ctx->proj,
                                      "+proj=pipeline +step +inv +proj=lcc +lat_0=46.5 +lon_0=3 "
                                      "+lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 "
                                      "+step +proj=unitconvert +xy_in=rad +xy_out=deg");
        if (!g->l93_to_wgs84)
            return 0;
    }
    PJ_COORD c = proj_coord(x, y, 0, 0);
    PJ_COORD out = proj_trans(g->l93_to_wgs84, PJ_FWD, c);
    if (!isfinite(out.v[0]) || !isfinite(out.v[1]))
        return 0;
    *lon = out.v[0];
    *lat = out.v[1];
    return 1;
}

static int looks_lambert93(double x, double y)
{
    return x > 50000 && x < 1300000 && y > 6000000 && y < 7200000;
}

static void read_coordinates(geocoder *g, const geo_input *in, coords *c, geo_result *r)
{
    memset(c, 0, sizeof *c);
    double a, b;
    int has_lat = !is_blank(in->latitude), has_lon = !is_blank(in->longitude);
    int has_x = !is_blank(in->x), has_y = !is_blank(in->y);
    c->given = has_lat || has_lon || has_x || has_y;
    if (!c->given)
        return;
    if (has_x && has_y && parse_decimal(in->x, &a) && parse_decimal(in->y, &b)) {
        if (looks_lambert93(a, b) && lambert_to_wgs84(g, a, b, &c->lat, &c->lon)) {
            c->valid = 1;
            note_add(r, "coordonnées Lambert-93 converties en WGS 84");
            return;
        }
        note_add(r, "coordonnées X/Y hors de la zone Lambert-93 : ignorées");
        return;
    }
    if (!(has_lat && has_lon)) {
        note_add(r, "coordonnée incomplète (latitude ou longitude manquante) : ignorée");
        return;
    }
    if (!parse_decimal(in->latitude, &a) || !parse_decimal(in->longitude, &b)) {
        note_add(r, "coordonnées illisibles (« %.40s » ; « %.40s ») : ignorées", in->latitude,
                 in->longitude);
        return;
    }
    if (strchr(in->latitude, ',') || strchr(in->longitude, ','))
        note_add(r, "virgule décimale lue comme un point");
    if (looks_lambert93(a, b) || looks_lambert93(b, a)) {
        double x = looks_lambert93(a, b) ? a : b, y = looks_lambert93(a, b) ? b : a;
        if (lambert_to_wgs84(g, x, y, &c->lat, &c->lon)) {
            c->valid = 1;
            note_add(r, "coordonnées en Lambert-93 (mètres) converties en WGS 84");
        }
        return;
    }
    if (in_france(a, b)) {
        c->lat = a;
        c->lon = b;
        c->valid = 1;
    } else if (in_france(b, a)) {
        c->lat = b;
        c->lon = a;
        c->valid = 1;
        note_add(r, "latitude et longitude inversées : corrigées");
    } else {
        note_add(r, "coordonnées (%.5f ; %.5f) hors des 18 régions : ignorées", a, b);
    }
}

/* How far census coordinates may sit from the commune's point before they are doubted,
 * by the precision of that point. */
static double tolerance_km(const commune *m)
{
    switch (m->precision) {
    case POINT_GEONAMES:
        return 15;
    case POINT_GEONAMES_NEARBY:
    case POINT_FORMER_COMMUNE:
        return 20;
    case POINT_PARENT:
        return 25;
    case POINT_POSTCODE:
        return 30;
    case POINT_DEPARTEMENT:
        return 90;
    }
    return 15;
}

static const commune *nearest_commune(const geocoder *g, double lat, double lon, double *km)
{
    const refdata *rd = g->rd;
    /* Lower bound on latitude - 0.5°, then scan the band; 0.5° is about 55 km. */
    size_t lo = 0, hi = rd->ncommunes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rd->communes[g->by_lat[mid]].lat < lat - 0.5)
            lo = mid + 1;
        else
            hi = mid;
    }
    const commune *best = NULL;
    double best_km = 1e9;
    for (size_t i = lo; i < rd->ncommunes; i++) {
        const commune *m = &rd->communes[g->by_lat[i]];
        if (m->lat > lat + 0.5)
            break;
        if (m->precision > POINT_FORMER_COMMUNE || m->kind != COMMUNE_CURRENT)
            continue; /* only real points; arrondissements are reached through their city */
        double d = distance_km(lat, lon, m->lat, m->lon);
        if (d < best_km) {
            best_km = d;
            best = m;
        }
    }
    *km = best_km;
    return best;
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
    r->precision = point_precision_name(m->precision);
}

static void set_reject(geo_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_reject(geo_result *r, const char *fmt, ...)
{
    r->status = GEO_REJECT;
    r->type = GEO_TYPE_NONE;
    r->score = 0;
    r->commune = NULL;
    r->dep = NULL;
    r->reg = NULL;
    char reason[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    /* The reason comes first: it is what the analyst must read. */
    char previous[sizeof r->note];
    copy_text(previous, sizeof previous, r->note);
    copy_text(r->note, sizeof r->note, reason);
    if (previous[0]) {
        append_text(r->note, sizeof r->note, " ; ");
        append_text(r->note, sizeof r->note, previous);
    }
}

static void set_ambiguous(geo_result *r, const candidates *c, const char *why)
{
    r->status = GEO_AMBIGUOUS;
    r->type = GEO_TYPE_NONE;
    r->score = 0;
    r->commune = NULL;
    /* Keep the département or region when every candidate shares it. */
    r->dep = NULL;
    r->reg = NULL;
    char previous[sizeof r->note];
    copy_text(previous, sizeof previous, r->note);
    r->note[0] = '\0';
    note_add(r, "%s", why);
    list_candidates(r, c);
    if (previous[0])
        note_add(r, "%s", previous);
}

/* Uses the census's coordinates as the point when they agree with the commune. */
static void settle_point(geo_result *r, const coords *c)
{
    if (r->status != GEO_MATCH || !c->valid || !r->commune)
        return;
    double d = distance_km(c->lat, c->lon, r->commune->lat, r->commune->lon);
    if (d <= tolerance_km(r->commune)) {
        r->lat = c->lat;
        r->lon = c->lon;
        r->type = GEO_TYPE_COORDINATES;
        r->precision = "coordonnees";
    } else {
        note_add(r, "coordonnées du recensement à %.0f km de %s (%s) : point de la commune retenu,"
                    " vérifiez-les", d, r->commune->nom, r->commune->dep);
        if (r->score > 0.8)
            r->score = 0.8;
    }
}

/* ---- address cell ---------------------------------------------------------------------- */

/* Finds "… 69002 Lyon …" in a free address: the last 5-digit number (or 4 digits right
 * before a word, a postal code that lost its zero) and the words after it as the city. */
static int split_address(const char *address, char postcode[6], char *city, size_t citysize,
                         int *restored)
{
    const char *best = NULL;
    size_t best_len = 0;
    for (const char *p = address; *p; p++) {
        if (!isdigit((unsigned char)*p) || (p > address && isdigit((unsigned char)p[-1])))
            continue;
        size_t n = 0;
        while (isdigit((unsigned char)p[n]))
            n++;
        const char *after = p + n;
        while (*after == ' ')
            after++;
        int followed_by_word = isalpha((unsigned char)*after) || (unsigned char)*after >= 0x80;
        if (n == 5 || (n == 4 && followed_by_word && p > address)) {
            best = p;
            best_len = n;
        }
    }
    if (!best)
        return 0;
    char digits[6];
    memcpy(digits, best, best_len);
    digits[best_len] = '\0';
    int cedex;
    if (!geocode_clean_postcode(digits, postcode, restored, &cedex))
        return 0;
    const char *c = best + best_len;
    while (*c == ' ' || *c == ',' || *c == '-')
        c++;
    snprintf(city, citysize, "%s", c);
    /* Cut at a comma: "Lyon, France" → "Lyon". */
    char *comma = strchr(city, ',');
    if (comma)
        *comma = '\0';
    return 1;
}

/* ---- the cascade ----------------------------------------------------------------------- */

static void fill_area(geocoder *g, area *a, const char *postcode, int cedex,
                      const departement *dep, geo_result *r)
{
    memset(a, 0, sizeof *a);
    a->dep = dep;
    if (!postcode[0])
        return;
    a->postal.n = cedex ? 0 : refdata_postal(g->rd, postcode, &a->postal.first);
    if (a->postal.n > 0)
        return;
    /* Unknown or CEDEX postal code: it still tells the département. */
    char d[4];
    if (strncmp(postcode, "97", 2) == 0) {
        snprintf(d, sizeof d, "%.3s", postcode);
        snprintf(a->deps[a->ndeps++], 4, "%s", d);
    } else if (strncmp(postcode, "20", 2) == 0) {
        snprintf(a->deps[a->ndeps++], 4, "2A");
        snprintf(a->deps[a->ndeps++], 4, "2B");
    } else {
        snprintf(a->deps[a->ndeps++], 4, "%.2s", postcode);
    }
    if (!refdata_departement(g->rd, a->deps[0]))
        a->ndeps = 0;
    if (!cedex)
        note_add(r, "code postal %s inconnu", postcode);
}

static int try_name(geocoder *g, const char *name, const area *a, geo_result *r, geo_type type,
                    const char *what)
{
    name_match nm;
    resolve_name(g, name, a, &nm);
    if (nm.cands.n == 0)
        return 0;
    if (nm.cands.n > 1) {
        set_ambiguous(r, &nm.cands,
                      area_is_set(a) ? "plusieurs communes de ce nom dans la zone indiquée"
                                     : "plusieurs communes portent ce nom ; ajoutez le code "
                                       "postal ou le département");
        return 1;
    }
    const candidate *c = &nm.cands.items[0];
    double score = 1.0;
    if (!area_is_set(a))
        score = 0.9;
    else if (a->postal.n == 0)
        score = 0.95;
    set_commune(g, r, c->commune, type, score);
    if (c->source == NAME_FORMER && c->former)
        note_add(r, "ancienne commune %s (%s), aujourd'hui %s", c->former->nom, c->former->code,
                 c->commune->nom);
    else if (nm.fuzzy)
        note_add(r, "%s « %s » corrigé en « %s »", what, name, c->commune->nom);
    else if (nm.variant_index > 0)
        note_add(r, "%s « %s » lu « %s »", what, name, c->commune->nom);
    if (nm.fuzzy)
        r->score = c->distance == 1 ? 0.85 : 0.75;
    if (c->source == NAME_FORMER)
        r->score *= 0.98;
    return 1;
}

ptce_status geocode_row(geocoder *g, const geo_input *in, geo_result *r)
{
    memset(r, 0, sizeof *r);
    r->postcode = "";
    r->precision = "";
    coords co;
    read_coordinates(g, in, &co, r);

    /* The place fields, cleaned. */
    char postcode[6] = "";
    int restored = 0, cedex = 0;
    int pc_given = !is_blank(in->postcode);
    if (pc_given && !geocode_clean_postcode(in->postcode, postcode, &restored, &cedex)) {
        note_add(r, "code postal « %.20s » illisible : ignoré", in->postcode);
        postcode[0] = '\0';
    }
    if (restored)
        note_add(r, "zéro initial du code postal rétabli (%s)", postcode);

    char commune_name[256];
    snprintf(commune_name, sizeof commune_name, "%s", in->commune);
    str_trim(commune_name);
    /* A commune cell holding "31000 Toulouse Cedex": split it. */
    if (commune_name[0] && strpbrk(commune_name, "0123456789")) {
        char pc2[6], city[256];
        int r2;
        if (split_address(commune_name, pc2, city, sizeof city, &r2) && city[0]) {
            if (!postcode[0])
                memcpy(postcode, pc2, 6);
            int cdx = 0;
            char tmp[6];
            geocode_clean_postcode(commune_name, tmp, &r2, &cdx);
            cedex |= cdx;
            snprintf(commune_name, sizeof commune_name, "%s", city);
        }
    }
    if (!cedex && commune_name[0]) {
        char k[128];
        text_fold_into(commune_name, k, sizeof k);
        cedex = strstr(k, "cedex") != NULL;
    }
    /* A free address gives a postal code and a city when the columns are empty. */
    if (!is_blank(in->address) && (!postcode[0] || !commune_name[0])) {
        char pc2[6], city[256];
        int r2;
        if (split_address(in->address, pc2, city, sizeof city, &r2)) {
            if (!postcode[0]) {
                memcpy(postcode, pc2, 6);
                int cdx = 0;
                char tmp[6];
                geocode_clean_postcode(in->address, tmp, &r2, &cdx);
                cedex |= cdx;
            }
            if (!commune_name[0] && has_content(city))
                snprintf(commune_name, sizeof commune_name, "%s", city);
            note_add(r, "commune lue dans l'adresse");
        }
    }
    if (commune_name[0] && !has_content(commune_name))
        commune_name[0] = '\0';
    if (postcode[0]) {
        snprintf(r->postcode_buf, sizeof r->postcode_buf, "%s", postcode);
        r->postcode = r->postcode_buf;
    }
    if (cedex)
        note_add(r, "code CEDEX : commune cherchée par son nom");

    const departement *dep = NULL;
    if (!is_blank(in->departement)) {
        dep = geocode_parse_departement(g->rd, in->departement);
        if (!dep && has_content(in->departement))
            note_add(r, "département « %.30s » inconnu : ignoré", in->departement);
    }
    area a;
    fill_area(g, &a, postcode, cedex, dep, r);

    /* 2. INSEE code. */
    const commune *by_code = NULL;
    if (!is_blank(in->insee)) {
        char code[6];
        int zero = 0;
        if (!geocode_clean_insee(in->insee, code, &zero)) {
            note_add(r, "code INSEE « %.20s » illisible : ignoré", in->insee);
        } else {
            const char *nom_outside = NULL;
            const char *coll = refdata_outside_collectivity(g->rd, code, &nom_outside);
            by_code = refdata_commune(g->rd, code);
            const former_commune *f = by_code ? NULL : refdata_former(g->rd, code);
            if (coll) {
                set_reject(r, "%s (%s) est dans une collectivité d'outre-mer (%s), hors des 18 "
                              "régions de la carte", nom_outside, code, coll);
                return PTCE_OK;
            }
            if (f) {
                by_code = f->current;
                note_add(r, "code INSEE %s d'une ancienne commune%s%s, aujourd'hui %s (%s)", code,
                         f->nom[0] ? " " : "", f->nom, f->current->nom, f->current->insee);
            } else if (!by_code) {
                note_add(r, "code INSEE %s inconnu : ignoré", code);
            } else if (zero) {
                note_add(r, "zéro initial du code INSEE rétabli (%s)", code);
            }
        }
    }
    if (by_code) {
        if (!commune_name[0] || name_designates(g, commune_name, by_code)) {
            if (postcode[0] && a.postal.n > 0 && !postal_has(&a.postal, by_code) && !commune_name[0])
                note_add(r, "le code postal %s ne correspond pas à %s", postcode, by_code->nom);
            set_commune(g, r, by_code, GEO_TYPE_MUNICIPALITY, 1.0);
            settle_point(r, &co);
            return PTCE_OK;
        }
        /* The code and the name disagree: the name wins only if the postal code agrees
         * with it; otherwise nobody can tell. */
        name_match nm;
        resolve_name(g, commune_name, &a, &nm);
        if (nm.cands.n == 1 && a.postal.n > 0 && !postal_has(&a.postal, by_code)) {
            const commune *m = nm.cands.items[0].commune;
            note_add(r, "le code INSEE %s (%s) contredit le nom et le code postal : %s retenu",
                     by_code->insee, by_code->nom, m->nom);
            set_commune(g, r, m, GEO_TYPE_MUNICIPALITY, 0.8);
            settle_point(r, &co);
            return PTCE_OK;
        }
        if (nm.cands.n >= 1) {
            cand_add(&nm.cands, by_code, NAME_COMMUNE, NULL, 0);
            qsort(nm.cands.items, (size_t)nm.cands.n, sizeof *nm.cands.items, cmp_candidate);
            set_ambiguous(r, &nm.cands, "le code INSEE et le nom de commune désignent des "
                                        "communes différentes");
            return PTCE_OK;
        }
        note_add(r, "le nom « %s » ne correspond pas à %s (%s) : code INSEE retenu", commune_name,
                 by_code->nom, by_code->insee);
        set_commune(g, r, by_code, GEO_TYPE_MUNICIPALITY, 0.8);
        settle_point(r, &co);
        return PTCE_OK;
    }

    /* 3. Commune name. */
    if (commune_name[0]) {
        if (try_name(g, commune_name, &a, r, GEO_TYPE_MUNICIPALITY, "nom")) {
            settle_point(r, &co);
            return PTCE_OK;
        }
        /* Nothing matched the name: with a known postal code of a single commune, the
         * postal code decides, but the score says the name was not recognised. */
        if (a.postal.n > 0) {
            candidates c = {.n = 0};
            for (size_t i = 0; i < a.postal.n; i++)
                cand_add(&c, a.postal.first[i].commune, NAME_COMMUNE, NULL, 0);
            if (c.n == 1) {
                set_commune(g, r, c.items[0].commune, GEO_TYPE_POSTCODE, 0.6);
                note_add(r, "nom « %s » non reconnu : commune du code postal %s retenue",
                         commune_name, postcode);
                settle_point(r, &co);
                return PTCE_OK;
            }
            set_ambiguous(r, &c, "nom non reconnu et code postal partagé par plusieurs communes");
            return PTCE_OK;
        }
        if (!co.valid) {
            set_reject(r, "commune « %s » introuvable%s", commune_name,
                       area_is_set(&a) ? " dans la zone indiquée"
                                       : " ; précisez le code postal ou le département");
            return PTCE_OK;
        }
        note_add(r, "commune « %s » introuvable", commune_name);
    }

    /* 4. Postal code alone. */
    if (postcode[0] && a.postal.n > 0) {
        candidates c = {.n = 0};
        for (size_t i = 0; i < a.postal.n; i++)
            cand_add(&c, a.postal.first[i].commune, NAME_COMMUNE, NULL, 0);
        if (c.n == 1) {
            set_commune(g, r, c.items[0].commune, GEO_TYPE_POSTCODE, 0.9);
            settle_point(r, &co);
            return PTCE_OK;
        }
        if (!co.valid) {
            set_ambiguous(r, &c, "code postal commun à plusieurs communes ; ajoutez le nom");
            return PTCE_OK;
        }
    }

    /* 6 (before 5, being more precise). Coordinates alone. */
    if (co.valid) {
        double km;
        const commune *m = nearest_commune(g, co.lat, co.lon, &km);
        if (!m || km > 25) {
            set_reject(r, "coordonnées loin de toute commune connue (%.0f km) : en mer ou à "
                          "l'étranger ?", m ? km : 0.0);
            return PTCE_OK;
        }
        if (a.dep && strcmp(m->dep, a.dep->code) != 0)
            note_add(r, "le point est hors du département %s indiqué", a.dep->code);
        set_commune(g, r, m, GEO_TYPE_COORDINATES, 0.7);
        r->lat = co.lat;
        r->lon = co.lon;
        r->precision = "coordonnees";
        note_add(r, "commune déduite du point : la plus proche (%.1f km)", km);
        return PTCE_OK;
    }

    /* 5. Département alone. */
    if (dep) {
        const commune *chef = refdata_commune(g->rd, dep->chef_lieu);
        if (chef) {
            r->status = GEO_MATCH;
            r->type = GEO_TYPE_DEPARTEMENT;
            r->score = 0.3;
            r->dep = dep;
            r->reg = refdata_region(g->rd, dep->reg);
            r->lat = chef->lat;
            r->lon = chef->lon;
            r->precision = "departement";
            note_add(r, "seul le département est connu : point placé au chef-lieu (%s)",
                     chef->nom);
            return PTCE_OK;
        }
    }

    if (postcode[0])
        set_reject(r, "code postal %s inconnu et aucune commune indiquée", postcode);
    else if (has_content(in->commune) || has_content(in->address) || has_content(in->insee))
        set_reject(r, "aucun lieu reconnu");
    else
        set_reject(r, "aucune information de lieu (commune, code postal, code INSEE, "
                      "coordonnées)");
    return PTCE_OK;
}
