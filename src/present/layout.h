/*
 * present/layout.h — the national layout: metropolitan France in Lambert-93 with the five
 * overseas regions as insets beside it.
 *
 * Each overseas region is projected in its own legal CRS (Guadeloupe and Martinique
 * RGAF09 / UTM 20N, Guyane RGFG95 / UTM 22N, La Réunion RGR92 / UTM 40S, Mayotte
 * RGM04 / UTM 38S), then scaled about the centre of its extent and moved into its frame in
 * a column west of Brittany, off the Atlantic coast. Layout coordinates are metres of the
 * Lambert-93 plane, but only metropolitan features are at their true position there:
 * moved features must be flagged by whoever writes them, and never mixed with
 * true-position layers.
 */
#ifndef PTCE_PRESENT_LAYOUT_H
#define PTCE_PRESENT_LAYOUT_H

#include "geom/geom.h"
#include "present/layers.h"
#include "refdata/refdata.h"

#define LAYOUT_ZONES 6

typedef struct layout_zone {
    const char *code_reg;   /* "01"… for an inset; "" for metropolitan France */
    const char *label;      /* "Guadeloupe" */
    int epsg;
    double scale;           /* enlargement of the inset relative to Lambert-93 */
    geom_crs_target crs;         /* from WGS 84 to the zone's legal CRS */
    double anchor[2];       /* centre of the zone's extent, in its CRS */
    double target[2];       /* where that centre goes in the layout */
    double frame[4];        /* the inset's box in the layout: xmin ymin xmax ymax */
} layout_zone;

typedef struct layout_national {
    layout_zone zones[LAYOUT_ZONES]; /* [0] is metropolitan France */
    double extent[4];                /* the printed page around everything */
    /* The zoom inset on Paris and its inner suburbs (the départements of LAYOUT_ZOOM_DEPS),
     * drawn again LAYOUT_ZOOM_SCALE times larger over the Channel: what it shows and where,
     * both in layout coordinates (xmin ymin xmax ymax). */
    double zoom_src[4];
    double zoom_dst[4];
    double zoom_scale;
    const char *zoom_label;
} layout_national;

#define LAYOUT_ZOOM_DEPS "75,92,93,94"
#define LAYOUT_ZOOM_SCALE 4.0

/* Prepares the six projections and places the insets (their size comes from the regions'
 * polygons in `rd`). */
ptce_status layout_open(ptce_ctx *ctx, refdata *rd, layout_national *out);
void layout_close(layout_national *l);

/* The zone that draws a region: its inset for the five overseas regions, else [0]. */
const layout_zone *layout_zone_of(const layout_national *l, const char *code_reg);

/* A WGS 84 point of region `code_reg` in layout coordinates. */
int layout_point(const layout_zone *z, double lon, double lat, double *x, double *y);

/* A WGS 84 geometry of region `code_reg` in layout coordinates (new, owned by caller). */
GEOSGeometry *layout_geometry(ptce_ctx *ctx, const layout_zone *z, const GEOSGeometry *g);

/* The frame of an inset as a polygon (new, owned by caller). */
GEOSGeometry *layout_frame(ptce_ctx *ctx, const layout_zone *z);

/* ==== the layers of carte/ =================================================================
 * The true-position layers' features redrawn through the zones above, plus the insets'
 * frames. Every feature carries `deplace` (1 when its geometry was moved and scaled, so its
 * coordinates are not a real position) and `echelle` (its scale relative to Lambert-93).
 * The points keep only what drawing and labelling need (id, nom, insee, commune, code_reg,
 * secteur); the areas keep all their figures, which the choropleth draws.
 */

typedef struct layout_carte_layer {
    layer out;                 /* what the writers get */
    const layer *base;         /* the true-position layer it redraws */
    layer_field_def *fields;         /* owned: kept base fields + deplace + echelle */
    size_t *kept;              /* owned: index in the base layer of each kept field */
    size_t nkept;
    const layout_zone **zones; /* owned array: zone of each feature */
    double *x, *y;             /* owned: layout coordinates of points */
    GEOSGeometry **geoms;      /* owned: layout geometry of polygons */
    struct carte *carte;
} layout_carte_layer;

typedef struct carte {
    layout_national layout;
    layout_carte_layer points, regions, deps;
    layer frames;
    GEOSGeometry *frame_geoms[LAYOUT_ZONES - 1];
    geom_crs_target crs;            /* EPSG:2154 .prj, no transformation (layout coordinates) */
    ptce_ctx *ctx;
} carte;

/* `regions` and `deps` are the area layers to redraw (the build passes the web variants:
 * about 500 m of detail is finer than the layout's print, and ten times lighter than the
 * IGN outlines of the true-position layers). */
ptce_status layout_carte_build(ptce_ctx *ctx, refdata *rd, layers_set *ls, const layer *regions,
                        const layer *deps, carte *out);
void layout_carte_free(carte *c);

#endif
