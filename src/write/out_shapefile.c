/*
 * write/out_shapefile.c — ESRI Shapefile writer (shapelib).
 *
 * Rules kept (see docs/architecture.md): a .cpg saying UTF-8 (written here: shapelib does not
 * check its own write of it), the .prj
 * exactly as PROJ writes the CRS in ESRI WKT1, ASCII field names of 10 bytes at most,
 * text cut at a UTF-8 character boundary, outer rings clockwise and holes
 * counter-clockwise.
 */
#include <math.h>
#include <shapefil.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ctx.h"
#include "core/util.h"
#include "write/shpio.h"
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

static SHPObject *polygon_object(ptce_ctx *ctx, const geom_crs_target *crs, const GEOSGeometry *g,
                                 ptce_status *st)
{
    GEOSGeometry *projected = geom_project(ctx, crs, g);
    if (!projected) {
        *st = PTCE_ERR_LIBRARY;
        return NULL;
    }
    ring_buffer rb = {0};
    *st = geom_visit_rings(ctx, projected, GEOM_RINGS_SHAPEFILE, collect_ring, &rb);
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
        return outdir_write_error(ctx, path, errno);
    errno = 0;
    int bad = fputs(text, f) < 0;
    int err = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    return bad ? outdir_write_error(ctx, path, err) : PTCE_OK;
}

/* Text fields as wide as their longest value (at most the field's width, 254 at most):
 * a 254-byte field holding 30-byte names makes every record eight times larger. */
static void text_widths(const layer *l, int *widths)
{
    for (size_t f = 0; f < l->nfields; f++)
        widths[f] = l->fields[f].type == LAYER_FIELD_TEXT ? 1 : l->fields[f].width;
    for (size_t i = 0; i < l->nfeatures; i++)
        for (size_t f = 0; f < l->nfields; f++) {
            if (l->fields[f].type != LAYER_FIELD_TEXT || widths[f] >= l->fields[f].width)
                continue;
            layer_field_value v = {0};
            l->value(l->user, i, f, &v);
            if (v.is_null || !v.text)
                continue;
            size_t n = strlen(v.text);
            if (n > (size_t)widths[f])
                widths[f] = n > (size_t)l->fields[f].width ? l->fields[f].width : (int)n;
        }
}

static long file_size(const char *base, const char *ext)
{
    char path[4200];
    snprintf(path, sizeof path, "%s%s", base, ext);
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* shapelib does not report failures to write or close: read the files back to be sure they
 * hold every record, whole. */
static ptce_status check_written(ptce_ctx *ctx, const char *base, size_t nfeatures)
{
    SHPHandle shp = SHPOpen(base, "rb");
    DBFHandle dbf = DBFOpen(base, "rb");
    int count = -1;
    if (shp)
        SHPGetInfo(shp, &count, NULL, NULL, NULL);
    int ok = shp && dbf && count == (int)nfeatures &&
             DBFGetRecordCount(dbf) == (int)nfeatures &&
             file_size(base, ".shp") == (long)shp->nFileSize &&
             file_size(base, ".shx") == 100 + 8 * (long)nfeatures &&

             file_size(base, ".dbf") >=
                 (long)dbf->nHeaderLength + (long)dbf->nRecords * dbf->nRecordLength;
    if (shp)
        SHPClose(shp);
    if (dbf)
        DBFClose(dbf);
    return ok ? PTCE_OK
              : ptce_fail(ctx, PTCE_ERR_IO, "%s.shp : écriture incomplète (disque plein ?)", base);
}

/* A number right-aligned in its field, formatted here: shapelib's own formatting goes
 * through snprintf and is most of the time of writing a large table. */
static int write_number(DBFHandle dbf, int rec, int field, const layer_field_def *fd, double v)
{
    char num[64], cell[300];
    size_t n = util_format_fixed(num, v, fd->type == LAYER_FIELD_INTEGER ? 0 : fd->decimals, 0);
    if (n == 0)
        return DBFWriteDoubleAttribute(dbf, rec, field, v);
    if (n > (size_t)fd->width || fd->width >= (int)sizeof cell)
        return 0;
    size_t pad = (size_t)fd->width - n;
    memset(cell, ' ', pad);
    memcpy(cell + pad, num, n + 1);
    return DBFWriteAttributeDirectly(dbf, rec, field, cell);
}

/* The text fields cut in the .dbf: how many values, and which features (the first few, by
 * number and by the value of their first field) for the warning. */
typedef struct dbf_cuts {
    size_t count;
    util_strbuf where;
} dbf_cuts;
#define CUTS_NAMED 5

static void note_cut(const layer *l, size_t i, dbf_cuts *c)
{
    if (c->count++ >= CUTS_NAMED)
        return;
    layer_field_value first = {0};
    if (l->nfields && l->fields[0].type == LAYER_FIELD_TEXT)
        l->value(l->user, i, 0, &first);
    util_sb_printf(&c->where, "%sentité %zu", c->where.len ? ", " : "", i + 1);
    if (first.text && !first.is_null) {
        size_t keep = util_utf8_cut_length(first.text, 60);
        util_sb_printf(&c->where, " (%s « %.*s%s »)", l->fields[0].name, (int)keep, first.text,
                       first.text[keep] ? "…" : "");
    }
}

static ptce_status write_attributes(ptce_ctx *ctx, DBFHandle dbf, const layer *l, size_t i,
                                    const int *widths, dbf_cuts *cuts)
{
    for (size_t f = 0; f < l->nfields; f++) {
        layer_field_value v = {0};
        l->value(l->user, i, f, &v);
        int ok;
        const layer_field_def *fd = &l->fields[f];
        if (v.is_null || (fd->type == LAYER_FIELD_TEXT && !v.text)) {
            ok = DBFWriteNULLAttribute(dbf, (int)i, (int)f);
        } else if (fd->type == LAYER_FIELD_TEXT) {
            if (strlen(v.text) > (size_t)widths[f]) {
                /* Cut on a character boundary, marked: "…" is 3 bytes of the width. */
                size_t keep = util_utf8_cut_length(v.text, (size_t)widths[f] - 3);
                char *cut = malloc(keep + 4);
                if (!cut)
                    return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
                memcpy(cut, v.text, keep);
                memcpy(cut + keep, "…", 4);
                ok = DBFWriteStringAttribute(dbf, (int)i, (int)f, cut);
                free(cut);
                note_cut(l, i, &cuts[f]);
                ok = 1; /* shapelib reports a string as long as the field as a cut */
            } else {
                ok = DBFWriteStringAttribute(dbf, (int)i, (int)f, v.text);
            }
        } else {
            ok = write_number(dbf, (int)i, (int)f, fd, fd->type == LAYER_FIELD_INTEGER
                                                          ? (double)v.integer
                                                          : v.real);
        }
        int err = shpio_failed(dbf->fp);
        if (err)
            return ptce_fail(ctx, err == ENOMEM ? PTCE_ERR_MEMORY : PTCE_ERR_IO,
                             "%s.dbf : écriture impossible (%s)%s", l->name,
                             ptce_errno_text(err), err == EFBIG ? " ; la taille maximale des fichiers "
                             "(ulimit -f) est atteinte" : "");
        if (!ok)
            return ptce_fail(ctx, PTCE_ERR_IO, "%s : valeur trop large pour le champ %s "
                                               "(entité %zu)", l->name, fd->name, i + 1);
    }
    return PTCE_OK;
}

ptce_status writers_shapefile(ptce_ctx *ctx, outdir *od, const char *subdir, const layer *l,
                            const geom_crs_target *crs)
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

    SAHooks hooks;
    shpio_hooks(&hooks);
    SHPHandle shp = SHPCreateLL(base, l->geometry == LAYER_POINT ? SHPT_POINT : SHPT_POLYGON,
                                &hooks);
    int create_err = shp ? 0 : errno;
    /* No code page here: DBFCreateLL would write the .cpg through a handle it never checks;
     * it is written below like the .prj (same bytes, "UTF-8"). */
    DBFHandle dbf = shp ? DBFCreateLL(base, NULL, &hooks) : NULL;
    if (shp && !dbf)
        create_err = errno;
    int *widths = calloc(l->nfields ? l->nfields : 1, sizeof *widths);
    if (!shp || !dbf || !widths) {
        if (shp)
            SHPClose(shp);
        if (dbf)
            DBFClose(dbf);
        int memory = !widths || create_err == ENOMEM;
        free(widths);
        if (memory)
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "%s.shp : mémoire insuffisante", base);
        return ptce_fail(ctx, PTCE_ERR_IO, "%s.shp : création impossible (%s)", base,
                         ptce_errno_text(create_err ? create_err : EIO));
    }
    text_widths(l, widths);
    for (size_t f = 0; f < l->nfields && !st; f++) {
        const layer_field_def *fd = &l->fields[f];
        DBFFieldType t = fd->type == LAYER_FIELD_TEXT ? FTString
                         : fd->type == LAYER_FIELD_INTEGER ? FTInteger
                                                     : FTDouble;
        if (DBFAddField(dbf, fd->name, t, widths[f], fd->type == LAYER_FIELD_REAL ? fd->decimals : 0) < 0)
            st = ptce_fail(ctx, PTCE_ERR_IO, "%s : champ %s refusé par shapelib", l->name,
                           fd->name);
    }
    dbf_cuts *cut_counts = calloc(l->nfields ? l->nfields : 1, sizeof *cut_counts);
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
        if (!st && (SHPWriteObject(shp, -1, obj) < 0 || shpio_failed(shp->fpSHP) ||
                    shpio_failed(shp->fpSHX))) {
            int err = shpio_failed(shp->fpSHP) ? shpio_failed(shp->fpSHP)
                                               : shpio_failed(shp->fpSHX);
            st = ptce_fail(ctx, err == ENOMEM ? PTCE_ERR_MEMORY : PTCE_ERR_IO,
                           "%s.shp : écriture impossible (%s)%s", l->name,
                           ptce_errno_text(err ? err : EIO), err == EFBIG ? " ; la taille maximale "
                           "des fichiers (ulimit -f) est atteinte" : "");
        }
        if (obj)
            SHPDestroyObject(obj);
        if (!st)
            st = write_attributes(ctx, dbf, l, i, widths, cut_counts);
    }
    SHPClose(shp);
    DBFClose(dbf);
    for (size_t f = 0; f < l->nfields && cut_counts; f++) {
        if (cut_counts[f].count)
            ptce_warn(ctx, "%s.dbf, champ %s : %zu valeur(s) de plus de %d octets (limite des "
                           "fichiers DBF) coupée(s) dans ce fichier seulement, marquée(s) « … » : "
                           "%s%s ; le GeoJSON, le GeoPackage et les CSV gardent le texte entier",
                      l->name, l->fields[f].name, cut_counts[f].count, widths[f],
                      cut_counts[f].where.data ? cut_counts[f].where.data : "",
                      cut_counts[f].count > CUTS_NAMED ? ", …" : "");
        util_sb_free(&cut_counts[f].where);
    }
    free(cut_counts);
    free(widths);
    if (!st)
        st = check_written(ctx, base, l->nfeatures);
    if (st)
        return st;
    char prj[4200], cpg[4200];
    snprintf(prj, sizeof prj, "%s.prj", base);
    snprintf(cpg, sizeof cpg, "%s.cpg", base);
    st = write_text_file(ctx, cpg, "UTF-8");
    return st ? st : write_text_file(ctx, prj, crs->prj);
}
