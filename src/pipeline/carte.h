/*
 * pipeline/carte.h — the layers of carte/, the national layout: the true-position layers'
 * features redrawn with the overseas regions as insets (geom/layout.h), plus the insets'
 * frames. Every feature carries `deplace` (1 when its geometry was moved and scaled, so its
 * coordinates are not a real position) and `echelle` (its scale relative to Lambert-93).
 * The points keep only what drawing and labelling need (id, nom, insee, commune, code_reg,
 * secteur); the areas keep all their figures, which the choropleth draws.
 */
#ifndef PTCE_PIPELINE_CARTE_H
#define PTCE_PIPELINE_CARTE_H

#include "geom/layout.h"
#include "pipeline/layers.h"

typedef struct carte_layer {
    layer out;                 /* what the writers get */
    const layer *base;         /* the true-position layer it redraws */
    field_def *fields;         /* owned: kept base fields + deplace + echelle */
    size_t *kept;              /* owned: index in the base layer of each kept field */
    size_t nkept;
    const layout_zone **zones; /* owned array: zone of each feature */
    double *x, *y;             /* owned: layout coordinates of points */
    GEOSGeometry **geoms;      /* owned: layout geometry of polygons */
    struct carte *carte;
} carte_layer;

typedef struct carte {
    national_layout layout;
    carte_layer points, regions, deps;
    layer frames;
    GEOSGeometry *frame_geoms[LAYOUT_ZONES - 1];
    crs_target crs;            /* EPSG:2154 .prj, no transformation (layout coordinates) */
    ptce_ctx *ctx;
} carte;

ptce_status carte_build(ptce_ctx *ctx, refdata *rd, layer_set *ls, carte *out);
void carte_free(carte *c);

#endif
