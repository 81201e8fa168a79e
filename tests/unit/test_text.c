/*
 * text/fold and core/util: the normalisation every match relies on, and the small helpers.
 */
#include "testutil.h"

#include <math.h>
#include <stdint.h>

#include <stdio.h>

#include "core/util.h"
#include "text/fold.h"

static void check_fold(const char *in, const char *want)
{
    char *got = text_fold(in);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void folding_removes_case_accents_and_punctuation(void **state)
{
    (void)state;
    check_fold("Saint-Étienne", "saint etienne");
    check_fold("SAINT ETIENNE", "saint etienne");
    check_fold("  L’Haÿ-les-Roses ", "l hay les roses");
    check_fold("Œuvre d'Ærø", "oeuvre d aerø"); /* ø has no decomposition: kept */
    /* NFD input (e + combining acute) folds like NFC. */
    check_fold("Cre\xcc\x81teil", "creteil");
    check_fold("Château-Thierry", "chateau thierry");
    check_fold("", "");
    check_fold("?!…", "");
}

static void invalid_utf8_is_read_as_windows_1252(void **state)
{
    (void)state;
    /* "Réunion" in Windows-1252: 0xE9 is é. */
    check_fold("R\xe9union", "reunion");
    check_fold("\x92", ""); /* right single quote in cp1252: punctuation */
}

static void fold_into_cuts_at_a_character_boundary(void **state)
{
    (void)state;
    char buf[6];
    size_t n = text_fold_into("abcdefghij", buf, sizeof buf);
    assert_int_equal(n, 5);
    assert_string_equal(buf, "abcde");
}

static void utf8_checks_and_cuts(void **state)
{
    (void)state;
    assert_true(util_utf8_is_valid("é", 2));
    assert_false(util_utf8_is_valid("\xc3", 1));          /* truncated sequence */
    assert_false(util_utf8_is_valid("\xc0\xaf", 2));      /* overlong */
    assert_false(util_utf8_is_valid("\xed\xa0\x80", 3));  /* surrogate */
    /* "aé" is 3 bytes: a cut at 2 would split é, so it cuts at 1. */
    assert_int_equal(util_utf8_cut_length("aé", 2), 1);
    assert_int_equal(util_utf8_cut_length("aé", 3), 3);
}

static void decimals_with_point_or_comma(void **state)
{
    (void)state;
    double v;
    assert_true(util_parse_decimal("45,75", &v));
    assert_true(v == 45.75);
    assert_true(util_parse_decimal(" -1.5 ", &v));
    assert_true(v == -1.5);
    assert_false(util_parse_decimal("", &v));
    assert_false(util_parse_decimal("nan", &v));
    assert_false(util_parse_decimal("inf", &v));
    assert_false(util_parse_decimal("1e999", &v));
    assert_false(util_parse_decimal("12 rue", &v));
}

/* util_format_fixed prints what printf prints, faster. */
static void fixed_decimals_like_printf(void **state)
{
    (void)state;
    static const double values[] = {0, -0.0, 1.5, -1.5, 3.125, 0.0005, 2.3499, 48.85301234,
                                    -61.544179, 1234567.891, 0.125, 7.0 / 224 * 100};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++)
        for (int d = 0; d <= 6; d++) {
            char want[64], got[64];
            snprintf(want, sizeof want, "%.*f", d, values[i]);
            if (strcmp(want, "-0") == 0 || strncmp(want, "-0.", 3) == 0) {
                /* printf keeps the sign of a negative zero; we do not. */
                int zero = 1;
                for (const char *p = want + 1; *p; p++)
                    zero &= *p == '0' || *p == '.';
                if (zero)
                    memmove(want, want + 1, strlen(want));
            }
            assert_true(util_format_fixed(got, values[i], d, 0) > 0);
            assert_string_equal(got, want);
        }
    char buf[64];
    util_format_fixed(buf, 2.5, 6, 1);
    assert_string_equal(buf, "2.5");
    util_format_fixed(buf, 3.0, 6, 1);
    assert_string_equal(buf, "3");
    assert_int_equal(util_format_fixed(buf, 1e300, 2, 0), 0);
}

/* util_format_printf is printf's "%.*f" byte for byte, sign of zero included: fixed
 * cases (ties, negative zeros, huge and non-finite values, both sides of 2^32 once scaled)
 * and 400,000 seeded values spread over magnitudes, among them lots of near-ties. */
static void printf_decimals_byte_for_byte(void **state)
{
    (void)state;
    static const double fixed[] = {0, -0.0, -0.001, -0.0000004, 0.125, 2.5, 1.005, 0.005,
                                   -2.675, 4294967295.5, 4294967296.5, 42949.67295,
                                   1e20, -1e300, 48.856614, 2.352222, -61.5, 0.4999999999};
    char want[128], got[128];
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        for (int d = 0; d <= 9; d++) {
            snprintf(want, sizeof want, "%.*f", d, fixed[i]);
            assert_int_equal(util_format_printf(got, sizeof got, fixed[i], d), strlen(want));
            assert_string_equal(got, want);
        }
    const double specials[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < 3; i++) {
        snprintf(want, sizeof want, "%.2f", specials[i]);
        util_format_printf(got, sizeof got, specials[i], 2);
        assert_string_equal(got, want);
    }
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 400000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int d = (int)(x % 10);
        double mag = pow(10.0, (double)((x >> 8) % 14) - 4);
        double v = (double)(x >> 11) / 9007199254740992.0 * mag;
        if ((x >> 4) % 3 == 0) /* a near-tie: k + 0.5 units of the last decimal, nudged */
            v = (floor(v * pow(10, d)) + 0.5) / pow(10, d) + (double)((x >> 30) % 5 - 2) * 1e-13;
        if ((x >> 6) % 2)
            v = -v;
        snprintf(want, sizeof want, "%.*f", d, v);
        util_format_printf(got, sizeof got, v, d);
        if (strcmp(got, want) != 0)
            print_message("%.17g with %d decimals: %s, printf %s\n", v, d, got, want);
        assert_string_equal(got, want);
    }
    /* a buffer too small for the fast path still gets printf's text, cut */
    char small[8];
    util_format_printf(small, sizeof small, 123.456, 2);
    assert_string_equal(small, "123.46");
}

static void trimming_and_string_buffers(void **state)
{
    (void)state;
    char s[] = " \t\xc2\xa0" "abc \r\n";
    assert_string_equal(util_trim(s), "abc");
    util_strbuf sb;
    util_sb_init(&sb);
    for (int i = 0; i < 1000; i++)
        util_sb_printf(&sb, "%d,", i);
    assert_false(sb.failed);
    char *out = util_sb_take(&sb);
    assert_non_null(out);
    assert_true(strncmp(out, "0,1,2,", 6) == 0);
    free(out);
    util_sb_init(&sb);
    out = util_sb_take(&sb); /* an empty buffer gives an empty string, not garbage */
    assert_string_equal(out, "");
    free(out);
}

/* The one test of an empty cell. */
static void blank_cells(void **state)
{
    (void)state;
    assert_true(util_is_blank(""));
    assert_true(util_is_blank(" \t\r\n"));
    assert_true(util_is_blank("\xC2\xA0 \xC2\xA0"));
    assert_false(util_is_blank(" x "));
    assert_false(util_is_blank("\xC2\xA3")); /* £ */
    assert_false(util_is_blank("\xC3\xA9")); /* é */
}

/* The string store: every copy stays where it was, whole and NUL-terminated, however many
 * come after it (blocks never move), a copy longer than a block gets its own, and the
 * bytes copied are only the n asked for. */
static void string_store_keeps_every_copy_in_place(void **state)
{
    (void)state;
    util_strstore st = {.block_bytes = 64};
    char *first = util_strstore_copy(&st, "Économie circulaire;suite", 20);
    assert_non_null(first);
    assert_string_equal(first, "Économie circulaire");
    char *copies[500];
    char want[32];
    for (int i = 0; i < 500; i++) {
        snprintf(want, sizeof want, "rue %d", i);
        copies[i] = util_strstore_copy(&st, want, strlen(want));
        assert_non_null(copies[i]);
    }
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *long_one = util_strstore_copy(&st, big, strlen(big));
    assert_non_null(long_one);
    assert_string_equal(long_one, big);
    char *empty = util_strstore_copy(&st, "", 0);
    assert_non_null(empty);
    assert_string_equal(empty, "");
    for (int i = 0; i < 500; i++) {
        snprintf(want, sizeof want, "rue %d", i);
        assert_string_equal(copies[i], want);
    }
    assert_string_equal(first, "Économie circulaire");
    util_strstore_free(&st);
    assert_null(st.head);
    util_strstore_free(&st); /* freeing an empty store does nothing */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(folding_removes_case_accents_and_punctuation),
        cmocka_unit_test(invalid_utf8_is_read_as_windows_1252),
        cmocka_unit_test(fold_into_cuts_at_a_character_boundary),
        cmocka_unit_test(utf8_checks_and_cuts),
        cmocka_unit_test(decimals_with_point_or_comma),
        cmocka_unit_test(fixed_decimals_like_printf),
        cmocka_unit_test(printf_decimals_byte_for_byte),
        cmocka_unit_test(trimming_and_string_buffers),
        cmocka_unit_test(blank_cells),
        cmocka_unit_test(string_store_keeps_every_copy_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
