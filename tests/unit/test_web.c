/*
 * tests/unit/test_web.c — the JSON printer (escaping for a <script>, UTF-8, numbers) and the
 * web map writer (template copied byte for byte, nested folders, data parsed back).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "write/cartography.h"
#include "write/json.h"
#include "write/outdir.h"

static char *escaped(const char *s, json_escape how)
{
    util_strbuf sb;
    util_sb_init(&sb);
    json_append_string(&sb, s, how);
    return util_sb_take(&sb);
}

static void strings_are_safe_inside_a_script(void **state)
{
    (void)state;
    char *a = escaped("a</script><b>\"\\\n\t\x01", JSON_IN_SCRIPT);
    assert_string_equal(a, "\"a<\\/script><b>\\\"\\\\\\n\\t\\u0001\"");
    free(a);
    /* JSON_PLAIN leaves "</" alone. */
    char *b = escaped("a</b", JSON_PLAIN);
    assert_string_equal(b, "\"a</b\"");
    free(b);
    /* U+2028 and U+2029 end a line in older JavaScript: escaped in a script. */
    char *c = escaped("x\xe2\x80\xa8y\xe2\x80\xa9z", JSON_IN_SCRIPT);
    assert_string_equal(c, "\"x\\u2028y\\u2029z\"");
    free(c);
    /* Accents and other characters stay as UTF-8. */
    char *d = escaped("Pôle Économie – ’", JSON_IN_SCRIPT);
    assert_string_equal(d, "\"Pôle Économie – ’\"");
    free(d);
}

static void invalid_utf8_becomes_replacement_character(void **state)
{
    (void)state;
    /* A lone Latin-1 byte, a truncated sequence at the end, an overlong '/'. */
    char *a = escaped("caf\xe9 ok \xc3", JSON_IN_SCRIPT);
    assert_string_equal(a, "\"caf\\ufffd ok \\ufffd\"");
    free(a);
    char *b = escaped("<\xc0\xaf", JSON_IN_SCRIPT);
    assert_string_equal(b, "\"<\\ufffd\\ufffd\"");
    free(b);
    char *c = escaped("\xed\xa0\x80", JSON_PLAIN); /* a surrogate */
    assert_true(util_utf8_is_valid(c, strlen(c)));
    assert_non_null(strstr(c, "\\ufffd"));
    free(c);
}

static void numbers_are_finite_json(void **state)
{
    (void)state;
    util_strbuf sb;
    util_sb_init(&sb);
    json_append_number(&sb, 2.5, 3);
    util_sb_append_char(&sb, ' ');
    json_append_number(&sb, -0.00001, 3);
    util_sb_append_char(&sb, ' ');
    json_append_number(&sb, NAN, 3);
    util_sb_append_char(&sb, ' ');
    json_append_number(&sb, INFINITY, 3);
    util_sb_append_char(&sb, ' ');
    json_append_number(&sb, 1.23456789, 5);
    assert_string_equal(sb.data, "2.5 0 null null 1.23457");
    util_sb_free(&sb);
    /* Huge finite values (a coordinate or a count read as 1e300): a short JSON number that
     * reads back the same, never 300 digits copied from a 64-byte buffer. */
    static const double huge[] = {1e300, -1.7976931348623157e308, 1e15, 123456789012345678.0};
    for (size_t i = 0; i < sizeof huge / sizeof *huge; i++) {
        util_sb_init(&sb);
        json_append_number(&sb, huge[i], 6);
        assert_non_null(sb.data);
        assert_int_equal(strlen(sb.data), sb.len);
        assert_true(sb.len <= 24);
        char *end = NULL;
        assert_true(strtod(sb.data, &end) == huge[i]);
        assert_true(*end == '\0');
        util_sb_free(&sb);
    }
}

/* ---- the writer ------------------------------------------------------------------------ */

static const layer_field_def fields[] = {{"nom", LAYER_FIELD_TEXT, 0, 0}, {"n", LAYER_FIELD_INTEGER, 0, 0},
                                   {"x", LAYER_FIELD_REAL, 0, 2}};

static void value(void *user, size_t i, size_t f, layer_field_value *v)
{
    (void)user;
    if (f == 0) {
        v->text = i == 0 ? "</script><script>alert(1)</script>" : "Saint-Étienne";
    } else if (f == 1) {
        v->integer = (long long)i + 1;
    } else {
        v->real = i == 0 ? NAN : 0.125;
    }
}

static void point(void *user, size_t i, double *lon, double *lat)
{
    (void)user;
    *lon = 2.123456789 + (double)i;
    *lat = 48.5;
}

static char *read_all(const char *path)
{
    size_t len;
    return util_read_file(path, &len);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void web_folder_holds_template_and_data(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    char root[] = "/tmp/ptce-test-web-XXXXXX";
    assert_non_null(mkdtemp(root));
    char tpl[512], sub[600], deep[700], path[800], outp[600];
    snprintf(tpl, sizeof tpl, "%s/modele", root);
    snprintf(sub, sizeof sub, "%s/lib", tpl);
    snprintf(deep, sizeof deep, "%s/images", sub);
    assert_int_equal(mkdir(tpl, 0777), 0);
    assert_int_equal(mkdir(sub, 0777), 0);
    assert_int_equal(mkdir(deep, 0777), 0);
    snprintf(path, sizeof path, "%s/index.html", tpl);
    write_file(path, "<!DOCTYPE html><html lang=\"fr\"></html>\n");
    snprintf(path, sizeof path, "%s/LICENSE", sub);
    write_file(path, "licence\n");
    snprintf(path, sizeof path, "%s/a.png", deep);
    write_file(path, "\x89PNG");
    snprintf(path, sizeof path, "%s/.cache", tpl);
    write_file(path, "not copied");

    layer pts = {.name = "ptce_points", .geometry = LAYER_POINT, .fields = fields,
                 .nfields = 3, .nfeatures = 2, .value = value, .point = point};
    carto_style_category sectors[] = {{"economie_circulaire", "Économie circulaire", "#2e8b57"}};
    const char *palette[] = {"#ffffcc", "#253494"};
    carto_web_territory terr[] = {{"", "France métropolitaine"}, {"01", "Guadeloupe"}};
    carto_web_precision prec[] = {{"geonames", "Point de la commune", 0}};
    carto_web_map m = {.title = "Titre « test »", .credit = "Crédit", .software = "ptce-map test",
                 .sectors = sectors, .nsectors = 1, .precisions = prec, .nprecisions = 1,
                 .palette = palette, .npalette = 2, .palette_change = palette,
                 .npalette_change = 2, .territories = terr, .nterritories = 2,
                 .points = &pts, .point_decimals = 5, .polygon_decimals = 3};
    snprintf(outp, sizeof outp, "%s/sortie", root);
    outdir od = {0};
    assert_int_equal(outdir_open(ctx, outp, "build", NULL, &od), PTCE_OK);
    assert_int_equal(carto_web(ctx, &od, "web", tpl, &m), PTCE_OK);
    assert_int_equal(outdir_commit(ctx, &od), PTCE_OK);

    /* The template, byte for byte, three levels deep; dot files left out. */
    snprintf(path, sizeof path, "%s/web/lib/images/a.png", outp);
    char *png = read_all(path);
    assert_non_null(png);
    assert_memory_equal(png, "\x89PNG", 4);
    free(png);
    snprintf(path, sizeof path, "%s/web/.cache", outp);
    assert_int_not_equal(access(path, F_OK), 0);

    /* The data: one assignment, no "</" left, NaN as null, 5 decimals. */
    snprintf(path, sizeof path, "%s/web/donnees.js", outp);
    char *js = read_all(path);
    assert_non_null(js);
    assert_true(util_utf8_is_valid(js, strlen(js)));
    assert_non_null(strstr(js, "window.PTCE_DONNEES = {"));
    assert_null(strstr(js, "</"));
    assert_non_null(strstr(js, "\"x\":null"));
    assert_non_null(strstr(js, "\"x\":0.12"));
    assert_non_null(strstr(js, "[2.12346,48.5]"));
    assert_non_null(strstr(js, "\"nom\":\"Saint-Étienne\""));
    assert_non_null(strstr(js, "\"disparus\":null"));
    assert_non_null(strstr(js, "\"epci\":null"));
    free(js);

    /* A template folder without index.html is a clear error. */
    outdir od2 = {0};
    assert_int_equal(outdir_open(ctx, outp, "build", NULL, &od2), PTCE_OK);
    assert_int_not_equal(carto_web(ctx, &od2, "web", sub, &m), PTCE_OK);
    assert_non_null(strstr(ptce_ctx_error(ctx), "modèle de la carte web introuvable"));
    outdir_abort(&od2);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
    ptce_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strings_are_safe_inside_a_script),
        cmocka_unit_test(invalid_utf8_becomes_replacement_character),
        cmocka_unit_test(numbers_are_finite_json),
        cmocka_unit_test(web_folder_holds_template_and_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
