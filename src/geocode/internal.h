/*
 * geocode/internal.h — what the geocoder's own files share (geocode.c, normalize.c, ban.c,
 * overrides.c). Not for use outside src/geocode/.
 */
#ifndef PTCE_GEOCODE_INTERNAL_H
#define PTCE_GEOCODE_INTERNAL_H

#include <geos_c.h>
#include <proj.h>
#include <stdint.h>

#include "core/util.h"
#include "geocode/geocode.h"
#include "geom/geom.h"
#include "text/fold.h"

/* One name the fuzzy scan compares with: a commune's own name or a former commune's. The
 * letter mask and the length let most names be skipped without computing a distance. */
typedef struct geocode_fuzzy_entry {
    const char *key;
    const commune *commune;
    const refdata_former_commune *former; /* for REFDATA_NAME_FORMER */
    uint32_t mask;                /* bit i: letter 'a' + i occurs; bit 26: a digit; 27: other */
    uint16_t len;
    uint8_t source;               /* refdata_name_source */
} geocode_fuzzy_entry;

typedef struct geocode_ban_index geocode_ban_index;           /* ban.c */
typedef struct geocode_override_table geocode_override_table; /* overrides.c */

struct geocoder {
    ptce_ctx *ctx;
    const refdata *rd;
    PJ *l93_to_wgs84;        /* created on first use */
    geocode_fuzzy_entry *fuzzy;      /* grouped by département, in the order of rd->deps */
    size_t *fuzzy_start;     /* rd->ndeps + 1 offsets into fuzzy */
    geocode_ban_index *ban;          /* NULL until geocode_load_ban */
    geocode_override_table *overrides; /* NULL until geocode_load_overrides */
    int oom;                 /* memory ran out while geocoding the current row */
    ptce_status failed;      /* the commune polygons could not be read while geocoding the
                              * current row (the message is in the context) */
    geo_remark scratch;      /* where remarks go when memory runs out (remark.c) */
};

/* ---- normalize.c ----------------------------------------------------------------------- */

/* True when the text says CEDEX (any case, "Cédex" too). */
int geocode_mentions_cedex(const char *text);

/* True when the text holds a letter or a digit once folded ("-", "?" and " " do not). */
int geocode_has_content(const char *text);

/* Letter mask of a folded key, as in geocode_fuzzy_entry. */
uint32_t geocode_letter_mask(const char *key);

/* The foreign country a folded text names as a word ("geneve suisse" → "Suisse"), or NULL.
 * Only whole words at the end of the text, or the whole text, count. */
const char *geocode_foreign_country(const char *folded);

/* A foreign postal code prefix ("CH-1201", "B-1000", "D-66111"): the country, else NULL. */
const char *geocode_foreign_postcode(const char *text);

/* The normalised key of a street name: folded, abbreviations expanded ("r" → "rue",
 * "bd" → "boulevard"), little words dropped ("de", "la"…). Returns its length. */
size_t geocode_street_key(const char *name, char *out, size_t size);

/* ---- geocode.c ------------------------------------------------------------------------- */

double geocode_distance_km(double lat1, double lon1, double lat2, double lon2);
/* True when the point lies in one of the five areas of the 18 regions (rough boxes). */
int geocode_in_france_box(double lat, double lon);

/* ---- remark.c -------------------------------------------------------------------------- */

/* A new remark at `pos` (at the end for geocode_remark_add), zeroed but for its code and field.
 * Never NULL: without memory it is the geocoder's scratch slot and g->oom is set. */
geo_remark *geocode_remark_insert(geocoder *g, geo_result *r, size_t pos, geo_remark_code code,
                          geo_field field);
geo_remark *geocode_remark_add(geocoder *g, geo_result *r, geo_remark_code code, geo_field field);
/* Sets text slot `slot` of the remark to a copy of `text` (NULL is taken as ""). */
void geocode_remark_text(geocoder *g, geo_remark *m, int slot, const char *text);
/* Releases the scratch slot's texts (geocode_free). */
void geocode_remark_scratch_free(geocoder *g);

/* ---- overrides.c ----------------------------------------------------------------------- */

typedef struct geocode_override_entry {
    const char *id;
    const commune *commune;   /* NULL when only coordinates are given */
    const char *code_given;   /* the code as written, when it was a former code */
    int has_point;
    double lat, lon;
    const char *note;
    size_t line;
} geocode_override_entry;

const geocode_override_entry *geocode_overrides_find(const geocode_override_table *t, const char *id);
size_t geocode_overrides_size(const geocode_override_table *t);
const char *geocode_overrides_path(const geocode_override_table *t);
void geocode_overrides_free(geocode_override_table *t);
/* Notes that a row carried the entry's id (geocode_unused_override lists the others). */
void geocode_overrides_mark_used(geocode_override_table *t, const geocode_override_entry *e);

/* ---- ban.c ----------------------------------------------------------------------------- */

typedef enum geocode_ban_match {
    GEOCODE_BAN_NONE,
    GEOCODE_BAN_EXACT,        /* number (and repetition index) found */
    GEOCODE_BAN_NUMBER_NEAR,  /* the number is missing from the street: the nearest one */
    GEOCODE_BAN_STREET        /* no number given: the street's middle point */
} geocode_ban_match;

typedef struct geocode_ban_hit {
    geocode_ban_match match;
    double lat, lon;
    const commune *commune;   /* where the BAN files the address (an arrondissement…) */
    int number;               /* the number placed, 0 for a street */
    char rep[8];
    const char *street;       /* the BAN's spelling of the street */
    int street_fuzzy;         /* the street name was read with a typing error */
} geocode_ban_hit;

/* Looks the street address up among the commune's BAN points. Returns 1 with *hit filled,
 * 0 when not found; *covered says whether the commune's département was loaded at all. */
int geocode_ban_locate(const geocode_ban_index *b, const refdata *rd, const commune *m, const geocode_street *s,
               geocode_ban_hit *hit, int *covered);
size_t geocode_ban_size(const geocode_ban_index *b);
void geocode_ban_free(geocode_ban_index *b);

#endif
