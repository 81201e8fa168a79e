/*
 * placecheck — are the points of a build where they say they are? For the end-to-end tests.
 *
 *   placecheck OUTDIR TOLERANCE_M
 *
 * Reads OUTDIR/ptce_points.shp (WGS 84) and OUTDIR/ptce_departements.shp back with
 * shapelib, and the commune polygons of the reference data ($PTCE_MAP_DATA) with refdata:
 *  - every point that names a commune (`insee`) lies within TOLERANCE_M of that commune's
 *    polygon (for an arrondissement its city's, for a re-created commune the 2018 polygon
 *    that holds it); prints how many lie outside it at all, and the largest distance;
 *  - point in polygon against the département layer of the build (GEOS prepared
 *    geometries): every point lies in exactly one département polygon, the one of its
 *    `code_dep`, and the count per polygon equals its `nb_ptce`.
 * Prints one summary line; exits 1 on the first kind of failure found (after listing up to
 * ten offending points), 2 on bad usage or unreadable files.
 */
#include <geos_c.h>
#include <math.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "refdata/refdata.h"

static double signed_area(const SHPObject *o, int start, int end)
{
    double s = 0;
    for (int i = start; i + 1 < end; i++)
        s += o->padfX[i] * o->padfY[i + 1] - o->padfX[i + 1] * o->padfY[i];
    return s / 2;
}

static GEOSGeometry *ring_of(GEOSContextHandle_t h, const SHPObject *o, int start, int end)
{
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)(end - start), 2);
    if (!cs)
        return NULL;
    for (int i = start; i < end; i++)
        GEOSCoordSeq_setXY_r(h, cs, (unsigned)(i - start), o->padfX[i], o->padfY[i]);
    return GEOSGeom_createLinearRing_r(h, cs);
}

/* A Shapefile polygon as GEOS: clockwise rings are shells, the others holes of the shell
 * that holds their first vertex. */
static GEOSGeometry *polygon_of(GEOSContextHandle_t h, const SHPObject *o)
{
    int n = o->nParts;
    GEOSGeometry **shells = calloc((size_t)n, sizeof *shells);
    GEOSGeometry ***holes = calloc((size_t)n, sizeof *holes);
    int *nholes = calloc((size_t)n, sizeof *nholes);
    int *shell_part = calloc((size_t)n, sizeof *shell_part);
    int ns = 0;
    for (int p = 0; p < n; p++) {
        int start = o->panPartStart[p], end = p + 1 < n ? o->panPartStart[p + 1] : o->nVertices;
        if (signed_area(o, start, end) < 0) {
            shell_part[ns] = p;
            shells[ns++] = ring_of(h, o, start, end);
            holes[ns - 1] = calloc((size_t)n, sizeof **holes);
        }
    }
    for (int p = 0; p < n; p++) {
        int start = o->panPartStart[p], end = p + 1 < n ? o->panPartStart[p + 1] : o->nVertices;
        if (signed_area(o, start, end) >= 0) {
            GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, o->padfX[start], o->padfY[start]);
            int owner = ns - 1;
            for (int s = 0; s < ns; s++) {
                GEOSGeometry *shell_poly =
                    GEOSGeom_createPolygon_r(h, GEOSGeom_clone_r(h, shells[s]), NULL, 0);
                int in = GEOSContains_r(h, shell_poly, pt);
                GEOSGeom_destroy_r(h, shell_poly);
                if (in == 1) {
                    owner = s;
                    break;
                }
            }
            GEOSGeom_destroy_r(h, pt);
            if (owner >= 0)
                holes[owner][nholes[owner]++] = ring_of(h, o, start, end);
        }
    }
    GEOSGeometry **polys = calloc((size_t)(ns ? ns : 1), sizeof *polys);
    for (int s = 0; s < ns; s++)
        polys[s] = GEOSGeom_createPolygon_r(h, shells[s], holes[s], (unsigned)nholes[s]);
    GEOSGeometry *g = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)ns);
    for (int s = 0; s < ns; s++)
        free(holes[s]);
    free(polys);
    free(shells);
    free(holes);
    free(nholes);
    free(shell_part);
    return g;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: placecheck OUTDIR TOLERANCE_M\n");
        return 2;
    }
    double tolerance = atof(argv[2]);
    char path[4096];
    snprintf(path, sizeof path, "%s/ptce_points", argv[1]);
    SHPHandle pshp = SHPOpen(path, "rb");
    DBFHandle pdbf = DBFOpen(path, "rb");
    snprintf(path, sizeof path, "%s/ptce_departements", argv[1]);
    SHPHandle dshp = SHPOpen(path, "rb");
    DBFHandle ddbf = DBFOpen(path, "rb");
    ptce_ctx *ctx = ptce_ctx_new(NULL);
    const char *data = getenv("PTCE_MAP_DATA");
    if (!pshp || !pdbf || !dshp || !ddbf || !ctx || (data && ptce_ctx_set_data_dir(ctx, data))) {
        fprintf(stderr, "placecheck: cannot open the layers of %s\n", argv[1]);
        return 2;
    }
    ptce_ctx_set_quiet(ctx, 1);
    refdata rd;
    if (refdata_load(ctx, &rd) != PTCE_OK) {
        fprintf(stderr, "placecheck: %s\n", ptce_ctx_error(ctx));
        return 2;
    }
    GEOSContextHandle_t h = ctx->geos;
    int f_insee = DBFGetFieldIndex(pdbf, "insee"), f_dep = DBFGetFieldIndex(pdbf, "code_dep");
    int f_code = DBFGetFieldIndex(ddbf, "code_dep"), f_nb = DBFGetFieldIndex(ddbf, "nb_ptce");
    if (f_insee < 0 || f_dep < 0 || f_code < 0 || f_nb < 0) {
        fprintf(stderr, "placecheck: fields insee, code_dep, nb_ptce missing\n");
        return 2;
    }

    /* The département polygons of the build, prepared. */
    int ndeps = DBFGetRecordCount(ddbf);
    GEOSGeometry **dgeom = calloc((size_t)ndeps, sizeof *dgeom);
    const GEOSPreparedGeometry **dprep = calloc((size_t)ndeps, sizeof *dprep);
    double (*box)[4] = calloc((size_t)ndeps, sizeof *box);
    long *counted = calloc((size_t)ndeps, sizeof *counted);
    for (int i = 0; i < ndeps; i++) {
        SHPObject *o = SHPReadObject(dshp, i);
        if (!o)
            return 2;
        dgeom[i] = polygon_of(h, o);
        dprep[i] = GEOSPrepare_r(h, dgeom[i]);
        box[i][0] = o->dfXMin;
        box[i][1] = o->dfYMin;
        box[i][2] = o->dfXMax;
        box[i][3] = o->dfYMax;
        SHPDestroyObject(o);
    }

    int npoints = DBFGetRecordCount(pdbf), outside = 0, beyond = 0, bad_dep = 0, reported = 0;
    double worst = 0;
    for (int i = 0; i < npoints; i++) {
        SHPObject *o = SHPReadObject(pshp, i);
        if (!o || o->nVertices != 1)
            return 2;
        double x = o->padfX[0], y = o->padfY[0];
        SHPDestroyObject(o);
        const char *insee = DBFReadStringAttribute(pdbf, i, f_insee);
        const commune *m = insee && *insee ? refdata_commune(&rd, insee) : NULL;
        if (m) {
            double d;
            if (refdata_commune_distance(ctx, &rd, m, x, y, &d) != PTCE_OK) {
                fprintf(stderr, "placecheck: %s\n", ptce_ctx_error(ctx));
                return 2;
            }
            outside += d > 0;
            if (d > worst)
                worst = d;
            if (d > tolerance) {
                beyond++;
                if (reported++ < 10)
                    fprintf(stderr, "point %d (%s) at %.0f m from its commune's polygon\n", i,
                            insee, d);
            }
        }
        char dep[8];
        snprintf(dep, sizeof dep, "%s", DBFReadStringAttribute(pdbf, i, f_dep));
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
        int hits = 0, right = 0;
        for (int k = 0; k < ndeps; k++) {
            if (x < box[k][0] || x > box[k][2] || y < box[k][1] || y > box[k][3])
                continue;
            if (GEOSPreparedIntersects_r(h, dprep[k], pt) == 1) {
                hits++;
                counted[k]++;
                right |= strcmp(DBFReadStringAttribute(ddbf, k, f_code), dep) == 0;
            }
        }
        GEOSGeom_destroy_r(h, pt);
        if (hits != 1 || !right) {
            bad_dep++;
            if (reported++ < 10)
                fprintf(stderr, "point %d (%s, %s) in %d département polygons%s\n", i,
                        insee ? insee : "", dep, hits, right ? "" : ", not its own");
        }
    }
    int bad_counts = 0;
    for (int k = 0; k < ndeps; k++)
        if (counted[k] != DBFReadIntegerAttribute(ddbf, k, f_nb)) {
            bad_counts++;
            fprintf(stderr, "département %s: %ld points in its polygon, nb_ptce %d\n",
                    DBFReadStringAttribute(ddbf, k, f_code), counted[k],
                    DBFReadIntegerAttribute(ddbf, k, f_nb));
        }
    printf("points=%d outside_own_commune=%d beyond_tolerance=%d worst_m=%.1f "
           "dep_mismatch=%d count_mismatch=%d\n",
           npoints, outside, beyond, worst, bad_dep, bad_counts);
    for (int k = 0; k < ndeps; k++) {
        GEOSPreparedGeom_destroy_r(h, dprep[k]);
        GEOSGeom_destroy_r(h, dgeom[k]);
    }
    free(dgeom);
    free(dprep);
    free(box);
    free(counted);
    refdata_free(&rd);
    ptce_ctx_free(ctx);
    SHPClose(pshp);
    DBFClose(pdbf);
    SHPClose(dshp);
    DBFClose(ddbf);
    return beyond || bad_dep || bad_counts ? 1 : 0;
}
