/*
 * present/styles.c — see styles.h.
 */
#include "present/styles.h"

#include "present/layers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ColorBrewer YlGnBu, 5 classes: light for few PTCE, dark for many. */
static const char *const palette[STYLE_MAX_CLASSES] = {"#ffffcc", "#a1dab4", "#41b6c4",
                                                       "#2c7fb8", "#253494"};

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
    *n = STYLE_MAX_CLASSES;
    return palette;
}

const char *const *styles_palette_change(size_t *n)
{
    *n = sizeof palette_change / sizeof *palette_change;
    return palette_change;
}

void styles_accuracies(web_precision out[STYLES_ACCURACY_CLASSES])
{
    for (int a = GEO_ACCURACY_PLACE; a <= STYLES_ACCURACY_CLASSES; a++)
        out[a - 1] = (web_precision){geo_accuracy_name((geo_accuracy)a), accuracy_labels[a],
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

void styles_choropleth(const area_stats *areas, size_t n, choropleth *out)
{
    memset(out, 0, sizeof *out);
    double *v = malloc((n ? n : 1) * sizeof *v);
    double max = 0;
    for (size_t i = 0; i < n && v; i++) {
        v[i] = areas[i].per_100k;
        if (v[i] > max)
            max = v[i];
    }
    double breaks[STYLE_MAX_CLASSES + 1];
    size_t nb = 0;
    breaks[nb++] = 0;
    if (v && n > 0) {
        qsort(v, n, sizeof *v, cmp_double);
        for (size_t k = 1; k < STYLE_MAX_CLASSES; k++) {
            double q = v[(n * k) / STYLE_MAX_CLASSES];
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
    out->n = nb - 1;
    for (size_t c = 0; c < out->n; c++) {
        char lo[24], hi[24];
        french_number(breaks[c], lo, sizeof lo);
        french_number(breaks[c + 1], hi, sizeof hi);
        snprintf(out->labels[c], sizeof out->labels[c], "%s – %s", lo, hi);
        /* Spread the palette over the classes there are, darkest for the last. */
        size_t shade = out->n == 1 ? 2 : c * (STYLE_MAX_CLASSES - 1) / (out->n - 1);
        out->classes[c] = (style_class){.lower = breaks[c], .upper = breaks[c + 1],
                                        .label = out->labels[c], .color = palette[shade]};
    }
}

const char *styles_class_color(const choropleth *c, double v)
{
    for (size_t i = 0; i < c->n; i++)
        if (v <= c->classes[i].upper)
            return c->classes[i].color;
    return c->n ? c->classes[c->n - 1].color : palette[0];
}

void styles_sectors(const taxonomy *t, style_category *cats)
{
    for (size_t i = 0; i < taxonomy_count(t); i++)
        cats[i] = (style_category){taxonomy_sector_id(t, i), taxonomy_sector_label(t, i),
                                   taxonomy_sector_color(t, i)};
}

void styles_hollow_points(style_hollow *out, const char *values[2])
{
    values[0] = geo_accuracy_name(GEO_ACCURACY_APPROXIMATE);
    values[1] = geo_accuracy_name(GEO_ACCURACY_DEPARTEMENT);
    *out = (style_hollow){POINT_ACCURACY_FIELD, values, 2, STYLES_HOLLOW_LABEL};
}
