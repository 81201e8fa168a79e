/*
 * geocode/geocode.h — from what a census row says about a place to a current commune and
 * a point, with a status, a type, a score and remarks that say why.
 *
 * Owns: reading place fields as people type them (postal codes without their leading zero,
 * CEDEX, abbreviations, articles, arrondissements, addresses in one cell, coordinates with
 * a decimal comma or swapped or in Lambert-93), the matching cascade, coordinate checks,
 * analyst corrections (overrides.csv) and BAN address points. Does not write files.
 * The user documentation of all this is docs/geocodage.md.
 *
 * Principles:
 *  - an honest "ambiguous" beats a guess: homonyms that nothing separates are reported
 *    with their candidates, never picked by population; garbage and foreign places are
 *    rejected with a reason;
 *  - fuzzy matching (one or two typing errors, a name's first words) is only tried inside
 *    the postal code or département the row states, and never crosses a stated département;
 *  - every result says what was corrected (its remarks, model/remark.h; present/note.h
 *    words them) and how precise its point is (the precision), and its score says how
 *    sure the commune is;
 *  - ties are broken by INSEE code, so the same input always gives the same output.
 *
 * A geocoder is not thread-safe (it builds a few things on first use); use one per thread.
 */
#ifndef PTCE_GEOCODE_H
#define PTCE_GEOCODE_H

#include <stdbool.h>

#include "model/placement.h"
#include "ptce.h"
#include "refdata/codes.h"
#include "refdata/refdata.h"

/* What a row says about its place. Any field may be "" (never NULL). */
typedef struct geocode_input {
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
} geocode_input;

/* The scores of geo_result.score: how sure the commune is, by what decided it. Documented
 * for users in docs/geocodage.md (« Repères pour le score »); defined here only. */
#define GEOCODE_SCORE_EXACT 1.0             /* INSEE code, exact name with its postal code, a
                                         * correction, a BAN address at its number */
#define GEOCODE_SCORE_NAME_IN_DEP 0.95      /* exact name inside the stated département only */
#define GEOCODE_SCORE_NAME_ALONE 0.9        /* exact name, nothing else to confirm it */
#define GEOCODE_SCORE_POSTCODE_ALONE 0.9    /* the one commune of a postal code given alone */
#define GEOCODE_SCORE_ONE_TYPO 0.85         /* a name with one typing error */
#define GEOCODE_SCORE_CONTRADICTED 0.8      /* postal code, code, coordinates or département
                                         * contradict the commune: also the cap */
#define GEOCODE_SCORE_TWO_TYPOS 0.75        /* a name with two typing errors */
#define GEOCODE_SCORE_NAME_PREFIX 0.7       /* a name's first words, or a post-office name */
#define GEOCODE_SCORE_POINT_IN_COMMUNE 0.9  /* coordinates alone, inside the commune's polygon */
#define GEOCODE_SCORE_POINT_NEAR_COMMUNE 0.8 /* coordinates alone, outside every polygon but
                                          * within the tolerance of this one */
#define GEOCODE_SCORE_POINT_OUTSIDE_DEP 0.5 /* coordinates alone, outside the stated département */
#define GEOCODE_SCORE_DEPARTEMENT_ALONE 0.3 /* only the département is known */
#define GEOCODE_SCORE_FORMER_FACTOR 0.98    /* applied to a match through a former commune */
#define GEOCODE_SCORE_BAN_NUMBER_NEAR 0.9   /* BAN: the nearest number on the same side, at most */
#define GEOCODE_SCORE_BAN_STREET 0.8        /* BAN: the street's middle point, at most */
#define GEOCODE_SCORE_BAN_FUZZY_FACTOR 0.95 /* BAN: a street name with a typing error */
/* Caps when the point drawn is not the commune's own (the score then says how sure the
 * point is, not only the commune). */
#define GEOCODE_SCORE_CAP_PARENT_POINT 0.9    /* an arrondissement at its city's point: a few km */
#define GEOCODE_SCORE_CAP_RECREATED_POINT 0.7 /* a re-created commune, at a point of the 2018
                                           * commune that held it: a few km */

typedef struct geocoder geocoder;

ptce_status geocode_new(ptce_ctx *ctx, const refdata *rd, geocoder **out);
void geocode_free(geocoder *g);

/* Analyst corrections, applied before anything else (option --overrides of the CLI).
 * `path` is a `;`-separated CSV, UTF-8 (BOM allowed) or Windows-1252, with the header
 *     id;insee;latitude;longitude;note
 * (columns in any order; `insee` or `latitude`+`longitude` may be left out, `note` too).
 * Each row fixes the census row whose id (geocode_input.id) is equal: an INSEE code (a former
 * code is read as its current commune), coordinates in WGS 84 (decimal point or comma), or
 * both. The file is checked whole at load time: an unreadable value, an unknown INSEE code,
 * coordinates outside the 18 regions or an id given twice is an error whose message names
 * the file, the line and the column. Loading again replaces the previous corrections. */
ptce_status geocode_load_overrides(geocoder *g, const char *path);

/* Street addresses of the Base Adresse Nationale (option --ban of the CLI): one or more
 * BAN CSV files ("adresses-DD.csv" per département, `;`-separated, plain or gzip-compressed,
 * header id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;…;lon;lat;…).
 * Rows whose address cell holds a street are then placed on the address point (type
 * "address", precision "adresse") inside the commune the cascade found (for Paris, Lyon
 * and Marseille, in the arrondissement where the BAN files the street, which becomes the
 * result's commune); a missing number takes the nearest one on the same side; without a
 * number, the street's middle point; when the street is not in the file, the commune's
 * point as before, with a note. Several calls add up. About 60 bytes per address point:
 * load the départements needed, not the whole country. */
ptce_status geocode_load_ban(geocoder *g, const char *const *paths, size_t n);

/* The corrections whose id no row geocoded so far carried (in id order), one by one:
 * start with *next = 0; returns the id (owned by the geocoder) and sets *line, its line in
 * the corrections file; NULL when there are no more. */
const char *geocode_unused_override(const geocoder *g, size_t *next, size_t *line);

/* How many corrections and BAN address points are loaded. */
size_t geocode_overrides_count(const geocoder *g);
size_t geocode_ban_count(const geocoder *g);

/* Geocodes one row. Always fills `out` (whatever it held before is overwritten, not
 * freed): call geo_result_free() on it afterwards. Returns an error only for an internal
 * failure (memory, PROJ), never for bad input, which becomes a reject with its reason. */
ptce_status geocode_row(geocoder *g, const geocode_input *in, geo_result *out);

/* Exposed for tests and the fuzzer: the normalisations the cascade relies on. */

/* "1000" → "01000", " 69 002 " → "69002", "F-69002" → "69002"; false when it is not a
 * plausible French postal code ("7500O", "CH-1201", "4000-322", "99999"). *cedex is set
 * when the text mentions CEDEX. */
int geocode_clean_postcode(const char *text, char out[6], int *restored_zero, int *cedex);
/* Whether a clean postal code (geocode_clean_postcode) serves département `dep_code`, as
 * the geocoder reads it: one of the communes La Poste lists for it lies there, or, for a
 * code La Poste does not list (or a CEDEX one, `cedex` set), its prefix points there. */
bool geocode_postcode_in_departement(const refdata *rd, const char *postcode, int cedex,
                                     const char *dep_code);
/* A coordinate cell as spreadsheets and people write it. Besides plain decimal degrees
 * (or metres), what was read, as bits of `how`: */
enum {
    GEOCODE_READ_COMMA = 1,      /* a decimal comma: "48,85" */
    GEOCODE_READ_SPACES = 2,     /* no-break, thin or narrow no-break spaces around the number,
                                  * or spaces between groups of three digits ("652 345,5") */
    GEOCODE_READ_HEMISPHERE = 4, /* a hemisphere letter: "48.85 N", "2,35 O", "W 1.5" */
    GEOCODE_READ_DMS = 8         /* degrees, minutes, seconds: 48°51'24"N, 48°51,4' */
};

/* Which axis a hemisphere letter gives: N/S a latitude, E/O/W a longitude. */
typedef enum geocode_axis { GEOCODE_AXIS_NONE, GEOCODE_AXIS_LATITUDE, GEOCODE_AXIS_LONGITUDE } geocode_axis;

/* Reads one coordinate cell. Returns 1 with *value (S, O and W negative), *axis (what its
 * letter says, GEOCODE_AXIS_NONE without one) and *how set; 0 when the cell is not one
 * unambiguous number: text, "1.234,5" (a point and a comma), a sign with a letter
 * ("-2.35 E"), minutes or seconds of 60 or more, groups of other than three digits. */
int geocode_read_coordinate(const char *text, double *value, geocode_axis *axis, unsigned *how);

/* A département given as "01", "1", "2a", "971", "Ain", "13 - Bouches-du-Rhône". */
const departement *geocode_parse_departement(const refdata *rd, const char *text);
/* What a trailing part of a commune cell says besides the name: "…, France", "(Guadeloupe)",
 * "- 43", "(43100)", "DOM", "Bretagne", "(Suisse)". */
typedef enum geocode_qualifier_kind {
    GEOCODE_QUAL_NONE,      /* not a qualifier: part of the name */
    GEOCODE_QUAL_FRANCE,    /* the country itself: adds nothing */
    GEOCODE_QUAL_FOREIGN,   /* another country */
    GEOCODE_QUAL_AREA,      /* one or more départements: a département, a region, "DOM"… */
    GEOCODE_QUAL_POSTCODE   /* a postal code (leading zero restored) */
} geocode_qualifier_kind;

#define GEOCODE_QUAL_MAX_DEPS 16

typedef struct geocode_qualifier {
    geocode_qualifier_kind kind;
    const char *label;          /* what it was read as (a département's or region's name,
                                 * "France", "DOM", the country); static or refdata text */
    const departement *deps[GEOCODE_QUAL_MAX_DEPS]; /* GEOCODE_QUAL_AREA, in code order */
    int ndeps;
    const departement *dep;     /* GEOCODE_QUAL_AREA when it names exactly one département */
    char postcode[6];           /* GEOCODE_QUAL_POSTCODE */
    int restored_zero;
} geocode_qualifier;

/* Reads `text` (a whole cell part, e.g. the inside of a parenthesis) as a qualifier.
 * Département codes of one digit ("1") are only accepted when `short_codes` is set (a
 * département column, a parenthesis); a bare trailing word must say more. Returns kind. */
geocode_qualifier_kind geocode_read_qualifier(const refdata *rd, const char *text, int short_codes,
                                          geocode_qualifier *q);

/* Folded name keys to try for a commune name, best first ("St-Jean (Le)" → "le saint jean"…).
 * Returns the number written (at most max); each key is at most 127 bytes. */
int geocode_name_variants(const char *name, char keys[][128], int max);

/* The street part of a free address: "12 bis r. de la République, 69002 Lyon" gives
 * number 12, rep "bis", key "rue republique" (folded, abbreviations expanded, little words
 * dropped). Postal code, city, BP/CS/CEDEX and building lines are left out.
 * Returns 1 when a street was found, 0 otherwise (out->key is then ""). */
typedef struct geocode_street {
    int number;        /* 0 when no number */
    char rep[8];       /* "bis", "ter", "a"…; "" when none */
    char key[128];
} geocode_street;
int geocode_parse_street(const char *address, geocode_street *out);

#endif
