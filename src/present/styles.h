/*
 * present/styles.h — what the map looks like: classes of the choropleth, colours of the
 * sectors. Decided here once, so the QGIS styles, the QGIS project and the SVG map agree.
 */
#ifndef PTCE_PRESENT_STYLES_H
#define PTCE_PRESENT_STYLES_H

#include "aggregate/aggregate.h"
#include "model/placement.h"
#include "model/sectors.h"
#include "write/cartography.h"

#define STYLE_MAX_CLASSES 5

typedef struct choropleth {
    style_class classes[STYLE_MAX_CLASSES];
    char labels[STYLE_MAX_CLASSES][64];
    size_t n;
} choropleth;

/* Classes of PTCE per 100,000 inhabitants over `areas`: quantile breaks rounded to two
 * decimals (five classes at most, fewer when values repeat), first class from 0, last
 * class up to the maximum, French labels ("0,25 – 0,5"), a sequential palette. */
void styles_choropleth(const area_stats *areas, size_t n, choropleth *out);

/* The colour of the class holding v. */
const char *styles_class_color(const choropleth *c, double v);

/* One category per sector of the taxonomy (id, label, colour); `cats` holds
 * taxonomy_count(t) entries. */
void styles_sectors(const taxonomy *t, style_category *cats);

/* The points drawn hollow: approximate placements (geo_accuracy_is_approximate), read from
 * the points' POINT_ACCURACY_FIELD, with their legend entry. `values` holds the two
 * values; both live as long as the caller keeps them. */
void styles_hollow_points(style_hollow *out, const char *values[2]);

/* The legend entry of the hollow points. */
#define STYLES_HOLLOW_LABEL "Cercle vide : point approch\xC3\xA9"

/* The choropleth palette (light to dark), the same for QGIS, the SVG map and the web map. */
const char *const *styles_palette(size_t *n);

/* The diverging palette of a change between two censuses: strong decrease, decrease,
 * stable, increase, strong increase. */
const char *const *styles_palette_change(size_t *n);

/* The classes of placement accuracy (geo_accuracy, GEO_ACCURACY_NONE left out), by the
 * name the points carry in POINT_ACCURACY_FIELD, with their French label and whether they
 * are drawn hollow (geo_accuracy_is_approximate): for the web map's legend and card. */
#define STYLES_ACCURACY_CLASSES GEO_ACCURACY_DEPARTEMENT
void styles_accuracies(web_precision out[STYLES_ACCURACY_CLASSES]);

#endif
