/*
 * Analyst corrections (overrides.csv): applied before anything else, keyed by PTCE id;
 * a bad file is refused at load time with the file, the line and the column.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "geocode/geocode.h"
#include "refdata/refdata.h"

static ptce_ctx *g_ctx;
static refdata g_rd;
static char g_dir[64];

static int setup(void **state)
{
    (void)state;
    g_ctx = test_ctx();
    assert_int_equal(refdata_load(g_ctx, &g_rd), PTCE_OK);
    snprintf(g_dir, sizeof g_dir, "/tmp/ptce-overrides-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/overrides.csv", g_dir);
    unlink(path);
    rmdir(g_dir);
    refdata_free(&g_rd);
    ptce_ctx_free(g_ctx);
    return 0;
}

static geocode_input row(const char *id, const char *name, const char *postcode)
{
    return (geocode_input){.id = id, .insee = "", .postcode = postcode, .commune = name,
                       .departement = "", .address = "", .latitude = "", .longitude = "",
                       .x = "", .y = ""};
}

/* Geocodes into a result that held an earlier row's. */
static ptce_status geocode_again(geocoder *g, const geocode_input *in, geo_result *r)
{
    geo_result_free(r);
    return geocode_row(g, in, r);
}

static void corrections_apply_first(void **state)
{
    (void)state;
    geocoder *g;
    assert_int_equal(geocode_new(g_ctx, &g_rd, &g), PTCE_OK);
    char path[4096];
    assert_int_equal(geocode_load_overrides(g, test_data_path("geocode-overrides.csv", path,
                                                                sizeof path)),
                     PTCE_OK);
    assert_int_equal(geocode_overrides_count(g), 5);
    geo_result r = {0};

    /* An INSEE code fixes a row the cascade rejects. */
    geocode_input in = row("PTCE-0001", "???", "");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_int_equal(r.status, GEO_MATCH);
    assert_string_equal(r.commune->insee, "69123");
    assert_int_equal(r.type, GEO_TYPE_MUNICIPALITY);
    assert_true(r.score == 1.0);
    /* The correction is said first, with its line and the analyst's note. */
    assert_true(r.nremarks >= 1);
    assert_int_equal(r.remarks[0].code, GEO_R_OVERRIDE);
    assert_true(r.remarks[0].num[0] == 2);
    assert_non_null(strstr(r.remarks[0].text[0], "siège déplacé"));

    /* Ids are compared without surrounding spaces. */
    in = row("  PTCE-0001 ", "", "");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_string_equal(r.commune->insee, "69123");

    /* Coordinates only (decimal comma): the commune the row names, when the point lies
     * there… */
    in = row("PTCE-0002", "Villeurbanne", "69100");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_int_equal(r.status, GEO_MATCH);
    assert_string_equal(r.commune->insee, "69266");
    assert_int_equal(r.type, GEO_TYPE_COORDINATES);
    assert_string_equal(r.precision, "coordonnees");
    assert_true(r.lat == 45.77 && r.lon == 4.88);
    /* …else the nearest commune to the point. */
    in = row("PTCE-0002", "Brest", "29200");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_int_equal(r.status, GEO_MATCH);
    assert_string_equal(r.commune->dep, "69");
    assert_true(r.lat == 45.77 && r.lon == 4.88);

    /* Both: the commune and the point. */
    in = row("PTCE-0003", "Paris", "");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_string_equal(r.commune->insee, "13055");
    assert_int_equal(r.type, GEO_TYPE_COORDINATES);
    assert_true(r.lat == 43.3 && r.lon == 5.4);

    /* A code that disappeared in a merger: its current commune. */
    in = row("PTCE-0004", "", "");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_string_equal(r.commune->insee, "01165");
    const geo_remark *m = geo_result_find(&r, GEO_R_OVERRIDE_FORMER_CODE);
    assert_non_null(m);
    assert_string_equal(m->text[0], "01003");
    assert_string_equal(m->commune[0]->insee, "01165");

    /* A quoted note with a separator inside. */
    in = row("PTCE-0005", "", "");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_string_equal(r.commune->insee, "2A004");
    assert_non_null(geo_result_find(&r, GEO_R_OVERRIDE));
    assert_string_equal(geo_result_find(&r, GEO_R_OVERRIDE)->text[0],
                        "vu avec la délégation ; confirmé");

    /* Other rows go through the cascade as before. */
    in = row("PTCE-0099", "Lyon 3e", "");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_string_equal(r.commune->insee, "69383");
    assert_null(geo_result_find(&r, GEO_R_OVERRIDE));
    in = row("", "Lyon 3e", "");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_string_equal(r.commune->insee, "69383");
    geo_result_free(&r);
    geocode_free(g);
}

/* Writes `content` to the temporary overrides.csv and loads it. */
static ptce_status load_text(geocoder *g, const char *content)
{
    char path[128];
    snprintf(path, sizeof path, "%s/overrides.csv", g_dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    return geocode_load_overrides(g, path);
}

static void expect_error(geocoder *g, const char *content, const char *const *pieces)
{
    ptce_status st = load_text(g, content);
    const char *msg = ptce_ctx_error(g_ctx);
    if (st == PTCE_OK)
        print_message("accepted:\n%s\n", content);
    assert_int_equal(st, PTCE_ERR_INPUT);
    for (size_t i = 0; pieces[i]; i++) {
        if (!strstr(msg, pieces[i]))
            print_message("message « %s » lacks « %s »\n", msg, pieces[i]);
        assert_non_null(strstr(msg, pieces[i]));
    }
    assert_non_null(strstr(msg, "overrides.csv"));
}

static void bad_files_are_refused(void **state)
{
    (void)state;
    geocoder *g;
    assert_int_equal(geocode_new(g_ctx, &g_rd, &g), PTCE_OK);
    expect_error(g, "id;insee;latitude;longitude;note\nA;69123;;;\nB;99999;;;faute\n",
                 (const char *const[]){"ligne 3", "colonne « insee »", "99999", "inconnu", NULL});
    expect_error(g, "id;insee;latitude;longitude;note\nA;;abc;4.8;\n",
                 (const char *const[]){"ligne 2", "colonne « latitude »", "abc", NULL});
    expect_error(g, "id;insee;latitude;longitude;note\nA;;4.8 E;45.7 N;\n",
                 (const char *const[]){"ligne 2", "colonne « latitude »", "4.8 E", NULL});
    expect_error(g, "id;insee;latitude;longitude;note\nA;;45.7;;\n",
                 (const char *const[]){"ligne 2", "colonne « longitude »", NULL});
    expect_error(g, "id;insee;latitude;longitude;note\nA;;4.85;45.75;\n",
                 (const char *const[]){"ligne 2", "inversées", NULL});
    expect_error(g, "id;insee;latitude;longitude;note\nA;;6519824;842676;\n",
                 (const char *const[]){"ligne 2", "mètres", NULL});
    expect_error(g, "id;insee;latitude;longitude;note\nA;69123;;;\n\nA;13055;;;\n",
                 (const char *const[]){"ligne 4", "colonne « id »", "déjà corrigé ligne 2", NULL});
    expect_error(g, "id;insee;latitude;longitude;note\n;69123;;;\n",
                 (const char *const[]){"ligne 2", "colonne « id »", "vide", NULL});
    expect_error(g, "id;insee;latitude;longitude;note\nA;;;;rien\n",
                 (const char *const[]){"ligne 2", "ni code INSEE ni coordonnées", NULL});
    expect_error(g, "identifiant_ptce;commune\nA;Lyon\n",
                 (const char *const[]){"ligne 1", "« id »", NULL});
    expect_error(g, "id;note\nA;x\n", (const char *const[]){"ligne 1", "« insee »", NULL});
    expect_error(g, "id;insee;note\nA;6912;\n",
                 (const char *const[]){"ligne 2", "06912", "inconnu", NULL});
    expect_error(g, "id;insee;note\nA;XY;\n",
                 (const char *const[]){"ligne 2", "n'est pas un code INSEE", NULL});
    expect_error(g, "id;insee;note\nA;97501;\n",
                 (const char *const[]){"ligne 2", "hors des 18 régions", NULL});
    expect_error(g, "id;insee;note\nA;69123;\"pas fini\n",
                 (const char *const[]){"ligne 2", "guillemet", NULL});
    expect_error(g, "", (const char *const[]){"vide", NULL});
    assert_int_equal(geocode_load_overrides(g, "/nonexistent/overrides.csv"), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(g_ctx), "/nonexistent/overrides.csv"));
    assert_int_equal(geocode_overrides_count(g), 0);

    /* A good load, then a bad one: the good corrections stay. */
    assert_int_equal(load_text(g, "id;insee\nA;69123\n"), PTCE_OK);
    assert_int_equal(load_text(g, "id;insee\nA;99999\n"), PTCE_ERR_INPUT);
    assert_int_equal(geocode_overrides_count(g), 1);
    geo_result r = {0};
    geocode_input in = row("A", "", "");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_string_equal(r.commune->insee, "69123");
    geo_result_free(&r);
    geocode_free(g);
}

static void spreadsheet_exports_are_read(void **state)
{
    (void)state;
    geocoder *g;
    assert_int_equal(geocode_new(g_ctx, &g_rd, &g), PTCE_OK);
    /* UTF-8 with BOM, CRLF, columns in another order and with other names, blank lines. */
    assert_int_equal(load_text(g, "\xef\xbb\xbfNote;Code INSEE;ID\r\n\r\nvu;2a004;X1\r\n"),
                     PTCE_OK);
    geo_result r = {0};
    geocode_input in = row("X1", "", "");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_string_equal(r.commune->insee, "2A004");
    /* Coordinates written by hand: degrees-minutes-seconds with letters, no-break spaces. */
    assert_int_equal(load_text(g, "id;latitude;longitude\nX3;45°46'N;4°52'48\"E\n"
                                  "X4;\xC2\xA0" "45,77;4,88\xC2\xA0\n"),
                     PTCE_OK);
    in = row("X3", "", "");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_true(fabs(r.lat - (45 + 46 / 60.0)) < 1e-9 && fabs(r.lon - 4.88) < 1e-9);
    in = row("X4", "", "");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_true(fabs(r.lat - 45.77) < 1e-9 && fabs(r.lon - 4.88) < 1e-9);
    /* Windows-1252 (é = 0xE9) becomes UTF-8. */
    assert_int_equal(load_text(g, "id;insee;note\nX2;69123;d\xe9plac\xe9\n"), PTCE_OK);
    in = row("X2", "", "");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_non_null(geo_result_find(&r, GEO_R_OVERRIDE));
    assert_string_equal(geo_result_find(&r, GEO_R_OVERRIDE)->text[0], "déplacé");
    /* A corrected row whose INSEE cell holds a former code of the commune retained still
     * names that former commune (diff reports it as merged). */
    assert_int_equal(load_text(g, "id;insee\nF1;01165\n"), PTCE_OK);
    in = row("F1", "", "");
    in.insee = "01003";
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_string_equal(r.commune->insee, "01165");
    assert_non_null(r.former);
    assert_string_equal(r.former->code, "01003");
    in.insee = "01165";
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    assert_null(r.former);
    geo_result_free(&r);
    geocode_free(g);
}

/* A correction whose id no row carries is listed, with its line, once the rows are
 * geocoded; a used one is not. Loading again starts the count again. */
static void unused_corrections_are_listed(void **state)
{
    (void)state;
    geocoder *g;
    assert_int_equal(geocode_new(g_ctx, &g_rd, &g), PTCE_OK);
    size_t next = 0, line = 0;
    assert_null(geocode_unused_override(g, &next, &line)); /* no file: nothing */
    assert_int_equal(load_text(g, "id;insee\nA1;69123\n\nZ9;01053\nB2;29019\n"), PTCE_OK);
    geo_result r = {0};
    geocode_input in = row("A1", "", "");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    in = row(" B2 ", "", "");
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    in = row("C3", "Lyon", "69003"); /* a row without a correction */
    assert_int_equal(geocode_again(g, &in, &r), PTCE_OK);
    geo_result_free(&r);
    next = 0;
    const char *id = geocode_unused_override(g, &next, &line);
    assert_non_null(id);
    assert_string_equal(id, "Z9");
    assert_int_equal(line, 4);
    assert_null(geocode_unused_override(g, &next, &line));
    assert_int_equal(load_text(g, "id;insee\nA1;69123\n"), PTCE_OK);
    next = 0;
    id = geocode_unused_override(g, &next, &line);
    assert_non_null(id);
    assert_string_equal(id, "A1");
    assert_int_equal(line, 2);
    geocode_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(corrections_apply_first),
                                       cmocka_unit_test(bad_files_are_refused),
                                       cmocka_unit_test(spreadsheet_exports_are_read),
                                       cmocka_unit_test(unused_corrections_are_listed)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
