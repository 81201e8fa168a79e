/*
 * geom/: CRS and .prj text, reprojection, ring orientation, the national layout and the
 * coverage simplification.
 */
#include "testutil.h"

#include <math.h>

#include "geom/geom.h"
#include "present/layout.h"
#include "geom/simplify.h"
#include "refdata/refdata.h"

#include "refdata_fixture.h"

static void prj_is_what_proj_writes_in_esri_wkt(void **state)
{
    (void)state;
    geom_crs_target crs;
    assert_int_equal(geom_crs_open(ctx, 2154, &crs), PTCE_OK);
    assert_string_equal(
        crs.prj,
        "PROJCS[\"RGF_1993_Lambert_93\",GEOGCS[\"GCS_RGF_1993\",DATUM[\"D_RGF_1993\",SPHEROID["
        "\"GRS_1980\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\","
        "0.0174532925199433]],PROJECTION[\"Lambert_Conformal_Conic\"],PARAMETER[\"False_Easting\","
        "700000.0],PARAMETER[\"False_Northing\",6600000.0],PARAMETER[\"Central_Meridian\",3.0],"
        "PARAMETER[\"Standard_Parallel_1\",49.0],PARAMETER[\"Standard_Parallel_2\",44.0],"
        "PARAMETER[\"Latitude_Of_Origin\",46.5],UNIT[\"Meter\",1.0]]");
    /* Paris, Notre-Dame: (652 297, 6 861 636) in Lambert-93 according to cs2cs. */
    double x, y;
    assert_true(geom_project_point(&crs, 2.3499, 48.8530, &x, &y));
    assert_true(fabs(x - 652297) < 50 && fabs(y - 6861636) < 50);
    geom_crs_close(&crs);
    assert_int_equal(geom_crs_open(ctx, 4326, &crs), PTCE_OK);
    assert_non_null(strstr(crs.prj, "GCS_WGS_1984"));
    assert_null(crs.from_wgs84);
    geom_crs_close(&crs);
    assert_int_equal(geom_crs_open(ctx, 999999, &crs), PTCE_ERR_USAGE);
    assert_non_null(strstr(ptce_ctx_error(ctx), "EPSG:999999"));
}

/* The built-in operations for the French legal CRSs give what PROJ's own search gives. */
static void built_in_operations_match_proj_search(void **state)
{
    (void)state;
    static const struct {
        int epsg;
        double lon, lat;
    } cases[] = {{4326, 2.3499, 48.8530}, {2154, 2.3499, 48.8530}, {2154, 8.7369, 41.9192}, {5490, -61.5331, 16.2411},
                 {5490, -61.0588, 14.6161}, {2972, -52.3265, 4.9372}, {2975, 55.4481, -20.8823},
                 {4471, 45.2279, -12.7806}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        geom_crs_target fast, searched;
        assert_int_equal(geom_crs_open(ctx, cases[i].epsg, &fast), PTCE_OK);
        assert_int_equal(geom_crs_open_searched(ctx, cases[i].epsg, &searched), PTCE_OK);
        double x1, y1, x2, y2;
        assert_true(geom_project_point(&fast, cases[i].lon, cases[i].lat, &x1, &y1));
        assert_true(geom_project_point(&searched, cases[i].lon, cases[i].lat, &x2, &y2));
        assert_true(fabs(x1 - x2) < 0.01 && fabs(y1 - y2) < 0.01); /* 1 cm */
        assert_string_equal(fast.prj, searched.prj);
        assert_string_equal(fast.name, searched.name);
        assert_int_equal(fast.geographic, searched.geographic);
        geom_crs_close(&fast);
        geom_crs_close(&searched);
    }
}

static void epsg_codes_are_parsed(void **state)
{
    (void)state;
    assert_int_equal(geom_parse_epsg("EPSG:2154"), 2154);
    assert_int_equal(geom_parse_epsg("epsg:4326"), 4326);
    assert_int_equal(geom_parse_epsg("2975"), 2975);
    assert_int_equal(geom_parse_epsg("EPSG:"), 0);
    assert_int_equal(geom_parse_epsg("lambert93"), 0);
}

typedef struct orientation_count {
    int ccw_shells, cw_shells, ccw_holes, cw_holes;
} orientation_count;

static int count_orientation(void *user, int poly, int hole, const double *xs, const double *ys,
                             unsigned n)
{
    (void)poly;
    orientation_count *c = user;
    double a = 0;
    for (unsigned i = 0; i + 1 < n; i++)
        a += xs[i] * ys[i + 1] - xs[i + 1] * ys[i];
    if (hole)
        (a > 0 ? &c->ccw_holes : &c->cw_holes)[0]++;
    else
        (a > 0 ? &c->ccw_shells : &c->cw_shells)[0]++;
    return 0;
}

static void rings_come_out_in_the_format_orientation(void **state)
{
    (void)state;
    GEOSWKTReader *r = GEOSWKTReader_create_r(ctx->geos);
    /* A clockwise shell with a clockwise hole: both wrong for RFC 7946, one for Shapefile. */
    GEOSGeometry *g = GEOSWKTReader_read_r(
        ctx->geos, r, "POLYGON((0 0,0 10,10 10,10 0,0 0),(2 2,2 4,4 4,4 2,2 2))");
    GEOSWKTReader_destroy_r(ctx->geos, r);
    orientation_count c = {0};
    assert_int_equal(geom_visit_rings(ctx, g, GEOM_RINGS_RFC7946, count_orientation, &c), PTCE_OK);
    assert_int_equal(c.ccw_shells, 1);
    assert_int_equal(c.cw_holes, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(geom_visit_rings(ctx, g, GEOM_RINGS_SHAPEFILE, count_orientation, &c), PTCE_OK);
    assert_int_equal(c.cw_shells, 1);
    assert_int_equal(c.ccw_holes, 1);
    GEOSGeom_destroy_r(ctx->geos, g);
}

static void insets_sit_in_their_frames_beside_metropolitan_france(void **state)
{
    (void)state;
    layout_national l;
    assert_int_equal(layout_open(ctx, &rd, &l), PTCE_OK);
    /* Metropolitan France is drawn at its true Lambert-93 position. */
    const layout_zone *metro = layout_zone_of(&l, "11");
    assert_int_equal(metro->epsg, 2154);
    double x, y;
    assert_true(layout_point(metro, 2.3499, 48.8530, &x, &y));
    assert_true(fabs(x - 652297) < 50 && fabs(y - 6861636) < 50);
    GEOSGeometry *metro_all = NULL;
    for (size_t i = 0; i < rd.nregions; i++) {
        const layout_zone *z = layout_zone_of(&l, rd.regions[i].code);
        GEOSGeometry *g = layout_geometry(ctx, z, refdata_region_geom(ctx, &rd, &rd.regions[i]));
        assert_non_null(g);
        /* Every region of the layout lies within the printed page. */
        double xmin, ymin, xmax, ymax;
        GEOSGeom_getXMin_r(ctx->geos, g, &xmin);
        GEOSGeom_getYMin_r(ctx->geos, g, &ymin);
        GEOSGeom_getXMax_r(ctx->geos, g, &xmax);
        GEOSGeom_getYMax_r(ctx->geos, g, &ymax);
        assert_true(xmin >= l.extent[0] && ymin >= l.extent[1] && xmax <= l.extent[2] &&
                    ymax <= l.extent[3]);
        if (z->code_reg[0]) {
            /* An inset stays inside its frame. */
            assert_true(xmin >= z->frame[0] && ymin >= z->frame[1] && xmax <= z->frame[2] &&
                        ymax <= z->frame[3]);
        } else if (!metro_all) {
            metro_all = g;
            continue;
        } else {
            GEOSGeometry *u = GEOSUnion_r(ctx->geos, metro_all, g);
            GEOSGeom_destroy_r(ctx->geos, metro_all);
            metro_all = u;
        }
        GEOSGeom_destroy_r(ctx->geos, g);
    }
    /* No frame touches metropolitan France, and frames do not overlap each other. */
    for (int i = 1; i < LAYOUT_ZONES; i++) {
        GEOSGeometry *f = layout_frame(ctx, &l.zones[i]);
        assert_int_equal(GEOSIntersects_r(ctx->geos, f, metro_all), 0);
        for (int k = i + 1; k < LAYOUT_ZONES; k++) {
            GEOSGeometry *f2 = layout_frame(ctx, &l.zones[k]);
            assert_int_equal(GEOSIntersects_r(ctx->geos, f, f2), 0);
            GEOSGeom_destroy_r(ctx->geos, f2);
        }
        GEOSGeom_destroy_r(ctx->geos, f);
    }
    /* Saint-Denis de La Réunion lands in the Réunion frame, enlarged. */
    const layout_zone *reu = layout_zone_of(&l, "04");
    assert_int_equal(reu->epsg, 2975);
    assert_true(layout_point(reu, 55.4481, -20.8823, &x, &y));
    assert_true(x >= reu->frame[0] && x <= reu->frame[2] && y >= reu->frame[1] && y <= reu->frame[3]);
    GEOSGeom_destroy_r(ctx->geos, metro_all);
    layout_close(&l);
}

static void simplified_coverage_keeps_neighbours_together(void **state)
{
    (void)state;
    GEOSContextHandle_t h = ctx->geos;
    size_t n = rd.ndeps;
    const GEOSGeometry **in = calloc(n, sizeof *in);
    GEOSGeometry **out = calloc(n, sizeof *out);
    for (size_t i = 0; i < n; i++)
        in[i] = refdata_departement_geom(ctx, &rd, &rd.deps[i]);
    assert_int_equal(simplify_coverage(ctx, in, n, 0.005, out), PTCE_OK);
    int before = 0, after = 0;
    double sum_areas = 0;
    GEOSGeometry **clones = calloc(n, sizeof *clones);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(out[i]);
        assert_int_equal(GEOSisValid_r(h, out[i]), 1);
        before += GEOSGetNumCoordinates_r(h, in[i]);
        after += GEOSGetNumCoordinates_r(h, out[i]);
        double a, a0;
        GEOSArea_r(h, out[i], &a);
        GEOSArea_r(h, in[i], &a0);
        if (fabs(a - a0) / a0 >= 0.10)
            print_message("%s: %.4f -> %.4f\n", rd.deps[i].code, a0, a);
        /* Same shape give or take the detail: 500 m of tolerance shows most on the small
         * départements around Paris. */
        assert_true(fabs(a - a0) / a0 < 0.10);
        sum_areas += a;
        clones[i] = GEOSGeom_clone_r(h, out[i]);
    }
    /* Fewer vertices, and no overlap: the areas add up to the area of their union. */
    assert_true(after < before * 0.8);
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, clones, (unsigned)n);
    GEOSGeometry *u = GEOSUnaryUnion_r(h, coll);
    double union_area;
    GEOSArea_r(h, u, &union_area);
    assert_true(fabs(union_area - sum_areas) / sum_areas < 1e-6);
    GEOSGeom_destroy_r(h, u);
    GEOSGeom_destroy_r(h, coll);
    free(clones);
    for (size_t i = 0; i < n; i++)
        GEOSGeom_destroy_r(h, out[i]);
    free(out);
    free(in);
}

/* France's CRSs, defined once in geom/: the territory each overseas CRS is for, the legal
 * CRS of each region (what the insets are drawn in), Lambert-93's plausible box, and the
 * built-in Lambert-93 operation run backwards (what the geocoder converts X/Y with). */
static void territories_and_lambert93_are_defined_once(void **state)
{
    (void)state;
    assert_string_equal(geom_crs_regions(5490), "01,02");
    assert_string_equal(geom_crs_regions(32620), "01,02");
    assert_string_equal(geom_crs_regions(2972), "03");
    assert_string_equal(geom_crs_regions(32740), "04");
    assert_string_equal(geom_crs_regions(4471), "06");
    assert_null(geom_crs_regions(GEOM_EPSG_LAMBERT93));
    assert_null(geom_crs_regions(GEOM_EPSG_WGS84));
    assert_int_equal(geom_region_crs("01"), 5490);
    assert_int_equal(geom_region_crs("02"), 5490);
    assert_int_equal(geom_region_crs("03"), 2972);
    assert_int_equal(geom_region_crs("04"), 2975);
    assert_int_equal(geom_region_crs("06"), 4471);
    assert_int_equal(geom_region_crs("94"), GEOM_EPSG_LAMBERT93);
    assert_int_equal(geom_region_crs(""), GEOM_EPSG_LAMBERT93);
    /* Every region's legal CRS is one that CRS is made for. */
    for (size_t i = 0; i < rd.nregions; i++) {
        int epsg = geom_region_crs(rd.regions[i].code);
        const char *regs = geom_crs_regions(epsg);
        if (epsg != GEOM_EPSG_LAMBERT93)
            assert_non_null(strstr(regs, rd.regions[i].code));
    }
    /* Lambert-93: Lyon's town hall (842676, 6519824) is plausible, swapped it is not. */
    assert_true(geom_lambert93_plausible(842676, 6519824));
    assert_false(geom_lambert93_plausible(6519824, 842676));
    assert_false(geom_lambert93_plausible(GEOM_L93_X_MIN, 6519824));
    assert_false(geom_lambert93_plausible(842676, GEOM_L93_Y_MAX));
    PJ *op = geom_wgs84_to(ctx, GEOM_EPSG_LAMBERT93);
    assert_non_null(op);
    PJ_COORD back = proj_trans(op, PJ_INV, proj_coord(842676.75, 6519824.63, 0, 0));
    assert_true(fabs(back.v[0] - 4.8358) < 1e-3 && fabs(back.v[1] - 45.7631) < 1e-3);
    proj_destroy(op);
    assert_null(geom_wgs84_to(ctx, GEOM_EPSG_WGS84));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prj_is_what_proj_writes_in_esri_wkt),
        cmocka_unit_test(built_in_operations_match_proj_search),
        cmocka_unit_test(epsg_codes_are_parsed),
        cmocka_unit_test(territories_and_lambert93_are_defined_once),
        cmocka_unit_test(rings_come_out_in_the_format_orientation),
        cmocka_unit_test(insets_sit_in_their_frames_beside_metropolitan_france),
        cmocka_unit_test(simplified_coverage_keeps_neighbours_together),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
