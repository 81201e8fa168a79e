/*
 * write/out_qgs.c — the QGIS 3 project (.qgs) that opens the outputs styled and ready to
 * print.
 *
 * Paths are relative ("./ptce_points.shp", <Paths><Absolute>false</Absolute>), so the
 * output folder can be moved or zipped. Each layer carries its renderer inline (the same
 * XML as its .qml, from qgis_xml_style), its CRS as PROJ describes it, and the project
 * has a print layout "Carte nationale": the map at the national extent, a legend, a title
 * and a credit line. Every id is derived from the input (no random UUIDs, no dates), so
 * the same input gives the same bytes.
 */
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/util.h"
#include "write/cartography.h"
#include "write/qgis_xml.h"
#include "write/writers.h"

/* ---- coordinate reference systems, as PROJ describes them ---- */

typedef struct crs_desc {
    int epsg;
    char *wkt;          /* WKT2:2019, one line */
    char *proj4;
    char *name;         /* "RGF93 v1 / Lambert-93" */
    char acronym[32];   /* "lcc" */
    char ellipsoid[64]; /* "EPSG:7019" */
    int geographic;
} crs_desc;

static void crs_desc_free(crs_desc *d)
{
    free(d->wkt);
    free(d->proj4);
    free(d->name);
    memset(d, 0, sizeof *d);
}

static ptce_status crs_describe(ptce_ctx *ctx, int epsg, crs_desc *out)
{
    memset(out, 0, sizeof *out);
    out->epsg = epsg;
    char code[16];
    snprintf(code, sizeof code, "%d", epsg);
    PJ *crs = epsg > 0 ? proj_create_from_database(ctx->proj, "EPSG", code, PJ_CATEGORY_CRS, 0,
                                                   NULL)
                       : NULL;
    if (!crs)
        return ptce_fail(ctx, PTCE_ERR_USAGE,
                         "EPSG:%d : système de coordonnées inconnu de PROJ ; vérifiez le code "
                         "EPSG demandé.", epsg);
    const char *const wkt_opts[] = {"MULTILINE=NO", NULL};
    const char *wkt = proj_as_wkt(ctx->proj, crs, PJ_WKT2_2019, wkt_opts);
    const char *proj4 = proj_as_proj_string(ctx->proj, crs, PJ_PROJ_4, NULL);
    const char *name = proj_get_name(crs);
    PJ_TYPE type = proj_get_type(crs);
    out->geographic = type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS;
    out->wkt = util_strdup(wkt ? wkt : "");
    out->proj4 = util_strdup(proj4 ? proj4 : "");
    out->name = util_strdup(name ? name : "");
    PJ *ellps = proj_get_ellipsoid(ctx->proj, crs);
    if (ellps) {
        const char *auth = proj_get_id_auth_name(ellps, 0), *id = proj_get_id_code(ellps, 0);
        if (auth && id)
            snprintf(out->ellipsoid, sizeof out->ellipsoid, "%s:%s", auth, id);
        proj_destroy(ellps);
    }
    proj_destroy(crs);
    if (!out->wkt || !out->proj4 || !out->name) {
        crs_desc_free(out);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    /* QGIS writes the proj4 text without PROJ's "+type=crs". */
    char *t = strstr(out->proj4, " +type=crs");
    if (t)
        memmove(t, t + strlen(" +type=crs"), strlen(t + strlen(" +type=crs")) + 1);
    const char *p = strstr(out->proj4, "+proj=");
    if (p) {
        p += strlen("+proj=");
        size_t n = strcspn(p, " ");
        snprintf(out->acronym, sizeof out->acronym, "%.*s", (int)n, p);
    }
    return PTCE_OK;
}

static void pad(util_strbuf *sb, int n)
{
    for (int i = 0; i < n; i++)
        util_sb_append_char(sb, ' ');
}

/* <tag>escaped text</tag> on its own line. */
static void element(util_strbuf *sb, int indent, const char *tag, const char *text)
{
    pad(sb, indent);
    util_sb_printf(sb, "<%s>", tag);
    qgis_xml_escape(sb, text);
    util_sb_printf(sb, "</%s>\n", tag);
}

static void spatialrefsys(util_strbuf *sb, int indent, const crs_desc *d)
{
    pad(sb, indent);
    util_sb_append(sb, "<spatialrefsys nativeFormat=\"Wkt\">\n");
    element(sb, indent + 2, "wkt", d->wkt);
    element(sb, indent + 2, "proj4", d->proj4);
    pad(sb, indent + 2);
    util_sb_printf(sb, "<srid>%d</srid>\n", d->epsg);
    pad(sb, indent + 2);
    util_sb_printf(sb, "<authid>EPSG:%d</authid>\n", d->epsg);
    element(sb, indent + 2, "description", d->name);
    element(sb, indent + 2, "projectionacronym", d->acronym);
    element(sb, indent + 2, "ellipsoidacronym", d->ellipsoid);
    element(sb, indent + 2, "geographicflag", d->geographic ? "true" : "false");
    pad(sb, indent);
    util_sb_append(sb, "</spatialrefsys>\n");
}

static const crs_desc *crs_find(const crs_desc *list, size_t n, int epsg)
{
    for (size_t i = 0; i < n; i++)
        if (list[i].epsg == epsg)
            return &list[i];
    return NULL;
}

/* ---- checking the project ---- */

static int id_is_plain(const char *id)
{
    if (!id || !*id)
        return 0;
    for (const char *c = id; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_' || *c == '-' || *c == '.'))
            return 0;
    return 1;
}

/* QGIS keeps a layer id from the project only when it is longer than 10 characters
 * (QgsMapLayer::readLayerXml; shorter ones are replaced by random ids, which would break
 * the layer tree's references): short ids get a fixed suffix. */
#define ID_MAX 200
#define ID_SUFFIX "_couche_qgis"

static void qgis_id(char out[ID_MAX + sizeof ID_SUFFIX], const char *id)
{
    snprintf(out, ID_MAX + sizeof ID_SUFFIX, "%s%s", id, strlen(id) > 10 ? "" : ID_SUFFIX);
}

static int source_is_absolute(const char *s)
{
    if (s[0] == '/' || s[0] == '\\' || strstr(s, "://"))
        return 1;
    /* "C:\…" or "C:/…" */
    return ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) && s[1] == ':';
}

/* The style a layer asks for: frames, categories or classes (check_project made sure it
 * asks for exactly one). */
static void layer_style(const carto_qgs_layer *l, carto_qgis_style *st)
{
    memset(st, 0, sizeof *st);
    st->polygon = l->geometry && strcmp(l->geometry, "Polygon") == 0;
    st->label_attr = l->label_attr;
    st->label_is_expression = l->label_is_expression;
    if (l->frames) {
        st->kind = CARTO_QGIS_STYLE_FRAMES;
    } else if (l->cats || l->ncats || l->cat_attr) {
        st->kind = CARTO_QGIS_STYLE_CATEGORIZED;
        st->attr = l->cat_attr;
        st->cats = l->cats;
        st->ncats = l->ncats;
        st->hollow = l->hollow;
    } else {
        st->kind = CARTO_QGIS_STYLE_GRADUATED;
        st->attr = l->class_attr;
        st->classes = l->classes;
        st->nclasses = l->nclasses;
    }
}

static ptce_status check_layer_style(ptce_ctx *ctx, const carto_qgs_layer *l)
{
    int has_cats = l->cats || l->ncats || l->cat_attr;
    int has_classes = l->classes || l->nclasses || l->class_attr;
    if ((l->frames != 0) + has_cats + has_classes != 1)
        return ptce_fail(ctx, PTCE_ERR_USAGE,
                         "projet QGIS : la couche « %s » doit avoir exactement un style "
                         "(catégories, classes ou encadrés).", l->id);
    carto_qgis_style st;
    layer_style(l, &st);
    char what[256];
    snprintf(what, sizeof what, "projet QGIS, couche « %s »", l->id);
    return qgis_xml_style_check(ctx, &st, what);
}

static ptce_status check_project(ptce_ctx *ctx, const char *name, const carto_qgs_project *p)
{
    if (!name || !*name)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "projet QGIS : nom de fichier vide.");
    if (p->nlayers && !p->layers)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : liste de couches absente.", name);
    const double *e = p->extent;
    if (!isfinite(e[0]) || !isfinite(e[1]) || !isfinite(e[2]) || !isfinite(e[3]) ||
        e[2] <= e[0] || e[3] <= e[1])
        return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : emprise de la carte invalide.", name);
    for (size_t i = 0; i < p->nlayers; i++) {
        const carto_qgs_layer *l = &p->layers[i];
        if (!id_is_plain(l->id) || strlen(l->id) > ID_MAX)
            return ptce_fail(ctx, PTCE_ERR_USAGE,
                             "%s : identifiant de couche « %s » invalide (au plus %d lettres "
                             "ASCII, chiffres, _ - .).", name, l->id ? l->id : "", ID_MAX);
        char id[ID_MAX + sizeof ID_SUFFIX], other[ID_MAX + sizeof ID_SUFFIX];
        qgis_id(id, l->id);
        for (size_t j = 0; j < i; j++) {
            qgis_id(other, p->layers[j].id);
            if (strcmp(other, id) == 0)
                return ptce_fail(ctx, PTCE_ERR_USAGE,
                                 "%s : deux couches portent l'identifiant « %s ».", name, l->id);
        }
        if (!l->source || !*l->source)
            return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : la couche « %s » n'a pas de fichier.",
                             name, l->id);
        if (source_is_absolute(l->source))
            return ptce_fail(ctx, PTCE_ERR_USAGE,
                             "%s : la couche « %s » pointe vers un chemin absolu (%s) ; le projet "
                             "n'utilise que des chemins relatifs à son dossier.",
                             name, l->id, l->source);
        if (!l->geometry || (strcmp(l->geometry, "Point") && strcmp(l->geometry, "Polygon")))
            return ptce_fail(ctx, PTCE_ERR_USAGE,
                             "%s : géométrie « %s » inattendue pour la couche « %s » (Point ou "
                             "Polygon).", name, l->geometry ? l->geometry : "", l->id);
        ptce_status status = check_layer_style(ctx, l);
        if (status)
            return status;
    }
    return PTCE_OK;
}

/* ---- writing ---- */

/* QGIS resolves "./x" and "../x" against the project file; anything else it takes as is. */
static void relative_source(util_strbuf *sb, const char *source)
{
    if (strncmp(source, "./", 2) != 0 && strncmp(source, "../", 3) != 0)
        util_sb_append(sb, "./");
    qgis_xml_escape(sb, source);
}

static const char *layer_name(const carto_qgs_layer *l)
{
    return l->name && *l->name ? l->name : l->id;
}

static int has_group(const carto_qgs_layer *l)
{
    return l->group && *l->group;
}

static void tree_layer(util_strbuf *sb, int indent, const carto_qgs_layer *l, int force_checked)
{
    char id[ID_MAX + sizeof ID_SUFFIX];
    qgis_id(id, l->id);
    pad(sb, indent);
    util_sb_append(sb, "<layer-tree-layer id=\"");
    qgis_xml_escape(sb, id);
    util_sb_append(sb, "\" name=\"");
    qgis_xml_escape(sb, layer_name(l));
    util_sb_append(sb, "\" source=\"");
    relative_source(sb, l->source);
    util_sb_printf(sb, "\" providerKey=\"ogr\" checked=\"%s\" expanded=\"1\" legend_exp=\"\">\n",
              force_checked || l->visible ? "Qt::Checked" : "Qt::Unchecked");
    pad(sb, indent + 2);
    util_sb_append(sb, "<customproperties/>\n");
    pad(sb, indent);
    util_sb_append(sb, "</layer-tree-layer>\n");
}

/* Groups in the order they first appear, each with its layers in list order; layers
 * without a group stay at the top level where they are. */
static void layer_tree(util_strbuf *sb, const carto_qgs_project *p)
{
    util_sb_append(sb, "  <layer-tree-group>\n    <customproperties/>\n");
    for (size_t i = 0; i < p->nlayers; i++) {
        const carto_qgs_layer *l = &p->layers[i];
        if (!has_group(l)) {
            tree_layer(sb, 4, l, 0);
            continue;
        }
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = has_group(&p->layers[j]) && strcmp(p->layers[j].group, l->group) == 0;
        if (seen)
            continue;
        int any_visible = 0;
        for (size_t j = i; j < p->nlayers; j++)
            if (has_group(&p->layers[j]) && strcmp(p->layers[j].group, l->group) == 0)
                any_visible |= p->layers[j].visible != 0;
        util_sb_append(sb, "    <layer-tree-group name=\"");
        qgis_xml_escape(sb, l->group);
        util_sb_printf(sb, "\" checked=\"%s\" expanded=\"1\">\n",
                  any_visible ? "Qt::Checked" : "Qt::Unchecked");
        util_sb_append(sb, "      <customproperties/>\n");
        for (size_t j = i; j < p->nlayers; j++)
            if (has_group(&p->layers[j]) && strcmp(p->layers[j].group, l->group) == 0)
                tree_layer(sb, 6, &p->layers[j], 0);
        util_sb_append(sb, "    </layer-tree-group>\n");
    }
    util_sb_append(sb, "    <custom-order enabled=\"0\">\n");
    for (size_t i = 0; i < p->nlayers; i++) {
        char id[ID_MAX + sizeof ID_SUFFIX];
        qgis_id(id, p->layers[i].id);
        element(sb, 6, "item", id);
    }
    util_sb_append(sb, "    </custom-order>\n  </layer-tree-group>\n");
}

static void extent_elements(util_strbuf *sb, int indent, const double e[4])
{
    static const char *const tags[] = {"xmin", "ymin", "xmax", "ymax"};
    for (int i = 0; i < 4; i++) {
        pad(sb, indent);
        util_sb_printf(sb, "<%s>", tags[i]);
        qgis_xml_number(sb, e[i], 6);
        util_sb_printf(sb, "</%s>\n", tags[i]);
    }
}

static void map_layer(util_strbuf *sb, const carto_qgs_layer *l, const crs_desc *crs)
{
    carto_qgis_style st;
    layer_style(l, &st);
    int polygon = st.polygon;
    util_sb_printf(sb, "    <maplayer type=\"vector\" geometry=\"%s\" autoRefreshEnabled=\"0\" "
                  "autoRefreshTime=\"0\" refreshOnNotifyEnabled=\"0\" refreshOnNotifyMessage=\"\" "
                  "readOnly=\"0\" hasScaleBasedVisibilityFlag=\"0\" minScale=\"100000000\" "
                  "maxScale=\"0\" simplifyDrawingHints=\"%d\" simplifyAlgorithm=\"0\" "
                  "simplifyDrawingTol=\"1\" simplifyLocal=\"1\" simplifyMaxScale=\"1\" "
                  "labelsEnabled=\"%d\" styleCategories=\"AllStyleCategories\">\n",
              polygon ? "Polygon" : "Point", polygon, qgis_xml_style_has_labels(&st));
    char id[ID_MAX + sizeof ID_SUFFIX];
    qgis_id(id, l->id);
    element(sb, 6, "id", id);
    pad(sb, 6);
    util_sb_append(sb, "<datasource>");
    relative_source(sb, l->source);
    util_sb_append(sb, "</datasource>\n");
    util_sb_append(sb, "      <keywordList>\n        <value></value>\n      </keywordList>\n");
    element(sb, 6, "layername", layer_name(l));
    util_sb_append(sb, "      <srs>\n");
    spatialrefsys(sb, 8, crs);
    util_sb_append(sb, "      </srs>\n");
    util_sb_append(sb, "      <provider encoding=\"UTF-8\">ogr</provider>\n");
    util_sb_append(sb, "      <flags>\n"
                  "        <Identifiable>1</Identifiable>\n"
                  "        <Removable>1</Removable>\n"
                  "        <Searchable>1</Searchable>\n"
                  "        <Private>0</Private>\n"
                  "      </flags>\n");
    qgis_xml_style(sb, &st, 6);
    util_sb_append(sb, "      <customproperties/>\n"
                  "      <blendMode>0</blendMode>\n"
                  "      <featureBlendMode>0</featureBlendMode>\n"
                  "      <layerOpacity>1</layerOpacity>\n");
    pad(sb, 6);
    util_sb_printf(sb, "<layerGeometryType>%d</layerGeometryType>\n", polygon ? 2 : 0);
    util_sb_append(sb, "    </maplayer>\n");
}

/* ---- the print layout ---- */

enum {
    ITEM_PAGE = 65638,
    ITEM_MAP = 65639,
    ITEM_LABEL = 65641,
    ITEM_LEGEND = 65642,
    ITEM_SCALEBAR = 65646
};

#define PAGE_W 297.0
#define PAGE_H 210.0
#define UUID_FMT "{7074ce00-0000-4000-8000-0000000000%02d}"

typedef struct item_box {
    double x, y, w, h; /* millimetres from the page's top-left corner */
} item_box;

static void mm_pair(util_strbuf *sb, double a, double b)
{
    qgis_xml_number(sb, a, 3);
    util_sb_append_char(sb, ',');
    qgis_xml_number(sb, b, 3);
    util_sb_append(sb, ",mm");
}

/* Opens <LayoutItem> with the attributes every item has; `extra` adds the item's own
 * attributes (already escaped) before the tag closes. */
static void item_open(util_strbuf *sb, int indent, int type, int uuid, const char *id,
                      const item_box *b, int z, int frame)
{
    pad(sb, indent);
    util_sb_printf(sb, "<LayoutItem type=\"%d\" uuid=\"" UUID_FMT "\" templateUuid=\"" UUID_FMT
                  "\" id=\"%s\" groupUuid=\"\" position=\"",
              type, uuid, uuid, id);
    mm_pair(sb, b->x, b->y);
    util_sb_append(sb, "\" positionOnPage=\"");
    mm_pair(sb, b->x, b->y);
    util_sb_append(sb, "\" size=\"");
    mm_pair(sb, b->w, b->h);
    util_sb_printf(sb, "\" zValue=\"%d\" visibility=\"1\" positionLock=\"false\" frame=\"%s\" "
                  "background=\"%s\" outlineWidthM=\"0.2,mm\" frameJoinStyle=\"miter\" "
                  "opacity=\"1\" blendMode=\"0\" excludeFromExports=\"0\" itemRotation=\"0\" "
                  "referencePoint=\"0\"",
              z, frame ? "true" : "false", type == ITEM_LABEL ? "false" : "true");
}

static void item_common(util_strbuf *sb, int indent)
{
    pad(sb, indent);
    util_sb_append(sb, "<FrameColor red=\"150\" green=\"150\" blue=\"150\" alpha=\"255\"/>\n");
    pad(sb, indent);
    util_sb_append(sb, "<BackgroundColor red=\"255\" green=\"255\" blue=\"255\" alpha=\"255\"/>\n");
    pad(sb, indent);
    util_sb_append(sb, "<LayoutObject>\n");
    qgis_xml_dd_properties(sb, indent + 2, "dataDefinedProperties");
    pad(sb, indent + 2);
    util_sb_append(sb, "<customproperties/>\n");
    pad(sb, indent);
    util_sb_append(sb, "</LayoutObject>\n");
}

static void label_item(util_strbuf *sb, int uuid, const char *id, const item_box *b,
                       const char *text, double points, int bold, int grey)
{
    item_open(sb, 6, ITEM_LABEL, uuid, id, b, 3, 0);
    util_sb_append(sb, " labelText=\"");
    qgis_xml_escape(sb, text);
    util_sb_append(sb, "\" htmlState=\"0\" halign=\"1\" valign=\"32\" marginX=\"0\" marginY=\"0\">\n");
    item_common(sb, 8);
    pad(sb, 8);
    util_sb_append(sb, "<LabelFont description=\"DejaVu Sans,");
    qgis_xml_number(sb, points, 1);
    util_sb_printf(sb, ",-1,5,%d,0,0,0,0,0\" style=\"%s\"/>\n", bold ? 75 : 50,
              bold ? "Bold" : "Regular");
    pad(sb, 8);
    util_sb_printf(sb, "<FontColor red=\"%d\" green=\"%d\" blue=\"%d\" alpha=\"255\"/>\n",
              grey ? 90 : 30, grey ? 90 : 30, grey ? 90 : 30);
    util_sb_append(sb, "      </LayoutItem>\n");
}

/* A scale bar tied to the map item `map_uuid`: two segments of a round number of
 * kilometres, QGIS fitting their length to `width` millimetres. */
static void scalebar_item(util_strbuf *sb, int uuid, const char *id, const item_box *b, int map_uuid,
                          double km_per_segment)
{
    item_open(sb, 6, ITEM_SCALEBAR, uuid, id, b, 4, 0);
    util_sb_append(sb, " style=\"Single Box\" numSegments=\"2\" numSegmentsLeft=\"0\" "
                  "numSubdivisions=\"1\" subdivisionsHeight=\"1.5\" numUnitsPerSegment=\"");
    qgis_xml_number(sb, km_per_segment, 3);
    util_sb_append(sb, "\" segmentSizeMode=\"0\" minBarWidth=\"10\" maxBarWidth=\"60\" "
                  "segmentMillimeters=\"10\" numMapUnitsPerScaleBarUnit=\"1\" "
                  "unitLabel=\"km\" unitType=\"km\" height=\"2\" lineWidth=\"0.3\" "
                  "labelBarSpace=\"1\" boxContentSpace=\"0.5\" alignment=\"0\" "
                  "labelVerticalPlacement=\"0\" labelHorizontalPlacement=\"0\" mapUuid=\"");
    util_sb_printf(sb, UUID_FMT, map_uuid);
    util_sb_append(sb, "\">\n");
    item_common(sb, 8);
    pad(sb, 8);
    util_sb_append(sb, "<scaleBarFont description=\"DejaVu Sans,7,-1,5,50,0,0,0,0,0\" "
                  "style=\"\"/>\n");
    pad(sb, 8);
    util_sb_append(sb, "<fillColor red=\"51\" green=\"51\" blue=\"51\" alpha=\"255\"/>\n");
    pad(sb, 8);
    util_sb_append(sb, "<fillColor2 red=\"255\" green=\"255\" blue=\"255\" alpha=\"255\"/>\n");
    pad(sb, 8);
    util_sb_append(sb, "<strokeColor red=\"51\" green=\"51\" blue=\"51\" alpha=\"255\"/>\n");
    pad(sb, 8);
    util_sb_append(sb, "<textColor red=\"51\" green=\"51\" blue=\"51\" alpha=\"255\"/>\n");
    util_sb_append(sb, "      </LayoutItem>\n");
}

/* A map item showing `e` (layout coordinates) in box `b`. */
static void map_item(util_strbuf *sb, int uuid, const char *id, const item_box *b, const double e[4],
                     int z)
{
    item_open(sb, 6, ITEM_MAP, uuid, id, b, z, 1);
    util_sb_append(sb, " keepLayerSet=\"false\" followPreset=\"false\" followPresetName=\"\" "
                  "drawCanvasItems=\"true\" mapRotation=\"0\" labelMargin=\"0,mm\">\n");
    item_common(sb, 8);
    pad(sb, 8);
    util_sb_append(sb, "<Extent xmin=\"");
    qgis_xml_number(sb, e[0], 6);
    util_sb_append(sb, "\" ymin=\"");
    qgis_xml_number(sb, e[1], 6);
    util_sb_append(sb, "\" xmax=\"");
    qgis_xml_number(sb, e[2], 6);
    util_sb_append(sb, "\" ymax=\"");
    qgis_xml_number(sb, e[3], 6);
    util_sb_append(sb, "\"/>\n");
    util_sb_append(sb, "        <LayerSet/>\n"
                  "        <AtlasMap atlasDriven=\"0\" scalingMode=\"2\" margin=\"0.1\"/>\n"
                  "        <labelBlockingItems/>\n"
                  "      </LayoutItem>\n");
}

/* A round length in kilometres for a segment about `mm` millimetres long when one
 * millimetre of paper shows `km_per_mm` kilometres. */
static double round_km(double km_per_mm, double mm)
{
    static const double steps[] = {1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500};
    double want = km_per_mm * mm, best = steps[0];
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (steps[i] <= want)
            best = steps[i];
    return best;
}

static int layer_has_frames(const carto_qgs_project *p)
{
    for (size_t i = 0; i < p->nlayers; i++)
        if (p->layers[i].frames)
            return 1;
    return 0;
}

static void print_layout(util_strbuf *sb, const carto_qgs_project *p)
{
    const double *e = p->extent;
    /* The map fills a 200 × 160 mm box under the title, keeping the extent's shape, so
     * that the extent shown is exactly the national layout's. */
    double box_w = 200, box_h = 160, ratio = (e[2] - e[0]) / (e[3] - e[1]);
    item_box map = {10, 24, box_w, box_w / ratio};
    if (map.h > box_h) {
        map.h = box_h;
        map.w = box_h * ratio;
    }
    item_box title = {10, 8, PAGE_W - 20, 12};
    item_box legend = {map.x + map.w + 8, 24, PAGE_W - 10 - (map.x + map.w + 8), 100};
    item_box credit = {10, map.y + map.h + 4, PAGE_W - 20, PAGE_H - 6 - (map.y + map.h + 4)};
    item_box page = {0, 0, PAGE_W, PAGE_H};

    util_sb_append(sb, "  <Layouts>\n");
    util_sb_append(sb, "    <Layout name=\"Carte nationale\" units=\"mm\" printResolution=\"300\" "
                  "worldFileMap=\"\">\n");
    util_sb_append(sb, "      <Snapper tolerance=\"5\" snapToItems=\"1\" snapToGrid=\"0\" "
                  "snapToGuides=\"1\"/>\n");
    util_sb_append(sb, "      <Grid resolution=\"10\" resUnits=\"mm\" offsetX=\"0\" offsetY=\"0\" "
                  "offsetUnits=\"mm\"/>\n");
    util_sb_append(sb, "      <PageCollection>\n");
    item_open(sb, 8, ITEM_PAGE, 1, "", &page, 0, 0);
    util_sb_append(sb, ">\n");
    item_common(sb, 10);
    util_sb_append(sb, "        </LayoutItem>\n");
    util_sb_append(sb, "        <GuideCollection visible=\"1\"/>\n");
    util_sb_append(sb, "      </PageCollection>\n");

    map_item(sb, 2, "carte", &map, e, 1);
    /* Metropolitan France's scale bar, bottom right of the map. */
    double km_per_mm = (e[2] - e[0]) / 1000.0 / map.w;
    item_box bar = {map.x + map.w - 45, map.y + map.h - 10, 42, 8};
    scalebar_item(sb, 7, "echelle", &bar, 2, round_km(km_per_mm, 15));
    /* The zoom inset: a second map over the place the SVG map draws it, with its scale. */
    if (p->zoom_label && p->zoom_src[2] > p->zoom_src[0] && p->zoom_dst[2] > p->zoom_dst[0]) {
        const double *d = p->zoom_dst;
        item_box zb = {map.x + (d[0] - e[0]) / (e[2] - e[0]) * map.w,
                       map.y + (e[3] - d[3]) / (e[3] - e[1]) * map.h,
                       (d[2] - d[0]) / (e[2] - e[0]) * map.w, (d[3] - d[1]) / (e[3] - e[1]) * map.h};
        map_item(sb, 6, "zoom", &zb, p->zoom_src, 5);
        item_box zl = {zb.x, zb.y - 4.5, zb.w + 30, 4};
        label_item(sb, 8, "zoom-titre", &zl, p->zoom_label, 7, 0, 1);
        double zkm_per_mm = (p->zoom_src[2] - p->zoom_src[0]) / 1000.0 / zb.w;
        item_box zbar = {zb.x + 1, zb.y + zb.h - 7, 25, 6};
        scalebar_item(sb, 9, "zoom-echelle", &zbar, 6, round_km(zkm_per_mm, 8));
    }

    /* The legend lists the layers shown on the map, frames aside. */
    item_open(sb, 6, ITEM_LEGEND, 3, "legende", &legend, 2, 0);
    util_sb_append(sb, " title=\"L\xC3\xA9gende\" map_uuid=\"");
    util_sb_printf(sb, UUID_FMT, 2);
    util_sb_append(sb, "\" resizeToContents=\"1\" symbolWidth=\"7\" symbolHeight=\"4\" "
                  "columnCount=\"1\" columnSpace=\"2\" boxSpace=\"2\" wrapChar=\"\" "
                  "splitLayer=\"0\" equalColumnWidth=\"0\" lineSpacing=\"1\" "
                  "titleAlignment=\"1\" symbolAlignment=\"1\" rasterBorder=\"1\" "
                  "rasterBorderColor=\"0,0,0,255\" rasterBorderWidth=\"0\" "
                  "legendFilterByAtlas=\"0\" wmsLegendWidth=\"50\" wmsLegendHeight=\"25\" "
                  "fontColor=\"#000000\">\n");
    item_common(sb, 8);
    util_sb_append(sb, "        <layer-tree-group>\n          <customproperties/>\n");
    for (size_t i = 0; i < p->nlayers; i++)
        if (p->layers[i].visible && !p->layers[i].frames)
            tree_layer(sb, 10, &p->layers[i], 1);
    util_sb_append(sb, "          <custom-order enabled=\"0\"/>\n        </layer-tree-group>\n");
    util_sb_append(sb, "      </LayoutItem>\n");

    label_item(sb, 4, "titre", &title, p->title ? p->title : "", 16, 1, 0);
    util_strbuf text;
    util_sb_init(&text);
    if (layer_has_frames(p))
        util_sb_append(&text, "D\xC3\xA9partements et r\xC3\xA9gions d'outre-mer rapproch\xC3\xA9s, "
                         "\xC3\xA9" "chelles diff\xC3\xA9rentes");
    if (p->production && *p->production) {
        if (text.len)
            util_sb_append_char(&text, '\n');
        util_sb_append(&text, p->production);
    }
    if (p->credit && *p->credit) {
        if (text.len)
            util_sb_append_char(&text, '\n');
        util_sb_append(&text, p->credit);
    }
    label_item(sb, 5, "credit", &credit, text.data ? text.data : "", 7, 0, 1);
    if (text.failed)
        sb->failed = true;
    util_sb_free(&text);

    util_sb_append(sb, "      <customproperties/>\n");
    util_sb_append(sb, "      <Atlas enabled=\"0\" hideCoverage=\"0\" filterFeatures=\"0\" "
                  "sortFeatures=\"0\" pageNameExpression=\"\" coverageLayer=\"\" "
                  "coverageLayerName=\"\" coverageLayerSource=\"\" coverageLayerProvider=\"\" "
                  "filenamePattern=\"'output_'||@atlas_featurenumber\"/>\n");
    util_sb_append(sb, "    </Layout>\n  </Layouts>\n");
}

static void project_xml(util_strbuf *sb, const carto_qgs_project *p, const crs_desc *crs, size_t ncrs)
{
    const crs_desc *pcrs = crs_find(crs, ncrs, p->epsg);
    const char *title = p->title ? p->title : "";
    util_sb_append(sb, QGIS_XML_DOCTYPE);
    util_sb_printf(sb, "<qgis version=\"%s\" projectname=\"", QGIS_XML_VERSION);
    qgis_xml_escape(sb, title);
    util_sb_append(sb, "\">\n");
    util_sb_append(sb, "  <homePath path=\"\"/>\n");
    element(sb, 2, "title", title);
    util_sb_append(sb, "  <autotransaction active=\"0\"/>\n"
                  "  <evaluateDefaultValues active=\"0\"/>\n"
                  "  <trust active=\"0\"/>\n"
                  "  <projectCrs>\n");
    spatialrefsys(sb, 4, pcrs);
    util_sb_append(sb, "  </projectCrs>\n");
    layer_tree(sb, p);
    util_sb_append(sb, "  <relations/>\n");
    util_sb_append(sb, "  <mapcanvas annotationsVisible=\"1\" name=\"theMapCanvas\">\n");
    element(sb, 4, "units", pcrs->geographic ? "degrees" : "meters");
    util_sb_append(sb, "    <extent>\n");
    extent_elements(sb, 6, p->extent);
    util_sb_append(sb, "    </extent>\n    <rotation>0</rotation>\n    <destinationsrs>\n");
    spatialrefsys(sb, 6, pcrs);
    util_sb_append(sb, "    </destinationsrs>\n    <rendermaptile>0</rendermaptile>\n"
                  "    <expressionContextScope/>\n  </mapcanvas>\n");
    util_sb_append(sb, "  <projectlayers>\n");
    for (size_t i = 0; i < p->nlayers; i++)
        map_layer(sb, &p->layers[i], crs_find(crs, ncrs, p->layers[i].epsg));
    util_sb_append(sb, "  </projectlayers>\n  <layerorder>\n");
    for (size_t i = 0; i < p->nlayers; i++) {
        char id[ID_MAX + sizeof ID_SUFFIX];
        qgis_id(id, p->layers[i].id);
        util_sb_append(sb, "    <layer id=\"");
        qgis_xml_escape(sb, id);
        util_sb_append(sb, "\"/>\n");
    }
    util_sb_append(sb, "  </layerorder>\n");
    util_sb_append(sb, "  <properties>\n"
                  "    <Paths>\n"
                  "      <Absolute type=\"bool\">false</Absolute>\n"
                  "    </Paths>\n"
                  "    <SpatialRefSys>\n"
                  "      <ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>\n"
                  "    </SpatialRefSys>\n");
    if (!pcrs->geographic)
        util_sb_append(sb, "    <Measurement>\n"
                      "      <DistanceUnits type=\"QString\">meters</DistanceUnits>\n"
                      "      <AreaUnits type=\"QString\">m2</AreaUnits>\n"
                      "    </Measurement>\n");
    if (pcrs->ellipsoid[0]) {
        util_sb_append(sb, "    <Measure>\n      <Ellipsoid type=\"QString\">");
        qgis_xml_escape(sb, pcrs->ellipsoid);
        util_sb_append(sb, "</Ellipsoid>\n    </Measure>\n");
    }
    util_sb_append(sb, "  </properties>\n");
    util_sb_append(sb, "  <transformContext/>\n  <projectMetadata>\n");
    util_sb_append(sb, "    <identifier></identifier>\n    <parentidentifier></parentidentifier>\n"
                  "    <language>fr</language>\n    <type></type>\n");
    element(sb, 4, "title", title);
    util_sb_append(sb, "    <abstract></abstract>\n    <links/>\n  </projectMetadata>\n");
    print_layout(sb, p);
    util_sb_append(sb, "</qgis>\n");
}

ptce_status carto_qgs(ptce_ctx *ctx, outdir *od, const char *name, const carto_qgs_project *p)
{
    ptce_status status = check_project(ctx, name, p);
    if (status)
        return status;
    /* One description per distinct EPSG code: the project's first, then the layers'. */
    crs_desc *crs = calloc(p->nlayers + 1, sizeof *crs);
    if (!crs)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    size_t ncrs = 0;
    for (size_t i = 0; i <= p->nlayers && !status; i++) {
        int epsg = i == 0 ? p->epsg : p->layers[i - 1].epsg;
        if (crs_find(crs, ncrs, epsg))
            continue;
        status = crs_describe(ctx, epsg, &crs[ncrs]);
        if (!status)
            ncrs++;
    }
    if (!status) {
        util_strbuf sb;
        util_sb_init(&sb);
        project_xml(&sb, p, crs, ncrs);
        status = sb.failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante")
                           : writers_write_bytes(ctx, od, name, sb.data, sb.len);
        util_sb_free(&sb);
    }
    for (size_t i = 0; i < ncrs; i++)
        crs_desc_free(&crs[i]);
    free(crs);
    return status;
}
