/*
 * Runs the labelled geocoding cases (tests/data/geocode-cases.csv, written by
 * scripts/make-geocode-cases.py from the reference data) and checks the pass rate of every
 * category: clean inputs at least 99.5 %, every messy category at least 95 %, the forms of
 * issue 10 (a country, a territory, a département or a postal code written in the commune
 * cell, "s/" and "s/s", "lez") and of census exports (former names of 2018, a code with a
 * part of its name, codes as spreadsheet numbers, coordinates in degrees-minutes-seconds or
 * with hemisphere letters, département names written otherwise) 100 %, no garbage or
 * foreign place ever placed, no homonym ever silently picked.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>

#include "geocode/geocode.h"
#include "remarks.h"
#include "refdata/refdata.h"

enum {
    F_CATEGORY, F_ID, F_INSEE, F_CP, F_COMMUNE, F_DEP, F_ADRESSE, F_LAT, F_LON, F_X, F_Y,
    F_STATUS, F_EXPECTED, NFIELDS
};

/* Categories that must pass whole. */
static const char *const strict_categories[] = {
    "country_suffix", "postcode_in_cell", "overseas_suffix", "departement_suffix", "sous_sur",
    "lez_les", "garbage_qualified", "former_2018_name", "insee_name_part", "code_number",
    "coords_dms_letters", "dep_name_variant", NULL};

static int is_strict(const char *category)
{
    for (size_t i = 0; strict_categories[i]; i++)
        if (strcmp(category, strict_categories[i]) == 0)
            return 1;
    return 0;
}

typedef struct tally {
    char name[32];
    int total, passed, placed;
} tally;

static tally *tally_of(tally *t, int *n, const char *name)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    assert_true(*n < 64);
    snprintf(t[*n].name, sizeof t[*n].name, "%s", name);
    return &t[(*n)++];
}

/* Checks beyond the status and the commune, for the categories that promise more. */
static int extra_check(const refdata *rd, const char *category, char **f, const geo_result *r)
{
    if (r->status != GEO_MATCH)
        return 1;
    if (strcmp(category, "coords_swapped") == 0) {
        /* The corrected pair is in the remark, and it is the point (unless it lay just
         * outside the commune's outline and was moved inside, which is said). */
        const geo_remark *m = geo_result_find(r, GEO_R_LATLON_SWAPPED);
        if (!m)
            return 0;
        int same = fabs(m->num[0] - r->lat) < 1e-9 && fabs(m->num[1] - r->lon) < 1e-9;
        return r->type == GEO_TYPE_COORDINATES && m->field == GEO_FIELD_LATITUDE &&
               (same || geo_result_find(r, GEO_R_POINT_PULLED_INSIDE));
    }
    if (strncmp(category, "coords_", 7) == 0 && strcmp(category, "coords_far_from_commune") != 0)
        return r->type == GEO_TYPE_COORDINATES && strcmp(r->precision, "coordonnees") == 0;
    if (strcmp(category, "coords_far_from_commune") == 0) {
        if (f[F_INSEE][0] || f[F_COMMUNE][0]) {
            const geo_remark *m = geo_result_find(r, GEO_R_COORD_FAR);
            if (!m)
                m = geo_result_find(r, GEO_R_COORD_FAR_OTHER_DEP);
            return r->type != GEO_TYPE_COORDINATES && m && m->commune[0] == r->commune &&
                   m->num[0] > 0 && r->score <= 0.8;
        }
        const geo_remark *m = geo_result_find(r, GEO_R_POINT_OUTSIDE_DEP);
        return m && m->dep == geocode_parse_departement(rd, f[F_DEP]) && r->score <= 0.6;
    }
    if (strcmp(category, "typo_with_cp") == 0 || strcmp(category, "typo_with_dep") == 0) {
        const geo_remark *m = geo_result_find(r, GEO_R_NAME_CORRECTED);
        return m && strcmp(m->text[0], f[F_COMMUNE]) == 0 && r->score < 1.0;
    }
    if (strcmp(category, "deleguee") == 0 || strcmp(category, "old_code") == 0) {
        /* Read through a former commune, said so, and kept as a field for diff. */
        const geo_remark *m = geo_result_find(r, GEO_R_FORMER_COMMUNE);
        if (!m)
            m = geo_result_find(r, GEO_R_INSEE_FORMER);
        return m && m->former && r->former == m->former && r->former->current == r->commune;
    }
    return 1;
}

static void labelled_cases_pass(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    refdata rd;
    assert_int_equal(refdata_load(ctx, &rd), PTCE_OK);
    geocoder *g;
    assert_int_equal(geocode_new(ctx, &rd, &g), PTCE_OK);

    char path[4096];
    FILE *fp = fopen(test_data_path("geocode-cases.csv", path, sizeof path), "r");
    assert_non_null(fp);
    char line[2048];
    assert_non_null(fgets(line, sizeof line, fp));
    static const char header[] = "category;id;insee;code_postal;commune;departement;adresse;"
                                 "latitude;longitude;x;y;expected_status;expected_insee";
    assert_true(strncmp(line, header, sizeof header - 1) == 0);
    static tally t[64];
    int nt = 0, ncases = 0, silent_homonyms = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *f[NFIELDS];
        char *p = line;
        for (int i = 0; i < NFIELDS; i++) {
            f[i] = p;
            p = strchr(p, ';');
            if (i < NFIELDS - 1) {
                assert_non_null(p);
                *p++ = '\0';
            }
        }
        geocode_input in = {.id = f[F_ID], .insee = f[F_INSEE], .postcode = f[F_CP],
                        .commune = f[F_COMMUNE], .departement = f[F_DEP], .address = f[F_ADRESSE],
                        .latitude = f[F_LAT], .longitude = f[F_LON], .x = f[F_X], .y = f[F_Y]};
        geo_result r;
        assert_int_equal(geocode_row(g, &in, &r), PTCE_OK);
        const char *got = r.commune ? r.commune->insee : "";
        int ok = strcmp(geo_status_name(r.status), f[F_STATUS]) == 0 &&
                 (r.status != GEO_MATCH || strcmp(got, f[F_EXPECTED]) == 0) &&
                 extra_check(&rd, f[F_CATEGORY], f, &r);
        tally *c = tally_of(t, &nt, f[F_CATEGORY]);
        c->total++;
        c->passed += ok;
        c->placed += r.status == GEO_MATCH;
        if (strcmp(f[F_STATUS], "ambiguous") == 0 && r.status == GEO_MATCH)
            silent_homonyms++;
        if (!ok)
            print_message("%s %s [%s|%s|%s|%s|%s|%s|%s %s|%s %s]: expected %s %s, got %s %s "
                          "(%s, %.2f) %s\n",
                          f[F_CATEGORY], f[F_ID], f[F_INSEE], f[F_CP], f[F_COMMUNE], f[F_DEP],
                          f[F_ADRESSE], "", f[F_LAT], f[F_LON], f[F_X], f[F_Y], f[F_STATUS],
                          f[F_EXPECTED], geo_status_name(r.status), got, geo_type_name(r.type),
                          r.score, remark_ids(&r));
        geo_result_free(&r);
        ncases++;
    }
    fclose(fp);
    assert_true(ncases >= 300);

    int clean_total = 0, clean_passed = 0, failed_categories = 0;
    for (int i = 0; i < nt; i++) {
        double rate = 100.0 * t[i].passed / t[i].total;
        print_message("%-26s %4d/%-4d %6.1f %%\n", t[i].name, t[i].passed, t[i].total, rate);
        if (strncmp(t[i].name, "clean_", 6) == 0) {
            clean_total += t[i].total;
            clean_passed += t[i].passed;
        } else if (rate < (is_strict(t[i].name) ? 100.0 : 95.0)) {
            print_message("  -> below %s %%\n", is_strict(t[i].name) ? "100" : "95");
            failed_categories++;
        }
        if (strncmp(t[i].name, "garbage", 7) == 0 || strcmp(t[i].name, "foreign") == 0) {
            if (t[i].placed)
                print_message("  -> %d %s rows placed\n", t[i].placed, t[i].name);
            assert_int_equal(t[i].placed, 0);
        }
    }
    assert_true(clean_total > 0);
    double clean_rate = 100.0 * clean_passed / clean_total;
    print_message("clean inputs: %d/%d (%.2f %%)\n", clean_passed, clean_total, clean_rate);
    assert_int_equal(silent_homonyms, 0);
    assert_true(clean_rate >= 99.5);
    assert_int_equal(failed_categories, 0);
    for (size_t i = 0; strict_categories[i]; i++) {
        int found = 0;
        for (int k = 0; k < nt; k++)
            found |= strcmp(t[k].name, strict_categories[i]) == 0 && t[k].total >= 30;
        if (!found)
            print_message("category %s missing or too small\n", strict_categories[i]);
        assert_true(found);
    }

    geocode_free(g);
    refdata_free(&rd);
    ptce_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(labelled_cases_pass)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
