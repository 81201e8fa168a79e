/*
 * tests/unit/testutil.h — what every unit test needs: cmocka, a context on the source
 * tree's data/, and the reference data loaded once per test program.
 */
#ifndef PTCE_TESTUTIL_H
#define PTCE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/ctx.h"
#include "ptce.h"

/* A quiet context whose data folder is $PTCE_MAP_DATA (set by ctest). */
static inline ptce_ctx *test_ctx(void)
{
    ptce_ctx *ctx = ptce_ctx_new(NULL);
    assert_non_null(ctx);
    ptce_ctx_set_quiet(ctx, 1);
    const char *dir = getenv("PTCE_MAP_DATA");
    if (dir)
        assert_int_equal(ptce_ctx_set_data_dir(ctx, dir), PTCE_OK);
    return ctx;
}

/* Path of a file under tests/data (ctest sets PTCE_TEST_DATA). */
static inline const char *test_data_path(const char *name, char *buf, size_t size)
{
    const char *dir = getenv("PTCE_TEST_DATA");
    snprintf(buf, size, "%s/%s", dir ? dir : "tests/data", name);
    return buf;
}

#endif
