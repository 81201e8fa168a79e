/*
 * write/out_gpkg.c: a GeoPackage of a point layer and a polygon layer (with a hole and two
 * parts) read back with SQLite: header fields, core tables, binary geometry bytes, R-tree
 * rows, aliases, styles, metadata, fixed timestamps, and the same bytes twice.
 */
#include "testutil.h"

#include <sqlite3.h>
#include <unistd.h>

#include "core/util.h"
#include "geom/geom.h"
#include "write/outdir.h"
#include "write/writers.h"

static const layer_field_def fields[] = {
    {"nom", LAYER_FIELD_TEXT, 10, 0},
    {"nb", LAYER_FIELD_INTEGER, 9, 0},
    {"taux", LAYER_FIELD_REAL, 10, 3},
};
static const char *const names[] = {"Évry", "Saint-Étienne-du-Rouvray", NULL};
static const char *const aliases[] = {"Nom de la commune", "Nombre", "Taux pour 100 000"};

static void value(void *user, size_t i, size_t f, layer_field_value *v)
{
    (void)user;
    if (f == 0) {
        v->text = names[i];
        v->is_null = names[i] == NULL;
    } else if (f == 1) {
        v->integer = (long long)(i + 1) * 10;
    } else {
        v->real = 0.12345 * (double)(i + 1);
    }
}

static void point(void *user, size_t i, double *lon, double *lat)
{
    (void)user;
    *lon = 2.35 + (double)i;
    *lat = 48.85;
}

static const GEOSGeometry *polygon(void *user, size_t i)
{
    (void)i;
    return user;
}

static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/ptce-gpkg-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return util_strdup(d);
}

static char *write_one(ptce_ctx *ctx, GEOSGeometry *poly, const geom_crs_target *crs)
{
    char *dir = make_tmpdir();
    outdir od;
    assert_int_equal(outdir_open(ctx, dir, "build", NULL, &od), PTCE_OK);
    layer pts = {.name = "essai", .title = "Essai", .geometry = LAYER_POINT, .fields = fields,
                 .nfields = 3, .nfeatures = 3, .value = value, .point = point};
    layer zones = {.name = "zones", .title = "Zones", .geometry = LAYER_POLYGON,
                   .fields = fields, .nfields = 3, .nfeatures = 1, .user = poly,
                   .value = value, .polygon = polygon};
    writers_gpkg_layer gl[2] = {
        {.l = &pts, .table = "essai", .identifier = "Essai", .description = "Points ; GeoNames",
         .crs = crs, .aliases = (const char *const *)aliases,
         .style_qml = "<qgis version=\"3.22\"/>"},
        {.l = &zones, .table = "zones", .identifier = "Zones", .crs = crs},
    };
    writers_gpkg_document doc = {.layers = gl, .nlayers = 2, .timestamp = "2026-01-01T00:00:00.000Z",
                         .metadata = "Tout le fichier"};
    assert_int_equal(writers_gpkg(ctx, &od, "essai.gpkg", &doc), PTCE_OK);
    assert_int_equal(outdir_commit(ctx, &od), PTCE_OK);
    return dir;
}

static long long scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static char *text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    char *out = util_strdup(t ? (const char *)t : "(null)");
    sqlite3_finalize(st);
    return out;
}

static void expect_text(sqlite3 *db, const char *sql, const char *want)
{
    char *got = text(db, sql);
    assert_string_equal(got, want);
    free(got);
}

static double le_f64(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--)
        u = (u << 8) | p[i];
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static uint32_t le_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void geopackage_reads_back(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    geom_crs_target crs;
    assert_int_equal(geom_crs_open(ctx, 2154, &crs), PTCE_OK);
    GEOSWKTReader *r = GEOSWKTReader_create_r(ctx->geos);
    GEOSGeometry *poly = GEOSWKTReader_read_r(
        ctx->geos, r,
        "MULTIPOLYGON(((2 48,3 48,3 49,2 49,2 48),(2.2 48.2,2.2 48.4,2.4 48.4,2.4 48.2,2.2 48.2)),"
        "((4 44,5 44,5 45,4 44)))");
    assert_non_null(poly);
    char *dir = write_one(ctx, poly, &crs);
    char path[4200];
    snprintf(path, sizeof path, "%s/essai.gpkg", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(scalar(db, "PRAGMA application_id"), 0x47504B47);
    assert_int_equal(scalar(db, "PRAGMA user_version"), 10300);
    assert_int_equal(scalar(db, "PRAGMA page_size"), 4096);
    expect_text(db, "PRAGMA integrity_check", "ok");
    assert_int_equal(scalar(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    /* Spatial reference systems: -1, 0, 4326 always, 2154 for the layers, WKT from PROJ. */
    assert_int_equal(scalar(db, "SELECT count(*) FROM gpkg_spatial_ref_sys"), 4);
    assert_int_equal(scalar(db, "SELECT count(*) FROM gpkg_spatial_ref_sys WHERE srs_id = 2154 "
                                "AND organization = 'EPSG' AND organization_coordsys_id = 2154 "
                                "AND definition LIKE 'PROJCS[\"RGF93 v1 / Lambert-93\"%'"),
                     1);
    /* Contents: fixed timestamp, extent of what was written. */
    expect_text(db, "SELECT group_concat(last_change) FROM gpkg_contents",
                "2026-01-01T00:00:00.000Z,2026-01-01T00:00:00.000Z,2026-01-01T00:00:00.000Z");
    expect_text(db, "SELECT data_type || ' ' || srs_id || ' ' || identifier FROM gpkg_contents "
                    "WHERE table_name = 'essai'", "features 2154 Essai");
    expect_text(db, "SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name = "
                    "'zones'", "MULTIPOLYGON");
    /* Attributes: text, integers, reals rounded to the field's decimals, NULL. */
    expect_text(db, "SELECT nom FROM essai WHERE fid = 2", "Saint-Étienne-du-Rouvray");
    assert_int_equal(scalar(db, "SELECT nom IS NULL FROM essai WHERE fid = 3"), 1);
    assert_int_equal(scalar(db, "SELECT nb FROM essai WHERE fid = 3"), 30);
    expect_text(db, "SELECT taux FROM essai WHERE fid = 2", "0.247");
    /* Point geometry: GP, version 0, flags 0x03 (LE + XY envelope), srs 2154, WKB point. */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT geom FROM essai WHERE fid = 1", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *g = sqlite3_column_blob(st, 0);
    assert_int_equal(sqlite3_column_bytes(st, 0), 8 + 32 + 21);
    assert_memory_equal(g, "GP\x00\x03", 4);
    assert_int_equal(le_u32(g + 4), 2154);
    assert_int_equal(g[40], 1);
    assert_int_equal(le_u32(g + 41), 1);
    double x, y;
    assert_true(geom_project_point(&crs, 2.35, 48.85, &x, &y));
    assert_true(le_f64(g + 45) == x && le_f64(g + 53) == y);
    assert_true(le_f64(g + 8) == x && le_f64(g + 16) == x && le_f64(g + 24) == y);
    sqlite3_finalize(st);
    /* Polygon: a MULTIPOLYGON of two parts, the first with a hole; shells counter-clockwise. */
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT geom FROM zones", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    g = sqlite3_column_blob(st, 0);
    const unsigned char *w = g + 40;
    assert_int_equal(le_u32(w + 1), 6);
    assert_int_equal(le_u32(w + 5), 2);
    assert_int_equal(le_u32(w + 10), 3);
    assert_int_equal(le_u32(w + 14), 2); /* two rings */
    unsigned n = le_u32(w + 18);
    assert_int_equal(n, 5);
    double area = 0;
    for (unsigned k = 0; k + 1 < n; k++)
        area += le_f64(w + 22 + 16 * k) * le_f64(w + 22 + 16 * (k + 1) + 8) -
                le_f64(w + 22 + 16 * (k + 1)) * le_f64(w + 22 + 16 * k + 8);
    assert_true(area > 0);
    sqlite3_finalize(st);
    /* R-tree: one row per feature, extension declared, triggers present. */
    assert_int_equal(scalar(db, "SELECT count(*) FROM rtree_essai_geom"), 3);
    assert_int_equal(scalar(db, "SELECT count(*) FROM rtree_essai_geom WHERE minx <= 700000 AND "
                                "maxx >= 600000"), 1);
    assert_int_equal(scalar(db, "SELECT count(*) FROM gpkg_extensions WHERE extension_name = "
                                "'gpkg_rtree_index' AND scope = 'write-only'"), 2);
    assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND "
                                "name LIKE 'rtree_zones_geom_%'"), 6);
    /* Aliases, style, metadata. */
    expect_text(db, "SELECT name FROM gpkg_data_columns WHERE table_name = 'essai' AND "
                    "column_name = 'taux'", "Taux pour 100 000");
    assert_int_equal(scalar(db, "SELECT count(*) FROM gpkg_data_columns WHERE table_name = "
                                "'zones'"), 0);
    expect_text(db, "SELECT f_table_name || ' ' || f_geometry_column || ' ' || useAsDefault || ' '"
                    " || update_time FROM layer_styles",
                "essai geom 1 2026-01-01T00:00:00.000Z");
    expect_text(db, "SELECT group_concat(metadata, '|') FROM gpkg_metadata",
                "Tout le fichier|Points ; GeoNames");
    expect_text(db, "SELECT group_concat(reference_scope || ':' || ifnull(table_name, '-'), ' ') "
                    "FROM gpkg_metadata_reference", "geopackage:- table:essai");
    sqlite3_close(db);

    /* Same input, same bytes. */
    char *dir2 = write_one(ctx, poly, &crs);
    char path2[4200];
    snprintf(path2, sizeof path2, "%s/essai.gpkg", dir2);
    size_t n1, n2;
    char *a = util_read_file(path, &n1), *b = util_read_file(path2, &n2);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    free(a);
    free(b);
    unlink(path);
    unlink(path2);
    rmdir(dir);
    rmdir(dir2);
    free(dir);
    free(dir2);
    GEOSGeom_destroy_r(ctx->geos, poly);
    GEOSWKTReader_destroy_r(ctx->geos, r);
    geom_crs_close(&crs);
    ptce_ctx_free(ctx);
}

static void reserved_field_names_are_refused(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    char *dir = make_tmpdir();
    outdir od;
    assert_int_equal(outdir_open(ctx, dir, "build", NULL, &od), PTCE_OK);
    static const layer_field_def bad[] = {{"geom", LAYER_FIELD_TEXT, 10, 0}};
    layer l = {.name = "x", .geometry = LAYER_POINT, .fields = bad, .nfields = 1,
               .nfeatures = 1, .value = value, .point = point};
    geom_crs_target crs;
    assert_int_equal(geom_crs_open(ctx, 4326, &crs), PTCE_OK);
    writers_gpkg_layer gl = {.l = &l, .table = "x", .identifier = "X", .crs = &crs};
    writers_gpkg_document doc = {.layers = &gl, .nlayers = 1, .timestamp = "2026-01-01T00:00:00.000Z"};
    assert_int_equal(writers_gpkg(ctx, &od, "x.gpkg", &doc), PTCE_ERR_USAGE);
    assert_non_null(strstr(ptce_ctx_error(ctx), "réservé"));
    outdir_abort(&od);
    rmdir(dir);
    free(dir);
    geom_crs_close(&crs);
    ptce_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(geopackage_reads_back),
        cmocka_unit_test(reserved_field_names_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
