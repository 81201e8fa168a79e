/*
 * geocode/geocode.h — from what a census row says about a place to a current commune and
 * a point, with a status, a type, a score and a note that says why.
 *
 * Owns: reading place fields as people type them (postal codes without their leading zero,
 * CEDEX, abbreviations, articles, arrondissements, addresses in one cell, coordinates with
 * a decimal comma or swapped or in Lambert-93), the matching cascade, coordinate checks.
 * Does not write files.
 *
 * Principles:
 *  - an honest "ambiguous" beats a guess: homonyms that nothing separates are reported
 *    with their candidates, never picked by population;
 *  - fuzzy matching is only tried inside a département or postal code the row states;
 *  - every result says what was corrected (the note) and how precise its point is;
 *  - ties are broken by INSEE code, so the same input always gives the same output.
 */
#ifndef PTCE_GEOCODE_H
#define PTCE_GEOCODE_H

#include "ptce.h"
#include "refdata/refdata.h"

typedef enum geo_status {
    GEO_MATCH,
    GEO_AMBIGUOUS,
    GEO_REJECT
} geo_status;

typedef enum geo_type {
    GEO_TYPE_NONE,
    GEO_TYPE_COORDINATES,   /* the census's own coordinates, checked against the commune */
    GEO_TYPE_ADDRESS,       /* an address point of the BAN (--ban) */
    GEO_TYPE_MUNICIPALITY,  /* the commune's point */
    GEO_TYPE_POSTCODE,      /* the commune of a postal code given alone */
    GEO_TYPE_DEPARTEMENT    /* only the département is known */
} geo_type;

const char *geo_status_name(geo_status s);  /* "match", "ambiguous", "reject" */
const char *geo_type_name(geo_type t);      /* "coordinates", … ; "" for none */

/* What a row says about its place. Any field may be "" (never NULL). */
typedef struct geo_input {
    const char *id;
    const char *insee;
    const char *postcode;
    const char *commune;
    const char *departement;
    const char *address;
    const char *latitude;
    const char *longitude;
    const char *x;          /* Lambert-93 metres */
    const char *y;
} geo_input;

typedef struct geo_result {
    geo_status status;
    geo_type type;
    double score;                 /* 0..1 */
    const commune *commune;       /* NULL when no commune (reject, ambiguous, département) */
    const departement *dep;       /* NULL on reject and on ambiguity across départements */
    const region *reg;
    const char *postcode;         /* the postal code retained, "" when none */
    double lat, lon;              /* WGS 84 point for the map (valid when placed) */
    const char *precision;        /* how precise the point is: "coordonnees", "adresse",
                                   * or a point_precision_name() */
    char postcode_buf[6];
    char note[768];               /* candidates, reason, or what was corrected */
} geo_result;

/* True when the result has a point to draw (match). */
static inline int geo_result_is_placed(const geo_result *r)
{
    return r->status == GEO_MATCH;
}

typedef struct geocoder geocoder;

ptce_status geocoder_new(ptce_ctx *ctx, const refdata *rd, geocoder **out);
void geocoder_free(geocoder *g);

/* Geocodes one row. Always fills `out`; returns an error only for an internal failure
 * (memory, PROJ), never for bad input, which becomes a reject with its reason. */
ptce_status geocode_row(geocoder *g, const geo_input *in, geo_result *out);

/* Exposed for tests and the fuzzer: the normalisations the cascade relies on. */

/* "1000" → "01000", " 69 002 " → "69002"; false when it is not a plausible postal code.
 * *cedex is set when the text mentions CEDEX. */
int geocode_clean_postcode(const char *text, char out[6], int *restored_zero, int *cedex);
/* "1053" → "01053", "2a004" → "2A004"; false when not a plausible INSEE code. */
int geocode_clean_insee(const char *text, char out[6], int *restored_zero);
/* A département given as "01", "1", "2a", "971", "Ain", "13 - Bouches-du-Rhône". */
const departement *geocode_parse_departement(const refdata *rd, const char *text);
/* Folded name keys to try for a commune name, best first ("St-Jean (Le)" → "le saint jean"…).
 * Returns the number written (at most max); each key is at most 127 bytes. */
int geocode_name_variants(const char *name, char keys[][128], int max);

#endif
