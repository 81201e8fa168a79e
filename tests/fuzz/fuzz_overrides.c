/*
 * fuzz_overrides — reading an analyst's corrections file (--overrides:
 * geocode_load_overrides), then geocoding rows whose ids the seeds correct.
 * Loading again replaces the previous corrections, so one geocoder serves every input.
 */
#include "fuzz_common.h"
#include "fuzz_note.h"

#include <math.h>

#include "geocode/geocode.h"
#include "refdata/refdata.h"

static ptce_ctx *ctx;
static refdata rd;
static geocoder *geo;
static fuzz_file scratch;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = fuzz_context();
    if (refdata_load(ctx, &rd) != PTCE_OK || geocode_new(ctx, &rd, &geo) != PTCE_OK) {
        fprintf(stderr, "fuzz_overrides: %s\n", ptce_ctx_error(ctx));
        abort();
    }
    fuzz_file_open(&scratch);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ids[] = {"1", "PTCE-0001", "a", "", "ptce-0002"};
    fuzz_file_set(&scratch, data, size);
    ptce_status st = geocode_load_overrides(geo, scratch.path);
    fuzz_touch(ptce_ctx_error(ctx));
    (void)st;
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        geocode_input in = {.id = ids[i], .insee = "69123", .postcode = "", .commune = "Lyon",
                        .departement = "", .address = "", .latitude = "", .longitude = "",
                        .x = "", .y = ""};
        geo_result r;
        if (geocode_row(geo, &in, &r) != PTCE_OK) {
            geo_result_free(&r);
            continue;
        }
        if (r.status == GEO_MATCH &&
            (!isfinite(r.lat) || !isfinite(r.lon) || fabs(r.lat) > 90 || fabs(r.lon) > 180))
            abort();
        fuzz_check_note(&r, 1); /* overrides.csv is decoded to UTF-8 when loaded */
        geo_result_free(&r);
    }
    return 0;
}
