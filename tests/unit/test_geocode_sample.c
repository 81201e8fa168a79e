/*
 * Geocodes the bundled sample census and compares every row with its hand-written truth
 * (tests/data/sample-truth.csv): the right commune, the right status, no wrong placement.
 */
#include "testutil.h"

#include <stdio.h>

#include "census/census.h"
#include "geocode/geocode.h"
#include "remarks.h"
#include "refdata/refdata.h"

typedef struct truth {
    size_t line;
    char insee[8];
    char status[16];
    char mess[32];
} truth;

static size_t read_truth(truth *out, size_t max)
{
    char path[4096];
    FILE *f = fopen(test_data_path("sample-truth.csv", path, sizeof path), "r");
    assert_non_null(f);
    char line[512];
    size_t n = 0;
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f) && n < max) {
        /* line,id,expected_insee,expected_status,expected_sector,mess */
        char *fields[6] = {0};
        char *p = line;
        for (int i = 0; i < 6; i++) {
            fields[i] = p;
            p = strchr(p, ',');
            if (!p)
                break;
            *p++ = '\0';
        }
        assert_non_null(fields[5]);
        fields[5][strcspn(fields[5], "\r\n")] = '\0';
        out[n].line = strtoul(fields[0], NULL, 10);
        snprintf(out[n].insee, sizeof out[n].insee, "%s", fields[2]);
        snprintf(out[n].status, sizeof out[n].status, "%s", fields[3]);
        snprintf(out[n].mess, sizeof out[n].mess, "%s", fields[5]);
        n++;
    }
    fclose(f);
    return n;
}

static void sample_rows_land_on_their_commune(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    refdata rd;
    assert_int_equal(refdata_load(ctx, &rd), PTCE_OK);
    census c;
    char path[4096];
    snprintf(path, sizeof path, "%s/sample/census-sample.csv", getenv("PTCE_MAP_DATA"));
    assert_int_equal(census_read(ctx, path, NULL, &c), PTCE_OK);
    static truth t[1000];
    size_t nt = read_truth(t, 1000);
    assert_int_equal(nt, c.nrecords);
    geocoder *g;
    assert_int_equal(geocode_new(ctx, &rd, &g), PTCE_OK);
    size_t wrong = 0, right = 0;
    for (size_t i = 0; i < c.nrecords; i++) {
        const census_record *r = &c.records[i];
        assert_int_equal(r->line, t[i].line);
        geocode_input in = {
            .id = census_value(&c, r, CENSUS_ROLE_ID), .insee = census_value(&c, r, CENSUS_ROLE_INSEE),
            .postcode = census_value(&c, r, CENSUS_ROLE_CODE_POSTAL),
            .commune = census_value(&c, r, CENSUS_ROLE_COMMUNE),
            .departement = census_value(&c, r, CENSUS_ROLE_DEPARTEMENT),
            .address = census_value(&c, r, CENSUS_ROLE_ADRESSE),
            .latitude = census_value(&c, r, CENSUS_ROLE_LATITUDE),
            .longitude = census_value(&c, r, CENSUS_ROLE_LONGITUDE), .x = "", .y = ""};
        geo_result res;
        assert_int_equal(geocode_row(g, &in, &res), PTCE_OK);
        const char *got = res.commune ? res.commune->insee : "";
        int ok = strcmp(geo_status_name(res.status), t[i].status) == 0 &&
                 (res.status != GEO_MATCH || strcmp(got, t[i].insee) == 0);
        if (ok) {
            right++;
        } else {
            wrong++;
            print_message("line %zu [%s]: expected %s %s, got %s %s (%s)\n", t[i].line, t[i].mess,
                          t[i].status, t[i].insee, geo_status_name(res.status), got,
                          remark_ids(&res));
        }
        geo_result_free(&res);
    }
    print_message("sample: %zu/%zu rows as expected\n", right, c.nrecords);
    assert_int_equal(wrong, 0);
    geocode_free(g);
    census_free(&c);
    refdata_free(&rd);
    ptce_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(sample_rows_land_on_their_commune)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
