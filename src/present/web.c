/*
 * present/web.c — see web.h.
 */
#include "present/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/util.h"
#include "present/styles.h"

/* Decimals of the web data: 5 for points (about 1 m), 3 for the simplified outlines
 * (about 100 m, well under their simplification tolerance of 0.02°). */
#define WEB_POINT_DECIMALS 5
#define WEB_POLYGON_DECIMALS CARTO_WEB_POLYGON_DECIMALS

/* ---- points: what the PTCE card shows -------------------------------------------------------- */

enum {
    W_ID, W_NOM, W_COMMUNE, W_INSEE, W_EPCI, W_EPCI_NOM, W_DEP, W_DEP_NOM, W_REG, W_REG_NOM,
    W_SECTEUR, W_SECTEURS, W_TERMES, W_MEMBRES, W_ANNEE, W_DESCRIPTION, W_PRECISION,
    W_APPROCHE, W_NOTE, W_EVOLUTION, W_LIGNE, W_COUNT
};

/* Names are the keys of donnees.js that carte.js reads (widths are unused here). */
static const layer_field_def web_point_fields[W_COUNT] = {
    [W_ID] = {"id", LAYER_FIELD_TEXT, 0, 0},
    [W_NOM] = {"nom", LAYER_FIELD_TEXT, 0, 0},
    [W_COMMUNE] = {"commune", LAYER_FIELD_TEXT, 0, 0},
    [W_INSEE] = {"insee", LAYER_FIELD_TEXT, 0, 0},
    [W_EPCI] = {"epci", LAYER_FIELD_TEXT, 0, 0},
    [W_EPCI_NOM] = {"epci_nom", LAYER_FIELD_TEXT, 0, 0},
    [W_DEP] = {"dep", LAYER_FIELD_TEXT, 0, 0},
    [W_DEP_NOM] = {"dep_nom", LAYER_FIELD_TEXT, 0, 0},
    [W_REG] = {"reg", LAYER_FIELD_TEXT, 0, 0},
    [W_REG_NOM] = {"reg_nom", LAYER_FIELD_TEXT, 0, 0},
    [W_SECTEUR] = {"secteur", LAYER_FIELD_TEXT, 0, 0},
    [W_SECTEURS] = {"secteurs", LAYER_FIELD_TEXT, 0, 0},
    [W_TERMES] = {"termes", LAYER_FIELD_TEXT, 0, 0},
    [W_MEMBRES] = {"membres", LAYER_FIELD_INTEGER, 0, 0},
    [W_ANNEE] = {"annee", LAYER_FIELD_INTEGER, 0, 0},
    [W_DESCRIPTION] = {"description", LAYER_FIELD_TEXT, 0, 0},
    [W_PRECISION] = {LAYERS_POINT_ACCURACY_FIELD, LAYER_FIELD_TEXT, 0, 0},
    [W_APPROCHE] = {"approche", LAYER_FIELD_INTEGER, 0, 0},
    [W_NOTE] = {"note", LAYER_FIELD_TEXT, 0, 0},
    [W_EVOLUTION] = {"evolution", LAYER_FIELD_TEXT, 0, 0},
    [W_LIGNE] = {"ligne", LAYER_FIELD_INTEGER, 0, 0},
};

static const char *const evolution_names[] = {
    [WEB_EVOL_NONE] = NULL, [WEB_EVOL_PRESENT] = "present", [WEB_EVOL_NEW] = "nouveau",
    [WEB_EVOL_CEASED] = "disparu"};

static void text(layer_field_value *v, const char *s)
{
    v->text = s && *s ? s : NULL;
    v->is_null = v->text == NULL;
}

/* The EPCI of a point: its commune's (none for a row placed only by its département, or
 * for the four island communes outside any EPCI). */
static const epci *row_epci(const ptce_row *row)
{
    const commune *c = row->geo.commune;
    return c ? c->epci_area : NULL;
}

static void web_point_value(void *user, size_t i, size_t f, layer_field_value *v)
{
    const web_points *wp = user;
    const ptce_row *row = &wp->run->rows[wp->rows[i]];
    const geo_result *g = &row->geo;
    const taxonomy *t = wp->run->tax;
    switch (f) {
    case W_ID: text(v, row->id); break; /* derived ids are stable too: links keep working */
    case W_NOM: text(v, row->nom); break;
    case W_COMMUNE: text(v, g->commune ? g->commune->nom : NULL); break;
    case W_INSEE: text(v, g->commune ? g->commune->insee : NULL); break;
    case W_EPCI: {
        const epci *e = row_epci(row);
        text(v, e ? e->code : NULL);
        break;
    }
    case W_EPCI_NOM: {
        const epci *e = row_epci(row);
        text(v, e ? e->nom : NULL);
        break;
    }
    case W_DEP: text(v, g->dep ? g->dep->code : NULL); break;
    case W_DEP_NOM: text(v, g->dep ? g->dep->nom : NULL); break;
    case W_REG: text(v, g->reg ? g->reg->code : NULL); break;
    case W_REG_NOM: text(v, g->reg ? g->reg->nom : NULL); break;
    case W_SECTEUR: text(v, t ? sectors_id(t, (size_t)row->cls.primary) : NULL); break;
    case W_SECTEURS: text(v, row->cls.sectors_text); break;
    case W_TERMES: text(v, row->cls.terms); break;
    case W_MEMBRES:
        v->integer = row->membres;
        v->is_null = row->membres < 0;
        break;
    case W_ANNEE:
        v->integer = row->annee;
        v->is_null = row->annee == 0;
        break;
    case W_DESCRIPTION:
        text(v, census_value(&wp->run->census, row->rec, CENSUS_ROLE_DESCRIPTION));
        break;
    case W_PRECISION: text(v, geo_accuracy_name(g->accuracy)); break;
    case W_APPROCHE: v->integer = geo_accuracy_is_approximate(g->accuracy); break;
    case W_NOTE: text(v, wp->notes ? wp->notes[wp->rows[i]] : NULL); break;
    case W_EVOLUTION: text(v, evolution_names[wp->evol[i]]); break;
    case W_LIGNE: v->integer = (long long)row->rec->line; break;
    }
}

static void web_point_xy(void *user, size_t i, double *lon, double *lat)
{
    const web_points *wp = user;
    const geo_result *g = &wp->run->rows[wp->rows[i]].geo;
    *lon = g->lon;
    *lat = g->lat;
}

static ptce_status points_init(ptce_ctx *ctx, web_points *wp, const ptce_run *run, size_t cap,
                               const char *name)
{
    wp->run = run;
    wp->rows = malloc((cap ? cap : 1) * sizeof *wp->rows);
    wp->evol = calloc(cap ? cap : 1, 1);
    if (!wp->rows || !wp->evol)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    wp->out = (layer){.name = name, .title = name, .geometry = LAYER_POINT,
                      .fields = web_point_fields, .nfields = W_COUNT, .user = wp,
                      .value = web_point_value, .point = web_point_xy,
                      .credit = run->rd->credit};
    return PTCE_OK;
}

/* ---- areas: what the choropleth and an area's figures need -------------------------------- */

enum { A_CODE, A_NOM, A_POPULATION, A_NB, A_PREC, A_COUNT };

static const layer_field_def web_area_fields[A_COUNT] = {
    [A_CODE] = {"code", LAYER_FIELD_TEXT, 0, 0},
    [A_NOM] = {"nom", LAYER_FIELD_TEXT, 0, 0},
    [A_POPULATION] = {"population", LAYER_FIELD_INTEGER, 0, 0},
    [A_NB] = {"nb", LAYER_FIELD_INTEGER, 0, 0},
    [A_PREC] = {"prec", LAYER_FIELD_INTEGER, 0, 0},
};

static void web_area_value(void *user, size_t i, size_t f, layer_field_value *v)
{
    const web_areas *wa = user;
    const aggregate_area_stats *a = &wa->areas[i];
    switch (f) {
    case A_CODE: text(v, a->code); break;
    case A_NOM: text(v, a->nom); break;
    case A_POPULATION: v->integer = a->population; break;
    case A_NB: v->integer = a->count; break;
    case A_PREC:
        v->integer = a->previous;
        v->is_null = !wa->has_previous;
        break;
    }
}

static const GEOSGeometry *web_area_polygon(void *user, size_t i)
{
    const web_areas *wa = user;
    return wa->geoms ? wa->geoms[i] : wa->areas[i].geom;
}

static const unsigned char *web_area_polygon_bytes(void *user, size_t i,
                                                   layer_polygon_format format, size_t *len)
{
    const web_areas *wa = user;
    return refdata_polygon_bytes(wa->rd, wa->kind, i, web_area_polygon(user, i), (int)format, len);
}

static void web_area_polygon_bytes_done(void *user, layer_polygon_format format)
{
    const web_areas *wa = user;
    if (wa->out.nfeatures > 0)
        refdata_polygon_bytes_done(wa->rd, wa->kind, web_area_polygon(user, 0), (int)format);
}

/* `rd` NULL: no polygon bytes from the image. */
static void areas_init(web_areas *wa, const aggregate_area_stats *areas, size_t n,
                       const GEOSGeometry *const *geoms, int has_previous, const char *name,
                       const char *credit, const refdata *rd, refdata_area_kind kind)
{
    wa->areas = areas;
    wa->geoms = geoms;
    wa->has_previous = has_previous;
    wa->rd = rd;
    wa->kind = kind;
    wa->out = (layer){.name = name, .title = name, .geometry = LAYER_POLYGON,
                      .fields = web_area_fields, .nfields = A_COUNT, .nfeatures = n,
                      .user = wa, .value = web_area_value, .polygon = web_area_polygon,
                      .polygon_bytes = rd ? web_area_polygon_bytes : NULL,
                      .polygon_bytes_done = rd ? web_area_polygon_bytes_done : NULL,
                      .credit = credit};
}

/* ---- the whole map ---------------------------------------------------------------------------- */

ptce_status web_layers_build(ptce_ctx *ctx, const web_inputs *in, web_layers *w)
{
    memset(w, 0, sizeof *w);
    const ptce_run *run = in->run;
    const layers_set *ls = in->ls;
    size_t np = ls->points.nfeatures;
    ptce_status st = points_init(ctx, &w->points, run, np, "ptce_points");
    if (st)
        return st;
    w->points.notes = ls->notes; /* the previous census's rows have none rendered */
    int prev = in->diff && in->previous;
    for (size_t i = 0; i < np; i++) {
        w->points.rows[i] = ls->placed[i];
        w->points.evol[i] = prev ? WEB_EVOL_PRESENT : WEB_EVOL_NONE;
    }
    w->points.n = w->points.out.nfeatures = np;
    if (prev) {
        /* New rows are marked through the change list (placed rows are in row order, so a
         * new row's point is found by binary search); gone rows are drawn where the
         * previous census placed them. */
        const diff_result *d = in->diff;
        if ((st = points_init(ctx, &w->ceased, in->previous, d->count[DIFF_DISPARU],
                              "ptce_disparus")))
            return st;
        for (size_t c = 0; c < d->nchanges; c++) {
            const diff_change *ch = &d->changes[c];
            if (ch->kind == DIFF_NOUVEAU && ch->new_row != DIFF_NO_ROW) {
                size_t lo = 0, hi = np;
                while (lo < hi) {
                    size_t mid = lo + (hi - lo) / 2;
                    if (ls->placed[mid] < ch->new_row)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                if (lo < np && ls->placed[lo] == ch->new_row)
                    w->points.evol[lo] = WEB_EVOL_NEW;
            } else if (ch->kind == DIFF_DISPARU && ch->old_row != DIFF_NO_ROW &&
                       w->ceased.n < d->count[DIFF_DISPARU] &&
                       geo_result_is_placed(&in->previous->rows[ch->old_row].geo)) {
                w->ceased.rows[w->ceased.n] = ch->old_row;
                w->ceased.evol[w->ceased.n++] = WEB_EVOL_CEASED;
            }
        }
        w->ceased.out.nfeatures = w->ceased.n;
    }
    const char *credit = run->rd->credit;
    const aggregation *agg = in->agg;
    /* The image's polygon bytes when the layers found them made by these writers. */
    const refdata *rd = ls->prebuilt ? run->rd : NULL;
    areas_init(&w->areas[CARTO_WEB_AREA_REGIONS], agg->regions, agg->nregions, in->region_geoms,
               agg->has_previous, "ptce_regions", credit, rd, REFDATA_AREA_REGION);
    areas_init(&w->areas[CARTO_WEB_AREA_DEPARTEMENTS], agg->deps, agg->ndeps, in->dep_geoms,
               agg->has_previous, "ptce_departements", credit, rd, REFDATA_AREA_DEPARTEMENT);
    w->has_area[CARTO_WEB_AREA_REGIONS] = w->has_area[CARTO_WEB_AREA_DEPARTEMENTS] = 1;
    /* EPCI: on the simplified outlines aggregate gives them (areas in the reference
     * arrays' order), when the reference data has EPCI. */
    if (agg->nepci > 0) {
        areas_init(&w->areas[CARTO_WEB_AREA_EPCI], agg->epci, agg->nepci, NULL, agg->has_previous,
                   "ptce_epci", credit, rd, REFDATA_AREA_EPCI);
        w->has_area[CARTO_WEB_AREA_EPCI] = 1;
    }

    size_t ns = run->tax ? sectors_count(run->tax) : 0;
    w->sectors = calloc(ns ? ns : 1, sizeof *w->sectors);
    if (!w->sectors)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    if (ns)
        styles_sectors(run->tax, NULL, NULL, w->sectors);
    for (int z = 0; z < LAYOUT_ZONES; z++)
        w->territories[z] = (carto_web_territory){in->layout->zones[z].code_reg,
                                            in->layout->zones[z].label};
    snprintf(w->title, sizeof w->title, "Pôles territoriaux de coopération économique — "
                                        "recensement %d", in->year);
    snprintf(w->subtitle, sizeof w->subtitle, "%zu PTCE placés sur %zu lignes du recensement",
             np, run->nrows);

    snprintf(w->software, sizeof w->software, "ptce-map %s", ptce_version());
    carto_web_map *m = &w->map;
    *m = (carto_web_map){.title = w->title, .subtitle = w->subtitle, .credit = credit,
                   .software = w->software, .tiles = in->tiles,
                   .tiles_attribution = in->attribution, .has_previous = prev,
                   .sectors = w->sectors, .nsectors = ns, .territories = w->territories,
                   .nterritories = LAYOUT_ZONES, .points = &w->points.out,
                   .ceased = prev ? &w->ceased.out : NULL, .point_decimals = WEB_POINT_DECIMALS,
                   .polygon_decimals = WEB_POLYGON_DECIMALS};
    styles_accuracies(w->accuracies);
    m->precisions = w->accuracies;
    m->nprecisions = STYLES_ACCURACY_CLASSES;
    m->palette = styles_palette(&m->npalette);
    m->palette_change = styles_palette_change(&m->npalette_change);
    for (int k = 0; k < CARTO_WEB_AREA_KINDS; k++)
        m->areas[k] = w->has_area[k] ? &w->areas[k].out : NULL;
    /* Regions and départements draw the basemap, so they come with the page; the 1,255
     * EPCI (most of the bytes) load when the user picks them. */
    m->lazy[CARTO_WEB_AREA_EPCI] = 1;
    return PTCE_OK;
}

void web_layers_free(web_layers *w)
{
    free(w->points.rows);
    free(w->points.evol);
    free(w->ceased.rows);
    free(w->ceased.evol);
    free(w->sectors);
    memset(w, 0, sizeof *w);
}
