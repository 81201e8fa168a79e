/*
 * present/project.c — see project.h.
 */
#include "present/project.h"

#include "geom/geom.h"

/* Which of the build's styles a layer draws with. */
typedef enum project_style {
    STYLE_SECTORS,  /* categorised points on `secteur` */
    STYLE_REGIONS,  /* graduated on ptce_100k, the regions' classes */
    STYLE_DEPS,     /* the départements' classes */
    STYLE_EPCI,     /* the EPCI's classes */
    STYLE_GROUPS,   /* the groups' classes */
    STYLE_FRAMES    /* the insets' boxes: no fill */
} project_style;

typedef struct project_layer_def {
    const char *id;
    const char *name;        /* shown in the layer panel */
    const char *source;      /* relative to the project */
    const char *geometry;    /* "Point" or "Polygon" */
    int layout;              /* 1: carte/, in layout coordinates (EPSG:2154); 0: true position */
    int visible;
    project_style style;
    const char *label_attr;  /* NULL for no labels; a field, or an expression when it
                              * starts with a double quote */
    int needs_groups;        /* only when --groups was given */
} project_layer_def;


#define LAYOUT_EPSG GEOM_EPSG_LAMBERT93
#define GROUP_LAYOUT "Carte nationale"
#define GROUP_TRUE "Position réelle"
#define CLASS_ATTR "ptce_100k"
#define SECTOR_ATTR "secteur"

/* The national layout ready to print on top, the true positions beside, hidden. */
static const project_layer_def layer_defs[] = {
    {"carte_cadres", "Encarts d'outre-mer", "./carte/cadres.shp", "Polygon", 1, 1,
     STYLE_FRAMES, "nom", 0},
    {"carte_ptce_points", "PTCE par secteur", "./carte/ptce_points.shp", "Point", 1, 1,
     STYLE_SECTORS, NULL, 0},
    {"carte_ptce_regions", "PTCE pour 100 000 hab. (régions)", "./carte/ptce_regions.shp",
     "Polygon", 1, 1, STYLE_REGIONS, PROJECT_REGION_LABEL, 0},
    {"carte_ptce_departements", "PTCE pour 100 000 hab. (départements)",
     "./carte/ptce_departements.shp", "Polygon", 1, 0, STYLE_DEPS, NULL, 0},
    {"ptce_points", "PTCE (position réelle)", "./ptce_points.shp", "Point", 0, 0,
     STYLE_SECTORS, NULL, 0},
    {"ptce_regions", "Régions", "./ptce_regions.shp", "Polygon", 0, 0, STYLE_REGIONS,
     "nom_reg", 0},
    {"ptce_departements", "Départements", "./ptce_departements.shp", "Polygon", 0, 0,
     STYLE_DEPS, NULL, 0},
    {"ptce_epci", "EPCI (intercommunalités)", "./ptce_epci.shp", "Polygon", 0, 0, STYLE_EPCI,
     NULL, 0},
    {"ptce_groupes", "Groupes", "./ptce_groupes.shp", "Polygon", 0, 0, STYLE_GROUPS,
     "groupe", 1},
};

#define NDEFS (sizeof layer_defs / sizeof *layer_defs)
_Static_assert(NDEFS <= PROJECT_MAX_LAYERS, "PROJECT_MAX_LAYERS is smaller than the list");

size_t project_layers(const project_styles *st, carto_qgs_layer *out)
{
    size_t n = 0;
    for (size_t i = 0; i < NDEFS; i++) {
        const project_layer_def *d = &layer_defs[i];
        if (d->needs_groups && !st->has_groups)
            continue;
        carto_qgs_layer l = {.id = d->id, .name = d->name, .source = d->source,
                       .geometry = d->geometry,
                       .epsg = d->layout ? LAYOUT_EPSG : st->true_epsg,
                       .group = d->layout ? GROUP_LAYOUT : GROUP_TRUE,
                       .visible = d->visible, .label_attr = d->label_attr,
                       .label_is_expression = d->label_attr && d->label_attr[0] == '"'};
        const choropleth *c = NULL;
        switch (d->style) {
        case STYLE_SECTORS:
            l.cats = st->sectors;
            l.ncats = st->nsectors;
            l.cat_attr = SECTOR_ATTR;
            l.hollow = st->hollow;
            break;
        case STYLE_REGIONS: c = st->regions; break;
        case STYLE_DEPS: c = st->deps; break;
        case STYLE_EPCI: c = st->epci; break;
        case STYLE_GROUPS: c = st->groups; break;
        case STYLE_FRAMES: l.frames = 1; break;
        }
        if (c) {
            l.classes = c->classes;
            l.nclasses = c->n;
            l.class_attr = CLASS_ATTR;
        }
        out[n++] = l;
    }
    return n;
}
