/*
 * model/remark.h — what the geocoder says about a row, as records: a code, the census
 * column it concerns and the few values it needs. No French here: present/note.h turns
 * remarks into the sentences users read (result_note, the points' `note`, rejets.csv,
 * validate's report). Consumers (validate, diff, tests) read codes and fields.
 *
 * Owns: the list of remark codes and, next to each, how `validate` treats it on a placed
 * row (said or silent, the advice to give, the check of its own that already covers it):
 * one table, so that a new code cannot be added without deciding these.
 * Does not: word anything, nor know the census (a field is one of geocode_input's cells).
 *
 * Allocation: a geo_result owns its remarks, their texts and its candidates (heap, sized
 * to what there is); geo_result_free() releases them. Commune, département and former
 * commune pointers point into the refdata and live as long as it.
 */
#ifndef PTCE_MODEL_REMARK_H
#define PTCE_MODEL_REMARK_H

#include <stddef.h>

#include "refdata/refdata.h"

/* The cell of geocode_input a remark is about. */
typedef enum geo_field {
    GEO_FIELD_NONE,        /* the row as a whole */
    GEO_FIELD_ID,          /* the row's id (an analyst correction) */
    GEO_FIELD_INSEE,
    GEO_FIELD_POSTCODE,
    GEO_FIELD_COMMUNE,
    GEO_FIELD_DEPARTEMENT,
    GEO_FIELD_ADDRESS,
    GEO_FIELD_LATITUDE,    /* the latitude/longitude pair */
    GEO_FIELD_LONGITUDE,
    GEO_FIELD_X,           /* the Lambert-93 X/Y pair */
    GEO_FIELD_Y,
    GEO_FIELD_COUNT
} geo_field;

/* How `validate` treats a remark on a row that is placed (a reject or an ambiguity is
 * always an error, whatever its remarks). */
typedef enum geo_remark_kind {
    GEO_KIND_SILENT,   /* a harmless correction, or the precision of the point (which the
                        * layers carry in `precision`): nothing to tell the analyst */
    GEO_KIND_WARN,     /* something a person should look at */
    GEO_KIND_REASON    /* the reason a row is not placed; never on a placed row */
} geo_remark_kind;

/* Which advice `validate` gives with the remark (present/note.h words it). */
typedef enum geo_advice {
    GEO_ADVICE_NONE,        /* silent remarks and reasons: no advice of their own */
    GEO_ADVICE_FORMER,      /* replace the former commune by the current one */
    GEO_ADVICE_SPELLING,    /* check it is the right commune, fix the spelling */
    GEO_ADVICE_CONSISTENCY, /* commune, postal code, INSEE code, département must agree */
    GEO_ADVICE_ADD_COMMUNE, /* add the commune for a more precise point */
    GEO_ADVICE_COORDINATES, /* check the coordinates: far from the commune */
    GEO_ADVICE_FIX_VALUE,   /* fix the value, or clear it */
    GEO_ADVICE_SWAP,        /* swap the two columns of the pair */
    GEO_ADVICE_WGS84,       /* write the coordinates in WGS 84 decimal degrees, or clear them */
    GEO_ADVICE_LAMBERT93,   /* X/Y are Lambert-93 metres: fix them, or clear them */
    GEO_ADVICE_CHECK_ROW    /* check this row */
} geo_advice;

/* A check of validate's own that already tells the analyst what the remark says, in words
 * made for the column: when it fired on the row, the remark is not repeated. */
typedef enum geo_covered_by {
    GEO_COVER_NONE,
    GEO_COVER_COORDINATES,     /* validate's checks of the coordinate cells */
    GEO_COVER_POSTCODE_DEP,    /* postal code against the département cell */
    GEO_COVER_INSEE_DEP        /* INSEE code against the département cell */
} geo_covered_by;

/*
 * The codes. X(code, id, kind, advice, covered_by); the comment says which values the
 * remark carries: t0..t2 its texts, c0/c1 its communes, n0..n2 its numbers, dep, former.
 * `id` is the stable name of the code (tests, debugging); it never reaches users.
 */
#define GEO_REMARKS(X)                                                                         \
    /* ---- coordinates ---- */                                                                \
    X(GEO_R_COORD_OFF_LAND, "coord_off_land", WARN, CONSISTENCY, COORDINATES)                  \
    /* n0 lat, n1 lon, n2 km from the nearest commune polygon (c0): ignored */                \
    X(GEO_R_XY_CONVERTED, "xy_converted", SILENT, NONE, COORDINATES)                           \
    /* X/Y Lambert-93 converted; n0 x, n1 y as read */                                         \
    X(GEO_R_XY_SWAPPED, "xy_swapped", WARN, SWAP, NONE)                                        \
    /* X/Y given the wrong way round, swapped and converted; n0 x, n1 y as corrected */        \
    X(GEO_R_XY_OUT_OF_ZONE, "xy_out_of_zone", WARN, LAMBERT93, NONE)                            \
    /* readable X/Y outside Lambert-93's zone: ignored; n0 x, n1 y */                          \
    X(GEO_R_XY_UNREADABLE, "xy_unreadable", WARN, FIX_VALUE, COORDINATES)                      \
    /* t0 x, t1 y as written: ignored */                                                       \
    X(GEO_R_LATLON_INCOMPLETE, "latlon_incomplete", WARN, CHECK_ROW, COORDINATES)              \
    X(GEO_R_XY_INCOMPLETE, "xy_incomplete", WARN, CHECK_ROW, COORDINATES)                      \
    X(GEO_R_LATLON_UNREADABLE, "latlon_unreadable", WARN, FIX_VALUE, COORDINATES)              \
    /* t0 latitude, t1 longitude as written: ignored */                                        \
    X(GEO_R_DECIMAL_COMMA, "decimal_comma", SILENT, NONE, NONE)                                \
    X(GEO_R_COORD_READ_AS, "coord_read_as", SILENT, NONE, NONE)                                \
    /* a coordinate cell (field) read other than as plain decimal degrees: t0 as written, n0  \
     * the value read, n1 how (GEOCODE_READ_* bits: spaces, hemisphere letter, DMS) */        \
    X(GEO_R_LATLON_IN_L93, "latlon_in_l93", SILENT, NONE, COORDINATES)                         \
    /* metres in the latitude/longitude cells, converted from Lambert-93 */                    \
    X(GEO_R_LATLON_SWAPPED, "latlon_swapped", WARN, SWAP, NONE)                                 \
    /* latitude and longitude given the wrong way round; n0 lat, n1 lon as corrected */        \
    X(GEO_R_COORD_OUTSIDE, "coord_outside", WARN, WGS84, NONE)                                 \
    /* n0, n1 as read, outside France's extents: ignored */                                    \
    X(GEO_R_COORD_FAR, "coord_far", WARN, COORDINATES, COORDINATES)                            \
    /* n0 km from c0's polygon, its point kept; c1 the commune holding the point, or NULL */  \
    X(GEO_R_COORD_FAR_OTHER_DEP, "coord_far_other_dep", WARN, COORDINATES, COORDINATES)        \
    /* n0 km from c0's polygon, in c1 of another département */                               \
    /* ---- postal code, département, address cells ---- */                                    \
    X(GEO_R_POSTCODE_UNKNOWN, "postcode_unknown", WARN, FIX_VALUE, NONE)                       \
    /* t0 the code */                                                                          \
    X(GEO_R_POSTCODE_FOREIGN, "postcode_foreign", WARN, CHECK_ROW, NONE)                       \
    /* t0 as written, t1 the country */                                                        \
    X(GEO_R_POSTCODE_UNREADABLE, "postcode_unreadable", WARN, FIX_VALUE, NONE)                 \
    /* t0 as written: ignored */                                                               \
    X(GEO_R_CODE_NUMBER, "code_number", SILENT, NONE, NONE)                                    \
    /* an INSEE or postal code (field) exported as a number ("56152.0"): t0 as written, t1 the \
     * code read */                                                                            \
    X(GEO_R_POSTCODE_ZERO, "postcode_zero", SILENT, NONE, NONE)                                \
    /* leading zero restored; t0 the code as corrected */                                      \
    X(GEO_R_DEP_UNKNOWN, "dep_unknown", WARN, FIX_VALUE, NONE)                                 \
    /* t0 as written: ignored */                                                               \
    X(GEO_R_COMMUNE_FROM_ADDRESS, "commune_from_address", SILENT, NONE, NONE)                  \
    X(GEO_R_QUALIFIER_DEP_MISMATCH, "qualifier_dep_mismatch", WARN, CONSISTENCY, NONE)         \
    /* t0 what the commune cell adds ("(Suisse)", "Bretagne"…), dep the département column's, \
     * kept */                                                                                \
    X(GEO_R_QUALIFIER_POSTCODE, "qualifier_postcode", WARN, CHECK_ROW, NONE)                   \
    /* t0 the postal code read in the commune cell; n0 1 when its leading zero was restored */ \
    X(GEO_R_QUALIFIER_POSTCODE_IGNORED, "qualifier_postcode_ignored", WARN, CHECK_ROW, NONE)   \
    /* t0 the postal code of the commune cell, ignored; t1 the postal code column's, kept */  \
    X(GEO_R_CEDEX, "cedex", SILENT, NONE, NONE)                                                \
    /* ---- commune name ---- */                                                               \
    X(GEO_R_FOREIGN_PLACE, "foreign_place", REASON, NONE, NONE)                                \
    /* t0 the country */                                                                       \
    X(GEO_R_NOT_IN_AREA, "not_in_area", REASON, NONE, NONE)                                    \
    /* t0 the name, t1 the postal code or département code stated; n0 1 for a postal code */   \
    X(GEO_R_NAME_NOT_FOUND, "name_not_found", WARN, CHECK_ROW, NONE)                           \
    /* t0 the name */                                                                          \
    X(GEO_R_NAME_NOT_FOUND_IN_AREA, "name_not_found_in_area", REASON, NONE, NONE)              \
    X(GEO_R_NAME_NOT_FOUND_NO_AREA, "name_not_found_no_area", REASON, NONE, NONE)              \
    X(GEO_R_NAME_NOT_FOUND_OFF_LAND, "name_not_found_off_land", REASON, NONE, NONE)            \
    /* t0 the name (and the coordinates are outside the land) */                               \
    X(GEO_R_AMBIG_PREFIX, "ambig_prefix", REASON, NONE, NONE)                                  \
    X(GEO_R_AMBIG_FUZZY, "ambig_fuzzy", REASON, NONE, NONE)                                    \
    X(GEO_R_AMBIG_IN_AREA, "ambig_in_area", REASON, NONE, NONE)                                \
    X(GEO_R_AMBIG_NAME, "ambig_name", REASON, NONE, NONE)                                      \
    X(GEO_R_NEAR_NAME_OUTSIDE_POSTCODE, "near_name_outside_postcode", REASON, NONE, NONE)      \
    /* no commune of the postal code bears the name, not even nearly; the candidates have \
     * a near name in the département: t0 the name, t1 the postal code */                   \
    X(GEO_R_CANDIDATES, "candidates", REASON, NONE, NONE)                                      \
    /* the result's candidates */                                                              \
    X(GEO_R_FORMER_COMMUNE, "former_commune", WARN, FORMER, NONE)                              \
    /* former: the former commune named, c0 the current one */                                 \
    X(GEO_R_NAME_CORRECTED, "name_corrected", WARN, SPELLING, NONE)                            \
    /* t0 the name, t1 the name it was corrected to (typing errors), c0 the commune */          \
    X(GEO_R_NAME_PREFIX, "name_prefix", WARN, SPELLING, NONE)                                  \
    /* t0 the name, c0 the only commune of the area whose name starts the same */              \
    X(GEO_R_NAME_READ_AS, "name_read_as", SILENT, NONE, NONE)                                  \
    /* t0 the name, c0 (an abbreviation or an article read the usual way) */                   \
    X(GEO_R_POSTCODE_MISMATCH_DEP, "postcode_mismatch_dep", WARN, CONSISTENCY, POSTCODE_DEP)   \
    /* t0 the postal code, c0 the commune kept by the département */                           \
    X(GEO_R_DEP_DIFFERS, "dep_differs", WARN, CHECK_ROW, NONE)                                 \
    /* c0 the commune, dep the département stated */                                           \
    X(GEO_R_ROUTING_NAME, "routing_name", WARN, CHECK_ROW, NONE)                               \
    /* t0 the name (a postal routing name), c0 the commune kept */                             \
    X(GEO_R_NAME_ONLY, "name_only", SILENT, NONE, NONE)                                        \
    /* ---- INSEE code ---- */                                                                 \
    X(GEO_R_INSEE_UNREADABLE, "insee_unreadable", WARN, FIX_VALUE, NONE)                       \
    /* t0 as written: ignored */                                                               \
    X(GEO_R_OUTSIDE_COLLECTIVITY, "outside_collectivity", REASON, NONE, NONE)                  \
    /* t0 the place's name, t1 its INSEE code, t2 the collectivity */                          \
    X(GEO_R_INSEE_FORMER, "insee_former", WARN, FORMER, NONE)                                  \
    /* t0 the code, former (its name may be ""), c0 the current commune */                     \
    X(GEO_R_INSEE_UNKNOWN, "insee_unknown", WARN, FIX_VALUE, NONE)                             \
    /* t0 the code: ignored */                                                                 \
    X(GEO_R_INSEE_ZERO, "insee_zero", SILENT, NONE, NONE)                                      \
    /* leading zero restored; t0 the code as corrected */                                      \
    X(GEO_R_INSEE_ARRONDISSEMENT, "insee_arrondissement", SILENT, NONE, NONE)                  \
    /* the city's code kept; c0 the arrondissement the row also states */                      \
    X(GEO_R_ARRONDISSEMENT_UNDETERMINED, "arrondissement_undetermined", SILENT, NONE, NONE)    \
    /* the name is the city's and its postal code serves several of its arrondissements:   \
     * placed on the city; t0 the postal code, c0/c1 the first two arrondissements, n0 how \
     * many */                                                                              \
    X(GEO_R_INSEE_POSTCODE_MISMATCH, "insee_postcode_mismatch", WARN, CONSISTENCY,             \
      POSTCODE_DEP)                                                                            \
    /* t0 the postal code, c0 the commune of the code */                                       \
    X(GEO_R_INSEE_CONTRADICTS, "insee_contradicts", WARN, CONSISTENCY, INSEE_DEP)              \
    /* c0 the commune of the code, c1 the commune of the name and postal code, kept */         \
    X(GEO_R_AMBIG_INSEE_NAME, "ambig_insee_name", REASON, NONE, NONE)                          \
    X(GEO_R_INSEE_NAME_MISMATCH, "insee_name_mismatch", WARN, CONSISTENCY, NONE)               \
    /* t0 the name, c0 the commune of the code, kept */                                        \
    X(GEO_R_INSEE_NAME_PART, "insee_name_part", WARN, SPELLING, NONE)                          \
    /* the name agrees with the code's commune c0 (kept) without being its name: t0 the name, \
     * t1 the name it is a part of (c0's, or former's when set); t1 NULL: a near spelling */  \
    /* ---- postal code alone, coordinates alone, département alone ---- */                    \
    X(GEO_R_POSTCODE_ONLY, "postcode_only", SILENT, NONE, NONE)                                \
    X(GEO_R_AMBIG_POSTCODE, "ambig_postcode", REASON, NONE, NONE)                              \
    X(GEO_R_COORD_NO_COMMUNE, "coord_no_commune", REASON, NONE, NONE)                          \
    /* n0 km to the nearest commune */                                                         \
    X(GEO_R_POINT_IN_COMMUNE, "point_in_commune", SILENT, NONE, NONE)                          \
    /* c0 the commune whose polygon holds the point deduced from */                           \
    X(GEO_R_POINT_NEAR_COMMUNE, "point_near_commune", WARN, COORDINATES, COORDINATES)          \
    /* n0 metres outside every polygon, c0 the nearest commune, within the tolerance */       \
    X(GEO_R_POINT_PULLED_INSIDE, "point_pulled_inside", SILENT, NONE, NONE)                    \
    /* n0 metres the point was moved to lie just inside c0's polygon */                       \
    X(GEO_R_POINT_OUTSIDE_DEP, "point_outside_dep", WARN, CONSISTENCY, NONE)                   \
    /* dep the département stated */                                                          \
    X(GEO_R_COORD_OFF_LAND_ALONE, "coord_off_land_alone", REASON, NONE, NONE)                  \
    X(GEO_R_DEP_ONLY, "dep_only", WARN, ADD_COMMUNE, NONE)                                     \
    /* c0 the chef-lieu where the point is put */                                              \
    X(GEO_R_POSTCODE_NO_NAME, "postcode_no_name", REASON, NONE, NONE)                          \
    /* t0 the postal code; n0 1 when it is a CEDEX code, 0 when unknown */                     \
    X(GEO_R_NOTHING_RECOGNISED, "nothing_recognised", REASON, NONE, NONE)                      \
    X(GEO_R_NO_PLACE, "no_place", REASON, NONE, NONE)                                          \
    /* ---- BAN address points ---- */                                                        \
    X(GEO_R_BAN_MISSING, "ban_missing", WARN, CHECK_ROW, NONE)                                 \
    /* t0 the address as written */                                                            \
    X(GEO_R_BAN_FAR, "ban_far", WARN, COORDINATES, NONE)                                       \
    /* n0 km between the BAN's point and the census's coordinates (kept) */                    \
    X(GEO_R_BAN_OTHER_COMMUNE, "ban_other_commune", SILENT, NONE, NONE)                        \
    /* c0 the commune (an arrondissement…) where the BAN files the address */                  \
    X(GEO_R_BAN_EXACT, "ban_exact", SILENT, NONE, NONE)                                        \
    /* n0 number, t0 its repetition index ("bis"…), t2 the street */                          \
    X(GEO_R_BAN_NUMBER_NEAR, "ban_number_near", SILENT, NONE, NONE)                            \
    /* n0 number asked, t0 its rep; n1 number placed, t1 its rep; t2 the street */             \
    X(GEO_R_BAN_STREET, "ban_street", SILENT, NONE, NONE)                                      \
    /* t2 the street: its middle point */                                                      \
    X(GEO_R_BAN_STREET_FUZZY, "ban_street_fuzzy", SILENT, NONE, NONE)                          \
    /* t2 the BAN's spelling of the street */                                                  \
    /* ---- analyst corrections (overrides.csv) ---- */                                       \
    X(GEO_R_OVERRIDE, "override", SILENT, NONE, NONE)                                          \
    /* n0 line of overrides.csv, t0 its note */                                                \
    X(GEO_R_OVERRIDE_NO_COMMUNE, "override_no_commune", REASON, NONE, NONE)                    \
    /* n0 line, t0 note: no commune near the corrected point */                                \
    X(GEO_R_OVERRIDE_FORMER_CODE, "override_former_code", WARN, FORMER, NONE)                  \
    /* t0 the former code written in overrides.csv, c0 its current commune */                  \
    X(GEO_R_OVERRIDE_POINT_FAR, "override_point_far", SILENT, NONE, NONE)                      \
    /* n0 km between the corrected point and c0's polygon */                                  \
    /* ---- the point, when it is not the commune's own ---- */                                \
    X(GEO_R_POINT_PARENT, "point_parent", SILENT, NONE, NONE)                                  \
    /* t0 the city whose point an arrondissement takes */                                      \
    X(GEO_R_POINT_RECREATED, "point_recreated", SILENT, NONE, NONE)                            \
    /* c0 the commune, re-created since 2018: no polygon of its own, its point is inside   */ \
    /* the 2018 polygon of c0->contour */

typedef enum geo_remark_code {
#define GEO_REMARK_ENUM(code, id, kind, advice, cover) code,
    GEO_REMARKS(GEO_REMARK_ENUM)
#undef GEO_REMARK_ENUM
    GEO_REMARK_COUNT
} geo_remark_code;

typedef struct geo_remark {
    geo_remark_code code;
    geo_field field;              /* the census cell it concerns */
    char *text[3];                /* cells as written, names as read, corrected values;
                                   * owned by the result, NULL when unused */
    const commune *commune[2];    /* communes it names, NULL when unused */
    const departement *dep;
    const refdata_former_commune *former;
    double num[3];
} geo_remark;

/* The stable name of a code ("xy_swapped"); "" for a value out of range. */
const char *geo_remark_id(geo_remark_code code);
/* How validate treats the code on a placed row, the advice it gives, what covers it. */
geo_remark_kind geo_remark_kind_of(geo_remark_code code);
geo_advice geo_remark_advice(geo_remark_code code);
geo_covered_by geo_remark_covered_by(geo_remark_code code);

#endif
