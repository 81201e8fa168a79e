/*
 * model/placement.h — where a census row was placed: the geocoder's decision as the later
 * stages read it (status, type, commune, point, score, precision, remarks).
 *
 * Filled by geocode/ (geocode_row); read by aggregate/, diff/, present/ and app/. Its
 * commune, département and former commune pointers point into the reference data; its
 * remarks (model/remark.h), their texts and its candidates are owned by the result, heap
 * allocated to their size, and released by geo_result_free(). Includes nothing above the
 * floor.
 */
#ifndef PTCE_MODEL_PLACEMENT_H
#define PTCE_MODEL_PLACEMENT_H

#include "model/remark.h"
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
    GEO_TYPE_POSTCODE,      /* the commune of a postal code given alone (its own point) */
    GEO_TYPE_DEPARTEMENT,   /* only the département is known */
    GEO_TYPE_APPROXIMATE    /* the commune is known but has no point of its own: a point
                             * standing for it that may lie outside it (see geo_accuracy) */
} geo_type;

const char *geo_status_name(geo_status s);  /* "match", "ambiguous", "reject" */
const char *geo_type_name(geo_type t);      /* "coordinates", … ; "" for none */

/* How close the drawn point is to the place, in four classes the map shows (full symbols
 * for the first two, hollow ones for the others). Decided by the geocoder from the type
 * and the commune's refdata_point_precision. */
typedef enum geo_accuracy {
    GEO_ACCURACY_NONE,        /* not placed */
    GEO_ACCURACY_PLACE,       /* the place itself: the census's coordinates (inside the
                               * commune), a BAN address point */
    GEO_ACCURACY_COMMUNE,     /* the commune's own point, inside its outline: its town
                               * point or, without one, a point inside its polygon */
    GEO_ACCURACY_APPROXIMATE, /* a point standing for the commune that may lie outside
                               * it: an arrondissement at its city's point, a point from
                               * neighbouring communes, a re-created commune's fallback */
    GEO_ACCURACY_DEPARTEMENT  /* only the département is known: its chef-lieu */
} geo_accuracy;

/* "lieu", "commune", "approche", "departement"; "" for none. */
const char *geo_accuracy_name(geo_accuracy a);
/* True for the classes the map draws hollow. */
static inline int geo_accuracy_is_approximate(geo_accuracy a)
{
    return a == GEO_ACCURACY_APPROXIMATE || a == GEO_ACCURACY_DEPARTEMENT;
}

typedef struct geo_result {
    geo_status status;
    geo_type type;
    double score;                 /* 0..1: how sure the commune is (GEO_SCORE_* in
                                   * geocode/geocode.h); 0 unless matched */
    const commune *commune;       /* NULL when no commune (reject, ambiguous, département) */
    const departement *dep;       /* NULL on reject and on ambiguity across départements */
    const region *reg;
    const char *postcode;         /* the postal code retained, "" when none */
    double lat, lon;              /* WGS 84 point for the map (valid when placed) */
    geo_accuracy accuracy;        /* the class of the point for the map */
    const char *precision;        /* how precise the point is: "coordonnees", "adresse",
                                   * or the commune's refdata_point_precision_name() ("geonames",
                                   * "code_postal", "departement"…); "" unless matched */
    char postcode_buf[6];
    const refdata_former_commune *former; /* the former commune the row names (by its name or its
                                   * INSEE code), when the commune retained is its successor
                                   * (or an arrondissement of it); NULL otherwise */
    const commune **candidates;   /* an ambiguity's candidates, by INSEE code; owned */
    size_t ncandidates;
    int candidates_overflow;      /* more candidates than the geocoder keeps */
    geo_remark *remarks;          /* what was read, corrected, doubted, or why the row is
                                   * not placed (then first); owned */
    size_t nremarks, capremarks;
} geo_result;

/* Releases what the result owns (remarks, their texts, candidates) and zeroes it. */
void geo_result_free(geo_result *r);

/* Makes dst a copy of src that owns its own remarks, their texts and its candidates
 * (whatever dst held is overwritten, not freed); the pointers into the reference data are
 * kept, so dst is valid as long as src's reference data is. Returns 0, or -1 when memory
 * runs out (dst then empty, as after geo_result_free). */
int geo_result_copy(geo_result *dst, const geo_result *src);

/* The first remark with this code, NULL when none. */
const geo_remark *geo_result_find(const geo_result *r, geo_remark_code code);

/* True when the result has a point to draw (match). */
static inline int geo_result_is_placed(const geo_result *r)
{
    return r->status == GEO_MATCH;
}

#endif
