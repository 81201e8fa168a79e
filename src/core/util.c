/*
 * core/util.c — see util.h.
 */
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *util_strdup(const char *s)
{
    return s ? util_strndup(s, strlen(s)) : NULL;
}

char *util_strndup(const char *s, size_t n)
{
    char *copy = malloc(n + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

#define STRSTORE_DEFAULT_BLOCK ((size_t)1 << 16) /* 64 KiB: a block_bytes of 0 */

struct util_strstore_block {
    util_strstore_block *next;
    size_t used, cap;
    char bytes[];
};

char *util_strstore_copy(util_strstore *st, const char *s, size_t n)
{
    util_strstore_block *b = st->head;
    if (!b || b->cap - b->used < n + 1) {
        size_t block = st->block_bytes ? st->block_bytes : STRSTORE_DEFAULT_BLOCK;
        size_t cap = n + 1 > block ? n + 1 : block;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = st->head;
        b->used = 0;
        b->cap = cap;
        st->head = b;
    }
    char *p = b->bytes + b->used;
    memcpy(p, s, n);
    p[n] = '\0';
    b->used += n + 1;
    return p;
}

void util_strstore_free(util_strstore *st)
{
    while (st->head) {
        util_strstore_block *next = st->head->next;
        free(st->head);
        st->head = next;
    }
}

void util_memory_trim(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

void util_sb_init(util_strbuf *sb)
{
    memset(sb, 0, sizeof *sb);
}

void util_sb_free(util_strbuf *sb)
{
    free(sb->data);
    util_sb_init(sb);
}

static bool sb_reserve(util_strbuf *sb, size_t extra)
{
    if (sb->failed)
        return false;
    if (sb->len + extra + 1 <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            sb->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *data = realloc(sb->data, cap);
    if (!data) {
        sb->failed = true;
        return false;
    }
    sb->data = data;
    sb->cap = cap;
    return true;
}

void util_sb_append_n(util_strbuf *sb, const char *s, size_t n)
{
    if (!sb_reserve(sb, n))
        return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void util_sb_append(util_strbuf *sb, const char *s)
{
    util_sb_append_n(sb, s, strlen(s));
}

void util_sb_append_char(util_strbuf *sb, char c)
{
    if (!sb->failed && sb->len + 2 <= sb->cap) { /* room for it and the NUL: no call */
        sb->data[sb->len++] = c;
        sb->data[sb->len] = '\0';
        return;
    }
    util_sb_append_n(sb, &c, 1);
}

void util_sb_printf(util_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0 || !sb_reserve(sb, (size_t)need)) {
        sb->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)need + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)need;
}

char *util_sb_take(util_strbuf *sb)
{
    if (sb->failed) {
        util_sb_free(sb);
        return NULL;
    }
    if (!sb->data) {
        if (!sb_reserve(sb, 0))
            return NULL;
        sb->data[0] = '\0';
    }
    char *data = sb->data;
    util_sb_init(sb);
    return data;
}

char *util_read_file(const char *path, size_t *len)
{
    /* O_NONBLOCK: opening a FIFO (a named pipe given as the census) must not wait for a
     * writer forever; like any file that is not a regular one, it is refused below. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : UTIL_ERR_NOT_REGULAR;
        return NULL;
    }
    if ((uintmax_t)st.st_size > UTIL_READ_MAX) {
        close(fd);
        errno = EFBIG;
        return NULL;
    }
    /* Read with O_NONBLOCK still set: it changes nothing for a file on disk, and a
     * regular-looking file of the kernel that would wait (/proc/kmsg) says EAGAIN instead
     * of blocking forever. */
    util_strbuf sb;
    util_sb_init(&sb);
    char chunk[65536];
    int err = 0;
    for (;;) {
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got > 0) {
            if (sb.len + (size_t)got > UTIL_READ_MAX) { /* grew, or a size the kernel hides */
                err = EFBIG;
                break;
            }
            util_sb_append_n(&sb, chunk, (size_t)got);
            if (sb.failed)
                break;
        } else if (got == 0) {
            break;
        } else if (errno != EINTR) {
            err = errno == EAGAIN || errno == EWOULDBLOCK ? UTIL_ERR_NOT_REGULAR : errno;
            break;
        }
    }
    close(fd);
    if (err) {
        util_sb_free(&sb);
        errno = err;
        return NULL;
    }
    size_t n = sb.len;
    char *data = util_sb_take(&sb);
    if (!data) {
        errno = ENOMEM;
        return NULL;
    }
    if (len)
        *len = n;
    return data;
}

static const unsigned short cp1252_high[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

unsigned util_cp1252_codepoint(unsigned char b)
{
    return b < 0x80 ? b : b < 0xA0 ? cp1252_high[b - 0x80] : b;
}

void util_utf8_append_codepoint(util_strbuf *sb, unsigned cp)
{
    char enc[3];
    if (cp < 0x80) {
        util_sb_append_char(sb, (char)cp);
    } else if (cp < 0x800) {
        enc[0] = (char)(0xC0 | (cp >> 6));
        enc[1] = (char)(0x80 | (cp & 0x3F));
        util_sb_append_n(sb, enc, 2);
    } else {
        enc[0] = (char)(0xE0 | ((cp >> 12) & 0x0F));
        enc[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        enc[2] = (char)(0x80 | (cp & 0x3F));
        util_sb_append_n(sb, enc, 3);
    }
}

char *util_cp1252_to_utf8(const char *bytes, size_t len, size_t *outlen)
{
    util_strbuf sb;
    util_sb_init(&sb);
    for (size_t i = 0; i < len; i++)
        util_utf8_append_codepoint(&sb, util_cp1252_codepoint((unsigned char)bytes[i]));
    if (outlen)
        *outlen = sb.len;
    return util_sb_take(&sb);
}

size_t util_utf8_sequence_length(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    unsigned cp = c & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

void util_sb_append_excerpt(util_strbuf *sb, const char *s, size_t max)
{
    size_t keep = util_utf8_cut_length(s, max);
    util_sb_append_n(sb, s, keep);
    if (s[keep])
        util_sb_append(sb, "…");
}

/* keep_crlf: a CR right before a LF is a CSV line end, harmless on a terminal: kept. */
static void append_for_terminal(util_strbuf *sb, const char *s, size_t n, bool keep_crlf)
{
    size_t run = 0, i = 0;
    while (i < n) {
        unsigned char b = (unsigned char)s[i];
        size_t len = util_utf8_sequence_length(s + i, n - i);
        unsigned cp = 0;
        if (len == 1) {
            cp = b;
        } else if (len > 1) {
            cp = b & (0xFF >> (len + 1));
            for (size_t k = 1; k < len; k++)
                cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3F);
        }
        bool bad = len == 0 || (cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7F ||
                   (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
                   (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F ||
                   cp == 0x061C;
        if (bad && keep_crlf && cp == '\r' && i + 1 < n && s[i + 1] == '\n')
            bad = false;
        if (!bad) {
            i += len;
            continue;
        }
        util_sb_append_n(sb, s + run, i - run);
        if (len <= 1)
            util_sb_printf(sb, "\\x%02X", b);
        else
            util_sb_printf(sb, "\\u%04X", cp);
        i += len ? len : 1;
        run = i;
    }
    util_sb_append_n(sb, s + run, n - run);
}

void util_sb_append_for_terminal(util_strbuf *sb, const char *s)
{
    append_for_terminal(sb, s, strlen(s), false);
}

void util_sb_append_file_for_terminal(util_strbuf *sb, const char *bytes, size_t n)
{
    append_for_terminal(sb, bytes, n, true);
}

size_t util_utf8_invalid_offset(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* Runs of ASCII (most of a French text) eight bytes at a time. */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        size_t len = util_utf8_sequence_length(s + i, n - i);
        if (!len)
            return i;
        i += len;
    }
    return n;
}

bool util_utf8_is_valid(const char *s, size_t n)
{
    return util_utf8_invalid_offset(s, n) == n;
}

size_t util_utf8_cut_length(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    size_t cut = max;
    /* Step back over continuation bytes to the start of the character that would be split. */
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    return cut;
}

bool util_parse_decimal(const char *text, double *out)
{
    char buf[64];
    size_t n = 0;
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    for (; *p && n + 1 < sizeof buf; p++) {
        char c = *p;
        if (c == ',')
            c = '.';
        if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' ||
              c == 'E' || c == ' ' || c == '\t'))
            return false;
        buf[n++] = c;
    }
    if (*p)
        return false;
    while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
        n--;
    buf[n] = '\0';
    if (n == 0)
        return false;
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (*end || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

bool util_is_blank(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (p[0] == 0xC2 && p[1] == 0xA0) { /* no-break space */
            p++;
            continue;
        }
        if (!util_is_blank_char((char)*p))
            return false;
    }
    return true;
}

bool util_is_blank_char(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char *util_trim(char *s)
{
    char *start = s;
    for (;;) {
        if (*start == ' ' || *start == '\t' || *start == '\r' || *start == '\n')
            start++;
        else if ((unsigned char)start[0] == 0xC2 && (unsigned char)start[1] == 0xA0)
            start += 2;
        else
            break;
    }
    size_t n = strlen(start);
    for (;;) {
        if (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\t' || start[n - 1] == '\r' ||
                      start[n - 1] == '\n'))
            n--;
        else if (n > 1 && (unsigned char)start[n - 2] == 0xC2 && (unsigned char)start[n - 1] == 0xA0)
            n -= 2;
        else
            break;
    }
    memmove(s, start, n);
    s[n] = '\0';
    return s;
}

bool util_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

size_t util_format_fixed(char *buf, double v, int decimals, int trim)
{
    static const double scale[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    if (decimals < 0 || decimals > 9 || !(fabs(v) < 1e15 / scale[decimals]))
        return 0;
    double scaled = fabs(v) * scale[decimals];
    double frac = scaled - floor(scaled);
    if (fabs(frac - 0.5) < 1e-6) {
        /* Near a tie the scaling itself may have rounded: printf decides on the exact
         * binary value, so let it (rare, and a few microseconds each). */
        int n = snprintf(buf, 48, "%.*f", decimals, v);
        if (n > 0 && buf[0] == '-') {
            int zero = 1;
            for (const char *p = buf + 1; *p; p++)
                zero &= *p == '0' || *p == '.';
            if (zero)
                memmove(buf, buf + 1, (size_t)n--);
        }
        if (trim && strchr(buf, '.')) {
            while (n > 0 && buf[n - 1] == '0')
                buf[--n] = '\0';
            if (n > 0 && buf[n - 1] == '.')
                buf[--n] = '\0';
        }
        return n > 0 ? (size_t)n : 0;
    }
    unsigned long long n = (unsigned long long)rint(scaled);
    unsigned long long unit = (unsigned long long)scale[decimals];
    unsigned long long ipart = n / unit, fpart = n % unit;
    size_t len = 0;
    if (v < 0 && n != 0)
        buf[len++] = '-';
    char digits[24];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + ipart % 10);
        ipart /= 10;
    } while (ipart);
    while (nd)
        buf[len++] = digits[--nd];
    int width = decimals;
    while (trim && width > 0 && fpart % 10 == 0) {
        fpart /= 10;
        width--;
    }
    if (width > 0) {
        buf[len++] = '.';
        for (int i = width - 1; i >= 0; i--) {
            buf[len + (size_t)i] = (char)('0' + fpart % 10);
            fpart /= 10;
        }
        len += (size_t)width;
    }
    buf[len] = '\0';
    return len;
}

size_t util_format_printf(char *buf, size_t size, double v, int decimals)
{
    /* util_format_fixed decides away from a tie (1e-6) on the scaled value; below 2^32
     * that value is within 2^-21 of the exact one, so it rounds as printf does. */
    static const double scale[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    size_t n = size >= 48 && decimals >= 0 && decimals <= 9 &&
                       fabs(v) * scale[decimals] < 4294967296.0
                   ? util_format_fixed(buf, v, decimals, 0)
                   : 0;
    if (n == 0) {
        int k = snprintf(buf, size, "%.*f", decimals, v);
        return k < 0 ? 0 : (size_t)k < size ? (size_t)k : size - 1;
    }
    if (signbit(v) && buf[0] != '-') { /* printf keeps the sign of what rounds to zero */
        memmove(buf + 1, buf, n + 1);
        buf[0] = '-';
        n++;
    }
    return n;
}
