/*
 * present/layers.c — see layers.h.
 */
#include "present/layers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/groups.h"
#include "core/ctx.h"
#include "core/util.h"
#include "present/note.h"
#include "write/writers.h"

/* ---- points ------------------------------------------------------------------------------ */

enum {
    P_ID, P_NOM, P_INSEE, P_COMMUNE, P_CODE_POST, P_CODE_DEP, P_CODE_REG, P_NOM_REG,
    P_CODE_EPCI, P_NOM_EPCI, P_SECTEUR,
    P_SECTEURS, P_SECT_SCORE, P_GEO_TYPE, P_GEO_SCORE, P_PRECISION, P_ACCURACY, P_MEMBRES, P_ANNEE,
    P_LIGNE,
    P_LONGITUDE, P_LATITUDE, P_NOTE, P_COUNT
};

static const layer_field_def point_fields[P_COUNT] = {
    [P_ID] = {"id", LAYER_FIELD_TEXT, LAYER_DBF_TEXT_MAX, 0},
    [P_NOM] = {"nom", LAYER_FIELD_TEXT, 254, 0},
    [P_INSEE] = {"insee", LAYER_FIELD_TEXT, 5, 0},
    [P_COMMUNE] = {"commune", LAYER_FIELD_TEXT, 80, 0},
    [P_CODE_POST] = {"code_post", LAYER_FIELD_TEXT, 5, 0},
    [P_CODE_DEP] = {"code_dep", LAYER_FIELD_TEXT, 3, 0},
    [P_CODE_REG] = {"code_reg", LAYER_FIELD_TEXT, 2, 0},
    [P_NOM_REG] = {"nom_reg", LAYER_FIELD_TEXT, 60, 0},
    [P_CODE_EPCI] = {"code_epci", LAYER_FIELD_TEXT, 9, 0},
    [P_NOM_EPCI] = {"nom_epci", LAYER_FIELD_TEXT, 100, 0},
    [P_SECTEUR] = {"secteur", LAYER_FIELD_TEXT, 32, 0},
    [P_SECTEURS] = {"secteurs", LAYER_FIELD_TEXT, 254, 0},
    [P_SECT_SCORE] = {"sect_score", LAYER_FIELD_REAL, 5, 2},
    [P_GEO_TYPE] = {"geo_type", LAYER_FIELD_TEXT, 14, 0},
    [P_GEO_SCORE] = {"geo_score", LAYER_FIELD_REAL, 5, 2},
    [P_PRECISION] = {"precision", LAYER_FIELD_TEXT, 20, 0},
    [P_ACCURACY] = {LAYERS_POINT_ACCURACY_FIELD, LAYER_FIELD_TEXT, 11, 0},
    [P_MEMBRES] = {"membres", LAYER_FIELD_INTEGER, 9, 0},
    [P_ANNEE] = {"annee", LAYER_FIELD_INTEGER, 4, 0},
    [P_LIGNE] = {"ligne", LAYER_FIELD_INTEGER, 9, 0},
    [P_LONGITUDE] = {"longitude", LAYER_FIELD_REAL, 12, 6},
    [P_LATITUDE] = {"latitude", LAYER_FIELD_REAL, 11, 6},
    [P_NOTE] = {"note", LAYER_FIELD_TEXT, 254, 0},
};

static void text_value(layer_field_value *v, const char *s)
{
    v->text = s;
    v->is_null = s == NULL;
}

static void point_value(void *user, size_t i, size_t f, layer_field_value *v)
{
    layers_set *ls = user;
    const ptce_row *row = &ls->run->rows[ls->placed[i]];
    const geo_result *g = &row->geo;
    const taxonomy *t = ls->run->tax;
    /* The commune's EPCI record, kept on the commune at load: a look-up per field and row
     * cost 5 % of a large build (every writer asks for every field). */
    const epci *e = (f == P_CODE_EPCI || f == P_NOM_EPCI) && g->commune
                        ? g->commune->epci_area
                        : NULL;
    switch (f) {
    case P_ID: text_value(v, row->id); break;
    case P_NOM: text_value(v, row->nom); break;
    case P_INSEE: text_value(v, g->commune ? g->commune->insee : NULL); break;
    case P_COMMUNE: text_value(v, g->commune ? g->commune->nom : NULL); break;
    case P_CODE_POST: text_value(v, g->postcode[0] ? g->postcode : NULL); break;
    case P_CODE_DEP: text_value(v, g->dep ? g->dep->code : NULL); break;
    case P_CODE_REG: text_value(v, g->reg ? g->reg->code : NULL); break;
    case P_NOM_REG: text_value(v, g->reg ? g->reg->nom : NULL); break;
    case P_CODE_EPCI: text_value(v, e ? e->code : NULL); break;
    case P_NOM_EPCI: text_value(v, e ? e->nom : NULL); break;
    case P_SECTEUR: text_value(v, sectors_id(t, (size_t)row->cls.primary)); break;
    case P_SECTEURS: text_value(v, row->cls.sectors_text); break;
    case P_SECT_SCORE: v->real = row->cls.score; break;
    case P_GEO_TYPE: text_value(v, geo_type_name(g->type)); break;
    case P_GEO_SCORE: v->real = g->score; break;
    case P_PRECISION: text_value(v, g->precision); break;
    case P_ACCURACY: text_value(v, geo_accuracy_name(g->accuracy)); break;
    case P_MEMBRES:
        v->integer = row->membres;
        v->is_null = row->membres < 0;
        break;
    case P_ANNEE:
        v->integer = row->annee;
        v->is_null = row->annee == 0;
        break;
    case P_LIGNE: v->integer = (long long)row->rec->line; break;
    case P_LONGITUDE: v->real = g->lon; break;
    case P_LATITUDE: v->real = g->lat; break;
    case P_NOTE: {
        const char *note = ls->notes[ls->placed[i]];
        text_value(v, note[0] ? note : NULL);
        break;
    }
    }
}

static void point_xy(void *user, size_t i, double *lon, double *lat)
{
    layers_set *ls = user;
    const geo_result *g = &ls->run->rows[ls->placed[i]].geo;
    *lon = g->lon;
    *lat = g->lat;
}

/* ---- rejects ------------------------------------------------------------------------------ */

enum { R_LIGNE, R_ID, R_NOM, R_STATUT, R_MOTIF, R_COUNT };

static const layer_field_def reject_fields[R_COUNT] = {
    [R_LIGNE] = {"ligne", LAYER_FIELD_INTEGER, 9, 0},
    [R_ID] = {"id", LAYER_FIELD_TEXT, LAYER_DBF_TEXT_MAX, 0},
    [R_NOM] = {"nom", LAYER_FIELD_TEXT, 254, 0},
    [R_STATUT] = {"statut", LAYER_FIELD_TEXT, 10, 0},
    [R_MOTIF] = {"motif", LAYER_FIELD_TEXT, 254, 0},
};

static void reject_value(void *user, size_t i, size_t f, layer_field_value *v)
{
    layers_set *ls = user;
    const ptce_row *row = &ls->run->rows[ls->unplaced[i]];
    const census *c = &ls->run->census;
    if (f >= R_COUNT) {
        /* The census's own columns follow, unchanged, so the analyst fixes them there. */
        text_value(v, census_cell(c, row->rec, f - R_COUNT));
        return;
    }
    switch (f) {
    case R_LIGNE: v->integer = (long long)row->rec->line; break;
    case R_ID: text_value(v, row->id); break;
    case R_NOM: text_value(v, row->nom); break;
    case R_STATUT: text_value(v, row->geo.status == GEO_AMBIGUOUS ? "ambigu" : "rejet"); break;
    case R_MOTIF: text_value(v, ls->notes[ls->unplaced[i]]); break;
    }
}

/* ---- areas ---------------------------------------------------------------------------------- */

/* Area layers: their identifying text fields, then count, n_<sector>…, members,
 * population, rate, share. Sector fields come from the taxonomy, so they are built at run
 * time. */
static const char *const area_text_fields[LAYERS_AREA_KINDS][3] = {
    [LAYERS_AREA_REGION] = {"code_reg", "nom_reg", NULL},
    [LAYERS_AREA_DEPARTEMENT] = {"code_dep", "nom_dep", "code_reg"},
    [LAYERS_AREA_EPCI] = {"code_epci", "nom_epci", "type_epci"},
    [LAYERS_AREA_GROUP] = {"groupe", "codes", NULL},
};

static size_t area_base(layers_area_kind kind)
{
    return kind == LAYERS_AREA_DEPARTEMENT || kind == LAYERS_AREA_EPCI ? 3 : 2;
}

static void area_value(void *user, size_t i, size_t f, layer_field_value *v)
{
    layers_area_layer *al = user;
    const aggregate_area_stats *a = &al->areas[i];
    size_t base = area_base(al->kind), ns = al->ls->agg->nsectors;
    if (f < base) {
        /* code, then name — or, for a group, its member codes; a département's region, an
         * EPCI's type. */
        if (f == 0)
            text_value(v, a->code);
        else if (al->kind == LAYERS_AREA_GROUP || f == 2)
            text_value(v, a->parent_code);
        else
            text_value(v, a->nom);
    } else if (f == base) {
        v->integer = a->count;
    } else if (f < base + 1 + ns) {
        v->integer = a->by_sector[f - base - 1];
    } else if (f == base + 1 + ns) {
        v->integer = a->membres;
        v->is_null = !al->ls->run->has_membres;
    } else if (f == base + 2 + ns) {
        v->integer = a->population;
    } else if (f == base + 3 + ns) {
        v->real = a->per_100k;
    } else if (f == base + 4 + ns) {
        v->real = a->share;
    } else if (f == base + 5 + ns) {
        v->integer = a->previous;
    } else {
        v->integer = a->count - a->previous;
    }
}

static const GEOSGeometry *area_polygon(void *user, size_t i)
{
    layers_area_layer *al = user;
    return al->geoms ? al->geoms[i] : al->areas[i].geom;
}

/* The geometry already written when the reference data were compiled: only for the
 * reference areas' own polygons (refdata_polygon_bytes() checks which). */
static const unsigned char *area_polygon_bytes(void *user, size_t i, layer_polygon_format format,
                                               size_t *len)
{
    layers_area_layer *al = user;
    static const int kinds[LAYERS_AREA_KINDS] = {
        [LAYERS_AREA_REGION] = REFDATA_AREA_REGION,
        [LAYERS_AREA_DEPARTEMENT] = REFDATA_AREA_DEPARTEMENT,
        [LAYERS_AREA_EPCI] = REFDATA_AREA_EPCI, [LAYERS_AREA_GROUP] = -1};
    if (kinds[al->kind] < 0)
        return NULL;
    return refdata_polygon_bytes(al->ls->run->rd, (refdata_area_kind)kinds[al->kind], i,
                                 area_polygon(user, i), (int)format, len);
}

static void area_polygon_bytes_done(void *user, layer_polygon_format format)
{
    layers_area_layer *al = user;
    static const int kinds[LAYERS_AREA_KINDS] = {
        [LAYERS_AREA_REGION] = REFDATA_AREA_REGION,
        [LAYERS_AREA_DEPARTEMENT] = REFDATA_AREA_DEPARTEMENT,
        [LAYERS_AREA_EPCI] = REFDATA_AREA_EPCI, [LAYERS_AREA_GROUP] = -1};
    if (kinds[al->kind] >= 0 && al->out.nfeatures > 0)
        refdata_polygon_bytes_done(al->ls->run->rd, (refdata_area_kind)kinds[al->kind],
                                   area_polygon(user, 0), (int)format);
}

static ptce_status build_area_fields(ptce_ctx *ctx, layers_set *ls, layers_area_kind kind,
                                     size_t *nfields)
{
    size_t ns = ls->agg->nsectors, base = area_base(kind);
    /* With a previous census: nb_prec and evol after the rest. */
    size_t n = base + ns + 5 + (ls->agg->has_previous ? 2 : 0);
    layer_field_def *f = calloc(n, sizeof *f);
    if (!f)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    ls->area_fields[kind] = f;
    for (size_t i = 0; i < base; i++) {
        const char *name = area_text_fields[kind][i];
        int width = !strcmp(name, "groupe") || !strcmp(name, "codes") ? LAYER_DBF_TEXT_MAX
                    : !strcmp(name, "nom_epci") ? 100 : !strncmp(name, "nom", 3) ? 60
                    : !strcmp(name, "code_epci") ? 9 : !strcmp(name, "type_epci") ? 5 : 3;
        f[i] = (layer_field_def){name, LAYER_FIELD_TEXT, width, 0};
    }
    f[base] = (layer_field_def){"nb_ptce", LAYER_FIELD_INTEGER, 9, 0};
    for (size_t s = 0; s < ns; s++)
        f[base + 1 + s] = (layer_field_def){ls->sector_field_names[s], LAYER_FIELD_INTEGER, 9, 0};
    f[base + 1 + ns] = (layer_field_def){"membres", LAYER_FIELD_INTEGER, 10, 0};
    f[base + 2 + ns] = (layer_field_def){"population", LAYER_FIELD_INTEGER, 10, 0};
    f[base + 3 + ns] = (layer_field_def){"ptce_100k", LAYER_FIELD_REAL, 10, 3};
    f[base + 4 + ns] = (layer_field_def){"part_nat", LAYER_FIELD_REAL, 7, 2};
    if (ls->agg->has_previous) {
        f[base + 5 + ns] = (layer_field_def){"nb_prec", LAYER_FIELD_INTEGER, 9, 0};
        f[base + 6 + ns] = (layer_field_def){"evol", LAYER_FIELD_INTEGER, 9, 0};
    }
    *nfields = n;
    return PTCE_OK;
}

ptce_status layers_area(ptce_ctx *ctx, layers_set *ls, layers_area_kind kind, const aggregate_area_stats *areas,
                        size_t n, const GEOSGeometry **geoms, const char *name, const char *title,
                        layers_area_layer *out)
{
    if (!ls->area_fields[kind]) {
        size_t nf = 0;
        ptce_status st = build_area_fields(ctx, ls, kind, &nf);
        if (st)
            return st;
        ls->area_nfields[kind] = nf;
    }
    memset(out, 0, sizeof *out);
    out->ls = ls;
    out->kind = kind;
    out->areas = areas;
    out->geoms = geoms;
    out->out = (layer){.name = name, .title = title, .geometry = LAYER_POLYGON,
                       .fields = ls->area_fields[kind], .nfields = ls->area_nfields[kind],
                       .nfeatures = n, .user = out, .value = area_value,
                       .polygon = area_polygon,
                       .polygon_bytes = ls->prebuilt && kind != LAYERS_AREA_GROUP
                                            ? area_polygon_bytes
                                            : NULL,
                       .polygon_bytes_done = ls->prebuilt && kind != LAYERS_AREA_GROUP
                                                 ? area_polygon_bytes_done
                                                 : NULL,
                       .credit = ls->run->rd->credit};
    return PTCE_OK;
}

void layers_sector_field(const taxonomy *t, size_t s, char buf[16])
{
    snprintf(buf, 16, "n_%.8s", sectors_short(t, s));
}

ptce_status layers_build(ptce_ctx *ctx, ptce_run *run, aggregation *agg, layers_set *ls)
{
    memset(ls, 0, sizeof *ls);
    ls->run = run;
    ls->agg = agg;
    ls->placed = malloc((run->nrows ? run->nrows : 1) * sizeof *ls->placed);
    ls->unplaced = malloc((run->nrows ? run->nrows : 1) * sizeof *ls->unplaced);
    ls->sector_field_names = calloc(agg->nsectors ? agg->nsectors : 1, sizeof (char *));
    ls->notes = calloc(run->nrows ? run->nrows : 1, sizeof *ls->notes);
    if (!ls->placed || !ls->unplaced || !ls->sector_field_names || !ls->notes)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t i = 0; i < run->nrows; i++)
        if (!(ls->notes[i] = note_string(&run->rows[i].geo)))
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t s = 0; s < agg->nsectors; s++) {
        char name[16];
        layers_sector_field(run->tax, s, name);
        ls->sector_field_names[s] = util_strdup(name);
        if (!ls->sector_field_names[s])
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    /* The polygons' bytes of the reference data's image are used only when the formatters
     * that made them are these. */
    if (run->rd->prebuilt) {
        uint64_t stamp = 0;
        ptce_status st = writers_polygon_stamp(ctx, &stamp);
        if (st)
            return st;
        ls->prebuilt = stamp == run->rd->prebuilt_stamp &&
                       run->rd->prebuilt_nformats == LAYER_POLYGON_FORMATS;
    }
    size_t np = 0, nu = 0;
    for (size_t i = 0; i < run->nrows; i++) {
        if (geo_result_is_placed(&run->rows[i].geo))
            ls->placed[np++] = i;
        else
            ls->unplaced[nu++] = i;
    }
    const char *credit = run->rd->credit;
    ls->points = (layer){.name = "ptce_points", .title = "PTCE (position réelle)",
                         .geometry = LAYER_POINT, .fields = point_fields, .nfields = P_COUNT,
                         .nfeatures = np, .user = ls, .value = point_value, .point = point_xy,
                         .credit = credit};
    /* The rejects carry the census's columns after their own. */
    size_t nrf = R_COUNT + run->census.ncols;
    layer_field_def *rf = calloc(nrf, sizeof *rf);
    if (!rf)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    memcpy(rf, reject_fields, sizeof reject_fields);
    for (size_t c = 0; c < run->census.ncols; c++)
        rf[R_COUNT + c] = (layer_field_def){run->census.header[c], LAYER_FIELD_TEXT, 254, 0};
    ls->rejects = (layer){.name = "rejets", .title = "Lignes non placées", .fields = rf,
                          .nfields = nrf, .nfeatures = nu, .user = ls, .value = reject_value,
                          .credit = credit};
    ptce_status st = layers_area(ctx, ls, LAYERS_AREA_REGION, agg->regions, agg->nregions, NULL,
                                 "ptce_regions", "PTCE par région", &ls->region_layer);
    if (!st)
        st = layers_area(ctx, ls, LAYERS_AREA_DEPARTEMENT, agg->deps, agg->ndeps, NULL,
                         "ptce_departements", "PTCE par département", &ls->dep_layer);
    if (!st)
        st = layers_area(ctx, ls, LAYERS_AREA_EPCI, agg->epci, agg->nepci, NULL, "ptce_epci",
                         "PTCE par EPCI (intercommunalité)", &ls->epci_layer);
    return st;
}

void layers_free(layers_set *ls)
{
    free(ls->placed);
    free(ls->unplaced);
    for (int k = 0; k < LAYERS_AREA_KINDS; k++)
        free(ls->area_fields[k]);
    free((void *)ls->rejects.fields);
    for (size_t s = 0; ls->sector_field_names && s < ls->agg->nsectors; s++)
        free(ls->sector_field_names[s]);
    free(ls->sector_field_names);
    for (size_t i = 0; ls->notes && i < ls->run->nrows; i++)
        free(ls->notes[i]);
    free(ls->notes);
    memset(ls, 0, sizeof *ls);
}

/* ---- views ------------------------------------------------------------------------------- */

static void view_value(void *user, size_t i, size_t f, layer_field_value *v)
{
    layers_view *lv = user;
    lv->base->value(lv->base->user, lv->index[i], f, v);
}

static void view_point(void *user, size_t i, double *x, double *y)
{
    layers_view *lv = user;
    lv->base->point(lv->base->user, lv->index[i], x, y);
}

static const GEOSGeometry *view_polygon(void *user, size_t i)
{
    layers_view *lv = user;
    return lv->base->polygon(lv->base->user, lv->index[i]);
}

static const unsigned char *view_polygon_bytes(void *user, size_t i, layer_polygon_format format,
                                               size_t *len)
{
    layers_view *lv = user;
    return lv->base->polygon_bytes(lv->base->user, lv->index[i], format, len);
}

static void view_polygon_bytes_done(void *user, layer_polygon_format format)
{
    layers_view *lv = user;
    lv->base->polygon_bytes_done(lv->base->user, format);
}

ptce_status layers_view_make(ptce_ctx *ctx, const layer *base, const unsigned char *keep,
                            layers_view *out)
{
    memset(out, 0, sizeof *out);
    out->base = base;
    out->index = malloc((base->nfeatures ? base->nfeatures : 1) * sizeof *out->index);
    if (!out->index)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    size_t n = 0;
    for (size_t i = 0; i < base->nfeatures; i++)
        if (keep[i])
            out->index[n++] = i;
    out->out = *base;
    out->out.nfeatures = n;
    out->out.user = out;
    out->out.value = view_value;
    out->out.point = base->point ? view_point : NULL;
    out->out.polygon = base->polygon ? view_polygon : NULL;
    out->out.polygon_bytes = base->polygon_bytes ? view_polygon_bytes : NULL;
    out->out.polygon_bytes_done = base->polygon_bytes_done ? view_polygon_bytes_done : NULL;
    return PTCE_OK;
}

void layers_view_free(layers_view *v)
{
    free(v->index);
    memset(v, 0, sizeof *v);
}
