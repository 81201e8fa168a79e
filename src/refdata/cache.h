/*
 * refdata/cache.h — a binary image of the loaded reference data, so that start-up does not
 * parse and sort 6 MB of text on every run.
 *
 * The image (refdata.bin) is made at build time by `ptce-refdata-compile --cache` from the
 * TSV tables, and installed beside them. It holds the arrays already sorted and the
 * strings in one block; loading it is one mmap and a pass that turns offsets into
 * pointers. It is only a cache: it records a stamp of every byte of every table it was
 * made from (and their sizes), and when a table no longer matches (data/ updated, one
 * commune corrected by hand in the middle of a table, image from another machine),
 * refdata_load() silently reads the tables instead. The image is
 * native-endian and not meant to be committed.
 *
 * It can also hold the output bytes of the reference polygons (refdata_cache_prebuilt): made by
 * the writers' formatters, which refdata does not know (the compiler passes them), and
 * handed out by refdata_polygon_bytes(). They live in the mapping: nothing to free.
 */
#ifndef PTCE_REFDATA_CACHE_H
#define PTCE_REFDATA_CACHE_H

#include <stdint.h>

#include "core/util.h"
#include "refdata/refdata.h"

/* The output bytes of the reference polygons that an image can hold beside the tables:
 * for each set (refdata_polygon_set), each area and each of `nformats` formats, the bytes
 * the writers give for it (what refdata_polygon_bytes() returns once the image is loaded).
 * refdata does not know the formats: the maker is given the formatter. */
typedef ptce_status (*refdata_cache_polygon_formatter)(ptce_ctx *ctx, const GEOSGeometry *g,
                                                       int format, util_strbuf *out);
typedef struct refdata_cache_prebuilt {
    uint64_t stamp;                   /* the formatters' fingerprint */
    size_t nformats;
    size_t count[REFDATA_POLYGON_SETS];
    uint64_t *spans[REFDATA_POLYGON_SETS]; /* as refdata.prebuilt_spans; owned */
    util_strbuf bytes;
} refdata_cache_prebuilt;

/* Formats every polygon of every set of `rd` (parsing them) with `format`, whose
 * fingerprint is `stamp`. refdata_cache_prebuilt_free() frees it, even after a failure. */
ptce_status refdata_cache_prebuilt_make(ptce_ctx *ctx, refdata *rd,
                                        refdata_cache_polygon_formatter format, size_t nformats,
                                        uint64_t stamp, refdata_cache_prebuilt *out);
void refdata_cache_prebuilt_free(refdata_cache_prebuilt *pb);

/* ---- the polygons of data/geom/, decoded ---------------------------------------------------
 * The image holds the départements' and regions' outlines, every commune file
 * (communes-<dep>.geo.gz) and epci_web.geo.gz in the decoded form of geomcodec.h, line by
 * line: a run reads them without zlib or text parsing
 * (refdata/geofile.h). Each file's record keeps the stamp of the file's bytes: a file
 * changed since the image was made is read as text, whatever the other files. */
#define REFDATA_CACHE_GEO_NAME_MAX 32
#define REFDATA_CACHE_GEO_CODE_MAX 16
typedef struct refdata_cache_geofile {
    char name[REFDATA_CACHE_GEO_NAME_MAX]; /* in data/geom/, NUL-terminated */
    uint64_t stamp, size;                  /* of the file's bytes when the image was made */
    uint32_t first, count;                 /* its entries, in the file's line order */
    uint32_t first_ring, nrings;           /* the rings of those entries */
    uint64_t first_vertex, nvertices;      /* the vertices of those rings */
} refdata_cache_geofile;
typedef struct refdata_cache_geoentry {
    char code[REFDATA_CACHE_GEO_CODE_MAX]; /* the line's code, NUL-terminated */
    uint32_t first, n;                     /* its rings */
} refdata_cache_geoentry;

/* The decoded form of data/geom/<name> (at `path`) in rd's image, when the image holds it
 * and the file still has the bytes it was made from: 1 and *file, whose entries, rings
 * and vertices have been checked to hold together; 0 when not (read the text instead);
 * -PTCE_ERR_DATA, message set, when the image's records of it are damaged. */
int refdata_cache_geofile_find(ptce_ctx *ctx, const refdata *rd, const char *name,
                               const char *path, const refdata_cache_geofile **file);
/* Entry i of the image (i < rd->geo_nentries, from a file that _find gave) as a geometry
 * the caller owns; NULL with errno ENOMEM when memory ran out. */
GEOSGeometry *refdata_cache_geoentry_geometry(const refdata *rd, size_t i);
const refdata_cache_geoentry *refdata_cache_geoentry_at(const refdata *rd, size_t i);
/* Once a file is read: its vertices' pages are given back (read again if asked for). */
void refdata_cache_geofile_done(const refdata *rd, const refdata_cache_geofile *file);

/* Writes the image of `rd`, made from the tables of `data_dir`, with the polygons' bytes
 * `pb` (NULL: none; a run then formats them) and the decoded polygons of its data/geom/. */
ptce_status refdata_cache_write(ptce_ctx *ctx, const refdata *rd, const char *data_dir,
                                const char *path, const refdata_cache_prebuilt *pb);

/* Loads the image at `path` into rd (arrays only: communes, former communes, postal codes,
 * départements, regions, names) if it matches the tables of `data_dir`. Returns 1 when
 * loaded, 0 when the image is absent or stale (rd untouched), minus the status on a real
 * error (message set: -PTCE_ERR_MEMORY, -PTCE_ERR_DATA). */
int refdata_cache_read(ptce_ctx *ctx, const char *data_dir, const char *path, refdata *rd);

#endif
