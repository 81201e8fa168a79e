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
#define LAYERS_POINT_ACCURACY_FIELD "exactitude"

typedef enum layers_area_kind {
    LAYERS_AREA_REGION,
    LAYERS_AREA_DEPARTEMENT,
    LAYERS_AREA_EPCI,
    LAYERS_AREA_GROUP,
    LAYERS_AREA_KINDS
} layers_area_kind;

struct layers_set;

/* A polygon layer of areas (regions, départements, EPCI or groups). */
typedef struct layers_area_layer {
    layer out;                 /* what the writers get */
    struct layers_set *ls;
    layers_area_kind kind;
    const aggregate_area_stats *areas;
    const GEOSGeometry **geoms; /* not owned; NULL: the areas' own polygons */
} layers_area_layer;

typedef struct layers_set {
    layer points;        /* placed rows */
    layers_area_layer region_layer; /* 18 regions */
    layers_area_layer dep_layer;    /* 101 départements */
    layers_area_layer epci_layer;   /* 1,255 EPCI, on their simplified outlines (see aggregate.h) */
    layer rejects;       /* rows not placed: ambiguous and rejected, with the reason */
    /* Private state behind the callbacks. */
    ptce_run *run;
    aggregation *agg;
    size_t *placed;      /* indices of placed rows */
    size_t *unplaced;    /* indices of rows not placed */
    char **notes;        /* each row's note in French (present/note.h), "" when none */
    layer_field_def *area_fields[LAYERS_AREA_KINDS];
    size_t area_nfields[LAYERS_AREA_KINDS];
    char **sector_field_names;
    int prebuilt;        /* the image's polygon bytes are those of our writers: used */
} layers_set;

/* The name of the count field of sector s of the taxonomy: "n_" and its short name cut to 8
 * bytes ("n_circul"). */
void layers_sector_field(const taxonomy *t, size_t s, char buf[16]);

ptce_status layers_build(ptce_ctx *ctx, ptce_run *run, aggregation *agg, layers_set *out);

/* Describes n areas as a polygon layer `name`; `geoms` replaces their polygons when not
 * NULL (simplified variants). `out` must live as long as the layer is written. */
ptce_status layers_area(ptce_ctx *ctx, layers_set *ls, layers_area_kind kind, const aggregate_area_stats *areas,
                        size_t n, const GEOSGeometry **geoms, const char *name, const char *title,
                        layers_area_layer *out);
void layers_free(layers_set *ls);

/* A view of some features of a layer (those whose keep[i] is set), in the same order. */
typedef struct layers_view {
    layer out;
    const layer *base;
    size_t *index;             /* owned */
} layers_view;

ptce_status layers_view_make(ptce_ctx *ctx, const layer *base, const unsigned char *keep,
                            layers_view *out);
void layers_view_free(layers_view *v);

#endif
