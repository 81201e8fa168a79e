/*
 * write/out_xlsx.c: a workbook written twice a second apart has the same bytes (the
 * creation date is the caller's, not the clock's), bad sheet names are refused, and the
 * parts a reader needs are in the zip. Cell types are checked end to end by
 * tests/e2e/spreadsheets.sh (python3 zipfile + XML).
 */
#define _GNU_SOURCE /* memmem */
#include "testutil.h"

#include <unistd.h>

#include "core/util.h"
#include "write/outdir.h"
#include "write/writers.h"

static const layer_field_def fields[] = {
    {"code", LAYER_FIELD_TEXT, 3, 0},
    {"nb", LAYER_FIELD_INTEGER, 9, 0},
    {"taux", LAYER_FIELD_REAL, 10, 3},
};
static const char *const codes[] = {"01", "2A", NULL};
static const char *const headers[] = {"Code", "Nombre de PTCE", "PTCE pour 100 000 habitants"};

static void value(void *user, size_t i, size_t f, layer_field_value *v)
{
    (void)user;
    if (f == 0) {
        v->text = codes[i];
        v->is_null = codes[i] == NULL;
    } else if (f == 1) {
        v->integer = (long long)i;
    } else {
        v->real = 1.5 * (double)i;
    }
}

static char *write_workbook(ptce_ctx *ctx, const char *sheet, ptce_status want)
{
    char tmpl[] = "/tmp/ptce-xlsx-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    outdir od;
    assert_int_equal(outdir_open(ctx, dir, "build", NULL, &od), PTCE_OK);
    layer l = {.name = "t", .fields = fields, .nfields = 3, .nfeatures = 3, .value = value};
    writers_xlsx_sheet s = {.name = sheet, .l = &l, .headers = headers};
    writers_xlsx_document doc = {.sheets = &s, .nsheets = 1, .title = "Essai", .author = "ptce-map",
                         .created = 1767225600 /* 2026-01-01 */};
    assert_int_equal(writers_xlsx(ctx, &od, "t.xlsx", &doc), want);
    if (want != PTCE_OK) {
        outdir_abort(&od);
        rmdir(dir);
        return NULL;
    }
    assert_int_equal(outdir_commit(ctx, &od), PTCE_OK);
    char path[4200];
    snprintf(path, sizeof path, "%s/t.xlsx", dir);
    return util_strdup(path);
}

static void same_bytes_whatever_the_clock(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    char *a = write_workbook(ctx, "Régions", PTCE_OK);
    sleep(2); /* zip entry times have a two-second resolution */
    char *b = write_workbook(ctx, "Régions", PTCE_OK);
    size_t na, nb;
    char *ba = util_read_file(a, &na), *bb = util_read_file(b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(ba, bb, na);
    /* A zip: local file header, and the parts Excel needs. */
    assert_memory_equal(ba, "PK\x03\x04", 4);
    assert_non_null(memmem(ba, na, "xl/worksheets/sheet1.xml", 24));
    assert_non_null(memmem(ba, na, "docProps/core.xml", 17));
    free(ba);
    free(bb);
    unlink(a);
    unlink(b);
    *strrchr(a, '/') = '\0';
    *strrchr(b, '/') = '\0';
    rmdir(a);
    rmdir(b);
    free(a);
    free(b);
    ptce_ctx_free(ctx);
}

static void bad_sheet_names_are_refused(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    assert_null(write_workbook(ctx, "a/b", PTCE_ERR_USAGE));
    assert_non_null(strstr(ptce_ctx_error(ctx), "nom de feuille"));
    assert_null(write_workbook(ctx, "une feuille au nom beaucoup trop long", PTCE_ERR_USAGE));
    ptce_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_bytes_whatever_the_clock),
        cmocka_unit_test(bad_sheet_names_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
