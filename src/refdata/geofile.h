/*
 * refdata/geofile.h — the lines of a data/geom/ file (`CODE <TAB> geometry`, geomcodec.h),
 * one after the other: from the reference-data image's decoded copy when it holds the file
 * as it is now (no zlib, no text parsing: refdata/cache.h), else from the gzip text. Both
 * give the same lines in the same order and the same geometries, coordinate for coordinate
 * (tests/unit/test_refdata.c compares them); the callers check what a line says (which
 * commune, which département) the same way whichever it came from.
 *
 * Owns the file's text while it is open (freed by refdata_geofile_close); the geometries it
 * makes belong to the caller. Must not keep anything across files.
 */
#ifndef PTCE_REFDATA_GEOFILE_H
#define PTCE_REFDATA_GEOFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "refdata/cache.h"
#include "refdata/refdata.h"

/* The file of a département's commune polygons in data/geom/, for its code. */
#define REFDATA_GEOFILE_COMMUNES "communes-%s.geo.gz"

typedef struct refdata_geofile_reader {
    char path[4096];
    size_t line;                       /* number of the current line, from 1 */
    const refdata *rd;
    const refdata_cache_geofile *image; /* the image's copy, or NULL: the text */
    char *text, *next, *geom, *end;     /* the text, the next line, the current geometry */
    char code[REFDATA_CACHE_GEO_CODE_MAX];
} refdata_geofile_reader;

/* Opens data/geom/<name> of the context's data folder; `use_image` false reads the text
 * even when the image holds it (the tests compare the two). A file that cannot be read:
 * PTCE_ERR_DATA (or PTCE_ERR_MEMORY), message naming it. */
ptce_status refdata_geofile_open(ptce_ctx *ctx, const refdata *rd, const char *name,
                                 bool use_image, refdata_geofile_reader *r);
/* The next line: 1 with *code (NULL for a line without a tab; lives until the next call),
 * 0 after the last. */
int refdata_geofile_next(refdata_geofile_reader *r, const char **code);
/* The current line's geometry, owned by the caller; NULL when its text is not in the
 * grammar, with errno ENOMEM when memory ran out (errno 0 otherwise). */
GEOSGeometry *refdata_geofile_geometry(ptce_ctx *ctx, refdata_geofile_reader *r);
/* Whether the lines come from the image. */
bool refdata_geofile_from_image(const refdata_geofile_reader *r);
void refdata_geofile_close(refdata_geofile_reader *r);

#endif
