/*
 * present/styles.c — see styles.h.
 */
#include "present/styles.h"

#include "present/layers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A blue-grey ramp, light for few PTCE, dark for many: muted, so that the sector colours
 * of the points stand out on every class (tests/unit/test_palette.c). */
const char *const styles_ramp[STYLES_RAMP_CLASSES] = {"#e6ebf1", "#c3cedc", "#9aabc2",
                                                     "#6f86a5", "#465f82"};
#define palette styles_ramp

/* ColorBrewer RdBu, 5 classes, reversed: red for fewer PTCE, blue for more. */
static const char *const palette_change[5] = {"#b2182b", "#ef8a62", "#f7f7f7", "#67a9cf",
                                              "#2166ac"};

/* The French of each accuracy class, for the web map (the names and which are hollow are
 * the model's: geo_accuracy_name, geo_accuracy_is_approximate). */
static const char *const accuracy_labels[STYLES_ACCURACY_CLASSES + 1] = {
    [GEO_ACCURACY_PLACE] = "Le lieu même (coordonnées du recensement ou adresse)",
    [GEO_ACCURACY_COMMUNE] = "Point de la commune",
    [GEO_ACCURACY_APPROXIMATE] = "Point approché (la commune n'a pas de point propre)",
    [GEO_ACCURACY_DEPARTEMENT] = "Département seulement (son chef-lieu)",
};

const char *const *styles_palette(size_t *n)
{
    *n = STYLES_RAMP_CLASSES;
    return palette;
}

const char *const *styles_palette_change(size_t *n)
{
    *n = sizeof palette_change / sizeof *palette_change;
    return palette_change;
}

void styles_accuracies(carto_web_precision out[STYLES_ACCURACY_CLASSES])
{
    for (int a = GEO_ACCURACY_PLACE; a <= STYLES_ACCURACY_CLASSES; a++)
        out[a - 1] = (carto_web_precision){geo_accuracy_name((geo_accuracy)a), accuracy_labels[a],
                                     geo_accuracy_is_approximate((geo_accuracy)a)};
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* "0,25": two decimals at most, French decimal comma, trailing zeros trimmed. */
static void french_number(double v, char *out, size_t size)
{
    snprintf(out, size, "%.2f", v);
    char *dot = strchr(out, '.');
    if (!dot)
        return;
    *dot = ',';
    char *end = out + strlen(out) - 1;
    while (end > dot && *end == '0')
        *end-- = '\0';
    if (end == dot)
        *end = '\0';
}

static void class_label(char *out, size_t size, const char *lo, const char *hi, size_t count)
{
    snprintf(out, size, "%s \xE2\x80\x93 %s (%zu)", lo, hi, count);
}

bool styles_choropleth(const aggregate_area_stats *areas, size_t n, choropleth *out)
{
    memset(out, 0, sizeof *out);
    /* The areas without PTCE get their own class; the others are cut into quantiles. */
    size_t nzero = 0;
    for (size_t i = 0; i < n; i++)
        nzero += areas[i].count == 0;
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return false; /* other classes, silently, would be another map */
    size_t nv = 0;
    double max = 0;
    for (size_t i = 0; i < n && v; i++) {
        if (areas[i].count == 0)
            continue;
        v[nv++] = areas[i].per_100k;
        if (areas[i].per_100k > max)
            max = areas[i].per_100k;
    }
    double breaks[STYLES_RAMP_CLASSES + 1];
    size_t nb = 0;
    breaks[nb++] = 0;
    if (v && nv > 0) {
        qsort(v, nv, sizeof *v, cmp_double);
        for (size_t k = 1; k < STYLES_RAMP_CLASSES; k++) {
            double q = v[(nv * k) / STYLES_RAMP_CLASSES];
            double rounded = round(q * 100) / 100;
            if (rounded > breaks[nb - 1] && rounded < max)
                breaks[nb++] = rounded;
        }
    }
    free(v);
    /* The last class ends at the maximum, rounded up so that it holds it. */
    double top = ceil(max * 100) / 100;
    if (top <= breaks[nb - 1])
        top = breaks[nb - 1] + 0.01;
    breaks[nb++] = top;
    size_t c0 = 0;
    if (nzero > 0) {
        snprintf(out->labels[0], sizeof out->labels[0], "Aucun PTCE (%zu)", nzero);
        out->classes[0] = (carto_style_class){.lower = 0, .upper = 0, .label = out->labels[0],
                                        .color = STYLES_NONE_COLOR, .hatched = 1};
        c0 = 1;
    }
    /* Only areas without PTCE: their class alone. */
    size_t nclasses = nv == 0 && nzero > 0 ? 0 : nb - 1;
    for (size_t c = 0; c < nclasses; c++) {
        char lo[24], hi[24];
        french_number(breaks[c], lo, sizeof lo);
        french_number(breaks[c + 1], hi, sizeof hi);
        size_t count = 0;
        for (size_t i = 0; i < n; i++)
            if (areas[i].count > 0 && areas[i].per_100k <= breaks[c + 1] &&
                (c == 0 || areas[i].per_100k > breaks[c]))
                count++;
        class_label(out->labels[c0 + c], sizeof out->labels[c0 + c], lo, hi, count);
        /* Spread the palette over the classes there are, darkest for the last. */
        size_t shade = nclasses == 1 ? 2 : c * (STYLES_RAMP_CLASSES - 1) / (nclasses - 1);
        out->classes[c0 + c] = (carto_style_class){.lower = breaks[c], .upper = breaks[c + 1],
                                             .label = out->labels[c0 + c],
                                             .color = palette[shade]};
    }
    out->n = c0 + nclasses;
    return true;
}

const carto_style_class *styles_class_of(const choropleth *c, double v)
{
    for (size_t i = 0; i < c->n; i++)
        if (v <= c->classes[i].upper)
            return &c->classes[i];
    return c->n ? &c->classes[c->n - 1] : NULL;
}

const char *styles_class_color(const choropleth *c, double v)
{
    const carto_style_class *k = styles_class_of(c, v);
    return k ? k->color : palette[0];
}

void styles_sectors(const taxonomy *t, const long *counts, char (*labels)[128],
                    carto_style_category *cats)
{
    for (size_t i = 0; i < sectors_count(t); i++) {
        const char *label = sectors_label(t, i);
        if (counts && labels) {
            snprintf(labels[i], sizeof labels[i], "%s (%ld)", label, counts[i]);
            label = labels[i];
        }
        cats[i] = (carto_style_category){sectors_id(t, i), label,
                                   sectors_color(t, i)};
    }
}

void styles_hollow_points(carto_style_hollow *out, const char *values[2])
{
    values[0] = geo_accuracy_name(GEO_ACCURACY_APPROXIMATE);
    values[1] = geo_accuracy_name(GEO_ACCURACY_DEPARTEMENT);
    *out = (carto_style_hollow){LAYERS_POINT_ACCURACY_FIELD, values, 2, STYLES_HOLLOW_LABEL};
}
