/*
 * write/writers.h — one function per output format, one file per format.
 *
 * Each writer writes `layer` under the temporary folder of `od` and registers its files.
 */
#ifndef PTCE_WRITE_WRITERS_H
#define PTCE_WRITE_WRITERS_H

#include "core/util.h"
#include "geom/geom.h"
#include "write/layer.h"
#include "write/outdir.h"

/* ESRI Shapefile: .shp .shx .dbf .prj .cpg (UTF-8), in the CRS `crs`. `subdir` is "" or a
 * folder name inside the output ("carte"). */
ptce_status shapefile_write(ptce_ctx *ctx, outdir *od, const char *subdir, const layer *l,
                            const crs_target *crs);

/* GeoJSON per RFC 7946: WGS 84 lon/lat, 6 decimals, counter-clockwise shells, bbox.
 * `suffix` is appended to the layer's file name ("" or "_web"). */
ptce_status geojson_write(ptce_ctx *ctx, outdir *od, const char *subdir, const layer *l,
                          const char *suffix);

/* CSV (UTF-8, `;`, quoted as needed) of the layer's attributes, one line per feature; cells
 * that a spreadsheet would run as a formula are defused with a leading apostrophe. */
ptce_status csv_write_layer(ptce_ctx *ctx, outdir *od, const char *name, const layer *l);

/* Appends one CSV cell (with the separator before it unless first): quoted when it holds
 * the separator, a quote or a line break; defused with a leading apostrophe when a
 * spreadsheet would run it as a formula (=, +, -, @ not followed by a number). */
void csv_append_cell(strbuf *sb, const char *text, char sep, int first);

/* Writes bytes to a registered file of the output folder. */
ptce_status write_bytes(ptce_ctx *ctx, outdir *od, const char *name, const char *bytes,
                        size_t len);

#endif
