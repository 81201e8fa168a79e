/*
 * present/project.h — the layers of the QGIS project (ptce-map.qgs), as data: which files,
 * under which names and groups, visible or not, drawn with which of the map's styles.
 *
 * Owns: the list (project.c), top of the list drawn on top. Does not write anything:
 * project_layers() fills the writer's carto_qgs_layer array (write/cartography.h) from
 * the list and the styles decided for this build (present/styles.h).
 */
#ifndef PTCE_PRESENT_PROJECT_H
#define PTCE_PRESENT_PROJECT_H

#include <stddef.h>

#include "present/styles.h"
#include "write/cartography.h"

/* The styles a build decided, that the project's layers draw with. */
typedef struct project_styles {
    const carto_style_category *sectors; /* points by sector */
    size_t nsectors;
    const carto_style_hollow *hollow;    /* points drawn hollow */
    const choropleth *regions, *deps, *epci, *groups;
    int true_epsg;                 /* CRS of the true-position Shapefiles (--crs) */
    int has_groups;                /* --groups was given: the ptce_groupes layer exists */
} project_styles;

/* The regions of the printed map are labelled with their name and count, as on the SVG
 * map (a QGIS expression). */
#define PROJECT_REGION_LABEL "\"nom_reg\" || '\\n' || to_string(\"nb_ptce\") || ' PTCE'"

/* The most layers the project can hold. */
#define PROJECT_MAX_LAYERS 9

/* Fills `out` (PROJECT_MAX_LAYERS entries) with the project's layers; returns how many. The
 * entries point into `st` and into static strings. */
size_t project_layers(const project_styles *st, carto_qgs_layer *out);

#endif
