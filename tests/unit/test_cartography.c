/*
 * tests/unit/test_cartography.c — the presentation outputs: QGIS styles (.qml), the QGIS
 * project (.qgs) and the SVG map, written from small hand-made inputs (a few squares in
 * Lambert-93, three sectors, four classes, three inset frames).
 *
 * Checks: every file is well-formed XML (xmllint, else Python's parser); the styles carry
 * the right renderer, field, categories/ranges and colours; the project has relative
 * sources, Absolute=false, the project CRS and one map layer per layer; the SVG converts
 * with rsvg-convert and keeps its texts (accents included); two writes give the same
 * bytes; & and < in labels are escaped; bad inputs fail with a message.
 *
 * With PTCE_CARTO_OUT=folder in the environment, the outputs are also left in that folder
 * (to look at the SVG or open the project in QGIS).
 */
#include "testutil.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "write/cartography.h"

/* ---- inputs ---- */

static const carto_style_category CATS[] = {
    {"economie_circulaire", "\xC3\x89" "conomie circulaire", "#1b9e77"},
    {"alimentation", "Alimentation & circuits courts <locaux>", "#d95f02"},
    {"numerique", "Num\xC3\xA9rique", "#7570B3"},
};

static const carto_style_class CLASSES[] = {
    {0, 0.5, "0 \xE2\x80\x93 0,5", "#fef0d9", 0},
    {0.5, 1, "0,5 \xE2\x80\x93 1", "#fdcc8a", 0},
    {1, 2, "1 \xE2\x80\x93 2", "#fc8d59", 0},
    {2, 5, "2 \xE2\x80\x93 5", "#d7301f", 0},
};

static const char *const HOLLOW_VALUES[] = {"approche", "departement"};
static const carto_style_hollow HOLLOW = {"exactitude", HOLLOW_VALUES, 2,
                                    "Cercle vide : point approch\xC3\xA9"};

#define TITLE "P\xC3\xB4les territoriaux de coop\xC3\xA9ration \xC3\xA9" "conomique"
#define SUBTITLE "Recensement 2026 \xE2\x80\x94 6 PTCE plac\xC3\xA9s"
#define CREDIT "Sources : recensement des PTCE ; IGN Admin Express ; r\xC3\xA9" "alisation ptce-map"

typedef struct inputs {
    GEOSGeometry *areas_geom[4];
    GEOSGeometry *frames_geom[3];
    carto_svg_area areas[4];
    carto_svg_area outlines[2];
    carto_svg_frame frames[3];
    carto_svg_point points[6];
    carto_svg_label labels[2];
    carto_svg_zoom zoom;
    carto_svg_map map;
    carto_qgs_layer layers[5];
    carto_qgs_project project;
} inputs;

static GEOSGeometry *wkt(ptce_ctx *ctx, const char *text)
{
    GEOSWKTReader *r = GEOSWKTReader_create_r(ctx->geos);
    GEOSGeometry *g = GEOSWKTReader_read_r(ctx->geos, r, text);
    GEOSWKTReader_destroy_r(ctx->geos, r);
    assert_non_null(g);
    return g;
}

static void inputs_init(ptce_ctx *ctx, inputs *in)
{
    memset(in, 0, sizeof *in);
    in->areas_geom[0] = GEOSGeom_createRectangle_r(ctx->geos, 300000, 6500000, 600000, 6900000);
    in->areas_geom[1] = GEOSGeom_createRectangle_r(ctx->geos, 600000, 6500000, 1000000, 6900000);
    in->areas_geom[2] = wkt(ctx, "MULTIPOLYGON(((300000 6100000,600000 6100000,600000 6500000,"
                                 "300000 6500000,300000 6100000)),((230000 6300000,260000 "
                                 "6300000,260000 6350000,230000 6350000,230000 6300000)))");
    in->areas_geom[3] = wkt(ctx, "POLYGON((600000 6100000,1000000 6100000,1000000 6500000,"
                                 "600000 6500000,600000 6100000),(750000 6250000,850000 6250000,"
                                 "850000 6350000,750000 6350000,750000 6250000))");
    in->frames_geom[0] = GEOSGeom_createRectangle_r(ctx->geos, 20000, 6850000, 200000, 7000000);
    in->frames_geom[1] = GEOSGeom_createRectangle_r(ctx->geos, 20000, 6650000, 200000, 6800000);
    in->frames_geom[2] = GEOSGeom_createRectangle_r(ctx->geos, 20000, 6400000, 200000, 6600000);
    for (int i = 0; i < 4; i++) {
        assert_non_null(in->areas_geom[i]);
        in->areas[i].geom = in->areas_geom[i];
        in->areas[i].color = CLASSES[i].color;
    }
    in->outlines[0].geom = in->areas_geom[0];
    in->outlines[1].geom = in->areas_geom[3];
    static const char *const frame_labels[] = {"Guadeloupe (\xC3\x97" "1,5)",
                                               "Martinique (\xC3\x97" "1,5)",
                                               "Guyane (\xC3\x97" "0,35)"};
    for (int i = 0; i < 3; i++) {
        assert_non_null(in->frames_geom[i]);
        in->frames[i].geom = in->frames_geom[i];
        in->frames[i].label = frame_labels[i];
        in->frames[i].scale = i == 2 ? 0.35 : 1.5;
    }
    in->areas[1].hatched = 1;
    in->labels[0] = (carto_svg_label){450000, 6700000, "Bretagne", "12 PTCE"};
    in->labels[1] = (carto_svg_label){800000, 6700000, "Grand Est", NULL};
    in->zoom = (carto_svg_zoom){{420000, 6750000, 480000, 6850000}, {20000, 6100000, 200000, 6380000},
                          "Paris et petite couronne (\xC3\x97" "4)"};
    static const double xy[6][2] = {{350000, 6700000}, {450000, 6800000}, {700000, 6600000},
                                    {900000, 6200000}, {400000, 6300000}, {110000, 6920000}};
    for (int i = 0; i < 6; i++) {
        in->points[i].x = xy[i][0];
        in->points[i].y = xy[i][1];
        in->points[i].color = CATS[i % 3].color;
    }
    in->points[1].hollow = 1; /* an approximate placement */
    carto_svg_map *m = &in->map;
    m->title = TITLE;
    m->subtitle = SUBTITLE;
    m->credit = CREDIT;
    m->extent[0] = 0;
    m->extent[1] = 6000000;
    m->extent[2] = 1100000;
    m->extent[3] = 7100000;
    m->areas = in->areas;
    m->nareas = 4;
    m->outlines = in->outlines;
    m->noutlines = 2;
    m->points = in->points;
    m->npoints = 6;
    m->frames = in->frames;
    m->nframes = 3;
    m->classes = CLASSES;
    m->nclasses = 4;
    m->classes_title = "PTCE pour 100 000 habitants";
    m->cats = CATS;
    m->ncats = 3;
    m->hollow_label = HOLLOW.label;
    m->labels = in->labels;
    m->nlabels = 2;
    m->zoom = &in->zoom;
    m->production = "R\xC3\xA9" "alisation : ptce-map 0.1.0, 2026-03-01";

    carto_qgs_layer *l = in->layers;
    l[0] = (carto_qgs_layer){.id = "ptce_points", .name = "PTCE (points)",
                       .source = "./carte/ptce_points.shp", .geometry = "Point", .epsg = 2154,
                       .group = "Carte nationale", .visible = 1, .cats = CATS, .ncats = 3,
                       .cat_attr = "secteur"};
    l[1] = (carto_qgs_layer){.id = "encadres", .name = "Encadr\xC3\xA9s outre-mer",
                       .source = "carte/encadres.shp", .geometry = "Polygon", .epsg = 2154,
                       .group = "Carte nationale", .visible = 1, .frames = 1,
                       .label_attr = "nom"};
    l[2] = (carto_qgs_layer){.id = "regions", .name = "R\xC3\xA9gions (PTCE / 100 000 hab.)",
                       .source = "./carte/regions.shp", .geometry = "Polygon", .epsg = 2154,
                       .group = "Carte nationale", .visible = 1, .classes = CLASSES,
                       .nclasses = 4, .class_attr = "taux", .label_attr = "nom"};
    l[3] = (carto_qgs_layer){.id = "ptce_wgs84", .name = "PTCE (position r\xC3\xA9" "elle)",
                       .source = "./ptce_points.shp", .geometry = "Point", .epsg = 4326,
                       .group = "Position r\xC3\xA9" "elle", .visible = 0, .cats = CATS,
                       .ncats = 3, .cat_attr = "secteur"};
    l[4] = (carto_qgs_layer){.id = "ptce_reunion", .name = "PTCE La R\xC3\xA9union",
                       .source = "./reunion/ptce_points.shp", .geometry = "Point",
                       .epsg = 2975, .group = "Position r\xC3\xA9" "elle", .visible = 0,
                       .cats = CATS, .ncats = 3, .cat_attr = "secteur"};
    carto_qgs_project *p = &in->project;
    p->title = "PTCE \xE2\x80\x94 recensement 2026";
    p->epsg = 2154;
    p->layers = in->layers;
    p->nlayers = 5;
    memcpy(p->extent, m->extent, sizeof p->extent);
    p->credit = CREDIT;
}

static void inputs_free(ptce_ctx *ctx, inputs *in)
{
    for (int i = 0; i < 4; i++)
        GEOSGeom_destroy_r(ctx->geos, in->areas_geom[i]);
    for (int i = 0; i < 3; i++)
        GEOSGeom_destroy_r(ctx->geos, in->frames_geom[i]);
}

/* ---- helpers ---- */

static void make_tmpdir(char *path, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(path, size, "%s/ptce-carto-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(path));
    assert_null(strchr(path, '\'')); /* quoted with '…' in shell commands below */
}

static void remove_dir(const char *path)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", path);
    assert_int_equal(system(cmd), 0);
}

static int have_command(const char *name)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t n = 0;
    char *data = util_read_file(path, &n);
    if (!data)
        print_message("cannot read %s\n", path);
    assert_non_null(data);
    if (len)
        *len = n;
    return data;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + k, needle))
        n++;
    return n;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        print_message("missing: %s\n", needle);
    assert_non_null(strstr(hay, needle));
}

/* Parses the file with xmllint, or Python's minidom when xmllint is absent. */
static void assert_well_formed(const char *dir, const char *name)
{
    char cmd[4400];
    if (have_command("xmllint"))
        snprintf(cmd, sizeof cmd, "xmllint --noout '%s/%s'", dir, name);
    else
        snprintf(cmd, sizeof cmd, "python3 -c 'import xml.dom.minidom,sys; "
                                  "xml.dom.minidom.parse(sys.argv[1])' '%s/%s'", dir, name);
    int rc = system(cmd);
    if (rc != 0)
        print_message("not well-formed: %s/%s\n", dir, name);
    assert_int_equal(rc, 0);
}

static void assert_ok(ptce_ctx *ctx, ptce_status st)
{
    if (st != PTCE_OK)
        print_message("error: %s\n", ptce_ctx_error(ctx));
    assert_int_equal(st, PTCE_OK);
}

/* Writes every output of the module into `dir`. */
static void write_all(ptce_ctx *ctx, const inputs *in, const char *dir)
{
    outdir od;
    assert_ok(ctx, outdir_open(ctx, dir, "build", NULL, &od));
    assert_ok(ctx, carto_qml_categorized(ctx, &od, "carte/ptce_points", "secteur", CATS, 3, NULL));
    assert_ok(ctx, carto_qml_graduated(ctx, &od, "carte/regions", "taux", CLASSES, 4, "nom"));
    assert_ok(ctx, carto_qml_graduated(ctx, &od, "carte/regions_sans_noms", "taux", CLASSES, 4,
                                       NULL));
    assert_ok(ctx, carto_qml_frames(ctx, &od, "carte/encadres", "nom"));
    assert_ok(ctx, carto_qgs(ctx, &od, "ptce-map.qgs", &in->project));
    assert_ok(ctx, carto_svg(ctx, &od, "ptce_carte.svg", &in->map));
    assert_ok(ctx, outdir_commit(ctx, &od));
}

static const char *const OUTPUTS[] = {
    "carte/ptce_points.qml", "carte/regions.qml", "carte/regions_sans_noms.qml",
    "carte/encadres.qml",    "ptce-map.qgs",      "ptce_carte.svg",
};

/* ---- tests ---- */

static void test_outputs_exist_and_parse(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    inputs in;
    inputs_init(ctx, &in);
    char dir[4096];
    make_tmpdir(dir, sizeof dir);
    write_all(ctx, &in, dir);
    for (size_t i = 0; i < sizeof OUTPUTS / sizeof *OUTPUTS; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, OUTPUTS[i]);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_true(st.st_size > 0);
        assert_well_formed(dir, OUTPUTS[i]);
    }
    const char *keep = getenv("PTCE_CARTO_OUT");
    if (keep && *keep)
        write_all(ctx, &in, keep);
    remove_dir(dir);
    inputs_free(ctx, &in);
    ptce_ctx_free(ctx);
}

static void test_qml_categorized(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    inputs in;
    inputs_init(ctx, &in);
    char dir[4096];
    make_tmpdir(dir, sizeof dir);
    write_all(ctx, &in, dir);
    char *q = slurp(dir, "carte/ptce_points.qml", NULL);
    assert_true(strncmp(q, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n", 59) ==
                0);
    assert_contains(q, "<qgis version=\"3.22.16-Bia\xC5\x82owie\xC5\xBC" "a\" "
                       "styleCategories=\"Symbology|Labeling\"");
    assert_contains(q, "<renderer-v2 type=\"categorizedSymbol\" attr=\"secteur\"");
    /* One category per sector plus the catch-all, each with its symbol. */
    assert_int_equal(count(q, "<category "), 4);
    assert_int_equal(count(q, "<symbol type=\"marker\""), 4);
    assert_int_equal(count(q, "class=\"SimpleMarker\""), 4);
    assert_contains(q, "<category value=\"economie_circulaire\" label=\"\xC3\x89" "conomie "
                       "circulaire\" symbol=\"0\" render=\"true\"/>");
    assert_contains(q, "<category value=\"numerique\" label=\"Num\xC3\xA9rique\" symbol=\"2\"");
    assert_contains(q, "<category value=\"\" label=\"Hors taxonomie\" symbol=\"3\" render=\"true\"/>");
    /* Colours as QGIS writes them, in both property syntaxes. */
    assert_contains(q, "<Option name=\"color\" type=\"QString\" value=\"27,158,119,255\"/>");
    assert_contains(q, "<prop k=\"color\" v=\"27,158,119,255\"/>");
    assert_contains(q, "value=\"217,95,2,255\"");
    assert_contains(q, "value=\"117,112,179,255\""); /* #7570B3, upper case accepted */
    assert_contains(q, "<Option name=\"outline_color\" type=\"QString\" value=\"255,255,255,255\"/>");
    /* & and < of a label are escaped. */
    assert_contains(q, "label=\"Alimentation &amp; circuits courts &lt;locaux&gt;\"");
    assert_null(strstr(q, "courts <locaux>"));
    assert_null(strstr(q, "<labeling"));
    free(q);
    remove_dir(dir);
    inputs_free(ctx, &in);
    ptce_ctx_free(ctx);
}

/* Approximate points drawn hollow: a rule per sector, one for other values, and a last one
 * drawn over the approximate points, with its legend label. */
static void test_qml_hollow(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    char dir[4096];
    make_tmpdir(dir, sizeof dir);
    outdir od;
    assert_ok(ctx, outdir_open(ctx, dir, "build", NULL, &od));
    assert_ok(ctx, carto_qml_categorized(ctx, &od, "points", "secteur", CATS, 3, &HOLLOW));
    carto_style_hollow bad = HOLLOW;
    bad.nvalues = 0;
    assert_int_equal(carto_qml_categorized(ctx, &od, "bad", "secteur", CATS, 3, &bad),
                     PTCE_ERR_USAGE);
    assert_ok(ctx, outdir_commit(ctx, &od));
    assert_well_formed(dir, "points.qml");
    char *q = slurp(dir, "points.qml", NULL);
    assert_contains(q, "<renderer-v2 type=\"RuleRenderer\"");
    assert_int_equal(count(q, "<rule "), 5);
    assert_int_equal(count(q, "<symbol type=\"marker\""), 5);
    assert_contains(q, "filter=\"&quot;secteur&quot; IN ('numerique')\" "
                       "label=\"Num\xC3\xA9rique\" symbol=\"2\"");
    assert_contains(q, "filter=\"&quot;secteur&quot; IS NULL OR NOT (");
    assert_contains(q, "filter=\"&quot;exactitude&quot; IN ('approche', "
                       "'departement')\" label=\"Cercle vide : point approch\xC3\xA9\" "
                       "symbol=\"4\"");
    free(q);
    remove_dir(dir);
    ptce_ctx_free(ctx);
}

static void test_qml_graduated_and_frames(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    inputs in;
    inputs_init(ctx, &in);
    char dir[4096];
    make_tmpdir(dir, sizeof dir);
    write_all(ctx, &in, dir);

    char *q = slurp(dir, "carte/regions.qml", NULL);
    assert_contains(q, "labelsEnabled=\"1\"");
    assert_contains(q, "<renderer-v2 type=\"graduatedSymbol\" attr=\"taux\" "
                       "graduatedMethod=\"GraduatedColor\"");
    assert_int_equal(count(q, "<range "), 4);
    assert_int_equal(count(q, "class=\"SimpleFill\""), 4);
    assert_contains(q, "<range lower=\"0\" upper=\"0.5\" label=\"0 \xE2\x80\x93 0,5\" "
                       "symbol=\"0\" render=\"true\"/>");
    assert_contains(q, "<range lower=\"2\" upper=\"5\" label=\"2 \xE2\x80\x93 5\" symbol=\"3\"");
    assert_contains(q, "value=\"254,240,217,255\"");
    assert_contains(q, "value=\"215,48,31,255\"");
    assert_contains(q, "<classificationMethod id=\"Custom\">");
    assert_contains(q, "<labeling type=\"simple\">");
    assert_contains(q, "fieldName=\"nom\"");
    free(q);

    q = slurp(dir, "carte/regions_sans_noms.qml", NULL);
    assert_contains(q, "labelsEnabled=\"0\"");
    assert_null(strstr(q, "<labeling"));
    free(q);

    q = slurp(dir, "carte/encadres.qml", NULL);
    assert_contains(q, "<renderer-v2 type=\"singleSymbol\"");
    assert_contains(q, "<Option name=\"style\" type=\"QString\" value=\"no\"/>");
    assert_contains(q, "<Option name=\"outline_color\" type=\"QString\" value=\"128,128,128,255\"/>");
    assert_contains(q, "fieldName=\"nom\"");
    free(q);
    remove_dir(dir);
    inputs_free(ctx, &in);
    ptce_ctx_free(ctx);
}

static void test_qgs_project(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    inputs in;
    inputs_init(ctx, &in);
    char dir[4096];
    make_tmpdir(dir, sizeof dir);
    write_all(ctx, &in, dir);
    char *q = slurp(dir, "ptce-map.qgs", NULL);
    assert_contains(q, "<properties>");
    assert_contains(q, "<Paths>\n      <Absolute type=\"bool\">false</Absolute>\n    </Paths>");
    assert_contains(q, "<ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>");
    /* Project CRS first, in full. */
    const char *pcrs = strstr(q, "<projectCrs>");
    assert_non_null(pcrs);
    assert_contains(pcrs, "<authid>EPSG:2154</authid>");
    assert_contains(pcrs, "<srid>2154</srid>");
    assert_contains(pcrs, "<proj4>+proj=lcc ");
    assert_contains(pcrs, "<wkt>PROJCRS[");
    assert_contains(pcrs, "<description>RGF93");
    assert_contains(q, "<authid>EPSG:4326</authid>");
    assert_contains(q, "<authid>EPSG:2975</authid>");
    /* One map layer per layer, sources relative ("./" added when missing). */
    assert_int_equal(count(q, "<maplayer "), 5);
    assert_int_equal(count(q, "<datasource>./"), 5);
    assert_contains(q, "<datasource>./carte/ptce_points.shp</datasource>");
    assert_contains(q, "<datasource>./carte/encadres.shp</datasource>");
    assert_null(strstr(q, "<datasource>/"));
    assert_int_equal(count(q, "<provider encoding=\"UTF-8\">ogr</provider>"), 5);
    assert_contains(q, "<maplayer type=\"vector\" geometry=\"Point\"");
    assert_contains(q, "<maplayer type=\"vector\" geometry=\"Polygon\"");
    assert_contains(q, "<layername>R\xC3\xA9gions (PTCE / 100 000 hab.)</layername>");
    assert_int_equal(count(q, "type=\"categorizedSymbol\""), 3);
    assert_int_equal(count(q, "type=\"graduatedSymbol\""), 1);
    assert_int_equal(count(q, "type=\"singleSymbol\""), 1);
    /* Layer tree: two groups, the hidden one unchecked; order and ids kept. */
    assert_contains(q, "<layer-tree-group name=\"Carte nationale\" checked=\"Qt::Checked\"");
    assert_contains(q, "<layer-tree-group name=\"Position r\xC3\xA9" "elle\" "
                       "checked=\"Qt::Unchecked\"");
    assert_contains(q, "<layerorder>\n    <layer id=\"ptce_points\"/>\n    <layer id=\"encadres_couche_qgis\"/>");
    /* Canvas and print layout at the national extent. */
    assert_contains(q, "<extent>\n      <xmin>0</xmin>\n      <ymin>6000000</ymin>\n"
                       "      <xmax>1100000</xmax>\n      <ymax>7100000</ymax>");
    assert_contains(q, "<Layout name=\"Carte nationale\"");
    assert_contains(q, "<Extent xmin=\"0\" ymin=\"6000000\" xmax=\"1100000\" ymax=\"7100000\"/>");
    assert_int_equal(count(q, "<LayoutItem type=\"65639\""), 1);
    assert_int_equal(count(q, "<LayoutItem type=\"65642\""), 1);
    assert_int_equal(count(q, "<LayoutItem type=\"65641\""), 2);
    assert_contains(q, "labelText=\"PTCE \xE2\x80\x94 recensement 2026\"");
    assert_contains(q, "rapproch\xC3\xA9s, \xC3\xA9" "chelles diff\xC3\xA9rentes&#10;Sources :");
    /* No date, no absolute home. */
    assert_null(strstr(q, "saveDateTime"));
    assert_null(strstr(q, "<creation>"));
    free(q);
    remove_dir(dir);
    inputs_free(ctx, &in);
    ptce_ctx_free(ctx);
}

static void test_svg_map(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    inputs in;
    inputs_init(ctx, &in);
    char dir[4096];
    make_tmpdir(dir, sizeof dir);
    write_all(ctx, &in, dir);
    char *s = slurp(dir, "ptce_carte.svg", NULL);
    assert_true(strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44) == 0);
    assert_contains(s, "viewBox=\"0 0 1188 840\"");
    assert_contains(s, "font-family=\"sans-serif\"");
    assert_contains(s, ">" TITLE "</text>");
    assert_contains(s, ">" SUBTITLE "</text>");
    assert_contains(s, ">" CREDIT "</text>");
    assert_contains(s, ">PTCE pour 100 000 habitants</text>");
    assert_contains(s, ">D\xC3\xA9partements et r\xC3\xA9gions d&apos;outre-mer rapproch\xC3\xA9s, "
                       "\xC3\xA9" "chelles diff\xC3\xA9rentes (barre d&apos;\xC3\xA9" "chelle dans "
                       "chaque encart)</text>");
    assert_contains(s, ">R\xC3\xA9" "alisation : ptce-map 0.1.0, 2026-03-01</text>");
    /* Region borders heavier than département borders. */
    const char *deps = strstr(s, "<g id=\"departements\""), *regs = strstr(s, "<g id=\"limites-regions\"");
    assert_non_null(deps);
    assert_non_null(regs);
    assert_non_null(strstr(deps, "stroke-width=\"0.5\""));
    assert_true(strstr(deps, "stroke-width=\"0.5\"") < regs);
    assert_non_null(strstr(regs, "stroke-width=\"1.2\""));
    /* Labels with their counts, a hatched class, the zoom with its label. */
    assert_contains(s, ">Bretagne</text>");
    assert_contains(s, ">12 PTCE</text>");
    assert_contains(s, ">Grand Est</text>");
    assert_contains(s, "<clipPath id=\"hachures-1\">");
    assert_contains(s, "<path clip-path=\"url(#hachures-1)\" fill=\"none\" stroke=\"#8c8c8c\"");
    assert_contains(s, "<g id=\"zoom\">");
    assert_contains(s, ">Paris et petite couronne (\xC3\x97" "4)</text>");
    /* Scale bars: metropolitan France with its fraction, each inset, the zoom (5 in all). */
    assert_int_equal(count(s, "<g class=\"echelle\">"), 5);
    assert_contains(s, "France m\xC3\xA9tropolitaine : 1 : ");
    assert_contains(s, " km</text>");
    for (int i = 0; i < 4; i++) {
        char text[128];
        snprintf(text, sizeof text, ">%s</text>", CLASSES[i].label);
        assert_contains(s, text);
    }
    assert_contains(s, ">\xC3\x89" "conomie circulaire</text>");
    assert_contains(s, ">Alimentation &amp; circuits courts &lt;locaux&gt;</text>");
    assert_contains(s, ">Guyane (\xC3\x97" "0,35)</text>");
    /* 6 map points + 3 legend circles + the hollow one's, and the point inside the zoom's
     * source (the hollow one) drawn again there. */
    assert_int_equal(count(s, "<circle "), 6 + 3 + 1 + 1);
    assert_int_equal(count(s, " r=\"3.2\" fill=\"#"), 5);
    /* The approximate point is a ring in its sector's colour, explained in the legend. */
    assert_int_equal(count(s, " r=\"2.6\" fill=\"#ffffff\" stroke=\"#d95f02\""), 1 + 1);
    assert_contains(s, ">Cercle vide : point approch\xC3\xA9</text>");
    /* The map: 4 fills, the hatched area's clip and its lines, 2 outlines, 4 borders; then
     * 3 frames (no class of the legend is hatched here). The zoom shows only what its clip
     * lets through: the area around its source (its fill, outline and border); the other
     * areas, the hatched one with its hatching, are left out of it. */
    assert_int_equal(count(s, "<path "), (4 + 2 + 2 + 4) + 3 + 3);
    const char *zoom = strstr(s, "<g id=\"zoom\">"), *legend = strstr(s, "<g id=\"legende\"");
    assert_non_null(zoom);
    assert_non_null(legend);
    assert_true(zoom < legend);
    size_t zoom_paths = 0;
    for (const char *p = strstr(zoom, "<path "); p && p < legend; p = strstr(p + 1, "<path "))
        zoom_paths++;
    assert_int_equal(zoom_paths, 3);
    assert_null(strstr(zoom, "hachures-zoom"));
    char fill0[32];
    snprintf(fill0, sizeof fill0, "fill=\"%s\"", CLASSES[0].color);
    assert_non_null(strstr(zoom, fill0));
    assert_true(strstr(zoom, fill0) < legend);
    assert_contains(s, "fill=\"#7570b3\"");
    /* The multipolygon has two parts, the holed polygon two rings. */
    assert_true(count(s, "Z") >= 11);
    free(s);

    if (have_command("rsvg-convert")) {
        char cmd[8600], png[4200];
        snprintf(png, sizeof png, "%s/carte.png", dir);
        snprintf(cmd, sizeof cmd, "rsvg-convert -o '%s' '%s/ptce_carte.svg'", png, dir);
        assert_int_equal(system(cmd), 0);
        size_t n = 0;
        char *data = util_read_file(png, &n);
        assert_non_null(data);
        assert_true(n > 1000);
        assert_memory_equal(data, "\x89PNG\r\n\x1a\n", 8);
        free(data);
    } else {
        print_message("rsvg-convert absent : conversion PNG non vérifiée\n");
    }
    remove_dir(dir);
    inputs_free(ctx, &in);
    ptce_ctx_free(ctx);
}

static void test_deterministic(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    inputs in;
    inputs_init(ctx, &in);
    char a[4096], b[4096];
    make_tmpdir(a, sizeof a);
    make_tmpdir(b, sizeof b);
    write_all(ctx, &in, a);
    write_all(ctx, &in, b);
    for (size_t i = 0; i < sizeof OUTPUTS / sizeof *OUTPUTS; i++) {
        size_t na, nb;
        char *da = slurp(a, OUTPUTS[i], &na), *db = slurp(b, OUTPUTS[i], &nb);
        assert_int_equal(na, nb);
        assert_memory_equal(da, db, na);
        free(da);
        free(db);
    }
    remove_dir(a);
    remove_dir(b);
    inputs_free(ctx, &in);
    ptce_ctx_free(ctx);
}

/* Labels with markup characters, control characters and broken UTF-8 stay well-formed. */
static void test_escaping(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    inputs in;
    inputs_init(ctx, &in);
    in.map.title = "R&D <sans> \"guillemets\" 'apostrophes'";
    in.map.subtitle = "tab\there, bell\a, broken \xC3 byte";
    in.project.title = "Projet R&D <test>";
    in.frames[0].label = "A & B < C";
    char dir[4096];
    make_tmpdir(dir, sizeof dir);
    outdir od;
    assert_ok(ctx, outdir_open(ctx, dir, "build", NULL, &od));
    assert_ok(ctx, carto_svg(ctx, &od, "x.svg", &in.map));
    assert_ok(ctx, carto_qgs(ctx, &od, "x.qgs", &in.project));
    assert_ok(ctx, outdir_commit(ctx, &od));
    assert_well_formed(dir, "x.svg");
    assert_well_formed(dir, "x.qgs");
    char *s = slurp(dir, "x.svg", NULL);
    assert_contains(s, ">R&amp;D &lt;sans&gt; &quot;guillemets&quot; &apos;apostrophes&apos;<");
    assert_contains(s, ">tab&#9;here, bell, broken \xEF\xBF\xBD byte<");
    assert_contains(s, ">A &amp; B &lt; C</text>");
    free(s);
    s = slurp(dir, "x.qgs", NULL);
    assert_contains(s, "projectname=\"Projet R&amp;D &lt;test&gt;\"");
    assert_contains(s, "<title>Projet R&amp;D &lt;test&gt;</title>");
    free(s);
    remove_dir(dir);
    inputs_free(ctx, &in);
    ptce_ctx_free(ctx);
}

/* Bad inputs fail with a message and write nothing. */
static void test_errors(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    inputs in;
    inputs_init(ctx, &in);
    char dir[4096];
    make_tmpdir(dir, sizeof dir);
    outdir od;
    assert_ok(ctx, outdir_open(ctx, dir, "build", NULL, &od));

    carto_style_category bad_cats[] = {{"a", "A", "#12345"}};
    assert_int_equal(carto_qml_categorized(ctx, &od, "x", "secteur", bad_cats, 1, NULL),
                     PTCE_ERR_USAGE);
    assert_non_null(strstr(ptce_ctx_error(ctx), "couleur"));
    carto_style_category dup_cats[] = {{"a", "A", "#123456"}, {"a", "B", "#654321"}};
    assert_int_equal(carto_qml_categorized(ctx, &od, "x", "secteur", dup_cats, 2, NULL),
                     PTCE_ERR_USAGE);
    carto_style_class bad_classes[] = {{2, 1, "2 – 1", "#ffffff", 0}};
    assert_int_equal(carto_qml_graduated(ctx, &od, "x", "taux", bad_classes, 1, NULL),
                     PTCE_ERR_USAGE);
    assert_int_equal(carto_qml_graduated(ctx, &od, "x", NULL, CLASSES, 4, NULL), PTCE_ERR_USAGE);

    carto_qgs_project p = in.project;
    carto_qgs_layer layers[5];
    memcpy(layers, in.layers, sizeof layers);
    p.layers = layers;
    layers[1].id = "ptce_points";
    assert_int_equal(carto_qgs(ctx, &od, "x.qgs", &p), PTCE_ERR_USAGE);
    assert_non_null(strstr(ptce_ctx_error(ctx), "ptce_points"));
    memcpy(layers, in.layers, sizeof layers);
    layers[2].source = "/home/someone/regions.shp";
    assert_int_equal(carto_qgs(ctx, &od, "x.qgs", &p), PTCE_ERR_USAGE);
    assert_non_null(strstr(ptce_ctx_error(ctx), "relatifs"));
    memcpy(layers, in.layers, sizeof layers);
    layers[3].epsg = 999999;
    assert_int_equal(carto_qgs(ctx, &od, "x.qgs", &p), PTCE_ERR_USAGE);
    assert_non_null(strstr(ptce_ctx_error(ctx), "EPSG:999999"));
    memcpy(layers, in.layers, sizeof layers);
    layers[0].classes = CLASSES; /* two styles at once */
    assert_int_equal(carto_qgs(ctx, &od, "x.qgs", &p), PTCE_ERR_USAGE);
    memcpy(layers, in.layers, sizeof layers);
    layers[0].geometry = "Line";
    assert_int_equal(carto_qgs(ctx, &od, "x.qgs", &p), PTCE_ERR_USAGE);

    carto_svg_map m = in.map;
    m.extent[2] = m.extent[0];
    assert_int_equal(carto_svg(ctx, &od, "x.svg", &m), PTCE_ERR_USAGE);
    m = in.map;
    carto_svg_point pts[1] = {{1, 2, "red", 0}};
    m.points = pts;
    m.npoints = 1;
    assert_int_equal(carto_svg(ctx, &od, "x.svg", &m), PTCE_ERR_USAGE);
    /* A point where a polygon is expected. */
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx->geos, 1, 2);
    carto_svg_area area = {pt, "#ffffff", 0};
    m = in.map;
    m.areas = &area;
    m.nareas = 1;
    assert_int_equal(carto_svg(ctx, &od, "x.svg", &m), PTCE_ERR_LIBRARY);
    GEOSGeom_destroy_r(ctx->geos, pt);

    assert_int_equal(od.nnames, 0);
    outdir_abort(&od);
    remove_dir(dir);
    inputs_free(ctx, &in);
    ptce_ctx_free(ctx);
}

/* An empty map (no data yet) is still a valid picture and project. */
static void test_empty_inputs(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    char dir[4096];
    make_tmpdir(dir, sizeof dir);
    carto_svg_map m = {.extent = {0, 0, 10, 10}};
    carto_qgs_project p = {.epsg = 2154, .extent = {0, 0, 10, 10}};
    outdir od;
    assert_ok(ctx, outdir_open(ctx, dir, "build", NULL, &od));
    assert_ok(ctx, carto_svg(ctx, &od, "vide.svg", &m));
    assert_ok(ctx, carto_qgs(ctx, &od, "vide.qgs", &p));
    assert_ok(ctx, carto_qml_categorized(ctx, &od, "vide", "secteur", NULL, 0, NULL));
    assert_ok(ctx, outdir_commit(ctx, &od));
    assert_well_formed(dir, "vide.svg");
    assert_well_formed(dir, "vide.qgs");
    assert_well_formed(dir, "vide.qml");
    remove_dir(dir);
    ptce_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outputs_exist_and_parse),
        cmocka_unit_test(test_qml_categorized),
        cmocka_unit_test(test_qml_hollow),
        cmocka_unit_test(test_qml_graduated_and_frames),
        cmocka_unit_test(test_qgs_project),
        cmocka_unit_test(test_svg_map),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_empty_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
