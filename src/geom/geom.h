/*
 * geom/geom.h — coordinate reference systems and geometry plumbing over PROJ and GEOS.
 *
 * Owns: the target CRS of an output (its PROJ transformation from WGS 84 and the ESRI WKT
 * of its .prj), reprojecting GEOS geometries, walking polygon rings with the orientation
 * a format wants. Does not know the census.
 */
#ifndef PTCE_GEOM_H
#define PTCE_GEOM_H

#include <geos_c.h>
#include <proj.h>

#include "ptce.h"

typedef struct geom_crs_target {
    int epsg;            /* 4326, 2154, 5490, 2972, 2975, 4471… */
    int geographic;      /* coordinates are degrees (lon, lat) */
    PJ *from_wgs84;      /* NULL for EPSG:4326 itself; lon/lat in, x/y out */
    char *prj;           /* ESRI WKT1 on one line, for the .prj; owned */
    char name[64];       /* PROJ's name of the CRS */
} geom_crs_target;

/* Prepares output in EPSG:`epsg`. Fails with a message for an unknown code. France's CRSs
 * (4326, 2154, 5490, 2972, 2975, 4471) are built in, without a query of proj.db. */
ptce_status geom_crs_open(ptce_ctx *ctx, int epsg, geom_crs_target *out);

/* Same, but always asking PROJ to search proj.db for the operation (slow, about 40 ms):
 * what geom_crs_open's built-in operations for the French CRSs are tested against. */
ptce_status geom_crs_open_searched(ptce_ctx *ctx, int epsg, geom_crs_target *out);

/* Same .prj, but for coordinates already in that plane: no transformation. */
ptce_status geom_crs_open_identity(ptce_ctx *ctx, int epsg, geom_crs_target *out);
void geom_crs_close(geom_crs_target *crs);

/* The OGC WKT1 (one line) PROJ writes for EPSG:`epsg` (what a GeoPackage's
 * gpkg_spatial_ref_sys.definition holds), from proj.db, into *out (owned by the caller;
 * NULL on failure, with the error set: memory or PROJ). */
ptce_status geom_crs_wkt1(ptce_ctx *ctx, int epsg, char **out);

/* ---- France's CRSs, defined once ---- */

#define GEOM_EPSG_WGS84 4326
#define GEOM_EPSG_LAMBERT93 2154   /* RGF93 v1 / Lambert-93: metropolitan France, Corsica */

/* The operation from WGS 84 (lon, lat in degrees) to one of France's built-in CRSs (new,
 * the caller destroys it; PJ_INV goes back to WGS 84), without a search of proj.db. NULL
 * for WGS 84 itself and for codes that are not built in. */
PJ *geom_wgs84_to(ptce_ctx *ctx, int epsg);

/* Lambert-93 metres that can be metropolitan France's (x easting, y northing): the test
 * that tells Lambert-93 from degrees, and X from Y. */
#define GEOM_L93_X_MIN 50000.0
#define GEOM_L93_X_MAX 1300000.0
#define GEOM_L93_Y_MIN 6000000.0
#define GEOM_L93_Y_MAX 7200000.0
int geom_lambert93_plausible(double x, double y);

/* The regions an overseas CRS is made for ("01,02" for EPSG:5490, RGAF09 / UTM 20N; also
 * the older and the WGS 84 UTM codes of the same zones), NULL for the others (which take
 * every feature). */
const char *geom_crs_regions(int epsg);
/* The legal CRS of a region: its UTM zone for the five overseas regions ("01"…"06"),
 * Lambert-93 for the others. */
int geom_region_crs(const char *code_reg);

/* Parses "EPSG:2154", "epsg:2154" or "2154". Returns 0 when not a code. */
int geom_parse_epsg(const char *text);

/* Projects one WGS 84 point. Returns 0 when PROJ cannot. */
int geom_project_point(const geom_crs_target *crs, double lon, double lat, double *x, double *y);

/* A new geometry in the target CRS (a clone for EPSG:4326). NULL with the error set. */
GEOSGeometry *geom_project(ptce_ctx *ctx, const geom_crs_target *crs, const GEOSGeometry *g);

/* Ring orientation wanted by a format: Shapefile wants outer rings clockwise, RFC 7946
 * GeoJSON counter-clockwise; holes the other way. */
typedef enum geom_ring_order {
    GEOM_RINGS_SHAPEFILE,
    GEOM_RINGS_RFC7946
} geom_ring_order;

/* Called once per ring, in order: polygon by polygon, the shell then its holes.
 * xs/ys hold `n` closed-ring coordinates already in the wanted orientation.
 * Return non-zero to stop. */
typedef int (*geom_ring_visitor)(void *user, int polygon_index, int is_hole, const double *xs,
                            const double *ys, unsigned n);

/* Walks the rings of a Polygon or MultiPolygon. Returns PTCE_OK or an error. */
ptce_status geom_visit_rings(ptce_ctx *ctx, const GEOSGeometry *g, geom_ring_order order,
                             geom_ring_visitor visit, void *user);

#endif
