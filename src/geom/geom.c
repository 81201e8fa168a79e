/*
 * geom/geom.c — see geom.h.
 */
#include "geom/geom.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/util.h"

int geom_parse_epsg(const char *text)
{
    const char *p = text;
    if (strncmp(p, "EPSG:", 5) == 0 || strncmp(p, "epsg:", 5) == 0)
        p += 5;
    if (!*p)
        return 0;
    char *end;
    long v = strtol(p, &end, 10);
    if (*end || v <= 0 || v > 999999)
        return 0;
    return (int)v;
}

static ptce_status crs_open(ptce_ctx *ctx, int epsg, geom_crs_target *out, int use_known);

/* France's CRSs, known in advance. The operations are those PROJ chooses from WGS 84
 * (lon/lat order), as `projinfo -s EPSG:4326 -t EPSG:NNNN` prints them minus the axis
 * swap: the datums are WGS 84-compatible, so each is a projection alone. The .prj texts
 * are PROJ's own ESRI WKT1 (`projinfo EPSG:NNNN -o WKT1_ESRI`). Building a transformation
 * from its string takes a tenth of a millisecond; asking proj_create_crs_to_crs to search
 * proj.db for it takes 30 to 40 ms, and writing ESRI WKT queries the database again: most
 * of a small run's time. A unit test checks that both ways give the same points and the
 * same .prj, so a PROJ upgrade that changed either would be caught. */
static const struct {
    int epsg;
    const char *name;
    int geographic;
    const char *pipeline; /* NULL for WGS 84 itself */
    const char *prj;
} known_crs[] = {
    {4326, "WGS 84", 1,
     /* pipeline */ NULL,
     /* .prj */ "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,298.257"
          "223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]"},
    {2154, "RGF93 v1 / Lambert-93", 0,
     /* pipeline */ "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=lcc "
          "+lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80",
     /* .prj */ "PROJCS[\"RGF_1993_Lambert_93\",GEOGCS[\"GCS_RGF_1993\",DATUM[\"D_RGF_1993\",SPHEROID"
          "[\"GRS_1980\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0."
          "0174532925199433]],PROJECTION[\"Lambert_Conformal_Conic\"],PARAMETER[\"False_East"
          "ing\",700000.0],PARAMETER[\"False_Northing\",6600000.0],PARAMETER[\"Central_Meridi"
          "an\",3.0],PARAMETER[\"Standard_Parallel_1\",49.0],PARAMETER[\"Standard_Parallel_2\""
          ",44.0],PARAMETER[\"Latitude_Of_Origin\",46.5],UNIT[\"Meter\",1.0]]"},
    {5490, "RGAF09 / UTM zone 20N", 0,
     /* pipeline */ "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=utm "
          "+zone=20 +ellps=GRS80",
     /* .prj */ "PROJCS[\"RGAF09_UTM_Zone_20N\",GEOGCS[\"GCS_RGAF09\",DATUM[\"Reseau_Geodesique_des_"
          "Antilles_Francaises_2009\",SPHEROID[\"GRS_1980\",6378137.0,298.257222101]],PRIMEM"
          "[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Transverse_Me"
          "rcator\"],PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\",0.0],P"
          "ARAMETER[\"Central_Meridian\",-63.0],PARAMETER[\"Scale_Factor\",0.9996],PARAMETER["
          "\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]"},
    {2972, "RGFG95 / UTM zone 22N", 0,
     /* pipeline */ "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=utm "
          "+zone=22 +ellps=GRS80",
     /* .prj */ "PROJCS[\"RGFG_1995_UTM_22N\",GEOGCS[\"GCS_RGFG_1995\",DATUM[\"D_RGFG_1995\",SPHEROID"
          "[\"GRS_1980\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0."
          "0174532925199433]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"False_Easting\""
          ",500000.0],PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",-51.0]"
          ",PARAMETER[\"Scale_Factor\",0.9996],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Me"
          "ter\",1.0]]"},
    {2975, "RGR92 / UTM zone 40S", 0,
     /* pipeline */ "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=utm "
          "+zone=40 +south +ellps=GRS80",
     /* .prj */ "PROJCS[\"RGR_1992_UTM_40S\",GEOGCS[\"GCS_RGR_1992\",DATUM[\"D_RGR_1992\",SPHEROID[\"G"
          "RS_1980\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.017"
          "4532925199433]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"False_Easting\",50"
          "0000.0],PARAMETER[\"False_Northing\",10000000.0],PARAMETER[\"Central_Meridian\",57"
          ".0],PARAMETER[\"Scale_Factor\",0.9996],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT["
          "\"Meter\",1.0]]"},
    {4471, "RGM04 / UTM zone 38S", 0,
     /* pipeline */ "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=utm "
          "+zone=38 +south +ellps=GRS80",
     /* .prj */ "PROJCS[\"RGM_2004_UTM_Zone_38S\",GEOGCS[\"GCS_RGM_2004\",DATUM[\"D_Reseau_Geodesiqu"
          "e_de_Mayotte_2004\",SPHEROID[\"GRS_1980\",6378137.0,298.257222101]],PRIMEM[\"Green"
          "wich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\""
          "],PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\",10000000.0],P"
          "ARAMETER[\"Central_Meridian\",45.0],PARAMETER[\"Scale_Factor\",0.9996],PARAMETER[\""
          "Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]"},
};

static int known_index(int epsg)
{
    for (size_t i = 0; i < sizeof known_crs / sizeof *known_crs; i++)
        if (known_crs[i].epsg == epsg)
            return (int)i;
    return -1;
}

static PJ *known_operation(ptce_ctx *ctx, int epsg)
{
    int k = known_index(epsg);
    return k >= 0 && known_crs[k].pipeline ? proj_create(ctx->proj, known_crs[k].pipeline)
                                           : NULL;
}

PJ *geom_wgs84_to(ptce_ctx *ctx, int epsg)
{
    return known_operation(ctx, epsg);
}

int geom_lambert93_plausible(double x, double y)
{
    return x > GEOM_L93_X_MIN && x < GEOM_L93_X_MAX && y > GEOM_L93_Y_MIN && y < GEOM_L93_Y_MAX;
}

/* The CRSs of the overseas regions, the legal one first for each territory. */
static const struct {
    int epsg;
    const char *regions;
} territory_crs[] = {
    {5490, "01,02"}, {4559, "01,02"}, {32620, "01,02"}, /* Guadeloupe, Martinique */
    {2972, "03"},    {32622, "03"},                     /* Guyane */
    {2975, "04"},    {32740, "04"},                     /* La Réunion */
    {4471, "06"},    {32738, "06"},                     /* Mayotte */
};

const char *geom_crs_regions(int epsg)
{
    for (size_t i = 0; i < sizeof territory_crs / sizeof *territory_crs; i++)
        if (territory_crs[i].epsg == epsg)
            return territory_crs[i].regions;
    return NULL;
}

int geom_region_crs(const char *code_reg)
{
    for (size_t i = 0; code_reg[0] && i < sizeof territory_crs / sizeof *territory_crs; i++)
        if (strstr(territory_crs[i].regions, code_reg))
            return territory_crs[i].epsg;
    return GEOM_EPSG_LAMBERT93;
}

ptce_status geom_crs_open_searched(ptce_ctx *ctx, int epsg, geom_crs_target *out)
{
    return crs_open(ctx, epsg, out, 0);
}

ptce_status geom_crs_open(ptce_ctx *ctx, int epsg, geom_crs_target *out)
{
    return crs_open(ctx, epsg, out, 1);
}

static ptce_status crs_open(ptce_ctx *ctx, int epsg, geom_crs_target *out, int use_known)
{
    memset(out, 0, sizeof *out);
    out->epsg = epsg;
    int k = use_known ? known_index(epsg) : -1;
    if (k >= 0) {
        out->geographic = known_crs[k].geographic;
        snprintf(out->name, sizeof out->name, "%s", known_crs[k].name);
        out->prj = util_strdup(known_crs[k].prj);
        if (!out->prj)
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        if (known_crs[k].pipeline)
            out->from_wgs84 = known_operation(ctx, epsg);
        if (!out->prj || (known_crs[k].pipeline && !out->from_wgs84)) {
            geom_crs_close(out);
            return ptce_fail(ctx, PTCE_ERR_LIBRARY, "EPSG:%d : PROJ refuse l'opération", epsg);
        }
        return PTCE_OK;
    }
    char code[16];
    snprintf(code, sizeof code, "%d", epsg);
    PJ *crs = proj_create_from_database(ctx->proj, "EPSG", code, PJ_CATEGORY_CRS, 0, NULL);
    if (!crs)
        return ptce_fail(ctx, PTCE_ERR_USAGE,
                         "EPSG:%d : système de coordonnées inconnu de PROJ. Exemples : "
                         "EPSG:4326 (WGS 84), EPSG:2154 (Lambert-93).", epsg);
    PJ_TYPE type = proj_get_type(crs);
    if (type != PJ_TYPE_GEOGRAPHIC_2D_CRS && type != PJ_TYPE_PROJECTED_CRS) {
        proj_destroy(crs);
        return ptce_fail(ctx, PTCE_ERR_USAGE,
                         "EPSG:%d n'est pas un système de coordonnées à plat (longitude/latitude "
                         "ou projection) ; exemples : EPSG:4326, EPSG:2154.", epsg);
    }
    out->geographic = type == PJ_TYPE_GEOGRAPHIC_2D_CRS;
    snprintf(out->name, sizeof out->name, "%s", proj_get_name(crs));
    const char *const wkt_opts[] = {"MULTILINE=NO", NULL};
    const char *wkt = proj_as_wkt(ctx->proj, crs, PJ_WKT1_ESRI, wkt_opts);
    if (!wkt) {
        proj_destroy(crs);
        return ptce_fail(ctx, PTCE_ERR_LIBRARY, "EPSG:%d : PROJ ne sait pas l'écrire en WKT ESRI",
                         epsg);
    }
    out->prj = util_strdup(wkt);
    if (!out->prj) {
        proj_destroy(crs);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    if (epsg != 4326) {
        PJ *wgs84 = proj_create_from_database(ctx->proj, "EPSG", "4326", PJ_CATEGORY_CRS, 0, NULL);
        PJ *op = wgs84 ? proj_create_crs_to_crs_from_pj(ctx->proj, wgs84, crs, NULL, NULL) : NULL;
        if (op) {
            /* Always lon/lat in, easting/northing (or lon/lat) out. */
            out->from_wgs84 = proj_normalize_for_visualization(ctx->proj, op);
            proj_destroy(op);
        }
        proj_destroy(wgs84);
    }
    proj_destroy(crs);
    if (!out->prj || (epsg != 4326 && !out->from_wgs84)) {
        geom_crs_close(out);
        return ptce_fail(ctx, PTCE_ERR_LIBRARY, "EPSG:%d : pas de transformation depuis WGS 84",
                         epsg);
    }
    return PTCE_OK;
}

ptce_status geom_crs_open_identity(ptce_ctx *ctx, int epsg, geom_crs_target *out)
{
    ptce_status st = geom_crs_open(ctx, epsg, out);
    if (st == PTCE_OK && out->from_wgs84) {
        proj_destroy(out->from_wgs84);
        out->from_wgs84 = NULL;
    }
    return st;
}

void geom_crs_close(geom_crs_target *crs)
{
    if (crs->from_wgs84)
        proj_destroy(crs->from_wgs84);
    free(crs->prj);
    memset(crs, 0, sizeof *crs);
}

int geom_project_point(const geom_crs_target *crs, double lon, double lat, double *x, double *y)
{
    if (!crs->from_wgs84) {
        *x = lon;
        *y = lat;
        return 1;
    }
    PJ_COORD out = proj_trans(crs->from_wgs84, PJ_FWD, proj_coord(lon, lat, 0, 0));
    if (!isfinite(out.v[0]) || !isfinite(out.v[1]))
        return 0;
    *x = out.v[0];
    *y = out.v[1];
    return 1;
}

static int project_callback(double *x, double *y, void *user)
{
    return geom_project_point(user, *x, *y, x, y);
}

GEOSGeometry *geom_project(ptce_ctx *ctx, const geom_crs_target *crs, const GEOSGeometry *g)
{
    GEOSGeometry *out = crs->from_wgs84
                            ? GEOSGeom_transformXY_r(ctx->geos, g, project_callback, (void *)crs)
                            : GEOSGeom_clone_r(ctx->geos, g);
    if (!out)
        ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS/PROJ : reprojection impossible vers EPSG:%d (%s)",
                  crs->epsg, ctx->geos_error);
    return out;
}

/* Signed area ×2 of a ring (shoelace): positive when counter-clockwise. */
static double ring_signed_area(const double *xs, const double *ys, unsigned n)
{
    double s = 0;
    for (unsigned i = 0; i + 1 < n; i++)
        s += xs[i] * ys[i + 1] - xs[i + 1] * ys[i];
    return s;
}

static ptce_status visit_ring(ptce_ctx *ctx, const GEOSGeometry *ring, int poly, int hole,
                              geom_ring_order order, geom_ring_visitor visit, void *user, int *stop)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx->geos, ring);
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx->geos, seq, &n))
        return ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS : anneau illisible");
    double *xs = malloc((n ? n : 1) * sizeof *xs), *ys = malloc((n ? n : 1) * sizeof *ys);
    if (!xs || !ys) {
        free(xs);
        free(ys);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    if (n && !GEOSCoordSeq_copyToArrays_r(ctx->geos, seq, xs, ys, NULL, NULL)) {
        free(xs);
        free(ys);
        return ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS : coordonnées illisibles");
    }
    int ccw = ring_signed_area(xs, ys, n) > 0;
    /* Shapefile: shell clockwise, holes counter-clockwise. RFC 7946: the reverse. */
    int want_ccw = (order == GEOM_RINGS_RFC7946) ? !hole : hole;
    if (ccw != want_ccw)
        for (unsigned i = 0, j = n ? n - 1 : 0; i < j; i++, j--) {
            double t = xs[i];
            xs[i] = xs[j];
            xs[j] = t;
            t = ys[i];
            ys[i] = ys[j];
            ys[j] = t;
        }
    *stop = visit(user, poly, hole, xs, ys, n);
    free(xs);
    free(ys);
    return PTCE_OK;
}

ptce_status geom_visit_rings(ptce_ctx *ctx, const GEOSGeometry *g, geom_ring_order order,
                             geom_ring_visitor visit, void *user)
{
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    int nparts = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(ctx->geos, g);
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)
        return ptce_fail(ctx, PTCE_ERR_LIBRARY, "géométrie inattendue (type GEOS %d)", type);
    int stop = 0;
    for (int p = 0; p < nparts && !stop; p++) {
        const GEOSGeometry *poly = type == GEOS_POLYGON ? g : GEOSGetGeometryN_r(ctx->geos, g, p);
        ptce_status st = visit_ring(ctx, GEOSGetExteriorRing_r(ctx->geos, poly), p, 0, order,
                                    visit, user, &stop);
        if (st)
            return st;
        int holes = GEOSGetNumInteriorRings_r(ctx->geos, poly);
        for (int h = 0; h < holes && !stop; h++) {
            st = visit_ring(ctx, GEOSGetInteriorRingN_r(ctx->geos, poly, h), p, 1, order, visit,
                            user, &stop);
            if (st)
                return st;
        }
    }
    return PTCE_OK;
}

ptce_status geom_crs_wkt1(ptce_ctx *ctx, int epsg, char **result)
{
    char code[16];
    snprintf(code, sizeof code, "%d", epsg);
    PJ *crs = proj_create_from_database(ctx->proj, "EPSG", code, PJ_CATEGORY_CRS, 0, NULL);
    const char *const opts[] = {"MULTILINE=NO", NULL};
    const char *wkt = crs ? proj_as_wkt(ctx->proj, crs, PJ_WKT1_GDAL, opts) : NULL;
    char *out = wkt ? util_strdup(wkt) : NULL;
    if (crs)
        proj_destroy(crs);
    *result = out;
    if (!out && wkt)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    if (!out)
        return ptce_fail(ctx, PTCE_ERR_LIBRARY, "PROJ : pas de définition WKT pour EPSG:%d",
                         epsg);
    return PTCE_OK;
}
