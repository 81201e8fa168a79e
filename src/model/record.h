/*
 * model/record.h — the census as the stages see it: a table of text cells, one record per
 * data row with the physical line where it starts, and the column of each role.
 *
 * Owns: the table's memory (census_free) and the read-only accessors. Filled by census/
 * (census_read, census_parse); read by every stage. Includes nothing above the floor.
 */
#ifndef PTCE_MODEL_RECORD_H
#define PTCE_MODEL_RECORD_H

#include <stddef.h>

#include "ptce.h"

/* The columns the pipeline understands. The header names that map to each are listed
 * in census.c and in the user guide; --columns maps any other name. */
typedef enum census_role {
    CENSUS_ROLE_ID,
    CENSUS_ROLE_NOM,
    CENSUS_ROLE_ADRESSE,
    CENSUS_ROLE_CODE_POSTAL,
    CENSUS_ROLE_COMMUNE,
    CENSUS_ROLE_INSEE,
    CENSUS_ROLE_DEPARTEMENT,
    CENSUS_ROLE_LATITUDE,
    CENSUS_ROLE_LONGITUDE,
    CENSUS_ROLE_X,          /* Lambert-93 easting in metres */
    CENSUS_ROLE_Y,          /* Lambert-93 northing in metres */
    CENSUS_ROLE_THEME,      /* declared theme, free text */
    CENSUS_ROLE_DESCRIPTION,
    CENSUS_ROLE_MEMBRES,
    CENSUS_ROLE_ANNEE,
    CENSUS_ROLE_COUNT
} census_role;

/* The role's canonical name, as used by --columns and in messages ("code_postal"). */
const char *census_role_name(census_role role);

typedef struct census_record {
    size_t line;        /* physical line (1-based) where the record starts in the file */
    size_t first_cell;  /* index of its first cell in census.cell_offsets */
} census_record;

/* What the reader noticed and worked around, as a record (census/census.h words it). */
typedef enum census_warning_kind {
    CENSUS_WIDE_ROW,          /* n[0] cells for n[1] header columns: the extra cells ignored */
    CENSUS_DUPLICATE_COLUMN,  /* columns n[0] and n[1] (from 1) share a name: the first read */
    CENSUS_MORE_DUPLICATES,   /* n[0] more columns repeat an earlier name (not listed one by one) */
    CENSUS_ROLE_TWO_COLUMNS,  /* columns n[0] and n[1] (from 1) both name one role: n[0], whose
                               * name is the more usual one, is read */
    CENSUS_MIXED_ENCODING,    /* a UTF-8 file: n[1] bytes of this line, the first at character
                               * n[0], were not UTF-8 and were read as Windows-1252 */
    CENSUS_ROLE_GIVEN_AWAY,   /* column n[0] (from 1), which its name gave to role n[1], was
                               * given another role by --columns: role n[1] has no column */
    CENSUS_HEADER_BELOW       /* the first line does not name known columns: line n[0] (this
                               * warning's line), the first that does, is the header; the
                               * n[1] non-blank lines above it (a title…) are not read */
} census_warning_kind;
/* The last kind: checks of a warning's kind (the fuzzer) test against it. Keep it last. */
#define CENSUS_WARNING_LAST CENSUS_HEADER_BELOW

typedef struct census_warning {
    census_warning_kind kind;
    size_t line;            /* physical line (1 for the header) */
    size_t n[2];
} census_warning;

typedef struct census {
    char *path;             /* as given by the user */
    char encoding[16];      /* "UTF-8", "UTF-8 (BOM)" or "windows-1252" */
    char separator;         /* ';', ',' or '\t' */
    size_t ncols;           /* header width; every record has ncols cells */
    char **header;          /* ncols names, as written in the file (UTF-8) */
    int role_col[CENSUS_ROLE_COUNT]; /* column index of each role, -1 when absent */
    census_record *records;
    size_t nrecords;
    size_t empty_lines;     /* blank lines and rows of empty cells, skipped */
    size_t warnings;        /* rows that carried a warning (extra cells…) */
    census_warning *warns;  /* every warning, in file order; owned */
    size_t nwarns, capwarns;
    /* Cell storage: every cell is a NUL-terminated UTF-8 string in `text`. */
    char *text;
    size_t *cell_offsets;
} census;

void census_free(census *c);

/* The text of a record's cell; "" for a missing role. Never NULL. */
const char *census_cell(const census *c, const census_record *r, size_t col);
const char *census_value(const census *c, const census_record *r, census_role role);

#endif
