/*
 * geocode/territory.c — is a point on French land? The département polygons of the
 * reference data (generalised Natural Earth outlines) are parsed and prepared the first
 * time a row has coordinates, then each point is tested against them.
 *
 * The polygons only check points (a census point in Geneva or at sea); the commune and the
 * region always come from the codes, never from a point-in-polygon test.
 */
#include <math.h>
#include <stdlib.h>

#include "core/ctx.h"
#include "geocode/internal.h"

/* Slot i holds the polygon of rd->deps[i] (NULL when it could not be read). */
static void build(geocoder *g)
{
    territory *t = &g->land;
    GEOSContextHandle_t h = g->ctx->geos;
    const refdata *rd = g->rd;
    t->state = -1;
    t->n = rd->ndeps;
    t->geoms = calloc(rd->ndeps ? rd->ndeps : 1, sizeof *t->geoms);
    t->prepared = calloc(rd->ndeps ? rd->ndeps : 1, sizeof *t->prepared);
    t->box = calloc(rd->ndeps ? rd->ndeps : 1, sizeof *t->box);
    if (!t->geoms || !t->prepared || !t->box) {
        t->n = 0;
        return;
    }
    /* The polygons are the reference data's own, parsed once for the whole run (and read
     * from WKB when the binary image gave it); refdata parses lazily, which is why the
     * const is cast away, and it keeps ownership. */
    refdata *mrd = (refdata *)rd;
    size_t ok = 0;
    for (size_t i = 0; i < rd->ndeps; i++) {
        const GEOSGeometry *geom = refdata_departement_geom(g->ctx, mrd, &mrd->deps[i]);
        if (!geom)
            continue;
        const GEOSPreparedGeometry *p = GEOSPrepare_r(h, geom);
        if (!p)
            continue;
        double *b = t->box[i];
        if (!GEOSGeom_getXMin_r(h, geom, &b[0]) || !GEOSGeom_getYMin_r(h, geom, &b[1]) ||
            !GEOSGeom_getXMax_r(h, geom, &b[2]) || !GEOSGeom_getYMax_r(h, geom, &b[3])) {
            GEOSPreparedGeom_destroy_r(h, p);
            continue;
        }
        t->geoms[i] = geom;
        t->prepared[i] = p;
        ok++;
    }
    t->state = ok > 0 ? 1 : -1;
}

void territory_free(geocoder *g)
{
    territory *t = &g->land;
    GEOSContextHandle_t h = g->ctx->geos;
    for (size_t i = 0; i < t->n; i++) {
        if (t->prepared && t->prepared[i])
            GEOSPreparedGeom_destroy_r(h, t->prepared[i]);
    }
    free(t->geoms);
    free(t->prepared);
    free(t->box);
    t->geoms = NULL;
    t->prepared = NULL;
    t->box = NULL;
    t->n = 0;
    t->state = 0;
}

/* A lower bound of the distance in km from the point to a box. */
static double box_km(const double b[4], double lat, double lon)
{
    const double rad = 3.14159265358979323846 / 180.0;
    double dx = lon < b[0] ? b[0] - lon : lon > b[2] ? lon - b[2] : 0;
    double dy = lat < b[1] ? b[1] - lat : lat > b[3] ? lat - b[3] : 0;
    /* The widest parallel between the point and the box keeps it a lower bound. */
    double near_lat = fabs(lat) > dy ? fabs(lat) - dy : 0;
    double kx = dx * 111.32 * cos(near_lat * rad), ky = dy * 110.57;
    return sqrt(kx * kx + ky * ky) * 0.99;
}

/* Distance in km from pt to polygon i (0 inside); 1e9 when it has no polygon. */
static double polygon_km(GEOSContextHandle_t h, const territory *t, size_t i,
                         const GEOSGeometry *pt, double lat, double lon)
{
    if (!t->geoms[i])
        return 1e9;
    const double *b = t->box[i];
    if (lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3] &&
        GEOSPreparedCovers_r(h, t->prepared[i], pt) == 1)
        return 0;
    double best = 1e9;
    GEOSCoordSequence *cs = GEOSNearestPoints_r(h, t->geoms[i], pt);
    if (cs) {
        double x, y;
        if (GEOSCoordSeq_getXY_r(h, cs, 0, &x, &y))
            best = geo_distance_km(lat, lon, y, x);
        GEOSCoordSeq_destroy_r(h, cs);
    }
    return best;
}

double territory_outside_km(geocoder *g, double lat, double lon)
{
    territory *t = &g->land;
    if (t->state == 0)
        build(g);
    if (t->state < 0)
        return -1;
    GEOSContextHandle_t h = g->ctx->geos;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, lon, lat);
    if (!pt)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        const double *b = t->box[i];
        if (!t->geoms[i] || lon < b[0] || lon > b[2] || lat < b[1] || lat > b[3])
            continue;
        if (GEOSPreparedCovers_r(h, t->prepared[i], pt) == 1) {
            GEOSGeom_destroy_r(h, pt);
            return 0;
        }
    }
    double best = 1e9;
    for (size_t i = 0; i < t->n; i++) {
        if (!t->geoms[i] || box_km(t->box[i], lat, lon) >= best)
            continue;
        double d = polygon_km(h, t, i, pt, lat, lon);
        if (d < best)
            best = d;
    }
    GEOSGeom_destroy_r(h, pt);
    return best;
}

double territory_dep_km(geocoder *g, const departement *d, double lat, double lon)
{
    territory *t = &g->land;
    if (t->state == 0)
        build(g);
    size_t i = (size_t)(d - g->rd->deps);
    if (t->state < 0 || i >= t->n || !t->geoms[i])
        return -1;
    GEOSContextHandle_t h = g->ctx->geos;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, lon, lat);
    if (!pt)
        return -1;
    double km = polygon_km(h, t, i, pt, lat, lon);
    GEOSGeom_destroy_r(h, pt);
    return km;
}
