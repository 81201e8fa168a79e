/*
 * tools/refdata_compile.c — the last step of scripts/update-reference-data.
 *
 * Reads the staging tables that scripts/refdata/build_tables.py made from the pinned
 * packages, and writes the tables the tool loads (data/):
 *   - adds the folded name keys ("cle" columns), made by the very text_fold() the geocoder
 *     uses, so that a lookup never depends on two implementations agreeing;
 *   - sums the regions' populations;
 *   - compiles the geography (IGN polygons of the communes, their points, the
 *     départements, regions and EPCI and their web variants): see refdata_geo.c.
 * Output is sorted and printed with fixed precision so that a rerun is byte-identical.
 *
 * Usage: ptce-refdata-compile STAGING_DIR OUT_DIR
 *        ptce-refdata-compile --cache DATA_DIR IMAGE   (the binary image, see refdata/cache.h)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/tsv.h"
#include "core/util.h"
#include "refdata/cache.h"
#include "refdata/refdata.h"
#include "text/fold.h"
#include "write/writers.h"
#include "refdata_geo.h"

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

/* Regions with their population (sum of their départements). */
static int write_regions_table(ptce_ctx *ctx, const char *stage, const char *out)
{
    tsv_table deps, regions;
    if (tsv_read(ctx, stage, "departements.tsv", NULL, &deps) ||
        tsv_read(ctx, stage, "regions.tsv", NULL, &regions))
        return die("%s", ptce_ctx_error(ctx));
    int dep_reg = tsv_column(&deps, "code_reg"), d_pop = tsv_column(&deps, "population");
    FILE *f = open_out(out, "regions.tsv");
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
    tsv_free(&deps);
    tsv_free(&regions);
    return fclose(f) != 0;
}

static int copy_file(const char *stage, const char *out, const char *name)
{
    char in_path[4096];
    snprintf(in_path, sizeof in_path, "%s/%s", stage, name);
    size_t len;
    char *bytes = util_read_file(in_path, &len);
    if (!bytes)
        return die("cannot read %s", in_path);
    FILE *f = open_out(out, name);
    int bad = !f || fwrite(bytes, 1, len, f) != len;
    if (f)
        bad |= fclose(f) != 0;
    free(bytes);
    return bad;
}

static ptce_status format_polygon(ptce_ctx *ctx, const GEOSGeometry *g, int format, util_strbuf *out)
{
    return writers_polygon_bytes(ctx, g, (layer_polygon_format)format, out);
}

/* Loads data_dir's tables and writes their binary image, with the output bytes of the
 * reference polygons as the writers make them (so that a run copies them). */
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
        refdata_cache_prebuilt pb;
        uint64_t stamp = 0;
        memset(&pb, 0, sizeof pb);
        st = writers_polygon_stamp(ctx, &stamp);
        if (!st)
            st = refdata_cache_prebuilt_make(ctx, &rd, format_polygon, LAYER_POLYGON_FORMATS,
                                             stamp, &pb);
        if (!st)
            st = refdata_cache_write(ctx, &rd, data_dir, image, &pb);
        refdata_cache_prebuilt_free(&pb);
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
              write_regions_table(ctx, stage, out) ||
              compile_geography(ctx, stage, out) || copy_file(stage, out, "hors_regions.tsv") ||
              copy_file(stage, out, "meta.tsv");
    ptce_ctx_free(ctx);
    return bad;
}
