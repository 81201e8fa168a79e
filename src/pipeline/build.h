/*
 * pipeline/build.h — `ptce-map build`: the whole pipeline from a census file to the map's
 * files, all or nothing.
 */
#ifndef PTCE_PIPELINE_BUILD_H
#define PTCE_PIPELINE_BUILD_H

#include "pipeline/run.h"

typedef struct build_options {
    run_options run;
    const char *outdir;   /* default "out" */
    int epsg;             /* CRS of the true-position Shapefiles; 4326 by default */
} build_options;

/* Runs the pipeline and writes the outputs. On failure nothing in outdir changes. */
ptce_status ptce_build(ptce_ctx *ctx, const build_options *opts);

#endif
