/*
 * fuzz_ban — reading a Base Adresse Nationale file (--ban: geocode_load_ban), plain or
 * gzip-compressed, then placing addresses on what was loaded (geocode_ban_locate through
 * geocode_row).
 *
 * The geocoder and the reference data are built once; the BAN index is dropped after each
 * input (geocode_load_ban adds up, so it would otherwise grow without end). That takes the
 * geocoder's private header, which only src/geocode/ and this harness include.
 */
#include "fuzz_common.h"
#include "fuzz_note.h"

#include <math.h>

#include "geocode/geocode.h"
#include "geocode/internal.h"
#include "refdata/refdata.h"

static ptce_ctx *ctx;
static refdata rd;
static geocoder *geo;
static fuzz_file scratch;

/* Rows whose communes and streets the seeds hold. */
static const geocode_input rows[] = {
    {.id = "1", .insee = "69382", .postcode = "69002", .commune = "Lyon",
     .address = "12 rue de la République", .departement = "", .latitude = "", .longitude = "",
     .x = "", .y = ""},
    {.id = "2", .insee = "", .postcode = "01400", .commune = "L'Abergement-Clémenciat",
     .address = "3 bis Route de la Gare", .departement = "", .latitude = "", .longitude = "",
     .x = "", .y = ""},
    {.id = "3", .insee = "75056", .postcode = "75011", .commune = "Paris",
     .address = "rue Oberkampf", .departement = "", .latitude = "", .longitude = "", .x = "",
     .y = ""},
    {.id = "4", .insee = "13055", .postcode = "13001", .commune = "Marseille",
     .address = "1 La Canebière", .departement = "", .latitude = "", .longitude = "", .x = "",
     .y = ""},
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = fuzz_context();
    if (refdata_load(ctx, &rd) != PTCE_OK || geocode_new(ctx, &rd, &geo) != PTCE_OK) {
        fprintf(stderr, "fuzz_ban: %s\n", ptce_ctx_error(ctx));
        abort();
    }
    fuzz_file_open(&scratch);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file_set(&scratch, data, size);
    const char *paths[1] = {scratch.path};
    ptce_status st = geocode_load_ban(geo, paths, 1);
    fuzz_touch(ptce_ctx_error(ctx));
    (void)st; /* a failed file keeps what was loaded before: geocoding must still work */
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        geo_result r;
        if (geocode_row(geo, &rows[i], &r) != PTCE_OK) {
            geo_result_free(&r);
            continue;
        }
        if (r.status == GEO_MATCH &&
            (!isfinite(r.lat) || !isfinite(r.lon) || fabs(r.lat) > 90 || fabs(r.lon) > 180))
            abort();
        fuzz_check_note(&r, util_utf8_is_valid((const char *)data, size));
        geo_result_free(&r);
    }
    geocode_ban_free(geo->ban);
    geo->ban = NULL;
    return 0;
}
