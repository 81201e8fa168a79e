/*
 * Street addresses from BAN files (tests/data/ban/: a plain CSV and a gzip one): rows with
 * a street are placed on the address point inside the commune the cascade found, with the
 * commune's point as the fallback.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>

#include "geocode/geocode.h"
#include "refdata/refdata.h"

static ptce_ctx *g_ctx;
static refdata g_rd;
static geocoder *g_geo;

static int setup(void **state)
{
    (void)state;
    g_ctx = test_ctx();
    assert_int_equal(refdata_load(g_ctx, &g_rd), PTCE_OK);
    assert_int_equal(geocode_new(g_ctx, &g_rd, &g_geo), PTCE_OK);
    char p69[4096], p2a[4096];
    const char *paths[] = {test_data_path("ban/adresses-69.csv", p69, sizeof p69),
                           test_data_path("ban/adresses-2A.csv.gz", p2a, sizeof p2a)};
    assert_int_equal(geocode_load_ban(g_geo, paths, 2), PTCE_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    geocode_free(g_geo);
    refdata_free(&g_rd);
    ptce_ctx_free(g_ctx);
    return 0;
}

static geo_result geocode(const char *address, const char *name, const char *postcode)
{
    geocode_input in = {.id = "", .insee = "", .postcode = postcode, .commune = name,
                    .departement = "", .address = address, .latitude = "", .longitude = "",
                    .x = "", .y = ""};
    geo_result r;
    assert_int_equal(geocode_row(g_geo, &in, &r), PTCE_OK);
    return r;
}

static void near(double a, double b)
{
    if (fabs(a - b) > 1e-6)
        print_message("%.6f != %.6f\n", a, b);
    assert_true(fabs(a - b) <= 1e-6);
}

static void files_are_read(void **state)
{
    (void)state;
    /* 69: 66 rows, of which one of an unknown commune; 2A: 44 rows. */
    assert_int_equal(geocode_ban_count(g_geo), 65 + 44);
}

static void house_numbers(void **state)
{
    (void)state;
    /* The whole address in one cell. */
    geo_result r = geocode("12 rue de la République 69002 Lyon", "", "");
    assert_int_equal(r.status, GEO_MATCH);
    assert_string_equal(r.commune->insee, "69382");
    assert_int_equal(r.type, GEO_TYPE_ADDRESS);
    assert_string_equal(r.precision, "adresse");
    assert_true(r.score == 1.0);
    near(r.lat, 45.7631 + (45.7589 - 45.7631) * 6 / 10.0);
    /* Abbreviated, repetition index, commune and postal code in their own columns. */
    geo_result b = geocode("12 bis r. de la Republique", "Lyon", "69002");
    assert_int_equal(b.type, GEO_TYPE_ADDRESS);
    near(b.lat, 45.7631 + (45.7589 - 45.7631) * 7 / 10.0);
    const geo_remark *m = geo_result_find(&b, GEO_R_BAN_EXACT);
    assert_non_null(m);
    assert_true(m->num[0] == 12);
    assert_string_equal(m->text[0], "bis");
    /* A number missing from the street: the nearest on the same side. */
    geo_result c = geocode("13 rue de la République", "Lyon 2e", "");
    assert_int_equal(c.type, GEO_TYPE_ADDRESS);
    assert_true(c.score <= 0.9);
    m = geo_result_find(&c, GEO_R_BAN_NUMBER_NEAR);
    assert_non_null(m);
    assert_true(m->num[0] == 13 && m->num[1] == 11);
    /* Ajaccio, from the gzip file; Corsican postal code. */
    geo_result d = geocode("10, cours Napoléon, 20000 AJACCIO", "", "");
    assert_string_equal(d.commune->insee, "2A004");
    assert_int_equal(d.type, GEO_TYPE_ADDRESS);
    geo_result_free(&r);
    geo_result_free(&b);
    geo_result_free(&c);
    geo_result_free(&d);
}

static void streets_without_number(void **state)
{
    (void)state;
    geo_result r = geocode("Rue de la République", "Lyon", "69002");
    assert_int_equal(r.status, GEO_MATCH);
    assert_int_equal(r.type, GEO_TYPE_ADDRESS);
    assert_true(r.score <= 0.8);
    assert_non_null(geo_result_find(&r, GEO_R_BAN_STREET));
    /* Another street type with the same name, and a typing error in the name. */
    geo_result t = geocode("4 avenue Victor Hugo", "Lyon", "69002");
    assert_int_equal(t.type, GEO_TYPE_ADDRESS);
    const geo_remark *m = geo_result_find(&t, GEO_R_BAN_STREET_FUZZY);
    assert_non_null(m);
    assert_string_equal(m->text[2], "Rue Victor Hugo");
    assert_true(t.score < 1.0);
    geo_result u = geocode("3 rue de la Républiqe", "Lyon", "69002");
    assert_int_equal(u.type, GEO_TYPE_ADDRESS);
    assert_true(u.score < 1.0);
    /* Titles abbreviated. */
    geo_result v = geocode("5 r. du Dr Dolard", "Villeurbanne", "69100");
    assert_string_equal(v.commune->insee, "69266");
    assert_int_equal(v.type, GEO_TYPE_ADDRESS);
    assert_true(v.score == 1.0);
    geo_result_free(&r);
    geo_result_free(&t);
    geo_result_free(&u);
    geo_result_free(&v);
}

static void arrondissements_and_mergers(void **state)
{
    (void)state;
    /* "Lyon" without arrondissement: the BAN files the address under the 3e. */
    geo_result r = geocode("50 cours Lafayette", "Lyon", "");
    assert_int_equal(r.status, GEO_MATCH);
    assert_string_equal(r.commune->insee, "69383");
    assert_int_equal(r.type, GEO_TYPE_ADDRESS);
    /* The same street in the 6e holds number 72. */
    geo_result s = geocode("72 cours Lafayette", "Lyon", "");
    assert_string_equal(s.commune->insee, "69386");
    /* A row filed under a code that disappeared (69015 Avenas → 69135). */
    geo_result t = geocode("1 route du Col", "Avenas", "");
    assert_string_equal(t.commune->insee, "69135");
    assert_int_equal(t.type, GEO_TYPE_ADDRESS);
    geo_result_free(&r);
    geo_result_free(&s);
    geo_result_free(&t);
}

static void fallbacks(void **state)
{
    (void)state;
    /* A street the BAN does not know: the commune's point, said in the note (for an
     * arrondissement, its city's point: approximate). */
    geo_result r = geocode("5 rue Inexistante 69002 Lyon", "", "");
    assert_int_equal(r.status, GEO_MATCH);
    assert_string_equal(r.commune->insee, "69382");
    assert_int_equal(r.type, GEO_TYPE_APPROXIMATE);
    assert_int_equal(r.accuracy, GEO_ACCURACY_APPROXIMATE);
    assert_true(r.score <= 0.9);
    const geo_remark *m = geo_result_find(&r, GEO_R_BAN_MISSING);
    assert_non_null(m);
    assert_string_equal(m->text[0], "5 rue Inexistante 69002 Lyon");
    assert_int_equal(m->field, GEO_FIELD_ADDRESS);
    assert_non_null(geo_result_find(&r, GEO_R_POINT_PARENT));
    /* A département without BAN file: as before, nothing said about the BAN. */
    geo_result s = geocode("12 rue de Rivoli 75004 Paris", "", "");
    assert_string_equal(s.commune->insee, "75104");
    assert_int_equal(s.type, GEO_TYPE_APPROXIMATE);
    for (size_t i = 0; i < s.nremarks; i++)
        assert_false(s.remarks[i].code >= GEO_R_BAN_MISSING &&
                     s.remarks[i].code <= GEO_R_BAN_STREET_FUZZY);
    /* No street in the cell (a post box). */
    geo_result t = geocode("BP 38 69002 Lyon", "", "");
    assert_string_equal(t.commune->insee, "69382");
    assert_int_equal(t.type, GEO_TYPE_APPROXIMATE);
    /* Census coordinates that agree with the commune stay the point. */
    geocode_input in = {.id = "", .insee = "", .postcode = "69002", .commune = "Lyon",
                    .departement = "", .address = "12 rue de la République",
                    .latitude = "45,7601", .longitude = "4,8354", .x = "", .y = ""};
    geo_result u;
    assert_int_equal(geocode_row(g_geo, &in, &u), PTCE_OK);
    assert_int_equal(u.type, GEO_TYPE_COORDINATES);
    assert_int_equal(u.accuracy, GEO_ACCURACY_PLACE);
    near(u.lat, 45.7601);
    geo_result_free(&r);
    geo_result_free(&s);
    geo_result_free(&t);
    geo_result_free(&u);
}

static void bad_files(void **state)
{
    (void)state;
    geocoder *g;
    assert_int_equal(geocode_new(g_ctx, &g_rd, &g), PTCE_OK);
    char path[4096];
    const char *p[] = {test_data_path("geocode-overrides.csv", path, sizeof path)};
    assert_int_equal(geocode_load_ban(g, p, 1), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(g_ctx), "geocode-overrides.csv"));
    assert_non_null(strstr(ptce_ctx_error(g_ctx), "colonne « numero »"));
    const char *missing[] = {"/nonexistent/adresses-01.csv.gz"};
    /* An input that cannot be read is exit 2 (man page), not a write error. */
    assert_int_equal(geocode_load_ban(g, missing, 1), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(g_ctx), "/nonexistent/adresses-01.csv.gz"));
    const char *device[] = {"/dev/zero"}; /* endless: refused, not read */
    assert_int_equal(geocode_load_ban(g, device, 1), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(g_ctx), "pas un fichier ordinaire"));
    assert_int_equal(geocode_ban_count(g), 0);
    /* A good file then a bad one: the good one stays loaded. */
    char p69[4096];
    const char *two[] = {test_data_path("ban/adresses-69.csv", p69, sizeof p69), p[0]};
    assert_int_equal(geocode_load_ban(g, two, 2), PTCE_ERR_INPUT);
    assert_int_equal(geocode_ban_count(g), 65);
    geocode_input lyon = {.id = "", .insee = "", .postcode = "69002", .commune = "Lyon",
                      .departement = "", .address = "12 rue de la République", .latitude = "",
                      .longitude = "", .x = "", .y = ""};
    geo_result hit;
    assert_int_equal(geocode_row(g, &lyon, &hit), PTCE_OK);
    assert_int_equal(hit.type, GEO_TYPE_ADDRESS);
    geo_result_free(&hit);
    geocode_free(g);
    assert_int_equal(geocode_new(g_ctx, &g_rd, &g), PTCE_OK);
    /* Still usable, without addresses. */
    geocode_input in = {.id = "", .insee = "", .postcode = "69002", .commune = "Lyon",
                    .departement = "", .address = "12 rue de la République", .latitude = "",
                    .longitude = "", .x = "", .y = ""};
    geo_result r;
    assert_int_equal(geocode_row(g, &in, &r), PTCE_OK);
    assert_int_equal(r.type, GEO_TYPE_APPROXIMATE); /* Lyon 2e at Lyon's point */
    geo_result_free(&r);
    geocode_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(files_are_read),      cmocka_unit_test(house_numbers),
        cmocka_unit_test(streets_without_number), cmocka_unit_test(arrondissements_and_mergers),
        cmocka_unit_test(fallbacks),           cmocka_unit_test(bad_files)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
