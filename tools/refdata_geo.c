/*
 * tools/refdata_geo.c — the geography half of the data compiler (see refdata_compile.c).
 *
 * From the staging tables of scripts/refdata/build_tables.py:
 *   - communes_2018.tsv: the IGN ADMIN EXPRESS COG 2018 polygons, each already given to the
 *     current (COG 2026) commune that holds its territory. A commune that absorbed former
 *     communes gets the union of their polygons, made valid and snapped to the 1e-5 degree
 *     grid the files are stored on (so what is checked here is exactly what is written);
 *   - communes.tsv: the GeoNames point of each commune, kept only when it lies inside the
 *     commune's polygon, else replaced by the centre of the polygon's maximum inscribed
 *     circle (GEOSMaximumInscribedCircle: the visually central interior point);
 *     arrondissements share their city's polygon and point; a commune re-created since
 *     2018 has no polygon of its own: its hint point (see build_tables.py) tells which
 *     2018 polygon holds it, and it gets a point inside that polygon, flagged;
 *   - the départements as the union of their communes, cleaned into an exact coverage
 *     (simplify_clean_coverage), the regions as the union of their départements, the EPCI as
 *     the union of their member communes (cleaned the same way), and web variants of the
 *     three simplified as coverages (shared borders simplified once).
 * Writes data/geom/<name>.geo.gz (see geom/codec.h), communes.tsv (with the point, its class,
 * the commune whose polygon stands for it, and its EPCI), epci.tsv and the <name>_web_geom.tsv.
 * Everything is sorted and snapped, so a rerun writes the same bytes.
 */
#include "refdata_geo.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ctx.h"
#include "core/tsv.h"
#include "core/util.h"
#include "refdata/geomcodec.h"
#include "geom/simplify.h"
#include "text/fold.h"

/* The grid of the stored polygons: the 5 decimals IGN's file was published with. */
#define GRID 1e-5
/* Areas in no commune and smaller than this (square degrees, about 0.8 km²) between
 * départements or EPCI come from the file-by-file simplification and are closed; real holes
 * in no commune (Llívia, 13 km², the smallest) are far larger. Enclaves of another
 * département are not concerned: their communes cover them. */
#define GAP_AREA 1e-4
/* Tolerance of the web polygons (degrees): about 500 m, below a pixel of a national map. */
#define WEB_TOLERANCE 0.005
/* Holes smaller than this in a web region are numeric dust, not enclaves. */
#define DUST_AREA 1e-7

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ptce-refdata-compile: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

typedef struct geo_commune {
    const char *insee, *nom, *kind, *parent, *dep, *reg, *epci;
    size_t row;                 /* staging row */
    GEOSGeometry *geom;         /* own polygon; NULL for arrondissements, re-created */
    const GEOSPreparedGeometry *prep;
    double lat, lon;
    const char *precision;      /* class written to communes.tsv */
    const char *contour;        /* the commune whose polygon stands for this one */
    int has_point;
} geo_commune;

typedef struct geo_ctx {
    ptce_ctx *ctx;
    GEOSContextHandle_t h;
    tsv_table communes, polys, deps, regions, epci;
    geo_commune *c;
    size_t n;
} geo_ctx;

static geo_commune *find_commune(geo_ctx *g, const char *insee)
{
    size_t lo = 0, hi = g->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(g->c[mid].insee, insee);
        if (c == 0)
            return &g->c[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Valid, on the grid, polygonal. */
static GEOSGeometry *clean_polygon(GEOSContextHandle_t h, GEOSGeometry *g)
{
    if (!g)
        return NULL;
    if (!GEOSisValid_r(h, g)) {
        GEOSGeometry *v = GEOSMakeValid_r(h, g);
        GEOSGeom_destroy_r(h, g);
        g = v;
        if (!g)
            return NULL;
    }
    GEOSGeometry *s = GEOSGeom_setPrecision_r(h, g, GRID, 0);
    GEOSGeom_destroy_r(h, g);
    if (!s)
        return NULL;
    /* MakeValid may leave lines or points beside the polygons: keep the polygons. */
    if (GEOSGeomTypeId_r(h, s) == GEOS_GEOMETRYCOLLECTION) {
        int np = GEOSGetNumGeometries_r(h, s);
        GEOSGeometry **keep = calloc((size_t)np + 1, sizeof *keep);
        unsigned k = 0;
        for (int i = 0; keep && i < np; i++) {
            const GEOSGeometry *p = GEOSGetGeometryN_r(h, s, i);
            if (GEOSGeom_getDimensions_r(h, p) == 2)
                keep[k++] = GEOSGeom_clone_r(h, p);
        }
        GEOSGeometry *coll = keep ? GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION,
                                                                 keep, k) : NULL;
        free(keep);
        GEOSGeom_destroy_r(h, s);
        s = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
        if (coll)
            GEOSGeom_destroy_r(h, coll);
        if (!s)
            return NULL;
    }
    int t = GEOSGeomTypeId_r(h, s);
    if ((t != GEOS_POLYGON && t != GEOS_MULTIPOLYGON) || GEOSisEmpty_r(h, s) ||
        GEOSisValid_r(h, s) != 1) {
        GEOSGeom_destroy_r(h, s);
        return NULL;
    }
    GEOSNormalize_r(h, s);
    return s;
}

static GEOSGeometry *union_of(GEOSContextHandle_t h, GEOSGeometry **parts, unsigned n)
{
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, n);
    if (!coll)
        return NULL;
    GEOSGeometry *u = GEOSUnaryUnion_r(h, coll);
    GEOSGeom_destroy_r(h, coll);
    return clean_polygon(h, u);
}

/* ---- communes: polygons ------------------------------------------------------------------- */

static int load_communes(geo_ctx *g)
{
    GEOSContextHandle_t h = g->h;
    tsv_table *t = &g->communes;
    int ci = tsv_column(t, "insee"), cn = tsv_column(t, "nom"), ck = tsv_column(t, "type"),
        cp = tsv_column(t, "parent"), cd = tsv_column(t, "code_dep"),
        cr = tsv_column(t, "code_reg"), cla = tsv_column(t, "lat"), clo = tsv_column(t, "lon"),
        cpr = tsv_column(t, "precision"), ce = tsv_column(t, "epci");
    if (ci < 0 || cn < 0 || ck < 0 || cp < 0 || cd < 0 || cr < 0 || cla < 0 || clo < 0 ||
        cpr < 0 || ce < 0)
        return fail("communes.tsv (staging): a column is missing");
    g->n = t->nrows;
    g->c = calloc(g->n + 1, sizeof *g->c);
    if (!g->c)
        return fail("out of memory");
    for (size_t i = 0; i < g->n; i++) {
        geo_commune *m = &g->c[i];
        *m = (geo_commune){.insee = tsv_cell(t, i, ci), .nom = tsv_cell(t, i, cn),
                           .kind = tsv_cell(t, i, ck), .parent = tsv_cell(t, i, cp),
                           .dep = tsv_cell(t, i, cd), .reg = tsv_cell(t, i, cr),
                           .epci = tsv_cell(t, i, ce), .row = i,
                           .precision = tsv_cell(t, i, cpr)};
        m->contour = m->insee;
        if (*tsv_cell(t, i, cla)) {
            if (!util_parse_decimal(tsv_cell(t, i, cla), &m->lat) ||
                !util_parse_decimal(tsv_cell(t, i, clo), &m->lon))
                return fail("communes.tsv (staging), row %zu: bad point", i + 2);
            m->has_point = 1;
        }
        if (i && strcmp(g->c[i - 1].insee, m->insee) >= 0)
            return fail("communes.tsv (staging): not sorted at %s", m->insee);
    }
    /* The 2018 polygons, sorted by current commune: one union per commune. */
    GEOSWKTReader *reader = GEOSWKTReader_create_r(h);
    tsv_table *p = &g->polys;
    size_t i = 0;
    GEOSGeometry **parts = calloc(p->nrows + 1, sizeof *parts);
    if (!reader || !parts)
        return fail("out of memory");
    while (i < p->nrows) {
        const char *insee = tsv_cell(p, i, 0);
        geo_commune *m = find_commune(g, insee);
        if (!m || strcmp(m->kind, "COM") != 0)
            return fail("communes_2018.tsv, row %zu: %s is not a current commune", i + 2, insee);
        unsigned np = 0;
        for (; i < p->nrows && strcmp(tsv_cell(p, i, 0), insee) == 0; i++) {
            GEOSGeometry *part = clean_polygon(h, GEOSWKTReader_read_r(h, reader,
                                                                       tsv_cell(p, i, 2)));
            if (!part)
                return fail("2018 commune %s: unreadable or empty polygon (%s)",
                            tsv_cell(p, i, 1), g->ctx->geos_error);
            parts[np++] = part;
        }
        m->geom = np == 1 ? parts[0] : union_of(h, parts, np);
        if (!m->geom)
            return fail("commune %s: union of its 2018 polygons failed (%s)", insee,
                        g->ctx->geos_error);
    }
    free(parts);
    GEOSWKTReader_destroy_r(h, reader);
    for (size_t k = 0; k < g->n; k++)
        if (g->c[k].geom)
            g->c[k].prep = GEOSPrepare_r(h, g->c[k].geom);
    return 0;
}

/* ---- communes: points ---------------------------------------------------------------------- */

static int inside_xy(GEOSContextHandle_t h, const GEOSPreparedGeometry *prep, double x, double y)
{
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
    int in = pt ? GEOSPreparedContains_r(h, prep, pt) == 1 : 0;
    if (pt)
        GEOSGeom_destroy_r(h, pt);
    return in;
}

static double round5(double v)
{
    return round(v * 1e5) / 1e5;
}

/* A point strictly inside `geom`, rounded to the 5 decimals it is stored with: the centre
 * of the maximum inscribed circle, else GEOSPointOnSurface. */
static int interior_point(GEOSContextHandle_t h, const GEOSGeometry *geom,
                          const GEOSPreparedGeometry *prep, double *lat, double *lon)
{
    double area = 0;
    GEOSArea_r(h, geom, &area);
    double tol = sqrt(area) / 500;
    if (tol < GRID)
        tol = GRID;
    GEOSGeometry *mic = GEOSMaximumInscribedCircle_r(h, geom, tol);
    if (mic) {
        const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, mic);
        double x, y;
        int ok = cs && GEOSCoordSeq_getXY_r(h, cs, 0, &x, &y);
        GEOSGeom_destroy_r(h, mic);
        if (ok && inside_xy(h, prep, round5(x), round5(y))) {
            *lon = round5(x);
            *lat = round5(y);
            return 1;
        }
    }
    GEOSGeometry *pos = GEOSPointOnSurface_r(h, geom);
    double x, y;
    int ok = pos && GEOSGeomGetX_r(h, pos, &x) && GEOSGeomGetY_r(h, pos, &y);
    if (pos)
        GEOSGeom_destroy_r(h, pos);
    if (ok && inside_xy(h, prep, round5(x), round5(y))) {
        *lon = round5(x);
        *lat = round5(y);
        return 1;
    }
    return 0;
}

static int place_points(geo_ctx *g)
{
    GEOSContextHandle_t h = g->h;
    /* Communes with their own polygon. */
    for (size_t i = 0; i < g->n; i++) {
        geo_commune *m = &g->c[i];
        if (!m->geom)
            continue;
        if (m->has_point && inside_xy(h, m->prep, m->lon, m->lat))
            continue; /* the GeoNames point, inside: kept with its class */
        if (!interior_point(h, m->geom, m->prep, &m->lat, &m->lon))
            return fail("commune %s: no interior point", m->insee);
        m->has_point = 1;
        m->precision = "interieur";
    }
    /* Re-created communes: inside the 2018 polygon that covers their hint point, or the
     * nearest one of their département. */
    for (size_t i = 0; i < g->n; i++) {
        geo_commune *m = &g->c[i];
        if (m->geom || strcmp(m->kind, "COM") != 0)
            continue;
        if (!m->has_point || strcmp(m->precision, "commune_recreee") != 0)
            return fail("commune %s has neither a polygon nor a hint point", m->insee);
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, m->lon, m->lat);
        geo_commune *best = NULL;
        double best_d = INFINITY;
        for (size_t k = 0; k < g->n; k++) {
            geo_commune *o = &g->c[k];
            if (!o->geom || strcmp(o->dep, m->dep) != 0)
                continue;
            double d = INFINITY;
            if (GEOSPreparedContains_r(h, o->prep, pt) == 1)
                d = 0;
            else
                GEOSDistance_r(h, o->geom, pt, &d);
            if (d < best_d) {
                best_d = d;
                best = o;
            }
        }
        GEOSGeom_destroy_r(h, pt);
        if (!best)
            return fail("re-created commune %s: no polygon in its département", m->insee);
        m->contour = best->insee;
        if (best_d > 0 && !interior_point(h, best->geom, best->prep, &m->lat, &m->lon))
            return fail("re-created commune %s: no point inside %s", m->insee, best->insee);
        fprintf(stderr, "re-created commune %s %s: inside the 2018 polygon of %s %s%s\n",
                m->insee, m->nom, best->insee, best->nom,
                best_d > 0 ? " (hint point outside: interior point of it)" : "");
    }
    /* Arrondissements: their city's polygon and point. */
    for (size_t i = 0; i < g->n; i++) {
        geo_commune *m = &g->c[i];
        if (strcmp(m->kind, "ARM") != 0)
            continue;
        geo_commune *city = find_commune(g, m->parent);
        if (!city || !city->geom)
            return fail("arrondissement %s: city %s has no polygon", m->insee, m->parent);
        m->contour = city->insee;
        m->lat = city->lat;
        m->lon = city->lon;
        m->has_point = 1;
        m->precision = "commune_parente";
    }
    return 0;
}

/* ---- writing ------------------------------------------------------------------------------- */

static int mkdir_p(const char *path)
{
    return mkdir(path, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

/* One geo file: lines "code <TAB> encoding", in the order given. */
static int write_geo_file(geo_ctx *g, const char *out, const char *name, const char *const *codes,
                          GEOSGeometry *const *geoms, size_t n)
{
    util_strbuf sb;
    util_sb_init(&sb);
    for (size_t i = 0; i < n; i++) {
        if (!geoms[i])
            continue;
        char *enc = geomcodec_encode(g->h, geoms[i]);
        if (!enc) {
            util_sb_free(&sb);
            return fail("%s: %s cannot be encoded", name, codes[i]);
        }
        util_sb_printf(&sb, "%s\t%s\n", codes[i], enc);
        free(enc);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/geom/%s", out, name);
    int bad = sb.failed || geomcodec_write_gz(path, sb.data ? sb.data : "", sb.len) != 0;
    util_sb_free(&sb);
    return bad ? fail("%s: cannot write", path) : 0;
}

static int write_wkt_table(geo_ctx *g, const char *out, const char *name, const char *const *codes,
                           GEOSGeometry *const *geoms, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", out, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return fail("%s: %s", path, strerror(errno));
    GEOSWKTWriter *w = GEOSWKTWriter_create_r(g->h);
    GEOSWKTWriter_setRoundingPrecision_r(g->h, w, 5);
    GEOSWKTWriter_setTrim_r(g->h, w, 1);
    fprintf(f, "code\twkt\n");
    int bad = 0;
    for (size_t i = 0; i < n && !bad; i++) {
        char *wkt = GEOSWKTWriter_write_r(g->h, w, geoms[i]);
        if (!wkt) {
            bad = fail("%s: cannot write %s", name, codes[i]);
            break;
        }
        fprintf(f, "%s\t%s\n", codes[i], wkt);
        GEOSFree_r(g->h, wkt);
    }
    GEOSWKTWriter_destroy_r(g->h, w);
    return fclose(f) != 0 || bad;
}

static int write_communes(geo_ctx *g, const char *out)
{
    /* Polygons, one file per département. */
    const char **codes = calloc(g->n + 1, sizeof *codes);
    GEOSGeometry **geoms = calloc(g->n + 1, sizeof *geoms);
    if (!codes || !geoms)
        return fail("out of memory");
    tsv_table *d = &g->deps;
    for (size_t k = 0; k < d->nrows; k++) {
        const char *dep = tsv_cell(d, k, 0);
        size_t n = 0;
        for (size_t i = 0; i < g->n; i++)
            if (g->c[i].geom && strcmp(g->c[i].dep, dep) == 0) {
                codes[n] = g->c[i].insee;
                geoms[n++] = g->c[i].geom;
            }
        char name[64];
        snprintf(name, sizeof name, "communes-%s.geo.gz", dep);
        if (write_geo_file(g, out, name, codes, geoms, n))
            return 1;
    }
    free(codes);
    free(geoms);

    /* The table, with its folded name key, the point, the polygon's commune, the EPCI. */
    char path[4096];
    snprintf(path, sizeof path, "%s/communes.tsv", out);
    FILE *f = fopen(path, "w");
    if (!f)
        return fail("%s: %s", path, strerror(errno));
    tsv_table *t = &g->communes;
    int cla = tsv_column(t, "lat"), clo = tsv_column(t, "lon"), cpr = tsv_column(t, "precision"),
        cn = tsv_column(t, "nom");
    for (size_t row = 0; row <= t->nrows; row++) {
        const geo_commune *m = row ? &g->c[row - 1] : NULL;
        char lat[32], lon[32];
        if (m) {
            snprintf(lat, sizeof lat, "%.5f", m->lat);
            snprintf(lon, sizeof lon, "%.5f", m->lon);
        }
        for (size_t col = 0; col < t->ncols; col++) {
            const char *cell = t->cells[row * t->ncols + col];
            if (m && (int)col == cla)
                cell = lat;
            else if (m && (int)col == clo)
                cell = lon;
            else if (m && (int)col == cpr)
                cell = m->precision;
            fprintf(f, "%s%s", col ? "\t" : "", cell);
            if ((int)col == cn) {
                char *key = m ? text_fold(cell) : NULL;
                fprintf(f, "\t%s", m ? (key ? key : "") : "cle");
                free(key);
            }
            if ((int)col == cpr)
                fprintf(f, "\t%s", m ? m->contour : "contour");
        }
        fputc('\n', f);
    }
    return fclose(f) != 0;
}

/* ---- territories --------------------------------------------------------------------------- */

/* Union of the polygons of the communes for which `member(c, key)` holds. */
static GEOSGeometry *union_members(geo_ctx *g, int (*member)(const geo_commune *, const char *),
                                   const char *key)
{
    GEOSGeometry **parts = calloc(g->n + 1, sizeof *parts);
    if (!parts)
        return NULL;
    unsigned np = 0;
    for (size_t i = 0; i < g->n; i++)
        if (g->c[i].geom && member(&g->c[i], key))
            parts[np++] = GEOSGeom_clone_r(g->h, g->c[i].geom);
    GEOSGeometry *u = np ? union_of(g->h, parts, np) : NULL;
    free(parts);
    return u;
}

static int in_dep(const geo_commune *c, const char *dep)
{
    return strcmp(c->dep, dep) == 0;
}

static int in_epci(const geo_commune *c, const char *epci)
{
    return strcmp(c->epci, epci) == 0;
}

/* Holes below `area` dropped (numeric dust left by unions); islands are all kept. */
static GEOSGeometry *drop_dust(GEOSContextHandle_t h, const GEOSGeometry *g, double area)
{
    int nparts = GEOSGetNumGeometries_r(h, g);
    GEOSGeometry **polys = calloc((size_t)nparts + 1, sizeof *polys);
    unsigned kept = 0;
    for (int i = 0; polys && i < nparts; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
        double a = 0;
        if (GEOSGeomTypeId_r(h, p) != GEOS_POLYGON || !GEOSArea_r(h, p, &a))
            continue;
        int nholes = GEOSGetNumInteriorRings_r(h, p);
        GEOSGeometry **holes = calloc((size_t)nholes + 1, sizeof *holes);
        unsigned nh = 0;
        for (int k = 0; holes && k < nholes; k++) {
            const GEOSGeometry *ring = GEOSGetInteriorRingN_r(h, p, k);
            GEOSGeometry *rp = GEOSGeom_createPolygon_r(h, GEOSGeom_clone_r(h, ring), NULL, 0);
            double ha = 0;
            GEOSArea_r(h, rp, &ha);
            GEOSGeom_destroy_r(h, rp);
            if (ha >= area)
                holes[nh++] = GEOSGeom_clone_r(h, ring);
        }
        polys[kept++] = GEOSGeom_createPolygon_r(h, GEOSGeom_clone_r(h, GEOSGetExteriorRing_r(h, p)),
                                                 holes, nh);
        free(holes);
    }
    GEOSGeometry *r = polys ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, kept) : NULL;
    free(polys);
    if (r && kept == 1) {
        GEOSGeometry *single = GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, r, 0));
        GEOSGeom_destroy_r(h, r);
        r = single;
    }
    if (r)
        GEOSNormalize_r(h, r);
    return r;
}

/* Regions: the union of their départements' `geoms`. */
static int regions_of(geo_ctx *g, GEOSGeometry *const *dep_geoms, GEOSGeometry **out)
{
    tsv_table *d = &g->deps, *r = &g->regions;
    int dreg = tsv_column(d, "code_reg");
    for (size_t k = 0; k < r->nrows; k++) {
        GEOSGeometry **parts = calloc(d->nrows + 1, sizeof *parts);
        unsigned np = 0;
        for (size_t i = 0; parts && i < d->nrows; i++)
            if (strcmp(tsv_cell(d, i, dreg), tsv_cell(r, k, 0)) == 0)
                parts[np++] = GEOSGeom_clone_r(g->h, dep_geoms[i]);
        GEOSGeometry *u = parts && np ? union_of(g->h, parts, np) : NULL;
        free(parts);
        out[k] = u ? drop_dust(g->h, u, DUST_AREA) : NULL;
        if (u)
            GEOSGeom_destroy_r(g->h, u);
        if (!out[k] || GEOSisValid_r(g->h, out[k]) != 1)
            return fail("region %s: union of its départements failed", tsv_cell(r, k, 0));
    }
    return 0;
}

/* A coverage simplified for the web, each polygon normalised and checked. */
static int web_variant(geo_ctx *g, GEOSGeometry *const *in, size_t n, const char *what,
                       GEOSGeometry **out)
{
    if (simplify_coverage(g->ctx, (const GEOSGeometry *const *)in, n, WEB_TOLERANCE, out))
        return fail("%s web simplification: %s", what, ptce_ctx_error(g->ctx));
    for (size_t i = 0; i < n; i++) {
        GEOSGeometry *s = GEOSGeom_setPrecision_r(g->h, out[i], GRID, 0);
        GEOSGeom_destroy_r(g->h, out[i]);
        out[i] = s ? drop_dust(g->h, s, DUST_AREA) : NULL;
        if (s)
            GEOSGeom_destroy_r(g->h, s);
        if (!out[i] || GEOSisValid_r(g->h, out[i]) != 1)
            return fail("%s %zu: simplified polygon not valid", what, i);
    }
    return 0;
}

static void destroy_all(GEOSContextHandle_t h, GEOSGeometry **a, size_t n)
{
    for (size_t i = 0; a && i < n; i++)
        if (a[i])
            GEOSGeom_destroy_r(h, a[i]);
    free(a);
}

static int write_territories(geo_ctx *g, const char *out)
{
    GEOSContextHandle_t h = g->h;
    tsv_table *d = &g->deps, *r = &g->regions;
    size_t nd = d->nrows, nr = r->nrows;
    GEOSGeometry **raw = calloc(nd + 1, sizeof *raw), **dep = calloc(nd + 1, sizeof *dep),
                 **reg = calloc(nr + 1, sizeof *reg), **dep_web = calloc(nd + 1, sizeof *dep_web),
                 **reg_web = calloc(nr + 1, sizeof *reg_web);
    const char **dcodes = calloc(nd + 1, sizeof *dcodes), **rcodes = calloc(nr + 1, sizeof *rcodes);
    if (!raw || !dep || !reg || !dep_web || !reg_web || !dcodes || !rcodes)
        return fail("out of memory");
    for (size_t i = 0; i < nd; i++) {
        dcodes[i] = tsv_cell(d, i, 0);
        if (!(raw[i] = union_members(g, in_dep, dcodes[i])))
            return fail("département %s: union of its communes failed", dcodes[i]);
    }
    for (size_t k = 0; k < nr; k++)
        rcodes[k] = tsv_cell(r, k, 0);
    if (simplify_clean_coverage(g->ctx, (const GEOSGeometry *const *)raw, nd, GAP_AREA, GRID, dep))
        return fail("départements: %s", ptce_ctx_error(g->ctx));
    for (size_t i = 0; i < nd; i++) {
        GEOSNormalize_r(h, dep[i]);
        if (GEOSisValid_r(h, dep[i]) != 1)
            return fail("département %s: polygon not valid after cleaning", dcodes[i]);
    }
    if (regions_of(g, dep, reg) || write_geo_file(g, out, "departements.geo.gz", dcodes, dep, nd) ||
        write_geo_file(g, out, "regions.geo.gz", rcodes, reg, nr) ||
        web_variant(g, dep, nd, "département", dep_web) || regions_of(g, dep_web, reg_web) ||
        write_wkt_table(g, out, "departements_web_geom.tsv", dcodes, dep_web, nd) ||
        write_wkt_table(g, out, "regions_web_geom.tsv", rcodes, reg_web, nr))
        return 1;
    destroy_all(h, raw, nd);
    destroy_all(h, dep, nd);
    destroy_all(h, reg, nr);
    destroy_all(h, dep_web, nd);
    destroy_all(h, reg_web, nr);
    free(dcodes);
    free(rcodes);
    return 0;
}

static int write_epci(geo_ctx *g, const char *out)
{
    GEOSContextHandle_t h = g->h;
    tsv_table *e = &g->epci;
    size_t n = e->nrows;
    GEOSGeometry **raw = calloc(n + 1, sizeof *raw), **clean = calloc(n + 1, sizeof *clean),
                 **web = calloc(n + 1, sizeof *web);
    const char **codes = calloc(n + 1, sizeof *codes);
    long *ncom = calloc(n + 1, sizeof *ncom);
    if (!raw || !clean || !web || !codes || !ncom)
        return fail("out of memory");
    for (size_t i = 0; i < n; i++) {
        codes[i] = tsv_cell(e, i, 0);
        for (size_t k = 0; k < g->n; k++)
            if (strcmp(g->c[k].kind, "COM") == 0 && strcmp(g->c[k].epci, codes[i]) == 0)
                ncom[i]++;
        if (!(raw[i] = union_members(g, in_epci, codes[i])))
            return fail("EPCI %s: union of its communes failed", codes[i]);
    }
    if (simplify_clean_coverage(g->ctx, (const GEOSGeometry *const *)raw, n, GAP_AREA, GRID, clean))
        return fail("EPCI: %s", ptce_ctx_error(g->ctx));
    for (size_t i = 0; i < n; i++) {
        GEOSNormalize_r(h, clean[i]);
        if (GEOSisValid_r(h, clean[i]) != 1)
            return fail("EPCI %s: polygon not valid after cleaning", codes[i]);
    }
    if (write_geo_file(g, out, "epci.geo.gz", codes, clean, n) ||
        web_variant(g, clean, n, "EPCI", web) ||
        write_geo_file(g, out, "epci_web.geo.gz", codes, web, n))
        return 1;
    char path[4096];
    snprintf(path, sizeof path, "%s/epci.tsv", out);
    FILE *f = fopen(path, "w");
    if (!f)
        return fail("%s: %s", path, strerror(errno));
    int cn = tsv_column(e, "nom_epci"), ct = tsv_column(e, "type"), cp = tsv_column(e, "population");
    fprintf(f, "code_epci\tnom_epci\tcle\ttype\tpopulation\tnb_communes\n");
    for (size_t i = 0; i < n; i++) {
        char *key = text_fold(tsv_cell(e, i, cn));
        fprintf(f, "%s\t%s\t%s\t%s\t%s\t%ld\n", codes[i], tsv_cell(e, i, cn), key ? key : "",
                tsv_cell(e, i, ct), tsv_cell(e, i, cp), ncom[i]);
        free(key);
    }
    destroy_all(h, raw, n);
    destroy_all(h, clean, n);
    destroy_all(h, web, n);
    free(codes);
    free(ncom);
    return fclose(f) != 0;
}

int compile_geography(ptce_ctx *ctx, const char *stage, const char *out)
{
    geo_ctx g = {.ctx = ctx, .h = ctx->geos};
    if (tsv_read(ctx, stage, "communes.tsv", NULL, &g.communes) ||
        tsv_read(ctx, stage, "communes_2018.tsv", NULL, &g.polys) ||
        tsv_read(ctx, stage, "departements.tsv", NULL, &g.deps) ||
        tsv_read(ctx, stage, "regions.tsv", NULL, &g.regions) ||
        tsv_read(ctx, stage, "epci.tsv", NULL, &g.epci))
        return fail("%s", ptce_ctx_error(ctx));
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/geom", out);
    if (mkdir_p(dir) != 0)
        return fail("%s: %s", dir, strerror(errno));
    int bad = load_communes(&g) || place_points(&g) || write_communes(&g, out) ||
              write_territories(&g, out) || write_epci(&g, out);
    for (size_t i = 0; i < g.n; i++) {
        if (g.c[i].prep)
            GEOSPreparedGeom_destroy_r(g.h, g.c[i].prep);
        if (g.c[i].geom)
            GEOSGeom_destroy_r(g.h, g.c[i].geom);
    }
    free(g.c);
    tsv_free(&g.communes);
    tsv_free(&g.polys);
    tsv_free(&g.deps);
    tsv_free(&g.regions);
    tsv_free(&g.epci);
    return bad;
}
