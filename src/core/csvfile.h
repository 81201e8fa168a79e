/*
 * core/csvfile.h — CSV files as spreadsheets and open-data portals exchange them: the one
 * reader (on libcsv) and the one set of writing conventions. Knows nothing of the domain.
 *
 * Reading. Every CSV input of ptce-map (the census, --groups, --overrides, --ban) goes
 * through here, so that all of them accept the same things: UTF-8 with or without a BOM
 * or Windows-1252 (decided on the whole file), `;`, tab or `,` (the most frequent on the
 * header line outside quotes; ties go to `;`, then tab), quotes and doubled quotes, line
 * breaks and separators inside quoted cells, LF, CRLF or a lone CR (old Mac exports).
 * Nothing is cut silently: a cell longer than the caller allows is an error naming the
 * file, the line and the column. Blank rows are skipped (and counted). Rows are
 * numbered by the physical line where they start, for messages.
 *
 * Ownership: a csvfile_table owns its strings (csvfile_table_free); a stream hands each row to a
 * callback whose cells live until the callback returns.
 */
#ifndef PTCE_CORE_CSVFILE_H
#define PTCE_CORE_CSVFILE_H

#include <stddef.h>

#include "core/util.h"
#include "ptce.h"

/* ---- writing ---------------------------------------------------------------------------- */

/* What every CSV file ptce-map writes for spreadsheets looks like: UTF-8 with a BOM (so that
 * Excel shows accents), `;` between cells (French locale), CRLF line ends. */
#define CSVFILE_OUT_BOM UTIL_UTF8_BOM
#define CSVFILE_OUT_SEP ';'
#define CSVFILE_OUT_EOL "\r\n"
/* Decimal numbers with a comma ("12,5"), as a French spreadsheet reads them as numbers.
 * Codes are written as they are ("01", "2A"): a spreadsheet opening the file directly may
 * read "01" as the number 1 — import the column as text, or use synthese.xlsx, where codes
 * are text cells. A ="01" formula or a leading apostrophe would keep the zero in Excel but
 * corrupt the value for every other reader (R, Python, QGIS joins), so neither is used. */
#define CSVFILE_OUT_DECIMAL ','

/* Appends one CSV cell (with the separator before it unless first): quoted when it holds
 * the separator, a quote or a line break, or needs defusing; defused with an apostrophe wherever a cell of either reading (the start, or
 * just after any separator a spreadsheet might split on: `;`, `,`, tab — not only `sep`) would run as a formula (=, +, -, @ not followed by
 * a number): "'=SOMME(A1)", "a,'=HYPERLINK(…)". */
void csvfile_append_cell(util_strbuf *sb, const char *text, char sep, int first);

/* Appends a decimal number with `decimals` decimals and the French decimal comma. */
void csvfile_append_decimal(util_strbuf *sb, double v, int decimals, char sep, int first);

/* Starts a file (the BOM) and ends a row (CRLF), with the conventions above. */
void csvfile_begin(util_strbuf *sb);
void csvfile_end_row(util_strbuf *sb);

/* ---- reading ---------------------------------------------------------------------------- */

typedef struct csvfile_read_options {
    size_t max_cell;   /* longest cell accepted, in bytes; 0 for no limit */
} csvfile_read_options;

typedef struct csvfile_row {
    size_t line;       /* physical line (1-based) where the row starts */
    size_t first_cell; /* index of its first cell in csvfile_table.cell_offsets */
    size_t extra;      /* cells beyond the header's width, dropped (0 normally) */
} csvfile_row;

/* A whole file read at once. Row 0 is the header; every data row has ncols cells (short
 * rows are padded with empty cells, long ones lose the extra cells, counted in `extra`). */
/* A line of a UTF-8 file where bytes that are not UTF-8 were read as Windows-1252. */
typedef struct csv_mixed_line {
    size_t line, column;   /* physical line; column (characters, from 1) of the first byte */
    size_t bytes;          /* how many bytes of that line were converted */
} csv_mixed_line;

typedef struct csvfile_table {
    char encoding[16];     /* "UTF-8", "UTF-8 (BOM)", "UTF-8 mêlé" or "windows-1252" */
    char separator;        /* ';', ',' or '\t' */
    int empty;             /* nothing but blank lines (or a BOM): no header, no rows */
    size_t ncols;          /* header width */
    size_t header_line;    /* physical line of the header (1 unless blank lines come first) */
    csvfile_row *rows;         /* data rows, in file order */
    size_t nrows;
    size_t blank_rows;     /* blank lines and rows of empty cells after the header, skipped */
    char *text;            /* every cell, NUL-terminated UTF-8 */
    size_t *cell_offsets;  /* header cells first, then each row's */
    /* "UTF-8 mêlé": a file in UTF-8 but for a few bytes (Windows-1252 pasted in). Those
     * bytes are read as Windows-1252, the rest as UTF-8, and each line where it happened
     * is listed here (in order) for the caller to warn about. */
    csv_mixed_line *mixed;
    size_t nmixed;
} csvfile_table;

/* Reads `bytes` (not NUL-terminated; `name` goes in messages). Fails, with a French message
 * naming the file and line, on UTF-16, a NUL byte, a BOM followed by invalid UTF-8, a quote
 * left open at the end, or a cell over the limit. An empty file is not an error here: the
 * table says `empty` and the caller says what it expected. */
ptce_status csvfile_table_parse(ptce_ctx *ctx, const char *name, const char *bytes, size_t len,
                            const csvfile_read_options *opts, csvfile_table *out);
/* The same from a file. On failure `out` holds nothing to free. */
ptce_status csvfile_table_read(ptce_ctx *ctx, const char *path, const csvfile_read_options *opts,
                           csvfile_table *out);
void csvfile_table_free(csvfile_table *t);

/* Cell `col` of the header (row == NULL) or of a row; "" beyond the width. Never NULL. */
const char *csvfile_table_cell(const csvfile_table *t, const csvfile_row *row, size_t col);

/* A file too large to hold, read as a stream of rows: UTF-8 only (a BOM is skipped; bytes
 * that are not UTF-8 are an error naming line and column), separator detected on the first
 * line like the table. The callback gets every non-blank row, the header first, with its
 * cells and its line; it returns PTCE_OK to go on, anything else stops the stream with that
 * status (its message already set). */
typedef ptce_status (*csvfile_row_fn)(void *user, const char *const *cells, size_t ncells,
                                  size_t line);
typedef struct csvfile_stream csvfile_stream;

ptce_status csvfile_stream_open(ptce_ctx *ctx, const char *name, const csvfile_read_options *opts,
                            csvfile_row_fn fn, void *user, csvfile_stream **out);
/* Feeds the next bytes, in any pieces. Returns the first failure, then keeps returning it. */
ptce_status csvfile_stream_feed(csvfile_stream *s, const char *bytes, size_t len);
/* Ends the stream: the last row, and a check that no quote was left open. */
ptce_status csvfile_stream_finish(csvfile_stream *s);
void csvfile_stream_free(csvfile_stream *s);

#endif
