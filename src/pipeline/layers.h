/*
 * pipeline/layers.h — the output layers of a run, described for the writers.
 *
 * Owns: which fields each layer has (names within the 10-byte DBF limit, listed in the
 * user guide) and how a row or an area fills them. The writers only print.
 */
#ifndef PTCE_PIPELINE_LAYERS_H
#define PTCE_PIPELINE_LAYERS_H

#include "aggregate/aggregate.h"
#include "pipeline/run.h"
#include "write/layer.h"

typedef struct layer_set {
    layer points;        /* placed rows */
    layer regions;       /* 18 regions */
    layer deps;          /* 101 départements */
    layer rejects;       /* rows not placed: ambiguous and rejected, with the reason */
    /* Private state behind the callbacks. */
    ptce_run *run;
    aggregation *agg;
    size_t *placed;      /* indices of placed rows */
    size_t *unplaced;    /* indices of rows not placed */
    field_def *area_fields[2];
    char **sector_field_names;
} layer_set;

ptce_status layers_build(ptce_ctx *ctx, ptce_run *run, aggregation *agg, layer_set *out);
void layers_free(layer_set *ls);

#endif
