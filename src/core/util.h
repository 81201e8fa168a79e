/*
 * core/util.h — small things every stage needs: a growable string buffer, whole-file
 * reading, UTF-8 checks and safe truncation, number parsing.
 *
 * Ownership: every function that returns a char* returns memory the caller frees.
 */
#ifndef PTCE_CORE_UTIL_H
#define PTCE_CORE_UTIL_H

#include <errno.h> /* UTIL_ERR_NOT_REGULAR */
#include <stdbool.h>
#include <stddef.h>

char *util_strdup(const char *s);
char *util_strndup(const char *s, size_t n);

/* A growable, always NUL-terminated byte string. A failed allocation sets `failed` and
 * makes further appends no-ops, so a sequence of appends is checked once at the end. */
typedef struct util_strbuf {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
} util_strbuf;

/* Hands the free memory of this process's heap back to the system (glibc's malloc_trim;
 * nothing elsewhere). Worth calling after freeing millions of small blocks that nothing on
 * this thread will allocate again soon: freed, they stay resident in their arena, and
 * another thread's allocations (the print's) never reuse them. */
void util_memory_trim(void);

/* Strings copied into large blocks that never move, so the copies can be pointed at until
 * util_strstore_free(), which frees them all at once: for hundreds of thousands of short
 * strings that live and die together (BAN street names, the folded names of a diff).
 * Zero-initialised it is empty; `block_bytes` is the size of each block (0: 64 KiB); a
 * longer string gets a block of its own. */
typedef struct util_strstore_block util_strstore_block;
typedef struct util_strstore {
    util_strstore_block *head; /* the block being filled, then the older ones */
    size_t block_bytes;
} util_strstore;

/* A copy of s[0..n) and a terminating NUL in the store; NULL when memory runs out. */
char *util_strstore_copy(util_strstore *st, const char *s, size_t n);
void util_strstore_free(util_strstore *st);

void util_sb_init(util_strbuf *sb);
void util_sb_free(util_strbuf *sb);
void util_sb_append(util_strbuf *sb, const char *s);
void util_sb_append_n(util_strbuf *sb, const char *s, size_t n);
void util_sb_append_char(util_strbuf *sb, char c);
void util_sb_printf(util_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the buffer over to the caller (never NULL unless the buffer failed). */
char *util_sb_take(util_strbuf *sb);

/* Reads a whole file. Returns NULL and sets errno on failure; *len gets the size. Only a
 * regular file is read: a folder gives EISDIR, anything else (a FIFO, /dev/zero…) is
 * refused before any read with UTIL_ERR_NOT_REGULAR. A file of more than UTIL_READ_MAX
 * bytes (by its size, or by what a read gives) gives EFBIG, before it fills memory. */
#define UTIL_READ_MAX ((size_t)1 << 30) /* 1 Gio: 15 times a 200,000-row census */
char *util_read_file(const char *path, size_t *len);
/* The errno of a path that is neither a regular file nor a folder; ptce_errno_text() says
 * « ce n'est pas un fichier ordinaire ». */
#define UTIL_ERR_NOT_REGULAR ENODEV

/* The UTF-8 byte order mark, which spreadsheets write first and readers skip. */
#define UTIL_UTF8_BOM "\xEF\xBB\xBF"

/* True when the n bytes are valid UTF-8 (no overlongs, no surrogates). */
bool util_utf8_is_valid(const char *s, size_t n);
/* Length (1–4) of the valid UTF-8 character at s (n bytes available), 0 when the bytes
 * there are not one. */
size_t util_utf8_sequence_length(const char *s, size_t n);
/* Appends s to sb made harmless for a terminal: what a census cell, a header or a file
 * name could use to drive the terminal is shown as text instead — C0 controls but the line
 * feed and the tab (ESC of "ESC[2J" or "ESC]0;…" becomes \x1B, CR \x0D, BEL \x07), DEL,
 * the C1 controls U+0080–U+009F (\u009B…), the bidirectional overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C: \u202E…), and bytes that are not
 * UTF-8 (\xFF). Everything else is copied. The one escaping of the project: the log
 * (core/ctx.c), the CLI's error line and the reports written to a terminal use it. */
void util_sb_append_for_terminal(util_strbuf *sb, const char *s);
/* The same for the n bytes of a whole file shown on a terminal (a report written to
 * standard output when it is one): NUL bytes are escaped too, and the CR of a CRLF line
 * end is kept. */
void util_sb_append_file_for_terminal(util_strbuf *sb, const char *bytes, size_t n);

/* Offset of the first byte that does not start a valid UTF-8 character; n when none. */
size_t util_utf8_invalid_offset(const char *s, size_t n);

/* Windows-1252, the encoding French Excel writes "CSV (séparateur : point-virgule)" in:
 * the Unicode code point of byte b (every byte maps to one; the five unassigned bytes of
 * 0x80–0x9F give U+FFFD). The one table of the project. */
unsigned util_cp1252_codepoint(unsigned char b);
/* Windows-1252 bytes to UTF-8 (new, NUL-terminated; *outlen gets its length); NULL when
 * memory runs out. */
char *util_cp1252_to_utf8(const char *bytes, size_t len, size_t *outlen);
/* Appends code point cp (below U+10000) to sb as UTF-8. */
void util_utf8_append_codepoint(util_strbuf *sb, unsigned cp);

/* Appends s, or when it is longer than max bytes its first characters (at most max bytes,
 * never half a character) followed by "…": the one way a text is shortened for a message
 * or a note. */
void util_sb_append_excerpt(util_strbuf *sb, const char *s, size_t max);

/* The largest length <= max that does not cut a UTF-8 sequence of s in two. */
size_t util_utf8_cut_length(const char *s, size_t max);

/* π, and degrees to radians (C11 has no M_PI). */
#define UTIL_PI 3.14159265358979323846
#define UTIL_RAD_PER_DEG (UTIL_PI / 180.0)

/* Parses a decimal number written with a point or a comma, surrounded by optional spaces.
 * Returns false for empty text, trailing garbage, NaN and infinities. */
bool util_parse_decimal(const char *text, double *out);

/* Writes v with `decimals` decimals (0–9) into buf (at least 48 bytes), rounding half to
 * even like printf, "-0" printed "0"; with `trim`, trailing zeros and a bare point are
 * removed. Returns the length, or 0 for values beyond 1e15 or not finite (use printf).
 * Hand-written because printf is most of the time of writing large outputs. */
size_t util_format_fixed(char *buf, double v, int decimals, int trim);
/* snprintf(buf, size, "%.*f", decimals, v), byte for byte ("-0.00" for a small negative
 * number, as printf writes it), through util_format_fixed when it can (size >= 48, |v|
 * scaled below 2^32), else snprintf. Returns the length. For the CSV reports, whose numbers are printf's. */
size_t util_format_printf(char *buf, size_t size, double v, int decimals);

/* Removes leading and trailing blanks in place: spaces, tabs, CR, LF and no-break spaces. */
char *util_trim(char *s);

/* True when s holds nothing but those blanks (or nothing): an empty cell. The one test of
 * emptiness for cells and values. */
bool util_is_blank(const char *s);
/* True for the one-byte blanks of util_is_blank: space, tab, CR, LF. */
bool util_is_blank_char(char c);

/* Case-insensitive ASCII comparison helpers. */
bool util_starts_with(const char *s, const char *prefix);

#endif
