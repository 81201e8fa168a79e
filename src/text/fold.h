/*
 * text/fold.h — turning French text into a comparable key.
 *
 * Owns: the one normalisation that geocoding and classification share. "Saint-Étienne",
 * "SAINT ETIENNE" and "saint’étienne" all fold to "saint etienne": lower case (Unicode case
 * folding), accents removed after canonical decomposition (so NFD input works too),
 * ligatures œ/æ spelt out, every run of non-alphanumeric characters turned into one space,
 * no leading or trailing space. Built on utf8proc, not on hand-written tables.
 */
#ifndef PTCE_TEXT_FOLD_H
#define PTCE_TEXT_FOLD_H

#include <stddef.h>

/* Returns a newly allocated folded key, or NULL when memory runs out. Invalid UTF-8 bytes
 * are read as Windows-1252 characters rather than rejected, so every input folds. */
char *text_fold(const char *text);

/* Same, into a caller's buffer (truncated at a character boundary); returns the length. */
size_t text_fold_into(const char *text, char *out, size_t outsize);

#endif
