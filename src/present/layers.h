/*
 * present/layers.h — the output layers of a run, described for the writers.
 *
 * Owns: which fields each layer has (names within the 10-byte DBF limit, listed in the
 * user guide) and how a row or an area fills them. The writers only print.
 */
#ifndef PTCE_PRESENT_LAYERS_H
#define PTCE_PRESENT_LAYERS_H

#include "aggregate/aggregate.h"
#include "model/run.h"
#include "write/layer.h"

/* The points' field that says how close the point is to the place (geo_accuracy_name()):
 * "lieu", "commune", "approche", "departement". The styles draw the last two hollow. */
#define POINT_ACCURACY_FIELD "exactitude"

typedef enum area_kind {
    AREA_REGION,
    AREA_DEPARTEMENT,
    AREA_EPCI,
    AREA_GROUP,
    AREA_KINDS
} area_kind;

struct layer_set;

/* A polygon layer of areas (regions, départements, EPCI or groups). */
typedef struct area_layer {
    layer out;                 /* what the writers get */
    struct layer_set *ls;
    area_kind kind;
    const area_stats *areas;
    const GEOSGeometry **geoms; /* not owned; NULL: the areas' own polygons */
} area_layer;

typedef struct layer_set {
    layer points;        /* placed rows */
    area_layer region_layer; /* 18 regions */
    area_layer dep_layer;    /* 101 départements */
    area_layer epci_layer;   /* 1,255 EPCI, on their simplified outlines (see aggregate.h) */
    layer rejects;       /* rows not placed: ambiguous and rejected, with the reason */
    /* Private state behind the callbacks. */
    ptce_run *run;
    aggregation *agg;
    size_t *placed;      /* indices of placed rows */
    size_t *unplaced;    /* indices of rows not placed */
    char **notes;        /* each row's note in French (present/note.h), "" when none */
    field_def *area_fields[AREA_KINDS];
    size_t area_nfields[AREA_KINDS];
    char **sector_field_names;
} layer_set;

/* The name of the count field of sector s of the taxonomy: "n_" and its short name cut to 8
 * bytes ("n_circul"). */
void layers_sector_field(const taxonomy *t, size_t s, char buf[16]);

ptce_status layers_build(ptce_ctx *ctx, ptce_run *run, aggregation *agg, layer_set *out);

/* Describes n areas as a polygon layer `name`; `geoms` replaces their polygons when not
 * NULL (simplified variants). `out` must live as long as the layer is written. */
ptce_status layers_area(ptce_ctx *ctx, layer_set *ls, area_kind kind, const area_stats *areas,
                        size_t n, const GEOSGeometry **geoms, const char *name, const char *title,
                        area_layer *out);
void layers_free(layer_set *ls);

/* A view of some features of a layer (those whose keep[i] is set), in the same order. */
typedef struct layer_view {
    layer out;
    const layer *base;
    size_t *index;             /* owned */
} layer_view;

ptce_status layer_view_make(ptce_ctx *ctx, const layer *base, const unsigned char *keep,
                            layer_view *out);
void layer_view_free(layer_view *v);

#endif
