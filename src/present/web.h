/*
 * present/web.h — what the web map shows: the fields of its points (the PTCE card) and
 * areas, the evolution of each PTCE with --previous, the territories of the selector.
 *
 * Owns: the web layers (built from the run, its aggregation and, with --previous, the
 * diff) and the carto_web_map handed to write/out_web.c, which prints it. Does not write files
 * itself and decides no colour: sectors, palettes and precision classes come from styles.
 * Everything it allocates is freed by web_layers_free; strings point into the run.
 */
#ifndef PTCE_PRESENT_WEB_H
#define PTCE_PRESENT_WEB_H

#include "aggregate/aggregate.h"
#include "diff/diff.h"
#include "present/layout.h"
#include "present/styles.h"
#include "present/layers.h"
#include "model/run.h"
#include "write/cartography.h"

/* Where a web point comes from: a placed row of a run, with its evolution. */
typedef enum web_evolution {
    WEB_EVOL_NONE,      /* no --previous */
    WEB_EVOL_PRESENT,   /* in both censuses */
    WEB_EVOL_NEW,       /* in the current census only */
    WEB_EVOL_CEASED     /* in the previous census only (drawn at its old place) */
} web_evolution;

typedef struct web_points {
    layer out;
    const ptce_run *run;
    size_t *rows;            /* owned: indexes of placed rows of `run` */
    unsigned char *evol;     /* owned: web_evolution per point */
    char *const *notes;      /* the placement note of each row of `run` (layers_set's), or
                              * NULL; not owned */
    size_t n;
} web_points;

typedef struct web_areas {
    layer out;
    const aggregate_area_stats *areas;
    const GEOSGeometry *const *geoms; /* not owned: the simplified polygons; NULL: the
                                       * areas' own (already simplified) polygons */
    int has_previous;
    const refdata *rd;        /* with `kind`: the reference areas these are, whose polygons'
                               * bytes the image holds; NULL: none */
    refdata_area_kind kind;
} web_areas;

typedef struct web_layers {
    web_points points, ceased;
    web_areas areas[CARTO_WEB_AREA_KINDS];
    int has_area[CARTO_WEB_AREA_KINDS];
    carto_style_category *sectors;          /* owned */
    carto_web_precision accuracies[STYLES_ACCURACY_CLASSES];
    carto_web_territory territories[LAYOUT_ZONES];
    char title[128], subtitle[200], software[64];
    carto_web_map map;
} web_layers;

/* The inputs: `diff` and `previous` NULL without --previous; `region_geoms` and
 * `dep_geoms` the simplified polygons, in the aggregation's order. `tiles` and
 * `attribution` from --tuiles / --attribution (NULL: our own outlines only). */
typedef struct web_inputs {
    const ptce_run *run;
    const aggregation *agg;
    const layers_set *ls;
    const GEOSGeometry *const *region_geoms;
    const GEOSGeometry *const *dep_geoms;
    const layout_national *layout;
    const ptce_run *previous;
    const diff_result *diff;
    const char *tiles, *attribution;
    int year;
} web_inputs;

ptce_status web_layers_build(ptce_ctx *ctx, const web_inputs *in, web_layers *out);
void web_layers_free(web_layers *w);

/* The name of the folder written beside the other outputs. */
#define WEB_FOLDER "web"

#endif
