/*
 * present/styles.h — what the map looks like: classes of the choropleth, colours of the
 * sectors. Decided here once, so the QGIS styles (files and GeoPackage), the QGIS project,
 * the SVG map and the PDF/PNG drawn from it agree.
 *
 * The colours are chosen together: the sector colours (data/taxonomie.txt) and the class
 * ramp below are checked by tests/unit/test_palette.c to stay apart (CIEDE2000) for normal
 * vision and simulated protanopia, deuteranopia and tritanopia (Machado et al. 2009), so no
 * two sectors, and no sector and class, can be confused.
 */
#ifndef PTCE_PRESENT_STYLES_H
#define PTCE_PRESENT_STYLES_H

#include "aggregate/aggregate.h"
#include "model/placement.h"
#include "model/sectors.h"
#include "write/cartography.h"

/* "Aucun PTCE" plus five classes at most. */
#define STYLES_MAX_CLASSES 6
#define STYLES_RAMP_CLASSES 5

/* The sequential ramp of the classes, light to dark, and the colour under the hatching of
 * the "aucun PTCE" class. */
extern const char *const styles_ramp[STYLES_RAMP_CLASSES];
#define STYLES_NONE_COLOR "#ffffff"

typedef struct choropleth {
    carto_style_class classes[STYLES_MAX_CLASSES];
    char labels[STYLES_MAX_CLASSES][64];
    size_t n;
} choropleth;

/* Classes of PTCE per 100,000 inhabitants over `areas`: first, when some area has no PTCE,
 * a hatched "Aucun PTCE" class (0 – 0); then quantile breaks of the other areas' rates
 * rounded to two decimals (five classes at most, fewer when values repeat), the last class
 * up to the maximum, a sequential palette. Labels are French and end with the number of
 * areas in the class: "0,25 – 0,5 (3)". False when memory ran out (out is then empty). */
bool styles_choropleth(const aggregate_area_stats *areas, size_t n, choropleth *out);

/* The class holding v (the "aucun PTCE" class for an area with no PTCE). */
const carto_style_class *styles_class_of(const choropleth *c, double v);

/* The colour of the class holding v. */
const char *styles_class_color(const choropleth *c, double v);

/* One category per sector of the taxonomy (id, label, colour); `cats` holds
 * sectors_count(t) entries. With `counts` (PTCE per sector, may be NULL), the labels end
 * with the count, written into `labels` (sectors_count(t) entries). */
void styles_sectors(const taxonomy *t, const long *counts, char (*labels)[128],
                    carto_style_category *cats);

/* The points drawn hollow: approximate placements (geo_accuracy_is_approximate), read from
 * the points' LAYERS_POINT_ACCURACY_FIELD, with their legend entry. `values` holds the two
 * values; both live as long as the caller keeps them. */
void styles_hollow_points(carto_style_hollow *out, const char *values[2]);

/* The legend entry of the hollow points. */
#define STYLES_HOLLOW_LABEL "Cercle vide : point approch\xC3\xA9"

/* The choropleth palette (light to dark), the same for QGIS, the SVG map and the web map. */
const char *const *styles_palette(size_t *n);

/* The diverging palette of a change between two censuses: strong decrease, decrease,
 * stable, increase, strong increase. */
const char *const *styles_palette_change(size_t *n);

/* The classes of placement accuracy (geo_accuracy, GEO_ACCURACY_NONE left out), by the
 * name the points carry in LAYERS_POINT_ACCURACY_FIELD, with their French label and whether they
 * are drawn hollow (geo_accuracy_is_approximate): for the web map's legend and card. */
#define STYLES_ACCURACY_CLASSES GEO_ACCURACY_DEPARTEMENT
void styles_accuracies(carto_web_precision out[STYLES_ACCURACY_CLASSES]);

#endif
