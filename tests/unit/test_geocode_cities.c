/*
 * Paris, Lyon, Marseille written as real censuses write them: the city's name and a postal
 * code. Every postal code of the three cities must place the row in that city (on the
 * arrondissement the code names when it names one, else on the city itself), never leave
 * it ambiguous between arrondissements of one city.
 * And the overseas collectivities outside the 18 regions (Saint-Martin, Saint-Barthélemy,
 * Saint-Pierre-et-Miquelon, the Pacific) as exports write them, by postal code or by name
 * without an INSEE code: refused with that reason, never placed in Guadeloupe nor called
 * unknown. And a name that no commune of the stated postal code bears, even nearly: the
 * postal code's own communes are searched first (by first words: "Saint-Martin" + 17410 is
 * Saint-Martin-de-Ré), and a near name found only elsewhere in the département is never
 * taken for the place (it was once 70 km away).
 */
#include "testutil.h"

#include <stdio.h>

#include "geocode/geocode.h"
#include "remarks.h"
#include "refdata/refdata.h"

typedef struct city {
    const char *name, *insee;
    int first, last; /* postal codes first..last */
} city;

/* Geocodes a row that gives only a commune name and a postal code, as exports do. */
static void geocode_name_cp(geocoder *g, const char *name, const char *postcode,
                            geo_result *res)
{
    geocode_input in = {.id = "", .insee = "", .postcode = postcode, .commune = name,
                        .departement = "", .address = "", .latitude = "", .longitude = "",
                        .x = "", .y = ""};
    assert_int_equal(geocode_row(g, &in, res), PTCE_OK);
}

static int in_city(const refdata *rd, const commune *m, const char *insee)
{
    (void)rd;
    return m && (strcmp(m->insee, insee) == 0 || strcmp(m->parent, insee) == 0);
}

static void city_name_and_postcode_is_placed_in_the_city(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    refdata rd;
    assert_int_equal(refdata_load(ctx, &rd), PTCE_OK);
    geocoder *g;
    assert_int_equal(geocode_new(ctx, &rd, &g), PTCE_OK);
    static const city cities[] = {{"Paris", "75056", 75001, 75020},
                                  {"PARIS", "75056", 75116, 75116},
                                  {"Lyon", "69123", 69001, 69009},
                                  {"Marseille", "13055", 13001, 13016},
                                  {"MARSEILLE", "13055", 13001, 13016}};
    size_t tried = 0, wrong = 0, on_city = 0;
    for (size_t k = 0; k < sizeof cities / sizeof cities[0]; k++) {
        for (int pc = cities[k].first; pc <= cities[k].last; pc++) {
            char code[8];
            snprintf(code, sizeof code, "%05d", pc);
            geo_result res;
            geocode_name_cp(g, cities[k].name, code, &res);
            tried++;
            if (res.status != GEO_MATCH || !in_city(&rd, res.commune, cities[k].insee)) {
                wrong++;
                print_message("%s %s: %s %s (%s)\n", cities[k].name, code,
                              geo_status_name(res.status), res.commune ? res.commune->insee : "",
                              remark_ids(&res));
            } else if (strcmp(res.commune->insee, cities[k].insee) == 0) {
                /* Placed on the city: only because the code serves several arrondissements,
                 * which the remark says. */
                on_city++;
                assert_true(remark_count(&res, GEO_R_ARRONDISSEMENT_UNDETERMINED) > 0);
            }
            geo_result_free(&res);
        }
    }
    print_message("%zu postal codes, %zu placed on the city itself\n", tried, on_city);
    assert_int_equal(wrong, 0);
    geocode_free(g);
    refdata_free(&rd);
    ptce_ctx_free(ctx);
}

/* A name and a postal code that two different cities' arrondissements would share do not
 * exist; but two arrondissements of one city with a postal code of ANOTHER city stay
 * unplaced: the collapse to the city needs the postal code to be the city's. */
static void other_city_postcode_is_not_collapsed(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    refdata rd;
    assert_int_equal(refdata_load(ctx, &rd), PTCE_OK);
    geocoder *g;
    assert_int_equal(geocode_new(ctx, &rd, &g), PTCE_OK);
    geo_result res;
    geocode_name_cp(g, "Marseille", "69003", &res);
    assert_false(remark_count(&res, GEO_R_ARRONDISSEMENT_UNDETERMINED) > 0);
    assert_false(res.status == GEO_MATCH && res.commune && strcmp(res.commune->dep, "69") == 0);
    geo_result_free(&res);
    geocode_free(g);
    refdata_free(&rd);
    ptce_ctx_free(ctx);
}

static void collectivities_by_postcode_or_name_are_outside(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    refdata rd;
    assert_int_equal(refdata_load(ctx, &rd), PTCE_OK);
    geocoder *g;
    assert_int_equal(geocode_new(ctx, &rd, &g), PTCE_OK);
    static const struct {
        const char *commune, *postcode, *collectivity;
    } rows[] = {
        {"Saint-Martin", "97150", "978"}, {"", "97150", "978"},
        {"Saint-Barthélemy", "97133", "977"}, {"Gustavia", "97133", "977"},
        {"Saint-Pierre", "97500", "975"}, {"MIQUELON-LANGLADE", "", "975"},
        {"Saint-Pierre-et-Miquelon", "", "975"}, {"Wallis-et-Futuna", "", "986"},
        {"Papeete", "98714", "987"}, {"Nouméa", "98800", "988"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        geo_result res;
        geocode_name_cp(g, rows[i].commune, rows[i].postcode, &res);
        const geo_remark *m = NULL;
        for (size_t k = 0; k < res.nremarks; k++)
            if (res.remarks[k].code == GEO_R_OUTSIDE_COLLECTIVITY)
                m = &res.remarks[k];
        if (res.status != GEO_REJECT || !m || remark_count(&res, GEO_R_POSTCODE_UNKNOWN))
            print_message("%s %s: %s (%s)\n", rows[i].commune, rows[i].postcode,
                          geo_status_name(res.status), remark_ids(&res));
        assert_int_equal(res.status, GEO_REJECT);
        assert_non_null(m);
        assert_string_equal(m->text[2], rows[i].collectivity);
        assert_int_equal(remark_count(&res, GEO_R_POSTCODE_UNKNOWN), 0);
        geo_result_free(&res);
    }
    /* Guadeloupe's own codes and Réunion's Saint-Pierre stay in their départements. */
    static const struct {
        const char *commune, *postcode, *insee;
    } kept[] = {{"Pointe-à-Pitre", "97110", "97120"}, {"Saint-Pierre", "97410", "97416"},
                {"Saint-Martin", "05260", ""}};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        geo_result res;
        geocode_name_cp(g, kept[i].commune, kept[i].postcode, &res);
        assert_int_equal(remark_count(&res, GEO_R_OUTSIDE_COLLECTIVITY), 0);
        if (kept[i].insee[0]) {
            assert_int_equal(res.status, GEO_MATCH);
            assert_string_equal(res.commune->insee, kept[i].insee);
        }
        geo_result_free(&res);
    }
    geocode_free(g);
    refdata_free(&rd);
    ptce_ctx_free(ctx);
}

static void near_name_outside_the_postcode_is_not_placed(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    refdata rd;
    assert_int_equal(refdata_load(ctx, &rd), PTCE_OK);
    geocoder *g;
    assert_int_equal(geocode_new(ctx, &rd, &g), PTCE_OK);
    static const struct {
        const char *commune, *postcode, *insee; /* "" insee: not placed */
    } rows[] = {
        {"Saint-Martin", "17410", "17369"}, {"St Martin", "17410", "17369"},
        {"Saint-Servan", "35400", ""}, /* a former commune of Saint-Malo (1967) */
        {"Saint-Clment-des-Baleines", "17590", "17318"}, /* one typo, inside the postal code */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        geo_result res;
        geocode_name_cp(g, rows[i].commune, rows[i].postcode, &res);
        print_message("%s %s: %s %s (%s)\n", rows[i].commune, rows[i].postcode,
                      geo_status_name(res.status), res.commune ? res.commune->insee : "",
                      remark_ids(&res));
        if (rows[i].insee[0]) {
            assert_int_equal(res.status, GEO_MATCH);
            assert_string_equal(res.commune->insee, rows[i].insee);
        } else {
            assert_int_not_equal(res.status, GEO_MATCH);
            assert_int_equal(remark_count(&res, GEO_R_NEAR_NAME_OUTSIDE_POSTCODE), 1);
        }
        geo_result_free(&res);
    }
    geocode_free(g);
    refdata_free(&rd);
    ptce_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(city_name_and_postcode_is_placed_in_the_city),
        cmocka_unit_test(other_city_postcode_is_not_collapsed),
        cmocka_unit_test(collectivities_by_postcode_or_name_are_outside),
        cmocka_unit_test(near_name_outside_the_postcode_is_not_placed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
