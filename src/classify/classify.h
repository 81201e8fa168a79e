/*
 * classify/classify.h — sectors from the declared theme and the description.
 *
 * Owns: the taxonomy file (data/taxonomie.txt, edited by analysts without recompiling),
 * French text normalisation for matching (built on text/fold), scoring with explanations.
 * Does not know about geography.
 */
#ifndef PTCE_CLASSIFY_H
#define PTCE_CLASSIFY_H

#include <stddef.h>

#include "ptce.h"

typedef struct taxonomy taxonomy;

/* Loads a taxonomy file; messages name the file and line of any mistake. */
ptce_status taxonomy_load(ptce_ctx *ctx, const char *path, taxonomy **out);
void taxonomy_free(taxonomy *t);

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
    char *sectors_text;                 /* "economie_circulaire|alimentation_agriculture", owned */
    char *terms;                        /* matched terms with their sector, owned */
} classification;

/* Classifies one PTCE. Either text may be empty. */
ptce_status classify_text(ptce_ctx *ctx, const taxonomy *t, const char *declared_theme,
                          const char *description, classification *out);
void classification_free(classification *c);

#endif
