/*
 * core/csvfile.c — see csvfile.h.
 */
#include "core/csvfile.h"

#include <string.h>

static int looks_numeric(const char *s)
{
    double v;
    return parse_decimal(s, &v);
}

void csv_append_cell(strbuf *sb, const char *text, char sep, int first)
{
    if (!first)
        sb_append_char(sb, sep);
    if (!text)
        return;
    int formula = (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                   text[0] == '\t' || text[0] == '\r') &&
                  !looks_numeric(text);
    int quote = formula || strchr(text, sep) || strchr(text, '"') || strchr(text, '\n') ||
                strchr(text, '\r');
    if (!quote) {
        sb_append(sb, text);
        return;
    }
    sb_append_char(sb, '"');
    if (formula)
        sb_append_char(sb, '\'');
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            sb_append_char(sb, '"');
        sb_append_char(sb, *p);
    }
    sb_append_char(sb, '"');
}
