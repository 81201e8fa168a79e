/*
 * app/run.h — the order of the stages: load (census, reference data, taxonomy), geocode,
 * classify; and freeing what a run holds. The run itself is model/run.h; the stages' own
 * headers come with this one, for the commands that drive them.
 */
#ifndef PTCE_APP_RUN_H
#define PTCE_APP_RUN_H

#include "census/census.h"
#include "classify/classify.h"
#include "geocode/geocode.h"
#include "model/run.h"

/* Reads the census, the reference data and the taxonomy. */
ptce_status run_load(ptce_ctx *ctx, const run_options *opts, ptce_run *run);
/* Geocodes every row. */
ptce_status run_geocode(ptce_ctx *ctx, ptce_run *run);
/* Classifies every row. */
ptce_status run_classify(ptce_ctx *ctx, ptce_run *run);
void run_free(ptce_run *run);

#endif
