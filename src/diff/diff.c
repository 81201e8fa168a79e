/*
 * diff/diff.c — see diff.h for the matching rules.
 */
#include "diff/diff.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csvfile.h"
#include "core/ctx.h"
#include "refdata/codes.h"
#include "text/fold.h"

static const char *const kind_names[DIFF_KIND_COUNT] = {
    "nouveau", "disparu", "deplace", "renomme", "secteur", "commune_fusionnee"};

const char *diff_kind_name(diff_kind k)
{
    return k < DIFF_KIND_COUNT ? kind_names[k] : "?";
}

/* ---- names as word sets ----------------------------------------------------------------- */

/* Words that say nothing about which PTCE it is: articles, prepositions, and the generic
 * words of the legal name. Folded spelling, with the length of each (so that a word is
 * compared only with the fillers of its length). */
static bool is_filler(const char *w, size_t n)
{
    static const struct {
        const char *word;
        size_t len;
    } fillers[] = {
#define FILLER(w) {w, sizeof w - 1}
        FILLER("le"), FILLER("la"), FILLER("les"), FILLER("de"), FILLER("du"), FILLER("des"),
        FILLER("et"), FILLER("en"), FILLER("au"), FILLER("aux"), FILLER("pour"), FILLER("sur"),
        FILLER("un"), FILLER("une"), FILLER("dans"), FILLER("par"), FILLER("ptce"),
        FILLER("pole"), FILLER("poles"), FILLER("territorial"), FILLER("territoriale"),
        FILLER("territoriaux"), FILLER("cooperation"), FILLER("cooperations"),
        FILLER("economique"), FILLER("economiques")
#undef FILLER
    };
    if (n <= 1)
        return true; /* l', d', à, and the letters of P.T.C.E. */
    for (size_t f = 0; f < sizeof fillers / sizeof *fillers; f++)
        if (fillers[f].len == n && memcmp(w, fillers[f].word, n) == 0)
            return true;
    return false;
}

/* What similarity() asks of a word, worked out once. */
typedef struct word_facts {
    uint64_t hash;     /* word_hash(): different hashes, different words */
    uint64_t classes;  /* byte_classes() */
    size_t len;
} word_facts;

typedef struct name_key {
    char *folded;      /* whole folded name, in the caller's string store (one block for many names) */
    uint64_t hash;     /* of `folded` (different hashes: different names) */
    char **words;      /* significant words, sorted, distinct; point into `buf` */
    word_facts *facts; /* per word; one block with `words` and `buf`, owned through facts */
    size_t nwords;
    char *buf;         /* copy of the folded name cut into words (in the block of facts) */
    char joined[64];   /* words joined without spaces, sorted order; "" when too long */
    size_t joined_len; /* strlen(joined) */
} name_key;

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211u;
    }
    return h;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint64_t byte_classes(const char *s);
static uint64_t word_hash(const char *w);

/* Room for the folded name of a row on the stack: longer ones (rare) are folded by
 * text_fold. A fold of FOLD_ROOM - FOLD_CUT bytes or more may have been cut (at a
 * character boundary, so up to 3 bytes short of the room), so it is folded again. */
#define FOLD_ROOM 512
#define FOLD_CUT 5

/* The folded name and its hash: all that identical names need. The fold is that of
 * text_fold — text_fold_into gives its bytes when they fit, without the growing buffer —
 * copied into the store. An empty fold is asked of text_fold again: text_fold_into gives
 * "" both for a name without a letter and when its own call of text_fold ran out of
 * memory, which must stay a failure. */
static bool name_key_fold(util_strstore *st, const char *name, name_key *k)
{
    memset(k, 0, sizeof *k);
    char room[FOLD_ROOM];
    size_t n = text_fold_into(name, room, sizeof room);
    if (n > 0 && n + FOLD_CUT <= sizeof room) {
        k->folded = util_strstore_copy(st, room, n);
    } else {
        char *folded = text_fold(name);
        k->folded = folded ? util_strstore_copy(st, folded, strlen(folded)) : NULL;
        free(folded);
    }
    if (!k->folded)
        return false;
    k->hash = name_hash(k->folded);
    return true;
}

/* The rest of the key (words, their facts, the joined words), for similar names; once.
 * The facts, the words and the cut copy of the name share one allocation. */
static bool name_key_words(name_key *k)
{
    if (k->facts || !k->folded)
        return true;
    size_t len = strlen(k->folded), cap = 1;
    for (const char *p = k->folded; *p; p++)
        cap += *p == ' ';
    char *block = malloc((cap + 1) * sizeof *k->facts + cap * sizeof *k->words + len + 1);
    if (!block)
        return false;
    k->facts = (word_facts *)block;
    k->words = (char **)(block + (cap + 1) * sizeof *k->facts);
    k->buf = block + (cap + 1) * sizeof *k->facts + cap * sizeof *k->words;
    memcpy(k->buf, k->folded, len + 1);
    /* The folded name is words of letters and digits between single spaces. */
    for (char *w = k->buf; *w;) {
        char *end = strchr(w, ' ');
        size_t n = end ? (size_t)(end - w) : strlen(w);
        if (end)
            *end = '\0';
        if (n && !is_filler(w, n))
            k->words[k->nwords++] = w;
        w += n + (end != NULL);
    }
    qsort(k->words, k->nwords, sizeof *k->words, cmp_str);
    size_t kept = 0;
    for (size_t i = 0; i < k->nwords; i++)
        if (kept == 0 || strcmp(k->words[kept - 1], k->words[i]) != 0)
            k->words[kept++] = k->words[i];
    k->nwords = kept;
    for (size_t i = 0; i < k->nwords; i++)
        k->facts[i] = (word_facts){word_hash(k->words[i]), byte_classes(k->words[i]),
                                   strlen(k->words[i])};
    size_t joined = 0;
    for (size_t i = 0; i < k->nwords; i++) {
        size_t n = k->facts[i].len;
        if (joined + n >= sizeof k->joined) {
            k->joined[0] = '\0';
            k->joined_len = 0;
            return true;
        }
        memcpy(k->joined + joined, k->words[i], n);
        joined += n;
        k->joined[joined] = '\0';
    }
    k->joined_len = joined;
    return true;
}

static void name_key_free(name_key *k)
{
    free(k->facts);
}

/* Edit distance (insertions, deletions, substitutions) of two byte strings of at most 63
 * bytes; `limit` + 1 as soon as the distance is known to exceed `limit`. */
static size_t edit_distance(const char *a, const char *b, size_t limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return strcmp(a, b) == 0 ? 0 : limit + 1;
    if ((la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    size_t prev[64], cur[64];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        size_t row_min = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            size_t m = sub < del ? sub : del;
            cur[j] = m < ins ? m : ins;
            if (cur[j] < row_min)
                row_min = cur[j];
        }
        if (row_min > limit)
            return limit + 1;
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}

/* The bytes a string holds, as a set of 64 classes (byte & 63). One edit changes at most
 * two classes of the set, so more than 2k classes of difference means more than k edits. */
static uint64_t byte_classes(const char *s)
{
    uint64_t m = 0;
    for (; *s; s++)
        m |= (uint64_t)1 << ((unsigned char)*s & 63);
    return m;
}

static int popcount64(uint64_t x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* Whether words a and b (with their facts x and y) are the same word: equal, or, from 5
 * letters on, one typo apart (two from 9 letters on). */
static bool same_word(const char *a, const word_facts *x, const char *b, const word_facts *y)
{
    if (x->hash == y->hash && strcmp(a, b) == 0)
        return true;
    size_t la = x->len, lb = y->len, shortest = la < lb ? la : lb;
    if (shortest < 5)
        return false;
    size_t allowed = shortest >= 9 ? 2 : 1;
    if ((la > lb ? la - lb : lb - la) > allowed ||
        (size_t)popcount64(x->classes ^ y->classes) > 2 * allowed)
        return false; /* what edit_distance() would find, only sooner */
    return edit_distance(a, b, allowed) <= allowed;
}

/* same_word() of word i of a and word j of b. */
static bool same_word_at(const name_key *a, size_t i, const name_key *b, size_t j)
{
    return same_word(a->words[i], &a->facts[i], b->words[j], &b->facts[j]);
}

/* Similarity of two names, 0..1 (see diff.h). */
static double similarity(const name_key *a, const name_key *b)
{
    if (a->nwords == 0 || b->nwords == 0)
        return 0;
    bool used[64] = {false};
    size_t nb = b->nwords < 64 ? b->nwords : 64, shared = 0;
    bool done_a[64] = {false};
    size_t na = a->nwords < 64 ? a->nwords : 64;
    /* Equal words first, then words one typo apart (same_word). */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < na; i++) {
            if (done_a[i])
                continue;
            const word_facts *x = &a->facts[i];
            for (size_t j = 0; j < nb; j++) {
                if (used[j])
                    continue;
                const word_facts *y = &b->facts[j];
                /* Different hashes: different words, and below 5 letters only equal words
                 * are the same word (what same_word answers, without the call). */
                if (x->hash != y->hash && (pass == 0 || x->len < 5 || y->len < 5))
                    continue;
                bool eq = pass == 0 ? strcmp(a->words[i], b->words[j]) == 0
                                    : same_word_at(a, i, b, j);
                if (eq) {
                    used[j] = done_a[i] = true;
                    shared++;
                    break;
                }
            }
        }
    double sim = (double)shared / (double)(na + nb - shared);
    size_t ja = a->joined_len, jb = b->joined_len;
    if (ja && jb && ja <= 12 && jb <= 12) {
        size_t longest = ja > jb ? ja : jb;
        size_t d = edit_distance(a->joined, b->joined, longest);
        double es = 1.0 - (double)d / (double)longest;
        if (es >= 0.8 && es > sim)
            sim = es;
    }
    return sim;
}

/* False when similarity(a, b) is certainly below t: the shared words are at most the
 * smaller count and the union at least the larger, so the word index is at most
 * min / max (floating division is monotonic: the computed index is too); the joined
 * words' edit distance can raise it only when both are short. */
static bool may_reach(const name_key *a, const name_key *b, double t)
{
    size_t na = a->nwords < 64 ? a->nwords : 64, nb = b->nwords < 64 ? b->nwords : 64;
    if (na == 0 || nb == 0)
        return false;
    size_t ja = a->joined_len, jb = b->joined_len;
    if (ja && jb && ja <= 12 && jb <= 12)
        return true;
    size_t lo = na < nb ? na : nb, hi = na < nb ? nb : na;
    return (double)lo / (double)hi >= t;
}

/* ---- places ----------------------------------------------------------------------------- */

enum { LOC_COMMUNE, LOC_DEP, LOC_UNKNOWN, LOC_OTHER };

static bool same_commune(const commune *a, const commune *b)
{
    if (strcmp(a->insee, b->insee) == 0)
        return true;
    /* Paris and one of its arrondissements: the same place, told more or less precisely. */
    return (a->parent[0] && strcmp(a->parent, b->insee) == 0) ||
           (b->parent[0] && strcmp(b->parent, a->insee) == 0);
}

static int location_class(const geo_result *a, const geo_result *b)
{
    if (a->status != GEO_MATCH || b->status != GEO_MATCH || !a->dep || !b->dep)
        return LOC_UNKNOWN;
    if (a->commune && b->commune && same_commune(a->commune, b->commune))
        return LOC_COMMUNE;
    return strcmp(a->dep->code, b->dep->code) == 0 ? LOC_DEP : LOC_OTHER;
}

/* "Nom (INSEE)", or "Département (code)" for a row placed on its département only. */
static void place_text(const geo_result *g, char *out, size_t size)
{
    if (g->status != GEO_MATCH)
        snprintf(out, size, "%s", "");
    else if (g->commune)
        snprintf(out, size, "%s (%s)", g->commune->nom, g->commune->insee);
    else if (g->dep)
        snprintf(out, size, "%s (%s)", g->dep->nom, g->dep->code);
    else
        snprintf(out, size, "%s", "");
}

/* Whether a placed row was read through a former commune: its INSEE code is the code of a
 * commune merged into the one it was placed in, or the geocoder recognised its commune
 * name as a former commune's. `avant` gets "Ancien nom (code)". */
static bool remapped(const ptce_run *run, const ptce_row *row, char *avant, size_t size)
{
    const geo_result *g = &row->geo;
    if (g->status != GEO_MATCH || !g->commune)
        return false;
    const refdata_former_commune *f = g->former;
    if (!f)
        return false;
    /* A code can be listed twice (ANC without a name, COMD with one). */
    const refdata *rd = run->rd;
    const refdata_former_commune *named = f;
    const refdata_former_commune *begin = rd->former, *end = rd->former + rd->nformer;
    if (f >= begin && f < end) {
        for (const refdata_former_commune *p = f; p >= begin && strcmp(p->code, f->code) == 0; p--)
            if (p->nom[0])
                named = p;
        for (const refdata_former_commune *p = f; p < end && strcmp(p->code, f->code) == 0; p++)
            if (p->nom[0])
                named = p;
    }
    if (named->nom[0])
        snprintf(avant, size, "%s (%s)", named->nom, f->code);
    else
        snprintf(avant, size, "ancienne commune (%s)", f->code);
    return true;
}

/* ---- matching ----------------------------------------------------------------------------- */

typedef struct candidate {
    uint32_t o, n;     /* rows (the census reader caps a census far below 2^32 rows) */
    unsigned char tier;/* 0 identical folded names, 1 similar */
    unsigned char loc;
    double sim;
} candidate;          /* 24 bytes: a large census has millions of them */

/* Same commune or département first, then unknown place, then another département. */
static int loc_group(int loc)
{
    return loc == LOC_COMMUNE || loc == LOC_DEP ? 0 : loc == LOC_UNKNOWN ? 1 : 2;
}

static int cmp_candidate(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    if (loc_group(x->loc) != loc_group(y->loc))
        return loc_group(x->loc) - loc_group(y->loc);
    if (x->tier != y->tier)
        return x->tier - y->tier;
    if (x->loc != y->loc)
        return x->loc - y->loc;
    if (x->sim != y->sim)
        return x->sim > y->sim ? -1 : 1;
    if (x->o != y->o)
        return x->o < y->o ? -1 : 1;
    return x->n < y->n ? -1 : x->n > y->n;
}

/* Sorts a[0..n) by cmp_candidate with s[0..n) as scratch (a merge sort without a call per
 * comparison; cmp_candidate is a total order — no two candidates have the same rows —, so
 * any sort gives this order). */
static void candidate_merge_sort(candidate *a, candidate *s, size_t n)
{
    if (n <= 12) {
        for (size_t i = 1; i < n; i++) {
            candidate x = a[i];
            size_t j = i;
            for (; j > 0 && cmp_candidate(&x, &a[j - 1]) < 0; j--)
                a[j] = a[j - 1];
            a[j] = x;
        }
        return;
    }
    size_t m = n / 2;
    candidate_merge_sort(a, s, m);
    candidate_merge_sort(a + m, s, n - m);
    if (cmp_candidate(&a[m], &a[m - 1]) >= 0)
        return;
    memcpy(s, a, m * sizeof *a);
    size_t i = 0, j = m, k = 0;
    while (i < m && j < n)
        a[k++] = cmp_candidate(&a[j], &s[i]) < 0 ? a[j++] : s[i++];
    while (i < m)
        a[k++] = s[i++];
}

/* The candidates in the order of cmp_candidate; without memory for the scratch copy,
 * qsort does it. */
static void sort_candidates(candidate *v, size_t n)
{
    if (n < 2)
        return;
    candidate *tmp = malloc(n * sizeof *tmp);
    if (tmp)
        candidate_merge_sort(v, tmp, n);
    else
        qsort(v, n, sizeof *v, cmp_candidate);
    free(tmp);
}

typedef struct id_ref {
    const char *id;
    size_t index;
} id_ref;

static int cmp_id_ref(const void *a, const void *b)
{
    const id_ref *x = a, *y = b;
    int d = strcmp(x->id, y->id);
    if (d)
        return d;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int cmp_pair(const void *a, const void *b)
{
    const diff_pair *x = a, *y = b;
    return x->new_row < y->new_row ? -1 : x->new_row > y->new_row;
}

/* out->pairs in the order of cmp_pair: by new row, and a new row is in one pair at most, so
 * each pair is put in its place through an index by new row (nn: the new year's rows)
 * instead of sorted. Without memory for the index, qsort does it. */
static void sort_pairs_by_new_row(diff_result *out, size_t nn)
{
    size_t *at = malloc((nn + 1) * sizeof *at);
    diff_pair *sorted = malloc((out->npairs + 1) * sizeof *sorted);
    if (!at || !sorted) {
        free(at);
        free(sorted);
        qsort(out->pairs, out->npairs, sizeof *out->pairs, cmp_pair);
        return;
    }
    for (size_t j = 0; j < nn; j++)
        at[j] = DIFF_NO_ROW;
    for (size_t k = 0; k < out->npairs; k++)
        at[out->pairs[k].new_row] = k;
    size_t m = 0;
    for (size_t j = 0; j < nn; j++)
        if (at[j] != DIFF_NO_ROW)
            sorted[m++] = out->pairs[at[j]];
    free(out->pairs);
    out->pairs = sorted;
    free(at);
}

/* ---- blocking: the pairs that can be candidates ------------------------------------------ */

/* Comparing every old row with every new one is quadratic. The pairs that can pass the
 * candidate test are found instead through indexes of the new rows, then tested by the same
 * code as before, so the candidates (and the matching) are exactly those of the full
 * comparison:
 *  - identical folded names: index of the folded names;
 *  - similarity from the edit distance of the joined words (12 letters or fewer, so at
 *    most 2 edits for 0.8): index of every variant of the joined words with up to 2
 *    letters deleted; two strings at most k edits apart share a variant with at most k
 *    letters deleted from each;
 *  - similarity from shared words, name by name: the new rows are grouped by folded name
 *    (k rows of one name are one entry), and an old name looks for the new names that can
 *    reach 0.6, the lower threshold. With n words against m, the index reaches 0.6 only
 *    when at least `need` = the least s with s / (n + m - s) >= 0.6 of its words are
 *    matched, so among any n - need + 2 of them two are (prefix filtering on pairs); those
 *    are taken rarest first, and each pair is looked up, with the words' one-typo
 *    neighbours (found with deletion variants, then checked with same_word), in the index
 *    of the word pairs of the new names of exactly m words, for each m that can reach 0.6
 *    (one word against one: the index of one-word names). Each new name found is compared
 *    once; its rows are candidates as the test says: all of them from 0.8, those not
 *    placed or of the same département from 0.6. The identical name is not taken there
 *    (the indexes above and take_identical() take it).
 * Keys are 64-bit hashes; a collision only adds a pair, tested like the others. The
 * département is told by its code's hash (place_group): a row placed on a commune has
 * that commune's département, so two rows of one commune are of one group. */

typedef struct hentry {
    uint64_t h;
    uint32_t group;     /* postings: département of the new row (hash, never 0), 0 unplaced */
    uint32_t row;       /* index of the new row */
    const char *word;   /* word variants: the word (in kn[]) */
} hentry;

typedef struct hslot {
    uint64_t h;
    size_t first, count; /* count 0: empty slot */
} hslot;

typedef struct hvec {
    hentry *v;
    size_t n, cap;
    hslot *slots;        /* once sorted: where each hash's entries start, open addressing; */
    size_t mask;         /* NULL (no memory) leaves hvec_range to binary search */
} hvec;

typedef struct blocks {
    bool all;           /* every new row is seen (diff_runs_exhaustive) */
    hvec folded;        /* folded names, group 0: the rows of one name in file order */
    hvec folded_known;  /* the same, group 1 when the row is placed with a département, else 0 */
    hvec folded_dep;    /* the same, group = place_group() */
    hvec folded_com;    /* folded name mixed with the commune's code, and with its parent's */
    size_t *cursor;     /* per entry of folded/folded_known (2 × n): 1 + first entry of its
                         * name's range not known to be matched; 0 when not started */
    hvec joined, variants;
    hvec name_rows;     /* the new rows by folded name, then group, then file order
                         * (word: the folded name) */
    struct new_name *names; /* the distinct folded names of name_rows */
    size_t nnames;
    struct name_unit *units;/* the rows of one name and one group, in name_rows */
    size_t nunits;
    hvec name_words;    /* word hash → name (row: index in names[]), to rank words */
    hvec pairs;         /* word pair and word count (sized_key) → name, group 0 */
    hvec unit_pairs;    /* the same → unit, group: the unit's */
    struct hit *hits;   /* candidates found name by name for the current old row */
    size_t nhits, caphits;
    uint64_t *nears;    /* near words of the current old name's words, rank by rank */
    size_t nnears, capnears, near_at[65], near_ranks;
    uint32_t *stamp;    /* per new row: last old row (index + 1) that saw it */
    size_t *seen;       /* new rows seen by the current old row */
    size_t nseen, capseen;
    uint64_t *near;     /* scratch: word hashes of the neighbours of one word */
    size_t nnear, capnear;
    uint64_t *vars;     /* scratch: variant hashes of one string */
    size_t nvars, capvars;
    word_facts *vfacts; /* per word of `variants` (its row): the word's facts */
    size_t nvwords;
    size_t *vseen;      /* per word of `variants`: last find_near() call (its number) that
                         * tested it */
    size_t near_calls;
} blocks;

typedef struct new_name {
    size_t first, count; /* its entries in name_rows */
    uint32_t row;        /* one of its rows: its name_key is kn[row] */
    uint32_t stamp;      /* last old row (index + 1) that compared it: `sim` is for it */
    uint32_t all_stamp;  /* last old row that took all its rows */
    double sim;          /* similarity with that old row's name; -1 identical or below 0.6 */
} new_name;

typedef struct name_unit {
    size_t first, count; /* its entries in name_rows */
    uint32_t name;       /* index in names[] */
    uint32_t stamp;      /* last old row that took its rows */
} name_unit;

typedef struct hit {
    uint32_t row;
    unsigned char loc;
    double sim;
} hit;

#define HASH_NO_SKIP ((size_t)-1)
#define JOINED_SHORT 12 /* longest joined words compared by edit distance (see similarity) */

/* FNV-1a of s[0..n) without the bytes at skip1 and skip2. */
static uint64_t hash_skip(const char *s, size_t n, size_t skip1, size_t skip2)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++) {
        if (i == skip1 || i == skip2)
            continue;
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

static bool hvec_push(hvec *a, uint64_t h, uint32_t group, uint32_t row, const char *word)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 256;
        hentry *grown = realloc(a->v, cap * sizeof *grown);
        if (!grown)
            return false;
        a->v = grown;
        a->cap = cap;
    }
    a->v[a->n++] = (hentry){h, group, row, word};
    return true;
}

#define VARIANT_MAX_LEN 63 /* longest string whose deletion variants are made (word_dels) */

/* How many strings s[0..n) gives with 0 to `dels` bytes deleted (as variant_hashes lists
 * them: one deletion per position, two per pair of positions). */
static size_t variant_count(size_t n, int dels)
{
    return 1 + (dels >= 1 ? n : 0) + (dels >= 2 ? n * (n - (n > 0)) / 2 : 0);
}

static uint64_t fnv_step(uint64_t h, unsigned char c)
{
    return (h ^ c) * 1099511628211u;
}

/* out[0..variant_count(n, dels)) = hash_skip() of s[0..n) with 0 to `dels` bytes deleted,
 * in this order: the whole string; then for each i, without byte i, followed (dels 2) by
 * without bytes i and j, for each j > i. The same values as hash_skip gives, computed
 * from the FNV-1a state of each prefix instead of hashing every variant from its first
 * byte (a 12-letter string has 79 variants). Strings longer than VARIANT_MAX_LEN are
 * hashed variant by variant. */
static void variant_hashes(const char *s, size_t n, int dels, uint64_t *out)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t m = 0;
    if (n > VARIANT_MAX_LEN || dels < 1) {
        out[m++] = hash_skip(s, n, HASH_NO_SKIP, HASH_NO_SKIP);
        for (size_t i = 0; dels >= 1 && i < n; i++) {
            out[m++] = hash_skip(s, n, i, HASH_NO_SKIP);
            for (size_t j = i + 1; dels >= 2 && j < n; j++)
                out[m++] = hash_skip(s, n, i, j);
        }
        return;
    }
    uint64_t pre[VARIANT_MAX_LEN + 1]; /* pre[i]: the state after s[0..i) */
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++) {
        pre[i] = h;
        h = fnv_step(h, u[i]);
    }
    out[m++] = h;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = pre[i];
        for (size_t k = i + 1; k < n; k++)
            x = fnv_step(x, u[k]);
        out[m++] = x;
        if (dels < 2)
            continue;
        uint64_t q = pre[i]; /* the state after s[0..i) and s[i+1..j) */
        for (size_t j = i + 1; j < n; j++) {
            uint64_t y = q;
            for (size_t k = j + 1; k < n; k++)
                y = fnv_step(y, u[k]);
            out[m++] = y;
            q = fnv_step(q, u[j]);
        }
    }
}

/* b->vars = the hashes of s[0..n) with 0 to `dels` bytes deleted (variant_hashes). */
static bool make_vars(blocks *b, const char *s, size_t n, int dels)
{
    size_t want = variant_count(n, dels);
    if (want > b->capvars) {
        uint64_t *grown = realloc(b->vars, want * sizeof *grown);
        if (!grown)
            return false;
        b->vars = grown;
        b->capvars = want;
    }
    variant_hashes(s, n, dels, b->vars);
    b->nvars = want;
    return true;
}

/* The hashes of s with 0 to `dels` bytes deleted, pushed into `a` with (group 0, row,
 * word); b->vars is the scratch. */
static bool push_variants(blocks *b, hvec *a, const char *s, size_t n, int dels, uint32_t row,
                          const char *word)
{
    if (!make_vars(b, s, n, dels))
        return false;
    for (size_t v = 0; v < b->nvars; v++)
        if (!hvec_push(a, b->vars[v], 0, row, word))
            return false;
    return true;
}

/* Deletions that reach every word same_word() accepts: 1 from 5 letters, 2 from 9; words
 * too long for edit_distance() are only equal. */
static int word_dels(size_t n)
{
    return n < 5 || n > 63 ? 0 : n >= 9 ? 2 : 1;
}

static int cmp_hentry(const void *a, const void *b)
{
    const hentry *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static bool hentry_less(const hentry *x, const hentry *y)
{
    if (x->h != y->h)
        return x->h < y->h;
    if (x->group != y->group)
        return x->group < y->group;
    return x->row < y->row;
}

/* Sorts a[0..n) by hentry_less, stably, with s[0..n) as scratch: a merge sort, the order
 * glibc's qsort (a merge sort too) gave with cmp_hentry, without a call per comparison. */
static void hentry_merge_sort(hentry *a, hentry *s, size_t n)
{
    if (n <= 12) {
        for (size_t i = 1; i < n; i++) {
            hentry x = a[i];
            size_t j = i;
            for (; j > 0 && hentry_less(&x, &a[j - 1]); j--)
                a[j] = a[j - 1];
            a[j] = x;
        }
        return;
    }
    size_t m = n / 2;
    hentry_merge_sort(a, s, m);
    hentry_merge_sort(a + m, s, n - m);
    if (!hentry_less(&a[m], &a[m - 1]))
        return;
    memcpy(s, a, m * sizeof *a);
    size_t i = 0, j = m, k = 0;
    while (i < m && j < n)
        a[k++] = hentry_less(&a[j], &s[i]) ? a[j++] : s[i++];
    while (i < m)
        a[k++] = s[i++];
}

/* The entries in the order of cmp_hentry, stably (entries that compare equal — one row's
 * variants of two words can share a hash — keep the order they were pushed in, as with
 * qsort before): dealt into buckets by the top bits of the hash, in order, then each
 * bucket merge-sorted. Without memory for the scratch copy, qsort does it. */
static void hentry_sort(hentry *v, size_t n)
{
    if (n < 2)
        return;
    int bits = 0;
    while (bits < 16 && ((size_t)1 << bits) < n / 8)
        bits++;
    size_t nb = (size_t)1 << bits;
    hentry *tmp = malloc(n * sizeof *tmp);
    size_t *start = calloc(nb + 1, sizeof *start);
    if (!tmp || !start) {
        free(tmp);
        free(start);
        qsort(v, n, sizeof *v, cmp_hentry);
        return;
    }
    int shift = 64 - bits;
    for (size_t e = 0; e < n; e++)
        start[bits ? (size_t)(v[e].h >> shift) + 1 : 1]++;
    for (size_t b = 0; b < nb; b++)
        start[b + 1] += start[b];
    for (size_t e = 0; e < n; e++) /* start[b] runs from bucket b's start to its end */
        tmp[start[bits ? (size_t)(v[e].h >> shift) : 0]++] = v[e];
    for (size_t b = 0, from = 0; b < nb; from = start[b], b++)
        hentry_merge_sort(tmp + from, v + from, start[b] - from);
    memcpy(v, tmp, n * sizeof *v);
    free(start);
    free(tmp);
}

static size_t slot_of(uint64_t h, size_t mask)
{
    uint64_t x = h * 0x9E3779B97F4A7C15u;
    return (size_t)(x ^ (x >> 32)) & mask;
}

/* Sorts the entries and indexes the start of each hash (the index only saves time: the
 * ranges are the same without it). */
static void hvec_sort(hvec *a)
{
    hentry_sort(a->v, a->n);
    size_t distinct = 0;
    for (size_t e = 0; e < a->n; e++)
        distinct += e == 0 || a->v[e].h != a->v[e - 1].h;
    size_t size = 16;
    while (size < 2 * distinct)
        size *= 2;
    free(a->slots);
    a->slots = calloc(size, sizeof *a->slots);
    if (!a->slots)
        return;
    a->mask = size - 1;
    for (size_t e = 0; e < a->n; e++) {
        if (e > 0 && a->v[e].h == a->v[e - 1].h)
            continue;
        size_t end = e + 1;
        while (end < a->n && a->v[end].h == a->v[e].h)
            end++;
        size_t i = slot_of(a->v[e].h, a->mask);
        while (a->slots[i].count)
            i = (i + 1) & a->mask;
        a->slots[i] = (hslot){a->v[e].h, e, end - e};
    }
}

static void hvec_free(hvec *a)
{
    free(a->v);
    free(a->slots);
    memset(a, 0, sizeof *a);
}

/* [*lo, *hi): the entries of hash h (and of group g when use_group). */
static void hvec_range(const hvec *a, uint64_t h, bool use_group, uint32_t g, size_t *lo,
                       size_t *hi)
{
    if (a->slots) {
        size_t i = slot_of(h, a->mask);
        while (a->slots[i].count && a->slots[i].h != h)
            i = (i + 1) & a->mask;
        size_t first = a->slots[i].first, end = first + a->slots[i].count;
        if (!a->slots[i].count)
            first = end = 0;
        if (!use_group || first == end) {
            *lo = first;
            *hi = end;
            return;
        }
        size_t l = first, r = end;
        while (l < r) {
            size_t m = l + (r - l) / 2;
            if (a->v[m].group < g)
                l = m + 1;
            else
                r = m;
        }
        *lo = l;
        r = end;
        while (l < r) {
            size_t m = l + (r - l) / 2;
            if (a->v[m].group <= g)
                l = m + 1;
            else
                r = m;
        }
        *hi = l;
        return;
    }
    size_t l = 0, r = a->n;
    while (l < r) {
        size_t m = l + (r - l) / 2;
        const hentry *e = &a->v[m];
        if (e->h < h || (use_group && e->h == h && e->group < g))
            l = m + 1;
        else
            r = m;
    }
    *lo = l;
    r = a->n;
    while (l < r) {
        size_t m = l + (r - l) / 2;
        const hentry *e = &a->v[m];
        if (e->h < h || (e->h == h && (!use_group || e->group <= g)))
            l = m + 1;
        else
            r = m;
    }
    *hi = l;
}

static uint32_t place_group(const geo_result *g)
{
    if (g->status != GEO_MATCH || !g->dep)
        return 0;
    uint64_t h = hash_skip(g->dep->code, strlen(g->dep->code), HASH_NO_SKIP, HASH_NO_SKIP);
    return (uint32_t)(h >> 32) | 1u;
}

/* Whether a placement counts as a known place for location_class(). */
static bool place_known(const geo_result *g)
{
    return g->status == GEO_MATCH && g->dep;
}

static uint64_t hash_str(const char *s)
{
    return hash_skip(s, strlen(s), HASH_NO_SKIP, HASH_NO_SKIP);
}

/* A folded name's hash mixed with a commune code's, for folded_com. */
static uint64_t hash_name_place(uint64_t name, const char *code)
{
    uint64_t h = hash_str(code);
    return name ^ (h * 0x9E3779B97F4A7C15u + 0x632BE59BD9B4E019u);
}

static size_t joined_len(const name_key *k)
{
    return k->joined_len <= JOINED_SHORT ? k->joined_len : 0;
}

/* Words of a name that take part in similarity(). */
static size_t used_words(const name_key *k)
{
    return k->nwords < 64 ? k->nwords : 64;
}

static uint64_t word_hash(const char *w)
{
    return hash_skip(w, strlen(w), HASH_NO_SKIP, HASH_NO_SKIP);
}

/* Key of an unordered pair of word hashes. */
static uint64_t pair_key(uint64_t a, uint64_t b)
{
    uint64_t lo = a < b ? a : b, hi = a < b ? b : a;
    uint64_t x = lo ^ (hi * 0x9E3779B97F4A7C15u + 0x632BE59BD9B4E019u);
    return x ^ (x >> 29);
}

static int cmp_name_row(const void *a, const void *b)
{
    const hentry *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    int d = strcmp(x->word, y->word);
    if (d)
        return d;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* A pair key (or, for a name of one word, that word's hash) for names of nb words. */
static uint64_t sized_key(uint64_t key, size_t nb)
{
    return key ^ ((uint64_t)nb * 0xD6E8FEB86659FD93u);
}

/* names[] and units[] from name_rows (filled with the rows), then the word and pair
 * indexes: each pair of a name's words (its one word for a name of one), sized by the
 * name's word count, points to the name (pairs) and to each of its units (unit_pairs). */
static bool names_make(blocks *b, const name_key *kn)
{
    hvec *r = &b->name_rows;
    if (r->n > 1)
        qsort(r->v, r->n, sizeof *r->v, cmp_name_row);
    b->names = calloc(r->n + 1, sizeof *b->names);
    b->units = calloc(r->n + 1, sizeof *b->units);
    if (!b->names || !b->units)
        return false;
    for (size_t e = 0; e < r->n; e++) {
        bool starts = e == 0 || r->v[e].h != r->v[e - 1].h ||
                        strcmp(r->v[e].word, r->v[e - 1].word) != 0;
        if (starts)
            b->names[b->nnames++] = (new_name){e, 0, r->v[e].row, 0, 0, 0};
        b->names[b->nnames - 1].count++;
        if (starts || r->v[e].group != r->v[e - 1].group)
            b->units[b->nunits++] = (name_unit){e, 0, (uint32_t)(b->nnames - 1), 0};
        b->units[b->nunits - 1].count++;
    }
    size_t u = 0;
    for (size_t x = 0; x < b->nnames; x++) {
        const name_key *k = &kn[b->names[x].row];
        size_t nb = used_words(k), u0 = u;
        while (u < b->nunits && b->units[u].name == x)
            u++;
        uint64_t hw[64];
        for (size_t w = 0; w < nb; w++) {
            hw[w] = word_hash(k->words[w]);
            if (!hvec_push(&b->name_words, hw[w], 0, (uint32_t)x, k->words[w]))
                return false;
        }
        for (size_t w = 0; w < nb; w++)
            for (size_t v = nb == 1 ? w : w + 1; v < nb; v++) {
                uint64_t key = sized_key(nb == 1 ? hw[w] : pair_key(hw[w], hw[v]), nb);
                if (!hvec_push(&b->pairs, key, 0, (uint32_t)x, NULL))
                    return false;
                for (size_t e = u0; e < u; e++)
                    if (!hvec_push(&b->unit_pairs, key,
                                   b->name_rows.v[b->units[e].first].group, (uint32_t)e, NULL))
                        return false;
            }
    }
    hvec_sort(&b->name_words);
    hvec_sort(&b->pairs);
    hvec_sort(&b->unit_pairs);
    return true;
}

static bool blocks_make(blocks *b, const name_key *kn, const ptce_run *n,
                        const size_t *new_match, size_t nn)
{
    b->stamp = calloc(nn + 1, sizeof *b->stamp);
    if (!b->stamp)
        return false;
    for (size_t j = 0; j < nn; j++) {
        const name_key *k = &kn[j];
        if (new_match[j] != DIFF_NO_ROW || !k->folded[0])
            continue;
        const geo_result *g = &n->rows[j].geo;
        uint32_t row = (uint32_t)j, group = place_group(g);
        uint64_t fh = hash_str(k->folded);
        if (!hvec_push(&b->folded, fh, 0, row, NULL) ||
            !hvec_push(&b->folded_known, fh, place_known(g), row, NULL) ||
            !hvec_push(&b->folded_dep, fh, group, row, NULL))
            return false;
        if (g->commune && (!hvec_push(&b->folded_com, hash_name_place(fh, g->commune->insee), 0,
                                      row, NULL) ||
                           (g->commune->parent[0] &&
                            !hvec_push(&b->folded_com,
                                       hash_name_place(fh, g->commune->parent), 0, row, NULL))))
            return false;
        size_t jl = joined_len(k);
        if (jl && !push_variants(b, &b->joined, k->joined, jl, 2, row, NULL))
            return false;
        if (!hvec_push(&b->name_rows, fh, group, row, k->folded))
            return false;
    }
    hvec_sort(&b->folded);
    hvec_sort(&b->folded_known);
    hvec_sort(&b->folded_dep);
    hvec_sort(&b->folded_com);
    b->cursor = calloc(2 * b->folded.n + 1, sizeof *b->cursor);
    if (!b->cursor)
        return false;
    hvec_sort(&b->joined);
    if (!names_make(b, kn))
        return false;
    /* Variants of each distinct word that can have typo neighbours, with the word's index
     * among them (its facts in vfacts; in the order the words are pushed, so the sort
     * keeps the order it gave when every entry had row 0). */
    b->vfacts = malloc((b->name_words.n + 1) * sizeof *b->vfacts);
    if (!b->vfacts)
        return false;
    for (size_t i = 0; i < b->name_words.n; i++) {
        if (i > 0 && b->name_words.v[i].h == b->name_words.v[i - 1].h &&
            strcmp(b->name_words.v[i].word, b->name_words.v[i - 1].word) == 0)
            continue;
        const char *w = b->name_words.v[i].word;
        size_t len = strlen(w);
        int dels = word_dels(len);
        if (!dels)
            continue;
        b->vfacts[b->nvwords] = (word_facts){b->name_words.v[i].h, byte_classes(w), len};
        if (!push_variants(b, &b->variants, w, len, dels, (uint32_t)b->nvwords, w))
            return false;
        b->nvwords++;
    }
    hvec_sort(&b->variants);
    b->vseen = calloc(b->nvwords + 1, sizeof *b->vseen);
    return b->vseen != NULL;
}

static void blocks_free(blocks *b)
{
    hvec_free(&b->folded);
    hvec_free(&b->folded_known);
    hvec_free(&b->folded_dep);
    hvec_free(&b->folded_com);
    free(b->cursor);
    hvec_free(&b->joined);
    hvec_free(&b->variants);
    hvec_free(&b->name_rows);
    free(b->names);
    hvec_free(&b->name_words);
    free(b->units);
    hvec_free(&b->pairs);
    hvec_free(&b->unit_pairs);
    free(b->hits);
    free(b->nears);
    free(b->stamp);
    free(b->seen);
    free(b->near);
    free(b->vars);
    free(b->vfacts);
    free(b->vseen);
    memset(b, 0, sizeof *b);
}

/* Adds the new rows of entries [lo, hi) not yet seen by old row `stamp`. */
static bool see_range(blocks *b, const hvec *a, size_t lo, size_t hi, uint32_t stamp)
{
    for (size_t e = lo; e < hi; e++) {
        uint32_t row = a->v[e].row;
        if (b->stamp[row] == stamp)
            continue;
        b->stamp[row] = stamp;
        if (b->nseen == b->capseen) {
            size_t cap = b->capseen ? b->capseen * 2 : 64;
            size_t *grown = realloc(b->seen, cap * sizeof *grown);
            if (!grown)
                return false;
            b->seen = grown;
            b->capseen = cap;
        }
        b->seen[b->nseen++] = row;
    }
    return true;
}

static bool push_near(blocks *b, uint64_t h)
{
    for (size_t i = 0; i < b->nnear; i++)
        if (b->near[i] == h)
            return true;
    if (b->nnear == b->capnear) {
        size_t cap = b->capnear ? b->capnear * 2 : 16;
        uint64_t *grown = realloc(b->near, cap * sizeof *grown);
        if (!grown)
            return false;
        b->near = grown;
        b->capnear = cap;
    }
    b->near[b->nnear++] = h;
    return true;
}

/* b->near = hashes of the new rows' words equal to w or one typo apart (same_word). A word
 * of the new rows shares several variants with w (all of them when it is w): it is tested
 * once, at its first variant, so b->near gets the words in the same order. */
static bool find_near(blocks *b, const char *w)
{
    size_t n = strlen(w);
    word_facts fw = {word_hash(w), byte_classes(w), n};
    b->nnear = 0;
    if (!push_near(b, fw.hash))
        return false;
    int dels = word_dels(n);
    if (!dels)
        return true;
    if (!make_vars(b, w, n, dels))
        return false;
    size_t call = ++b->near_calls;
    for (size_t v = 0; v < b->nvars; v++) {
        size_t lo, hi;
        hvec_range(&b->variants, b->vars[v], false, 0, &lo, &hi);
        for (size_t e = lo; e < hi; e++) {
            uint32_t y = b->variants.v[e].row;
            if (b->vseen[y] == call)
                continue;
            b->vseen[y] = call;
            if (same_word(w, &fw, b->variants.v[e].word, &b->vfacts[y]) &&
                !push_near(b, b->vfacts[y].hash))
                return false;
        }
    }
    return true;
}

typedef struct ranked_word {
    size_t index, df;
} ranked_word;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked_word *x = a, *y = b;
    if (x->df != y->df)
        return x->df < y->df ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}


/* Appends what find_near() found as the near words of the next rank. */
static bool keep_near(blocks *b)
{
    if (b->nnears + b->nnear > b->capnears) {
        size_t cap = (b->nnears + b->nnear) * 2 + 64;
        uint64_t *grown = realloc(b->nears, cap * sizeof *grown);
        if (!grown)
            return false;
        b->nears = grown;
        b->capnears = cap;
    }
    memcpy(b->nears + b->nnears, b->near, b->nnear * sizeof *b->near);
    b->nnears += b->nnear;
    b->near_at[++b->near_ranks] = b->nnears;
    return true;
}

static bool push_hit(blocks *b, uint32_t row, int loc, double sim)
{
    if (b->nhits == b->caphits) {
        size_t cap = b->caphits ? b->caphits * 2 : 64;
        hit *grown = realloc(b->hits, cap * sizeof *grown);
        if (!grown)
            return false;
        b->hits = grown;
        b->caphits = cap;
    }
    b->hits[b->nhits++] = (hit){row, (unsigned char)loc, sim};
    return true;
}

/* similarity() of the old name k with new name x, once per old row; -1 when identical
 * (the folded indexes and take_identical() take those) or below 0.6. */
static double name_sim(blocks *b, size_t x, const name_key *k, uint32_t stamp,
                       const name_key *kn)
{
    new_name *nm = &b->names[x];
    if (nm->stamp == stamp)
        return nm->sim;
    nm->stamp = stamp;
    const name_key *kb = &kn[nm->row];
    double sim = -1;
    if (!(kb->hash == k->hash && strcmp(kb->folded, k->folded) == 0) && may_reach(k, kb, 0.6)) {
        sim = similarity(k, kb);
        if (sim < 0.6)
            sim = -1;
    }
    nm->sim = sim;
    return sim;
}

/* Hits for entries [first, first + count) of name_rows not seen yet whose place lets
 * `sim` pass the candidate test. */
static bool take_rows(blocks *b, size_t first, size_t count, double sim, const geo_result *g,
                      uint32_t stamp, const ptce_run *n)
{
    for (size_t e = first; e < first + count; e++) {
        uint32_t row = b->name_rows.v[e].row;
        if (b->stamp[row] == stamp)
            continue;
        b->stamp[row] = stamp;
        int loc = location_class(g, &n->rows[row].geo);
        if (sim < (loc == LOC_OTHER ? 0.8 : 0.6))
            continue;
        if (!push_hit(b, row, loc, sim))
            return false;
    }
    return true;
}

/* Entry e of the index `a` found: a name (pairs: from 0.8, all its rows) or a unit
 * (unit_pairs: from 0.6, its rows). */
static bool visit(blocks *b, const hvec *a, size_t e, const name_key *k, const geo_result *g,
                  uint32_t stamp, const name_key *kn, const ptce_run *n)
{
    if (a == &b->pairs) {
        size_t x = a->v[e].row;
        new_name *nm = &b->names[x];
        if (nm->all_stamp == stamp || name_sim(b, x, k, stamp, kn) < 0.8)
            return true;
        nm->all_stamp = stamp;
        return take_rows(b, nm->first, nm->count, nm->sim, g, stamp, n);
    }
    name_unit *un = &b->units[a->v[e].row];
    if (un->stamp == stamp)
        return true;
    un->stamp = stamp;
    double sim = name_sim(b, un->name, k, stamp, kn);
    return sim < 0.6 || take_rows(b, un->first, un->count, sim, g, stamp, n);
}

/* The new names that can reach a similarity of t with the old name k (words ranked
 * rarest first) through its words, in index `a` (see "blocking" above): every entry when
 * !use_group, else those of `group`. */
static bool scan_pairs(blocks *b, const name_key *k, const ranked_word *ranked, double t,
                       const hvec *a, bool use_group, uint32_t group, const geo_result *g,
                       uint32_t stamp, const name_key *kn, const ptce_run *n)
{
    size_t na = used_words(k), lo, hi;
    for (size_t nb = 1; nb <= 64; nb++) {
        /* The least number of matched words that gives t, as similarity() computes it. */
        size_t need = 0, most = na < nb ? na : nb;
        for (size_t sh = 1; sh <= most && !need; sh++)
            if ((double)sh / (double)(na + nb - sh) >= t)
                need = sh;
        if (!need) {
            if (nb >= na)
                break; /* a longer name only lowers the index */
            continue;
        }
        /* need is 1 only for one word against one (1 / (na + nb - 1) >= t > 1/2). */
        size_t prefix = need == 1 ? 1 : na - need + 2;
        while (b->near_ranks < prefix)
            if (!find_near(b, k->words[ranked[b->near_ranks].index]) || !keep_near(b))
                return false;
        for (size_t r1 = 0; r1 < prefix; r1++)
            for (size_t r2 = need == 1 ? r1 : r1 + 1; r2 < prefix; r2++)
                for (size_t q1 = b->near_at[r1]; q1 < b->near_at[r1 + 1]; q1++)
                    for (size_t q2 = b->near_at[r2]; q2 < b->near_at[r2 + 1]; q2++) {
                        if (need == 1 && q2 != q1)
                            continue;
                        uint64_t key = need == 1 ? b->nears[q1]
                                                 : pair_key(b->nears[q1], b->nears[q2]);
                        hvec_range(a, sized_key(key, nb), use_group, group, &lo, &hi);
                        for (size_t e = lo; e < hi; e++)
                            if (!visit(b, a, e, k, g, stamp, kn, n))
                                return false;
                    }
    }
    return true;
}

/* Hits for the new names that can pass the candidate test with the old row (key k, place
 * g) through their words: from 0.8 anywhere (all rows of a name); from 0.6 among the rows
 * of its group and those not placed; from 0.6 anywhere when the old row is not placed.
 * `lg` (a loc_group(), or -1 for all) limits the scans to those that can find pairs of
 * that group: 0, the same département (same group: the 0.6 scan of the group covers
 * 0.8); 1, place unknown (an old row not placed: every new row; else the new rows not
 * placed); 2, another département (0.8 anywhere, for a placed old row). */
static bool probe_names(blocks *b, const name_key *k, const geo_result *g, uint32_t stamp,
                        const name_key *kn, const ptce_run *n, int lg)
{
    size_t na = used_words(k), lo, hi;
    if (na == 0)
        return true;
    ranked_word ranked[64];
    for (size_t w = 0; w < na; w++) {
        hvec_range(&b->name_words, word_hash(k->words[w]), false, 0, &lo, &hi);
        ranked[w] = (ranked_word){w, hi - lo};
    }
    qsort(ranked, na, sizeof *ranked, cmp_ranked);
    b->nnears = 0;
    b->near_ranks = 0;
    b->near_at[0] = 0;
    if (!place_known(g))
        return (lg != -1 && lg != 1) ||
               scan_pairs(b, k, ranked, 0.6, &b->unit_pairs, false, 0, g, stamp, kn, n);
    return ((lg != -1 && lg != 2) ||
            scan_pairs(b, k, ranked, 0.8, &b->pairs, false, 0, g, stamp, kn, n)) &&
           ((lg != -1 && lg != 0) ||
            scan_pairs(b, k, ranked, 0.6, &b->unit_pairs, true, place_group(g), g, stamp, kn,
                       n)) &&
           ((lg != -1 && lg != 1) ||
            scan_pairs(b, k, ranked, 0.6, &b->unit_pairs, true, 0, g, stamp, kn, n));
}

/* b->seen = the new rows that can be candidates for the old row of key k, and b->hits
 * those found name by name, already tested (of loc group lg when lg >= 0: see
 * probe_names; b->seen may hold rows of other groups). */
static bool blocks_probe(blocks *b, const name_key *k, const geo_result *g, uint32_t stamp,
                         const name_key *kn, const ptce_run *n, int lg)
{
    size_t lo, hi;
    if (b->all)
        return see_range(b, &b->folded, 0, b->folded.n, stamp);
    /* Identical names: only those of the same département or commune are listed; the
     * others (unknown place, another département) are taken by take_identical(). */
    if (place_known(g)) {
        uint64_t fh = hash_str(k->folded);
        hvec_range(&b->folded_dep, fh, true, place_group(g), &lo, &hi);
        if (!see_range(b, &b->folded_dep, lo, hi, stamp))
            return false;
        if (g->commune) {
            hvec_range(&b->folded_com, hash_name_place(fh, g->commune->insee), false, 0, &lo,
                       &hi);
            if (!see_range(b, &b->folded_com, lo, hi, stamp))
                return false;
            if (g->commune->parent[0]) {
                hvec_range(&b->folded_com, hash_name_place(fh, g->commune->parent), false, 0,
                           &lo, &hi);
                if (!see_range(b, &b->folded_com, lo, hi, stamp))
                    return false;
            }
        }
    }
    size_t jl = joined_len(k);
    if (jl && !make_vars(b, k->joined, jl, 2))
        return false;
    for (size_t v = 0; jl && v < b->nvars; v++) {
        hvec_range(&b->joined, b->vars[v], false, 0, &lo, &hi);
        if (!see_range(b, &b->joined, lo, hi, stamp))
            return false;
    }
    return probe_names(b, k, g, stamp, kn, n, lg);
}

static void take_pair(diff_result *out, size_t *old_match, size_t *new_match, size_t o,
                      size_t n, diff_how how, double sim)
{
    old_match[o] = n;
    new_match[n] = o;
    out->pairs[out->npairs++] = (diff_pair){o, n, how, sim};
    out->by_how[how]++;
}

/* The candidates of identical folded names whose places are `want` (LOC_UNKNOWN or
 * LOC_OTHER), taken as the sorted list would take them, without listing them: a name
 * shared by k rows of each year makes k × k such pairs. In the list they form one class
 * (same loc group, tier 0, same loc, similarity 1) taken by old row, then new row: each old
 * row still free takes the first free new row of its name whose place is `want`.
 * For LOC_UNKNOWN: every new row of the name when the old row's place is unknown, else
 * those whose place is unknown (folded_known, group 0). For LOC_OTHER: the placed new rows
 * of the name (group 1); by then an old row still free has no free new row of its name in
 * its own département or commune (that class came first), so the first free placed one is
 * in another département — checked anyway. A cursor per name skips the rows matched. */
static void take_identical(blocks *b, const ptce_run *o, const ptce_run *n, const name_key *ko,
                           const name_key *kn, diff_result *out, size_t *old_match,
                           size_t *new_match, int want)
{
    for (size_t i = 0; i < o->nrows; i++) {
        if (old_match[i] != DIFF_NO_ROW || !ko[i].folded[0])
            continue;
        const geo_result *g = &o->rows[i].geo;
        bool known = place_known(g);
        if (want == LOC_OTHER && !known)
            continue;
        uint64_t fh = hash_str(ko[i].folded);
        const hvec *a = &b->folded_known;
        size_t base = b->folded.n, lo, hi;
        if (want == LOC_UNKNOWN && !known) {
            a = &b->folded;
            base = 0;
            hvec_range(a, fh, false, 0, &lo, &hi);
        } else {
            hvec_range(a, fh, true, want == LOC_OTHER ? 1 : 0, &lo, &hi);
        }
        if (lo == hi)
            continue;
        size_t *cur = &b->cursor[base + lo];
        size_t p = *cur ? *cur - 1 : lo;
        while (p < hi && new_match[a->v[p].row] != DIFF_NO_ROW)
            p++;
        *cur = p + 1;
        for (size_t q = p; q < hi; q++) {
            size_t j = a->v[q].row;
            if (new_match[j] != DIFF_NO_ROW || strcmp(ko[i].folded, kn[j].folded) != 0 ||
                location_class(g, &n->rows[j].geo) != want)
                continue;
            take_pair(out, old_match, new_match, i, j, DIFF_BY_NAME, 1.0);
            break;
        }
    }
}

static bool push_candidate(candidate **v, size_t *n, size_t *cap, candidate c)
{
    if (*n == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 64;
        candidate *grown = realloc(*v, grown_cap * sizeof *grown);
        if (!grown)
            return false;
        *v = grown;
        *cap = grown_cap;
    }
    (*v)[(*n)++] = c;
    return true;
}

/* The first classes of the sorted list, taken before any similar name is looked for:
 * identical folded names of the same commune, then of the same département (loc group 0,
 * tier 0). They are listed through indexes of the free new rows' folded names by
 * département and by commune, sorted on the same total order and taken by the same greedy
 * rule as the whole list. Why the result is the same: the greedy matching takes a pair when
 * both rows are still free when it comes to it, so once these classes are done, every pair
 * of a later class whose old or new row was matched here would be skipped; the later
 * classes can thus be listed among the rows still free only (match_rows builds the blocks
 * after this), which on two census years, where most PTCE keep their name and commune,
 * leaves a small part of the rows to compare name by name. And no pair of these classes is
 * left for later: after the greedy pass each of them has a matched row. */
/* The candidates of take_same_place_names() in the order of cmp_candidate, without a
 * comparison sort of the whole list. They are all of loc group 0, tier 0 and similarity 1,
 * so that order is: every LOC_COMMUNE pair before every LOC_DEP pair, each by old row,
 * then new row; and they are listed old row by old row. So they are dealt into the two
 * classes keeping their order, then each old row's run (a few new rows of its name) is
 * sorted. A list not in that shape (which take_same_place_names does not make) and no
 * memory for the copy fall back to sort_candidates(). */
static void sort_same_place_candidates(candidate *v, size_t n)
{
    size_t ncom = 0;
    bool shaped = true;
    for (size_t c = 0; c < n && shaped; c++) {
        shaped = v[c].tier == 0 && v[c].sim == 1.0 &&
                 (v[c].loc == LOC_COMMUNE || v[c].loc == LOC_DEP) && (c == 0 || v[c - 1].o <= v[c].o);
        ncom += v[c].loc == LOC_COMMUNE;
    }
    candidate *tmp = shaped && n > 1 ? malloc(n * sizeof *tmp) : NULL;
    if (!tmp) {
        sort_candidates(v, n);
        return;
    }
    size_t com = 0, dep = ncom;
    for (size_t c = 0; c < n; c++)
        tmp[v[c].loc == LOC_COMMUNE ? com++ : dep++] = v[c];
    memcpy(v, tmp, n * sizeof *v);
    for (size_t c = 0, end; c < n; c = end) {
        end = c + 1;
        while (end < n && v[end].o == v[c].o && v[end].loc == v[c].loc)
            end++;
        candidate_merge_sort(v + c, tmp, end - c);
    }
    free(tmp);
}

typedef struct name_look {
    const hvec *a;
    uint64_t h;
    bool use_group;
} name_look;

static bool take_same_place_names(const ptce_run *o, const ptce_run *n, const name_key *ko,
                                  const name_key *kn, diff_result *out, size_t *old_match,
                                  size_t *new_match)
{
    hvec by_dep = {0}, by_com = {0};
    candidate *cands = NULL;
    size_t ncands = 0, capcands = 0;
    uint32_t *stamp = calloc(n->nrows + 1, sizeof *stamp);
    bool ok = stamp != NULL;
    for (size_t j = 0; ok && j < n->nrows; j++) {
        const geo_result *g = &n->rows[j].geo;
        if (new_match[j] != DIFF_NO_ROW || !kn[j].folded[0] || !place_known(g))
            continue;
        uint64_t fh = hash_str(kn[j].folded);
        ok = hvec_push(&by_dep, fh, place_group(g), (uint32_t)j, NULL) &&
             (!g->commune ||
              (hvec_push(&by_com, hash_name_place(fh, g->commune->insee), 0, (uint32_t)j, NULL) &&
               (!g->commune->parent[0] ||
                hvec_push(&by_com, hash_name_place(fh, g->commune->parent), 0, (uint32_t)j,
                          NULL))));
    }
    hvec_sort(&by_dep);
    hvec_sort(&by_com);
    for (size_t i = 0; ok && i < o->nrows; i++) {
        const geo_result *g = &o->rows[i].geo;
        if (old_match[i] != DIFF_NO_ROW || !ko[i].folded[0] || !place_known(g))
            continue;
        uint64_t fh = hash_str(ko[i].folded);
        name_look look[3];
        size_t nlook = 0;
        look[nlook++] = (name_look){&by_dep, fh, true};
        if (g->commune) {
            look[nlook++] = (name_look){&by_com, hash_name_place(fh, g->commune->insee), false};
            if (g->commune->parent[0])
                look[nlook++] =
                    (name_look){&by_com, hash_name_place(fh, g->commune->parent), false};
        }
        for (size_t l = 0; ok && l < nlook; l++) {
            size_t lo, hi;
            hvec_range(look[l].a, look[l].h, look[l].use_group, place_group(g), &lo, &hi);
            for (size_t e = lo; ok && e < hi; e++) {
                uint32_t j = look[l].a->v[e].row;
                if (stamp[j] == (uint32_t)i + 1)
                    continue;
                stamp[j] = (uint32_t)i + 1;
                if (ko[i].hash != kn[j].hash || strcmp(ko[i].folded, kn[j].folded) != 0)
                    continue;
                int loc = location_class(g, &n->rows[j].geo);
                if (loc_group(loc) != 0)
                    continue;
                ok = push_candidate(&cands, &ncands, &capcands,
                                    (candidate){(uint32_t)i, j, 0, (unsigned char)loc, 1.0});
            }
        }
    }
    if (ok)
        sort_same_place_candidates(cands, ncands);
    for (size_t c = 0; ok && c < ncands; c++) {
        const candidate *x = &cands[c];
        if (old_match[x->o] == DIFF_NO_ROW && new_match[x->n] == DIFF_NO_ROW)
            take_pair(out, old_match, new_match, x->o, x->n, DIFF_BY_NAME, 1.0);
    }
    free(cands);
    free(stamp);
    hvec_free(&by_dep);
    hvec_free(&by_com);
    return ok;
}

/* Appends to *cands the candidates of loc group lg (-1: all) of the old rows still free
 * with the new rows of the blocks, as the full comparison tests them; identical names of an
 * unknown place or of another département are left to take_identical() unless
 * `exhaustive`. */
static bool list_candidates(blocks *bl, const ptce_run *o, const ptce_run *n,
                            const name_key *ko, const name_key *kn, const size_t *old_match,
                            int lg, bool exhaustive, candidate **cands, size_t *ncands,
                            size_t *capcands)
{
    for (size_t i = 0; i < o->nrows; i++) {
        if (old_match[i] != DIFF_NO_ROW || !ko[i].folded[0])
            continue;
        const geo_result *g = &o->rows[i].geo;
        if ((lg == 0 || lg == 2) && !place_known(g))
            continue; /* not placed: every pair of it is of an unknown place */
        bl->nseen = 0;
        bl->nhits = 0;
        if (!blocks_probe(bl, &ko[i], g, (uint32_t)i + 1, kn, n, lg))
            return false;
        /* The pairs the full comparison would keep, in another order: they are sorted
         * on a total order, so the result is the same. */
        for (size_t s = 0; s < bl->nseen; s++) {
            size_t j = bl->seen[s];
            candidate c = {.o = (uint32_t)i, .n = (uint32_t)j};
            c.loc = (unsigned char)location_class(g, &n->rows[j].geo);
            if (lg >= 0 && loc_group(c.loc) != lg)
                continue;
            if (ko[i].hash == kn[j].hash && strcmp(ko[i].folded, kn[j].folded) == 0) {
                if (!exhaustive && (c.loc == LOC_UNKNOWN || c.loc == LOC_OTHER))
                    continue; /* take_identical() */
                c.tier = 0;
                c.sim = 1.0;
            } else {
                c.tier = 1;
                if (!exhaustive && !may_reach(&ko[i], &kn[j], c.loc == LOC_OTHER ? 0.8 : 0.6))
                    continue;
                c.sim = similarity(&ko[i], &kn[j]);
                if (c.sim < (c.loc == LOC_OTHER ? 0.8 : 0.6))
                    continue;
            }
            if (!push_candidate(cands, ncands, capcands, c))
                return false;
        }
        for (size_t h = 0; h < bl->nhits; h++) {
            if (lg >= 0 && loc_group(bl->hits[h].loc) != lg)
                continue;
            candidate c = {(uint32_t)i, bl->hits[h].row, 1, bl->hits[h].loc, bl->hits[h].sim};
            if (!push_candidate(cands, ncands, capcands, c))
                return false;
        }
    }
    return true;
}

/* Sorts the candidates (a total order) and takes them best first, each pair whose two rows
 * are still free. */
static void take_sorted(candidate *cands, size_t ncands, diff_result *out, size_t *old_match,
                        size_t *new_match)
{
    sort_candidates(cands, ncands);
    for (size_t c = 0; c < ncands; c++) {
        const candidate *x = &cands[c];
        if (old_match[x->o] == DIFF_NO_ROW && new_match[x->n] == DIFF_NO_ROW)
            take_pair(out, old_match, new_match, x->o, x->n,
                      x->tier == 0 ? DIFF_BY_NAME : DIFF_BY_SIMILAR, x->sim);
    }
}

/* name_key_words() of the rows still free (match[i] == DIFF_NO_ROW). */
static bool keys_words(name_key *k, const size_t *match, size_t nrows)
{
    for (size_t i = 0; i < nrows; i++)
        if (match[i] == DIFF_NO_ROW && !name_key_words(&k[i]))
            return false;
    return true;
}

/* Fills out->pairs. old_match/new_match get the partner of each row, DIFF_NO_ROW if none.
 * ko/kn: the rows' names folded (name_key_fold), one per row of each year; the words are
 * cut here for the rows that need them. */
static ptce_status match_rows(ptce_ctx *ctx, const ptce_run *o, const ptce_run *n,
                              name_key *ko, name_key *kn, diff_result *out, size_t *old_match,
                              size_t *new_match, bool exhaustive)
{
    ptce_status st = PTCE_OK;
    size_t no = o->nrows, nn = n->nrows;
    for (size_t i = 0; i < no; i++)
        old_match[i] = DIFF_NO_ROW;
    for (size_t j = 0; j < nn; j++)
        new_match[j] = DIFF_NO_ROW;
    out->pairs = calloc((no < nn ? no : nn) + 1, sizeof *out->pairs);
    id_ref *ids = calloc(no + 1, sizeof *ids);
    candidate *cands = NULL;
    blocks bl = {.all = exhaustive};
    if (!out->pairs || !ids) {
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        goto done;
    }

    /* 1. Census ids. */
    size_t nids = 0;
    for (size_t i = 0; i < no; i++)
        if (!o->rows[i].id_derived)
            ids[nids++] = (id_ref){o->rows[i].id, i};
    qsort(ids, nids, sizeof *ids, cmp_id_ref);
    for (size_t j = 0; j < nn; j++) {
        if (n->rows[j].id_derived)
            continue;
        id_ref key = {n->rows[j].id, 0};
        /* First row of that id not yet matched, in file order. */
        size_t lo = 0, hi = nids;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_id_ref(&ids[mid], &key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k < nids && strcmp(ids[k].id, key.id) == 0; k++) {
            if (old_match[ids[k].index] != DIFF_NO_ROW)
                continue;
            old_match[ids[k].index] = j;
            new_match[j] = ids[k].index;
            out->pairs[out->npairs++] = (diff_pair){ids[k].index, j, DIFF_BY_ID, 1.0};
            out->by_how[DIFF_BY_ID]++;
            break;
        }
    }

    /* 2. Names, among the rows left (their names are folded by the caller): cut into words
     * (name_key_words) for those still free when similar names are looked for. */
    size_t ncands = 0, capcands = 0;
    if (exhaustive) {
        /* The definition: every pair tested, one sorted list, taken best first. */
        if (!keys_words(ko, old_match, no) || !keys_words(kn, new_match, nn) ||
            !blocks_make(&bl, kn, n, new_match, nn) ||
            !list_candidates(&bl, o, n, ko, kn, old_match, -1, true, &cands, &ncands,
                             &capcands)) {
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            goto done;
        }
        take_sorted(cands, ncands, out, old_match, new_match);
    } else {
        /* The same list, class by class (see take_same_place_names): identical names of the
         * same place, the similar names of loc group 0, the identical names of an unknown
         * place, the similar names of group 1, the identical names of another département,
         * the similar names of group 2; each listed among the rows still free. */
        if (!take_same_place_names(o, n, ko, kn, out, old_match, new_match) ||
            !keys_words(ko, old_match, no) || !keys_words(kn, new_match, nn)) {
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            goto done;
        }
        for (int lg = 0; lg < 3; lg++) {
            blocks_free(&bl);
            ncands = 0;
            if (!blocks_make(&bl, kn, n, new_match, nn)) {
                st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
                goto done;
            }
            if (lg > 0)
                take_identical(&bl, o, n, ko, kn, out, old_match, new_match,
                               lg == 1 ? LOC_UNKNOWN : LOC_OTHER);
            if (!list_candidates(&bl, o, n, ko, kn, old_match, lg, false, &cands, &ncands,
                                 &capcands)) {
                st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
                goto done;
            }
            take_sorted(cands, ncands, out, old_match, new_match);
        }
    }
    sort_pairs_by_new_row(out, nn);

done:
    free(ids);
    free(cands);
    blocks_free(&bl);
    return st;
}

/* ---- changes ------------------------------------------------------------------------------ */

typedef struct change_list {
    diff_result *d;
    size_t cap;
    bool failed;
} change_list;

static void add_change(change_list *l, diff_kind kind, const ptce_row *row, size_t old_row,
                       size_t new_row, const char *avant, const char *apres)
{
    diff_result *d = l->d;
    if (l->failed)
        return;
    if (d->nchanges == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        diff_change *grown = realloc(d->changes, cap * sizeof *grown);
        if (!grown) {
            l->failed = true;
            return;
        }
        d->changes = grown;
        l->cap = cap;
    }
    diff_change *c = &d->changes[d->nchanges];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->old_row = old_row;
    c->new_row = new_row;
    c->id = util_strdup(row->id);
    c->nom = util_strdup(row->nom);
    c->avant = util_strdup(avant);
    c->apres = util_strdup(apres);
    if (row->geo.status == GEO_MATCH && row->geo.reg)
        snprintf(c->code_reg, sizeof c->code_reg, "%s", row->geo.reg->code);
    if (!c->id || !c->nom || !c->avant || !c->apres) {
        free(c->id);
        free(c->nom);
        free(c->avant);
        free(c->apres);
        l->failed = true;
        return;
    }
    d->nchanges++;
    d->count[kind]++;
}

static int cmp_change(const void *a, const void *b)
{
    const diff_change *x = a, *y = b;
    int d = strcmp(x->id, y->id);
    if (d)
        return d;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->old_row != y->old_row)
        return x->old_row < y->old_row ? -1 : 1;
    return x->new_row < y->new_row ? -1 : x->new_row > y->new_row;
}

static const char *primary_sector(const ptce_run *run, const ptce_row *row)
{
    if (!run->tax || row->cls.primary < 0)
        return NULL;
    return sectors_id(run->tax, (size_t)row->cls.primary);
}

/* ko/kn: the rows' folded names (match_rows). */
static void pair_changes(change_list *l, const ptce_run *o, const ptce_run *n,
                         const name_key *ko, const name_key *kn, const diff_pair *p)
{
    const ptce_row *ro = &o->rows[p->old_row], *rn = &n->rows[p->new_row];
    char avant[512], apres[512];
    /* Moved: both placed, on communes (or départements) that differ. */
    const geo_result *go = &ro->geo, *gn = &rn->geo;
    if (go->status == GEO_MATCH && gn->status == GEO_MATCH && go->dep && gn->dep) {
        bool moved = go->commune && gn->commune ? !same_commune(go->commune, gn->commune)
                                                : strcmp(go->dep->code, gn->dep->code) != 0;
        if (moved) {
            place_text(go, avant, sizeof avant);
            place_text(gn, apres, sizeof apres);
            add_change(l, DIFF_DEPLACE, rn, p->old_row, p->new_row, avant, apres);
        }
    }
    const name_key *fo = &ko[p->old_row], *fn = &kn[p->new_row];
    if (fo->hash != fn->hash || strcmp(fo->folded, fn->folded) != 0)
        add_change(l, DIFF_RENOMME, rn, p->old_row, p->new_row, ro->nom, rn->nom);
    const char *so = primary_sector(o, ro), *sn = primary_sector(n, rn);
    if (so && sn && strcmp(so, sn) != 0)
        add_change(l, DIFF_SECTEUR, rn, p->old_row, p->new_row, so, sn);
    /* Merged communes, said once per row: the old year's former code first. */
    char was_old[512], was_new[512]; /* written by remapped() when it returns true */
    was_old[0] = was_new[0] = '\0';
    bool old_remapped = remapped(o, ro, was_old, sizeof was_old);
    bool new_remapped = remapped(n, rn, was_new, sizeof was_new);
    if (old_remapped) {
        place_text(go, apres, sizeof apres);
        add_change(l, DIFF_COMMUNE_FUSIONNEE, rn, p->old_row, p->new_row, was_old, apres);
        if (!l->failed)
            l->d->changes[l->d->nchanges - 1].in_old = 1;
    }
    if (new_remapped && (!old_remapped || strcmp(was_old, was_new) != 0)) {
        place_text(gn, apres, sizeof apres);
        add_change(l, DIFF_COMMUNE_FUSIONNEE, rn, p->old_row, p->new_row, was_new, apres);
    }
}

static ptce_status diff_runs_by(ptce_ctx *ctx, const ptce_run *old_run,
                                const ptce_run *new_run, diff_result *out, bool exhaustive)
{
    memset(out, 0, sizeof *out);
    out->nold = old_run->nrows;
    out->nnew = new_run->nrows;
    size_t no = old_run->nrows, nn = new_run->nrows;
    size_t *old_match = calloc(no + 1, sizeof *old_match);
    size_t *new_match = calloc(nn + 1, sizeof *new_match);
    /* Every row's name folded once: for the matching by name, and to tell a renaming. */
    name_key *ko = calloc(no + 1, sizeof *ko), *kn = calloc(nn + 1, sizeof *kn);
    util_strstore names = {0}; /* the folded names of both years, freed at once */
    ptce_status st = PTCE_OK;
    if (!old_match || !new_match || !ko || !kn)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t i = 0; st == PTCE_OK && i < no; i++)
        if (!name_key_fold(&names, old_run->rows[i].nom, &ko[i]))
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t j = 0; st == PTCE_OK && j < nn; j++)
        if (!name_key_fold(&names, new_run->rows[j].nom, &kn[j]))
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    if (st == PTCE_OK)
        st = match_rows(ctx, old_run, new_run, ko, kn, out, old_match, new_match, exhaustive);
    change_list l = {.d = out};
    char place[512], was[512];
    for (size_t k = 0; st == PTCE_OK && k < out->npairs; k++)
        pair_changes(&l, old_run, new_run, ko, kn, &out->pairs[k]);
    for (size_t j = 0; st == PTCE_OK && j < new_run->nrows; j++) {
        if (new_match[j] != DIFF_NO_ROW)
            continue;
        const ptce_row *r = &new_run->rows[j];
        place_text(&r->geo, place, sizeof place);
        add_change(&l, DIFF_NOUVEAU, r, DIFF_NO_ROW, j, "", place);
        if (remapped(new_run, r, was, sizeof was))
            add_change(&l, DIFF_COMMUNE_FUSIONNEE, r, DIFF_NO_ROW, j, was, place);
    }
    for (size_t i = 0; st == PTCE_OK && i < old_run->nrows; i++) {
        if (old_match[i] != DIFF_NO_ROW)
            continue;
        const ptce_row *r = &old_run->rows[i];
        place_text(&r->geo, place, sizeof place);
        add_change(&l, DIFF_DISPARU, r, i, DIFF_NO_ROW, place, "");
    }
    for (size_t i = 0; ko && i < no; i++)
        name_key_free(&ko[i]);
    for (size_t j = 0; kn && j < nn; j++)
        name_key_free(&kn[j]);
    free(ko);
    free(kn);
    util_strstore_free(&names);
    free(old_match);
    free(new_match);
    if (st == PTCE_OK && l.failed)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    if (st == PTCE_OK && out->nchanges > 1)
        qsort(out->changes, out->nchanges, sizeof *out->changes, cmp_change);
    return st;
}

ptce_status diff_runs(ptce_ctx *ctx, const ptce_run *old_run, const ptce_run *new_run,
                      diff_result *out)
{
    return diff_runs_by(ctx, old_run, new_run, out, false);
}

ptce_status diff_runs_exhaustive(ptce_ctx *ctx, const ptce_run *old_run,
                                 const ptce_run *new_run, diff_result *out)
{
    return diff_runs_by(ctx, old_run, new_run, out, true);
}

/* ---- outputs -------------------------------------------------------------------------------- */

ptce_status diff_write_csv(ptce_ctx *ctx, const diff_result *d, util_strbuf *sb)
{
    csvfile_begin(sb);
    static const char *const cols[] = {"id", "nom", "changement", "avant", "apres"};
    for (size_t i = 0; i < 5; i++)
        csvfile_append_cell(sb, cols[i], CSVFILE_OUT_SEP, i == 0);
    csvfile_end_row(sb);
    for (size_t i = 0; i < d->nchanges; i++) {
        const diff_change *c = &d->changes[i];
        csvfile_append_cell(sb, c->id, CSVFILE_OUT_SEP, 1);
        csvfile_append_cell(sb, c->nom, CSVFILE_OUT_SEP, 0);
        csvfile_append_cell(sb, diff_kind_name(c->kind), CSVFILE_OUT_SEP, 0);
        csvfile_append_cell(sb, c->avant, CSVFILE_OUT_SEP, 0);
        csvfile_append_cell(sb, c->apres, CSVFILE_OUT_SEP, 0);
        csvfile_end_row(sb);
    }
    return sb->failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante") : PTCE_OK;
}

static const char *const kind_labels[DIFF_KIND_COUNT] = {
    "nouveaux PTCE", "PTCE disparus", "PTCE déplacés (commune changée)",
    "PTCE renommés", "PTCE changés de secteur principal",
    "lignes lues à travers une fusion de communes"};

static size_t placed(const ptce_run *run)
{
    size_t n = 0;
    for (size_t i = 0; i < run->nrows; i++)
        n += run->rows[i].geo.status == GEO_MATCH;
    return n;
}

ptce_status diff_format_summary(ptce_ctx *ctx, const diff_result *d, const ptce_run *old_run,
                                const ptce_run *new_run, util_strbuf *sb)
{
    util_sb_printf(sb, "Évolutions du recensement\n");
    util_sb_printf(sb, "  avant : %s, %zu PTCE (%zu placés)\n", old_run->census.path, d->nold,
              placed(old_run));
    util_sb_printf(sb, "  après : %s, %zu PTCE (%zu placés)\n", new_run->census.path, d->nnew,
              placed(new_run));
    util_sb_printf(sb, "  présents les deux années : %zu (%zu par identifiant, %zu par nom "
                  "identique, %zu par nom proche)\n",
              d->npairs, d->by_how[DIFF_BY_ID], d->by_how[DIFF_BY_NAME],
              d->by_how[DIFF_BY_SIMILAR]);
    util_sb_append(sb, "\nChangements :\n");
    for (int k = 0; k < DIFF_KIND_COUNT; k++)
        util_sb_printf(sb, "  %-18s %4zu  %s\n", diff_kind_name((diff_kind)k), d->count[k],
                  kind_labels[k]);

    /* New and gone per region, in region code order; "non placés" last. */
    const refdata *rd = new_run->rd;
    bool header = false;
    for (size_t r = 0; r <= rd->nregions; r++) {
        const char *code = r < rd->nregions ? rd->regions[r].code : "";
        size_t plus = 0, minus = 0;
        for (size_t i = 0; i < d->nchanges; i++) {
            const diff_change *c = &d->changes[i];
            if (strcmp(c->code_reg, code) != 0)
                continue;
            plus += c->kind == DIFF_NOUVEAU;
            minus += c->kind == DIFF_DISPARU;
        }
        if (!plus && !minus)
            continue;
        if (!header)
            util_sb_append(sb, "\nNouveaux et disparus par région :\n");
        header = true;
        util_sb_printf(sb, "  %s : %zu nouveau%s, %zu disparu%s\n",
                  r < rd->nregions ? rd->regions[r].nom : "non placés", plus,
                  plus > 1 ? "x" : "", minus, minus > 1 ? "s" : "");
    }

    if (d->count[DIFF_COMMUNE_FUSIONNEE]) {
        util_sb_append(sb, "\nLignes dont la commune a fusionné (lues comme la commune nouvelle ; "
                      "mettez le recensement à jour) :\n");
        for (size_t i = 0; i < d->nchanges; i++) {
            const diff_change *c = &d->changes[i];
            if (c->kind == DIFF_COMMUNE_FUSIONNEE)
                util_sb_printf(sb, "  %s « %s » (%s, ligne %zu) : %s → %s\n", c->id, c->nom,
                          c->in_old ? old_run->census.path : new_run->census.path,
                          c->in_old ? old_run->rows[c->old_row].rec->line
                                    : new_run->rows[c->new_row].rec->line,
                          c->avant, c->apres);
        }
    }
    if (d->by_how[DIFF_BY_NAME] + d->by_how[DIFF_BY_SIMILAR]) {
        util_sb_append(sb, "\nRapprochés par le nom (identifiant absent ou différent ; vérifiez, et "
                      "donnez-leur un identifiant stable) :\n");
        for (size_t k = 0; k < d->npairs; k++) {
            const diff_pair *p = &d->pairs[k];
            if (p->how == DIFF_BY_ID)
                continue;
            const ptce_row *ro = &old_run->rows[p->old_row], *rn = &new_run->rows[p->new_row];
            util_sb_printf(sb, "  %s « %s » → %s « %s »", ro->id, ro->nom, rn->id, rn->nom);
            if (p->how == DIFF_BY_NAME) {
                util_sb_append(sb, " (nom identique)\n");
            } else {
                char num[16];
                snprintf(num, sizeof num, "%.2f", p->similarity);
                char *dot = strchr(num, '.');
                if (dot)
                    *dot = ','; /* French decimal comma */
                util_sb_printf(sb, " (nom proche, similarité %s)\n", num);
            }
        }
    }
    size_t lost = 0, found = 0;
    for (size_t k = 0; k < d->npairs; k++) {
        int was = old_run->rows[d->pairs[k].old_row].geo.status == GEO_MATCH;
        int is = new_run->rows[d->pairs[k].new_row].geo.status == GEO_MATCH;
        lost += was && !is;
        found += !was && is;
    }
    if (lost || found)
        util_sb_printf(sb, "\nPrésents les deux années : %zu placés l'an dernier mais plus cette "
                      "année, %zu placés cette année seulement (voir ptce-map validate).\n",
                  lost, found);
    return sb->failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante") : PTCE_OK;
}

void diff_result_free(diff_result *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nchanges; i++) {
        free(d->changes[i].id);
        free(d->changes[i].nom);
        free(d->changes[i].avant);
        free(d->changes[i].apres);
    }
    free(d->changes);
    free(d->pairs);
    memset(d, 0, sizeof *d);
}

size_t diff_previous_counts(const ptce_run *old_run, const refdata *rd, long *per_region,
                            long *per_dep)
{
    if (per_region)
        memset(per_region, 0, rd->nregions * sizeof *per_region);
    if (per_dep)
        memset(per_dep, 0, rd->ndeps * sizeof *per_dep);
    size_t counted = 0;
    for (size_t i = 0; i < old_run->nrows; i++) {
        const geo_result *g = &old_run->rows[i].geo;
        if (g->status != GEO_MATCH)
            continue;
        counted++;
        const region *r = g->reg ? refdata_region(rd, g->reg->code) : NULL;
        if (r && per_region)
            per_region[r - rd->regions]++;
        const departement *dp = g->dep ? refdata_departement(rd, g->dep->code) : NULL;
        if (dp && per_dep)
            per_dep[dp - rd->deps]++;
    }
    return counted;
}

size_t diff_previous_epci_counts(const ptce_run *old_run, const refdata *rd, long *per_epci)
{
    memset(per_epci, 0, rd->nepci * sizeof *per_epci);
    size_t counted = 0;
    for (size_t i = 0; i < old_run->nrows; i++) {
        const geo_result *g = &old_run->rows[i].geo;
        if (g->status != GEO_MATCH || !g->commune || !g->commune->epci[0])
            continue;
        /* A commune of `rd` itself (build --previous shares the load) carries the record
         * refdata_epci() gives for its code, set at load; one of another load is looked
         * up by the code. */
        const commune *c = g->commune;
        bool ours = c >= rd->communes && c < rd->communes + rd->ncommunes && c->epci_area;
        const epci *e = ours ? c->epci_area : refdata_epci(rd, c->epci);
        if (e) {
            per_epci[e - rd->epcis]++;
            counted++;
        }
    }
    return counted;
}
