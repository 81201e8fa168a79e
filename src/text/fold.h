/*
 * text/fold.h — turning French text into a comparable key.
 *
 * Owns: the one normalisation that geocoding and classification share. "Saint-Étienne",
 * "SAINT ETIENNE" and "saint’étienne" all fold to "saint etienne": lower case (Unicode case
 * folding), accents removed after canonical decomposition (so NFD input works too),
 * ligatures œ/æ spelt out, every run of non-alphanumeric characters turned into one space,
 * no leading or trailing space. Built on utf8proc, not on hand-written tables (but for a
 * fast path over the common characters, checked against utf8proc). geocode/ and classify/
 * call these; they keep no fold of their own.
 */
#ifndef PTCE_TEXT_FOLD_H
#define PTCE_TEXT_FOLD_H

#include <stddef.h>

/* Returns a newly allocated folded key, or NULL when memory runs out. Invalid UTF-8 bytes
 * are read as Windows-1252 characters rather than rejected, so every input folds. The
 * common characters of French text (ASCII, Latin-1 letters, œ, typographic quotes and
 * dashes) take a fast path that gives the same bytes as utf8proc. */
char *text_fold(const char *text);

/* Same, into a caller's buffer (truncated at a character boundary); returns the length.
 * No allocation while the text holds only the common characters. */
size_t text_fold_into(const char *text, char *out, size_t outsize);

/* The definition the fast path must match: every character through utf8proc. For tests
 * and the reference data compiler's checks; slower. */
char *text_fold_unicode(const char *text);
size_t text_fold_unicode_into(const char *text, char *out, size_t outsize);

#endif
