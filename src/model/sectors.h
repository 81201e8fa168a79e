/*
 * model/sectors.h — the sectors of the taxonomy and what classification decided for a row.
 *
 * The taxonomy is loaded by classify/ (taxonomy_load), which also implements the
 * read-only accessors below over its private struct; every other room sees only this
 * interface. A classification owns its two strings (classification_free).
 * Includes nothing above the floor.
 */
#ifndef PTCE_MODEL_SECTORS_H
#define PTCE_MODEL_SECTORS_H

#include <stddef.h>

#include "ptce.h"

typedef struct taxonomy taxonomy;

size_t taxonomy_count(const taxonomy *t);
/* Sector i (0 <= i < count), in the file's order. */
const char *taxonomy_sector_id(const taxonomy *t, size_t i);    /* "economie_circulaire" */
const char *taxonomy_sector_label(const taxonomy *t, size_t i); /* "Économie circulaire" */
const char *taxonomy_sector_color(const taxonomy *t, size_t i); /* "#2e8b57" */
/* A short ASCII code, at most 8 characters, used in DBF field names n_<short>. */
const char *taxonomy_sector_short(const taxonomy *t, size_t i);
/* Index of a sector id, -1 when unknown. */
int taxonomy_find(const taxonomy *t, const char *id);

#define CLASSIFY_MAX_SECTORS 32

typedef struct classification {
    int primary;                        /* sector index; the `autre` sector when nothing matched */
    int sectors[CLASSIFY_MAX_SECTORS];  /* primary first, then secondaries by decreasing score */
    size_t nsectors;
    double score;                       /* confidence of the primary, 0..1 */
    int runner_up;                      /* second best sector by ranking score, -1 if none */
    double scores[CLASSIFY_MAX_SECTORS];/* ranking score of each sector (see classify/classify.c) */
    char *sectors_text;                 /* "economie_circulaire|alimentation_agriculture", owned */
    char *terms;                        /* matched terms with their sector, owned */
} classification;

void classification_free(classification *c);

#endif
