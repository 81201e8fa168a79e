/*
 * core/csvfile.c — see csvfile.h.
 *
 * Why libcsv: it is a small, maintained Debian library that handles quoting, doubled
 * quotes, separators and newlines inside quotes exactly like spreadsheet exports do. What
 * it does not do (encoding, separator detection, line numbers, limits) is here. The bytes
 * are fed one physical line at a time so that each row knows the line where it starts.
 */
#include "core/csvfile.h"

#include <stdio.h>

#include <csv.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"

static int looks_numeric(const char *s)
{
    double v;
    return util_parse_decimal(s, &v);
}

/* The separators a spreadsheet may split a line on, whichever the file declares: a file
 * written with `;` is often opened with `,` (or tab) as the separator, and then the text
 * after each of these characters starts a cell of its own. */
static int is_any_separator(char c)
{
    return c == ';' || c == ',' || c == '\t';
}

/* True when a spreadsheet would run the cell that starts at s as a formula: it starts with
 * =, +, -, @ (or a tab or carriage return, which some strip before looking) and is not a
 * number, neither up to the end of the text nor up to the next separator of any reading
 * ("-12,5" is a number in the `;` reading, "-12" and "5" in the `,` one). */
static int starts_formula(const char *s)
{
    if (!(*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r'))
        return 0;
    if (looks_numeric(s))
        return 0;
    size_t n = 1;
    while (s[n] && !is_any_separator(s[n]))
        n++;
    char seg[64];
    if (n < sizeof seg) {
        memcpy(seg, s, n);
        seg[n] = '\0';
        if (looks_numeric(seg))
            return 0;
    }
    return 1;
}

/* One rule, whatever `sep` is: a cell is quoted when it holds `sep`, a quote or a line
 * break, or when a formula starts anywhere a reading starts a cell; every place where some reading starts a cell (the start,
 * and after each separator of any reading) and a formula would start gets an apostrophe
 * before it. In the file's own reading the cell is one quoted text starting with "'" when
 * it would have been a formula; in another reading no piece of it starts with =, +, - or @
 * (the quotes do not protect there: a quote in the middle of a field is plain text). */
void csvfile_append_cell(util_strbuf *sb, const char *text, char sep, int first)
{
    if (!first)
        util_sb_append_char(sb, sep);
    if (!text)
        return;
    int formula = starts_formula(text);
    int quote = formula;
    /* One pass: the cell needs quotes when it holds `sep`, a quote or a line break, or when
     * a formula starts after a separator of any reading. Most cells have none of these
     * bytes, and their length comes with the scan. */
    /* The bytes that may need quotes: ", CR, LF, the separators of every reading and
     * `sep`. strcspn jumps over the plain runs between them (libc compares 16 bytes at a
     * time, where a loop over a byte table cost about 12 instructions a byte of the
     * reports); it stops at the NUL too. */
    char special[9] = "\"\n\r;,\t";
    if (sep && !strchr(special, sep))
        special[6] = sep;
    size_t n = 0;
    while (!quote) {
        n += strcspn(text + n, special);
        char c = text[n];
        if (!c)
            break;
        quote = c == sep || c == '"' || c == '\n' || c == '\r' ||
                (is_any_separator(c) && starts_formula(text + n + 1));
        n++;
    }
    if (!quote) {
        util_sb_append_n(sb, text, n);
        return;
    }
    util_sb_append_char(sb, '"');
    if (formula)
        util_sb_append_char(sb, '\'');
    /* The runs without a quote or a separator are copied whole (the geocode report quotes
     * most of its notes: one call a byte was 3 % of it). */
    for (const char *p = text;;) {
        size_t run = strcspn(p, "\";,\t");
        util_sb_append_n(sb, p, run);
        p += run;
        if (!*p)
            break;
        if (*p == '"')
            util_sb_append_char(sb, '"');
        util_sb_append_char(sb, *p);
        if (is_any_separator(*p) && p[1] != '\t' && p[1] != '\r' && starts_formula(p + 1))
            util_sb_append_char(sb, '\'');
        p++;
    }
    util_sb_append_char(sb, '"');
}

void csvfile_begin(util_strbuf *sb)
{
    util_sb_append(sb, CSVFILE_OUT_BOM);
}

void csvfile_end_row(util_strbuf *sb)
{
    util_sb_append(sb, CSVFILE_OUT_EOL);
}

void csvfile_append_decimal(util_strbuf *sb, double v, int decimals, char sep, int first)
{
    char num[64];
    util_format_printf(num, sizeof num, v, decimals);
    /* Whatever the locale printed, the French decimal separator. */
    for (char *c = num; *c; c++)
        if (*c == '.')
            *c = CSVFILE_OUT_DECIMAL;
    csvfile_append_cell(sb, num, sep, first);
}

/* ==== reading ============================================================================= */

/* The separator is the most frequent of ; , tab on the header line, outside quotes.
 * Ties go to ';' (French exports), then tab, then ','. */
static char detect_separator(const char *text, size_t len)
{
    size_t semicolons = 0, commas = 0, tabs = 0;
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
        else if (!quoted && c == ';')
            semicolons++;
        else if (!quoted && c == ',')
            commas++;
        else if (!quoted && c == '\t')
            tabs++;
    }
    if (semicolons >= tabs && semicolons >= commas && semicolons > 0)
        return ';';
    if (tabs >= commas && tabs > 0)
        return '\t';
    if (commas > 0)
        return ',';
    return ';';
}

/* Length of the physical line starting at p: up to and including its end, "\n", "\r\n",
 * or a lone "\r" (the "CSV (Macintosh)" export of old spreadsheets). */
static size_t physical_line_length(const char *p, size_t n)
{
    const char *lf = memchr(p, '\n', n);
    size_t upto = lf ? (size_t)(lf - p) : n;
    const char *cr = memchr(p, '\r', upto);
    if (cr) {
        size_t i = (size_t)(cr - p);
        return i + 1 < n && p[i + 1] == '\n' ? i + 2 : i + 1;
    }
    return lf ? upto + 1 : n;
}

static bool line_is_empty(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

/* UTF-16 without a byte order mark: text whose every other byte is NUL. Judged on the first
 * bytes only; a stray NUL in a text file is not UTF-16. */
static bool looks_utf16(const char *bytes, size_t len)
{
    size_t n = len < 512 ? len : 512, even = 0, odd = 0;
    for (size_t i = 0; i < n; i++)
        if (bytes[i] == '\0') {
            if (i % 2)
                odd++;
            else
                even++;
        }
    size_t half = n / 2;
    return half >= 2 && (even * 10 >= half * 8 || odd * 10 >= half * 8);
}

static bool has_utf16_bom(const char *b, size_t len)
{
    return len >= 2 && (((unsigned char)b[0] == 0xFF && (unsigned char)b[1] == 0xFE) ||
                        ((unsigned char)b[0] == 0xFE && (unsigned char)b[1] == 0xFF));
}

static ptce_status fail_utf16(ptce_ctx *ctx, const char *name, bool bom)
{
    return ptce_fail(ctx, PTCE_ERR_INPUT,
                     bom ? "%s : fichier en UTF-16. Réenregistrez-le en « CSV UTF-8 » ou "
                           "« CSV (séparateur : point-virgule) »."
                         : "%s : fichier en UTF-16 (sans marque d'ordre des octets). "
                           "Réenregistrez-le en « CSV UTF-8 » ou « CSV (séparateur : "
                           "point-virgule) ».",
                     name);
}

/* The line (as the engine counts them: "\n", "\r\n" or a lone "\r") and the character of
 * that line (from 1: the column a text editor shows) of byte `off` of text. */
static void position_of(const char *text, size_t off, size_t *line, size_t *col)
{
    size_t l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        unsigned char b = (unsigned char)text[i];
        if (b == '\n' || (b == '\r' && text[i + 1] != '\n')) { /* text[off] exists */
            l++;
            c = 1;
        } else if (b != '\r' && (b & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* A NUL at byte `off` of bytes, whose first line is line `first_line` of the file. */
static ptce_status fail_nul(ptce_ctx *ctx, const char *name, const char *bytes, size_t off,
                            size_t first_line)
{
    size_t line, col;
    position_of(bytes, off, &line, &col);
    line += first_line - 1;
    return ptce_fail(ctx, PTCE_ERR_INPUT,
                     "%s, ligne %zu, caractère %zu : octet nul ; ce n'est pas un fichier texte CSV. "
                     "Exportez le tableur au format CSV.", name, line, col);
}

/* UTF-32 with a byte order mark (FF FE 00 00 or 00 00 FE FF): checked before UTF-16, whose
 * little-endian mark is its first two bytes. */
static bool has_utf32_bom(const char *b, size_t len)
{
    const unsigned char *u = (const unsigned char *)b;
    return len >= 4 && ((u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0) ||
                        (u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF));
}

/* True when text holds at least one valid UTF-8 character of two bytes or more: a file
 * that is not valid UTF-8 but has these was written in UTF-8 with a few bytes of another
 * encoding pasted in (a real Windows-1252 file almost never forms one by chance). */
static bool has_utf8_multibyte(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] >= 0xC2 && util_utf8_sequence_length(text + i, len - i) > 1)
            return true;
    return false;
}

/* A UTF-8 file with stray bytes: every valid UTF-8 character kept, every other byte read
 * as Windows-1252; the lines where that happened are listed in t->mixed (line, column of
 * the first such byte, how many). NULL when memory runs out. */
static char *decode_mixed(const char *text, size_t len, size_t *outlen, csvfile_table *t)
{
    util_strbuf sb;
    util_sb_init(&sb);
    size_t line = 1, col = 1, cap = 0;
    bool ok = true;
    for (size_t i = 0; i < len && ok;) {
        unsigned char b = (unsigned char)text[i];
        size_t n = util_utf8_sequence_length(text + i, len - i);
        if (n) {
            util_sb_append_n(&sb, text + i, n);
            i += n;
            if (b == '\n' || (b == '\r' && !(i < len && text[i] == '\n'))) {
                line++;
                col = 1;
            } else {
                col++;
            }
            continue;
        }
        util_utf8_append_codepoint(&sb, util_cp1252_codepoint(b));
        if (t->nmixed && t->mixed[t->nmixed - 1].line == line) {
            t->mixed[t->nmixed - 1].bytes++;
        } else {
            if (t->nmixed == cap) {
                cap = cap ? cap * 2 : 16;
                csv_mixed_line *grown = realloc(t->mixed, cap * sizeof *grown);
                if (!grown) {
                    ok = false;
                    break;
                }
                t->mixed = grown;
            }
            t->mixed[t->nmixed++] = (csv_mixed_line){line, col, 1};
        }
        i++;
        col++;
    }
    if (!ok || sb.failed) {
        util_sb_free(&sb);
        return NULL;
    }
    *outlen = sb.len;
    return util_sb_take(&sb);
}

/* ---- the engine: libcsv, line numbers, rows ---------------------------------------------- */

typedef struct engine {
    struct csv_parser parser;
    bool parser_ready;
    ptce_ctx *ctx;
    const char *name;
    size_t max_cell;
    bool check_utf8;         /* streams: the bytes were not checked beforehand */
    util_strbuf text;             /* cells, NUL-separated */
    size_t *offsets;
    size_t noffsets, capoffsets;
    size_t row_first;        /* index in offsets of the current row's first cell */
    size_t row_cells;
    size_t line;             /* physical line being fed */
    size_t row_start_line;
    bool expect_new_row;
    bool header_done;
    size_t header_cells;
    size_t header_line;
    size_t blank_rows;
    ptce_status status;      /* first failure */
    /* Table mode: rows are kept. */
    csvfile_table *table;
    size_t caprows;
    /* Stream mode: each row goes to fn and is forgotten. */
    csvfile_row_fn fn;
    void *user;
    const char **cells;
    size_t capcells;
} engine;

static void engine_oom(engine *e)
{
    if (!e->status)
        e->status = ptce_fail(e->ctx, PTCE_ERR_MEMORY, "%s : mémoire insuffisante pour lire le "
                                                       "fichier", e->name);
}

static bool push_offset(engine *e, size_t off)
{
    if (e->noffsets == e->capoffsets) {
        size_t cap = e->capoffsets ? e->capoffsets * 2 : 1024;
        size_t *grown = realloc(e->offsets, cap * sizeof *grown);
        if (!grown)
            return false;
        e->offsets = grown;
        e->capoffsets = cap;
    }
    e->offsets[e->noffsets++] = off;
    return true;
}

/* The header's name of column `col` for messages, "" when unknown. */
static const char *header_name(const engine *e, size_t col)
{
    if (e->table && e->header_done && col < e->header_cells)
        return e->text.data + e->offsets[col];
    return "";
}

static void on_field(void *data, size_t len, void *priv)
{
    engine *e = priv;
    if (e->status)
        return;
    size_t col = e->row_cells + 1;
    if (e->max_cell && len > e->max_cell) {
        const char *h = header_name(e, col - 1);
        e->status = ptce_fail(e->ctx, PTCE_ERR_INPUT,
                              "%s, ligne %zu, colonne %zu%s%s%s : cellule de %zu octets, plus "
                              "que les %zu permis ici. Vérifiez un guillemet mal fermé ou un "
                              "séparateur manquant, ou raccourcissez la cellule.",
                              e->name, e->row_start_line, col, h[0] ? " (« " : "", h,
                              h[0] ? " »)" : "", len, e->max_cell);
        return;
    }
    if (e->check_utf8 && len && !util_utf8_is_valid(data, len)) {
        e->status = ptce_fail(e->ctx, PTCE_ERR_INPUT,
                              "%s, ligne %zu, colonne %zu : octets qui ne sont pas de l'UTF-8. "
                              "Ce fichier doit être en UTF-8.", e->name, e->row_start_line, col);
        return;
    }
    if (e->row_cells == 0)
        e->row_first = e->noffsets;
    size_t off = e->text.len;
    if (data)
        util_sb_append_n(&e->text, data, len);
    util_sb_append_char(&e->text, '\0');
    if (e->text.failed || !push_offset(e, off)) {
        engine_oom(e);
        return;
    }
    e->row_cells++;
}

static bool row_is_blank(const engine *e)
{
    for (size_t i = 0; i < e->row_cells; i++)
        if (!util_is_blank(e->text.data + e->offsets[e->row_first + i]))
            return false;
    return true;
}

static void stream_row(engine *e)
{
    if (e->capcells < e->row_cells) {
        size_t cap = e->row_cells < 64 ? 64 : e->row_cells;
        const char **grown = realloc(e->cells, cap * sizeof *grown);
        if (!grown) {
            engine_oom(e);
            return;
        }
        e->cells = grown;
        e->capcells = cap;
    }
    for (size_t i = 0; i < e->row_cells; i++)
        e->cells[i] = e->text.data + e->offsets[e->row_first + i];
    ptce_status st = e->fn(e->user, e->cells, e->row_cells, e->row_start_line);
    if (st && !e->status)
        e->status = st;
}

static void table_row(engine *e)
{
    csvfile_table *t = e->table;
    size_t extra = 0;
    if (e->row_cells > e->header_cells) {
        extra = e->row_cells - e->header_cells;
        e->noffsets = e->row_first + e->header_cells;
    }
    while (e->row_cells < e->header_cells) {
        /* Pad short rows with empty cells; they share one empty string. */
        if (!push_offset(e, e->text.len - 1)) {
            engine_oom(e);
            return;
        }
        e->row_cells++;
    }
    if (t->nrows == e->caprows) {
        size_t cap = e->caprows ? e->caprows * 2 : 256;
        csvfile_row *grown = realloc(t->rows, cap * sizeof *grown);
        if (!grown) {
            engine_oom(e);
            return;
        }
        t->rows = grown;
        e->caprows = cap;
    }
    t->rows[t->nrows++] = (csvfile_row){e->row_start_line, e->row_first, extra};
}

static void on_row(int terminator, void *priv)
{
    (void)terminator;
    engine *e = priv;
    e->expect_new_row = true;
    if (e->status)
        return;
    if (!e->header_done) {
        e->header_done = true;
        e->header_cells = e->row_cells;
        e->header_line = e->row_start_line;
        if (e->fn)
            stream_row(e);
    } else if (row_is_blank(e)) {
        e->blank_rows++;
        e->noffsets = e->row_first; /* forget the blank cells */
    } else if (e->fn) {
        stream_row(e);
    } else {
        table_row(e);
    }
    e->row_cells = 0;
    if (e->fn) {
        e->text.len = 0;
        e->noffsets = 0;
    }
}

static ptce_status engine_start(engine *e, ptce_ctx *ctx, const char *name,
                                const csvfile_read_options *opts)
{
    memset(e, 0, sizeof *e);
    e->ctx = ctx;
    e->name = name;
    e->max_cell = opts ? opts->max_cell : 0;
    e->line = 1;
    e->expect_new_row = true;
    util_sb_init(&e->text);
    if (csv_init(&e->parser, CSV_APPEND_NULL) != 0)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    e->parser_ready = true;
    /* libcsv grows its cell buffer by this many bytes at a time (128 by default): a cell of
     * several megabytes would take a quadratic number of reallocations (minutes under
     * ASan, or with an allocator that cannot grow a block in place). */
    csv_set_blk_size(&e->parser, 1 << 20);
    return PTCE_OK;
}

/* A space libcsv trims around an unquoted cell (csv_parse's default is_space), unless it
 * is the separator. */
static bool trimmed_space(char c, char sep)
{
    return (c == ' ' || c == '\t') && c != sep;
}

/* What csv_parse does with a physical line that holds no quote, ends with its line break
 * and starts a row (libcsv is between rows), without its byte-by-byte state machine:
 * cells split at the separator, each trimmed of spaces and tabs (not the separator) at
 * both ends, then the row; a line of nothing but such spaces is no row and no cell. The
 * same callbacks in the same order, and libcsv stays between rows, as it would be after
 * the line break. Returns false, having done nothing, for any other line: csv_parse reads
 * it. (The rules are those of libcsv 3.0.3's csv_parse without CSV_STRICT, CSV_REPALL_NL
 * or CSV_EMPTY_IS_NULL, with the default quote, space and line-end characters;
 * unit.test_csvfile compares the two readings on lines made to hit each rule.) */
static bool engine_plain_line(engine *e, const char *p, size_t n, char sep)
{
    if (n == 0 || (p[n - 1] != '\n' && p[n - 1] != '\r') || memchr(p, '"', n))
        return false;
    size_t end = n;
    while (end > 0 && (p[end - 1] == '\n' || p[end - 1] == '\r'))
        end--;
    size_t i = 0;
    while (i < end && trimmed_space(p[i], sep))
        i++;
    if (i == end)
        return true; /* libcsv: spaces then a line break before any cell, no row */
    for (;;) {
        while (i < end && trimmed_space(p[i], sep))
            i++;
        size_t start = i;
        const char *d = memchr(p + i, sep, end - i);
        i = d ? (size_t)(d - p) : end;
        size_t stop = i;
        while (stop > start && trimmed_space(p[stop - 1], sep))
            stop--;
        on_field((void *)(p + start), stop - start, e);
        if (!d)
            break;
        i++;
    }
    on_row(p[end], e);
    return true;
}

/* Feeds one physical line (with its end, if any). */
static ptce_status engine_line(engine *e, const char *p, size_t n)
{
    if (e->status)
        return e->status;
    /* libcsv is between rows exactly when the last row ended (on_row), or nothing was fed */
    bool between_rows = e->expect_new_row;
    if (e->expect_new_row && !line_is_empty(p, n)) {
        e->row_start_line = e->line;
        e->expect_new_row = false;
    } else if (e->expect_new_row && e->header_done) {
        e->blank_rows++; /* a blank line between rows (libcsv reports none) */
    }
    if (between_rows && engine_plain_line(e, p, n, (char)csv_get_delim(&e->parser))) {
        /* read without libcsv, the same way */
    } else if (csv_parse(&e->parser, p, n, on_field, on_row, e) != n && !e->status) {
        /* Without CSV_STRICT libcsv only fails for memory or a cell too big. */
        int err = csv_error(&e->parser);
        e->status = ptce_fail(e->ctx, err == CSV_ENOMEM ? PTCE_ERR_MEMORY : PTCE_ERR_INPUT,
                              "%s, ligne %zu : cellule illisible ou trop grande pour la "
                              "mémoire (%s).", e->name, e->line, csv_strerror(err));
    }
    e->line++;
    return e->status;
}

static ptce_status engine_finish(engine *e)
{
    if (e->status)
        return e->status;
    /* libcsv reports a quote left open at the end only in strict mode, and strict mode
     * would also refuse the quotes spreadsheets leave inside unquoted cells (Le "Petit"
     * Pôle). So the parse is lenient and only the end is strict. */
    csv_set_opts(&e->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    if (csv_fini(&e->parser, on_field, on_row, e) != 0 && !e->status)
        e->status = ptce_fail(e->ctx, PTCE_ERR_INPUT,
                              "%s, ligne %zu : guillemet ouvert jamais fermé (la cellule court "
                              "jusqu'à la fin du fichier). Fermez le guillemet ou retirez-le.",
                              e->name, e->row_start_line);
    return e->status;
}

static void engine_free(engine *e)
{
    if (e->parser_ready)
        csv_free(&e->parser);
    e->parser_ready = false;
    util_sb_free(&e->text);
    free(e->offsets);
    free(e->cells);
    e->offsets = NULL;
    e->cells = NULL;
}

/* ---- whole files ------------------------------------------------------------------------- */

void csvfile_table_free(csvfile_table *t)
{
    if (!t)
        return;
    free(t->rows);
    free(t->mixed);
    free(t->text);
    free(t->cell_offsets);
    memset(t, 0, sizeof *t);
}

const char *csvfile_table_cell(const csvfile_table *t, const csvfile_row *row, size_t col)
{
    if (col >= t->ncols)
        return "";
    return t->text + t->cell_offsets[(row ? row->first_cell : 0) + col];
}

ptce_status csvfile_table_parse(ptce_ctx *ctx, const char *name, const char *bytes, size_t len,
                            const csvfile_read_options *opts, csvfile_table *out)
{
    memset(out, 0, sizeof *out);
    if (has_utf32_bom(bytes, len))
        return ptce_fail(ctx, PTCE_ERR_INPUT,
                         "%s : fichier en UTF-32. Réenregistrez-le en « CSV UTF-8 » ou « CSV "
                         "(séparateur : point-virgule) ».", name);
    if (has_utf16_bom(bytes, len))
        return fail_utf16(ctx, name, true);
    const char *nul = memchr(bytes, '\0', len);
    if (nul && looks_utf16(bytes, len))
        return fail_utf16(ctx, name, false);
    if (nul)
        return fail_nul(ctx, name, bytes, (size_t)(nul - bytes), 1);

    char *decoded = NULL;
    const char *text = bytes;
    size_t textlen = len;
    if (len >= 3 && memcmp(bytes, UTIL_UTF8_BOM, 3) == 0) {
        text += 3;
        textlen -= 3;
        snprintf(out->encoding, sizeof out->encoding, "UTF-8 (BOM)");
        size_t bad = util_utf8_invalid_offset(text, textlen);
        if (bad < textlen) {
            size_t line, col;
            position_of(text, bad, &line, &col);
            util_strbuf as;
            util_sb_init(&as);
            util_utf8_append_codepoint(&as, util_cp1252_codepoint((unsigned char)text[bad]));
            ptce_status st = ptce_fail(ctx, PTCE_ERR_INPUT,
                             "%s, ligne %zu, caractère %zu : le fichier annonce UTF-8 (BOM) mais "
                             "l'octet 0x%02X n'est pas de l'UTF-8 (un « %s » en Windows-1252, "
                             "collé d'un autre fichier ?). Corrigez ce caractère, ou "
                             "réenregistrez le fichier en « CSV UTF-8 ».", name, line, col,
                             (unsigned char)text[bad], as.data ? as.data : "?");
            util_sb_free(&as);
            return st;
        }
    } else if (util_utf8_is_valid(text, textlen)) {
        snprintf(out->encoding, sizeof out->encoding, "UTF-8");
    } else if (has_utf8_multibyte(text, textlen)) {
        decoded = decode_mixed(text, textlen, &textlen, out);
        if (!decoded) {
            free(out->mixed);
            out->mixed = NULL;
            out->nmixed = 0;
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        }
        text = decoded;
        snprintf(out->encoding, sizeof out->encoding, "UTF-8 mêlé");
    } else {
        decoded = util_cp1252_to_utf8(text, textlen, &textlen);
        if (!decoded)
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        text = decoded;
        snprintf(out->encoding, sizeof out->encoding, "windows-1252");
    }

    size_t start = 0;
    while (start < textlen && (text[start] == '\n' || text[start] == '\r'))
        start++;
    if (start == textlen) {
        free(decoded);
        out->empty = 1;
        out->separator = ';';
        return PTCE_OK;
    }
    out->separator = detect_separator(text + start, textlen - start);

    engine e;
    ptce_status status = engine_start(&e, ctx, name, opts);
    if (!status) {
        csv_set_delim(&e.parser, (unsigned char)out->separator);
        e.table = out;
        for (size_t pos = 0; pos < textlen && !status;) {
            size_t n = physical_line_length(text + pos, textlen - pos);
            status = engine_line(&e, text + pos, n);
            pos += n;
        }
        if (!status)
            status = engine_finish(&e);
        if (!status && e.header_cells == 0)
            status = ptce_fail(ctx, PTCE_ERR_INPUT, "%s : pas de ligne d'en-tête.", name);
    }
    free(decoded);
    out->text = e.text.data;
    out->cell_offsets = e.offsets;
    out->ncols = e.header_cells;
    out->header_line = e.header_line;
    out->blank_rows = e.blank_rows;
    e.text.data = NULL;
    e.offsets = NULL;
    engine_free(&e);
    if (status) {
        csvfile_row *rows = out->rows;
        char *t = out->text;
        size_t *o = out->cell_offsets;
        free(rows);
        free(t);
        free(o);
        char enc[sizeof out->encoding];
        memcpy(enc, out->encoding, sizeof enc);
        free(out->mixed);
        memset(out, 0, sizeof *out);
        memcpy(out->encoding, enc, sizeof enc);
        return status;
    }
    if (!out->text) { /* a header of no cells cannot happen, but keep the table usable */
        out->text = util_strdup("");
        if (!out->text)
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    return PTCE_OK;
}

ptce_status csvfile_table_read(ptce_ctx *ctx, const char *path, const csvfile_read_options *opts,
                           csvfile_table *out)
{
    memset(out, 0, sizeof *out);
    size_t len = 0;
    char *bytes = util_read_file(path, &len);
    if (!bytes) {
        if (errno == EISDIR)
            return ptce_fail(ctx, PTCE_ERR_INPUT,
                             "%s : c'est un dossier ; indiquez un fichier CSV.", path);
        return ptce_fail_read(ctx, PTCE_ERR_INPUT, path, errno);
    }
    ptce_status status = csvfile_table_parse(ctx, path, bytes, len, opts, out);
    free(bytes);
    return status;
}

/* ---- streams ----------------------------------------------------------------------------- */

struct csvfile_stream {
    engine e;
    util_strbuf pending;   /* the physical line being gathered */
    bool started;     /* the first non-blank line has been seen (BOM, separator) */
    bool at_start;    /* no byte fed yet: a BOM may come */
};

ptce_status csvfile_stream_open(ptce_ctx *ctx, const char *name, const csvfile_read_options *opts,
                            csvfile_row_fn fn, void *user, csvfile_stream **out)
{
    *out = NULL;
    csvfile_stream *s = calloc(1, sizeof *s);
    if (!s)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    ptce_status st = engine_start(&s->e, ctx, name, opts);
    if (st) {
        free(s);
        return st;
    }
    s->e.fn = fn;
    s->e.user = user;
    s->e.check_utf8 = true;
    s->at_start = true;
    util_sb_init(&s->pending);
    *out = s;
    return PTCE_OK;
}

/* One complete physical line is in s->pending: check it and feed it. */
static ptce_status stream_line(csvfile_stream *s)
{
    engine *e = &s->e;
    const char *p = s->pending.data;
    size_t n = s->pending.len;
    if (s->pending.failed) {
        engine_oom(e);
        return e->status;
    }
    if (s->at_start) {
        s->at_start = false;
        if (has_utf32_bom(p, n))
            return e->status = ptce_fail(e->ctx, PTCE_ERR_INPUT,
                                         "%s : fichier en UTF-32. Réenregistrez-le en « CSV "
                                         "UTF-8 ».", e->name);
        if (has_utf16_bom(p, n))
            return e->status = fail_utf16(e->ctx, e->name, true);
        if (n >= 3 && memcmp(p, UTIL_UTF8_BOM, 3) == 0) {
            p += 3;
            n -= 3;
        }
    }
    const char *nul = memchr(p, '\0', n);
    if (nul)
        return e->status = looks_utf16(p, n)
                               ? fail_utf16(e->ctx, e->name, false)
                               : fail_nul(e->ctx, e->name, p, (size_t)(nul - p), e->line);
    if (!s->started) {
        if (line_is_empty(p, n)) { /* blank lines before the header */
            e->line++;
            return PTCE_OK;
        }
        s->started = true;
        csv_set_delim(&e->parser, (unsigned char)detect_separator(p, n));
    }
    return engine_line(e, p, n);
}

ptce_status csvfile_stream_feed(csvfile_stream *s, const char *bytes, size_t len)
{
    engine *e = &s->e;
    size_t i = 0;
    if (e->status)
        return e->status;
    /* A "\r" that ended the previous piece: its line is complete, with "\n" if one comes. */
    if (s->pending.len && s->pending.data[s->pending.len - 1] == '\r' && len) {
        if (bytes[0] == '\n') {
            util_sb_append_char(&s->pending, '\n');
            i = 1;
        }
        if (stream_line(s))
            return e->status;
        s->pending.len = 0;
    }
    while (i < len) {
        const char *nl = memchr(bytes + i, '\n', len - i);
        const char *cr = memchr(bytes + i, '\r', (nl ? (size_t)(nl - bytes) : len) - i);
        if (cr) {
            size_t j = (size_t)(cr - bytes);
            if (j + 1 == len) { /* maybe "\r\n" across pieces: wait for the next one */
                util_sb_append_n(&s->pending, bytes + i, len - i);
                return PTCE_OK;
            }
            size_t end = bytes[j + 1] == '\n' ? j + 2 : j + 1;
            util_sb_append_n(&s->pending, bytes + i, end - i);
            i = end;
        } else if (nl) {
            size_t end = (size_t)(nl - bytes) + 1;
            util_sb_append_n(&s->pending, bytes + i, end - i);
            i = end;
        } else {
            util_sb_append_n(&s->pending, bytes + i, len - i);
            return s->pending.failed ? (engine_oom(e), e->status) : PTCE_OK;
        }
        if (stream_line(s))
            return e->status;
        s->pending.len = 0;
    }
    return PTCE_OK;
}

ptce_status csvfile_stream_finish(csvfile_stream *s)
{
    engine *e = &s->e;
    if (!e->status && s->pending.len) {
        stream_line(s);
        s->pending.len = 0;
    }
    return engine_finish(e);
}

void csvfile_stream_free(csvfile_stream *s)
{
    if (!s)
        return;
    engine_free(&s->e);
    util_sb_free(&s->pending);
    free(s);
}
