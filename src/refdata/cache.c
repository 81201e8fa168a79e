/*
 * refdata/cache.c — see cache.h.
 *
 * Layout: header, then the record arrays, then the string block. Records refer to strings
 * by offset into the block and to other records by index. Then the polygons' output bytes
 * (spans, bytes) and last the decoded polygons of data/geom/ (files, entries, rings,
 * vertices: cache.h).
 */
#define _DEFAULT_SOURCE /* madvise(MADV_DONTNEED): glibc's posix_madvise ignores DONTNEED */
#include "refdata/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ctx.h"
#include "core/util.h"
#include "refdata/geofile.h"
#include "refdata/geomcodec.h"
#include "refdata/index.h"

#define CACHE_MAGIC "PTCEREF7"
#define CACHE_ENDIAN 0x01020304u
#define NO_INDEX UINT32_MAX

/* The tables an image is made from; a change in any of them makes the image stale. */
static const char *const source_tables[] = {"communes.tsv", "anciennes_communes.tsv",
                                            "codes_postaux.tsv", "departements.tsv",
                                            "regions.tsv", "geom/departements.geo.gz",
                                            "geom/regions.geo.gz", "departements_web_geom.tsv",
                                            "regions_web_geom.tsv", "epci.tsv",
                                            "geom/epci_web.geo.gz"};

/* The indexes the image holds, in this order (the small ones are made at load). */
enum { CACHE_INDEXES = 4 };

typedef struct cache_header {
    char magic[8];
    uint32_t endian;
    uint32_t record_sizes;  /* sum of the record struct sizes: a layout check */
    uint64_t stamp;
    uint32_t ncommunes, nformer, npostal, ndeps, nregions, nnames;
    uint64_t off_communes, off_former, off_postal, off_deps, off_regions, off_names, off_strings;
    uint64_t strings_size;
    /* The hash indexes of communes, former communes, postal entries and names
     * (refdata/index.h), their slots one after the other from off_slots (after the names;
     * the strings follow them). */
    uint64_t off_slots, nslots[CACHE_INDEXES];
    /* The polygons' output bytes (refdata_cache_prebuilt): the spans of each set one after the
     * other from off_spans (8-byte aligned, after the strings), then the bytes. */
    uint64_t prebuilt_stamp, prebuilt_nformats, prebuilt_count[REFDATA_POLYGON_SETS];
    uint64_t off_spans, off_prebuilt, prebuilt_size;
    /* The polygons of data/geom/ decoded (refdata_cache_geofile...): from off_geo (8-byte
     * aligned, after the polygons' bytes) the files, their entries, the rings, the
     * vertices; the image ends with them. */
    uint64_t off_geo, geo_nfiles, geo_nentries, geo_nrings, geo_nvertices;
} cache_header;

typedef struct c_commune {
    uint32_t insee, nom, key, parent, dep, reg, postcodes, contour, epci, kind, precision, pad;
    int64_t population;
    double lat, lon;
} c_commune;

/* Every record is a multiple of 8 bytes (pad fields): the sections follow one another, so
 * an odd number of 20-byte records left the next section's 8-byte fields misaligned
 * (UBSan: misaligned c_dep once the tables had an odd count of former names). */
typedef struct c_former {
    uint32_t code, nom, key, kind, current, pad;
} c_former;

typedef struct c_postal {
    uint32_t postcode, routing, routing_key, laposte_key, commune, pad;
} c_postal;

/* The web polygons are stored as WKB (much faster to parse than WKT), with their lengths;
 * the full ones are in the section of decoded polygons (geom/departements.geo.gz and
 * geom/regions.geo.gz), with the other files of data/geom/. */
typedef struct c_dep {
    uint32_t code, nom, key, reg, chef_lieu, wkt_web, wkb_web, wkb_web_len;
    int64_t population;
    double box[4]; /* of the polygon: refdata.h */
} c_dep;

typedef struct c_region {
    uint32_t code, nom, key, wkt_web, wkb_web, wkb_web_len, ndeps, pad;
    int64_t population;
} c_region;

typedef struct c_name {
    uint32_t key, commune, former, source;
} c_name;

_Static_assert(sizeof(refdata_cache_geofile) % 8 == 0 &&
                   sizeof(refdata_cache_geoentry) % 8 == 0 && sizeof(geomcodec_ring) == 8,
               "the sections of decoded polygons must keep the vertices 8-byte aligned");
_Static_assert(sizeof(cache_header) % 8 == 0 && sizeof(c_commune) % 8 == 0 &&
                   sizeof(c_former) % 8 == 0 && sizeof(c_postal) % 8 == 0 &&
                   sizeof(c_dep) % 8 == 0 && sizeof(c_region) % 8 == 0 &&
                   sizeof(c_name) % 8 == 0,
               "every section of the image must keep the next one 8-byte aligned");

#define RECORD_SIZES                                                                       \
    ((uint32_t)(sizeof(c_commune) + sizeof(c_former) + sizeof(c_postal) + sizeof(c_dep) +  \
                sizeof(c_region) + sizeof(c_name) + sizeof(cache_header) +                 \
                sizeof(refdata_index_slot) + sizeof(refdata_cache_geofile) +              \
                sizeof(refdata_cache_geoentry)))

/* The keys of the indexes the image holds, in the header's order. */
static void stored_index_keys(const refdata *rd, refdata_index_keys keys[CACHE_INDEXES])
{
    keys[0] = REFDATA_KEYS_COMMUNES(rd);
    keys[1] = REFDATA_KEYS_FORMER(rd);
    keys[2] = REFDATA_KEYS_POSTAL(rd);
    keys[3] = REFDATA_KEYS_NAMES(rd);
}

/* One step of the stamp: (h ^ w) * odd constant is a bijection of h for a given word, so a
 * table that differs from the one the image was made from in a single word (one byte
 * changed anywhere, a corrected commune point in the middle of communes.tsv) always gives
 * another stamp; several changes collide only by a 2^-64 accident. */
#define STAMP_MUL 0x9E3779B97F4A7C15ull
static inline uint64_t stamp_step(uint64_t h, uint64_t w)
{
    return (h ^ w) * STAMP_MUL;
}

/* Hashes the bytes read from fd into the four lanes; *size gets their count. */
static int stamp_fd(int fd, unsigned char *buf, size_t chunk, uint64_t lane[4], uint64_t *size)
{
    *size = 0;
    for (;;) {
        ssize_t n = read(fd, buf, chunk);
        if (n < 0)
            return 0;
        if (n == 0)
            return 1;
        *size += (uint64_t)n;
        size_t k = 0;
        for (; k + 32 <= (size_t)n; k += 32) {
            uint64_t w[4];
            memcpy(w, buf + k, sizeof w);
            lane[0] = stamp_step(lane[0], w[0]);
            lane[1] = stamp_step(lane[1], w[1]);
            lane[2] = stamp_step(lane[2], w[2]);
            lane[3] = stamp_step(lane[3], w[3]);
        }
        for (; k < (size_t)n; k++) /* the end of a chunk: byte by byte, position-safe */
            lane[k & 3] = stamp_step(lane[k & 3], buf[k] | (uint64_t)(k + 1) << 8);
    }
}

static const uint64_t stamp_lanes[4] = {0x243F6A8885A308D3ull, 0x13198A2E03707344ull,
                                        0xA4093822299F31D0ull, 0x082EFA98EC4E6C89ull};

static uint64_t stamp_end(const uint64_t lane[4])
{
    uint64_t h = 0;
    for (int k = 0; k < 4; k++)
        h = stamp_step(h ^ (h >> 29), lane[k] ^ (lane[k] >> 32));
    return h;
}

/* Hash of every byte of every source table, and of their sizes. Four independent lanes of
 * 8-byte words keep the processor busy: the ~8 MB of tables cost about 2 ms at start-up
 * (read from the page cache and hashed; measured in docs/robustesse.md), against ~20 ms
 * for the whole start-up with the image and ~75 ms without it. */
static int tables_stamp(const char *data_dir, uint64_t *stamp)
{
    enum { CHUNK = 1 << 18 };
    unsigned char *buf = malloc(CHUNK);
    if (!buf)
        return 0;
    uint64_t lane[4];
    memcpy(lane, stamp_lanes, sizeof lane);
    int ok = 1;
    for (size_t i = 0; ok && i < sizeof source_tables / sizeof *source_tables; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", data_dir, source_tables[i]);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            ok = 0;
            break;
        }
        uint64_t size = 0;
        ok = stamp_fd(fd, buf, CHUNK, lane, &size);
        close(fd);
        lane[0] = stamp_step(lane[0], size);
        lane[1] = stamp_step(lane[1], (uint64_t)i);
    }
    free(buf);
    if (!ok)
        return 0;
    *stamp = stamp_end(lane);
    return 1;
}

/* The same hash of one file (a data/geom/ file the image holds decoded): read when the
 * file is first needed, about 80 KB for a département's communes. */
static int file_stamp(const char *path, uint64_t *stamp, uint64_t *size)
{
    enum { CHUNK = 1 << 16 };
    unsigned char *buf = malloc(CHUNK);
    int fd = buf ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    uint64_t lane[4];
    memcpy(lane, stamp_lanes, sizeof lane);
    int ok = fd >= 0 && stamp_fd(fd, buf, CHUNK, lane, size);
    if (fd >= 0)
        close(fd);
    free(buf);
    if (ok) {
        lane[0] = stamp_step(lane[0], *size);
        *stamp = stamp_end(lane);
    }
    return ok;
}

/* ---- the polygons' output bytes ------------------------------------------------------------ */

void refdata_cache_prebuilt_free(refdata_cache_prebuilt *pb)
{
    for (int s = 0; s < REFDATA_POLYGON_SETS; s++)
        free(pb->spans[s]);
    util_sb_free(&pb->bytes);
    memset(pb, 0, sizeof *pb);
}

/* The polygon of area i of a set, parsed. */
static const GEOSGeometry *set_polygon(ptce_ctx *ctx, refdata *rd, int set, size_t i)
{
    switch (set) {
    case REFDATA_POLYGONS_REGIONS: return refdata_region_geom(ctx, rd, &rd->regions[i]);
    case REFDATA_POLYGONS_REGIONS_WEB: return refdata_region_web_geom(ctx, rd, &rd->regions[i]);
    case REFDATA_POLYGONS_DEPARTEMENTS: return refdata_departement_geom(ctx, rd, &rd->deps[i]);
    case REFDATA_POLYGONS_DEPARTEMENTS_WEB:
        return refdata_departement_web_geom(ctx, rd, &rd->deps[i]);
    default: return refdata_epci_web_geom(ctx, rd, &rd->epcis[i]);
    }
}

ptce_status refdata_cache_prebuilt_make(ptce_ctx *ctx, refdata *rd,
                                        refdata_cache_polygon_formatter format, size_t nformats,
                                        uint64_t stamp, refdata_cache_prebuilt *out)
{
    memset(out, 0, sizeof *out);
    util_sb_init(&out->bytes);
    out->stamp = stamp;
    out->nformats = nformats;
    const size_t counts[REFDATA_POLYGON_SETS] = {rd->nregions, rd->nregions, rd->ndeps, rd->ndeps,
                                                 rd->nepci};
    for (int s = 0; s < REFDATA_POLYGON_SETS; s++) {
        out->count[s] = counts[s];
        out->spans[s] = calloc(2 * (counts[s] * nformats + 1), sizeof *out->spans[s]);
        if (!out->spans[s])
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        /* Format by format, so that the bytes of one set in one format are one range
         * (refdata_polygon_bytes_done() gives it back to the system once written). */
        for (size_t f = 0; f < nformats; f++)
            for (size_t i = 0; i < counts[s]; i++) {
                const GEOSGeometry *g = set_polygon(ctx, rd, s, i);
                if (!g)
                    return ptce_ctx_status(ctx, PTCE_ERR_DATA);
                size_t start = out->bytes.len;
                ptce_status st = format(ctx, g, (int)f, &out->bytes);
                if (st)
                    return st;
                if (out->bytes.failed)
                    return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
                out->spans[s][2 * (i * nformats + f)] = start;
                out->spans[s][2 * (i * nformats + f) + 1] = out->bytes.len - start;
            }
    }
    return PTCE_OK;
}

/* ---- writing ------------------------------------------------------------------------------ */

/* The decoded polygons of data/geom/ (the header's geo section), being gathered. */
typedef struct geo_section {
    refdata_cache_geofile *files;
    size_t nfiles, capfiles;
    refdata_cache_geoentry *entries;
    size_t nentries, capentries;
    geomcodec_flat flat;
} geo_section;

static void geo_section_free(geo_section *g)
{
    free(g->files);
    free(g->entries);
    geomcodec_flat_free(&g->flat);
}

/* Adds data/geom/<name>, line by line as a run reads it (refdata/geofile.c), each line's
 * geometry decoded by geomcodec_decode() and flattened. A file that is not there is left
 * out: a run reading it says so. */
static ptce_status geo_add_file(ptce_ctx *ctx, const char *data_dir, const char *name,
                                geo_section *g)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/geom/%s", data_dir, name);
    refdata_cache_geofile f;
    memset(&f, 0, sizeof f);
    if (strlen(name) >= sizeof f.name)
        return ptce_fail(ctx, PTCE_ERR_DATA, "%s : nom trop long pour l'image", path);
    if (!file_stamp(path, &f.stamp, &f.size))
        return PTCE_OK;
    memcpy(f.name, name, strlen(name));
    size_t len = 0;
    char *text = geomcodec_read_gz(path, &len);
    if (!text)
        return ptce_fail(ctx, PTCE_ERR_DATA, "%s : lecture impossible", path);
    f.first = (uint32_t)g->nentries;
    f.first_ring = (uint32_t)g->flat.nrings;
    f.first_vertex = g->flat.nvertices;
    ptce_status st = PTCE_OK;
    size_t line = 0;
    for (char *p = text; *p && !st; line++) {
        char *end = strchr(p, '\n');
        if (!end)
            end = p + strlen(p);
        char *tab = memchr(p, '\t', (size_t)(end - p));
        if (!tab || (size_t)(tab - p) >= REFDATA_CACHE_GEO_CODE_MAX) {
            st = ptce_fail(ctx, PTCE_ERR_DATA, "%s, ligne %zu : pas de code lisible", path,
                           line + 1);
            break;
        }
        if (g->nentries == g->capentries) {
            size_t cap = g->capentries ? 2 * g->capentries : 4096;
            refdata_cache_geoentry *ne = realloc(g->entries, cap * sizeof *ne);
            if (!ne) {
                st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
                break;
            }
            g->entries = ne;
            g->capentries = cap;
        }
        refdata_cache_geoentry *e = &g->entries[g->nentries];
        memset(e, 0, sizeof *e);
        memcpy(e->code, p, (size_t)(tab - p));
        e->first = (uint32_t)g->flat.nrings;
        GEOSGeometry *geom = geomcodec_decode(ctx->geos, tab + 1, (size_t)(end - tab - 1));
        if (!geom || !geomcodec_flatten(ctx->geos, geom, &g->flat))
            st = ptce_fail(ctx, PTCE_ERR_DATA, "%s, ligne %zu : polygone illisible pour "
                                               "l'image des données", path, line + 1);
        if (geom)
            GEOSGeom_destroy_r(ctx->geos, geom);
        e->n = (uint32_t)(g->flat.nrings - e->first);
        g->nentries++;
        p = *end ? end + 1 : end;
    }
    free(text);
    if (st)
        return st;
    if (g->nentries > UINT32_MAX / 2 || g->flat.nrings > UINT32_MAX / 2)
        return ptce_fail(ctx, PTCE_ERR_DATA, "%s : trop de polygones pour l'image", path);
    f.count = (uint32_t)(g->nentries - f.first);
    f.nrings = (uint32_t)(g->flat.nrings - f.first_ring);
    f.nvertices = g->flat.nvertices - f.first_vertex;
    if (g->nfiles == g->capfiles) {
        size_t cap = g->capfiles ? 2 * g->capfiles : 128;
        refdata_cache_geofile *nf = realloc(g->files, cap * sizeof *nf);
        if (!nf)
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        g->files = nf;
        g->capfiles = cap;
    }
    g->files[g->nfiles++] = f;
    return PTCE_OK;
}

/* The files a run reads polygons from: the départements' and regions' outlines, each
 * département's communes and the EPCI's web outlines (the full EPCI outlines are only
 * the data compiler's). */
static ptce_status geo_section_make(ptce_ctx *ctx, const refdata *rd, const char *data_dir,
                                    geo_section *g)
{
    memset(g, 0, sizeof *g);
    ptce_status st = PTCE_OK;
    for (size_t i = 0; !st && i < rd->ndeps; i++) {
        char name[REFDATA_CACHE_GEO_NAME_MAX + 8];
        snprintf(name, sizeof name, REFDATA_GEOFILE_COMMUNES, rd->deps[i].code);
        st = geo_add_file(ctx, data_dir, name, g);
    }
    if (!st)
        st = geo_add_file(ctx, data_dir, "departements.geo.gz", g);
    if (!st)
        st = geo_add_file(ctx, data_dir, "regions.geo.gz", g);
    return st ? st : geo_add_file(ctx, data_dir, "epci_web.geo.gz", g);
}

typedef struct string_block {
    util_strbuf sb;
} string_block;

static uint32_t intern(string_block *b, const char *s)
{
    uint32_t off = (uint32_t)b->sb.len;
    util_sb_append(&b->sb, s ? s : "");
    util_sb_append_char(&b->sb, '\0');
    return off;
}

/* Appends the WKB of a polygon to the block; *len gets its size. */
static uint32_t intern_wkb(ptce_ctx *ctx, string_block *b, const GEOSGeometry *g, uint32_t *len)
{
    uint32_t off = (uint32_t)b->sb.len;
    *len = 0;
    GEOSWKBWriter *w = g ? GEOSWKBWriter_create_r(ctx->geos) : NULL;
    if (!w)
        return off;
    size_t n = 0;
    unsigned char *wkb = GEOSWKBWriter_write_r(ctx->geos, w, g, &n);
    GEOSWKBWriter_destroy_r(ctx->geos, w);
    if (wkb) {
        util_sb_append_n(&b->sb, (const char *)wkb, n);
        *len = (uint32_t)n;
        GEOSFree_r(ctx->geos, wkb);
    }
    return off;
}

static size_t commune_index(const refdata *rd, const commune *m)
{
    return (size_t)(m - rd->communes);
}

ptce_status refdata_cache_write(ptce_ctx *ctx, const refdata *rd, const char *data_dir,
                                const char *path, const refdata_cache_prebuilt *pb)
{
    cache_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, CACHE_MAGIC, 8);
    h.endian = CACHE_ENDIAN;
    h.record_sizes = RECORD_SIZES;
    if (!tables_stamp(data_dir, &h.stamp))
        return ptce_fail(ctx, PTCE_ERR_DATA, "%s : tables illisibles", data_dir);
    h.ncommunes = (uint32_t)rd->ncommunes;
    h.nformer = (uint32_t)rd->nformer;
    h.npostal = (uint32_t)rd->npostal;
    h.ndeps = (uint32_t)rd->ndeps;
    h.nregions = (uint32_t)rd->nregions;
    h.nnames = (uint32_t)rd->nnames;
    string_block b;
    util_sb_init(&b.sb);
    c_commune *cc = calloc(rd->ncommunes + 1, sizeof *cc);
    c_former *cf = calloc(rd->nformer + 1, sizeof *cf);
    c_postal *cp = calloc(rd->npostal + 1, sizeof *cp);
    c_dep *cd = calloc(rd->ndeps + 1, sizeof *cd);
    c_region *cr = calloc(rd->nregions + 1, sizeof *cr);
    c_name *cn = calloc(rd->nnames + 1, sizeof *cn);
    refdata_index_keys keys[CACHE_INDEXES];
    stored_index_keys(rd, keys);
    size_t total_slots = 0;
    for (int k = 0; k < CACHE_INDEXES; k++)
        total_slots += (h.nslots[k] = refdata_index_slot_count(keys[k]));
    refdata_index_slot *slots = calloc(total_slots + 1, sizeof *slots);
    ptce_status st = PTCE_OK;
    if (!cc || !cf || !cp || !cd || !cr || !cn || !slots) {
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        goto done;
    }
    for (size_t i = 0; i < rd->ncommunes; i++) {
        const commune *m = &rd->communes[i];
        cc[i] = (c_commune){intern(&b, m->insee), intern(&b, m->nom), intern(&b, m->key),
                            intern(&b, m->parent), intern(&b, m->dep), intern(&b, m->reg),
                            intern(&b, m->postcodes), intern(&b, m->contour),
                            intern(&b, m->epci), (uint32_t)m->kind,
                            (uint32_t)m->precision, 0, m->population, m->lat, m->lon};
    }
    for (size_t i = 0; i < rd->nformer; i++) {
        const refdata_former_commune *f = &rd->former[i];
        cf[i] = (c_former){intern(&b, f->code), intern(&b, f->nom), intern(&b, f->key),
                           (uint32_t)f->kind, (uint32_t)commune_index(rd, f->current), 0};
    }
    for (size_t i = 0; i < rd->npostal; i++) {
        const refdata_postal_entry *p = &rd->postal[i];
        cp[i] = (c_postal){intern(&b, p->postcode), intern(&b, p->routing),
                           intern(&b, p->routing_key), intern(&b, p->laposte_key),
                           (uint32_t)commune_index(rd, p->commune), 0};
    }
    refdata *mrd = (refdata *)rd; /* parsing the polygons caches them in rd */
    for (size_t i = 0; i < rd->ndeps; i++) {
        departement *d = &mrd->deps[i];
        cd[i] = (c_dep){intern(&b, d->code), intern(&b, d->nom), intern(&b, d->key),
                        intern(&b, d->reg), intern(&b, d->chef_lieu),
                        intern(&b, d->wkt_web), 0, 0, d->population, {0, 0, 0, 0}};
        cd[i].wkb_web = intern_wkb(ctx, &b, refdata_departement_web_geom(ctx, mrd, d),
                                   &cd[i].wkb_web_len);
        const GEOSGeometry *g = refdata_departement_geom(ctx, mrd, d);
        if (!g || !GEOSGeom_getXMin_r(ctx->geos, g, &cd[i].box[0]) ||
            !GEOSGeom_getYMin_r(ctx->geos, g, &cd[i].box[1]) ||
            !GEOSGeom_getXMax_r(ctx->geos, g, &cd[i].box[2]) ||
            !GEOSGeom_getYMax_r(ctx->geos, g, &cd[i].box[3]) || !cd[i].wkb_web_len) {
            st = ptce_fail(ctx, PTCE_ERR_DATA, "département %s : polygone illisible pour "
                                               "l'image des données", d->code);
            goto done;
        }
    }
    for (size_t i = 0; i < rd->nregions; i++) {
        region *r = &mrd->regions[i];
        cr[i] = (c_region){intern(&b, r->code), intern(&b, r->nom), intern(&b, r->key),
                           intern(&b, r->wkt_web), 0, 0, (uint32_t)r->ndeps, 0,
                           r->population};
        cr[i].wkb_web = intern_wkb(ctx, &b, refdata_region_web_geom(ctx, mrd, r),
                                   &cr[i].wkb_web_len);
        if (!refdata_region_geom(ctx, mrd, r) || !cr[i].wkb_web_len) {
            st = ptce_fail(ctx, PTCE_ERR_DATA, "région %s : polygone illisible pour l'image "
                                               "des données", r->code);
            goto done;
        }
    }
    for (size_t i = 0; i < rd->nnames; i++) {
        const refdata_name_entry *e = &rd->names[i];
        cn[i] = (c_name){intern(&b, e->key), (uint32_t)commune_index(rd, e->commune),
                         e->former ? (uint32_t)(e->former - rd->former) : NO_INDEX,
                         (uint32_t)e->source};
    }
    if (b.sb.failed || b.sb.len > UINT32_MAX) {
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        goto done;
    }
    uint64_t off = sizeof h;
    h.off_communes = off;
    off += rd->ncommunes * sizeof *cc;
    h.off_former = off;
    off += rd->nformer * sizeof *cf;
    h.off_postal = off;
    off += rd->npostal * sizeof *cp;
    h.off_deps = off;
    off += rd->ndeps * sizeof *cd;
    h.off_regions = off;
    off += rd->nregions * sizeof *cr;
    h.off_names = off;
    off += rd->nnames * sizeof *cn;
    h.off_slots = off;
    for (int k = 0, at = 0; k < CACHE_INDEXES; at += (int)h.nslots[k], k++)
        refdata_index_fill(keys[k], slots + at, (size_t)h.nslots[k]);
    off += total_slots * sizeof *slots;
    h.off_strings = off;
    h.strings_size = b.sb.len;
    off += b.sb.len;
    off = (off + 7) & ~(uint64_t)7;
    h.off_spans = off;
    size_t nspans = 0;
    if (pb) {
        h.prebuilt_stamp = pb->stamp;
        h.prebuilt_nformats = pb->nformats;
        for (int s = 0; s < REFDATA_POLYGON_SETS; s++) {
            h.prebuilt_count[s] = pb->count[s];
            nspans += 2 * pb->count[s] * pb->nformats;
        }
        h.prebuilt_size = pb->bytes.len;
    }
    h.off_prebuilt = off + nspans * sizeof(uint64_t);
    geo_section geo;
    if ((st = geo_section_make(ctx, rd, data_dir, &geo))) {
        geo_section_free(&geo);
        goto done;
    }
    h.off_geo = (h.off_prebuilt + h.prebuilt_size + 7) & ~(uint64_t)7;
    h.geo_nfiles = geo.nfiles;
    h.geo_nentries = geo.nentries;
    h.geo_nrings = geo.flat.nrings;
    h.geo_nvertices = geo.flat.nvertices;
    util_strbuf img;
    util_sb_init(&img);
    util_sb_append_n(&img, (const char *)&h, sizeof h);
    util_sb_append_n(&img, (const char *)cc, rd->ncommunes * sizeof *cc);
    util_sb_append_n(&img, (const char *)cf, rd->nformer * sizeof *cf);
    util_sb_append_n(&img, (const char *)cp, rd->npostal * sizeof *cp);
    util_sb_append_n(&img, (const char *)cd, rd->ndeps * sizeof *cd);
    util_sb_append_n(&img, (const char *)cr, rd->nregions * sizeof *cr);
    util_sb_append_n(&img, (const char *)cn, rd->nnames * sizeof *cn);
    util_sb_append_n(&img, (const char *)slots, total_slots * sizeof *slots);
    util_sb_append_n(&img, b.sb.data, b.sb.len);
    static const char zeros[8] = {0};
    util_sb_append_n(&img, zeros, (size_t)(h.off_spans - (h.off_strings + h.strings_size)));
    for (int s = 0; pb && s < REFDATA_POLYGON_SETS; s++)
        util_sb_append_n(&img, (const char *)pb->spans[s],
                         2 * pb->count[s] * pb->nformats * sizeof(uint64_t));
    if (pb)
        util_sb_append_n(&img, pb->bytes.data, pb->bytes.len);
    util_sb_append_n(&img, zeros, (size_t)(h.off_geo - (h.off_prebuilt + h.prebuilt_size)));
    util_sb_append_n(&img, (const char *)geo.files, geo.nfiles * sizeof *geo.files);
    util_sb_append_n(&img, (const char *)geo.entries, geo.nentries * sizeof *geo.entries);
    util_sb_append_n(&img, (const char *)geo.flat.rings, geo.flat.nrings * sizeof(geomcodec_ring));
    util_sb_append_n(&img, (const char *)geo.flat.xy, geo.flat.nvertices * 2 * sizeof(int32_t));
    /* Written beside, then renamed over: a running ptce-map maps the image (MAP_PRIVATE),
     * and rewriting that file in place would end it with SIGBUS or feed it a torn table.
     * The rename leaves it the old inode. */
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    if (img.failed)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "%s : mémoire insuffisante", path);
    else if (n < 0 || (size_t)n >= sizeof tmp)
        st = ptce_fail(ctx, PTCE_ERR_IO, "%s : chemin trop long", path);
    FILE *f = st ? NULL : fopen(tmp, "wb");
    if (!st && (!f || fwrite(img.data, 1, img.len, f) != img.len))
        st = ptce_fail(ctx, PTCE_ERR_IO, "%s : écriture impossible (%s)", tmp,
                       ptce_errno_text(errno));
    if (f && fclose(f) != 0 && !st)
        st = ptce_fail(ctx, PTCE_ERR_IO, "%s : écriture impossible (%s)", tmp,
                       ptce_errno_text(errno));
    if (!st && rename(tmp, path) != 0)
        st = ptce_fail(ctx, PTCE_ERR_IO, "%s : mise en place impossible (%s)", path,
                       ptce_errno_text(errno));
    if (st && f)
        unlink(tmp);
    util_sb_free(&img);
    geo_section_free(&geo);
done:
    util_sb_free(&b.sb);
    free(cc);
    free(cf);
    free(cp);
    free(cd);
    free(cr);
    free(cn);
    free(slots);
    return st;
}

/* ---- reading ------------------------------------------------------------------------------ */

int refdata_cache_read(ptce_ctx *ctx, const char *data_dir, const char *path, refdata *rd)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    struct stat st;
    if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(cache_header)) {
        close(fd);
        return 0;
    }
    size_t size = (size_t)st.st_size;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return 0;
    const char *base = map;
    cache_header h;
    memcpy(&h, base, sizeof h);
    uint64_t stamp;
    /* Every offset is checked against the file size: a truncated or foreign file is stale,
     * not a crash. */
    int ok = memcmp(h.magic, CACHE_MAGIC, 8) == 0 && h.endian == CACHE_ENDIAN &&
             h.record_sizes == RECORD_SIZES && tables_stamp(data_dir, &stamp) &&
             stamp == h.stamp && h.off_communes == sizeof h &&
             h.off_former == h.off_communes + (uint64_t)h.ncommunes * sizeof(c_commune) &&
             h.off_postal == h.off_former + (uint64_t)h.nformer * sizeof(c_former) &&
             h.off_deps == h.off_postal + (uint64_t)h.npostal * sizeof(c_postal) &&
             h.off_regions == h.off_deps + (uint64_t)h.ndeps * sizeof(c_dep) &&
             h.off_names == h.off_regions + (uint64_t)h.nregions * sizeof(c_region) &&
             h.off_slots == h.off_names + (uint64_t)h.nnames * sizeof(c_name) &&
             h.strings_size > 0 && h.off_strings + h.strings_size <= h.off_spans &&
             h.off_spans == ((h.off_strings + h.strings_size + 7) & ~(uint64_t)7) &&
             h.off_spans <= size && h.off_prebuilt <= size &&
             base[h.off_strings + h.strings_size - 1] == '\0' &&
             h.off_prebuilt + h.prebuilt_size <= size && h.prebuilt_nformats < 64 &&
             h.off_geo == ((h.off_prebuilt + h.prebuilt_size + 7) & ~(uint64_t)7) &&
             h.geo_nfiles < (1u << 16) && h.geo_nentries < (1u << 31) &&
             h.geo_nrings < (1u << 31) && h.geo_nvertices < (1u << 31) &&
             h.off_geo + h.geo_nfiles * sizeof(refdata_cache_geofile) +
                     h.geo_nentries * sizeof(refdata_cache_geoentry) +
                     h.geo_nrings * sizeof(geomcodec_ring) + h.geo_nvertices * 2 * sizeof(int32_t) ==
                 size;
    /* Each index: a power of two, none for an empty array (index.h); they end where the
     * strings begin. */
    uint64_t nslots = 0;
    const uint32_t counts[CACHE_INDEXES] = {h.ncommunes, h.nformer, h.npostal, h.nnames};
    for (int k = 0; ok && k < CACHE_INDEXES; k++) {
        ok = h.nslots[k] < (1u << 28) && (h.nslots[k] & (h.nslots[k] - 1)) == 0 &&
             (h.nslots[k] == 0) == (counts[k] == 0);
        nslots += h.nslots[k];
    }
    ok = ok && h.off_strings == h.off_slots + nslots * sizeof(refdata_index_slot);
    uint64_t nspans = 0;
    for (int s = 0; ok && s < REFDATA_POLYGON_SETS; s++) {
        ok = h.prebuilt_count[s] < (1u << 24);
        nspans += 2 * h.prebuilt_count[s] * h.prebuilt_nformats;
    }
    ok = ok && h.off_prebuilt == h.off_spans + nspans * sizeof(uint64_t);
    const uint64_t *spans = ok ? (const uint64_t *)(base + h.off_spans) : NULL;
    for (uint64_t k = 0; ok && k < nspans; k += 2)
        ok = spans[k] <= h.prebuilt_size && spans[k + 1] <= h.prebuilt_size - spans[k];
    if (!ok) {
        munmap(map, size);
        return 0;
    }
    const char *strings = base + h.off_strings;
    const c_commune *cc = (const c_commune *)(base + h.off_communes);
    const c_former *cf = (const c_former *)(base + h.off_former);
    const c_postal *cp = (const c_postal *)(base + h.off_postal);
    const c_dep *cd = (const c_dep *)(base + h.off_deps);
    const c_region *cr = (const c_region *)(base + h.off_regions);
    const c_name *cn = (const c_name *)(base + h.off_names);
    rd->communes = calloc(h.ncommunes + 1, sizeof *rd->communes);
    rd->former = calloc(h.nformer + 1, sizeof *rd->former);
    rd->postal = calloc(h.npostal + 1, sizeof *rd->postal);
    rd->deps = calloc(h.ndeps + 1, sizeof *rd->deps);
    rd->regions = calloc(h.nregions + 1, sizeof *rd->regions);
    rd->names = calloc(h.nnames + 1, sizeof *rd->names);
    rd->ix = calloc(1, sizeof *rd->ix);
    if (!rd->communes || !rd->former || !rd->postal || !rd->deps || !rd->regions || !rd->names ||
        !rd->ix) {
        munmap(map, size);
        ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        return -(int)PTCE_ERR_MEMORY;
    }
#define STR(off) (strings + ((off) < h.strings_size ? (off) : 0))
/* A byte range of the block; NULL (parse the WKT instead) when it does not fit. */
#define BYTES(off, len)                                                                     \
    ((uint64_t)(off) + (len) <= h.strings_size && (len) > 0                                \
         ? (const unsigned char *)strings + (off)                                          \
         : NULL)
    for (uint32_t i = 0; i < h.ncommunes; i++)
        rd->communes[i] = (commune){.insee = STR(cc[i].insee), .nom = STR(cc[i].nom),
                                    .key = STR(cc[i].key), .parent = STR(cc[i].parent),
                                    .dep = STR(cc[i].dep), .reg = STR(cc[i].reg),
                                    .postcodes = STR(cc[i].postcodes),
                                    .contour = STR(cc[i].contour), .epci = STR(cc[i].epci),
                                    .population = cc[i].population, .lat = cc[i].lat,
                                    .lon = cc[i].lon, .kind = (refdata_commune_kind)cc[i].kind,
                                    .precision = (refdata_point_precision)cc[i].precision};
    int bad = 0;
    for (uint32_t i = 0; i < h.nformer; i++) {
        bad |= cf[i].current >= h.ncommunes;
        rd->former[i] = (refdata_former_commune){STR(cf[i].code), STR(cf[i].nom), STR(cf[i].key),
                                         (refdata_former_kind)cf[i].kind,
                                         &rd->communes[cf[i].current % (h.ncommunes + 1)]};
    }
    for (uint32_t i = 0; i < h.npostal; i++) {
        bad |= cp[i].commune >= h.ncommunes;
        rd->postal[i] = (refdata_postal_entry){STR(cp[i].postcode),
                                       &rd->communes[cp[i].commune % (h.ncommunes + 1)],
                                       STR(cp[i].routing), STR(cp[i].routing_key),
                                       STR(cp[i].laposte_key)};
    }
    for (uint32_t i = 0; i < h.ndeps; i++)
        rd->deps[i] = (departement){.code = STR(cd[i].code), .nom = STR(cd[i].nom),
                                    .key = STR(cd[i].key), .reg = STR(cd[i].reg),
                                    .chef_lieu = STR(cd[i].chef_lieu),
                                    .population = cd[i].population,
                                    .wkt_web = STR(cd[i].wkt_web),
                                    .wkb_web = BYTES(cd[i].wkb_web, cd[i].wkb_web_len),
                                    .wkb_web_len = cd[i].wkb_web_len,
                                    .box = {cd[i].box[0], cd[i].box[1], cd[i].box[2],
                                            cd[i].box[3]},
                                    .has_box = true};
    for (uint32_t i = 0; i < h.nregions; i++)
        rd->regions[i] = (region){.code = STR(cr[i].code), .nom = STR(cr[i].nom),
                                  .key = STR(cr[i].key), .population = cr[i].population,
                                  .ndeps = cr[i].ndeps, .wkt_web = STR(cr[i].wkt_web),
                                  .wkb_web = BYTES(cr[i].wkb_web, cr[i].wkb_web_len),
                                  .wkb_web_len = cr[i].wkb_web_len};
    for (uint32_t i = 0; i < h.nnames; i++) {
        bad |= cn[i].commune >= h.ncommunes ||
               (cn[i].former != NO_INDEX && cn[i].former >= h.nformer);
        rd->names[i] = (refdata_name_entry){STR(cn[i].key),
                                    &rd->communes[cn[i].commune % (h.ncommunes + 1)],
                                    cn[i].former == NO_INDEX
                                        ? NULL
                                        : &rd->former[cn[i].former % (h.nformer + 1)],
                                    (refdata_name_source)cn[i].source};
    }
#undef STR
#undef BYTES
    rd->ncommunes = h.ncommunes;
    rd->nformer = h.nformer;
    rd->npostal = h.npostal;
    rd->ndeps = h.ndeps;
    rd->nregions = h.nregions;
    rd->nnames = h.nnames;
    rd->cache_map = map;
    rd->cache_size = size;
    /* The slots stay in the mapping; refdata_index_find() checks each range it reads. */
    const refdata_index_slot *sl = (const refdata_index_slot *)(base + h.off_slots);
    refdata_index *stored[CACHE_INDEXES] = {&rd->ix->communes, &rd->ix->former,
                                            &rd->ix->postal, &rd->ix->names};
    for (int k = 0; k < CACHE_INDEXES; k++) {
        *stored[k] = (refdata_index){h.nslots[k] ? sl : NULL, (size_t)h.nslots[k], NULL};
        sl += h.nslots[k];
    }
    if (h.prebuilt_nformats > 0) {
        rd->prebuilt = (const unsigned char *)base + h.off_prebuilt;
        rd->prebuilt_nformats = (size_t)h.prebuilt_nformats;
        rd->prebuilt_stamp = h.prebuilt_stamp;
        for (int s = 0; s < REFDATA_POLYGON_SETS; s++) {
            rd->prebuilt_spans[s] = spans;
            rd->prebuilt_count[s] = (size_t)h.prebuilt_count[s];
            spans += 2 * h.prebuilt_count[s] * h.prebuilt_nformats;
        }
    }
    if (h.geo_nfiles > 0) {
        rd->geo = (const unsigned char *)base + h.off_geo;
        rd->geo_nfiles = (size_t)h.geo_nfiles;
        rd->geo_nentries = (size_t)h.geo_nentries;
        rd->geo_nrings = (size_t)h.geo_nrings;
        rd->geo_nvertices = (size_t)h.geo_nvertices;
    }
    if (bad) {
        ptce_fail(ctx, PTCE_ERR_DATA, "%s : image des données de référence incohérente ; "
                                      "supprimez-la, elle sera refaite par la compilation", path);
        return -(int)PTCE_ERR_DATA;
    }
    return 1;
}

/* ---- the polygons of data/geom/, decoded ---------------------------------------------------- */

static const refdata_cache_geofile *geo_files(const refdata *rd)
{
    return (const refdata_cache_geofile *)rd->geo;
}
const refdata_cache_geoentry *refdata_cache_geoentry_at(const refdata *rd, size_t i)
{
    return (const refdata_cache_geoentry *)(rd->geo +
                                            rd->geo_nfiles * sizeof(refdata_cache_geofile)) +
           i;
}
static const geomcodec_ring *geo_rings(const refdata *rd)
{
    return (const geomcodec_ring *)refdata_cache_geoentry_at(rd, rd->geo_nentries);
}
static const int32_t *geo_vertices(const refdata *rd)
{
    return (const int32_t *)(geo_rings(rd) + rd->geo_nrings);
}

/* Whether file f's records hold together: its entries, their rings in its range, each
 * polygon's shell first, each ring's vertices in its range (then geomcodec_build() can
 * fail only for memory). */
static int geofile_sound(const refdata *rd, const refdata_cache_geofile *f)
{
    if (memchr(f->name, '\0', sizeof f->name) == NULL || f->first > rd->geo_nentries ||
        f->count > rd->geo_nentries - f->first || f->first_ring > rd->geo_nrings ||
        f->nrings > rd->geo_nrings - f->first_ring || f->first_vertex > rd->geo_nvertices ||
        f->nvertices > rd->geo_nvertices - f->first_vertex)
        return 0;
    const geomcodec_ring *rings = geo_rings(rd);
    for (uint32_t k = 0; k < f->count; k++) {
        const refdata_cache_geoentry *e = refdata_cache_geoentry_at(rd, f->first + k);
        if (memchr(e->code, '\0', sizeof e->code) == NULL || e->n == 0 ||
            e->first < f->first_ring || e->first - f->first_ring > f->nrings ||
            e->n > f->nrings - (e->first - f->first_ring) ||
            !(rings[e->first].n & GEOMCODEC_RING_SHELL))
            return 0;
    }
    for (uint32_t k = 0; k < f->nrings; k++) {
        geomcodec_ring r = rings[f->first_ring + k];
        uint32_t n = r.n & ~GEOMCODEC_RING_SHELL;
        if (n < 4 || r.first < f->first_vertex || r.first - f->first_vertex > f->nvertices ||
            n > f->nvertices - (r.first - f->first_vertex))
            return 0;
    }
    return 1;
}

int refdata_cache_geofile_find(ptce_ctx *ctx, const refdata *rd, const char *name,
                               const char *path, const refdata_cache_geofile **file)
{
    const refdata_cache_geofile *files = rd->geo ? geo_files(rd) : NULL;
    size_t i = 0;
    while (i < rd->geo_nfiles && strncmp(files[i].name, name, sizeof files[i].name) != 0)
        i++;
    if (i == rd->geo_nfiles)
        return 0;
    uint64_t stamp = 0, size = 0;
    if (!file_stamp(path, &stamp, &size) || stamp != files[i].stamp || size != files[i].size)
        return 0; /* changed since the image was made (or unreadable): the text says */
    if (!geofile_sound(rd, &files[i])) {
        ptce_fail(ctx, PTCE_ERR_DATA, "image des données de référence incohérente (polygones "
                                      "de %s) ; supprimez refdata.bin, elle sera refaite par "
                                      "la compilation", name);
        return -(int)PTCE_ERR_DATA;
    }
    *file = &files[i];
    return 1;
}

GEOSGeometry *refdata_cache_geoentry_geometry(const refdata *rd, size_t i)
{
    const refdata_cache_geoentry *e = refdata_cache_geoentry_at(rd, i);
    return geomcodec_build(rd->geos, geo_rings(rd) + e->first, e->n, geo_vertices(rd),
                           rd->geo_nvertices);
}

void refdata_cache_geofile_done(const refdata *rd, const refdata_cache_geofile *f)
{
    const char *lo = (const char *)(geo_vertices(rd) + 2 * f->first_vertex);
    const char *hi = lo + f->nvertices * 2 * sizeof(int32_t);
    /* Only the pages wholly inside the range: a neighbour's vertices may share the others.
     * A clean private mapping: they are read again from the file if ever asked for. */
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = ((uintptr_t)lo + page - 1) / page * page, end = (uintptr_t)hi / page * page;
    if (end > start)
        madvise((void *)start, end - start, MADV_DONTNEED);
}
