/*
 * Placement by polygon: the labelled coordinate cases (tests/data/coordinate-cases.csv,
 * written by scripts/make-coordinate-cases.py from the commune polygons with an
 * implementation of its own) must all pass:
 *  - a point inside a commune's polygon (drawn in every département, mostly rural
 *    communes) is placed in that commune, on the point given;
 *  - with the commune's INSEE code, the coordinates are its point even far from its town
 *    point (large communes), and they are doubted when they lie more than the tolerance
 *    outside its polygon, even close to its town point;
 *  - a point just off the outlines (a coast, a border) goes to the nearest commune, and is
 *    moved just inside it;
 *  - a point at sea or abroad is rejected.
 * Every point drawn lies inside its own commune's polygon. The speed of reverse placement is
 * printed (a measure, not a check: CI machines are shared).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "geocode/geocode.h"
#include "refdata/refdata.h"

enum {
    F_CATEGORY, F_ID, F_INSEE, F_CP, F_COMMUNE, F_DEP, F_ADRESSE, F_LAT, F_LON, F_X, F_Y,
    F_STATUS, F_EXPECTED, NFIELDS
};

static const char *const categories[] = {"interior_alone", "interior_stated", "outside_stated",
                                         "near_outline", "off_land", NULL};

static int category_index(const char *name)
{
    for (int i = 0; categories[i]; i++)
        if (strcmp(categories[i], name) == 0)
            return i;
    return -1;
}

/* What each category promises beyond the status and the commune; NULL when kept. */
static const char *extra_check(ptce_ctx *ctx, refdata *rd, int cat, const geo_result *r)
{
    if (r->status != GEO_MATCH)
        return NULL;
    double d = -1;
    if (refdata_commune_distance(ctx, rd, r->commune, r->lon, r->lat, &d) != PTCE_OK)
        return "polygons unreadable";
    if (d != 0)
        return "the point drawn lies outside its commune's polygon";
    switch (cat) {
    case 0: /* interior_alone */
    case 1: /* interior_stated */
    case 3: /* near_outline */
        if (r->type != GEO_TYPE_COORDINATES || strcmp(r->precision, "coordonnees") != 0)
            return "not placed on the coordinates";
        /* Off every outline, the place may be across a land border: drawn hollow. */
        if (r->accuracy != (cat == 3 ? GEO_ACCURACY_APPROXIMATE : GEO_ACCURACY_PLACE))
            return cat == 3 ? "a point off every outline drawn as the place itself"
                            : "a point inside its commune not drawn as the place";
        if (cat == 3 && !geo_result_find(r, GEO_R_POINT_NEAR_COMMUNE))
            return "no remark that the point is off every outline";
        if (cat == 0 && !geo_result_find(r, GEO_R_POINT_IN_COMMUNE))
            return "no remark that the commune comes from the point";
        return NULL;
    case 2: /* outside_stated */
        if (r->type == GEO_TYPE_COORDINATES)
            return "coordinates kept although outside the stated commune";
        if (!geo_result_find(r, GEO_R_COORD_FAR) && !geo_result_find(r, GEO_R_COORD_FAR_OTHER_DEP))
            return "coordinates not doubted";
        if (r->score > 0.8)
            return "score not lowered";
        return NULL;
    }
    return NULL;
}

/* "48°51'24.123\"N": degrees, minutes, seconds with a hemisphere letter. */
static void dms(double v, int latitude, char *out, size_t size)
{
    char letter = latitude ? (v < 0 ? 'S' : 'N') : (v < 0 ? 'O' : 'E');
    double a = fabs(v);
    int d = (int)a;
    double rest = (a - d) * 60;
    int m = (int)rest;
    double sec = (rest - m) * 60;
    if (sec >= 59.9995) { /* printed as 60.000 */
        sec = 0;
        if (++m == 60) {
            m = 0;
            d++;
        }
    }
    snprintf(out, size, "%d\xC2\xB0%d'%.3f\"%c", d, m, sec, letter);
}

/* An interior point written as spreadsheets and people write it: degrees, minutes,
 * seconds with letters; decimal degrees with letters in swapped columns; a decimal comma
 * with no-break spaces. Each must be placed in the same commune. */
static void written_otherwise(geocoder *g, const geocode_input *plain, const char *expected,
                              const char *id, int *tried, int *wrong)
{
    double lat, lon;
    geocode_axis ax;
    unsigned how;
    assert_true(geocode_read_coordinate(plain->latitude, &lat, &ax, &how));
    assert_true(geocode_read_coordinate(plain->longitude, &lon, &ax, &how));
    char a[3][64], b[3][64];
    dms(lat, 1, a[0], sizeof a[0]);
    dms(lon, 0, b[0], sizeof b[0]);
    snprintf(a[1], sizeof a[1], "%.6f %c", fabs(lon), lon < 0 ? 'W' : 'E');
    snprintf(b[1], sizeof b[1], "%.6f %c", fabs(lat), lat < 0 ? 'S' : 'N');
    snprintf(a[2], sizeof a[2], "\xC2\xA0%.6f\xE2\x80\xAF", lat);
    snprintf(b[2], sizeof b[2], "%.6f\xC2\xA0", lon);
    for (char *p = a[2]; *p; p++)
        *p = *p == '.' ? ',' : *p;
    for (char *p = b[2]; *p; p++)
        *p = *p == '.' ? ',' : *p;
    for (int k = 0; k < 3; k++) {
        geocode_input in = *plain;
        in.latitude = a[k];
        in.longitude = b[k];
        geo_result r;
        assert_int_equal(geocode_row(g, &in, &r), PTCE_OK);
        (*tried)++;
        int ok = r.status == GEO_MATCH && r.commune && strcmp(r.commune->insee, expected) == 0 &&
                 r.type == GEO_TYPE_COORDINATES && (k == 1) == !!geo_result_find(&r, GEO_R_LATLON_SWAPPED) &&
                 geo_result_find(&r, GEO_R_COORD_READ_AS);
        if (!ok) {
            (*wrong)++;
            print_message("%s [%s|%s]: %s %s\n", id, a[k], b[k], geo_status_name(r.status),
                          r.commune ? r.commune->insee : "");
        }
        geo_result_free(&r);
    }
}

static void coordinate_cases_pass(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    refdata rd;
    assert_int_equal(refdata_load(ctx, &rd), PTCE_OK);
    geocoder *g;
    assert_int_equal(geocode_new(ctx, &rd, &g), PTCE_OK);

    char path[4096];
    FILE *fp = fopen(test_data_path("coordinate-cases.csv", path, sizeof path), "r");
    assert_non_null(fp);
    char line[2048];
    assert_non_null(fgets(line, sizeof line, fp));
    static const char header[] = "category;id;insee;code_postal;commune;departement;adresse;"
                                 "latitude;longitude;x;y;expected_status;expected_insee";
    assert_true(strncmp(line, header, sizeof header - 1) == 0);
    int total[8] = {0}, passed[8] = {0}, ncases = 0;
    double alone_seconds = 0;
    int alone_rows = 0, rewritten = 0, rewritten_wrong = 0;
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
        int cat = category_index(f[F_CATEGORY]);
        assert_true(cat >= 0);
        geocode_input in = {.id = f[F_ID], .insee = f[F_INSEE], .postcode = f[F_CP],
                        .commune = f[F_COMMUNE], .departement = f[F_DEP], .address = f[F_ADRESSE],
                        .latitude = f[F_LAT], .longitude = f[F_LON], .x = f[F_X], .y = f[F_Y]};
        geo_result r;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(geocode_row(g, &in, &r), PTCE_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (cat == 0 && ncases > 0) { /* the first row pays for loading the polygons */
            alone_seconds += (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
            alone_rows++;
        }
        const char *got = r.commune ? r.commune->insee : "";
        const char *why = NULL;
        if (strcmp(geo_status_name(r.status), f[F_STATUS]) != 0)
            why = "status";
        else if (r.status == GEO_MATCH && strcmp(got, f[F_EXPECTED]) != 0)
            why = "commune";
        else
            why = extra_check(ctx, &rd, cat, &r);
        total[cat]++;
        passed[cat] += why == NULL;
        if (why)
            print_message("%s %s [%s|%s %s|%s %s]: expected %s %s, got %s %s (%s, %.2f): %s\n",
                          f[F_CATEGORY], f[F_ID], f[F_INSEE], f[F_LAT], f[F_LON], f[F_X], f[F_Y],
                          f[F_STATUS], f[F_EXPECTED], geo_status_name(r.status), got,
                          geo_type_name(r.type), r.score, why);
        geo_result_free(&r);
        ncases++;
        if (cat == 0 && f[F_LAT][0] && f[F_LON][0])
            written_otherwise(g, &in, f[F_EXPECTED], f[F_ID], &rewritten, &rewritten_wrong);
    }
    fclose(fp);
    print_message("%d interior points written otherwise (DMS, letters, swapped, spaces), %d "
                  "wrong\n", rewritten, rewritten_wrong);
    assert_true(rewritten > 500);
    assert_int_equal(rewritten_wrong, 0);
    assert_true(ncases >= 2000);
    int failed = 0;
    for (int i = 0; categories[i]; i++) {
        print_message("%-16s %4d/%-4d\n", categories[i], passed[i], total[i]);
        assert_true(total[i] >= 50);
        failed += total[i] - passed[i];
    }
    if (alone_rows > 0 && alone_seconds > 0)
        print_message("coordinates alone: %.0f rows/s (whole cascade, one core)\n",
                      alone_rows / alone_seconds);
    assert_int_equal(failed, 0);
    geocode_free(g);
    refdata_free(&rd);
    ptce_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(coordinate_cases_pass)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
