/*
 * write/writers.h — one function per output format, one file per format.
 *
 * Each writer writes `layer` under the temporary folder of `od` and registers its files.
 */
#ifndef PTCE_WRITE_WRITERS_H
#define PTCE_WRITE_WRITERS_H

#include <stdint.h>
#include <time.h>

#include "core/csvfile.h"
#include "core/util.h"
#include "geom/geom.h"
#include "write/layer.h"
#include "write/outdir.h"

/* ESRI Shapefile: .shp .shx .dbf .prj .cpg (UTF-8), in the CRS `crs`. `subdir` is "" or a
 * folder name inside the output ("carte"). */
ptce_status writers_shapefile(ptce_ctx *ctx, outdir *od, const char *subdir, const layer *l,
                            const geom_crs_target *crs);

/* GeoJSON per RFC 7946: WGS 84 lon/lat, 6 decimals, counter-clockwise shells, bbox.
 * `suffix` is appended to the layer's file name ("" or "_web"). */
ptce_status writers_geojson(ptce_ctx *ctx, outdir *od, const char *subdir, const layer *l,
                          const char *suffix);

/* CSV (UTF-8, `;`, quoted as needed) of the layer's attributes, one line per feature; cells
 * that a spreadsheet would run as a formula are defused with a leading apostrophe. */
ptce_status writers_csv(ptce_ctx *ctx, outdir *od, const char *name, const layer *l);

/* One layer of a GeoPackage: the layer, its table, the CRS its coordinates are written in
 * (projected from the layer's source CRS as writers_shapefile does), and what describes it. */
typedef struct writers_gpkg_layer {
    const layer *l;
    const char *table;            /* SQL table name, [a-z0-9_]: "ptce_points" */
    const char *identifier;       /* gpkg_contents.identifier, unique: "PTCE (position réelle)" */
    const char *description;      /* gpkg_contents.description and the layer's metadata:
                                   * what it holds, sources, licences; NULL for none */
    const geom_crs_target *crs;
    const char *const *aliases;   /* l->nfields French aliases (gpkg_data_columns), or NULL */
    const char *style_qml;        /* QGIS style document (layer_styles, useAsDefault), or NULL */
} writers_gpkg_layer;

typedef struct writers_gpkg_document {
    const writers_gpkg_layer *layers;
    size_t nlayers;
    const char *timestamp;        /* "2026-01-01T00:00:00.000Z": every date column */
    const char *metadata;         /* the whole file's metadata (plain text), or NULL */
} writers_gpkg_document;

/* GeoPackage 1.3 (SQLite): core tables, binary geometries with envelopes, R-tree indexes
 * with their triggers, aliases, metadata and QGIS default styles. Same input, same bytes. */
ptce_status writers_gpkg(ptce_ctx *ctx, outdir *od, const char *name, const writers_gpkg_document *doc);

/* One worksheet: a layer's attributes under French headings. */
typedef struct writers_xlsx_sheet {
    const char *name;             /* 31 characters at most, none of []:*?/\ */
    const layer *l;
    const char *const *headers;   /* l->nfields column headings, or NULL for the field names */
} writers_xlsx_sheet;

typedef struct writers_xlsx_document {
    const writers_xlsx_sheet *sheets;
    size_t nsheets;
    const char *title, *author, *comments; /* document properties */
    time_t created;               /* fixed creation date (docProps/core.xml), never "now" */
} writers_xlsx_document;

/* XLSX workbook: one sheet per entry, text fields as text cells, numbers as numbers, bold
 * frozen header row, autofilter, widths from the contents. Same input, same bytes. */
ptce_status writers_xlsx(ptce_ctx *ctx, outdir *od, const char *name, const writers_xlsx_document *doc);

/* ---- the geometry of a polygon as the writers write it ----
 *
 * One function per format, used by the writers themselves and by the reference-data
 * compiler, which stores the bytes of the reference polygons in refdata.bin so that a run
 * copies them instead of formatting 600,000 vertices (layer.polygon_bytes). */

/* GeoJSON: {"type":"MultiPolygon","coordinates":[...]} and, when not empty, ,"bbox":[...]:
 * what writers_geojson() writes after "geometry": for a WGS 84 (Multi)Polygon. */
ptce_status writers_geojson_polygon(ptce_ctx *ctx, const GEOSGeometry *g, util_strbuf *sb);

/* GeoPackage: the binary geometry (header, XY envelope, WKB MULTIPOLYGON) of a
 * (Multi)Polygon whose coordinates are already in EPSG:`srs_id`. */
ptce_status writers_gpkg_polygon(ptce_ctx *ctx, const GEOSGeometry *g, int srs_id, util_strbuf *sb);

/* The bytes of a WGS 84 (Multi)Polygon in `format`, appended to sb: one of the three
 * above (the GeoPackage's in EPSG:4326, the web map's at CARTO_WEB_POLYGON_DECIMALS). */
ptce_status writers_polygon_bytes(ptce_ctx *ctx, const GEOSGeometry *g, layer_polygon_format format,
                                  util_strbuf *sb);

/* A fingerprint of the three formatters: the bytes they give for a fixed test polygon (odd
 * ring orientations, a hole, near-duplicate vertices, values on a rounding tie), hashed. An
 * image of the reference data made by other formatters has another one, and its bytes are
 * not used. */
ptce_status writers_polygon_stamp(ptce_ctx *ctx, uint64_t *stamp);

/* Writes bytes to a registered file of the output folder. */
ptce_status writers_write_bytes(ptce_ctx *ctx, outdir *od, const char *name, const char *bytes,
                        size_t len);

#endif
