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

#include "core/util.h"
#include "model/sectors.h"
#include "ptce.h"

/* The taxonomy's sectors and a classification's fields are model/sectors.h. */

/* Loads a taxonomy file; messages name the file and line of any mistake. */
ptce_status classify_taxonomy_load(ptce_ctx *ctx, const char *path, taxonomy **out);
void classify_taxonomy_free(taxonomy *t);

/* Classifies one PTCE. Either text may be empty. */
ptce_status classify_text(ptce_ctx *ctx, const taxonomy *t, const char *declared_theme,
                          const char *description, classification *out);

/* Appends to `sb` why each sector got its score, in French, one sector after the other by
 * decreasing score: "economie_circulaire 7,5 = « ressourcerie » 4,5 (3, début de texte ×1,5)
 * + « déchet » 3 ; emploi_insertion 1 (2 × facteur_moyen 0,5) = « insertion » 2". */
ptce_status classify_explain(ptce_ctx *ctx, const taxonomy *t, const char *declared_theme,
                             const char *description, util_strbuf *sb);

/* The words of a text as the classifier sees them, for the model trainer
 * (scripts/train-classification-model): "fold/stem" pairs separated by single spaces, e.g.
 * "Circuits courts" → "circuits/circuit courts/court". NULL when memory runs out. */
char *classify_words(const char *text);

#endif
