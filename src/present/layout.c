/*
 * present/layout.c — see layout.h. First the zones (projections and insets), then the
 * layers of carte/ drawn through them.
 *
 * The scales follow the usual French practice (INSEE's cartiflette, IGN's maps): small
 * islands enlarged 1.5 times, Mayotte 2.5 times so that it reads, Guyane reduced to 0.35.
 */
#include "present/layout.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"

/* Each zone is drawn in its region's legal CRS (geom_region_crs). */
static const struct {
    const char *code_reg;
    const char *label;
    double scale;
} zone_defs[LAYOUT_ZONES] = {
    {"", "France métropolitaine", 1.0},
    {"01", "Guadeloupe", 1.5},
    {"02", "Martinique", 1.5},
    {"03", "Guyane", 0.35},
    {"04", "La Réunion", 1.5},
    {"06", "Mayotte", 2.5},
};

/* The insets' column: centred on this easting, from this northing down, with this gap. */
#define COLUMN_X (-80000.0)
#define COLUMN_TOP 7110000.0
#define FRAME_GAP 25000.0
#define FRAME_MARGIN 12000.0
/* The zoom: a margin around the départements, and the centre of its box over the Channel,
 * north of Brittany and west of the Cotentin (INSEE's cartiflette enlarges the inner
 * Paris départements 4 times). */
#define ZOOM_MARGIN 6000.0
#define ZOOM_CENTRE_X 225000.0
#define ZOOM_CENTRE_Y 7010000.0

static int extent_callback(double *x, double *y, void *user)
{
    double *e = user;
    if (*x < e[0])
        e[0] = *x;
    if (*y < e[1])
        e[1] = *y;
    if (*x > e[2])
        e[2] = *x;
    if (*y > e[3])
        e[3] = *y;
    return 1;
}

/* Extent of a WGS 84 geometry once projected in the zone's CRS. */
static ptce_status projected_extent(ptce_ctx *ctx, const layout_zone *z, const GEOSGeometry *g,
                                    double e[4])
{
    GEOSGeometry *p = geom_project(ctx, &z->crs, g);
    if (!p)
        return PTCE_ERR_LIBRARY;
    e[0] = e[1] = DBL_MAX;
    e[2] = e[3] = -DBL_MAX;
    GEOSGeometry *walk = GEOSGeom_transformXY_r(ctx->geos, p, extent_callback, e);
    GEOSGeom_destroy_r(ctx->geos, walk);
    GEOSGeom_destroy_r(ctx->geos, p);
    return PTCE_OK;
}

/* The zoom's source box: the extent of the zoomed départements in Lambert-93, with a
 * margin; its box: that size times the scale, centred over the Channel. */
static ptce_status layout_zoom(ptce_ctx *ctx, refdata *rd, layout_national *out)
{
    double e[4] = {DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
    char codes[] = LAYOUT_ZOOM_DEPS;
    for (char *save = NULL, *code = strtok_r(codes, ",", &save); code;
         code = strtok_r(NULL, ",", &save)) {
        departement *d = (departement *)refdata_departement(rd, code);
        const GEOSGeometry *g = d ? refdata_departement_geom(ctx, rd, d) : NULL;
        double de[4];
        if (!g)
            return ptce_fail(ctx, PTCE_ERR_DATA, "département %s sans polygone (zoom)", code);
        ptce_status st = projected_extent(ctx, &out->zones[0], g, de);
        if (st)
            return st;
        e[0] = e[0] < de[0] ? e[0] : de[0];
        e[1] = e[1] < de[1] ? e[1] : de[1];
        e[2] = e[2] > de[2] ? e[2] : de[2];
        e[3] = e[3] > de[3] ? e[3] : de[3];
    }
    double k = LAYOUT_ZOOM_SCALE;
    out->zoom_scale = k;
    out->zoom_label = "Paris et petite couronne";
    out->zoom_src[0] = e[0] - ZOOM_MARGIN;
    out->zoom_src[1] = e[1] - ZOOM_MARGIN;
    out->zoom_src[2] = e[2] + ZOOM_MARGIN;
    out->zoom_src[3] = e[3] + ZOOM_MARGIN;
    double hw = (out->zoom_src[2] - out->zoom_src[0]) * k / 2;
    double hh = (out->zoom_src[3] - out->zoom_src[1]) * k / 2;
    out->zoom_dst[0] = ZOOM_CENTRE_X - hw;
    out->zoom_dst[1] = ZOOM_CENTRE_Y - hh;
    out->zoom_dst[2] = ZOOM_CENTRE_X + hw;
    out->zoom_dst[3] = ZOOM_CENTRE_Y + hh;
    return PTCE_OK;
}

ptce_status layout_open(ptce_ctx *ctx, refdata *rd, layout_national *out)
{
    memset(out, 0, sizeof *out);
    double top = COLUMN_TOP;
    /* The page starts with metropolitan France and Corsica in Lambert-93. */
    out->extent[0] = 90000;
    out->extent[1] = 6030000;
    out->extent[2] = 1270000;
    out->extent[3] = 7130000;
    for (int i = 0; i < LAYOUT_ZONES; i++) {
        layout_zone *z = &out->zones[i];
        z->code_reg = zone_defs[i].code_reg;
        z->label = zone_defs[i].label;
        z->epsg = geom_region_crs(zone_defs[i].code_reg);
        z->scale = zone_defs[i].scale;
        ptce_status st = geom_crs_open(ctx, z->epsg, &z->crs);
        if (st) {
            layout_close(out);
            return st;
        }
        if (i == 0)
            continue;
        region *r = (region *)refdata_region(rd, z->code_reg);
        const GEOSGeometry *g = r ? refdata_region_geom(ctx, rd, r) : NULL;
        double e[4];
        if (!g || (st = projected_extent(ctx, z, g, e))) {
            layout_close(out);
            return st ? st : ptce_fail(ctx, PTCE_ERR_DATA, "région %s sans polygone", z->code_reg);
        }
        z->anchor[0] = (e[0] + e[2]) / 2;
        z->anchor[1] = (e[1] + e[3]) / 2;
        double half_w = (e[2] - e[0]) / 2 * z->scale + FRAME_MARGIN;
        double half_h = (e[3] - e[1]) / 2 * z->scale + FRAME_MARGIN;
        z->target[0] = COLUMN_X;
        z->target[1] = top - half_h;
        z->frame[0] = COLUMN_X - half_w;
        z->frame[1] = top - 2 * half_h;
        z->frame[2] = COLUMN_X + half_w;
        z->frame[3] = top;
        top -= 2 * half_h + FRAME_GAP;
        if (z->frame[0] < out->extent[0])
            out->extent[0] = z->frame[0] - FRAME_GAP;
        if (z->frame[1] < out->extent[1])
            out->extent[1] = z->frame[1] - FRAME_GAP;
    }
    return layout_zoom(ctx, rd, out);
}

void layout_close(layout_national *l)
{
    for (int i = 0; i < LAYOUT_ZONES; i++)
        geom_crs_close(&l->zones[i].crs);
}

const layout_zone *layout_zone_of(const layout_national *l, const char *code_reg)
{
    for (int i = 1; i < LAYOUT_ZONES; i++)
        if (code_reg && strcmp(l->zones[i].code_reg, code_reg) == 0)
            return &l->zones[i];
    return &l->zones[0];
}

int layout_point(const layout_zone *z, double lon, double lat, double *x, double *y)
{
    double px, py;
    if (!geom_project_point(&z->crs, lon, lat, &px, &py))
        return 0;
    if (z->code_reg[0]) {
        px = z->target[0] + (px - z->anchor[0]) * z->scale;
        py = z->target[1] + (py - z->anchor[1]) * z->scale;
    }
    *x = px;
    *y = py;
    return 1;
}

static int layout_callback(double *x, double *y, void *user)
{
    return layout_point(user, *x, *y, x, y);
}

GEOSGeometry *layout_geometry(ptce_ctx *ctx, const layout_zone *z, const GEOSGeometry *g)
{
    GEOSGeometry *out = GEOSGeom_transformXY_r(ctx->geos, g, layout_callback, (void *)z);
    if (!out)
        ptce_fail(ctx, PTCE_ERR_LIBRARY, "mise en page impossible pour %s (%s)", z->label,
                  ctx->geos_error);
    return out;
}

GEOSGeometry *layout_frame(ptce_ctx *ctx, const layout_zone *z)
{
    return GEOSGeom_createRectangle_r(ctx->geos, z->frame[0], z->frame[1], z->frame[2],
                                      z->frame[3]);
}

/* ==== the layers of carte/ ================================================================ */

/* ---- feature zones: the region that decides where a feature is drawn ---------------------- */

static const char *point_region(const layers_set *ls, size_t i)
{
    const geo_result *g = &ls->run->rows[ls->placed[i]].geo;
    return g->reg ? g->reg->code : "";
}

/* ---- callbacks -------------------------------------------------------------------------- */

static void carte_value(void *user, size_t i, size_t f, layer_field_value *v)
{
    layout_carte_layer *cl = user;
    size_t nbase = cl->nkept;
    if (f < nbase) {
        cl->base->value(cl->base->user, i, cl->kept[f], v);
    } else if (f == nbase) {
        v->integer = cl->zones[i]->code_reg[0] ? 1 : 0;
    } else {
        v->real = cl->zones[i]->scale;
    }
}

static void carte_point(void *user, size_t i, double *x, double *y)
{
    layout_carte_layer *cl = user;
    *x = cl->x[i];
    *y = cl->y[i];
}

static const GEOSGeometry *carte_polygon(void *user, size_t i)
{
    layout_carte_layer *cl = user;
    return cl->geoms[i];
}

enum { F_NOM, F_CODE_REG, F_ECHELLE, F_DEPLACE, F_COUNT };
static const layer_field_def frame_fields[F_COUNT] = {
    [F_NOM] = {"nom", LAYER_FIELD_TEXT, 60, 0},
    [F_CODE_REG] = {"code_reg", LAYER_FIELD_TEXT, 2, 0},
    [F_ECHELLE] = {"echelle", LAYER_FIELD_REAL, 6, 2},
    [F_DEPLACE] = {"deplace", LAYER_FIELD_INTEGER, 1, 0},
};

static void frame_value(void *user, size_t i, size_t f, layer_field_value *v)
{
    carte *c = user;
    const layout_zone *z = &c->layout.zones[i + 1];
    switch (f) {
    case F_NOM: v->text = z->label; break;
    case F_CODE_REG: v->text = z->code_reg; break;
    case F_ECHELLE: v->real = z->scale; break;
    case F_DEPLACE: v->integer = 1; break;
    }
}

static const GEOSGeometry *frame_polygon(void *user, size_t i)
{
    carte *c = user;
    return c->frame_geoms[i];
}

/* ---- building ----------------------------------------------------------------------------- */

/* The fields of the base layer a layout layer keeps: all of them, or the listed ones (the
 * points keep what drawing and labelling need; analysis belongs to the true positions). */
static int keeps_field(const char *const *only, const char *name)
{
    if (!only)
        return 1;
    for (; *only; only++)
        if (strcmp(*only, name) == 0)
            return 1;
    return 0;
}

static ptce_status wrap_layer(ptce_ctx *ctx, carte *c, layout_carte_layer *cl, const layer *base,
                              const char *const *only)
{
    cl->base = base;
    cl->carte = c;
    size_t n = base->nfeatures;
    cl->fields = calloc(base->nfields + 2, sizeof *cl->fields);
    cl->kept = calloc(base->nfields + 1, sizeof *cl->kept);
    cl->zones = calloc(n ? n : 1, sizeof *cl->zones);
    if (!cl->fields || !cl->zones || !cl->kept)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    cl->nkept = 0;
    for (size_t f = 0; f < base->nfields; f++)
        if (keeps_field(only, base->fields[f].name)) {
            cl->fields[cl->nkept] = base->fields[f];
            cl->kept[cl->nkept++] = f;
        }
    cl->fields[cl->nkept] = (layer_field_def){"deplace", LAYER_FIELD_INTEGER, 1, 0};
    cl->fields[cl->nkept + 1] = (layer_field_def){"echelle", LAYER_FIELD_REAL, 6, 2};
    cl->out = *base;
    cl->out.fields = cl->fields;
    cl->out.nfields = cl->nkept + 2;
    cl->out.user = cl;
    cl->out.value = carte_value;
    cl->out.point = base->point ? carte_point : NULL;
    cl->out.polygon = base->polygon ? carte_polygon : NULL;
    return PTCE_OK;
}

static ptce_status build_points(ptce_ctx *ctx, carte *c, layers_set *ls)
{
    static const char *const point_fields[] = {"id",      "nom",      "insee",
                                               "commune", "code_reg", "secteur",
                                               LAYERS_POINT_ACCURACY_FIELD, NULL};
    layout_carte_layer *cl = &c->points;
    ptce_status st = wrap_layer(ctx, c, cl, &ls->points, point_fields);
    if (st)
        return st;
    size_t n = ls->points.nfeatures;
    cl->x = calloc(n ? n : 1, sizeof *cl->x);
    cl->y = calloc(n ? n : 1, sizeof *cl->y);
    if (!cl->x || !cl->y)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t i = 0; i < n; i++) {
        cl->zones[i] = layout_zone_of(&c->layout, point_region(ls, i));
        double lon, lat;
        ls->points.point(ls->points.user, i, &lon, &lat);
        if (!layout_point(cl->zones[i], lon, lat, &cl->x[i], &cl->y[i]))
            return ptce_fail(ctx, PTCE_ERR_LIBRARY, "point %zu : projection impossible", i + 1);
    }
    return PTCE_OK;
}

static ptce_status build_areas(ptce_ctx *ctx, carte *c, layout_carte_layer *cl, const layer *base,
                               const aggregate_area_stats *areas, int is_dep)
{
    ptce_status st = wrap_layer(ctx, c, cl, base, NULL);
    if (st)
        return st;
    size_t n = base->nfeatures;
    cl->geoms = calloc(n ? n : 1, sizeof *cl->geoms);
    if (!cl->geoms)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t i = 0; i < n; i++) {
        cl->zones[i] = layout_zone_of(&c->layout, is_dep ? areas[i].parent_code : areas[i].code);
        cl->geoms[i] = layout_geometry(ctx, cl->zones[i], base->polygon(base->user, i));
        if (!cl->geoms[i])
            return PTCE_ERR_LIBRARY;
    }
    return PTCE_OK;
}

ptce_status layout_carte_build(ptce_ctx *ctx, refdata *rd, layers_set *ls, const layer *regions,
                        const layer *deps, carte *c)
{
    memset(c, 0, sizeof *c);
    c->ctx = ctx;
    ptce_status st = layout_open(ctx, rd, &c->layout);
    if (st)
        return st;
    /* Layout coordinates are already in the Lambert-93 plane: its .prj, no transformation. */
    if ((st = geom_crs_open_identity(ctx, GEOM_EPSG_LAMBERT93, &c->crs)))
        return st;
    if ((st = build_points(ctx, c, ls)) ||
        (st = build_areas(ctx, c, &c->regions, regions, ls->agg->regions, 0)) ||
        (st = build_areas(ctx, c, &c->deps, deps, ls->agg->deps, 1)))
        return st;
    for (int i = 1; i < LAYOUT_ZONES; i++)
        if (!(c->frame_geoms[i - 1] = layout_frame(ctx, &c->layout.zones[i])))
            return ptce_fail(ctx, PTCE_ERR_LIBRARY, "cadre d'encart impossible");
    c->frames = (layer){.name = "cadres", .title = "Cadres des encarts d'outre-mer",
                        .geometry = LAYER_POLYGON, .fields = frame_fields, .nfields = F_COUNT,
                        .nfeatures = LAYOUT_ZONES - 1, .user = c, .value = frame_value,
                        .polygon = frame_polygon, .credit = ls->points.credit};
    return PTCE_OK;
}

static void free_carte_layer(ptce_ctx *ctx, layout_carte_layer *cl)
{
    if (cl->geoms)
        for (size_t i = 0; i < cl->base->nfeatures; i++)
            if (cl->geoms[i])
                GEOSGeom_destroy_r(ctx->geos, cl->geoms[i]);
    free(cl->geoms);
    free(cl->fields);
    free(cl->kept);
    free(cl->zones);
    free(cl->x);
    free(cl->y);
    memset(cl, 0, sizeof *cl);
}

void layout_carte_free(carte *c)
{
    if (!c->ctx)
        return;
    free_carte_layer(c->ctx, &c->points);
    free_carte_layer(c->ctx, &c->regions);
    free_carte_layer(c->ctx, &c->deps);
    for (int i = 0; i < LAYOUT_ZONES - 1; i++)
        if (c->frame_geoms[i])
            GEOSGeom_destroy_r(c->ctx->geos, c->frame_geoms[i]);
    geom_crs_close(&c->crs);
    layout_close(&c->layout);
    memset(c, 0, sizeof *c);
}
