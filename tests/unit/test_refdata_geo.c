/*
 * Invariants of the IGN geography in data/ (commune polygons and points, départements,
 * regions, EPCI) and of the reverse lookup refdata_locate().
 */
#include "testutil.h"

#include <math.h>
#include <stdint.h>

#include "refdata/geomcodec.h"
#include "refdata/refdata.h"
#include "refdata/shapes.h"

#include "refdata_fixture.h"

#define PI 3.14159265358979323846

static double area_of(const GEOSGeometry *g)
{
    double a = 0;
    GEOSArea_r(ctx->geos, g, &a);
    return a;
}

static int covers_xy(const GEOSGeometry *g, double x, double y)
{
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx->geos, x, y);
    int in = GEOSCovers_r(ctx->geos, g, pt) == 1;
    GEOSGeom_destroy_r(ctx->geos, pt);
    return in;
}

/* The storage encoding gives back exactly what it was given (on the 1e-5 grid), holes and
 * parts included, and refuses text outside its grammar. */
static void geometry_encoding_round_trips_and_refuses_garbage(void **state)
{
    (void)state;
    GEOSContextHandle_t h = ctx->geos;
    GEOSWKTReader *r = GEOSWKTReader_create_r(h);
    GEOSGeometry *g = GEOSWKTReader_read_r(h, r, "MULTIPOLYGON(((2.1 48.5,2.3 48.5,2.3 48.7,"
                                                 "2.1 48.7,2.1 48.5),(2.15 48.55,2.15 48.6,2.2 "
                                                 "48.6,2.15 48.55)),((-61.00001 16.2,-60.9 16.2,"
                                                 "-60.9 16.3,-61.00001 16.2)))");
    GEOSWKTReader_destroy_r(h, r);
    char *text = geomcodec_encode(h, g);
    assert_non_null(text);
    assert_non_null(strchr(text, '|'));
    assert_non_null(strchr(text, ';'));
    GEOSGeometry *back = geomcodec_decode(h, text, strlen(text));
    assert_non_null(back);
    assert_int_equal(GEOSEqualsExact_r(h, g, back, 1e-9), 1);
    GEOSGeom_destroy_r(h, back);
    GEOSGeom_destroy_r(h, g);
    free(text);
    const char *bad[] = {"", "1,2", "1,2 3,4", "1,2 3,4 5", "1,2 3,4 5,6 x", "1,2 3,4 5,6|",
                         "1,2 3,4 5,6;", "1;2 3,4 5,6", "1,2  3,4 5,6", "-,2 3,4 5,6",
                         "99999999999999,2 3,4 5,6"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_null(geomcodec_decode(h, bad[i], strlen(bad[i])));
    GEOSGeometry *ok = geomcodec_decode(h, "1,2 3,4 5,6", 11);
    assert_non_null(ok);
    GEOSGeom_destroy_r(h, ok);
}

/* Reading the tables never reads a commune polygon: only a reverse lookup does. */
static void commune_polygons_are_loaded_on_first_lookup_only(void **state)
{
    (void)state;
    refdata fresh;
    assert_int_equal(refdata_load(ctx, &fresh), PTCE_OK);
    assert_null(fresh.shapes);
    assert_non_null(refdata_departement_geom(ctx, &fresh, &fresh.deps[0]));
    assert_null(fresh.shapes);
    refdata_locate_result r;
    assert_int_equal(refdata_locate(ctx, &fresh, 2.35, 48.85, 0, &r), PTCE_OK);
    assert_non_null(fresh.shapes);
    assert_int_equal(r.status, REFDATA_LOCATE_INSIDE);
    assert_string_equal(r.commune->insee, "75056");
    /* Only the départements whose box holds the point are read (Paris and the boxes of
     * the Île-de-France around it), ... */
    size_t near_paris = refdata_shapes_departements_read(&fresh);
    print_message("départements read for a point in Paris: %zu of %zu\n", near_paris,
                  fresh.ndeps);
    assert_true(near_paris >= 1 && near_paris <= 12);
    /* ... a point in Finistère adds its own, ... */
    assert_int_equal(refdata_locate(ctx, &fresh, -4.4861, 48.3904, 0, &r), PTCE_OK);
    assert_int_equal(r.status, REFDATA_LOCATE_INSIDE);
    assert_string_equal(r.commune->insee, "29019");
    assert_true(refdata_shapes_departements_read(&fresh) > near_paris);
    assert_true(refdata_shapes_departements_read(&fresh) <= near_paris + 3);
    /* ... and one in mid-Atlantic, whose nearest commune is beyond 200 km, reads them all. */
    assert_int_equal(refdata_locate(ctx, &fresh, -30.0, 45.0, 1000, &r), PTCE_OK);
    assert_int_equal(r.status, REFDATA_LOCATE_NONE);
    assert_non_null(r.commune);
    assert_int_equal(refdata_shapes_departements_read(&fresh), fresh.ndeps);
    /* Released once placing is done (build), they are read again by a later lookup, with
     * the same answers: only what that lookup needs. */
    refdata_release_polygons(&fresh);
    assert_null(fresh.shapes);
    assert_int_equal(refdata_shapes_departements_read(&fresh), 0);
    assert_int_equal(refdata_locate(ctx, &fresh, -4.4861, 48.3904, 0, &r), PTCE_OK);
    assert_int_equal(r.status, REFDATA_LOCATE_INSIDE);
    assert_string_equal(r.commune->insee, "29019");
    assert_true(refdata_shapes_departements_read(&fresh) >= 1);
    assert_true(refdata_shapes_departements_read(&fresh) <= 4);
    refdata_release_polygons(&fresh); /* twice is harmless */
    refdata_free(&fresh);
}

/* Every commune has its own valid polygon, or is an arrondissement or a re-created commune
 * whose stand-in polygon is named and whose point class says so. */
static void every_commune_has_a_polygon_or_a_flagged_fallback(void **state)
{
    (void)state;
    size_t own = 0, arm = 0, recreated = 0;
    for (size_t i = 0; i < rd.ncommunes; i++) {
        const commune *m = &rd.communes[i];
        const GEOSGeometry *g = refdata_commune_geom(ctx, &rd, m);
        assert_non_null(g);
        if (strcmp(m->contour, m->insee) == 0) {
            own++;
            assert_int_equal(m->kind, REFDATA_COMMUNE_CURRENT);
            assert_true(m->precision <= REFDATA_POINT_INTERIOR);
            assert_int_equal(GEOSisValid_r(ctx->geos, g), 1);
            assert_true(area_of(g) > 0);
        } else if (m->kind == REFDATA_COMMUNE_ARRONDISSEMENT) {
            arm++;
            assert_int_equal(m->precision, REFDATA_POINT_PARENT);
            assert_string_equal(m->contour, m->parent);
        } else {
            recreated++;
            assert_int_equal(m->precision, REFDATA_POINT_RECREATED);
            const commune *holder = refdata_commune(&rd, m->contour);
            assert_non_null(holder);
            assert_string_equal(holder->contour, holder->insee);
            assert_string_equal(holder->dep, m->dep);
        }
    }
    assert_int_equal(own + recreated, 34875);
    assert_int_equal(arm, 45);
    assert_true(recreated <= 11); /* SOURCE.md: at most 11 re-created since 2018 */
}

/* Every commune's point lies inside the polygon that stands for it, and inside its
 * département's polygon. */
static void every_point_lies_in_its_own_polygon(void **state)
{
    (void)state;
    GEOSContextHandle_t h = ctx->geos;
    const GEOSPreparedGeometry **dep = calloc(rd.ndeps, sizeof *dep);
    for (size_t k = 0; k < rd.ndeps; k++)
        dep[k] = GEOSPrepare_r(h, refdata_departement_geom(ctx, &rd, &rd.deps[k]));
    size_t outside_dep = 0;
    for (size_t i = 0; i < rd.ncommunes; i++) {
        const commune *m = &rd.communes[i];
        double d = -1;
        assert_int_equal(refdata_commune_distance(ctx, &rd, m, m->lon, m->lat, &d), PTCE_OK);
        if (d != 0)
            print_message("%s %s: point %.5f %.5f is %.0f m outside\n", m->insee, m->nom,
                          m->lon, m->lat, d);
        assert_true(d == 0);
        size_t k = (size_t)(refdata_departement(&rd, m->dep) - rd.deps);
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, m->lon, m->lat);
        if (GEOSPreparedCovers_r(h, dep[k], pt) != 1) {
            outside_dep++;
            print_message("%s %s: point outside département %s\n", m->insee, m->nom, m->dep);
        }
        GEOSGeom_destroy_r(h, pt);
    }
    for (size_t k = 0; k < rd.ndeps; k++)
        GEOSPreparedGeom_destroy_r(h, dep[k]);
    free(dep);
    assert_int_equal(outside_dep, 0);
}

/* A département is the union of its communes (cleaned into a coverage: within 0.1 %). */
static void departements_are_unions_of_their_communes(void **state)
{
    (void)state;
    GEOSContextHandle_t h = ctx->geos;
    for (size_t k = 0; k < rd.ndeps; k++) {
        const GEOSGeometry *g = refdata_departement_geom(ctx, &rd, &rd.deps[k]);
        assert_non_null(g);
        assert_int_equal(GEOSisValid_r(h, g), 1);
        double sum = 0;
        for (size_t i = 0; i < rd.ncommunes; i++) {
            const commune *m = &rd.communes[i];
            if (strcmp(m->dep, rd.deps[k].code) == 0 && strcmp(m->contour, m->insee) == 0)
                sum += area_of(refdata_commune_geom(ctx, &rd, m));
        }
        assert_true(fabs(area_of(g) - sum) / sum < 1e-3);
    }
}

/* A region is exactly the union of its départements: its area is the sum of theirs (they
 * do not overlap: see the coverage test), and each département's interior point is in its
 * region and in no other. */
static void regions_are_exact_unions_of_their_departements(void **state)
{
    (void)state;
    GEOSContextHandle_t h = ctx->geos;
    for (size_t r = 0; r < rd.nregions; r++) {
        const GEOSGeometry *g = refdata_region_geom(ctx, &rd, &rd.regions[r]);
        assert_int_equal(GEOSisValid_r(h, g), 1);
        double sum = 0;
        for (size_t i = 0; i < rd.ndeps; i++)
            if (strcmp(rd.deps[i].reg, rd.regions[r].code) == 0)
                sum += area_of(refdata_departement_geom(ctx, &rd, &rd.deps[i]));
        assert_true(fabs(area_of(g) - sum) / sum < 1e-6);
    }
    for (size_t i = 0; i < rd.ndeps; i++) {
        GEOSGeometry *pt = GEOSPointOnSurface_r(h, refdata_departement_geom(ctx, &rd, &rd.deps[i]));
        for (size_t r = 0; r < rd.nregions; r++)
            assert_int_equal(GEOSCovers_r(h, refdata_region_geom(ctx, &rd, &rd.regions[r]), pt),
                             strcmp(rd.deps[i].reg, rd.regions[r].code) == 0);
        GEOSGeom_destroy_r(h, pt);
    }
}

/* The départements are a coverage: no overlap (areas add up to their union's) and no gap
 * (the union's holes are all real: larger than 1e-4 square degree, ~0.8 km²). Checked on
 * the web variants (the full polygons are cleaned the same way, and unioning them all
 * costs seconds): what is checked is that simplifying kept shared borders shared. */
static void check_coverage(const GEOSGeometry *(*get)(ptce_ctx *, refdata *, departement *))
{
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry **parts = calloc(rd.ndeps, sizeof *parts);
    double sum = 0;
    for (size_t i = 0; i < rd.ndeps; i++) {
        const GEOSGeometry *g = get(ctx, &rd, &rd.deps[i]);
        assert_non_null(g);
        assert_int_equal(GEOSisValid_r(h, g), 1);
        sum += area_of(g);
        parts[i] = GEOSGeom_clone_r(h, g);
    }
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts,
                                                     (unsigned)rd.ndeps);
    free(parts);
    GEOSGeometry *u = GEOSUnaryUnion_r(h, coll);
    assert_true(fabs(area_of(u) - sum) / sum < 1e-6);
    size_t small_holes = 0;
    for (int i = 0; i < GEOSGetNumGeometries_r(h, u); i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, u, i);
        for (int k = 0; k < GEOSGetNumInteriorRings_r(h, p); k++) {
            GEOSGeometry *ring = GEOSGeom_createPolygon_r(
                h, GEOSGeom_clone_r(h, GEOSGetInteriorRingN_r(h, p, k)), NULL, 0);
            if (area_of(ring) < 1e-4) {
                small_holes++;
                GEOSGeometry *c = GEOSPointOnSurface_r(h, ring);
                double x = 0, y = 0;
                GEOSGeomGetX_r(h, c, &x);
                GEOSGeomGetY_r(h, c, &y);
                GEOSGeom_destroy_r(h, c);
                print_message("small hole of %.2g sq° at %.5f %.5f\n", area_of(ring), x, y);
            }
            GEOSGeom_destroy_r(h, ring);
        }
    }
    assert_int_equal(small_holes, 0);
    GEOSGeom_destroy_r(h, u);
    GEOSGeom_destroy_r(h, coll);
}

static void departements_are_a_coverage_full_and_web(void **state)
{
    (void)state;
    check_coverage(refdata_departement_web_geom);
    int full = 0, web = 0;
    for (size_t i = 0; i < rd.ndeps; i++) {
        full += GEOSGetNumCoordinates_r(ctx->geos, refdata_departement_geom(ctx, &rd, &rd.deps[i]));
        web += GEOSGetNumCoordinates_r(ctx->geos,
                                       refdata_departement_web_geom(ctx, &rd, &rd.deps[i]));
    }
    assert_true(web < full / 4);
}

/* Enclaves stay real: the Enclave des Papes (Vaucluse) is a hole in the Drôme and in
 * Auvergne-Rhône-Alpes, the Hautes-Pyrénées enclaves are holes in the Pyrénées-Atlantiques,
 * Llívia (Spain) is a hole in the Pyrénées-Orientales and in Occitanie. */
static void enclaves_are_holes(void **state)
{
    (void)state;
    struct {
        const char *insee, *in_dep, *not_dep, *not_reg;
    } cases[] = {
        {"84138", "84", "26", "84"}, /* Valréas */
        {"65185", "65", "64", "75"}, /* Gardères */
        {"65292", "65", "64", "75"}, /* Luquet */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const commune *m = refdata_commune(&rd, cases[i].insee);
        assert_non_null(m);
        departement *in = (departement *)refdata_departement(&rd, cases[i].in_dep);
        departement *out = (departement *)refdata_departement(&rd, cases[i].not_dep);
        region *reg = (region *)refdata_region(&rd, cases[i].not_reg);
        assert_true(covers_xy(refdata_departement_geom(ctx, &rd, in), m->lon, m->lat));
        assert_false(covers_xy(refdata_departement_geom(ctx, &rd, out), m->lon, m->lat));
        assert_false(covers_xy(refdata_region_geom(ctx, &rd, reg), m->lon, m->lat));
        /* ... and the hole is inside the outer ring: the point is within the envelope of
         * the polygon's shell it was cut from. */
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx->geos, m->lon, m->lat);
        GEOSGeometry *env = GEOSEnvelope_r(ctx->geos, refdata_departement_geom(ctx, &rd, out));
        assert_int_equal(GEOSContains_r(ctx->geos, env, pt), 1);
        GEOSGeom_destroy_r(ctx->geos, env);
        GEOSGeom_destroy_r(ctx->geos, pt);
    }
    /* Llívia: in no French commune, surrounded by the Pyrénées-Orientales. */
    departement *po = (departement *)refdata_departement(&rd, "66");
    region *occ = (region *)refdata_region(&rd, "76");
    assert_false(covers_xy(refdata_departement_geom(ctx, &rd, po), 1.9806, 42.4640));
    assert_false(covers_xy(refdata_region_geom(ctx, &rd, occ), 1.9806, 42.4640));
    refdata_locate_result r;
    assert_int_equal(refdata_locate(ctx, &rd, 1.9806, 42.4640, 100, &r), PTCE_OK);
    assert_int_equal(r.status, REFDATA_LOCATE_NONE);
    assert_true(r.distance_m > 500);
    assert_non_null(r.commune);
    assert_string_equal(r.commune->dep, "66");
}

/* EPCI: every member commune is in one EPCI of the table, the member counts add up, and
 * the polygons are valid unions of their communes. */
static void epci_membership_and_polygons(void **state)
{
    (void)state;
    GEOSContextHandle_t h = ctx->geos;
    assert_true(rd.nepci > 1000);
    size_t without = 0;
    long *members = calloc(rd.nepci, sizeof *members);
    double *sum = calloc(rd.nepci, sizeof *sum);
    for (size_t i = 0; i < rd.ncommunes; i++) {
        const commune *m = &rd.communes[i];
        if (!m->epci[0]) {
            without++;
            continue;
        }
        const epci *e = refdata_epci(&rd, m->epci);
        assert_non_null(e);
        if (m->kind == REFDATA_COMMUNE_CURRENT) {
            members[e - rd.epcis]++;
            if (strcmp(m->contour, m->insee) == 0)
                sum[e - rd.epcis] += area_of(refdata_commune_geom(ctx, &rd, m));
        }
    }
    assert_true(without <= 4); /* the islands of Bréhat, Sein, Ouessant and Yeu */
    for (size_t k = 0; k < rd.nepci; k++) {
        epci *e = &rd.epcis[k];
        assert_int_equal(members[k], e->ncommunes);
        const GEOSGeometry *g = refdata_epci_geom(ctx, &rd, e);
        assert_non_null(g);
        assert_int_equal(GEOSisValid_r(h, g), 1);
        /* A re-created commune inside its holder's polygon counts in its EPCI without area. */
        assert_true(fabs(area_of(g) - sum[k]) / sum[k] < 1e-2);
        const GEOSGeometry *w = refdata_epci_web_geom(ctx, &rd, e);
        assert_non_null(w);
        assert_int_equal(GEOSisValid_r(h, w), 1);
    }
    free(members);
    free(sum);
}

/* ---- refdata_locate ---------------------------------------------------------------------- */

/* Each commune's own point is located in that commune (or, on a shared metre of border, in
 * a commune whose polygon covers it too). */
static void locate_finds_every_commune_at_its_point(void **state)
{
    (void)state;
    size_t other = 0;
    for (size_t i = 0; i < rd.ncommunes; i++) {
        const commune *m = &rd.communes[i];
        if (strcmp(m->contour, m->insee) != 0)
            continue;
        refdata_locate_result r;
        assert_int_equal(refdata_locate(ctx, &rd, m->lon, m->lat, 1000, &r), PTCE_OK);
        assert_int_equal(r.status, REFDATA_LOCATE_INSIDE);
        assert_true(r.distance_m == 0);
        if (r.commune != m) {
            other++;
            assert_true(covers_xy(refdata_commune_geom(ctx, &rd, r.commune), m->lon, m->lat));
        }
    }
    assert_true(other < 10);
}

/* Points drawn at random inside random communes (seeded) are located in them. */
static void locate_finds_random_interior_points(void **state)
{
    (void)state;
    GEOSContextHandle_t h = ctx->geos;
    uint64_t seed = 20261201;
    size_t tested = 0;
    while (tested < 3000) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        const commune *m = &rd.communes[(seed >> 33) % rd.ncommunes];
        if (strcmp(m->contour, m->insee) != 0)
            continue;
        const GEOSGeometry *g = refdata_commune_geom(ctx, &rd, m);
        double x0, y0, x1, y1;
        assert_int_equal(GEOSGeom_getXMin_r(h, g, &x0), 1);
        GEOSGeom_getYMin_r(h, g, &y0);
        GEOSGeom_getXMax_r(h, g, &x1);
        GEOSGeom_getYMax_r(h, g, &y1);
        for (int tries = 0; tries < 50; tries++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            double x = x0 + (x1 - x0) * (double)(seed >> 11) / 9007199254740992.0;
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            double y = y0 + (y1 - y0) * (double)(seed >> 11) / 9007199254740992.0;
            if (!covers_xy(g, x, y))
                continue;
            refdata_locate_result r;
            assert_int_equal(refdata_locate(ctx, &rd, x, y, 0, &r), PTCE_OK);
            assert_int_equal(r.status, REFDATA_LOCATE_INSIDE);
            if (r.commune != m)
                assert_true(covers_xy(refdata_commune_geom(ctx, &rd, r.commune), x, y));
            double d = -1;
            assert_int_equal(refdata_commune_distance(ctx, &rd, m, x, y, &d), PTCE_OK);
            assert_true(d == 0);
            tested++;
            break;
        }
    }
}

/* At sea and abroad: no commune, the distance to the nearest one is reported; just off a
 * coast, within the tolerance: the nearest commune, with its distance. */
static void locate_at_sea_abroad_and_off_the_coast(void **state)
{
    (void)state;
    struct {
        double lon, lat, min_km;
    } far[] = {
        {-5.0, 47.2, 50},     /* Bay of Biscay, off the Finistère */
        {-3.7038, 40.4168, 300}, /* Madrid: beyond 200 km */
        {4.35, 50.85, 10},    /* Brussels */
        {6.1432, 46.2044, 1}, /* Geneva */
        {7.0, 43.0, 30},      /* Mediterranean, south of the Var */
        {-61.0, 15.2, 5},     /* between Guadeloupe and Martinique (Dominica's coast) */
        {0.0, 0.0, 300},      /* Gulf of Guinea */
    };
    for (size_t i = 0; i < sizeof far / sizeof *far; i++) {
        refdata_locate_result r;
        assert_int_equal(refdata_locate(ctx, &rd, far[i].lon, far[i].lat, 500, &r), PTCE_OK);
        assert_int_equal(r.status, REFDATA_LOCATE_NONE);
        assert_true(r.distance_m > far[i].min_km * 1000);
        assert_non_null(r.commune);
        assert_true(r.distance_m < 8000000);
    }
    /* 300 m west of the westernmost vertex of the Finistère (mainland or island). */
    GEOSContextHandle_t h = ctx->geos;
    departement *fin = (departement *)refdata_departement(&rd, "29");
    const GEOSGeometry *g = refdata_departement_geom(ctx, &rd, fin);
    double xmin;
    GEOSGeom_getXMin_r(h, g, &xmin);
    double ylat = NAN;
    for (int p = 0; p < GEOSGetNumGeometries_r(h, g) && isnan(ylat); p++) {
        const GEOSCoordSequence *cs =
            GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, GEOSGetGeometryN_r(h, g, p)));
        unsigned n;
        GEOSCoordSeq_getSize_r(h, cs, &n);
        for (unsigned k = 0; k < n; k++) {
            double x, y;
            GEOSCoordSeq_getXY_r(h, cs, k, &x, &y);
            if (x == xmin) {
                ylat = y;
                break;
            }
        }
    }
    assert_false(isnan(ylat));
    double dx = 300.0 / (6371008.8 * PI / 180 * cos(ylat * PI / 180));
    refdata_locate_result r;
    assert_int_equal(refdata_locate(ctx, &rd, xmin - dx, ylat, 1000, &r), PTCE_OK);
    assert_int_equal(r.status, REFDATA_LOCATE_NEAR);
    assert_string_equal(r.commune->dep, "29");
    assert_true(r.distance_m > 295 && r.distance_m < 301);
    double d;
    assert_int_equal(refdata_commune_distance(ctx, &rd, r.commune, xmin - dx, ylat, &d), PTCE_OK);
    assert_true(d == r.distance_m);
    assert_int_equal(refdata_locate(ctx, &rd, xmin - dx, ylat, 100, &r), PTCE_OK);
    assert_int_equal(r.status, REFDATA_LOCATE_NONE);
    assert_true(r.distance_m > 295 && r.distance_m < 301);
    /* Nonsense coordinates are no commune, without an error. */
    assert_int_equal(refdata_locate(ctx, &rd, NAN, 45, 1000, &r), PTCE_OK);
    assert_int_equal(r.status, REFDATA_LOCATE_NONE);
    assert_null(r.commune);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(geometry_encoding_round_trips_and_refuses_garbage),
        cmocka_unit_test(commune_polygons_are_loaded_on_first_lookup_only),
        cmocka_unit_test(every_commune_has_a_polygon_or_a_flagged_fallback),
        cmocka_unit_test(every_point_lies_in_its_own_polygon),
        cmocka_unit_test(departements_are_unions_of_their_communes),
        cmocka_unit_test(regions_are_exact_unions_of_their_departements),
        cmocka_unit_test(departements_are_a_coverage_full_and_web),
        cmocka_unit_test(enclaves_are_holes),
        cmocka_unit_test(epci_membership_and_polygons),
        cmocka_unit_test(locate_finds_every_commune_at_its_point),
        cmocka_unit_test(locate_finds_random_interior_points),
        cmocka_unit_test(locate_at_sea_abroad_and_off_the_coast),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
