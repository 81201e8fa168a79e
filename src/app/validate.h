/*
 * app/validate.h — `ptce-map validate`: what is wrong in a census, said so that the
 * person who keeps the spreadsheet can fix it, before any map is made.
 *
 * Owns: the checks of its own on the cells (identifiers, names, syntax of the place and
 * coordinate cells, members, year, postal code against département) and their wording
 * (French: what is wrong, then what to do); which geocoder remarks and census warnings
 * to report, read by their codes (the geocoder's remarks are worded by present/note.h,
 * their treatment is model/remark.h's table); the two report formats.
 * Does not write files: the caller writes the text or CSV it gets.
 *
 * Severity: an error is something that makes a PTCE miss the map, or lose its identity
 * from one year to the next (duplicate id, unplaceable row, unreadable value); a warning
 * is something a person should look at but that does not stop the map.
 */
#ifndef PTCE_APP_VALIDATE_H
#define PTCE_APP_VALIDATE_H

#include "core/util.h"
#include "app/run.h"

typedef enum validate_severity {
    VALIDATE_ERROR,
    VALIDATE_WARNING
} validate_severity;

/* Where a finding comes from; its `code` is read in that source's list. Tests and tools
 * compare sources and codes, never the wording. */
typedef enum validate_source {
    VALIDATE_CHECK,   /* a check of validate's own on the cells: a validate_check */
    VALIDATE_REMARK,  /* a geocoder remark (model/remark.h): a geo_remark_code; for a row not
                       * placed, the code of its reason (-1 when it has none) */
    VALIDATE_CENSUS   /* a census reader's warning (model/record.h): a census_warning_kind */
} validate_source;

typedef enum validate_check {
    VALIDATE_CHECK_NO_NAME_COLUMN,
    VALIDATE_CHECK_NO_PLACE_COLUMN,
    VALIDATE_CHECK_NO_ID_COLUMN,
    VALIDATE_CHECK_HALF_COORD_COLUMNS,  /* a latitude column without a longitude one, or the reverse */
    VALIDATE_CHECK_NO_ROWS,
    VALIDATE_CHECK_LATLON_HALF,         /* a latitude without its longitude, or the reverse */
    VALIDATE_CHECK_LAT_UNREADABLE,
    VALIDATE_CHECK_LON_UNREADABLE,
    VALIDATE_CHECK_XY_HALF,
    VALIDATE_CHECK_XY_UNREADABLE,
    VALIDATE_CHECK_MEMBERS_NOT_NUMBER,
    VALIDATE_CHECK_MEMBERS_NEGATIVE,
    VALIDATE_CHECK_MEMBERS_FRACTION,
    VALIDATE_CHECK_MEMBERS_HIGH,
    VALIDATE_CHECK_YEAR_UNREADABLE,
    VALIDATE_CHECK_YEAR_OUT_OF_RANGE,
    VALIDATE_CHECK_POSTCODE_NOT_IN_DEP,
    VALIDATE_CHECK_INSEE_NOT_IN_DEP,
    VALIDATE_CHECK_SWALLOWED_ROWS,      /* a cell over several lines holding the separator */
    VALIDATE_CHECK_EMPTY_NAME,
    VALIDATE_CHECK_DERIVED_ID,
    VALIDATE_CHECK_NO_PLACE,            /* no place cell filled at all */
    VALIDATE_CHECK_DUPLICATE_ID,
    VALIDATE_CHECK_SAME_NAME_NO_ID,     /* same name as another row, neither with an id: an error */
    VALIDATE_CHECK_SAME_NAME,           /* same name as another row: a warning */
    VALIDATE_CHECK_LATLON_SAME_AXIS     /* both coordinates carry a hemisphere letter of one
                                         * axis ("48.8 N" and "2.3 N") */
} validate_check;

typedef struct validate_finding {
    validate_severity severity;
    validate_source source;
    int code;           /* in the list of `source` */
    size_t line;        /* physical line of the census (1 = header); 0 for the whole file */
    char *column;       /* header as written in the file ("Code postal"); "" when the
                         * finding is about the row or the file */
    char *problem;      /* what is wrong, one French sentence, owned */
    char *advice;       /* what to do, owned */
    size_t seq;         /* order of discovery, the last sort key */
} validate_finding;

typedef struct validate_report {
    char *path;                  /* the census as given, owned */
    char encoding[16];
    char separator;
    size_t nrows;                /* census records */
    size_t empty_lines;          /* blank lines and rows of empty cells, ignored */
    size_t wide_rows;            /* rows with more cells than the header */
    size_t nplaced, nambiguous, nrejected;
    validate_finding *findings;  /* errors first, then warnings, each by line */
    size_t nfindings, capfindings;
    size_t nerrors, nwarnings;
} validate_report;

/* Reads the census of `opts` (its taxonomy fields are ignored), geocodes it and checks
 * everything. Returns an error only when the census cannot be read at all (the context's
 * message then says why, with the line) or the reference data is missing: findings are
 * not errors of the function. `out` is always initialised and must be freed. */
ptce_status validate_census(ptce_ctx *ctx, const run_options *opts, validate_report *out);

/* What a command needs of a census to make anything of it: a column that can place a row
 * (build, geocode), or one that says what the PTCE does (classify: name, theme or
 * description); and at least one row. Otherwise PTCE_ERR_INPUT with validate's words,
 * the file and line 1, what to do, and a pointer to `ptce-map validate`. */
typedef enum validate_need {
    VALIDATE_NEED_PLACE,
    VALIDATE_NEED_TEXT
} validate_need;
ptce_status validate_require_usable(ptce_ctx *ctx, const census *c, validate_need need);

/* The checks alone, on a run already loaded and geocoded (the census reader's warnings
 * are in run->census); adds to `out` (which must be zeroed or come from an earlier call)
 * and sorts it. */
ptce_status validate_run(ptce_ctx *ctx, const ptce_run *run, validate_report *out);

/* The report for people: errors then warnings, each line naming the file, the line and
 * the column, then what to do; a final count. */
ptce_status validate_format_text(ptce_ctx *ctx, const validate_report *r, util_strbuf *out);

/* The same findings as CSV: UTF-8 with BOM, `;`, CRLF, header
 * ligne;colonne;gravite;probleme;conseil (gravite: erreur | avertissement). */
ptce_status validate_format_csv(ptce_ctx *ctx, const validate_report *r, util_strbuf *out);

void validate_report_free(validate_report *r);

#endif
