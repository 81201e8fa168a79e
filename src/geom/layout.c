/*
 * geom/layout.c — see layout.h.
 *
 * The scales follow the usual French practice (INSEE's cartiflette, IGN's maps): small
 * islands enlarged 1.5 times, Mayotte 2.5 times so that it reads, Guyane reduced to 0.35.
 */
#include "geom/layout.h"

#include <float.h>
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"

static const struct {
    const char *code_reg;
    const char *label;
    int epsg;
    double scale;
} zone_defs[LAYOUT_ZONES] = {
    {"", "France métropolitaine", 2154, 1.0},
    {"01", "Guadeloupe", 5490, 1.5},
    {"02", "Martinique", 5490, 1.5},
    {"03", "Guyane", 2972, 0.35},
    {"04", "La Réunion", 2975, 1.5},
    {"06", "Mayotte", 4471, 2.5},
};

/* The insets' column: centred on this easting, from this northing down, with this gap. */
#define COLUMN_X (-80000.0)
#define COLUMN_TOP 7110000.0
#define FRAME_GAP 25000.0
#define FRAME_MARGIN 12000.0

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

ptce_status layout_open(ptce_ctx *ctx, refdata *rd, national_layout *out)
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
        z->epsg = zone_defs[i].epsg;
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
    return PTCE_OK;
}

void layout_close(national_layout *l)
{
    for (int i = 0; i < LAYOUT_ZONES; i++)
        geom_crs_close(&l->zones[i].crs);
}

const layout_zone *layout_zone_of(const national_layout *l, const char *code_reg)
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
