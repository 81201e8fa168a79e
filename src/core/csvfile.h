/*
 * core/csvfile.h — CSV files as spreadsheets exchange them: the one place that knows how a
 * cell is quoted and defused. Knows nothing of the domain.
 */
#ifndef PTCE_CORE_CSVFILE_H
#define PTCE_CORE_CSVFILE_H

#include "core/util.h"

/* Appends one CSV cell (with the separator before it unless first): quoted when it holds
 * the separator, a quote or a line break; defused with a leading apostrophe when a
 * spreadsheet would run it as a formula (=, +, -, @ not followed by a number). */
void csv_append_cell(strbuf *sb, const char *text, char sep, int first);

#endif
