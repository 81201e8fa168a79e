/*
 * tools/refdata_compile.c — the last step of scripts/update-reference-data.
 *
 * Reads the staging tables that scripts/refdata/build_tables.py made from the pinned
 * packages, and writes the tables the tool loads (data/):
 *   - adds the folded name keys ("cle" columns), made by the very text_fold() the geocoder
 *     uses, so that a lookup never depends on two implementations agreeing;
 *   - makes every département polygon valid and gives the communes without any point a
 *     point inside their département (GEOSPointOnSurface);
 *   - unions the départements into the 18 regions (GEOS), closing the slivers and gaps the
 *     generalised polygons leave between neighbours, and sums populations;
 *   - makes the simplified web variants of both, once here rather than at every run.
 * Output is sorted and printed with fixed precision so that a rerun is byte-identical.
 *
 * Usage: ptce-refdata-compile STAGING_DIR OUT_DIR
 *        ptce-refdata-compile --cache DATA_DIR IMAGE   (the binary image, see refdata/cache.h)
 */
#include <geos_c.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/tsv.h"
#include "core/util.h"
#include "geom/simplify.h"
#include "refdata/cache.h"
#include "refdata/refdata.h"
#include "text/fold.h"

/* Holes smaller than this in a region (square degrees, about 0.8 km² in France) are gaps
 * between generalised départements, not real enclaves: Llívia, the smallest real hole we
 * must keep, is about 13 km². */
#define SLIVER_AREA 1e-4

/* Tolerance of the web polygons (degrees): about 2 km, invisible on a national web map. */
#define WEB_TOLERANCE 0.02

static int die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ptce-refdata-compile: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        perror(path);
    return f;
}

/* Copies a staging table, inserting after column `after[i]` a column `names[i]` holding
 * text_fold() of the column `source[i]`. */
static int copy_with_keys(ptce_ctx *ctx, const char *stage, const char *out, const char *name,
                          int nkeys, const char *const *after, const char *const *names,
                          const char *const *source)
{
    tsv_table t;
    if (tsv_read(ctx, stage, name, NULL, &t) != PTCE_OK)
        return die("%s", ptce_ctx_error(ctx));
    int after_col[4], src_col[4];
    for (int k = 0; k < nkeys; k++) {
        after_col[k] = tsv_column(&t, after[k]);
        src_col[k] = tsv_column(&t, source[k]);
        if (after_col[k] < 0 || src_col[k] < 0) {
            tsv_free(&t);
            return die("%s: column %s or %s missing", name, after[k], source[k]);
        }
    }
    FILE *f = open_out(out, name);
    if (!f) {
        tsv_free(&t);
        return 1;
    }
    for (size_t row = 0; row <= t.nrows; row++) {
        for (size_t col = 0; col < t.ncols; col++) {
            const char *cell = t.cells[row * t.ncols + col];
            fprintf(f, "%s%s", col ? "\t" : "", cell);
            for (int k = 0; k < nkeys; k++) {
                if ((int)col != after_col[k])
                    continue;
                if (row == 0) {
                    fprintf(f, "\t%s", names[k]);
                } else {
                    char *key = text_fold(t.cells[row * t.ncols + (size_t)src_col[k]]);
                    fprintf(f, "\t%s", key ? key : "");
                    free(key);
                }
            }
        }
        fputc('\n', f);
    }
    tsv_free(&t);
    return fclose(f) != 0;
}

typedef struct dep_geom {
    char code[4];
    char reg[4];
    GEOSGeometry *geom;
} dep_geom;

static int write_geom_row(ptce_ctx *ctx, FILE *f, const char *code, const GEOSGeometry *g)
{
    GEOSWKTWriter *w = GEOSWKTWriter_create_r(ctx->geos);
    GEOSWKTWriter_setRoundingPrecision_r(ctx->geos, w, 6);
    GEOSWKTWriter_setTrim_r(ctx->geos, w, 1);
    char *wkt = GEOSWKTWriter_write_r(ctx->geos, w, g);
    GEOSWKTWriter_destroy_r(ctx->geos, w);
    if (!wkt)
        return die("cannot write WKT for %s", code);
    fprintf(f, "%s\t%s\n", code, wkt);
    GEOSFree_r(ctx->geos, wkt);
    return 0;
}

/* Keeps the polygons of g (and their holes) that are larger than SLIVER_AREA. */
static GEOSGeometry *drop_slivers(ptce_ctx *ctx, const GEOSGeometry *g)
{
    GEOSContextHandle_t h = ctx->geos;
    int nparts = GEOSGetNumGeometries_r(h, g);
    GEOSGeometry **polys = calloc((size_t)nparts, sizeof *polys);
    int kept = 0;
    for (int i = 0; i < nparts; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
        if (GEOSGeomTypeId_r(h, p) != GEOS_POLYGON)
            continue;
        double area;
        GEOSArea_r(h, p, &area);
        if (area < SLIVER_AREA)
            continue;
        int nholes = GEOSGetNumInteriorRings_r(h, p);
        GEOSGeometry **holes = calloc((size_t)(nholes ? nholes : 1), sizeof *holes);
        int nh = 0;
        for (int k = 0; k < nholes; k++) {
            const GEOSGeometry *ring = GEOSGetInteriorRingN_r(h, p, k);
            GEOSGeometry *ringpoly = GEOSGeom_createPolygon_r(h, GEOSGeom_clone_r(h, ring), NULL, 0);
            double ha = 0;
            GEOSArea_r(h, ringpoly, &ha);
            GEOSGeom_destroy_r(h, ringpoly);
            if (ha >= SLIVER_AREA)
                holes[nh++] = GEOSGeom_clone_r(h, ring);
        }
        GEOSGeometry *shell = GEOSGeom_clone_r(h, GEOSGetExteriorRing_r(h, p));
        polys[kept++] = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)nh);
        free(holes);
    }
    GEOSGeometry *result = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)kept);
    free(polys);
    return result;
}

/* Writes one polygon per region: the union of its départements' `geoms` on the 1e-6°
 * grid, slivers dropped, normalised. */
static int write_regions(ptce_ctx *ctx, const char *out, const char *name, const tsv_table *regions,
                         const dep_geom *dg, GEOSGeometry *const *geoms, size_t n)
{
    GEOSContextHandle_t h = ctx->geos;
    FILE *f = open_out(out, name);
    if (!f)
        return 1;
    fprintf(f, "code\twkt\n");
    for (size_t r = 0; r < regions->nrows; r++) {
        const char *code = tsv_cell(regions, r, 0);
        GEOSGeometry **parts = calloc(n, sizeof *parts);
        unsigned np = 0;
        for (size_t i = 0; i < n; i++)
            if (strcmp(dg[i].reg, code) == 0)
                parts[np++] = GEOSGeom_clone_r(h, geoms[i]);
        GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, np);
        free(parts);
        GEOSGeometry *uni = GEOSUnaryUnionPrec_r(h, coll, 1e-6);
        GEOSGeom_destroy_r(h, coll);
        if (!uni)
            return die("region %s: union failed: %s", code, ctx->geos_error);
        GEOSGeometry *clean = drop_slivers(ctx, uni);
        GEOSGeom_destroy_r(h, uni);
        GEOSNormalize_r(h, clean);
        if (!GEOSisValid_r(h, clean))
            return die("region %s: union is not valid", code);
        if (write_geom_row(ctx, f, code, clean))
            return 1;
        GEOSGeom_destroy_r(h, clean);
    }
    return fclose(f) != 0;
}

static int compile_geometry(ptce_ctx *ctx, const char *stage, const char *out)
{
    GEOSContextHandle_t h = ctx->geos;
    tsv_table deps, geoms, communes, regions;
    if (tsv_read(ctx, stage, "departements.tsv", NULL, &deps) ||
        tsv_read(ctx, stage, "departements_geom.tsv", NULL, &geoms) ||
        tsv_read(ctx, stage, "communes.tsv", NULL, &communes) ||
        tsv_read(ctx, stage, "regions.tsv", NULL, &regions))
        return die("%s", ptce_ctx_error(ctx));
    size_t n = geoms.nrows;
    dep_geom *dg = calloc(n, sizeof *dg);
    GEOSWKTReader *reader = GEOSWKTReader_create_r(h);
    int dep_reg = tsv_column(&deps, "code_reg");
    for (size_t i = 0; i < n; i++) {
        snprintf(dg[i].code, sizeof dg[i].code, "%s", tsv_cell(&geoms, i, 0));
        for (size_t k = 0; k < deps.nrows; k++)
            if (strcmp(tsv_cell(&deps, k, 0), dg[i].code) == 0)
                snprintf(dg[i].reg, sizeof dg[i].reg, "%s", tsv_cell(&deps, k, dep_reg));
        GEOSGeometry *g = GEOSWKTReader_read_r(h, reader, tsv_cell(&geoms, i, 1));
        if (!g || !dg[i].reg[0])
            return die("département %s: unreadable polygon or unknown region", dg[i].code);
        if (!GEOSisValid_r(h, g)) {
            GEOSGeometry *valid = GEOSMakeValid_r(h, g);
            GEOSGeom_destroy_r(h, g);
            g = valid;
        }
        /* Snap to the 1e-6 degree grid the files are written with, so that what is
         * written back is exactly what was checked. */
        GEOSGeometry *snapped = GEOSGeom_setPrecision_r(h, g, 1e-6, 0);
        GEOSGeom_destroy_r(h, g);
        dg[i].geom = GEOSGeom_getDimensions_r(h, snapped) == 2 ? snapped : NULL;
        if (!dg[i].geom)
            return die("département %s: polygon collapsed", dg[i].code);
    }
    GEOSWKTReader_destroy_r(h, reader);

    FILE *f = open_out(out, "departements_geom.tsv");
    if (!f)
        return 1;
    fprintf(f, "code\twkt\n");
    for (size_t i = 0; i < n; i++)
        if (write_geom_row(ctx, f, dg[i].code, dg[i].geom))
            return 1;
    fclose(f);

    /* Regions: union of their départements on the same grid, then slivers dropped. */
    GEOSGeometry **polys = calloc(n, sizeof *polys);
    for (size_t i = 0; i < n; i++)
        polys[i] = dg[i].geom;
    if (write_regions(ctx, out, "regions_geom.tsv", &regions, dg, polys, n))
        return 1;

    /* The web variants: the départements simplified as a coverage (shared borders
     * simplified once, about 2 km), and the regions as unions of those. */
    GEOSGeometry **web = calloc(n, sizeof *web);
    if (geom_simplify_coverage(ctx, (const GEOSGeometry *const *)polys, n, WEB_TOLERANCE, web))
        return die("web simplification: %s", ptce_ctx_error(ctx));
    f = open_out(out, "departements_web_geom.tsv");
    if (!f)
        return 1;
    fprintf(f, "code\twkt\n");
    for (size_t i = 0; i < n; i++) {
        GEOSNormalize_r(h, web[i]);
        if (!GEOSisValid_r(h, web[i]) || write_geom_row(ctx, f, dg[i].code, web[i]))
            return die("département %s: simplified polygon not valid", dg[i].code);
    }
    fclose(f);
    if (write_regions(ctx, out, "regions_web_geom.tsv", &regions, dg, web, n))
        return 1;
    for (size_t i = 0; i < n; i++)
        GEOSGeom_destroy_r(h, web[i]);
    free(web);
    free(polys);

    /* Communes without any point: a point inside their département. */
    int c_dep = tsv_column(&communes, "code_dep"), c_lat = tsv_column(&communes, "lat"),
        c_lon = tsv_column(&communes, "lon"), c_nom = tsv_column(&communes, "nom");
    f = open_out(out, "communes.tsv");
    if (!f)
        return 1;
    for (size_t row = 0; row <= communes.nrows; row++) {
        char latbuf[32] = "", lonbuf[32] = "";
        if (row > 0 && !*communes.cells[row * communes.ncols + (size_t)c_lat]) {
            const char *dep = communes.cells[row * communes.ncols + (size_t)c_dep];
            for (size_t i = 0; i < n; i++)
                if (strcmp(dg[i].code, dep) == 0) {
                    GEOSGeometry *pt = GEOSPointOnSurface_r(h, dg[i].geom);
                    double x, y;
                    GEOSGeomGetX_r(h, pt, &x);
                    GEOSGeomGetY_r(h, pt, &y);
                    GEOSGeom_destroy_r(h, pt);
                    snprintf(latbuf, sizeof latbuf, "%.5f", y);
                    snprintf(lonbuf, sizeof lonbuf, "%.5f", x);
                }
            if (!latbuf[0])
                return die("commune on line %zu: no département polygon", row + 1);
        }
        for (size_t col = 0; col < communes.ncols; col++) {
            const char *cell = communes.cells[row * communes.ncols + col];
            if ((int)col == c_lat && latbuf[0])
                cell = latbuf;
            if ((int)col == c_lon && lonbuf[0])
                cell = lonbuf;
            fprintf(f, "%s%s", col ? "\t" : "", cell);
            if ((int)col == c_nom) {
                char *key = row ? text_fold(cell) : NULL;
                fprintf(f, "\t%s", row ? (key ? key : "") : "cle");
                free(key);
            }
        }
        fputc('\n', f);
    }
    fclose(f);

    /* Regions with their population (sum of their départements). */
    int d_pop = tsv_column(&deps, "population");
    f = open_out(out, "regions.tsv");
    if (!f)
        return 1;
    fprintf(f, "code_reg\tnom_reg\tcle\tchef_lieu\tpopulation\n");
    for (size_t r = 0; r < regions.nrows; r++) {
        long pop = 0;
        for (size_t k = 0; k < deps.nrows; k++)
            if (strcmp(tsv_cell(&deps, k, dep_reg), tsv_cell(&regions, r, 0)) == 0)
                pop += strtol(tsv_cell(&deps, k, d_pop), NULL, 10);
        char *key = text_fold(tsv_cell(&regions, r, 1));
        fprintf(f, "%s\t%s\t%s\t%s\t%ld\n", tsv_cell(&regions, r, 0), tsv_cell(&regions, r, 1),
                key ? key : "", tsv_cell(&regions, r, 2), pop);
        free(key);
    }
    fclose(f);

    for (size_t i = 0; i < n; i++)
        GEOSGeom_destroy_r(h, dg[i].geom);
    free(dg);
    tsv_free(&deps);
    tsv_free(&geoms);
    tsv_free(&communes);
    tsv_free(&regions);
    return 0;
}

static int copy_file(const char *stage, const char *out, const char *name)
{
    char in_path[4096];
    snprintf(in_path, sizeof in_path, "%s/%s", stage, name);
    size_t len;
    char *bytes = ptce_read_file(in_path, &len);
    if (!bytes)
        return die("cannot read %s", in_path);
    FILE *f = open_out(out, name);
    int bad = !f || fwrite(bytes, 1, len, f) != len;
    if (f)
        bad |= fclose(f) != 0;
    free(bytes);
    return bad;
}

/* Loads data_dir's tables and writes their binary image. */
static int make_image(const char *data_dir, const char *image)
{
    ptce_ctx *ctx = ptce_ctx_new(NULL);
    if (!ctx)
        return die("cannot initialise GEOS/PROJ");
    refdata rd;
    ptce_status st = ptce_ctx_set_data_dir(ctx, data_dir);
    if (!st)
        st = refdata_load_tables(ctx, &rd);
    if (!st) {
        st = refdata_cache_write(ctx, &rd, data_dir, image);
        refdata_free(&rd);
    }
    int bad = st ? die("%s", ptce_ctx_error(ctx)) : 0;
    ptce_ctx_free(ctx);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--cache") == 0)
        return make_image(argv[2], argv[3]);
    if (argc != 3)
        return die("usage: ptce-refdata-compile STAGING_DIR OUT_DIR");
    const char *stage = argv[1], *out = argv[2];
    ptce_ctx *ctx = ptce_ctx_new(NULL);
    if (!ctx)
        return die("cannot initialise GEOS/PROJ");
    static const char *const fa[] = {"nom"}, *const fn[] = {"cle"}, *const fs[] = {"nom"};
    static const char *const da[] = {"nom_dep"}, *const ds[] = {"nom_dep"};
    static const char *const pa[] = {"libelle_acheminement", "libelle_acheminement"},
                             *const pn[] = {"cle_acheminement", "cle_laposte"},
                             *const ps[] = {"libelle_acheminement", "nom_laposte"};
    int bad = copy_with_keys(ctx, stage, out, "anciennes_communes.tsv", 1, fa, fn, fs) ||
              copy_with_keys(ctx, stage, out, "departements.tsv", 1, da, fn, ds) ||
              copy_with_keys(ctx, stage, out, "codes_postaux.tsv", 2, pa, pn, ps) ||
              compile_geometry(ctx, stage, out) || copy_file(stage, out, "hors_regions.tsv") ||
              copy_file(stage, out, "meta.tsv");
    ptce_ctx_free(ctx);
    return bad;
}
