/*
 * classify/classify_private.h — what taxonomy.c (the parser) and classify.c (normalisation
 * and scoring) share. Not part of the library's interface: only src/classify/ and its unit
 * test include it.
 *
 * Normalisation turns French text into a sequence of tokens, each with two forms:
 *   - `fold`: the word after text_fold() (lower case, no accents), with bound prefixes
 *     glued back ("ré-emploi" → "reemploi", "éco construction" → "ecoconstruction");
 *   - `stem`: `fold` with the plural and feminine endings taken off ("ressourceries" →
 *     "ressourceri", "maraîchères" → "maraicher", "locaux" and "locales" → "locau").
 * Elided articles (l', d', qu'…) and a short list of function words are dropped, so that
 * phrases match across "de la", "d'", "à l'"…
 */
#ifndef PTCE_CLASSIFY_PRIVATE_H
#define PTCE_CLASSIFY_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify/classify.h"

/* ---- normalisation (classify.c) ---- */

typedef struct classify_token {
    uint32_t fold_off, fold_len; /* into classify_tokens.buf */
    uint32_t stem_off, stem_len;
} classify_token;

typedef struct classify_tokens {
    char *buf;      /* owned; NUL-terminated forms */
    classify_token *tok; /* owned */
    size_t n;
} classify_tokens;

/* Normalises `text` (NULL counts as empty). Returns false when memory runs out; `out` is
 * then empty and needs no freeing. */
bool classify_tokenize(const char *text, classify_tokens *out);
void classify_tokens_free(classify_tokens *t);

/* The normalised form of a text, stems separated by single spaces ("" for nothing),
 * for tests and for explaining matches. NULL when memory runs out. */
char *classify_normalize(const char *text);

/* ---- the loaded taxonomy (taxonomy.c) ---- */

typedef struct classify_word {
    char *text;  /* a stem, or a folded prefix when `prefix` */
    size_t len;
    bool prefix; /* written with a final '*': matches any word starting with `text` */
} classify_word;

typedef struct classify_term {
    int sector;
    double weight;
    bool theme_only;  /* written "thème …": counts only in the declared theme */
    bool place;       /* written "lieu …": names a place; counts facteur_lieu times its weight
                         when the text also names an activity of another sector */
    size_t first;     /* index of its first word in taxonomy.words */
    size_t nwords;
    char *display;    /* as written in the file, for explanations */
    int line;
} classify_term;

typedef struct classify_sector {
    char *id, *label, *color, *short_code;
    int line;
    bool means;       /* "rôle = moyen": says how a pole works (insertion…), not what it does */
    size_t nterms;
} classify_sector;

/* One key of the index: the first word of one or more terms. */
typedef struct classify_slot {
    const char *key; /* borrowed from a classify_word; NULL when the slot is free */
    size_t len;
    bool prefix;
    size_t head;     /* first term index of the chain */
} classify_slot;

#define CLASSIFY_NO_TERM ((size_t)-1)

struct taxonomy {
    classify_sector *sectors;
    size_t nsectors;
    classify_term *terms;
    size_t nterms, terms_cap;
    classify_word *words;
    size_t nwords, words_cap;
    size_t *next_in_chain; /* per term: the next term sharing its first word */
    classify_slot *slots;
    size_t nslots;         /* a power of two */
#define CLASSIFY_MAX_PREFIX 63
    size_t prefix_lens[CLASSIFY_MAX_PREFIX + 1]; /* distinct lengths of prefix first words, increasing */
    size_t nprefix_lens;
    /* Bit (b0 << 8 | b1) is set when some prefix first word starts with bytes b0 b1: a quick
     * filter before the prefix look-ups. */
    unsigned char prefix_start[65536 / 8];
    double theme_factor;
    double start_bonus;    /* bonus_debut: extra weight of a term at the start of the description */
    size_t start_span;     /* portee_debut: over how many words that bonus fades to nothing */
    double means_factor;   /* facteur_moyen: a means sector's score for the primary choice */
    double place_factor;   /* facteur_lieu: see classify_term.place */
    double secondary_ratio;
    double secondary_min;
    size_t secondary_max;  /* at most this many secondary sectors */
    int other;             /* index of the `autre` sector */
};

/* Looks up the chain of terms whose first word is (key, len, prefix); CLASSIFY_NO_TERM when none. */
size_t classify_index_find(const taxonomy *t, const char *key, size_t len, bool prefix);
/* The chains of the prefix terms (« maraîch* ») that `word` starts with, shortest first, into
 * heads (room for CLASSIFY_MAX_PREFIX + 1); returns how many. */
size_t classify_index_find_prefixes(const taxonomy *t, const char *word, size_t len, size_t *heads);

#endif
