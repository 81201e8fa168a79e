/*
 * app/build.c — see build.h.
 *
 * Order: load → geocode → classify → aggregate (+ groups) → layers → national layout →
 * simplified web polygons → every file written in a temporary folder → moved into place.
 */
#include "app/build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/aggregate.h"
#include "aggregate/groups.h"
#include "core/ctx.h"
#include "core/util.h"
#include "diff/diff.h"
#include "geom/geom.h"
#include "present/layout.h"
#include "present/layers.h"
#include "present/project.h"
#include "app/reports.h"
#include "present/styles.h"
#include "present/web.h"
#include "write/cartography.h"
#include "write/outdir.h"
#include "write/writers.h"

/* Outputs a build writes only with some options: an earlier version left them as plain
 * files, and a run without the option removes them (see write/outdir.h). */
static const char *const optional_outputs[] = {
    "ptce_groupes.shp", "ptce_groupes.shx", "ptce_groupes.dbf", "ptce_groupes.prj",
    "ptce_groupes.cpg", "ptce_groupes.qml", "ptce_groupes.geojson", "evolutions.csv", NULL};

/* Everything a build holds between the stages, freed in one place. */
typedef struct build_state {
    ptce_run run;
    aggregation agg;
    group_set groups;
    layer_set ls;
    area_layer group_layer;
    crs_target crs;
    carte carte;
    const GEOSGeometry **web_deps;    /* not owned: the reference data's */
    const GEOSGeometry **web_regions;
    area_layer web_region_layer, web_dep_layer;
    layer_view points_view, regions_view, deps_view, epci_view; /* --crs for one territory */
    int restricted;
    ptce_run previous;        /* --previous: the older census, through the same stages */
    diff_result diff;
    int has_previous;
    const char *tiles;        /* --tuiles, for LISEZMOI.txt */
} build_state;

const char *build_territory_of_crs(int epsg)
{
    switch (epsg) {
    case 5490: case 4559: case 32620: return "01,02";
    case 2972: case 32622: return "03";
    case 2975: case 32740: return "04";
    case 4471: case 32738: return "06";
    }
    return NULL;
}

static void print_summary(ptce_ctx *ctx, const ptce_run *run, const aggregation *agg)
{
    ptce_info(ctx, "%s : %zu lignes lues (%s, séparateur « %s »), %zu placées, %zu ambiguës, "
                   "%zu rejetées", run->census.path, run->nrows, run->census.encoding,
              run->census.separator == '\t' ? "tabulation" : (char[]){run->census.separator, 0},
              run->nplaced, run->nambiguous, run->nrejected);
    for (size_t i = 0; i < agg->nregions; i++) {
        /* Pad by characters, not bytes, so that accented names line up. */
        const char *nom = agg->regions[i].nom;
        size_t chars = 0;
        for (const char *p = nom; *p; p++)
            chars += ((unsigned char)*p & 0xC0) != 0x80;
        int pad = chars < 28 ? (int)(28 - chars) : 0;
        ptce_info(ctx, "  %s %s%*s %4ld", agg->regions[i].code, nom, pad, "",
                  agg->regions[i].count);
    }
}

static ptce_status write_readme(ptce_ctx *ctx, outdir *od, const build_state *b)
{
    const ptce_run *run = &b->run;
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "Carte nationale des PTCE produite par ptce-map %s\n\n", ptce_version());
    sb_printf(&sb, "Recensement : %s (%zu lignes ; %zu placées, %zu ambiguës, %zu rejetées)\n",
              run->census.path, run->nrows, run->nplaced, run->nambiguous, run->nrejected);
    sb_printf(&sb, "Code officiel géographique : %s\n", run->rd.cog_year);
    sb_printf(&sb, "Couches en position réelle (ptce_*.shp) : EPSG:%d (%s)%s\n", b->crs.epsg,
              b->crs.name, b->restricted ? ", limitées au territoire de ce système" : "");
    sb_printf(&sb, "GeoJSON : WGS 84 (EPSG:4326), longitude puis latitude, 6 décimales\n");
    sb_printf(&sb, "carte/ : mise en page nationale en Lambert-93 ; les départements et régions "
                   "d'outre-mer y sont DÉPLACÉS et mis à l'échelle dans des encarts (champ "
                   "deplace = 1) : ces coordonnées ne sont pas des positions réelles.\n");
    sb_printf(&sb, "\nCarte web (" WEB_FOLDER "/) : ouvrez " WEB_FOLDER "/index.html dans un "
                   "navigateur ; elle fonctionne sans réseau et ne charge rien d'ailleurs%s. Pour "
                   "la publier, copiez le dossier " WEB_FOLDER "/ entier sur n'importe quel "
                   "hébergement de fichiers statiques. Pour l'intégrer dans une page :\n"
                   "  <iframe src=\"https://www.exemple.fr/carte-ptce/index.html\" "
                   "title=\"Carte des PTCE\" width=\"100%%\" height=\"650\" "
                   "style=\"border:0\" loading=\"lazy\"></iframe>\n"
                   "(remplacez l'adresse par celle où vous avez copié " WEB_FOLDER "/). "
                   "L'adresse de la page garde la vue, les filtres et le PTCE choisi "
                   "(#vue=liste&secteurs=…&aplat=regions&ptce=…) : un lien ou une iframe "
                   "ouvre la carte dans cet état.\n\n",
              b->tiles ? " que les tuiles du fond de carte demandé par --tuiles" : "");
    sb_printf(&sb, "Versions des données : %s\n\n", run->rd.versions);
    sb_printf(&sb, "Sources et crédits : %s\n", run->rd.credit);
    ptce_status st = sb.failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante")
                               : write_bytes(ctx, od, "LISEZMOI.txt", sb.data, sb.len);
    sb_free(&sb);
    return st;
}

/* The web layers: the same areas on the simplified polygons of the reference data. */
static ptce_status build_web_polygons(ptce_ctx *ctx, build_state *b)
{
    aggregation *agg = &b->agg;
    refdata *rd = &b->run.rd;
    b->web_deps = calloc(agg->ndeps, sizeof *b->web_deps);
    b->web_regions = calloc(agg->nregions, sizeof *b->web_regions);
    if (!b->web_deps || !b->web_regions)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    /* Areas are in the reference arrays' order (see aggregate.c). */
    for (size_t i = 0; i < agg->ndeps; i++)
        if (!(b->web_deps[i] = refdata_departement_web_geom(ctx, rd, &rd->deps[i])))
            return PTCE_ERR_DATA;
    for (size_t i = 0; i < agg->nregions; i++)
        if (!(b->web_regions[i] = refdata_region_web_geom(ctx, rd, &rd->regions[i])))
            return PTCE_ERR_DATA;
    ptce_status st = layers_area(ctx, &b->ls, AREA_REGION, agg->regions, agg->nregions,
                                 b->web_regions, "ptce_regions",
                                 "PTCE par région (simplifié pour le web)", &b->web_region_layer);
    if (!st)
        st = layers_area(ctx, &b->ls, AREA_DEPARTEMENT, agg->deps, agg->ndeps, b->web_deps,
                         "ptce_departements", "PTCE par département (simplifié pour le web)",
                         &b->web_dep_layer);
    return st;
}

/* With an overseas legal CRS, the true-position Shapefiles keep that territory only. */
static ptce_status restrict_to_territory(ptce_ctx *ctx, build_state *b, const char *regions)
{
    layer_set *ls = &b->ls;
    size_t np = ls->points.nfeatures, nr = b->agg.nregions, nd = b->agg.ndeps,
           ne = b->agg.nepci;
    unsigned char *keep = calloc(np + nr + nd + ne + 1, 1);
    if (!keep)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t i = 0; i < np; i++) {
        const geo_result *g = &b->run.rows[ls->placed[i]].geo;
        keep[i] = g->reg && strstr(regions, g->reg->code) != NULL;
    }
    for (size_t i = 0; i < nr; i++)
        keep[np + i] = strstr(regions, b->agg.regions[i].code) != NULL;
    for (size_t i = 0; i < nd; i++)
        keep[np + nr + i] = strstr(regions, b->agg.deps[i].parent_code) != NULL;
    /* An EPCI is kept when one of its communes is in the territory (areas are in the
     * reference arrays' order). */
    const refdata *rd = &b->run.rd;
    for (size_t i = 0; i < rd->ncommunes; i++) {
        const epci *e = refdata_epci(rd, rd->communes[i].epci);
        if (e && strstr(regions, rd->communes[i].reg))
            keep[np + nr + nd + (size_t)(e - rd->epcis)] = 1;
    }
    ptce_status st = layer_view_make(ctx, &ls->points, keep, &b->points_view);
    if (!st)
        st = layer_view_make(ctx, &ls->region_layer.out, keep + np, &b->regions_view);
    if (!st)
        st = layer_view_make(ctx, &ls->dep_layer.out, keep + np + nr, &b->deps_view);
    if (!st)
        st = layer_view_make(ctx, &ls->epci_layer.out, keep + np + nr + nd, &b->epci_view);
    free(keep);
    b->restricted = 1;
    ptce_info(ctx, "EPSG:%d : les Shapefiles en position réelle ne gardent que les régions %s "
                   "(système légal de ce territoire)", b->crs.epsg, regions);
    return st;
}

/* The census year for titles: --annee, else a 20xx in the census file name, else the COG's
 * year. */
static int census_year(const build_options *opts, const ptce_run *run)
{
    if (opts->annee)
        return opts->annee;
    const char *name = strrchr(opts->run.census_path, '/');
    name = name ? name + 1 : opts->run.census_path;
    for (const char *p = name; p[0] && p[1] && p[2] && p[3]; p++)
        if (p[0] == '2' && p[1] == '0' && p[2] >= '0' && p[2] <= '9' && p[3] >= '0' &&
            p[3] <= '9' && (p == name || p[-1] < '0' || p[-1] > '9') &&
            (p[4] < '0' || p[4] > '9'))
            return (int)strtol(p, NULL, 10); /* exactly four digits, checked above */
    return atoi(run->rd.cog_year);
}

/* QGIS styles beside each Shapefile, the QGIS project, the SVG map: one set of classes and
 * colours for all of them. */
static ptce_status write_presentation(ptce_ctx *ctx, outdir *od, build_state *b, int year)
{
    size_t ns = b->agg.nsectors;
    style_category *cats = calloc(ns ? ns : 1, sizeof *cats);
    svg_area *areas = calloc(b->agg.nregions, sizeof *areas);
    svg_area *outlines = calloc(b->agg.ndeps, sizeof *outlines);
    size_t np = b->carte.points.out.nfeatures;
    svg_point *points = calloc(np ? np : 1, sizeof *points);
    if (!cats || !areas || !outlines || !points) {
        free(cats);
        free(areas);
        free(outlines);
        free(points);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    styles_sectors(b->run.tax, cats);
    style_hollow hollow;
    const char *hollow_values[2];
    styles_hollow_points(&hollow, hollow_values);
    choropleth reg, dep, epc, grp;
    styles_choropleth(b->agg.regions, b->agg.nregions, &reg);
    styles_choropleth(b->agg.deps, b->agg.ndeps, &dep);
    styles_choropleth(b->agg.epci, b->agg.nepci, &epc);
    styles_choropleth(b->groups.groups, b->groups.n, &grp);
    ptce_status st;
    if ((st = qml_write_categorized(ctx, od, "ptce_points", "secteur", cats, ns, &hollow)) ||
        (st = qml_write_graduated(ctx, od, "ptce_regions", "ptce_100k", reg.classes, reg.n,
                                  "nom_reg")) ||
        (st = qml_write_graduated(ctx, od, "ptce_departements", "ptce_100k", dep.classes, dep.n,
                                  NULL)) ||
        (st = qml_write_graduated(ctx, od, "ptce_epci", "ptce_100k", epc.classes, epc.n,
                                  NULL)) ||
        (st = qml_write_categorized(ctx, od, "carte/ptce_points", "secteur", cats, ns,
                                    &hollow)) ||
        (st = qml_write_graduated(ctx, od, "carte/ptce_regions", "ptce_100k", reg.classes, reg.n,
                                  "nom_reg")) ||
        (st = qml_write_graduated(ctx, od, "carte/ptce_departements", "ptce_100k", dep.classes,
                                  dep.n, NULL)) ||
        (st = qml_write_frames(ctx, od, "carte/cadres", "nom")))
        goto done;
    if (b->groups.n > 0 &&
        (st = qml_write_graduated(ctx, od, "ptce_groupes", "ptce_100k", grp.classes, grp.n,
                                  "groupe")))
        goto done;

    /* The QGIS project: the national layout ready to print, the true positions beside. */
    qgs_layer layers[PROJECT_MAX_LAYERS];
    project_styles ps = {.sectors = cats, .nsectors = ns, .hollow = &hollow, .regions = &reg,
                         .deps = &dep, .epci = &epc,
                         .groups = &grp, .true_epsg = b->crs.epsg, .has_groups = b->groups.n > 0};
    size_t nl = present_project_layers(&ps, layers);
    char title[128], subtitle[160];
    snprintf(title, sizeof title, "PTCE — recensement %d", year);
    qgs_project proj = {.title = title, .epsg = 2154, .layers = layers, .nlayers = nl,
                        .credit = b->run.rd.credit};
    memcpy(proj.extent, b->carte.layout.extent, sizeof proj.extent);
    if ((st = qgs_write(ctx, od, "ptce-map.qgs", &proj)))
        goto done;

    /* The SVG map for the report. */
    for (size_t i = 0; i < b->agg.nregions; i++)
        areas[i] = (svg_area){.geom = b->carte.regions.geoms[i],
                              .color = styles_class_color(&reg, b->agg.regions[i].per_100k)};
    for (size_t i = 0; i < b->agg.ndeps; i++)
        outlines[i] = (svg_area){.geom = b->carte.deps.geoms[i]};
    for (size_t i = 0; i < np; i++) {
        const ptce_row *row = &b->run.rows[b->ls.placed[i]];
        points[i] = (svg_point){b->carte.points.x[i], b->carte.points.y[i],
                                taxonomy_sector_color(b->run.tax, (size_t)row->cls.primary),
                                geo_accuracy_is_approximate(row->geo.accuracy)};
    }
    svg_frame frames[LAYOUT_ZONES - 1];
    char frame_labels[LAYOUT_ZONES - 1][64];
    for (int i = 1; i < LAYOUT_ZONES; i++) {
        const layout_zone *z = &b->carte.layout.zones[i];
        char scale[16];
        snprintf(scale, sizeof scale, "%g", z->scale);
        for (char *p = scale; *p; p++)
            if (*p == '.')
                *p = ',';
        snprintf(frame_labels[i - 1], sizeof frame_labels[i - 1], "%s (×%s)", z->label, scale);
        frames[i - 1] = (svg_frame){.geom = b->carte.frame_geoms[i - 1],
                                    .label = frame_labels[i - 1], .scale = z->scale};
    }
    snprintf(subtitle, sizeof subtitle, "Recensement %d — %ld PTCE placés sur %zu", year,
             b->agg.total, b->run.nrows);
    svg_map map = {.title = "Pôles territoriaux de coopération économique",
                   .subtitle = subtitle, .credit = b->run.rd.credit, .areas = areas,
                   .nareas = b->agg.nregions, .outlines = outlines, .noutlines = b->agg.ndeps,
                   .points = points, .npoints = np, .frames = frames,
                   .nframes = LAYOUT_ZONES - 1, .classes = reg.classes, .nclasses = reg.n,
                   .classes_title = "PTCE pour 100 000 habitants (régions)", .cats = cats,
                   .ncats = ns, .hollow_label = hollow.label};
    memcpy(map.extent, b->carte.layout.extent, sizeof map.extent);
    st = svg_write(ctx, od, "ptce_carte.svg", &map);
done:
    free(cats);
    free(areas);
    free(outlines);
    free(points);
    return st;
}

/* The interactive web map: web/ with its template (data/web/) and its data. */
static ptce_status write_web(ptce_ctx *ctx, outdir *od, build_state *b,
                             const build_options *opts, int year)
{
    const char *data = ptce_data_dir(ctx);
    if (!data)
        return ptce_fail(ctx, PTCE_ERR_DATA, "dossier des données de référence introuvable");
    char template_dir[4096];
    snprintf(template_dir, sizeof template_dir, "%s/%s", data, WEB_FOLDER);
    web_inputs in = {.run = &b->run, .agg = &b->agg, .ls = &b->ls,
                     .region_geoms = b->web_regions, .dep_geoms = b->web_deps,
                     .layout = &b->carte.layout,
                     .previous = b->has_previous ? &b->previous : NULL,
                     .diff = b->has_previous ? &b->diff : NULL, .tiles = opts->tiles,
                     .attribution = opts->tiles_attribution, .year = year};
    web_layers w;
    ptce_status st = web_layers_build(ctx, &in, &w);
    if (!st)
        st = web_write(ctx, od, WEB_FOLDER, template_dir, &w.map);
    web_layers_free(&w);
    return st;
}

static ptce_status write_outputs(ptce_ctx *ctx, outdir *od, build_state *b,
                                 const build_options *opts, int year)
{
    layer_set *ls = &b->ls;
    const layer *points = b->restricted ? &b->points_view.out : &ls->points;
    const layer *regions = b->restricted ? &b->regions_view.out : &ls->region_layer.out;
    const layer *deps = b->restricted ? &b->deps_view.out : &ls->dep_layer.out;
    const layer *epcis = b->restricted ? &b->epci_view.out : &ls->epci_layer.out;
    ptce_status st;
    if ((st = shapefile_write(ctx, od, "", points, &b->crs)) ||
        (st = shapefile_write(ctx, od, "", regions, &b->crs)) ||
        (st = shapefile_write(ctx, od, "", deps, &b->crs)) ||
        (st = shapefile_write(ctx, od, "", epcis, &b->crs)) ||
        (st = geojson_write(ctx, od, "", &ls->points, "")) ||
        (st = geojson_write(ctx, od, "", &ls->region_layer.out, "")) ||
        (st = geojson_write(ctx, od, "", &ls->dep_layer.out, "")) ||
        (st = geojson_write(ctx, od, "", &ls->epci_layer.out, "")) ||
        (st = geojson_write(ctx, od, "", &b->web_region_layer.out, "_web")) ||
        (st = geojson_write(ctx, od, "", &b->web_dep_layer.out, "_web")))
        return st;
    if (b->groups.n > 0 &&
        ((st = shapefile_write(ctx, od, "", &b->group_layer.out, &b->crs)) ||
         (st = geojson_write(ctx, od, "", &b->group_layer.out, ""))))
        return st;
    carte *c = &b->carte;
    if ((st = shapefile_write(ctx, od, "carte", &c->points.out, &c->crs)) ||
        (st = shapefile_write(ctx, od, "carte", &c->regions.out, &c->crs)) ||
        (st = shapefile_write(ctx, od, "carte", &c->deps.out, &c->crs)) ||
        (st = shapefile_write(ctx, od, "carte", &c->frames, &c->crs)))
        return st;
    strbuf synth;
    sb_init(&synth);
    st = report_synthese(ctx, &b->run, &b->agg, &synth);
    if (!st)
        st = write_bytes(ctx, od, "synthese.csv", synth.data, synth.len);
    sb_free(&synth);
    if (!st)
        st = csv_write_layer(ctx, od, "rejets.csv", &ls->rejects);
    if (!st && b->has_previous) {
        strbuf evol;
        sb_init(&evol);
        st = diff_write_csv(ctx, &b->diff, &evol);
        if (!st)
            st = write_bytes(ctx, od, "evolutions.csv", evol.data, evol.len);
        sb_free(&evol);
    }
    if (!st)
        st = write_presentation(ctx, od, b, year);
    if (!st)
        st = write_web(ctx, od, b, opts, year);
    if (!st)
        st = write_readme(ctx, od, b);
    return st;
}

/* --previous: the older census goes through the same stages; its counts per area become
 * nb_prec and the changes evolutions.csv. */
static ptce_status compare_with_previous(ptce_ctx *ctx, build_state *b, const build_options *opts)
{
    run_options ro = opts->run;
    ro.census_path = opts->previous;
    ptce_status st = run_load(ctx, &ro, &b->previous);
    b->has_previous = 1;
    if (!st)
        st = run_geocode(ctx, &b->previous);
    if (!st)
        st = run_classify(ctx, &b->previous);
    if (!st)
        st = diff_runs(ctx, &b->previous, &b->run, &b->diff);
    if (st)
        return st;
    long *per_region = calloc(b->agg.nregions, sizeof *per_region);
    long *per_dep = calloc(b->agg.ndeps, sizeof *per_dep);
    if (!per_region || !per_dep) {
        free(per_region);
        free(per_dep);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    diff_previous_counts(&b->previous, &b->run.rd, per_region, per_dep);
    for (size_t i = 0; i < b->agg.nregions; i++)
        b->agg.regions[i].previous = per_region[i];
    for (size_t i = 0; i < b->agg.ndeps; i++)
        b->agg.deps[i].previous = per_dep[i];
    b->agg.has_previous = 1;
    free(per_region);
    free(per_dep);
    strbuf summary;
    sb_init(&summary);
    st = diff_format_summary(ctx, &b->diff, &b->previous, &b->run, &summary);
    if (!st && summary.data)
        ptce_info(ctx, "%s", summary.data);
    sb_free(&summary);
    return st;
}

static void build_state_free(build_state *b)
{
    if (b->has_previous) {
        diff_result_free(&b->diff);
        run_free(&b->previous);
    }
    free(b->web_deps);
    free(b->web_regions);
    layer_view_free(&b->points_view);
    layer_view_free(&b->regions_view);
    layer_view_free(&b->deps_view);
    layer_view_free(&b->epci_view);
    carte_free(&b->carte);
    geom_crs_close(&b->crs);
    layers_free(&b->ls);
    group_set_free(&b->groups);
    aggregation_free(&b->agg);
    run_free(&b->run);
}

ptce_status ptce_build(ptce_ctx *ctx, const build_options *opts)
{
    build_state *b = calloc(1, sizeof *b);
    if (!b)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    outdir od = {0};
    b->tiles = opts->tiles;
    int epsg = opts->epsg ? opts->epsg : 4326;
    /* Check what the user typed before the long part of the run. */
    ptce_status st = geom_crs_open(ctx, epsg, &b->crs);
    if (!st)
        st = run_load(ctx, &opts->run, &b->run);
    if (!st)
        st = run_geocode(ctx, &b->run);
    if (!st)
        st = run_classify(ctx, &b->run);
    if (!st)
        st = aggregate_run(ctx, &b->run, &b->agg);
    if (!st && opts->previous)
        st = compare_with_previous(ctx, b, opts);
    if (!st && opts->groups)
        st = aggregate_groups(ctx, &b->agg, opts->groups, &b->groups);
    if (!st)
        st = layers_build(ctx, &b->run, &b->agg, &b->ls);
    if (!st && b->groups.n > 0)
        st = layers_area(ctx, &b->ls, AREA_GROUP, b->groups.groups, b->groups.n, NULL,
                         "ptce_groupes", "PTCE par groupe", &b->group_layer);
    const char *territory = build_territory_of_crs(epsg);
    if (!st && territory)
        st = restrict_to_territory(ctx, b, territory);
    if (!st)
        st = build_web_polygons(ctx, b);
    if (!st)
        st = carte_build(ctx, &b->run.rd, &b->ls, &b->web_region_layer.out,
                         &b->web_dep_layer.out, &b->carte);
    if (!st)
        st = outdir_open(ctx, opts->outdir ? opts->outdir : "out", "build", optional_outputs,
                         &od);
    if (!st) {
        st = write_outputs(ctx, &od, b, opts, census_year(opts, &b->run));
        if (!st)
            st = outdir_commit(ctx, &od);
        else
            outdir_abort(&od);
    }
    if (!st)
        print_summary(ctx, &b->run, &b->agg);
    build_state_free(b);
    free(b);
    return st;
}
