/*
 * present/styles.c and data/taxonomie.txt: the map's colours cannot be confused.
 *
 * Every colour is looked at four ways: as is, and as a person with protanopia,
 * deuteranopia or tritanopia sees it, simulated with the matrices of Machado, Oliveira &
 * Fernandes, "A Physiologically-based Model for Simulation of Color Vision Deficiency",
 * IEEE TVCG 15(6), 2009 (severity 1.0, applied to linear RGB). Distances are CIEDE2000
 * (Sharma, Wu & Dalal, 2005) in CIELAB under D65. Checked:
 *  - every two sector colours, and every sector colour against every class of the
 *    choropleth (a point lies on some class), at least MIN_DE apart in all four views;
 *  - two neighbouring classes of the ramp at least MIN_STEP apart in all four views, the
 *    ramp getting darker class after class.
 * The model itself is checked against published values first (CIEDE2000 test pairs of
 * Sharma et al.; pure red under protanopia loses most of its lightness).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>

#include "classify/classify.h"
#include "model/sectors.h"
#include "present/styles.h"

/* The smallest distance kept between any two colours that must be told apart. A
 * CIEDE2000 difference of about 10 reads as clearly different colours side by side. */
#define MIN_DE 10.0
#define MIN_STEP 6.0

typedef struct lab {
    double L, a, b;
} lab;

static const double machado[3][3][3] = {
    /* protanopia */
    {{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216},
     {-0.003882, -0.048116, 1.051998}},
    /* deuteranopia */
    {{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413},
     {-0.011820, 0.042940, 0.968881}},
    /* tritanopia */
    {{1.255528, -0.076749, -0.178779}, {-0.078411, 0.930809, 0.147602},
     {0.004733, 0.691367, 0.303900}},
};
#define PI 3.14159265358979323846

/* "#rrggbb" to its three bytes. */
static void parse_hex(const char *hex, unsigned char rgb[3])
{
    assert_non_null(hex);
    assert_int_equal(strlen(hex), 7);
    assert_int_equal(hex[0], '#');
    for (int i = 0; i < 3; i++) {
        char pair[3] = {hex[1 + 2 * i], hex[2 + 2 * i], 0};
        char *end;
        rgb[i] = (unsigned char)strtol(pair, &end, 16);
        assert_true(*end == '\0');
    }
}

static const char *const view_names[4] = {"vision normale", "protanopie", "deutéranopie",
                                          "tritanopie"};

static double srgb_to_linear(double c)
{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double lab_f(double t)
{
    return t > 216.0 / 24389.0 ? cbrt(t) : (24389.0 / 27.0 * t + 16) / 116;
}

static lab linear_to_lab(const double rgb[3])
{
    double X = 0.4124564 * rgb[0] + 0.3575761 * rgb[1] + 0.1804375 * rgb[2];
    double Y = 0.2126729 * rgb[0] + 0.7151522 * rgb[1] + 0.0721750 * rgb[2];
    double Z = 0.0193339 * rgb[0] + 0.1191920 * rgb[1] + 0.9503041 * rgb[2];
    double fx = lab_f(X / 0.95047), fy = lab_f(Y / 1.0), fz = lab_f(Z / 1.08883);
    return (lab){116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}

/* The colour "#rrggbb" in view v (0 normal, 1 protan, 2 deutan, 3 tritan). */
static lab view_of(const char *hex, int v)
{
    unsigned char rgb8[3];
    parse_hex(hex, rgb8);
    double lin[3], out[3];
    for (int i = 0; i < 3; i++)
        lin[i] = srgb_to_linear(rgb8[i] / 255.0);
    if (v == 0)
        return linear_to_lab(lin);
    for (int i = 0; i < 3; i++) {
        double s = 0;
        for (int j = 0; j < 3; j++)
            s += machado[v - 1][i][j] * lin[j];
        out[i] = fmin(1, fmax(0, s));
    }
    return linear_to_lab(out);
}

static double deg(double r)
{
    return r * 180 / PI;
}

static double rad(double d)
{
    return d * PI / 180;
}

static double ciede2000(lab p, lab q)
{
    double C1 = hypot(p.a, p.b), C2 = hypot(q.a, q.b), Cb = (C1 + C2) / 2;
    double G = 0.5 * (1 - sqrt(pow(Cb, 7) / (pow(Cb, 7) + pow(25, 7))));
    double a1 = (1 + G) * p.a, a2 = (1 + G) * q.a;
    double C1p = hypot(a1, p.b), C2p = hypot(a2, q.b);
    double h1 = C1p == 0 ? 0 : fmod(deg(atan2(p.b, a1)) + 360, 360);
    double h2 = C2p == 0 ? 0 : fmod(deg(atan2(q.b, a2)) + 360, 360);
    double dL = q.L - p.L, dC = C2p - C1p, dh = 0;
    if (C1p * C2p != 0) {
        dh = h2 - h1;
        if (dh > 180)
            dh -= 360;
        else if (dh < -180)
            dh += 360;
    }
    double dH = 2 * sqrt(C1p * C2p) * sin(rad(dh / 2));
    double Lb = (p.L + q.L) / 2, Cbp = (C1p + C2p) / 2, hb = h1 + h2;
    if (C1p * C2p != 0) {
        if (fabs(h1 - h2) <= 180)
            hb = (h1 + h2) / 2;
        else
            hb = h1 + h2 < 360 ? (h1 + h2 + 360) / 2 : (h1 + h2 - 360) / 2;
    }
    double T = 1 - 0.17 * cos(rad(hb - 30)) + 0.24 * cos(rad(2 * hb)) +
               0.32 * cos(rad(3 * hb + 6)) - 0.20 * cos(rad(4 * hb - 63));
    double dth = 30 * exp(-pow((hb - 275) / 25, 2));
    double RC = 2 * sqrt(pow(Cbp, 7) / (pow(Cbp, 7) + pow(25, 7)));
    double SL = 1 + 0.015 * pow(Lb - 50, 2) / sqrt(20 + pow(Lb - 50, 2));
    double SC = 1 + 0.045 * Cbp, SH = 1 + 0.015 * Cbp * T, RT = -sin(rad(2 * dth)) * RC;
    return sqrt(pow(dL / SL, 2) + pow(dC / SC, 2) + pow(dH / SH, 2) +
                RT * (dC / SC) * (dH / SH));
}

/* The smallest of the four views' distances, and which view it is. */
static double worst_distance(const char *x, const char *y, int *view)
{
    double m = INFINITY;
    *view = 0; /* also when every distance is NaN */
    for (int v = 0; v < 4; v++) {
        double d = ciede2000(view_of(x, v), view_of(y, v));
        if (d < m) {
            m = d;
            *view = v;
        }
    }
    return m;
}

static void model_matches_published_values(void **state)
{
    (void)state;
    /* Sharma, Wu & Dalal (2005), table 1: pairs 1, 7 and 17. */
    assert_true(fabs(ciede2000((lab){50, 2.6772, -79.7751}, (lab){50, 0, -82.7485}) - 2.0425) <
                1e-3);
    assert_true(fabs(ciede2000((lab){50, 0, 0}, (lab){50, -1, 2}) - 2.3669) < 1e-3);
    assert_true(fabs(ciede2000((lab){50, 2.5, 0}, (lab){73, 25, -18}) - 27.1492) < 1e-3);
    /* sRGB white is L* 100; pure red seen with protanopia is much darker, with tritanopia
     * nearly unchanged in lightness. */
    assert_true(fabs(view_of("#ffffff", 0).L - 100) < 0.01);
    assert_true(view_of("#ff0000", 1).L < view_of("#ff0000", 0).L - 10);
    assert_true(fabs(view_of("#ff0000", 3).L - view_of("#ff0000", 0).L) < 6);
    /* Red and green, told apart with normal vision, merge with deuteranopia. */
    int v;
    assert_true(worst_distance("#d62728", "#2ca02c", &v) < MIN_DE);
}

static void sectors_and_classes_cannot_be_confused(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    char path[4096];
    snprintf(path, sizeof path, "%s/taxonomie.txt", getenv("PTCE_MAP_DATA"));
    taxonomy *t = NULL;
    assert_int_equal(classify_taxonomy_load(ctx, path, &t), PTCE_OK);
    size_t ns = sectors_count(t);
    assert_true(ns >= 2);
    const char *classes[STYLES_RAMP_CLASSES + 1];
    for (size_t k = 0; k < STYLES_RAMP_CLASSES; k++)
        classes[k] = styles_ramp[k];
    classes[STYLES_RAMP_CLASSES] = STYLES_NONE_COLOR;
    double worst = INFINITY;
    int failures = 0;
    for (size_t i = 0; i < ns; i++) {
        const char *ci = sectors_color(t, i);
        for (size_t j = i + 1; j < ns; j++) {
            int v;
            double d = worst_distance(ci, sectors_color(t, j), &v);
            worst = fmin(worst, d);
            if (d < MIN_DE) {
                print_message("secteurs %s (%s) et %s (%s) : ΔE00 %.1f en %s\n",
                              sectors_id(t, i), ci, sectors_id(t, j),
                              sectors_color(t, j), d, view_names[v]);
                failures++;
            }
        }
        for (size_t k = 0; k <= STYLES_RAMP_CLASSES; k++) {
            int v;
            double d = worst_distance(ci, classes[k], &v);
            worst = fmin(worst, d);
            if (d < MIN_DE) {
                print_message("secteur %s (%s) et classe %s : ΔE00 %.1f en %s\n",
                              sectors_id(t, i), ci, classes[k], d, view_names[v]);
                failures++;
            }
        }
    }
    print_message("plus petite distance : ΔE00 %.1f (seuil %.1f)\n", worst, MIN_DE);
    assert_int_equal(failures, 0);
    classify_taxonomy_free(t);
    ptce_ctx_free(ctx);
}

static void ramp_steps_are_visible(void **state)
{
    (void)state;
    for (size_t k = 0; k + 1 < STYLES_RAMP_CLASSES; k++) {
        int v;
        double d = worst_distance(styles_ramp[k], styles_ramp[k + 1], &v);
        if (d < MIN_STEP)
            print_message("classes %s et %s : ΔE00 %.1f en %s\n", styles_ramp[k],
                          styles_ramp[k + 1], d, view_names[v]);
        assert_true(d >= MIN_STEP);
        for (int w = 0; w < 4; w++)
            assert_true(view_of(styles_ramp[k + 1], w).L < view_of(styles_ramp[k], w).L);
    }
}

/* The classes the map uses come from that ramp, and areas without PTCE get the hatched
 * class of their own. */
static void no_ptce_class_is_separate(void **state)
{
    (void)state;
    long bysec[1] = {0};
    aggregate_area_stats areas[4] = {
        {.code = "a", .count = 0, .per_100k = 0, .by_sector = bysec},
        {.code = "b", .count = 2, .per_100k = 0.2, .by_sector = bysec},
        {.code = "c", .count = 5, .per_100k = 0.5, .by_sector = bysec},
        {.code = "d", .count = 9, .per_100k = 1.5, .by_sector = bysec},
    };
    choropleth c;
    styles_choropleth(areas, 4, &c);
    assert_true(c.n >= 2);
    assert_true(c.classes[0].hatched);
    assert_string_equal(c.classes[0].label, "Aucun PTCE (1)");
    assert_true(styles_class_of(&c, 0) == &c.classes[0]);
    assert_true(styles_class_of(&c, 0.2) != &c.classes[0]);
    size_t total = 0;
    for (size_t k = 0; k < c.n; k++) {
        const char *open = strrchr(c.classes[k].label, '(');
        assert_non_null(open);
        total += (size_t)atoi(open + 1);
        if (k > 0) {
            int in_ramp = 0;
            for (size_t r = 0; r < STYLES_RAMP_CLASSES; r++)
                in_ramp |= strcmp(c.classes[k].color, styles_ramp[r]) == 0;
            assert_true(in_ramp);
            assert_false(c.classes[k].hatched);
        }
    }
    assert_int_equal(total, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(model_matches_published_values),
        cmocka_unit_test(sectors_and_classes_cannot_be_confused),
        cmocka_unit_test(ramp_steps_are_visible),
        cmocka_unit_test(no_ptce_class_is_separate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
