/*
 * write/: Shapefile and GeoJSON writers read back with shapelib and by parsing, the output
 * folder's all-or-nothing behaviour, CSV cells.
 */
#include "testutil.h"

#include <shapefil.h>
#include <sys/stat.h>
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

static void value(void *user, size_t i, size_t f, layer_field_value *v)
{
    (void)user;
    if (f == 0) {
        v->text = names[i];
        v->is_null = names[i] == NULL;
    } else if (f == 1) {
        v->integer = (long long)(i + 1) * 10;
    } else {
        v->real = 0.125 * (double)(i + 1);
    }
}

static void point(void *user, size_t i, double *lon, double *lat)
{
    (void)user;
    *lon = 2.35 + (double)i;
    *lat = 48.85;
}

static layer test_layer(void)
{
    return (layer){.name = "essai", .title = "Essai", .geometry = LAYER_POINT, .fields = fields,
                   .nfields = 3, .nfeatures = 3, .value = value, .point = point,
                   .credit = "GeoNames (CC BY 4.0)"};
}

static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/ptce-write-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return util_strdup(d);
}

static void shapefile_reads_back_with_utf8_cut_at_character_boundary(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    char *dir = make_tmpdir();
    outdir od;
    assert_int_equal(outdir_open(ctx, dir, "build", NULL, &od), PTCE_OK);
    geom_crs_target crs;
    assert_int_equal(geom_crs_open(ctx, 2154, &crs), PTCE_OK);
    layer l = test_layer();
    assert_int_equal(writers_shapefile(ctx, &od, "", &l, &crs), PTCE_OK);
    assert_int_equal(outdir_commit(ctx, &od), PTCE_OK);
    char base[4096], path[4200];
    snprintf(base, sizeof base, "%s/essai", dir);
    snprintf(path, sizeof path, "%s.cpg", base);
    size_t n;
    char *cpg = util_read_file(path, &n);
    assert_string_equal(cpg, "UTF-8");
    free(cpg);
    snprintf(path, sizeof path, "%s.prj", base);
    char *prj = util_read_file(path, &n);
    assert_string_equal(prj, crs.prj);
    free(prj);
    DBFHandle dbf = DBFOpen(base, "rb");
    SHPHandle shp = SHPOpen(base, "rb");
    assert_non_null(dbf);
    assert_non_null(shp);
    assert_int_equal(DBFGetRecordCount(dbf), 3);
    assert_string_equal(DBFReadStringAttribute(dbf, 0, 0), "Évry");
    /* 10 bytes: the cut keeps 7 at most for the text and 3 for the "…" that marks it;
     * "Saint-É" would be 8, so "Saint-…" (9 bytes): no half character. */
    const char *cut = DBFReadStringAttribute(dbf, 1, 0);
    assert_true(util_utf8_is_valid(cut, strlen(cut)));
    assert_string_equal(cut, "Saint-…");
    assert_true(DBFIsAttributeNULL(dbf, 2, 0));
    assert_int_equal(DBFReadIntegerAttribute(dbf, 1, 1), 20);
    assert_true(DBFReadDoubleAttribute(dbf, 2, 2) == 0.375);
    SHPObject *o = SHPReadObject(shp, 0);
    assert_int_equal(o->nSHPType, SHPT_POINT);
    assert_true(o->padfX[0] > 600000 && o->padfX[0] < 700000); /* projected to Lambert-93 */
    SHPDestroyObject(o);
    SHPClose(shp);
    DBFClose(dbf);
    geom_crs_close(&crs);
    free(dir);
    ptce_ctx_free(ctx);
}

static void geojson_keeps_whole_text_and_six_decimals(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    char *dir = make_tmpdir();
    outdir od;
    assert_int_equal(outdir_open(ctx, dir, "build", NULL, &od), PTCE_OK);
    layer l = test_layer();
    assert_int_equal(writers_geojson(ctx, &od, "", &l, ""), PTCE_OK);
    assert_int_equal(outdir_commit(ctx, &od), PTCE_OK);
    char path[4096];
    snprintf(path, sizeof path, "%s/essai.geojson", dir);
    size_t n;
    char *json = util_read_file(path, &n);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"nom\":\"Saint-Étienne-du-Rouvray\""));
    assert_non_null(strstr(json, "\"nom\":null"));
    assert_non_null(strstr(json, "\"coordinates\":[2.35,48.85]"));
    assert_non_null(strstr(json, "\"bbox\":[2.35,48.85,4.35,48.85]"));
    assert_non_null(strstr(json, "\"credit\":\"GeoNames (CC BY 4.0)\""));
    assert_null(strstr(json, "\"crs\""));
    free(json);
    free(dir);
    ptce_ctx_free(ctx);
}

static void aborted_output_leaves_the_folder_as_it_was(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    char *dir = make_tmpdir();
    char path[4096], tmp[4096];
    snprintf(path, sizeof path, "%s/rapport.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("ancien", f);
    fclose(f);
    outdir od;
    assert_int_equal(outdir_open(ctx, dir, "build", NULL, &od), PTCE_OK);
    assert_int_equal(outdir_file(ctx, &od, "rapport.csv", tmp, sizeof tmp), PTCE_OK);
    f = fopen(tmp, "w");
    fputs("nouveau", f);
    fclose(f);
    outdir_abort(&od);
    size_t n;
    char *text = util_read_file(path, &n);
    assert_string_equal(text, "ancien"); /* untouched */
    free(text);
    /* Nothing else left behind: only rapport.csv in the folder. */
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 1", dir);
    assert_int_equal(system(cmd), 0);
    /* A plain file named like an output in a folder that holds no earlier outputs is the
     * user's: the commit refuses it and leaves it. */
    assert_int_equal(outdir_open(ctx, dir, "build", NULL, &od), PTCE_OK);
    assert_int_equal(writers_write_bytes(ctx, &od, "rapport.csv", "nouveau", 7), PTCE_OK);
    assert_int_equal(outdir_commit(ctx, &od), PTCE_ERR_IO);
    text = util_read_file(path, &n);
    assert_string_equal(text, "ancien");
    free(text);
    /* Beside the plain LISEZMOI.txt of an earlier version, it is an earlier output: a
     * committed run replaces it, the file becomes our link into the generation on view. */
    char readme[4096];
    snprintf(readme, sizeof readme, "%s/LISEZMOI.txt", dir);
    f = fopen(readme, "w");
    fputs("Carte nationale des PTCE produite par ptce-map 0.0.9\n", f);
    fclose(f);
    assert_int_equal(outdir_open(ctx, dir, "build", NULL, &od), PTCE_OK);
    assert_int_equal(writers_write_bytes(ctx, &od, "rapport.csv", "nouveau", 7), PTCE_OK);
    assert_int_equal(outdir_commit(ctx, &od), PTCE_OK);
    text = util_read_file(path, &n);
    assert_string_equal(text, "nouveau");
    free(text);
    /* A file the run does not write is never touched, and nothing is left behind: the
     * folder holds rapport.csv, notes.txt, the old LISEZMOI.txt and ptce-map's own
     * .ptce-map. */
    char other[4096];
    snprintf(other, sizeof other, "%s/notes.txt", dir);
    f = fopen(other, "w");
    fputs("à garder", f);
    fclose(f);
    assert_int_equal(outdir_open(ctx, dir, "build", NULL, &od), PTCE_OK);
    assert_int_equal(writers_write_bytes(ctx, &od, "rapport.csv", "encore", 6), PTCE_OK);
    assert_int_equal(outdir_commit(ctx, &od), PTCE_OK);
    text = util_read_file(path, &n);
    assert_string_equal(text, "encore");
    free(text);
    text = util_read_file(other, &n);
    assert_string_equal(text, "à garder");
    free(text);
    snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 4 && test $(ls -A %s/.. | grep -c "
                              "'^.ptce-map-tmp') -eq 0 && test -L %s/rapport.csv && "
                              "test $(ls %s/.ptce-map/build | grep -c '^g-') -eq 1",
             dir, dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    /* The first run of another command beside these outputs makes its own folder in
     * .ptce-map; failing, it leaves .ptce-map as it was (a `diff` after a `build`). */
    assert_int_equal(outdir_open(ctx, dir, "diff", NULL, &od), PTCE_OK);
    assert_int_equal(writers_write_bytes(ctx, &od, "evolutions.csv", "x", 1), PTCE_OK);
    snprintf(cmd, sizeof cmd, "test -d %s/.ptce-map/diff", dir);
    assert_int_equal(system(cmd), 0);
    outdir_abort(&od);
    snprintf(cmd, sizeof cmd, "test ! -e %s/.ptce-map/diff && test ! -e %s/evolutions.csv && "
                              "test $(ls -A %s | wc -l) -eq 4 && test -d %s/.ptce-map/build",
             dir, dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    free(dir);
    ptce_ctx_free(ctx);
}

static void output_folder_that_is_a_file_is_refused(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    outdir od;
    assert_int_equal(outdir_open(ctx, "/etc/hostname", "build", NULL, &od), PTCE_ERR_IO);
    assert_non_null(strstr(ptce_ctx_error(ctx), "n'est pas un dossier"));
    ptce_ctx_free(ctx);
}

static void csv_cells_are_quoted_and_formulas_defused(void **state)
{
    (void)state;
    util_strbuf sb;
    util_sb_init(&sb);
    csvfile_append_cell(&sb, "simple", ';', 1);
    csvfile_append_cell(&sb, "a;b", ';', 0);
    csvfile_append_cell(&sb, "dit \"oui\"", ';', 0);
    csvfile_append_cell(&sb, "=HYPERLINK(\"x\")", ';', 0);
    csvfile_append_cell(&sb, "-1.5", ';', 0);
    csvfile_append_cell(&sb, "@SUM(A1)", ';', 0);
    assert_string_equal(sb.data, "simple;\"a;b\";\"dit \"\"oui\"\"\";\"'=HYPERLINK(\"\"x\"\")\";-1.5;"
                                 "\"'@SUM(A1)\"");
    util_sb_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shapefile_reads_back_with_utf8_cut_at_character_boundary),
        cmocka_unit_test(geojson_keeps_whole_text_and_six_decimals),
        cmocka_unit_test(aborted_output_leaves_the_folder_as_it_was),
        cmocka_unit_test(output_folder_that_is_a_file_is_refused),
        cmocka_unit_test(csv_cells_are_quoted_and_formulas_defused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
