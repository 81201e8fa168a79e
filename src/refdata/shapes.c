/*
 * refdata/shapes.c — the commune polygons, loaded on first use, and the reverse lookup
 * (refdata_locate, refdata_commune_distance: see refdata.h).
 */
#include "refdata/shapes.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/util.h"
#include "refdata/geofile.h"

/* Mean Earth radius (IUGG), metres, and metres per degree of latitude on that sphere. */
#define EARTH_RADIUS_M 6371008.8
#define M_PER_DEG (EARTH_RADIUS_M * UTIL_RAD_PER_DEG)
/* Beyond this a point is not near any commune, and no nearest one is reported. */
#define NEAREST_MAX_M 200000.0

/* A département's communes: loaded on the first query that meets its box. */
typedef struct dep_shapes {
    double box[4];        /* xmin, ymin, xmax, ymax of the département's polygon, which
                           * holds the boxes of its communes (checked when they are read) */
    int loaded;
    GEOSSTRtree *tree;    /* items: commune index + 1; NULL when it has no polygon */
} dep_shapes;

struct refdata_shapes {
    GEOSGeometry **geom;                  /* per commune; NULL without an own polygon or
                                           * until its département is loaded */
    const GEOSPreparedGeometry **prep;    /* made on first use */
    size_t *dep_of;                       /* per commune: index in rd->deps */
    size_t *by_dep, *dep_first;           /* the communes of département d, in index order:
                                           * by_dep[dep_first[d] .. dep_first[d + 1]) (a
                                           * scan of all 35,000 for each département read
                                           * was 5 % of a 20,000-row geocode) */
    dep_shapes *deps;                     /* per département (rd->deps order) */
    size_t nloaded;
    size_t nfrom_image;                   /* of them, read from the image's decoded copy */
    GEOSSTRtree *all;                     /* every commune, for the far nearest search only:
                                           * made when first needed */
    size_t *cand;                         /* scratch for tree queries */
    size_t ncand, capcand;
    int cand_failed;
};

void refdata_shapes_free(refdata *rd)
{
    struct refdata_shapes *s = rd->shapes;
    if (!s)
        return;
    GEOSContextHandle_t h = rd->geos;
    if (s->all)
        GEOSSTRtree_destroy_r(h, s->all);
    for (size_t i = 0; s->deps && i < rd->ndeps; i++)
        if (s->deps[i].tree)
            GEOSSTRtree_destroy_r(h, s->deps[i].tree);
    for (size_t i = 0; i < rd->ncommunes; i++) {
        if (s->prep && s->prep[i])
            GEOSPreparedGeom_destroy_r(h, s->prep[i]);
        if (s->geom && s->geom[i])
            GEOSGeom_destroy_r(h, s->geom[i]);
    }
    free(s->prep);
    free(s->geom);
    free(s->dep_of);
    free(s->by_dep);
    free(s->dep_first);
    free(s->deps);
    free(s->cand);
    free(s);
    rd->shapes = NULL;
}

void refdata_release_polygons(refdata *rd)
{
    refdata_shapes_free(rd);
}

static int envelope(GEOSContextHandle_t h, const GEOSGeometry *g, double box[4])
{
    return GEOSGeom_getXMin_r(h, g, &box[0]) && GEOSGeom_getYMin_r(h, g, &box[1]) &&
           GEOSGeom_getXMax_r(h, g, &box[2]) && GEOSGeom_getYMax_r(h, g, &box[3]);
}

static int boxes_meet(const double a[4], const double b[4])
{
    return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/* Reads communes-<dep>.geo.gz: the polygons of département `di`'s communes, checked (each
 * commune of that département, each inside the département's box), and their tree. */
static ptce_status load_dep(ptce_ctx *ctx, refdata *rd, struct refdata_shapes *s, size_t di)
{
    dep_shapes *ds = &s->deps[di];
    if (ds->loaded)
        return PTCE_OK;
    const char *dir = ptce_data_dir(ctx);
    if (!dir)
        return ptce_fail(ctx, PTCE_ERR_DATA, "données de référence introuvables");
    char name[64];
    snprintf(name, sizeof name, REFDATA_GEOFILE_COMMUNES, rd->deps[di].code);
    refdata_geofile_reader r;
    ptce_status st = refdata_geofile_open(ctx, rd, name, true, &r);
    if (st)
        return st;
    const char *code;
    const char *path = r.path;
    while (!st && refdata_geofile_next(&r, &code)) {
        const commune *m = code ? refdata_commune(rd, code) : NULL;
        size_t idx = m ? (size_t)(m - rd->communes) : 0, line = r.line;
        if (!m || s->geom[idx] || s->dep_of[idx] != di) {
            st = ptce_fail(ctx, PTCE_ERR_DATA, "%s, ligne %zu : commune %s inconnue, en double "
                                               "ou d'un autre département", path, line,
                           code ? code : "?");
            break;
        }
        s->geom[idx] = refdata_geofile_geometry(ctx, &r);
        double box[4];
        if (!s->geom[idx] && errno == ENOMEM)
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        else if (!s->geom[idx])
            st = ptce_fail(ctx, PTCE_ERR_DATA, "%s, ligne %zu : polygone illisible (%s)", path,
                           line, code);
        else if (!envelope(ctx->geos, s->geom[idx], box) || box[0] < ds->box[0] ||
                 box[1] < ds->box[1] || box[2] > ds->box[2] || box[3] > ds->box[3])
            st = ptce_fail(ctx, PTCE_ERR_DATA, "%s, ligne %zu : la commune %s déborde du "
                                               "polygone de son département ; réinstallez le "
                                               "dossier data/", path, line, code);
    }
    s->nfrom_image += !st && refdata_geofile_from_image(&r);
    refdata_geofile_close(&r);
    size_t n = 0;
    const size_t *first = s->by_dep + s->dep_first[di], *last = s->by_dep + s->dep_first[di + 1];
    for (const size_t *c = first; c < last && !st; c++) {
        size_t i = *c;
        const commune *m = &rd->communes[i];
        int own = strcmp(m->contour, m->insee) == 0;
        if (own != (s->geom[i] != NULL))
            st = ptce_fail(ctx, PTCE_ERR_DATA, "%s/geom : la commune %s %s", dir, m->insee,
                           own ? "n'a pas de polygone" : "a un polygone inattendu");
        n += own;
    }
    if (!st && n) {
        ds->tree = GEOSSTRtree_create_r(ctx->geos, 10);
        if (!ds->tree)
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        for (const size_t *c = first; c < last && !st; c++) /* commune order, as before */
            if (s->geom[*c])
                GEOSSTRtree_insert_r(ctx->geos, ds->tree, s->geom[*c],
                                     (void *)(uintptr_t)(*c + 1));
    }
    if (!st) {
        ds->loaded = 1;
        s->nloaded++;
    }
    return st;
}

/* The index, made on the first call: which département each commune belongs to and the
 * box of each département (its polygon's); no commune polygon is read yet. */
static struct refdata_shapes *shapes_get(ptce_ctx *ctx, refdata *rd)
{
    if (rd->shapes)
        return rd->shapes;
    struct refdata_shapes *s = calloc(1, sizeof *s);
    if (!s) {
        ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        return NULL;
    }
    rd->shapes = s;
    s->geom = calloc(rd->ncommunes + 1, sizeof *s->geom);
    s->prep = calloc(rd->ncommunes + 1, sizeof *s->prep);
    s->dep_of = calloc(rd->ncommunes + 1, sizeof *s->dep_of);
    s->deps = calloc(rd->ndeps + 1, sizeof *s->deps);
    s->by_dep = calloc(rd->ncommunes + 1, sizeof *s->by_dep);
    s->dep_first = calloc(rd->ndeps + 2, sizeof *s->dep_first);
    ptce_status st = PTCE_OK;
    if (!s->geom || !s->prep || !s->dep_of || !s->deps || !s->by_dep || !s->dep_first)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t i = 0; i < rd->ncommunes && !st; i++) {
        const departement *d = refdata_departement(rd, rd->communes[i].dep);
        if (!d)
            st = ptce_fail(ctx, PTCE_ERR_DATA, "commune %s : département %s inconnu",
                           rd->communes[i].insee, rd->communes[i].dep);
        else
            s->dep_of[i] = (size_t)(d - rd->deps);
    }
    /* Counting sort of the communes by département: stable, so each département's in
     * commune order. */
    for (size_t i = 0; i < rd->ncommunes && !st; i++)
        s->dep_first[s->dep_of[i] + 2]++;
    for (size_t d = 2; d < rd->ndeps + 2 && !st; d++)
        s->dep_first[d] += s->dep_first[d - 1];
    for (size_t i = 0; i < rd->ncommunes && !st; i++)
        s->by_dep[s->dep_first[s->dep_of[i] + 1]++] = i;
    for (size_t i = 0; i < rd->ndeps && !st; i++) {
        /* The image's box is the envelope of the very polygon the image holds: the same
         * doubles, without parsing it (the polygon is made if a writer asks for it). */
        if (rd->deps[i].has_box) {
            memcpy(s->deps[i].box, rd->deps[i].box, sizeof s->deps[i].box);
            continue;
        }
        const GEOSGeometry *g = refdata_departement_geom(ctx, rd, &rd->deps[i]);
        if (!g)
            st = ptce_ctx_status(ctx, PTCE_ERR_DATA);
        else if (!envelope(ctx->geos, g, s->deps[i].box))
            st = ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS : %s", ctx->geos_error);
    }
    if (st) {
        refdata_shapes_free(rd);
        return NULL;
    }
    return s;
}

size_t refdata_shapes_departements_read(const refdata *rd)
{
    return rd->shapes ? rd->shapes->nloaded : 0;
}

size_t refdata_shapes_departements_from_image(const refdata *rd)
{
    return rd->shapes ? rd->shapes->nfrom_image : 0;
}

/* Every département read, and the tree over all communes (same insertion order as the
 * département trees: commune index). */
static ptce_status load_all(ptce_ctx *ctx, refdata *rd, struct refdata_shapes *s)
{
    ptce_status st = PTCE_OK;
    for (size_t i = 0; i < rd->ndeps && !st; i++)
        st = load_dep(ctx, rd, s, i);
    if (!st && !s->all) {
        s->all = GEOSSTRtree_create_r(ctx->geos, 10);
        if (!s->all)
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        for (size_t i = 0; i < rd->ncommunes; i++)
            if (s->geom[i])
                GEOSSTRtree_insert_r(ctx->geos, s->all, s->geom[i], (void *)(uintptr_t)(i + 1));
    }
    return st;
}

const GEOSGeometry *refdata_commune_geom(ptce_ctx *ctx, refdata *rd, const commune *m)
{
    struct refdata_shapes *s = shapes_get(ctx, rd);
    if (!s)
        return NULL;
    const commune *own = strcmp(m->contour, m->insee) == 0 ? m : refdata_commune(rd, m->contour);
    if (own && load_dep(ctx, rd, s, s->dep_of[own - rd->communes]) != PTCE_OK)
        return NULL;
    const GEOSGeometry *g = own ? s->geom[own - rd->communes] : NULL;
    if (!g)
        ptce_fail(ctx, PTCE_ERR_DATA, "pas de polygone pour la commune %s", m->insee);
    return g;
}

/* ---- distances ---------------------------------------------------------------------------- */

/* Squared distance (in degrees of latitude) from the origin to segment ab, longitudes
 * already scaled by cos(latitude). */
static double seg_dist2(double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay;
    double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
    if (t < 0)
        t = 0;
    else if (t > 1)
        t = 1;
    double px = ax + t * dx, py = ay + t * dy;
    return px * px + py * py;
}

static double ring_dist2(GEOSContextHandle_t h, const GEOSGeometry *ring, double lon, double lat,
                         double kx, double best)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n) || n < 2)
        return best;
    double x0, y0;
    GEOSCoordSeq_getXY_r(h, cs, 0, &x0, &y0);
    x0 = (x0 - lon) * kx;
    y0 -= lat;
    for (unsigned i = 1; i < n; i++) {
        double x1, y1;
        GEOSCoordSeq_getXY_r(h, cs, i, &x1, &y1);
        x1 = (x1 - lon) * kx;
        y1 -= lat;
        double d = seg_dist2(x0, y0, x1, y1);
        if (d < best)
            best = d;
        x0 = x1;
        y0 = y1;
    }
    return best;
}

/* Metres from (lon, lat) to the boundary of g, in the local equirectangular projection
 * centred on the point. */
static double boundary_distance_m(GEOSContextHandle_t h, const GEOSGeometry *g, double lon,
                                  double lat)
{
    double kx = cos(lat * UTIL_RAD_PER_DEG), best = INFINITY;
    int np = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < np; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
        best = ring_dist2(h, GEOSGetExteriorRing_r(h, p), lon, lat, kx, best);
        int nh = GEOSGetNumInteriorRings_r(h, p);
        for (int k = 0; k < nh; k++)
            best = ring_dist2(h, GEOSGetInteriorRingN_r(h, p, k), lon, lat, kx, best);
    }
    return sqrt(best) * M_PER_DEG;
}

static const GEOSPreparedGeometry *prepared(GEOSContextHandle_t h, struct refdata_shapes *s,
                                            size_t i)
{
    if (!s->prep[i])
        s->prep[i] = GEOSPrepare_r(h, s->geom[i]);
    return s->prep[i];
}

/* 1 when commune i's polygon covers the point, 0 when not, -1 on a GEOS error. */
static int covers(GEOSContextHandle_t h, struct refdata_shapes *s, size_t i, const GEOSGeometry *pt)
{
    const GEOSPreparedGeometry *p = prepared(h, s, i);
    if (!p)
        return -1;
    char r = GEOSPreparedCovers_r(h, p, pt);
    return r == 2 ? -1 : r;
}

static double distance_to(GEOSContextHandle_t h, struct refdata_shapes *s, size_t i,
                          const GEOSGeometry *pt, double lon, double lat)
{
    return covers(h, s, i, pt) == 1 ? 0 : boundary_distance_m(h, s->geom[i], lon, lat);
}

/* ---- tree queries ------------------------------------------------------------------------- */

static void collect(void *item, void *userdata)
{
    struct refdata_shapes *s = userdata;
    if (s->ncand == s->capcand) {
        size_t cap = s->capcand ? 2 * s->capcand : 32;
        size_t *nc = realloc(s->cand, cap * sizeof *nc);
        if (!nc) {
            s->cand_failed = 1;
            return;
        }
        s->cand = nc;
        s->capcand = cap;
    }
    s->cand[s->ncand++] = (size_t)(uintptr_t)item - 1;
}

static int cmp_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The communes whose bounding box meets `g`, in INSEE order, into s->cand. */
static int query(ptce_ctx *ctx, refdata *rd, struct refdata_shapes *s, const GEOSGeometry *g)
{
    s->ncand = 0;
    s->cand_failed = 0;
    double box[4];
    if (!envelope(ctx->geos, g, box))
        return ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS : %s", ctx->geos_error);
    /* A commune's box lies in its département's: the départements whose box meets the
     * query hold every commune whose box does. */
    for (size_t i = 0; i < rd->ndeps; i++) {
        if (!boxes_meet(box, s->deps[i].box))
            continue;
        ptce_status st = load_dep(ctx, rd, s, i);
        if (st)
            return st;
        if (s->deps[i].tree)
            GEOSSTRtree_query_r(ctx->geos, s->deps[i].tree, g, collect, s);
    }
    if (s->cand_failed)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    if (s->ncand > 1)
        qsort(s->cand, s->ncand, sizeof *s->cand, cmp_index);
    return PTCE_OK;
}

/* The nearest commune among those whose box meets the box of half-size `radius_m` around
 * the point: *best gets its index ((size_t)-1 for none), *dist its distance. */
static ptce_status nearest_within(ptce_ctx *ctx, refdata *rd, struct refdata_shapes *s,
                                  const GEOSGeometry *pt,
                                  double lon, double lat, double radius_m, size_t *best,
                                  double *dist)
{
    GEOSContextHandle_t h = ctx->geos;
    double dy = radius_m / M_PER_DEG, c = cos(lat * UTIL_RAD_PER_DEG);
    double dx = dy / (c > 0.01 ? c : 0.01);
    GEOSGeometry *box = GEOSGeom_createRectangle_r(h, lon - dx, lat - dy, lon + dx, lat + dy);
    if (!box)
        return ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS : %s", ctx->geos_error);
    ptce_status st = query(ctx, rd, s, box);
    GEOSGeom_destroy_r(h, box);
    *best = (size_t)-1;
    *dist = INFINITY;
    for (size_t k = 0; !st && k < s->ncand; k++) {
        double d = distance_to(h, s, s->cand[k], pt, lon, lat);
        if (d < *dist) {
            *dist = d;
            *best = s->cand[k];
        }
    }
    return st;
}

/* Distance in degrees from a tree item to the query point (the nearest search beyond
 * NEAREST_MAX_M). The query item is the userdata itself. */
typedef struct nearest_query {
    struct refdata_shapes *s;
    GEOSContextHandle_t h;
    const GEOSGeometry *pt;
} nearest_query;

static int item_distance(const void *a, const void *b, double *d, void *userdata)
{
    nearest_query *q = userdata;
    const void *item = a == q ? b : a;
    size_t i = (size_t)(uintptr_t)item - 1;
    return GEOSDistance_r(q->h, q->s->geom[i], q->pt, d);
}

ptce_status refdata_locate(ptce_ctx *ctx, refdata *rd, double lon, double lat,
                           double tolerance_m, refdata_locate_result *out)
{
    memset(out, 0, sizeof *out);
    out->status = REFDATA_LOCATE_NONE;
    out->distance_m = INFINITY;
    if (!isfinite(lon) || !isfinite(lat) || lat < -90 || lat > 90 || lon < -180 || lon > 180)
        return PTCE_OK;
    struct refdata_shapes *s = shapes_get(ctx, rd);
    if (!s)
        return ptce_ctx_status(ctx, PTCE_ERR_DATA);
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, lon, lat);
    if (!pt)
        return ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS : %s", ctx->geos_error);
    ptce_status st = query(ctx, rd, s, pt);
    for (size_t k = 0; !st && k < s->ncand; k++) {
        int in = covers(h, s, s->cand[k], pt);
        if (in < 0)
            st = ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS : %s", ctx->geos_error);
        else if (in) {
            out->status = REFDATA_LOCATE_INSIDE;
            out->commune = &rd->communes[s->cand[k]];
            out->distance_m = 0;
            break;
        }
    }
    size_t best;
    double d;
    if (!st && out->status != REFDATA_LOCATE_INSIDE && tolerance_m > 0) {
        st = nearest_within(ctx, rd, s, pt, lon, lat, tolerance_m, &best, &d);
        if (!st && best != (size_t)-1 && d <= tolerance_m) {
            out->status = REFDATA_LOCATE_NEAR;
            out->commune = &rd->communes[best];
            out->distance_m = d;
        }
    }
    if (!st && !out->commune) {
        /* Widening boxes: the nearest commune is usually close, even at sea. */
        for (double r = tolerance_m > 5000 ? 4 * tolerance_m : 20000; !st; r *= 4) {
            if (r > NEAREST_MAX_M)
                r = NEAREST_MAX_M;
            st = nearest_within(ctx, rd, s, pt, lon, lat, r, &best, &d);
            /* A commune in the box may be nearer than the box's half-size only if its
             * distance is within it; else a wider box may hold a nearer one. */
            if (!st && best != (size_t)-1 && d <= r) {
                out->commune = &rd->communes[best];
                out->distance_m = d;
                break;
            }
            if (r == NEAREST_MAX_M)
                break;
        }
    }
    if (!st && !out->commune) {
        /* Far away: the nearest polygon in degrees, its distance in metres. */
        st = load_all(ctx, rd, s);
        nearest_query q = {s, h, pt};
        const void *item = st ? NULL : GEOSSTRtree_nearest_generic_r(h, s->all, &q, pt,
                                                                     item_distance, &q);
        if (item) {
            size_t i = (size_t)(uintptr_t)item - 1;
            out->commune = &rd->communes[i];
            out->distance_m = boundary_distance_m(h, s->geom[i], lon, lat);
        }
    }
    GEOSGeom_destroy_r(h, pt);
    return st;
}

ptce_status refdata_commune_distance(ptce_ctx *ctx, refdata *rd, const commune *m, double lon,
                                     double lat, double *distance_m)
{
    *distance_m = INFINITY;
    const GEOSGeometry *g = refdata_commune_geom(ctx, rd, m);
    if (!g)
        return ptce_ctx_status(ctx, PTCE_ERR_DATA);
    struct refdata_shapes *s = rd->shapes;
    const commune *own = strcmp(m->contour, m->insee) == 0 ? m : refdata_commune(rd, m->contour);
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx->geos, lon, lat);
    if (!pt)
        return ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS : %s", ctx->geos_error);
    *distance_m = distance_to(ctx->geos, s, (size_t)(own - rd->communes), pt, lon, lat);
    GEOSGeom_destroy_r(ctx->geos, pt);
    return PTCE_OK;
}
