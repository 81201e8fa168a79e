/*
 * tests/unit/refdata_fixture.h — the group fixture of the test programs that need a context
 * and the reference data loaded once: `ctx` and `rd`, with `setup` and `teardown` for
 * cmocka_run_group_tests. Include once, after testutil.h.
 */
#ifndef PTCE_REFDATA_FIXTURE_H
#define PTCE_REFDATA_FIXTURE_H

#include "refdata/refdata.h"
#include "testutil.h"

static ptce_ctx *ctx;
static refdata rd;

static int setup(void **state)
{
    (void)state;
    ctx = test_ctx();
    return refdata_load(ctx, &rd) == PTCE_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    refdata_free(&rd);
    ptce_ctx_free(ctx);
    return 0;
}

#endif
