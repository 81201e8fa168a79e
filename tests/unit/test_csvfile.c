/*
 * tests/unit/test_csvfile.c — the one CSV reader (core/csvfile.h) that the census, the
 * groups, the corrections and the BAN files share, and the writing conventions.
 *
 * Checks: quoted separators, doubled quotes and line breaks inside cells; CRLF, LF and lone
 * CR; a UTF-8 BOM; Windows-1252 decoded; rows numbered by the physical line where they
 * start, blank lines skipped and counted; short rows padded, long ones counted; a cell over
 * the limit refused with line and column (and the column's name); a quote left open,
 * UTF-16 and NUL bytes refused; a stream fed one byte at a time gives the same rows as the
 * whole file, and refuses bytes that are not UTF-8 with line and column.
 */
#include "testutil.h"

#include <csv.h>
#include <stdint.h>
#include <stdio.h>

#include "core/csvfile.h"

static ptce_ctx *g_ctx;

static int setup(void **state)
{
    (void)state;
    g_ctx = test_ctx();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ptce_ctx_free(g_ctx);
    return 0;
}

static ptce_status parse(const char *text, size_t max_cell, csvfile_table *t)
{
    csvfile_read_options o = {.max_cell = max_cell};
    return csvfile_table_parse(g_ctx, "essai.csv", text, strlen(text), &o, t);
}

static void quoting_and_line_ends(void **state)
{
    (void)state;
    csvfile_table t;
    const char *text = "\xEF\xBB\xBFid;nom;note\r\n"
                       "1;\"Pôle; Sud\";\"il a dit \"\"oui\"\"\"\r\n"
                       "\r\n"
                       "2;\"sur\ndeux lignes\";x\r\n"
                       ";;\r\n"
                       "3;court\r\n"
                       "4;a;b;c;d\r";
    assert_int_equal(parse(text, 0, &t), PTCE_OK);
    assert_string_equal(t.encoding, "UTF-8 (BOM)");
    assert_int_equal(t.separator, ';');
    assert_int_equal(t.ncols, 3);
    assert_int_equal(t.header_line, 1);
    assert_string_equal(csvfile_table_cell(&t, NULL, 1), "nom");
    assert_int_equal(t.nrows, 4);
    assert_string_equal(csvfile_table_cell(&t, &t.rows[0], 1), "Pôle; Sud");
    assert_string_equal(csvfile_table_cell(&t, &t.rows[0], 2), "il a dit \"oui\"");
    assert_int_equal(t.rows[0].line, 2);
    /* The blank line and the row of empty cells are skipped, and counted. */
    assert_int_equal(t.blank_rows, 2);
    assert_string_equal(csvfile_table_cell(&t, &t.rows[1], 1), "sur\ndeux lignes");
    assert_int_equal(t.rows[1].line, 4);
    /* Line 6 is ";;": line 7 is the short row, padded. */
    assert_int_equal(t.rows[2].line, 7);
    assert_string_equal(csvfile_table_cell(&t, &t.rows[2], 2), "");
    assert_int_equal(t.rows[2].extra, 0);
    /* Five cells for three columns, and a lone CR at the end. */
    assert_int_equal(t.rows[3].line, 8);
    assert_int_equal(t.rows[3].extra, 2);
    assert_string_equal(csvfile_table_cell(&t, &t.rows[3], 2), "b");
    assert_string_equal(csvfile_table_cell(&t, &t.rows[3], 3), "");
    csvfile_table_free(&t);

    /* Old Mac exports: lone CRs only. */
    assert_int_equal(parse("a;b\r1;2\r3;4\r", 0, &t), PTCE_OK);
    assert_int_equal(t.nrows, 2);
    assert_int_equal(t.rows[1].line, 3);
    assert_string_equal(csvfile_table_cell(&t, &t.rows[1], 1), "4");
    csvfile_table_free(&t);
}

static void encodings_and_separators(void **state)
{
    (void)state;
    csvfile_table t;
    /* Windows-1252: é is 0xE9, œ 0x9C, the euro sign 0x80. */
    assert_int_equal(parse("nom,ville\n\x9Cuvre \x80,Orl\xE9" "ans\n", 0, &t), PTCE_OK);
    assert_string_equal(t.encoding, "windows-1252");
    assert_int_equal(t.separator, ',');
    assert_string_equal(csvfile_table_cell(&t, &t.rows[0], 0), "œuvre €");
    assert_string_equal(csvfile_table_cell(&t, &t.rows[0], 1), "Orléans");
    csvfile_table_free(&t);
    /* The most frequent separator outside quotes wins; a tab file. */
    assert_int_equal(parse("\"a;b;c\"\td\te\n1\t2\t3\n", 0, &t), PTCE_OK);
    assert_int_equal(t.separator, '\t');
    assert_string_equal(csvfile_table_cell(&t, NULL, 0), "a;b;c");
    csvfile_table_free(&t);
    /* Blank lines first: the header's line says where it is. */
    assert_int_equal(parse("\n\nid;x\n1;2\n", 0, &t), PTCE_OK);
    assert_int_equal(t.header_line, 3);
    assert_int_equal(t.rows[0].line, 4);
    csvfile_table_free(&t);
    /* Nothing but a BOM and blank lines: empty, not an error (the caller says what it
     * expected). */
    assert_int_equal(parse("\xEF\xBB\xBF\r\n\n", 0, &t), PTCE_OK);
    assert_true(t.empty);
    csvfile_table_free(&t);
}

static void expect_refused(const char *text, size_t len, size_t max_cell, const char *const *pieces)
{
    csvfile_table t;
    csvfile_read_options o = {.max_cell = max_cell};
    assert_int_equal(csvfile_table_parse(g_ctx, "essai.csv", text, len, &o, &t), PTCE_ERR_INPUT);
    const char *msg = ptce_ctx_error(g_ctx);
    for (size_t i = 0; pieces[i]; i++) {
        if (!strstr(msg, pieces[i]))
            print_message("message « %s » lacks « %s »\n", msg, pieces[i]);
        assert_non_null(strstr(msg, pieces[i]));
    }
    assert_non_null(strstr(msg, "essai.csv"));
    /* Nothing to free after a failure, and nothing left behind. */
    assert_null(t.text);
    assert_null(t.rows);
}

static void long_cells_and_bad_bytes_are_refused(void **state)
{
    (void)state;
    char text[256];
    char cell[41];
    memset(cell, 'x', 40);
    cell[40] = '\0';
    /* A cell of 40 bytes where 30 are allowed: line 3, column 2, named. */
    snprintf(text, sizeof text, "id;note\n1;court\n\"2\";\"%s\"\n", cell);
    expect_refused(text, strlen(text), 30,
                   (const char *const[]){"ligne 3, colonne 2 (« note »)", "40 octets",
                                         "30 permis", NULL});
    /* Exactly at the limit: accepted, whole. */
    csvfile_table t;
    snprintf(text, sizeof text, "id;note\n1;%s\n", cell);
    assert_int_equal(parse(text, 40, &t), PTCE_OK);
    assert_int_equal(strlen(csvfile_table_cell(&t, &t.rows[0], 1)), 40);
    csvfile_table_free(&t);
    /* A quote left open runs to the end of the file. */
    expect_refused("a;b\n1;\"ouvert\n2;3\n", 18,
                   0, (const char *const[]){"ligne 2", "guillemet ouvert", NULL});
    expect_refused("\xFF\xFE" "a\0;\0b\0", 8, 0, (const char *const[]){"UTF-16", NULL});
    /* Its length from sizeof: counting escapes by hand got it one byte past the array. */
    static const char utf16_no_bom[] = "a\0;\0b\0\n\0001\0;\0002\0";
    expect_refused(utf16_no_bom, sizeof utf16_no_bom - 1, 0,
                   (const char *const[]){"UTF-16", NULL});
    expect_refused("a;b\n1;2\n3\0;4\n", 13, 0, (const char *const[]){"ligne 3", "octet nul", NULL});
    expect_refused("\xEF\xBB\xBF" "a;b\n\xE9;2\n", 11, 0,
                   (const char *const[]){"ligne 2, caractère 1", "UTF-8 (BOM)", "0xE9", "« é »",
                                         NULL});
    /* Item 16 of #16: lines counted as the reader counts them (CR alone ends a line), and
     * UTF-32 named as such (its little-endian mark starts like UTF-16's). */
    expect_refused("a;b\r1;2\r3;4\r5;6\r7;\0\r", 20, 0,
                   (const char *const[]){"ligne 5, caractère 3", "octet nul", NULL});
    expect_refused("\xFF\xFE\0\0a\0\0\0", 8, 0, (const char *const[]){"UTF-32", NULL});
    expect_refused("\0\0\xFE\xFF\0\0\0a", 8, 0, (const char *const[]){"UTF-32", NULL});
}

/* Item 14 of #16: a UTF-8 file with a few Windows-1252 bytes is read row by row — UTF-8
 * kept, the stray bytes read as Windows-1252 — and each such line is listed. */
static void stray_windows1252_in_utf8_is_read_by_line(void **state)
{
    (void)state;
    static const char text[] = "Nom;Thématique\nPôle;Été\nP\xF4le \x96 2;x\nA;\xE9t\xE9\n";
    csvfile_table t;
    assert_int_equal(csvfile_table_parse(g_ctx, "m.csv", text, sizeof text - 1, NULL, &t), PTCE_OK);
    assert_string_equal(t.encoding, "UTF-8 mêlé");
    assert_string_equal(csvfile_table_cell(&t, NULL, 1), "Thématique");
    assert_int_equal(t.nrows, 3);
    assert_string_equal(csvfile_table_cell(&t, &t.rows[0], 0), "Pôle");
    assert_string_equal(csvfile_table_cell(&t, &t.rows[1], 0), "Pôle – 2");
    assert_string_equal(csvfile_table_cell(&t, &t.rows[2], 1), "été");
    assert_int_equal(t.nmixed, 2);
    assert_int_equal(t.mixed[0].line, 3);
    assert_int_equal(t.mixed[0].column, 2);
    assert_int_equal(t.mixed[0].bytes, 2);
    assert_int_equal(t.mixed[1].line, 4);
    assert_int_equal(t.mixed[1].column, 3);
    csvfile_table_free(&t);
}

/* ---- streams ---- */

typedef struct collected {
    util_strbuf out;   /* "line:cell|cell\n" per row */
    size_t rows;
} collected;

static ptce_status collect(void *user, const char *const *cells, size_t n, size_t line)
{
    collected *c = user;
    util_sb_printf(&c->out, "%zu:", line);
    for (size_t i = 0; i < n; i++)
        util_sb_printf(&c->out, "%s%s", i ? "|" : "", cells[i]);
    util_sb_append_char(&c->out, '\n');
    c->rows++;
    return PTCE_OK;
}

/* Feeds `text` in pieces of `step` bytes; returns the status of the whole stream. */
static ptce_status stream(const char *text, size_t len, size_t step, size_t max_cell,
                          collected *c)
{
    util_sb_init(&c->out);
    c->rows = 0;
    csvfile_read_options o = {.max_cell = max_cell};
    csvfile_stream *s;
    ptce_status st = csvfile_stream_open(g_ctx, "flux.csv", &o, collect, c, &s);
    for (size_t i = 0; !st && i < len; i += step)
        st = csvfile_stream_feed(s, text + i, len - i < step ? len - i : step);
    if (!st)
        st = csvfile_stream_finish(s);
    csvfile_stream_free(s);
    return st;
}

static void streams_match_the_table(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBFnumero;nom_voie;lat\r\n"
                       "1;\"Rue A; bis\";45,1\r\n"
                       "\r\n"
                       "2;\"Allée\r\nsur deux\";45,2\r"
                       "3;Quai \"\"vieux\"\";45,3\n"
                       ";;\n"
                       "4;fin;45,4";
    const char *want = "1:numero|nom_voie|lat\n"
                       "2:1|Rue A; bis|45,1\n"
                       "4:2|Allée\r\nsur deux|45,2\n"
                       "6:3|Quai \"\"vieux\"\"|45,3\n"
                       "8:4|fin|45,4\n";
    size_t steps[] = {1, 2, 3, 7, 4096};
    for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
        collected c;
        assert_int_equal(stream(text, strlen(text), steps[k], 0, &c), PTCE_OK);
        if (strcmp(c.out.data, want) != 0)
            print_message("pieces of %zu:\n%s", steps[k], c.out.data);
        assert_string_equal(c.out.data, want);
        util_sb_free(&c.out);
    }
    /* The whole-file reader agrees on every row and line. */
    csvfile_table t;
    assert_int_equal(parse(text, 0, &t), PTCE_OK);
    assert_int_equal(t.nrows, 4);
    assert_int_equal(t.rows[1].line, 4);
    assert_int_equal(t.rows[2].line, 6);
    assert_int_equal(t.rows[3].line, 8);
    assert_string_equal(csvfile_table_cell(&t, &t.rows[0], 1), "Rue A; bis");
    csvfile_table_free(&t);
}

/* ---- the plain-line reading against libcsv's own ---------------------------------------- */

/* Rows as libcsv alone gives them: every cell of every row, in order. */
typedef struct lib_rows {
    util_strbuf cells; /* each cell NUL-terminated */
    size_t *row_end;   /* cell count after each row */
    size_t nrows, ncells, cap;
} lib_rows;

static void lib_field(void *data, size_t len, void *priv)
{
    lib_rows *r = priv;
    util_sb_append_n(&r->cells, data ? data : "", len);
    util_sb_append_n(&r->cells, "", 1);
    r->ncells++;
}

static void lib_row(int c, void *priv)
{
    (void)c;
    lib_rows *r = priv;
    if (r->nrows == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->row_end = realloc(r->row_end, r->cap * sizeof *r->row_end);
        assert_non_null(r->row_end);
    }
    r->row_end[r->nrows++] = r->ncells;
}

/* Random lines over the bytes that decide libcsv's reading: both kinds of space, the three
 * separators, quotes (a quoted cell may span lines: the line after it is libcsv's again),
 * letters, an accented one, and the three line ends; the last line may have none. */
static char *random_csv(uint32_t *seed, char sep, size_t lines)
{
    static const char *const pieces[] = {"a", "b", " ", "\t", ";", ",", "é", "\"", "xy",
                                         "  ", "\"q\"", "\"\"", "a b"};
    static const char *const ends[] = {"\n", "\r\n", "\r"};
    util_strbuf sb;
    util_sb_init(&sb);
    util_sb_printf(&sb, "h1%ch2%ch3\n", sep, sep);
    for (size_t l = 0; l < lines; l++) {
        *seed = *seed * 1103515245u + 12345u;
        size_t n = (*seed >> 16) % 9;
        for (size_t k = 0; k < n; k++) {
            *seed = *seed * 1103515245u + 12345u;
            uint32_t r = (*seed >> 16) % 100;
            /* quotes rarely, so that most lines are plain */
            size_t pick = r < 3 ? 7 : r < 5 ? 10 : r < 6 ? 11 : (r % 13 == 7 ? 0 : r % 13);
            util_sb_append(&sb, pieces[pick]);
        }
        *seed = *seed * 1103515245u + 12345u;
        if (l + 1 < lines || (*seed >> 16) % 2)
            util_sb_append(&sb, ends[(*seed >> 20) % 3]);
    }
    assert_false(sb.failed);
    return util_sb_take(&sb);
}

/* engine_plain_line reads the lines without quotes itself: the table must hold exactly what
 * libcsv's csv_parse gives for the whole text (the header's width, blank rows dropped, short
 * rows padded and long ones cut, as the reader documents). */
static void plain_lines_read_as_libcsv_does(void **state)
{
    (void)state;
    const char seps[] = {';', '\t', ','};
    uint32_t seed = 2026;
    size_t compared = 0;
    for (size_t round = 0; round < 600; round++) {
        char sep = seps[round % 3];
        char *text = random_csv(&seed, sep, 40);
        lib_rows want = {0};
        util_sb_init(&want.cells);
        struct csv_parser p;
        assert_int_equal(csv_init(&p, CSV_APPEND_NULL), 0);
        csv_set_delim(&p, (unsigned char)sep);
        size_t len = strlen(text);
        assert_int_equal(csv_parse(&p, text, len, lib_field, lib_row, &want), len);
        csv_set_opts(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
        int open_quote = csv_fini(&p, lib_field, lib_row, &want) != 0;
        csv_free(&p);
        assert_false(want.cells.failed);

        csvfile_table t;
        ptce_status st = parse(text, 0, &t);
        if (open_quote) { /* a quote left open: refused either way */
            assert_int_equal(st, PTCE_ERR_INPUT);
        } else {
            assert_int_equal(st, PTCE_OK);
            assert_int_equal(t.separator, sep);
            /* libcsv's cells, the table's way */
            const char **cell = malloc((want.ncells + 1) * sizeof *cell);
            assert_non_null(cell);
            const char *c = want.cells.data;
            for (size_t i = 0; i < want.ncells; i++, c += strlen(c) + 1)
                cell[i] = c;
            size_t ncols = want.row_end[0], row = 0;
            assert_int_equal(t.ncols, ncols);
            for (size_t i = 0; i < ncols; i++)
                assert_string_equal(csvfile_table_cell(&t, NULL, i), cell[i]);
            for (size_t r = 1; r < want.nrows; r++) {
                size_t first = want.row_end[r - 1], n = want.row_end[r] - first;
                bool blank = true;
                for (size_t i = 0; i < n && blank; i++)
                    blank = util_is_blank(cell[first + i]);
                if (blank)
                    continue;
                assert_true(row < t.nrows);
                for (size_t i = 0; i < ncols; i++)
                    assert_string_equal(csvfile_table_cell(&t, &t.rows[row], i),
                                        i < n ? cell[first + i] : "");
                assert_int_equal(t.rows[row].extra, n > ncols ? n - ncols : 0);
                row++;
                compared++;
            }
            assert_int_equal(t.nrows, row);
            free(cell);
            csvfile_table_free(&t);
        }
        util_sb_free(&want.cells);
        free(want.row_end);
        free(text);
    }
    assert_true(compared > 5000);
}

static void streams_refuse_what_they_cannot_read(void **state)
{
    (void)state;
    collected c;
    /* Not UTF-8: refused with line and column (a stream cannot go back to decode). */
    const char *latin = "a;b\n1;2\n3;Orl\xE9" "ans\n";
    assert_int_equal(stream(latin, strlen(latin), 5, 0, &c), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(g_ctx), "flux.csv, ligne 3, colonne 2"));
    assert_non_null(strstr(ptce_ctx_error(g_ctx), "UTF-8"));
    assert_int_equal(c.rows, 2);
    util_sb_free(&c.out);
    /* Over the limit. */
    const char *lng = "a;b\n1;0123456789ABCDEF\n";
    assert_int_equal(stream(lng, strlen(lng), 3, 10, &c), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(g_ctx), "ligne 2, colonne 2"));
    util_sb_free(&c.out);
    /* A quote left open; a NUL byte. */
    const char *open = "a;b\n1;\"x\n";
    assert_int_equal(stream(open, strlen(open), 2, 0, &c), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(g_ctx), "guillemet ouvert"));
    util_sb_free(&c.out);
    assert_int_equal(stream("a;b\n1;\0\n", 8, 64, 0, &c), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(g_ctx), "ligne 2, caractère 3 : octet nul"));
    util_sb_free(&c.out);
}

/* ---- writing ---- */

static void cells_are_quoted_and_defused(void **state)
{
    (void)state;
    util_strbuf sb;
    util_sb_init(&sb);
    csvfile_begin(&sb);
    csvfile_append_cell(&sb, "a;b", CSVFILE_OUT_SEP, 1);
    csvfile_append_cell(&sb, "dit \"oui\"", CSVFILE_OUT_SEP, 0);
    csvfile_append_cell(&sb, "=SOMME(A1)", CSVFILE_OUT_SEP, 0);
    csvfile_append_cell(&sb, "-12,5", CSVFILE_OUT_SEP, 0);
    csvfile_append_cell(&sb, "deux\nlignes", CSVFILE_OUT_SEP, 0);
    csvfile_end_row(&sb);
    assert_string_equal(sb.data, "\xEF\xBB\xBF\"a;b\";\"dit \"\"oui\"\"\";\"'=SOMME(A1)\";-12,5;"
                                 "\"deux\nlignes\"\r\n");
    /* What is written reads back the same (but the defused formula). */
    csvfile_table t;
    assert_int_equal(parse(sb.data, 0, &t), PTCE_OK);
    assert_string_equal(csvfile_table_cell(&t, NULL, 0), "a;b");
    assert_string_equal(csvfile_table_cell(&t, NULL, 1), "dit \"oui\"");
    assert_string_equal(csvfile_table_cell(&t, NULL, 4), "deux\nlignes");
    csvfile_table_free(&t);
    util_sb_free(&sb);
}

/* The rule of csvfile_append_cell written plainly, byte by byte (what the writer did before
 * it jumped over plain runs with strcspn): quoted when the cell holds `sep`, a quote or a
 * line break, or when a formula starts at its start or after a separator of any reading;
 * quotes doubled, an apostrophe before each formula. */
static int ref_separator(char c)
{
    return c == ';' || c == ',' || c == '\t';
}

static int ref_formula(const char *s)
{
    if (!(*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r'))
        return 0;
    double v;
    if (util_parse_decimal(s, &v))
        return 0;
    size_t n = 1;
    while (s[n] && !ref_separator(s[n]))
        n++;
    char seg[64];
    if (n < sizeof seg) {
        memcpy(seg, s, n);
        seg[n] = '\0';
        if (util_parse_decimal(seg, &v))
            return 0;
    }
    return 1;
}

static void ref_append_cell(util_strbuf *sb, const char *text, char sep, int first)
{
    if (!first)
        util_sb_append_char(sb, sep);
    int formula = ref_formula(text), quote = formula;
    for (size_t i = 0; text[i] && !quote; i++) {
        char c = text[i];
        quote = c == sep || c == '"' || c == '\n' || c == '\r' ||
                (ref_separator(c) && ref_formula(text + i + 1));
    }
    if (!quote) {
        util_sb_append(sb, text);
        return;
    }
    util_sb_append_char(sb, '"');
    if (formula)
        util_sb_append_char(sb, '\'');
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            util_sb_append_char(sb, '"');
        util_sb_append_char(sb, *p);
        if (ref_separator(*p) && p[1] != '\t' && p[1] != '\r' && ref_formula(p + 1))
            util_sb_append_char(sb, '\'');
    }
    util_sb_append_char(sb, '"');
}

/* The writer against that plain rule on seeded random cells over the bytes that decide it:
 * the three separators, quotes, line breaks, the formula starts, digits and decimal marks,
 * letters, accents, and runs long enough for the scan to jump over (up to 300 bytes), with
 * `;`, `,`, tab and `|` as the separator. Fails on any byte of difference. */
static void cells_written_as_the_plain_rule(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "b", " ", "\t", ";", ",", "é", "\"", "\n",
                                         "\r", "=", "+", "-", "@", "1", "2", ".", "|",
                                         "Saint-Étienne ", "ressourcerie et recyclerie "};
    const char seps[] = {';', ',', '\t', '|'};
    uint32_t seed = 2026;
    size_t quoted = 0;
    util_strbuf got, want, cell;
    util_sb_init(&got);
    util_sb_init(&want);
    util_sb_init(&cell);
    for (size_t round = 0; round < 20000; round++) {
        char sep = seps[round % 4];
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 16) % 24;
        int plain_bias = (seed >> 12) % 2; /* half the cells mostly letters */
        cell.len = 0;
        for (size_t k = 0; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t pick = (seed >> 16) % (sizeof pieces / sizeof *pieces);
            if (plain_bias && (seed >> 8) % 4)
                pick = 18 + (seed >> 4) % 2;
            util_sb_append(&cell, pieces[pick]);
        }
        util_sb_append(&cell, "");
        got.len = want.len = 0;
        csvfile_append_cell(&got, cell.data, sep, (int)(round % 2));
        ref_append_cell(&want, cell.data, sep, (int)(round % 2));
        assert_false(got.failed || want.failed);
        assert_int_equal(got.len, want.len);
        assert_memory_equal(got.data, want.data, got.len);
        quoted += memchr(want.data, '"', want.len) != NULL;
    }
    /* Both kinds were met (the comparison is not only of plain cells). */
    assert_true(quoted > 2000 && quoted < 18000);
    util_sb_free(&got);
    util_sb_free(&want);
    util_sb_free(&cell);
}

/* Issue #16, item 11: the defusing does not depend on the separator the file is written
 * with; a piece that another reading (`,`, `;` or tab) would make a cell is defused too. */
static void formulas_are_defused_in_every_reading(void **state)
{
    (void)state;
    static const char seps[] = {';', ','};
    for (size_t k = 0; k < sizeof seps; k++) {
        char sep = seps[k];
        util_strbuf sb;
        util_sb_init(&sb);
        csvfile_append_cell(&sb, "Lyon,=HYPERLINK(\"http://x\")", sep, 1);
        csvfile_append_cell(&sb, "a;@SUM(A1)", sep, 0);
        csvfile_append_cell(&sb, "b\t+cmd|x", sep, 0);
        csvfile_append_cell(&sb, "1,-5", sep, 0);
        csvfile_append_cell(&sb, "-12,5", sep, 0);
        csvfile_append_cell(&sb, "x,y", sep, 0);
        char want[256];
        snprintf(want, sizeof want,
                 "\"Lyon,'=HYPERLINK(\"\"http://x\"\")\"%c\"a;'@SUM(A1)\"%c\"b\t'+cmd|x\"%c"
                 "%s%c%s%c%s", sep, sep, sep, sep == ',' ? "\"1,-5\"" : "1,-5", sep,
                 sep == ',' ? "\"-12,5\"" : "-12,5", sep, sep == ',' ? "\"x,y\"" : "x,y");
        assert_string_equal(sb.data, want);
        /* Split on every separator ignoring quotes (what a spreadsheet that guessed another
         * separator does): no piece starts a formula. */
        for (const char *p = sb.data; *p; p++) {
            if (p != sb.data && !strchr(";,\t", p[-1]))
                continue;
            const char *q = *p == '"' ? p + 1 : p;
            assert_false(*q == '=' || *q == '@' || *q == '+');
        }
        util_sb_free(&sb);
    }
}

/* Item 10 of #16: the one escaping for the terminal (core/util.h). */
static void terminal_escaping(void **state)
{
    (void)state;
    util_strbuf sb;
    util_sb_init(&sb);
    util_sb_append_for_terminal(&sb, "a\x1b[2Jb\x1b]0;t\x07\rc\xc2\x9b" "d\xe2\x80\xae" "e\x7f\xff\n"
                                     "f\tÉté – ok");
    assert_string_equal(sb.data, "a\\x1B[2Jb\\x1B]0;t\\x07\\x0Dc\\u009Bd\\u202Ee\\x7F\\xFF\n"
                                 "f\tÉté – ok");
    util_sb_free(&sb);
    /* A whole report shown on a terminal: its CRLF line ends stay, a lone CR, a NUL and
     * ESC do not. */
    static const char report[] = "id;nom\r\nA\x1b[2J;x\ry\r\nB;\0z\r\n";
    util_sb_init(&sb);
    util_sb_append_file_for_terminal(&sb, report, sizeof report - 1);
    assert_string_equal(sb.data, "id;nom\r\nA\\x1B[2J;x\\x0Dy\r\nB;\\x00z\r\n");
    util_sb_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quoting_and_line_ends),
        cmocka_unit_test(encodings_and_separators),
        cmocka_unit_test(long_cells_and_bad_bytes_are_refused),
        cmocka_unit_test(streams_match_the_table),
        cmocka_unit_test(streams_refuse_what_they_cannot_read),
        cmocka_unit_test(plain_lines_read_as_libcsv_does),
        cmocka_unit_test(cells_are_quoted_and_defused),
        cmocka_unit_test(formulas_are_defused_in_every_reading),
        cmocka_unit_test(cells_written_as_the_plain_rule),
        cmocka_unit_test(stray_windows1252_in_utf8_is_read_by_line),
        cmocka_unit_test(terminal_escaping),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
