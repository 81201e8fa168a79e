/*
 * fuzz_geocode — the geocoder's input normalisation and its whole cascade.
 *
 * The input is up to ten fields separated by line feeds, in the order
 *     insee, code postal, commune, département, adresse, latitude, longitude, x, y, id
 * (missing fields are empty). Each field goes through the four normalisations
 * (geocode_clean_postcode, refdata_clean_insee, geocode_parse_departement,
 * geocode_name_variants), the qualifier reader and the street parser, then the row goes
 * through geocode_row() against the real reference data, loaded once.
 */
#include "fuzz_common.h"
#include "fuzz_note.h"

#include <math.h>

#include "geocode/geocode.h"
#include "refdata/refdata.h"

#define NFIELDS 10
#define MAX_VARIANTS 16

static ptce_ctx *ctx;
static refdata rd;
static geocoder *geo;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = fuzz_context();
    if (refdata_load(ctx, &rd) != PTCE_OK || geocode_new(ctx, &rd, &geo) != PTCE_OK) {
        fprintf(stderr, "fuzz_geocode: %s\n", ptce_ctx_error(ctx));
        abort();
    }
    return 0;
}

static void normalise_one(const char *text)
{
    char out[6];
    int restored = -1, cedex = -1;
    if (geocode_clean_postcode(text, out, &restored, &cedex)) {
        if (strlen(out) != 5)
            abort();
    }
    restored = -1;
    if (refdata_clean_insee(text, out, &restored)) {
        if (strlen(out) != 5)
            abort();
    }
    double v;
    geocode_axis ax;
    unsigned how;
    if (geocode_read_coordinate(text, &v, &ax, &how) &&
        (!isfinite(v) || ax > GEOCODE_AXIS_LONGITUDE || how > 15))
        abort();
    const departement *d = geocode_parse_departement(&rd, text);
    if (d && (d < rd.deps || d >= rd.deps + rd.ndeps))
        abort();
    char keys[MAX_VARIANTS][128];
    int n = geocode_name_variants(text, keys, MAX_VARIANTS);
    if (n < 0 || n > MAX_VARIANTS)
        abort();
    for (int i = 0; i < n; i++)
        if (strnlen(keys[i], sizeof keys[i]) >= sizeof keys[i])
            abort(); /* each key is NUL-terminated within its 128 bytes */
    geocode_qualifier q;
    for (int short_codes = 0; short_codes < 2; short_codes++) {
        geocode_qualifier_kind k = geocode_read_qualifier(&rd, text, short_codes, &q);
        if (k != q.kind || q.ndeps < 0 || q.ndeps > GEOCODE_QUAL_MAX_DEPS ||
            (k == GEOCODE_QUAL_AREA && q.ndeps == 0) ||
            (k == GEOCODE_QUAL_POSTCODE && strlen(q.postcode) != 5))
            abort();
        for (int i = 0; i < q.ndeps; i++)
            if (q.deps[i] < rd.deps || q.deps[i] >= rd.deps + rd.ndeps)
                abort();
    }
    geocode_street street;
    if (geocode_parse_street(text, &street) &&
        strnlen(street.key, sizeof street.key) >= sizeof street.key)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';

    /* The whole input as one field first (long text, every byte value). */
    normalise_one(buf);

    const char *field[NFIELDS];
    size_t n = 0;
    char *p = buf;
    while (n < NFIELDS) {
        field[n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    for (size_t i = n; i < NFIELDS; i++)
        field[i] = "";
    for (size_t i = 0; i < n; i++)
        normalise_one(field[i]);

    geocode_input in = {.insee = field[0], .postcode = field[1], .commune = field[2],
                    .departement = field[3], .address = field[4], .latitude = field[5],
                    .longitude = field[6], .x = field[7], .y = field[8], .id = field[9]};
    geo_result r;
    memset(&r, 0xA5, sizeof r); /* geocode_row must fill every field it promises */
    if (geocode_row(geo, &in, &r) == PTCE_OK) {
        if (r.status != GEO_MATCH && r.status != GEO_AMBIGUOUS && r.status != GEO_REJECT)
            abort();
        fuzz_check_note(&r, util_utf8_is_valid((const char *)data, size));
        fuzz_touch(geo_status_name(r.status));
        fuzz_touch(geo_type_name(r.type));
        fuzz_touch(r.postcode);
        if (r.status == GEO_MATCH) {
            /* A placed row has a real point in WGS 84. */
            if (!isfinite(r.lat) || !isfinite(r.lon) || fabs(r.lat) > 90 || fabs(r.lon) > 180)
                abort();
            fuzz_touch(r.precision);
            if (r.commune)
                fuzz_touch(r.commune->insee);
        }
        if (!(r.score >= 0 && r.score <= 1))
            abort();
    }
    geo_result_free(&r);
    free(buf);
    return 0;
}
