/*
 * pipeline/build.c — see build.h.
 */
#include "pipeline/build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/aggregate.h"
#include "core/ctx.h"
#include "core/util.h"
#include "geom/geom.h"
#include "pipeline/layers.h"
#include "write/outdir.h"
#include "write/writers.h"

static void print_summary(ptce_ctx *ctx, const ptce_run *run, const aggregation *agg)
{
    ptce_info(ctx, "%s : %zu lignes lues (%s, séparateur « %s »), %zu placées, %zu ambiguës, "
                   "%zu rejetées", run->census.path, run->nrows, run->census.encoding,
              run->census.separator == '\t' ? "tabulation" : (char[]){run->census.separator, 0},
              run->nplaced, run->nambiguous, run->nrejected);
    for (size_t i = 0; i < agg->nregions; i++) {
        /* Pad by characters, not bytes, so that accented names line up. */
        const char *nom = agg->regions[i].nom;
        size_t chars = 0;
        for (const char *p = nom; *p; p++)
            chars += ((unsigned char)*p & 0xC0) != 0x80;
        int pad = chars < 28 ? (int)(28 - chars) : 0;
        ptce_info(ctx, "  %s %s%*s %4ld", agg->regions[i].code, nom, pad, "",
                  agg->regions[i].count);
    }
}

static ptce_status write_readme(ptce_ctx *ctx, outdir *od, const ptce_run *run,
                                const crs_target *crs)
{
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "Carte nationale des PTCE produite par ptce-map %s\n\n", ptce_version());
    sb_printf(&sb, "Recensement : %s (%zu lignes ; %zu placées, %zu ambiguës, %zu rejetées)\n",
              run->census.path, run->nrows, run->nplaced, run->nambiguous, run->nrejected);
    sb_printf(&sb, "Code officiel géographique : %s\n", run->rd.cog_year);
    sb_printf(&sb, "Shapefiles en position réelle : EPSG:%d (%s) ; GeoJSON : WGS 84 (EPSG:4326)\n",
              crs->epsg, crs->name);
    sb_printf(&sb, "Versions des données : %s\n\n", run->rd.versions);
    sb_printf(&sb, "Sources et crédits : %s\n", run->rd.credit);
    ptce_status st = sb.failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante")
                               : write_bytes(ctx, od, "LISEZMOI.txt", sb.data, sb.len);
    sb_free(&sb);
    return st;
}

static ptce_status write_outputs(ptce_ctx *ctx, outdir *od, ptce_run *run, layer_set *ls,
                                 const crs_target *crs)
{
    ptce_status st;
    if ((st = shapefile_write(ctx, od, "", &ls->points, crs)) ||
        (st = geojson_write(ctx, od, "", &ls->points, "")) ||
        (st = shapefile_write(ctx, od, "", &ls->regions, crs)) ||
        (st = geojson_write(ctx, od, "", &ls->regions, "")) ||
        (st = shapefile_write(ctx, od, "", &ls->deps, crs)) ||
        (st = geojson_write(ctx, od, "", &ls->deps, "")) ||
        (st = csv_write_layer(ctx, od, "rejets.csv", &ls->rejects)) ||
        (st = write_readme(ctx, od, run, crs)))
        return st;
    return PTCE_OK;
}

ptce_status ptce_build(ptce_ctx *ctx, const build_options *opts)
{
    ptce_run run;
    aggregation agg = {0};
    layer_set ls = {0};
    crs_target crs = {0};
    outdir od = {0};
    ptce_status st = run_load(ctx, &opts->run, &run);
    if (!st)
        st = run_geocode(ctx, &run);
    if (!st)
        st = run_classify(ctx, &run);
    if (!st)
        st = aggregate_run(ctx, &run, &agg);
    if (!st)
        st = layers_build(ctx, &run, &agg, &ls);
    if (!st)
        st = geom_crs_open(ctx, opts->epsg ? opts->epsg : 4326, &crs);
    if (!st)
        st = outdir_open(ctx, opts->outdir ? opts->outdir : "out", &od);
    if (!st) {
        st = write_outputs(ctx, &od, &run, &ls, &crs);
        if (!st)
            st = outdir_commit(ctx, &od);
        else
            outdir_abort(&od);
    }
    if (!st)
        print_summary(ctx, &run, &agg);
    geom_crs_close(&crs);
    layers_free(&ls);
    aggregation_free(&agg);
    run_free(&run);
    return st;
}
