/*
 * write/out_shapefile.c — ESRI Shapefile writer (shapelib).
 *
 * Rules kept (see docs/architecture.md): a .cpg saying UTF-8 (DBFCreateEx), the .prj
 * exactly as PROJ writes the CRS in ESRI WKT1, ASCII field names of 10 bytes at most,
 * text cut at a UTF-8 character boundary, outer rings clockwise and holes
 * counter-clockwise.
 */
#include <math.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/util.h"
#include "write/writers.h"

/* Collects rings into the arrays SHPCreateObject wants. */
typedef struct ring_buffer {
    double *x, *y;
    int *starts;
    int nverts, nparts, capverts, capparts;
    int failed;
} ring_buffer;

static int collect_ring(void *user, int polygon_index, int is_hole, const double *xs,
                        const double *ys, unsigned n)
{
    (void)polygon_index;
    (void)is_hole;
    ring_buffer *rb = user;
    if (rb->nparts == rb->capparts) {
        int cap = rb->capparts ? rb->capparts * 2 : 16;
        int *s = realloc(rb->starts, (size_t)cap * sizeof *s);
        if (!s)
            return rb->failed = 1;
        rb->starts = s;
        rb->capparts = cap;
    }
    if (rb->nverts + (int)n > rb->capverts) {
        int cap = rb->capverts ? rb->capverts : 1024;
        while (cap < rb->nverts + (int)n)
            cap *= 2;
        double *x = realloc(rb->x, (size_t)cap * sizeof *x);
        if (!x)
            return rb->failed = 1;
        rb->x = x;
        double *y = realloc(rb->y, (size_t)cap * sizeof *y);
        if (!y)
            return rb->failed = 1;
        rb->y = y;
        rb->capverts = cap;
    }
    rb->starts[rb->nparts++] = rb->nverts;
    memcpy(rb->x + rb->nverts, xs, n * sizeof *xs);
    memcpy(rb->y + rb->nverts, ys, n * sizeof *ys);
    rb->nverts += (int)n;
    return 0;
}

static SHPObject *polygon_object(ptce_ctx *ctx, const crs_target *crs, const GEOSGeometry *g,
                                 ptce_status *st)
{
    GEOSGeometry *projected = geom_project(ctx, crs, g);
    if (!projected) {
        *st = PTCE_ERR_LIBRARY;
        return NULL;
    }
    ring_buffer rb = {0};
    *st = geom_visit_rings(ctx, projected, RINGS_SHAPEFILE, collect_ring, &rb);
    GEOSGeom_destroy_r(ctx->geos, projected);
    SHPObject *obj = NULL;
    if (*st == PTCE_OK && rb.failed)
        *st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    if (*st == PTCE_OK)
        obj = SHPCreateObject(SHPT_POLYGON, -1, rb.nparts, rb.starts, NULL, rb.nverts, rb.x, rb.y,
                              NULL, NULL);
    free(rb.x);
    free(rb.y);
    free(rb.starts);
    return obj;
}

static ptce_status write_text_file(ptce_ctx *ctx, const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return ptce_fail(ctx, PTCE_ERR_IO, "%s : écriture impossible", path);
    int bad = fputs(text, f) < 0;
    bad |= fclose(f) != 0;
    return bad ? ptce_fail(ctx, PTCE_ERR_IO, "%s : écriture impossible", path) : PTCE_OK;
}

static ptce_status write_attributes(ptce_ctx *ctx, DBFHandle dbf, const layer *l, size_t i,
                                    size_t *cut_counts)
{
    for (size_t f = 0; f < l->nfields; f++) {
        field_value v = {0};
        l->value(l->user, i, f, &v);
        int ok;
        const field_def *fd = &l->fields[f];
        if (v.is_null || (fd->type == FIELD_TEXT && !v.text)) {
            ok = DBFWriteNULLAttribute(dbf, (int)i, (int)f);
        } else if (fd->type == FIELD_TEXT) {
            size_t keep = utf8_cut_length(v.text, (size_t)fd->width);
            if (keep < strlen(v.text)) {
                char *cut = ptce_strndup(v.text, keep);
                if (!cut)
                    return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
                ok = DBFWriteStringAttribute(dbf, (int)i, (int)f, cut);
                free(cut);
                cut_counts[f]++;
                ok = 1; /* shapelib reports the cut as a failure; we cut on purpose */
            } else {
                ok = DBFWriteStringAttribute(dbf, (int)i, (int)f, v.text);
            }
        } else if (fd->type == FIELD_INTEGER) {
            ok = DBFWriteDoubleAttribute(dbf, (int)i, (int)f, (double)v.integer);
        } else {
            ok = DBFWriteDoubleAttribute(dbf, (int)i, (int)f, v.real);
        }
        if (!ok)
            return ptce_fail(ctx, PTCE_ERR_IO, "%s : valeur trop large pour le champ %s "
                                               "(entité %zu)", l->name, fd->name, i + 1);
    }
    return PTCE_OK;
}

ptce_status shapefile_write(ptce_ctx *ctx, outdir *od, const char *subdir, const layer *l,
                            const crs_target *crs)
{
    char base_name[256], path[4096];
    snprintf(base_name, sizeof base_name, "%s%s%s", subdir, subdir[0] ? "/" : "", l->name);
    static const char *const exts[] = {".shp", ".shx", ".dbf", ".prj", ".cpg"};
    ptce_status st = PTCE_OK;
    for (size_t e = 0; e < 5 && !st; e++) {
        char name[300];
        snprintf(name, sizeof name, "%s%s", base_name, exts[e]);
        st = outdir_file(ctx, od, name, path, sizeof path);
    }
    if (st)
        return st;
    char base[4096];
    snprintf(base, sizeof base, "%s/%s", od->tmp, base_name);

    SHPHandle shp = SHPCreate(base, l->geometry == LAYER_POINT ? SHPT_POINT : SHPT_POLYGON);
    DBFHandle dbf = DBFCreateEx(base, "UTF-8");
    if (!shp || !dbf) {
        if (shp)
            SHPClose(shp);
        if (dbf)
            DBFClose(dbf);
        return ptce_fail(ctx, PTCE_ERR_IO, "%s.shp : création impossible", base);
    }
    for (size_t f = 0; f < l->nfields && !st; f++) {
        const field_def *fd = &l->fields[f];
        DBFFieldType t = fd->type == FIELD_TEXT ? FTString
                         : fd->type == FIELD_INTEGER ? FTInteger
                                                     : FTDouble;
        if (DBFAddField(dbf, fd->name, t, fd->width, fd->type == FIELD_REAL ? fd->decimals : 0) < 0)
            st = ptce_fail(ctx, PTCE_ERR_IO, "%s : champ %s refusé par shapelib", l->name,
                           fd->name);
    }
    size_t *cut_counts = calloc(l->nfields ? l->nfields : 1, sizeof *cut_counts);
    if (!cut_counts && !st)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t i = 0; i < l->nfeatures && !st; i++) {
        SHPObject *obj = NULL;
        if (l->geometry == LAYER_POINT) {
            double lon, lat, x, y;
            l->point(l->user, i, &lon, &lat);
            if (!geom_project_point(crs, lon, lat, &x, &y))
                st = ptce_fail(ctx, PTCE_ERR_LIBRARY, "%s : point %zu hors du domaine de EPSG:%d",
                               l->name, i + 1, crs->epsg);
            else
                obj = SHPCreateSimpleObject(SHPT_POINT, 1, &x, &y, NULL);
        } else {
            obj = polygon_object(ctx, crs, l->polygon(l->user, i), &st);
        }
        if (!st && !obj)
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        if (!st && SHPWriteObject(shp, -1, obj) < 0)
            st = ptce_fail(ctx, PTCE_ERR_IO, "%s.shp : écriture impossible", base);
        if (obj)
            SHPDestroyObject(obj);
        if (!st)
            st = write_attributes(ctx, dbf, l, i, cut_counts);
    }
    SHPClose(shp);
    DBFClose(dbf);
    for (size_t f = 0; f < l->nfields && cut_counts; f++)
        if (cut_counts[f])
            ptce_warn(ctx, "%s.shp, champ %s : %zu valeur(s) coupée(s) à %d octets (limite DBF) ;"
                           " le GeoJSON garde le texte entier", l->name, l->fields[f].name,
                      cut_counts[f], l->fields[f].width);
    free(cut_counts);
    if (st)
        return st;
    char prj[4200];
    snprintf(prj, sizeof prj, "%s.prj", base);
    return write_text_file(ctx, prj, crs->prj);
}
