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
#include <time.h>

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
#include "app/validate.h"
#include "present/aliases.h"
#include "present/styles.h"
#include "present/web.h"
#include "present/tables.h"
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
    layers_set ls;
    layers_area_layer group_layer;
    geom_crs_target crs;
    carte carte;
    const GEOSGeometry **web_deps;    /* not owned: the reference data's */
    const GEOSGeometry **web_regions;
    layers_area_layer web_region_layer, web_dep_layer;
    layers_view points_view, regions_view, deps_view, epci_view; /* --crs for one territory */
    layers_view groups_view;   /* --crs for one territory: groups lying wholly in it */
    int restricted;
    ptce_run previous;        /* --previous: the older census, through the same stages */
    diff_result diff;
    int has_previous;
    const char *tiles;        /* --tuiles, for LISEZMOI.txt */
    carto_print_prep *print_prep; /* what the print needs no map for, made meanwhile */
} build_state;

/* The regions of metropolitan France: what Lambert-93 is made for (its area of use, EPSG). */
#define METROPOLE_REGIONS "11,24,27,28,32,44,52,53,75,76,84,93,94"

/* The regions the true-position layers keep for a CRS: the overseas CRSs' own territory
 * (geom/), metropolitan France for Lambert-93, everything for the others. */
static const char *crs_regions(int epsg)
{
    return epsg == GEOM_EPSG_LAMBERT93 ? METROPOLE_REGIONS : geom_crs_regions(epsg);
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
    util_strbuf sb;
    util_sb_init(&sb);
    util_sb_printf(&sb, "Carte nationale des PTCE produite par ptce-map %s\n\n", ptce_version());
    util_sb_printf(&sb, "Recensement : %s (%zu lignes ; %zu placées, %zu ambiguës, %zu rejetées)\n",
              run->census.path, run->nrows, run->nplaced, run->nambiguous, run->nrejected);
    util_sb_printf(&sb, "Code officiel géographique : %s\n", run->rd->cog_year);
    util_sb_printf(&sb, "Couches en position réelle (ptce_*.shp) : EPSG:%d (%s)%s\n", b->crs.epsg,
              b->crs.name, b->restricted ? ", limitées au territoire de ce système" : "");
    if (b->crs.epsg == 2154)
        util_sb_printf(&sb, "Lambert-93 n'est défini que pour la France métropolitaine : les couches "
                       "en position réelle (Shapefiles et tables ptce_* du GeoPackage) n'y "
                       "contiennent que la métropole, rien n'est projeté hors de son domaine. Les "
                       "régions d'outre-mer sont dans le GeoJSON (WGS 84) et dans carte/ ; dans "
                       "leur système légal : --crs EPSG:5490 (Guadeloupe, Martinique), EPSG:2972 "
                       "(Guyane), EPSG:2975 (La Réunion), EPSG:4471 (Mayotte).\n");
    util_sb_printf(&sb, "GeoJSON : WGS 84 (EPSG:4326), longitude puis latitude, 6 décimales\n");
    util_sb_printf(&sb, "carte/ : mise en page nationale en Lambert-93 ; les départements et régions "
                   "d'outre-mer y sont DÉPLACÉS et mis à l'échelle dans des encarts (champ "
                   "deplace = 1) : ces coordonnées ne sont pas des positions réelles.\n");
    util_sb_printf(&sb, "\nCarte web (" WEB_FOLDER "/) : ouvrez " WEB_FOLDER "/index.html dans un "
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
    util_sb_printf(&sb, "Versions des données : %s\n\n", run->rd->versions);
    util_sb_printf(&sb, "Sources et crédits : %s\n", run->rd->credit);
    ptce_status st = sb.failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante")
                               : writers_write_bytes(ctx, od, "LISEZMOI.txt", sb.data, sb.len);
    util_sb_free(&sb);
    return st;
}

/* The web layers: the same areas on the simplified polygons of the reference data. */
static ptce_status build_web_polygons(ptce_ctx *ctx, build_state *b)
{
    aggregation *agg = &b->agg;
    refdata *rd = b->run.rd;
    b->web_deps = calloc(agg->ndeps, sizeof *b->web_deps);
    b->web_regions = calloc(agg->nregions, sizeof *b->web_regions);
    if (!b->web_deps || !b->web_regions)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    /* Areas are in the reference arrays' order (see aggregate.c). */
    for (size_t i = 0; i < agg->ndeps; i++)
        if (!(b->web_deps[i] = refdata_departement_web_geom(ctx, rd, &rd->deps[i])))
            return ptce_ctx_status(ctx, PTCE_ERR_DATA);
    for (size_t i = 0; i < agg->nregions; i++)
        if (!(b->web_regions[i] = refdata_region_web_geom(ctx, rd, &rd->regions[i])))
            return ptce_ctx_status(ctx, PTCE_ERR_DATA);
    ptce_status st = layers_area(ctx, &b->ls, LAYERS_AREA_REGION, agg->regions, agg->nregions,
                                 b->web_regions, "ptce_regions",
                                 "PTCE par région (simplifié pour le web)", &b->web_region_layer);
    if (!st)
        st = layers_area(ctx, &b->ls, LAYERS_AREA_DEPARTEMENT, agg->deps, agg->ndeps, b->web_deps,
                         "ptce_departements", "PTCE par département (simplifié pour le web)",
                         &b->web_dep_layer);
    return st;
}

/* With an overseas legal CRS, the true-position Shapefiles keep that territory only. */
static ptce_status restrict_to_territory(ptce_ctx *ctx, build_state *b, const char *regions)
{
    layers_set *ls = &b->ls;
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
    const refdata *rd = b->run.rd;
    for (size_t i = 0; i < rd->ncommunes; i++) {
        const epci *e = refdata_epci(rd, rd->communes[i].epci);
        if (e && strstr(regions, rd->communes[i].reg))
            keep[np + nr + nd + (size_t)(e - rd->epcis)] = 1;
    }
    ptce_status st = layers_view_make(ctx, &ls->points, keep, &b->points_view);
    if (!st)
        st = layers_view_make(ctx, &ls->region_layer.out, keep + np, &b->regions_view);
    if (!st)
        st = layers_view_make(ctx, &ls->dep_layer.out, keep + np + nr, &b->deps_view);
    if (!st)
        st = layers_view_make(ctx, &ls->epci_layer.out, keep + np + nr + nd, &b->epci_view);
    free(keep);
    /* A group is kept when each of its members (regions, or départements) lies in the
     * territory. */
    if (!st && b->groups.n > 0) {
        unsigned char *gkeep = calloc(b->groups.n, 1);
        if (!gkeep)
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        for (size_t g = 0; g < b->groups.n; g++) {
            char codes[1024];
            snprintf(codes, sizeof codes, "%s", b->groups.groups[g].parent_code);
            int inside = 1;
            for (char *save = NULL, *c = strtok_r(codes, ",", &save); c && inside;
                 c = strtok_r(NULL, ",", &save)) {
                const char *reg = c;
                if (b->groups.by_departement) {
                    const departement *d = refdata_departement(b->run.rd, c);
                    reg = d ? d->reg : "";
                }
                inside = strlen(reg) == 2 && strstr(regions, reg) != NULL;
            }
            gkeep[g] = (unsigned char)inside;
        }
        st = layers_view_make(ctx, &b->group_layer.out, gkeep, &b->groups_view);
        free(gkeep);
    }
    b->restricted = 1;
    if (b->crs.epsg == 2154)
        ptce_info(ctx, "EPSG:2154 (Lambert-93) : les couches en position réelle ne gardent que la "
                       "France métropolitaine, domaine de ce système ; les régions d'outre-mer "
                       "restent dans le GeoJSON (WGS 84) et dans carte/, ou s'obtiennent dans leur "
                       "système légal avec --crs EPSG:5490 (Guadeloupe, Martinique), EPSG:2972 "
                       "(Guyane), EPSG:2975 (La Réunion), EPSG:4471 (Mayotte)");
    else
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
            (p[4] < '0' || p[4] > '9')) {
            int y = (int)strtol(p, NULL, 10); /* exactly four digits, checked above */
            if (y >= PTCE_YEAR_MIN && y <= PTCE_YEAR_MAX)
                return y;
        }
    return atoi(run->rd->cog_year);
}

/* ---- what is published, and how ------------------------------------------------------ */

/* One layer of the build as every format publishes it: its Shapefile (and .qml) under
 * `subdir`, its GeoPackage table, its style, its aliases. The list is made once, so the
 * Shapefiles, their styles and the GeoPackage hold the same layers, features and styles. */
typedef struct published {
    const layer *l;
    const char *subdir;          /* "" or "carte" */
    const char *table;           /* GeoPackage table */
    const char *identifier;      /* GeoPackage title (unique) */
    char description[1024];
    const geom_crs_target *crs;
    carto_qgis_style style;
    const char *aliases[128];
    char alias_store[128][128];
    const char *alias_fields[128];
} published;

#define MAX_PUBLISHED 12

/* Census rows from which the print job is waited for before the workbook is built
 * (write_outputs): below, the two together are small (a 10,000-row build peaks near
 * 170 MB of heap) and drawing beside the workbook saves wall time on a second core; at
 * 100,000 rows they would add up to several hundred MB (docs/performance.md). Same files
 * either way. */
#define PRINT_ALONE_ROWS 10000

typedef struct publication {
    published layers[MAX_PUBLISHED];
    size_t n;
    choropleth reg, dep, epc, grp;
    carto_style_category *cats;        /* one per sector, labels with counts */
    char (*cat_labels)[128];
    carto_style_hollow hollow;         /* approximate placements drawn hollow */
    const char *hollow_values[2];
    tables_sector_table sectors;
    char date[16];               /* "2026-03-01": --date, else 1 January of the census year */
    int dated;                   /* --date was given */
    char timestamp[32];          /* "2026-03-01T00:00:00.000Z" */
    int year;                    /* the census year */
} publication;

static ptce_status publish_layer(ptce_ctx *ctx, publication *p, const build_state *b,
                                 const layer *l, const char *subdir, const char *table,
                                 const char *identifier, const char *what,
                                 const geom_crs_target *crs, carto_qgis_style style)
{
    if (p->n == MAX_PUBLISHED || l->nfields > 128)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : trop de couches ou de champs", table);
    published *pl = &p->layers[p->n++];
    memset(pl, 0, sizeof *pl);
    pl->l = l;
    pl->subdir = subdir;
    pl->table = table;
    pl->identifier = identifier;
    pl->crs = crs;
    snprintf(pl->description, sizeof pl->description,
             "%s Système de coordonnées : EPSG:%d (%s). Recensement des PTCE %d (édition "
             "du %s) ; ptce-map %s. Sources et licences : %s.",
             what, crs->epsg, crs->name, p->year, p->date, ptce_version(), b->run.rd->credit);
    aliases_layer_labels(b->run.tax, l, pl->aliases, pl->alias_store);
    for (size_t f = 0; f < l->nfields; f++)
        pl->alias_fields[f] = l->fields[f].name;
    style.alias_fields = pl->alias_fields;
    style.alias_names = pl->aliases;
    style.naliases = l->nfields;
    pl->style = style;
    return PTCE_OK;
}

static carto_qgis_style sectors_style(const publication *p, size_t ns)
{
    return (carto_qgis_style){.kind = CARTO_QGIS_STYLE_CATEGORIZED, .attr = "secteur", .cats = p->cats,
                        .ncats = ns, .hollow = &p->hollow};
}

static carto_qgis_style classes_style(const choropleth *c, const char *label_attr)
{
    return (carto_qgis_style){.kind = CARTO_QGIS_STYLE_GRADUATED, .polygon = 1, .attr = "ptce_100k",
                        .classes = c->classes, .nclasses = c->n, .label_attr = label_attr};
}

/* The layout's regions: labelled with name and count, like the printed map. */
static carto_qgis_style region_labels_style(const choropleth *c)
{
    carto_qgis_style st = classes_style(c, PROJECT_REGION_LABEL);
    st.label_is_expression = 1;
    return st;
}

static ptce_status make_publication(ptce_ctx *ctx, build_state *b, const build_options *opts,
                                    int year, publication *p)
{
    memset(p, 0, sizeof *p);
    size_t ns = b->agg.nsectors;
    if (opts->date)
        snprintf(p->date, sizeof p->date, "%s", opts->date);
    else
        snprintf(p->date, sizeof p->date, "%04d-01-01", year);
    p->dated = opts->date != NULL;
    p->year = year;
    snprintf(p->timestamp, sizeof p->timestamp, "%sT00:00:00.000Z", p->date);
    ptce_status st = tables_sectors(ctx, b->run.tax, &b->agg, &p->sectors);
    if (st)
        return st;
    p->cats = calloc(ns ? ns : 1, sizeof *p->cats);
    p->cat_labels = calloc(ns ? ns : 1, sizeof *p->cat_labels);
    if (!p->cats || !p->cat_labels)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    styles_sectors(b->run.tax, p->sectors.counts, p->cat_labels, p->cats);
    styles_hollow_points(&p->hollow, p->hollow_values);
    if (!styles_choropleth(b->agg.regions, b->agg.nregions, &p->reg) ||
        !styles_choropleth(b->agg.deps, b->agg.ndeps, &p->dep) ||
        !styles_choropleth(b->agg.epci, b->agg.nepci, &p->epc) ||
        !styles_choropleth(b->groups.groups, b->groups.n, &p->grp))
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");

    layers_set *ls = &b->ls;
    const layer *points = b->restricted ? &b->points_view.out : &ls->points;
    const layer *regions = b->restricted ? &b->regions_view.out : &ls->region_layer.out;
    const layer *deps = b->restricted ? &b->deps_view.out : &ls->dep_layer.out;
    const layer *epcis = b->restricted ? &b->epci_view.out : &ls->epci_layer.out;
    carte *c = &b->carte;
    static const char moved[] =
        "Mise en page nationale : la France métropolitaine en Lambert-93, les départements et "
        "régions d'outre-mer DÉPLACÉS et mis à l'échelle dans des encarts (champ deplace = 1, "
        "échelle dans echelle) : ces coordonnées ne sont pas des positions réelles.";
    char buf[5][512];
    snprintf(buf[0], sizeof buf[0], "Un point par PTCE placé (%zu), à sa position réelle.",
             points->nfeatures);
    snprintf(buf[1], sizeof buf[1], "PTCE par région : nombre, par secteur, membres, "
                                    "population, taux pour 100 000 habitants, part nationale.");
    snprintf(buf[2], sizeof buf[2], "PTCE par département : mêmes chiffres que les régions.");
    snprintf(buf[3], sizeof buf[3], "PTCE par groupe de territoires (--groups).");
    snprintf(buf[4], sizeof buf[4], "PTCE par intercommunalité (EPCI à fiscalité propre) : "
                                    "mêmes chiffres que les régions.");
    if ((st = publish_layer(ctx, p, b, points, "", "ptce_points", "PTCE (position réelle)",
                            buf[0], &b->crs, sectors_style(p, ns))) ||
        (st = publish_layer(ctx, p, b, regions, "", "ptce_regions", "PTCE par région", buf[1],
                            &b->crs, classes_style(&p->reg, "nom_reg"))) ||
        (st = publish_layer(ctx, p, b, deps, "", "ptce_departements", "PTCE par département",
                            buf[2], &b->crs, classes_style(&p->dep, NULL))) ||
        (st = publish_layer(ctx, p, b, epcis, "", "ptce_epci", "PTCE par EPCI", buf[4],
                            &b->crs, classes_style(&p->epc, NULL))))
        return st;
    if (b->groups.n > 0 &&
        (st = publish_layer(ctx, p, b, b->restricted ? &b->groups_view.out : &b->group_layer.out,
                            "", "ptce_groupes",
                            "PTCE par groupe", buf[3], &b->crs,
                            classes_style(&p->grp, "groupe"))))
        return st;
    if ((st = publish_layer(ctx, p, b, &c->points.out, "carte", "carte_ptce_points",
                            "Carte nationale : PTCE par secteur", moved, &c->crs,
                            sectors_style(p, ns))) ||
        (st = publish_layer(ctx, p, b, &c->regions.out, "carte", "carte_ptce_regions",
                            "Carte nationale : PTCE par région", moved, &c->crs,
                            region_labels_style(&p->reg))) ||
        (st = publish_layer(ctx, p, b, &c->deps.out, "carte", "carte_ptce_departements",
                            "Carte nationale : PTCE par département", moved, &c->crs,
                            classes_style(&p->dep, NULL))) ||
        (st = publish_layer(ctx, p, b, &c->frames, "carte", "carte_cadres",
                            "Carte nationale : cadres des encarts", moved, &c->crs,
                            (carto_qgis_style){.kind = CARTO_QGIS_STYLE_FRAMES, .polygon = 1,
                                         .label_attr = "nom"})))
        return st;
    return PTCE_OK;
}

static void publication_free(publication *p)
{
    free(p->cats);
    free(p->cat_labels);
    tables_sectors_free(&p->sectors);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm): the
 * workbook's fixed creation time without the locale-dependent mktime. */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* ---- the GeoPackage and the workbook ---- */

static ptce_status write_geopackage(ptce_ctx *ctx, outdir *od, build_state *b, publication *p)
{
    writers_gpkg_layer gl[MAX_PUBLISHED];
    util_strbuf qml[MAX_PUBLISHED];
    ptce_status st = PTCE_OK;
    for (size_t i = 0; i < p->n; i++)
        util_sb_init(&qml[i]);
    for (size_t i = 0; i < p->n && !st; i++) {
        published *pl = &p->layers[i];
        st = carto_qml_render(ctx, &pl->style, pl->table, &qml[i]);
        gl[i] = (writers_gpkg_layer){.l = pl->l, .table = pl->table, .identifier = pl->identifier,
                             .description = pl->description, .crs = pl->crs,
                             .aliases = pl->aliases, .style_qml = qml[i].data};
    }
    util_strbuf md;
    util_sb_init(&md);
    util_sb_printf(&md, "Carte nationale des PTCE (pôles territoriaux de coopération économique), "
                   "recensement %d (édition du %s), produite par ptce-map %s.\nRecensement : %s (%zu lignes, "
                   "%zu placées).\nCode officiel géographique : %s.\nTables ptce_* : positions "
                   "réelles (EPSG:%d). Tables carte_* : mise en page nationale, outre-mer "
                   "déplacé (deplace = 1).\nVersions des données : %s\nSources et licences : "
                   "%s\n",
              p->year, p->date, ptce_version(), b->run.census.path, b->run.nrows, b->run.nplaced,
              b->run.rd->cog_year, b->crs.epsg, b->run.rd->versions, b->run.rd->credit);
    writers_gpkg_document doc = {.layers = gl, .nlayers = p->n, .timestamp = p->timestamp,
                         .metadata = md.data};
    if (!st && md.failed)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    if (!st)
        st = writers_gpkg(ctx, od, "ptce-map.gpkg", &doc);
    util_sb_free(&md);
    for (size_t i = 0; i < p->n; i++)
        util_sb_free(&qml[i]);
    return st;
}

static ptce_status write_workbook(ptce_ctx *ctx, outdir *od, build_state *b, publication *p)
{
    const layer *tables[] = {&b->ls.region_layer.out, &b->ls.dep_layer.out,
                             &b->ls.epci_layer.out, &p->sectors.out, &b->ls.points};
    const char *names[] = {"Régions", "Départements", "EPCI", "Secteurs", "PTCE"};
    size_t n = sizeof tables / sizeof *tables;
    writers_xlsx_sheet sheets[8];
    const char **headers[8] = {0};
    char (*stores[8])[128] = {0};
    ptce_status st = PTCE_OK;
    for (size_t i = 0; i < n && !st; i++) {
        headers[i] = calloc(tables[i]->nfields + 1, sizeof *headers[i]);
        stores[i] = calloc(tables[i]->nfields + 1, sizeof *stores[i]);
        if (!headers[i] || !stores[i]) {
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            break;
        }
        aliases_layer_labels(b->run.tax, tables[i], headers[i], stores[i]);
        sheets[i] = (writers_xlsx_sheet){.name = names[i], .l = tables[i], .headers = headers[i]};
    }
    char title[160];
    snprintf(title, sizeof title, "PTCE — recensement %d", p->year);
    int y = 0, m = 0, d = 0;
    sscanf(p->date, "%d-%d-%d", &y, &m, &d);
    writers_xlsx_document doc = {.sheets = sheets, .nsheets = n, .title = title,
                         .author = "ptce-map", .comments = b->run.rd->credit,
                         .created = (time_t)(days_from_civil(y, m, d) * 86400)};
    if (!st)
        st = writers_xlsx(ctx, od, "synthese.xlsx", &doc);
    for (size_t i = 0; i < n; i++) {
        free(headers[i]);
        free(stores[i]);
    }
    return st;
}

/* ---- the printed map ---- */

/* The SVG map, and the PDF and PNG drawn from it; the QGIS project with the same layout. */
/* The texts the QGIS project and the printed map share. */
typedef struct map_texts {
    char title[128], production[512], zoom_label[96];
} map_texts;

static void make_map_texts(const build_state *b, const publication *p, int year, map_texts *t)
{
    const layout_national *lay = &b->carte.layout;
    snprintf(t->title, sizeof t->title, "PTCE — recensement %d", year);
    if (p->dated)
        snprintf(t->production, sizeof t->production, "R\xC3\xA9" "alisation : ptce-map %s, %s "
                 "\xC2\xB7 recensement %d, COG %s", ptce_version(), p->date, year,
                 b->run.rd->cog_year);
    else
        snprintf(t->production, sizeof t->production, "R\xC3\xA9" "alisation : ptce-map %s "
                 "\xC2\xB7 recensement %d, COG %s", ptce_version(), year, b->run.rd->cog_year);
    snprintf(t->zoom_label, sizeof t->zoom_label, "%s (\xC3\x97%g)", lay->zoom_label,
             lay->zoom_scale);
}

/* The printed map: the SVG document into *svg, and its PDF and PNG drawn by a print job
 * (on a thread of its own: carto_print_start) while the other files are written. */
static ptce_status start_print(ptce_ctx *ctx, build_state *b, publication *p, int year,
                               util_strbuf *svg, carto_print_job **job)
{
    size_t ns = b->agg.nsectors;
    layout_national *lay = &b->carte.layout;
    map_texts t;
    make_map_texts(b, p, year, &t);
    const char *title = t.title, *production = t.production, *zoom_label = t.zoom_label;
    char subtitle[160];
    ptce_status st = PTCE_OK;
    size_t nr = b->agg.nregions, nd = b->agg.ndeps, np = b->carte.points.out.nfeatures;
    carto_svg_area *areas = calloc(nr ? nr : 1, sizeof *areas);
    carto_svg_area *outlines = calloc(nd ? nd : 1, sizeof *outlines);
    carto_svg_point *points = calloc(np ? np : 1, sizeof *points);
    carto_svg_label *labels = calloc(nr ? nr : 1, sizeof *labels);
    char (*label_text)[64] = calloc(nr ? nr : 1, sizeof *label_text);
    GEOSGeometry **anchors = calloc(nr ? nr : 1, sizeof *anchors);
    if (!areas || !outlines || !points || !labels || !label_text || !anchors) {
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        goto done;
    }
    size_t nlabels = 0;
    for (size_t i = 0; i < nr; i++) {
        const aggregate_area_stats *a = &b->agg.regions[i];
        const carto_style_class *k = styles_class_of(&p->reg, a->per_100k);
        areas[i] = (carto_svg_area){.geom = b->carte.regions.geoms[i], .color = k ? k->color : NULL,
                              .hatched = k && k->hatched};
        /* Metropolitan regions are labelled where they lie; the insets' frames carry the
         * overseas names and counts. */
        if (b->carte.regions.zones[i]->code_reg[0])
            continue;
        anchors[i] = GEOSPointOnSurface_r(ctx->geos, b->carte.regions.geoms[i]);
        double x, y;
        if (!anchors[i] || !GEOSGeomGetX_r(ctx->geos, anchors[i], &x) ||
            !GEOSGeomGetY_r(ctx->geos, anchors[i], &y))
            continue;
        snprintf(label_text[i], sizeof label_text[i], "%ld PTCE", a->count);
        labels[nlabels++] = (carto_svg_label){x, y, a->nom, label_text[i]};
    }
    for (size_t i = 0; i < nd; i++)
        outlines[i] = (carto_svg_area){.geom = b->carte.deps.geoms[i]};
    for (size_t i = 0; i < np; i++) {
        const ptce_row *row = &b->run.rows[b->ls.placed[i]];
        points[i] = (carto_svg_point){b->carte.points.x[i], b->carte.points.y[i],
                                sectors_color(b->run.tax, (size_t)row->cls.primary),
                                geo_accuracy_is_approximate(row->geo.accuracy)};
    }
    carto_svg_frame frames[LAYOUT_ZONES - 1];
    char frame_labels[LAYOUT_ZONES - 1][96];
    for (int i = 1; i < LAYOUT_ZONES; i++) {
        const layout_zone *z = &lay->zones[i];
        char scale[16];
        snprintf(scale, sizeof scale, "%g", z->scale);
        for (char *c = scale; *c; c++)
            if (*c == '.')
                *c = ',';
        long count = 0;
        for (size_t r = 0; r < nr; r++)
            if (strcmp(b->agg.regions[r].code, z->code_reg) == 0)
                count = b->agg.regions[r].count;
        snprintf(frame_labels[i - 1], sizeof frame_labels[i - 1], "%s (\xC3\x97%s) : %ld PTCE",
                 z->label, scale, count);
        frames[i - 1] = (carto_svg_frame){.geom = b->carte.frame_geoms[i - 1],
                                    .label = frame_labels[i - 1], .scale = z->scale};
    }
    carto_svg_zoom zoom;
    memcpy(zoom.src, lay->zoom_src, sizeof zoom.src);
    memcpy(zoom.dst, lay->zoom_dst, sizeof zoom.dst);
    zoom.label = zoom_label;
    snprintf(subtitle, sizeof subtitle, "Recensement %d \xE2\x80\x94 %ld PTCE plac\xC3\xA9s sur %zu",
             year, b->agg.total, b->run.nrows);
    carto_svg_map map = {.title = "P\xC3\xB4les territoriaux de coop\xC3\xA9ration \xC3\xA9" "conomique",
                   .subtitle = subtitle, .credit = b->run.rd->credit, .areas = areas,
                   .nareas = nr, .outlines = outlines, .noutlines = nd, .points = points,
                   .npoints = np, .frames = frames, .nframes = LAYOUT_ZONES - 1,
                   .classes = p->reg.classes, .nclasses = p->reg.n,
                   .classes_title = "PTCE pour 100 000 habitants (r\xC3\xA9gions)",
                   .cats = p->cats, .ncats = ns, .labels = labels, .nlabels = nlabels,
                   .zoom = &zoom, .production = production, .font = CARTO_PRINT_FONT,
                   .hollow_label = p->hollow.label};
    memcpy(map.extent, lay->extent, sizeof map.extent);
    st = carto_svg_render(ctx, &map, svg);
    char pdf_date[32];
    snprintf(pdf_date, sizeof pdf_date, "%sT00:00:00Z", p->date);
    carto_print_info info = {.title = title, .author = "ptce-map", .creator = production,
                       .date = pdf_date};
    if (!st) {
        st = carto_print_start(ctx, "ptce_carte.pdf", "ptce_carte.png", svg->data, svg->len,
                               &info, CARTO_PRINT_PNG_DPI, b->print_prep, job);
        b->print_prep = NULL; /* the job's now, or freed by its failure */
    }
done:
    for (size_t i = 0; anchors && i < nr; i++)
        if (anchors[i])
            GEOSGeom_destroy_r(ctx->geos, anchors[i]);
    free(anchors);
    free(label_text);
    free(labels);
    free(areas);
    free(outlines);
    free(points);
    return st;
}

/* The QGIS project, then the printed map: the SVG, and the PDF and PNG of the print job
 * (waited for here). */
static ptce_status write_maps(ptce_ctx *ctx, outdir *od, build_state *b, publication *p,
                              int year, const util_strbuf *svg, carto_print_job **job)
{
    size_t ns = b->agg.nsectors;
    layout_national *lay = &b->carte.layout;
    /* The QGIS project: the national layout ready to print, the true positions beside. */
    carto_qgs_layer layers[PROJECT_MAX_LAYERS];
    project_styles ps = {.sectors = p->cats, .nsectors = ns, .hollow = &p->hollow,
                         .regions = &p->reg, .epci = &p->epc,
                         .deps = &p->dep, .groups = &p->grp, .true_epsg = b->crs.epsg,
                         .has_groups = b->groups.n > 0};
    size_t nl = project_layers(&ps, layers);
    map_texts t;
    make_map_texts(b, p, year, &t);
    const char *title = t.title, *production = t.production, *zoom_label = t.zoom_label;
    carto_qgs_project proj = {.title = title, .epsg = GEOM_EPSG_LAMBERT93, .layers = layers, .nlayers = nl,
                        .credit = b->run.rd->credit, .production = production,
                        .zoom_label = zoom_label};
    memcpy(proj.extent, lay->extent, sizeof proj.extent);
    memcpy(proj.zoom_src, lay->zoom_src, sizeof proj.zoom_src);
    memcpy(proj.zoom_dst, lay->zoom_dst, sizeof proj.zoom_dst);
    ptce_status st = carto_qgs(ctx, od, "ptce-map.qgs", &proj);
    if (!st)
        st = writers_write_bytes(ctx, od, "ptce_carte.svg", svg->data, svg->len);
    /* Until the drawing ends this thread has nothing to do: the disk can start on the
     * files written so far (outdir_commit syncs them all). */
    if (!st && od)
        outdir_start_writeback(od);
    ptce_status pst = carto_print_finish(ctx, od && !st ? od : NULL, *job);
    *job = NULL;
    return st ? st : pst;
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
        st = carto_web(ctx, od, WEB_FOLDER, template_dir, &w.map);
    web_layers_free(&w);
    return st;
}

static ptce_status write_outputs(ptce_ctx *ctx, outdir *od, build_state *b,
                                 const build_options *opts, int year)
{
    layers_set *ls = &b->ls;
    publication *p = calloc(1, sizeof *p);
    if (!p)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    ptce_status st = make_publication(ctx, b, opts, year, p);
    /* The printed map is drawn first, on a thread of its own, while the other files are
     * written; it is written in its place, after every other file (write_maps). */
    util_strbuf svg;
    util_sb_init(&svg);
    carto_print_job *job = NULL;
    if (!st)
        st = start_print(ctx, b, p, year, &svg, &job);
    /* Shapefiles with their styles, the same list as the GeoPackage. */
    for (size_t i = 0; i < p->n && !st; i++) {
        published *pl = &p->layers[i];
        char name[128];
        snprintf(name, sizeof name, "%s%s%s", pl->subdir, pl->subdir[0] ? "/" : "", pl->l->name);
        if (!(st = writers_shapefile(ctx, od, pl->subdir, pl->l, pl->crs)))
            st = carto_qml(ctx, od, name, &pl->style);
    }
    if (!st)
        st = write_geopackage(ctx, od, b, p);
    /* GeoJSON: WGS 84 whatever --crs says, every feature. */
    if (!st &&
        ((st = writers_geojson(ctx, od, "", &ls->points, "")) ||
         (st = writers_geojson(ctx, od, "", &ls->region_layer.out, "")) ||
         (st = writers_geojson(ctx, od, "", &ls->dep_layer.out, "")) ||
         (st = writers_geojson(ctx, od, "", &ls->epci_layer.out, "")) ||
         (st = writers_geojson(ctx, od, "", &b->web_region_layer.out, "_web")) ||
         (st = writers_geojson(ctx, od, "", &b->web_dep_layer.out, "_web"))))
        goto done;
    if (!st && b->groups.n > 0)
        st = writers_geojson(ctx, od, "", &b->group_layer.out, "");
    util_strbuf synth;
    util_sb_init(&synth);
    if (!st)
        st = reports_synthese(ctx, &b->run, &b->agg, &synth);
    if (!st)
        st = writers_write_bytes(ctx, od, "synthese.csv", synth.data, synth.len);
    util_sb_free(&synth);
    util_sb_init(&synth);
    if (!st)
        st = reports_synthese_departements(ctx, &b->run, &b->agg, &synth);
    if (!st)
        st = writers_write_bytes(ctx, od, "synthese_departements.csv", synth.data, synth.len);
    util_sb_free(&synth);
    if (!st)
        st = writers_csv(ctx, od, "rejets.csv", &ls->rejects);
    if (!st && b->has_previous) {
        util_strbuf evol;
        util_sb_init(&evol);
        st = diff_write_csv(ctx, &b->diff, &evol);
        if (!st)
            st = writers_write_bytes(ctx, od, "evolutions.csv", evol.data, evol.len);
        util_sb_free(&evol);
    }
    /* The workbook (libxlsxwriter keeps every cell until it closes) and the print job
     * (librsvg's tree of every point, cairo's recording and 300 dpi image) are the two
     * largest allocations of a build: past PRINT_ALONE_ROWS they do not overlap. */
    if (!st && b->run.nrows >= PRINT_ALONE_ROWS)
        carto_print_wait(job);
    if (!st)
        st = write_workbook(ctx, od, b, p);
    /* Everything that does not wait for the drawing comes before write_maps, which does. */
    if (!st)
        st = write_web(ctx, od, b, opts, year);
    if (!st)
        st = write_readme(ctx, od, b);
    if (!st)
        st = write_maps(ctx, od, b, p, year, &svg, &job);
done:
    carto_print_finish(ctx, NULL, job); /* a failure before write_maps: wait, discard */
    util_sb_free(&svg);
    publication_free(p);
    free(p);
    return st;
}

/* --previous: the older census goes through the same stages; its counts per area become
 * nb_prec and the changes evolutions.csv. */
static ptce_status compare_with_previous(ptce_ctx *ctx, build_state *b, const build_options *opts)
{
    run_options ro = opts->run;
    ro.census_path = opts->previous;
    /* One load of the reference data for both years: b->previous is freed before b->run
     * (build_state_free). */
    ro.shared_refdata = b->run.rd;
    ptce_status st = run_load(ctx, &ro, &b->previous);
    b->has_previous = 1;
    if (!st) /* the same options (BAN, corrections), hence the same taxonomy file, as b->run */
        st = run_geocode_and_classify(ctx, &b->previous, &b->run);
    if (!st)
        st = diff_runs(ctx, &b->previous, &b->run, &b->diff);
    if (st)
        return st;
    long *per_region = calloc(b->agg.nregions, sizeof *per_region);
    long *per_dep = calloc(b->agg.ndeps, sizeof *per_dep);
    long *per_epci = calloc(b->agg.nepci ? b->agg.nepci : 1, sizeof *per_epci);
    if (!per_region || !per_dep || !per_epci) {
        free(per_region);
        free(per_dep);
        free(per_epci);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    diff_previous_counts(&b->previous, b->run.rd, per_region, per_dep);
    diff_previous_epci_counts(&b->previous, b->run.rd, per_epci);
    for (size_t i = 0; i < b->agg.nregions; i++)
        b->agg.regions[i].previous = per_region[i];
    for (size_t i = 0; i < b->agg.ndeps; i++)
        b->agg.deps[i].previous = per_dep[i];
    /* The EPCI areas are in the reference arrays' order (aggregate.c). */
    for (size_t i = 0; i < b->agg.nepci; i++)
        b->agg.epci[i].previous = per_epci[i];
    b->agg.has_previous = 1;
    free(per_region);
    free(per_dep);
    free(per_epci);
    util_strbuf summary;
    util_sb_init(&summary);
    st = diff_format_summary(ctx, &b->diff, &b->previous, &b->run, &summary);
    if (!st && summary.data)
        ptce_info(ctx, "%s", summary.data);
    util_sb_free(&summary);
    return st;
}

static void build_state_free(build_state *b)
{
    carto_print_prep_free(b->print_prep);
    if (b->has_previous) {
        diff_result_free(&b->diff);
        run_free(&b->previous);
    }
    free(b->web_deps);
    free(b->web_regions);
    layers_view_free(&b->points_view);
    layers_view_free(&b->regions_view);
    layers_view_free(&b->deps_view);
    layers_view_free(&b->epci_view);
    layers_view_free(&b->groups_view);
    layout_carte_free(&b->carte);
    geom_crs_close(&b->crs);
    layers_free(&b->ls);
    group_set_free(&b->groups);
    aggregate_free(&b->agg);
    run_free(&b->run);
}

ptce_status build_run(ptce_ctx *ctx, const build_options *opts)
{
    build_state *b = calloc(1, sizeof *b);
    if (!b)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    outdir od = {0};
    b->tiles = opts->tiles;
    int epsg = opts->epsg ? opts->epsg : GEOM_EPSG_WGS84;
    /* Check what the user typed before the long part of the run. */
    ptce_status st = geom_crs_open(ctx, epsg, &b->crs);
    if (!st)
        st = run_load(ctx, &opts->run, &b->run);
    /* While this thread places and counts the rows, the other core prepares the print
     * (out_print.c); a large census waits for its page, which would add to the peak of the
     * stages before it (PRINT_ALONE_ROWS). */
    if (!st && b->run.nrows < PRINT_ALONE_ROWS)
        b->print_prep = carto_print_prepare(CARTO_PRINT_PNG_DPI);
    if (!st)
        st = validate_require_usable(ctx, &b->run.census, VALIDATE_NEED_PLACE);
    if (!st)
        st = run_geocode_and_classify(ctx, &b->run, NULL);
    if (!st)
        st = aggregate_run(ctx, &b->run, &b->agg);
    if (!st && opts->previous)
        st = compare_with_previous(ctx, b, opts);
    /* Every point is placed (the previous year's too, which shares this reference data):
     * the commune polygons read for it are not needed by the layers or the writers, and
     * are the largest thing the placement leaves (about 100 MB when every département was
     * read). */
    if (!st) {
        refdata_release_polygons(b->run.rd);
        util_memory_trim();
    }
    if (!st && opts->groups)
        st = group_aggregate(ctx, &b->agg, opts->groups, &b->groups);
    if (!st)
        st = layers_build(ctx, &b->run, &b->agg, &b->ls);
    if (!st && b->groups.n > 0)
        st = layers_area(ctx, &b->ls, LAYERS_AREA_GROUP, b->groups.groups, b->groups.n, NULL,
                         "ptce_groupes", "PTCE par groupe", &b->group_layer);
    const char *territory = crs_regions(epsg);
    if (!st && territory)
        st = restrict_to_territory(ctx, b, territory);
    if (!st)
        st = build_web_polygons(ctx, b);
    if (!st)
        st = layout_carte_build(ctx, b->run.rd, &b->ls, &b->web_region_layer.out,
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
