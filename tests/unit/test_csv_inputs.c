/*
 * tests/unit/test_csv_inputs.c — the corrections (--overrides) and the BAN files (--ban)
 * read through the one CSV reader: a separator inside a quoted cell stays in its cell, CRLF
 * and a BOM are read, and a cell too long for its purpose is refused with its line and
 * column instead of being cut (the groups file is checked in test_aggregate.c, the census
 * in test_census.c, the reader itself in test_csvfile.c).
 */
#include "testutil.h"

#include <stdio.h>
#include <unistd.h>

#include "geocode/geocode.h"
#include "refdata_fixture.h"

static const char *write_temp(const char *content, char *path, size_t size)
{
    snprintf(path, size, "/tmp/ptce-csv-inputs-%ld.csv", (long)getpid());
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    return path;
}

static geo_result geocode_id(geocoder *g, const char *id)
{
    geocode_input in = {.id = id, .insee = "", .postcode = "", .commune = "", .departement = "",
                    .address = "", .latitude = "", .longitude = "", .x = "", .y = ""};
    geo_result r;
    assert_int_equal(geocode_row(g, &in, &r), PTCE_OK);
    return r;
}

static void overrides_keep_quoted_separators(void **state)
{
    (void)state;
    geocoder *g;
    assert_int_equal(geocode_new(ctx, &rd, &g), PTCE_OK);
    char path[64];
    write_temp("\xEF\xBB\xBFid;insee;note\r\n\"A;1\";69123;\"vu; confirmé\"\r\nB;13055;\r\n",
               path, sizeof path);
    assert_int_equal(geocode_load_overrides(g, path), PTCE_OK);
    assert_int_equal(geocode_overrides_count(g), 2);
    geo_result r = geocode_id(g, "A;1");
    assert_int_equal(r.status, GEO_MATCH);
    assert_string_equal(r.commune->insee, "69123");
    geo_result_free(&r);
    r = geocode_id(g, "B");
    assert_string_equal(r.commune->insee, "13055");
    geo_result_free(&r);
    unlink(path);
    geocode_free(g);
}

static void overrides_refuse_long_cells(void **state)
{
    (void)state;
    geocoder *g;
    assert_int_equal(geocode_new(ctx, &rd, &g), PTCE_OK);
    /* A note of 600 bytes: it used to be cut at 511 without a word. */
    char content[1024], note[601], path[64];
    memset(note, 'n', 600);
    note[600] = '\0';
    snprintf(content, sizeof content, "id;insee;note\nA;69123;ok\nB;13055;%s\n", note);
    write_temp(content, path, sizeof path);
    assert_int_equal(geocode_load_overrides(g, path), PTCE_ERR_INPUT);
    const char *msg = ptce_ctx_error(ctx);
    assert_non_null(strstr(msg, path));
    assert_non_null(strstr(msg, "ligne 3, colonne 3 (« note »)"));
    assert_non_null(strstr(msg, "600 octets"));
    assert_int_equal(geocode_overrides_count(g), 0);
    unlink(path);
    geocode_free(g);
}

#define BAN_HEADER "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;lon;lat\r\n"

static void ban_keeps_quoted_separators(void **state)
{
    (void)state;
    geocoder *g;
    assert_int_equal(geocode_new(ctx, &rd, &g), PTCE_OK);
    char path[64];
    /* The second street name holds the separator: a split on every ';' would shift its
     * columns and lose the row. */
    write_temp(BAN_HEADER
               "a1;x;12;;Rue Duguesclin;69006;69386;Lyon 6e;4.8480;45.7680\r\n"
               "a2;x;3;bis;\"Rue de la Paix; Résidence\";69006;69386;Lyon 6e;4.8490;45.7690\r\n",
               path, sizeof path);
    const char *paths[] = {path};
    assert_int_equal(geocode_load_ban(g, paths, 1), PTCE_OK);
    assert_int_equal(geocode_ban_count(g), 2);
    unlink(path);
    geocode_free(g);
}

static void ban_refuses_what_it_cannot_read(void **state)
{
    (void)state;
    geocoder *g;
    assert_int_equal(geocode_new(ctx, &rd, &g), PTCE_OK);
    char content[4096], voie[1501], path[64];
    memset(voie, 'v', 1500);
    voie[1500] = '\0';
    snprintf(content, sizeof content, BAN_HEADER "a1;x;1;;%s;69006;69386;Lyon;4.84;45.76\r\n",
             voie);
    write_temp(content, path, sizeof path);
    const char *paths[] = {path};
    assert_int_equal(geocode_load_ban(g, paths, 1), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(ctx), "ligne 2, colonne 5"));
    /* Not UTF-8 (the BAN is published in UTF-8). */
    write_temp(BAN_HEADER "a1;x;1;;Rue de l'\xC9glise;69006;69386;Lyon;4.84;45.76\r\n", path,
               sizeof path);
    assert_int_equal(geocode_load_ban(g, paths, 1), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(ctx), "ligne 2, colonne 5"));
    assert_non_null(strstr(ptce_ctx_error(ctx), "UTF-8"));
    assert_int_equal(geocode_ban_count(g), 0);
    unlink(path);
    geocode_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(overrides_keep_quoted_separators),
        cmocka_unit_test(overrides_refuse_long_cells),
        cmocka_unit_test(ban_keeps_quoted_separators),
        cmocka_unit_test(ban_refuses_what_it_cannot_read),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
