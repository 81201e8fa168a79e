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
    uint32_t fold_off, fold_len; /* into classify_tokens.buf (not NUL-terminated) */
    uint32_t stem_off, stem_len; /* NUL-terminated */
    uint64_t hash;               /* classify_hash() of the stem, for the index look-ups */
} classify_token;

/* Texts up to this many bytes are tokenised without any allocation (the forms and tokens
 * then live in the struct itself: a classify_tokens must not be copied). */
#define CLASSIFY_SMALL_TEXT 2048
#define CLASSIFY_SMALL_TOKENS 384

typedef struct classify_tokens {
    char *buf;      /* the folded text, then the stems (see classify_tokenize): small_buf, or
                       owned when the text is long */
    classify_token *tok; /* small_tok, or owned */
    size_t n;
    char small_buf[4 * CLASSIFY_SMALL_TEXT + 8];
    classify_token small_tok[CLASSIFY_SMALL_TOKENS];
} classify_tokens;

/* FNV-1a over bytes (the taxonomy's and the model's indexes both use it), then a finishing
 * mix for the slot; a pair of words hashes as classify_hash_pair of its two words' hashes. */
#define CLASSIFY_HASH_START 1469598103934665603ULL
#define CLASSIFY_HASH_STEP(h, c) (((h) ^ (unsigned char)(c)) * 1099511628211ULL)
static inline uint64_t classify_hash(const char *s, size_t n)
{
    uint64_t h = CLASSIFY_HASH_START;
    for (size_t i = 0; i < n; i++)
        h = CLASSIFY_HASH_STEP(h, s[i]);
    return h;
}
static inline uint64_t classify_hash_pair(uint64_t a, uint64_t b)
{
    return (a * 0x9e3779b97f4a7c15ULL) ^ b;
}
static inline uint64_t classify_hash_finish(uint64_t h)
{
    return h ^ (h >> 29);
}

/* Normalises `text` (NULL counts as empty). Returns false when memory runs out; `out` is
 * then empty and needs no freeing. Allocates only for texts longer than CLASSIFY_SMALL_TEXT. */
bool classify_tokenize(const char *text, classify_tokens *out);
/* An empty token list (what classify_tokens_free leaves), safe to free without tokenising. */
void classify_tokens_init(classify_tokens *t);
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
    uint64_t hash;   /* of the key, to skip other keys without comparing bytes */
    const char *key; /* borrowed from a classify_word; NULL when the slot is free */
    size_t len;
    bool prefix;
    size_t head;     /* first term index of the chain */
} classify_slot;

#define CLASSIFY_NO_TERM ((size_t)-1)

/* ---- the learned model (model.c) ---- */

#define CLASSIFY_MODEL_MAX_KEYS 16384

typedef struct classify_model_entry {
    int sector;
    double weight;
    char *display; /* the term as written in the file, for explanations */
} classify_model_entry;

typedef struct classify_model_key {
    char *text;           /* stems; a pair has one space between its two words */
    uint32_t len;
    uint32_t first, n;    /* its entries (one per sector), in classify_model.entries */
} classify_model_key;

typedef struct classify_model {
    char *path;
    classify_model_key *keys;  /* sorted by text */
    size_t nkeys;
    classify_model_entry *entries;
    size_t nentries;
    uint64_t *slots;      /* open addressing: high 32 bits of the key's hash, then key index + 1
                             in the low 32 bits; 0 when free */
    size_t nslots;        /* a power of two */
} classify_model;

/* Reads a weights file (format in docs/taxonomie.md); sectors are the taxonomy's ids. */
ptce_status classify_model_load(ptce_ctx *ctx, const char *path, const taxonomy *t, classify_model **out);
void classify_model_free(classify_model *m);
/* Adds to score[sector] the weights of the distinct model terms (words and pairs of consecutive
 * words) of `tk`; stores the first `cap` keys found (indexes into keys) in `found` when not
 * NULL and returns how many were found. No allocation. */
size_t classify_model_match(const classify_model *m, const classify_tokens *tk, double *score, uint32_t *found,
                       size_t cap);

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
    classify_model *model;      /* « modele = … »: learned weights, owned; NULL without one */
    double model_factor;   /* facteur_modele: what the model's score counts in a sector's */
    char *model_name;      /* the file as named in the taxonomy, resolved at the end */
};

/* Looks up the chain of terms whose first word is (key, len, prefix); CLASSIFY_NO_TERM when none. */
size_t classify_index_find(const taxonomy *t, const char *key, size_t len, bool prefix);
/* The same for an exact word whose classify_hash() is known (a token's). */
size_t classify_index_find_word(const taxonomy *t, uint64_t hash, const char *key, size_t len);
/* The chains of the prefix terms (« maraîch* ») that `word` starts with, shortest first, into
 * heads (room for CLASSIFY_MAX_PREFIX + 1); returns how many. */
size_t classify_index_find_prefixes(const taxonomy *t, const char *word, size_t len, size_t *heads);

#endif
