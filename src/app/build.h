/*
 * app/build.h — `ptce-map build`: the whole pipeline from a census file to the map's
 * files, all or nothing.
 */
#ifndef PTCE_APP_BUILD_H
#define PTCE_APP_BUILD_H

#include "app/run.h"

typedef struct build_options {
    run_options run;
    const char *outdir;   /* default "out" */
    int epsg;             /* CRS of the true-position Shapefiles; 4326 by default. An
                           * overseas legal CRS (5490, 2972, 2975, 4471) keeps only the
                           * features of the territory it is made for. */
    const char *groups;   /* --groups FILE, NULL when unused */
    int annee;            /* census year for titles; 0: guessed (see build.c) */
    const char *previous; /* --previous OLD.csv: evolutions.csv and nb_prec/evol fields */
    const char *tiles;    /* --tuiles URL template of the web map's basemap; NULL: our
                           * own outlines only, nothing fetched */
    const char *tiles_attribution; /* --attribution, required with tiles */
    const char *date;     /* --date AAAA-MM-JJ: the edition's date, printed on the map and
                           * stored in the GeoPackage, workbook and PDF; NULL: 1 January of
                           * the census year (never the day of the run: same input, same
                           * bytes) */
} build_options;

/* Runs the pipeline and writes the outputs. On failure nothing in outdir changes. */
ptce_status build_run(ptce_ctx *ctx, const build_options *opts);

#endif
