/*
 * refdata/geomcodec.c — see geomcodec.h.
 */
#include "refdata/geomcodec.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/util.h"

/* ---- encoding ---------------------------------------------------------------------------- */

static long long to_units(double v)
{
    return llround(v * GEOMCODEC_SCALE);
}

static int encode_ring(GEOSContextHandle_t h, const GEOSGeometry *ring, util_strbuf *sb)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n) || n < 4)
        return 0;
    long long px = 0, py = 0;
    for (unsigned i = 0; i + 1 < n; i++) { /* the closing vertex is implied */
        double x, y;
        if (!GEOSCoordSeq_getXY_r(h, cs, i, &x, &y))
            return 0;
        long long ux = to_units(x), uy = to_units(y);
        util_sb_printf(sb, i ? " %lld,%lld" : "%lld,%lld", ux - px, uy - py);
        px = ux;
        py = uy;
    }
    return 1;
}

static int encode_polygon(GEOSContextHandle_t h, const GEOSGeometry *p, util_strbuf *sb)
{
    if (!encode_ring(h, GEOSGetExteriorRing_r(h, p), sb))
        return 0;
    int nholes = GEOSGetNumInteriorRings_r(h, p);
    for (int k = 0; k < nholes; k++) {
        util_sb_append_char(sb, '|');
        if (!encode_ring(h, GEOSGetInteriorRingN_r(h, p, k), sb))
            return 0;
    }
    return 1;
}

char *geomcodec_encode(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    if ((type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) || GEOSisEmpty_r(h, g))
        return NULL;
    util_strbuf sb;
    util_sb_init(&sb);
    int ok = 1;
    if (type == GEOS_POLYGON) {
        ok = encode_polygon(h, g, &sb);
    } else {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n && ok; i++) {
            if (i)
                util_sb_append_char(&sb, ';');
            ok = encode_polygon(h, GEOSGetGeometryN_r(h, g, i), &sb);
        }
    }
    if (!ok || sb.failed) {
        util_sb_free(&sb);
        return NULL;
    }
    return util_sb_take(&sb);
}

/* ---- decoding ---------------------------------------------------------------------------- */

typedef struct cursor {
    const char *p, *end;
} cursor;

static int read_int(cursor *c, long long *out)
{
    int neg = 0;
    if (c->p < c->end && *c->p == '-') {
        neg = 1;
        c->p++;
    }
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
        return 0;
    long long v = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        if (v > 100000000000LL) /* far beyond any longitude: malformed */
            return 0;
        v = v * 10 + (*c->p - '0');
        c->p++;
    }
    *out = neg ? -v : v;
    return 1;
}

/* Coordinate buffers reused across rings. */
typedef struct coords {
    double *x, *y;
    size_t n, cap;
} coords;

static int coords_push(coords *c, double x, double y)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 256;
        double *nx = realloc(c->x, cap * sizeof *nx);
        if (!nx)
            return 0;
        c->x = nx;
        double *ny = realloc(c->y, cap * sizeof *ny);
        if (!ny)
            return 0;
        c->y = ny;
        c->cap = cap;
    }
    c->x[c->n] = x;
    c->y[c->n] = y;
    c->n++;
    return 1;
}

static GEOSGeometry *decode_ring(GEOSContextHandle_t h, cursor *c, coords *buf)
{
    buf->n = 0;
    long long ux = 0, uy = 0;
    for (;;) {
        long long dx, dy;
        if (!read_int(c, &dx) || c->p >= c->end || *c->p != ',')
            return NULL;
        c->p++;
        if (!read_int(c, &dy))
            return NULL;
        ux += dx;
        uy += dy;
        if (!coords_push(buf, (double)ux / GEOMCODEC_SCALE, (double)uy / GEOMCODEC_SCALE))
            return NULL;
        if (c->p < c->end && *c->p == ' ') {
            c->p++;
            continue;
        }
        break;
    }
    if (buf->n < 3 || !coords_push(buf, buf->x[0], buf->y[0]))
        return NULL;
    GEOSCoordSequence *cs =
        GEOSCoordSeq_copyFromArrays_r(h, buf->x, buf->y, NULL, NULL, (unsigned)buf->n);
    return cs ? GEOSGeom_createLinearRing_r(h, cs) : NULL;
}

static GEOSGeometry *decode_polygon(GEOSContextHandle_t h, cursor *c, coords *buf)
{
    GEOSGeometry *shell = decode_ring(h, c, buf);
    if (!shell)
        return NULL;
    GEOSGeometry **holes = NULL;
    unsigned nholes = 0, cap = 0;
    while (c->p < c->end && *c->p == '|') {
        c->p++;
        GEOSGeometry *ring = decode_ring(h, c, buf);
        if (nholes == cap) {
            cap = cap ? 2 * cap : 4;
            GEOSGeometry **nh = realloc(holes, cap * sizeof *nh);
            if (!nh) {
                if (ring)
                    GEOSGeom_destroy_r(h, ring);
                ring = NULL;
            } else {
                holes = nh;
            }
        }
        if (!ring) {
            for (unsigned k = 0; k < nholes; k++)
                GEOSGeom_destroy_r(h, holes[k]);
            free(holes);
            GEOSGeom_destroy_r(h, shell);
            return NULL;
        }
        holes[nholes++] = ring;
    }
    GEOSGeometry *poly = GEOSGeom_createPolygon_r(h, shell, holes, nholes);
    free(holes);
    return poly;
}

GEOSGeometry *geomcodec_decode(GEOSContextHandle_t h, const char *text, size_t len)
{
    cursor c = {text, text + len};
    coords buf = {0};
    GEOSGeometry **polys = NULL;
    unsigned n = 0, cap = 0;
    int ok = 1;
    for (;;) {
        GEOSGeometry *p = decode_polygon(h, &c, &buf);
        if (p && n == cap) {
            cap = cap ? 2 * cap : 4;
            GEOSGeometry **np = realloc(polys, cap * sizeof *np);
            if (!np) {
                GEOSGeom_destroy_r(h, p);
                p = NULL;
            } else {
                polys = np;
            }
        }
        if (!p) {
            ok = 0;
            break;
        }
        polys[n++] = p;
        if (c.p < c.end && *c.p == ';') {
            c.p++;
            continue;
        }
        break;
    }
    free(buf.x);
    free(buf.y);
    if (ok && c.p != c.end)
        ok = 0;
    GEOSGeometry *g = NULL;
    if (ok && n == 1) {
        g = polys[0];
    } else if (ok) {
        g = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, n);
        if (!g)
            ok = 0;
    }
    if (!ok)
        for (unsigned k = 0; k < n; k++)
            GEOSGeom_destroy_r(h, polys[k]);
    free(polys);
    return ok ? g : NULL;
}

/* ---- the decoded form ---------------------------------------------------------------------- */

void geomcodec_flat_free(geomcodec_flat *f)
{
    free(f->rings);
    free(f->xy);
    memset(f, 0, sizeof *f);
}

static int flatten_ring(GEOSContextHandle_t h, const GEOSGeometry *ring, uint32_t shell,
                        geomcodec_flat *out)
{
    const GEOSCoordSequence *cs = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
    unsigned n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n) || n < 4 || n >= GEOMCODEC_RING_SHELL ||
        out->nvertices + n >= UINT32_MAX)
        return 0;
    if (out->nrings == out->caprings) {
        size_t cap = out->caprings ? 2 * out->caprings : 1024;
        geomcodec_ring *nr = realloc(out->rings, cap * sizeof *nr);
        if (!nr)
            return 0;
        out->rings = nr;
        out->caprings = cap;
    }
    if (out->nvertices + n > out->capvertices) {
        size_t cap = out->capvertices ? 2 * out->capvertices : 65536;
        while (cap < out->nvertices + n)
            cap *= 2;
        int32_t *nv = realloc(out->xy, 2 * cap * sizeof *nv);
        if (!nv)
            return 0;
        out->xy = nv;
        out->capvertices = cap;
    }
    int32_t *v = out->xy + 2 * out->nvertices;
    for (unsigned i = 0; i < n; i++) {
        double x, y;
        if (!GEOSCoordSeq_getXY_r(h, cs, i, &x, &y))
            return 0;
        long long ux = to_units(x), uy = to_units(y);
        /* Only what the division of decode_ring gives back exactly is stored. */
        if (ux < INT32_MIN || ux > INT32_MAX || uy < INT32_MIN || uy > INT32_MAX ||
            (double)ux / GEOMCODEC_SCALE != x || (double)uy / GEOMCODEC_SCALE != y)
            return 0;
        v[2 * i] = (int32_t)ux;
        v[2 * i + 1] = (int32_t)uy;
    }
    out->rings[out->nrings++] = (geomcodec_ring){(uint32_t)out->nvertices, n | shell};
    out->nvertices += n;
    return 1;
}

static int flatten_polygon(GEOSContextHandle_t h, const GEOSGeometry *p, geomcodec_flat *out)
{
    if (!flatten_ring(h, GEOSGetExteriorRing_r(h, p), GEOMCODEC_RING_SHELL, out))
        return 0;
    int nholes = GEOSGetNumInteriorRings_r(h, p);
    for (int k = 0; k < nholes; k++)
        if (!flatten_ring(h, GEOSGetInteriorRingN_r(h, p, k), 0, out))
            return 0;
    return 1;
}

int geomcodec_flatten(GEOSContextHandle_t h, const GEOSGeometry *g, geomcodec_flat *out)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON)
        return flatten_polygon(h, g, out);
    if (type != GEOS_MULTIPOLYGON)
        return 0;
    int n = GEOSGetNumGeometries_r(h, g);
    /* A MultiPolygon of one polygon would come back a Polygon: never made by the text. */
    if (n < 2)
        return 0;
    for (int i = 0; i < n; i++)
        if (!flatten_polygon(h, GEOSGetGeometryN_r(h, g, i), out))
            return 0;
    return 1;
}

/* One ring of the decoded form, its units turned into degrees in `buf`. */
static GEOSGeometry *build_ring(GEOSContextHandle_t h, geomcodec_ring r, const int32_t *xy,
                                size_t nvertices, double **buf, size_t *cap)
{
    uint32_t n = r.n & ~GEOMCODEC_RING_SHELL;
    if (n < 4 || r.first > nvertices || n > nvertices - r.first)
        return NULL;
    if (n > *cap) {
        double *nb = realloc(*buf, 2 * (size_t)n * sizeof *nb);
        if (!nb) {
            errno = ENOMEM;
            return NULL;
        }
        *buf = nb;
        *cap = n;
    }
    const int32_t *v = xy + 2 * (size_t)r.first;
    double *d = *buf;
    /* The division of decode_ring, not a multiplication by 1e-5: the same doubles. */
    for (size_t i = 0; i < 2 * (size_t)n; i++)
        d[i] = (double)v[i] / GEOMCODEC_SCALE;
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(h, d, n, 0, 0);
    return cs ? GEOSGeom_createLinearRing_r(h, cs) : NULL;
}

static void destroy_all(GEOSContextHandle_t h, GEOSGeometry **g, size_t n)
{
    for (size_t k = 0; k < n; k++)
        GEOSGeom_destroy_r(h, g[k]);
}

GEOSGeometry *geomcodec_build(GEOSContextHandle_t h, const geomcodec_ring *rings, size_t nrings,
                              const int32_t *xy, size_t nvertices)
{
    if (nrings == 0 || !(rings[0].n & GEOMCODEC_RING_SHELL))
        return NULL;
    size_t npolys = 0;
    for (size_t i = 0; i < nrings; i++)
        npolys += (rings[i].n & GEOMCODEC_RING_SHELL) != 0;
    /* One array for the polygons, then the rings of the polygon being made. */
    GEOSGeometry **polys = malloc((npolys + nrings) * sizeof *polys);
    double *buf = NULL;
    size_t cap = 0, np = 0;
    int ok = polys != NULL;
    if (!ok)
        errno = ENOMEM;
    GEOSGeometry **ring = polys ? polys + npolys : NULL;
    for (size_t i = 0; ok && i < nrings;) {
        size_t nr = 0;
        do {
            ring[nr] = build_ring(h, rings[i], xy, nvertices, &buf, &cap);
            ok = ring[nr] != NULL;
            nr += ok;
            i++;
        } while (ok && i < nrings && !(rings[i].n & GEOMCODEC_RING_SHELL));
        if (!ok) {
            destroy_all(h, ring, nr);
            break;
        }
        /* As decode_polygon: on failure GEOS may already own the rings; they are left. */
        GEOSGeometry *p = GEOSGeom_createPolygon_r(h, ring[0], ring + 1, (unsigned)(nr - 1));
        ok = p != NULL;
        if (p)
            polys[np++] = p;
    }
    free(buf);
    GEOSGeometry *g = NULL;
    if (ok && np == 1)
        g = polys[0];
    else if (ok && !(g = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)np)))
        ok = 0;
    if (!ok && polys)
        destroy_all(h, polys, np);
    free(polys);
    return ok ? g : NULL;
}

/* ---- files ------------------------------------------------------------------------------- */

char *geomcodec_read_gz(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return NULL;
    gzbuffer(f, 1 << 17);
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        if (n == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                errno = ENOMEM;
                break;
            }
            buf = nb;
        }
        unsigned want = cap - n > (1u << 30) ? (1u << 30) : (unsigned)(cap - n);
        int got = gzread(f, buf + n, want);
        if (got < 0) {
            free(buf);
            buf = NULL;
            errno = EIO;
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    int err = buf ? 0 : (errno ? errno : ENOMEM);
    gzclose(f);
    if (!buf)
        errno = err; /* ENOMEM or EIO, whatever gzclose did to errno */
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int geomcodec_write_gz(const char *path, const char *data, size_t len)
{
    gzFile f = gzopen(path, "wb9");
    if (!f)
        return -1;
    int bad = 0;
    while (len > 0 && !bad) {
        unsigned chunk = len > (1u << 30) ? (1u << 30) : (unsigned)len;
        if (gzwrite(f, data, chunk) != (int)chunk)
            bad = 1;
        data += chunk;
        len -= chunk;
    }
    if (gzclose(f) != Z_OK)
        bad = 1;
    return bad ? -1 : 0;
}
