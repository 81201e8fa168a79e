/*
 * fuzz_census — the census reader (census_parse) on arbitrary bytes.
 *
 * An input that starts with "--columns=" carries a --columns option on its first line;
 * the rest is the file. Every cell of every record is then read back, so that ASan sees
 * any offset pointing outside the cell storage.
 */
#include "fuzz_common.h"

#include "census/census.h"

static ptce_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = fuzz_context();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *bytes = (const char *)data;
    char *columns = NULL;
    static const char prefix[] = "--columns=";
    if (size >= sizeof prefix - 1 && memcmp(bytes, prefix, sizeof prefix - 1) == 0) {
        const char *nl = memchr(bytes, '\n', size);
        size_t end = nl ? (size_t)(nl - bytes) : size;
        size_t n = end - (sizeof prefix - 1);
        columns = malloc(n + 1);
        if (!columns)
            return 0;
        memcpy(columns, bytes + sizeof prefix - 1, n);
        columns[n] = '\0';
        size_t skip = nl ? end + 1 : end;
        bytes += skip;
        size -= skip;
    }
    /* An exact-size copy, so that a read one byte past the input is caught. */
    char *copy = malloc(size ? size : 1);
    if (!copy) {
        free(columns);
        return 0;
    }
    if (size)
        memcpy(copy, bytes, size);

    census_options opts = {.columns = columns};
    census c;
    ptce_status st = census_parse(ctx, "fuzz.csv", copy, size, &opts, &c);
    size_t h = fuzz_touch(ptce_ctx_error(ctx));
    if (st == PTCE_OK) {
        if (c.separator != ';' && c.separator != ',' && c.separator != '\t')
            abort();
        for (size_t i = 0; i < c.ncols; i++)
            h += fuzz_touch(c.header[i]);
        for (size_t r = 0; r < c.nrecords; r++) {
            if (r > 0 && c.records[r].line < c.records[r - 1].line)
                abort(); /* records come in file order */
            for (size_t col = 0; col <= c.ncols; col++)
                h += fuzz_touch(census_cell(&c, &c.records[r], col));
            for (int role = 0; role <= CENSUS_ROLE_COUNT; role++)
                h += fuzz_touch(census_value(&c, &c.records[r], (census_role)role));
        }
        /* Warnings are records with a known kind and a line, and their French is UTF-8. */
        size_t wide = 0;
        for (size_t i = 0; i < c.nwarns; i++) {
            const census_warning *w = &c.warns[i];
            if ((unsigned)w->kind > CENSUS_WARNING_LAST || w->line == 0)
                abort();
            wide += w->kind == CENSUS_WIDE_ROW;
            util_strbuf sb;
            util_sb_init(&sb);
            census_warning_text(&c, w, &sb);
            if (!sb.failed && (!sb.data || !util_utf8_is_valid(sb.data, sb.len)))
                abort();
            util_sb_free(&sb);
        }
        if (wide != c.warnings)
            abort();
    }
    census_free(&c);
    free(copy);
    free(columns);
    return h == 42 ? 0 : 0;
}
