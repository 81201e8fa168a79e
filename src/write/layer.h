/*
 * write/layer.h — what a writer is given: a layer described as fields and features, read
 * through callbacks. The writers (one file per format) print what the stages decided;
 * they decide nothing and know nothing of PTCE.
 */
#ifndef PTCE_WRITE_LAYER_H
#define PTCE_WRITE_LAYER_H

#include <geos_c.h>
#include <stddef.h>

#include "ptce.h"

typedef enum layer_field_type {
    LAYER_FIELD_TEXT,
    LAYER_FIELD_INTEGER,
    LAYER_FIELD_REAL
} layer_field_type;

/* The widest text field a DBF can hold, in bytes: the one format of ours that cannot keep a
 * long text whole (GeoJSON, GeoPackage and CSV always do). */
#define LAYER_DBF_TEXT_MAX 254

typedef struct layer_field_def {
    const char *name;     /* ASCII, at most 10 bytes (DBF limit) */
    layer_field_type type;
    int width;            /* DBF width (text: at most LAYER_DBF_TEXT_MAX); longer text is
                           * cut there in the .dbf only, marked "…", with a warning */
    int decimals;         /* DBF decimals for LAYER_FIELD_REAL */
} layer_field_def;

typedef struct layer_field_value {
    const char *text;     /* LAYER_FIELD_TEXT; NULL means NULL */
    long long integer;
    double real;
    int is_null;
} layer_field_value;

typedef enum layer_geometry {
    LAYER_POINT,
    LAYER_POLYGON
} layer_geometry;

/* The formats in which a polygon's geometry can be handed to the writers already written
 * (layer.polygon_bytes): exactly the bytes writers_polygon_bytes() gives for it. */
typedef enum layer_polygon_format {
    LAYER_POLYGON_GEOJSON,    /* GeoJSON geometry member and bbox (write/out_geojson.c) */
    LAYER_POLYGON_GPKG_WGS84, /* GeoPackage binary geometry in EPSG:4326 (write/out_gpkg.c) */
    LAYER_POLYGON_WEB,        /* the web map's geometry at CARTO_WEB_POLYGON_DECIMALS
                               * (write/out_web.c) */
    LAYER_POLYGON_FORMATS
} layer_polygon_format;

typedef struct layer {
    const char *name;             /* file base name: "ptce_points" */
    const char *title;            /* human title for metadata */
    layer_geometry geometry;
    const layer_field_def *fields;
    size_t nfields;
    size_t nfeatures;
    void *user;
    /* Value of field f of feature i. Text stays valid until the next call. */
    void (*value)(void *user, size_t i, size_t f, layer_field_value *out);
    /* LAYER_POINT: coordinates of feature i in the layer's source CRS: WGS 84 lon/lat for
     * the true-position layers, layout metres for carte/. The Shapefile writer projects
     * them with the geom_crs_target it is given; GeoJSON is only written from WGS 84 layers. */
    void (*point)(void *user, size_t i, double *lon, double *lat);
    /* LAYER_POLYGON: (Multi)Polygon of feature i in the same source CRS, not owned. */
    const GEOSGeometry *(*polygon)(void *user, size_t i);
    /* Optional (NULL, or returning NULL: the writer formats polygon(i) itself): the bytes
     * of feature i's geometry in `format`, made once when the reference data were compiled
     * (refdata/cache.h), valid while the layer is; *len gets their length. Only a WGS 84
     * layer has them. */
    const unsigned char *(*polygon_bytes)(void *user, size_t i, layer_polygon_format format,
                                          size_t *len);
    /* Optional, with polygon_bytes: told by a writer that it has written every feature in
     * `format`, so that their bytes need not stay in memory (a hint: asked again, they are
     * still given). */
    void (*polygon_bytes_done)(void *user, layer_polygon_format format);
    const char *credit;           /* credit line for the metadata */
} layer;

#endif
