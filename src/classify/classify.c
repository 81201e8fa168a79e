/*
 * classify/classify.c — French text normalisation for matching, and scoring.
 *
 * Normalisation (shared with the taxonomy parser, see classify_private.h):
 *   1. text_fold(): lower case, no accents, œ → oe, every run of punctuation → one space;
 *   2. bound prefixes that are not words on their own are glued to the next word, so that
 *      "ré-emploi", "ré emploi" and "réemploi" are one word and never the word "emploi";
 *   3. elided articles (l', d', qu'…) and a few function words are dropped;
 *   4. a light stemmer takes off plural and feminine endings.
 * Matching is word by word, so a term only ever matches from the start of a word:
 * "culture" is not found in "agriculture", nor "bio" in "biomasse".
 *
 * Scoring (documented for analysts in docs/taxonomie.md): at each position the longest
 * matching terms win and their words are consumed; each distinct term counts once per text,
 * at its first occurrence. A term counts its weight times:
 *   - theme_factor in the declared theme;
 *   - 1 + start_bonus at the start of the description, fading to 1 over start_span words
 *     (what a pole names first is what it does first);
 *   - place_factor if it is a place term (« lieu ») and the text names an activity of another
 *     sector (the farm, the brownfield is where something else happens).
 * A learned model (« modele = », model.c) adds facteur_modele times the sum of the weights of
 * the description's model terms to each sector's score.
 * The primary is the best ranking score, where a means sector (« rôle = moyen », insertion)
 * counts means_factor times as soon as another sector reaches score_min_secondaire: how a
 * pole works does not outweigh what it produces. Secondaries use the plain scores (taxonomy
 * only, without the start bonus).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "classify/classify_private.h"
#include "core/ctx.h"
#include "core/util.h"
#include "text/fold.h"

/* ---- normalisation ---- */

/* True when w[0..n) is one of `words`, all of length n, separated by spaces. */
static bool among(const char *w, size_t n, const char *words)
{
    for (const char *p = words; *p; p += n + (p[n] == ' ')) {
        if (p[0] == w[0] && memcmp(p, w, n) == 0)
            return true;
        if (!p[n])
            break;
    }
    return false;
}

#define PACK2(a, b) ((unsigned)(a) << 8 | (unsigned)(b))
#define PACK3(a, b, c) (PACK2(a, b) << 8 | (unsigned)(c))
#define PACK4(a, b, c, d) (PACK3(a, b, c) << 8 | (unsigned)(d))

/* w[0..n) as one number, for n <= 4: the word lists below compare whole words at once. */
static unsigned pack(const char *w, size_t n)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | (unsigned char)w[i];
    return v;
}

/* Elisions (l' d' j' m' n' s' t' c' qu' jusqu' lorsqu' puisqu' quoiqu' presqu') and function
 * words: they carry no sector and would break phrases ("chantier d'insertion" and
 * "chantier de l'insertion" are the same phrase). Grouped by length: this runs on every word. */
static bool is_dropped_word(const char *w, size_t n)
{
    switch (n) {
    case 1: return strchr("ldjmnstcay", w[0]) != NULL;
    case 2:
        switch (pack(w, 2)) {
        case PACK2('q', 'u'): case PACK2('l', 'e'): case PACK2('l', 'a'): case PACK2('u', 'n'):
        case PACK2('d', 'e'): case PACK2('d', 'u'): case PACK2('e', 't'): case PACK2('e', 'n'):
        case PACK2('a', 'u'): case PACK2('o', 'u'):
            return true;
        default: return false;
        }
    case 3:
        switch (pack(w, 3)) {
        case PACK3('l', 'e', 's'): case PACK3('u', 'n', 'e'): case PACK3('d', 'e', 's'):
        case PACK3('a', 'u', 'x'): case PACK3('p', 'a', 'r'): case PACK3('s', 'u', 'r'):
            return true;
        default: return false;
        }
    case 4:
        switch (pack(w, 4)) {
        case PACK4('p', 'o', 'u', 'r'): case PACK4('d', 'a', 'n', 's'): case PACK4('a', 'v', 'e', 'c'):
            return true;
        default: return false;
        }
    case 5: return memcmp(w, "jusqu", 5) == 0;
    case 6: return among(w, 6, "lorsqu puisqu quoiqu presqu");
    default: return false;
    }
}

/* Prefixes written apart or with a hyphen that are not French words on their own. */
static bool is_bound_prefix(const char *w, size_t n)
{
    switch (n) {
    case 1: return w[0] == 'e';
    case 2: return pack(w, 2) == PACK2('r', 'e') || pack(w, 2) == PACK2('c', 'o');
    case 3: return pack(w, 3) == PACK3('e', 'c', 'o');
    case 4:
        switch (pack(w, 4)) {
        case PACK4('a', 'g', 'r', 'o'): case PACK4('a', 'g', 'r', 'i'): case PACK4('a', 'u', 't', 'o'):
        case PACK4('o', 'e', 'n', 'o'): case PACK4('t', 'e', 'l', 'e'):
            return true;
        default: return false;
        }
    case 5: return among(w, 5, "hydro cyclo");
    case 7: return memcmp(w, "electro", 7) == 0;
    default: return false;
    }
}

/* Writes the stem of w[0..n) into out (at most n bytes) and returns its length. */
static size_t stem_into(const char *w, size_t n, char *out)
{
    size_t len = n;
    if (len > 3 && (w[len - 1] == 's' || w[len - 1] == 'x') && w[len - 2] != 's')
        len--; /* plural: circuits, jeux, locaux */
    for (int k = 0; k < 2; k++)
        if (len > 3 && w[len - 1] == 'e')
            len--; /* feminine and mute e: locale, accompagnée, ressourcerie */
    memcpy(out, w, len);
    char last = out[len - 1];
    if (len > 3 && out[len - 2] == last && (last == 'n' || last == 'l' || last == 't'))
        len--; /* paysanne → paysan, culturelle → culturel, nette → net */
    if (len >= 5 && out[len - 2] == 'a' && out[len - 1] == 'l')
        out[len - 1] = 'u'; /* local/locaux → locau, régional/régionaux → regionau */
    else if (len >= 4 && out[len - 2] == 'i' && out[len - 1] == 'v')
        out[len - 1] = 'f'; /* inclusive → inclusif */
    return len;
}

void classify_tokens_init(classify_tokens *t)
{
    t->buf = t->small_buf;
    t->tok = t->small_tok;
    t->n = 0;
    t->small_buf[0] = '\0';
}

void classify_tokens_free(classify_tokens *t)
{
    if (t->buf != t->small_buf)
        free(t->buf);
    if (t->tok != t->small_tok)
        free(t->tok);
    classify_tokens_init(t);
}

/* The buffer of a text of `len` folded bytes: the folded text itself (the words' folded forms
 * are read in place), then for each kept word its stem, and for a word written with a bound
 * prefix apart ("ré emploi") its glued form, each NUL-terminated: at most 4 len + 8 bytes. */
#define TOKENS_BUF_SIZE(len) (4 * (len) + 8)

bool classify_tokenize(const char *text, classify_tokens *out)
{
    classify_tokens_init(out);
    text = text ? text : "";
    size_t len = 0;
    bool in_small = false;
    /* The fold of common characters is never longer than the text; others may be (½ → 1 2),
     * hence the margin, and the full fold when the result may have been cut. */
    if (strlen(text) < CLASSIFY_SMALL_TEXT / 2) {
        len = text_fold_into(text, out->small_buf, CLASSIFY_SMALL_TEXT);
        in_small = len < CLASSIFY_SMALL_TEXT - 8;
    }
    if (!in_small) {
        char *f = text_fold(text);
        if (!f)
            return false;
        len = strlen(f);
        if (len > UINT32_MAX / 8 || !(out->buf = malloc(TOKENS_BUF_SIZE(len)))) {
            free(f);
            classify_tokens_init(out);
            return false;
        }
        memcpy(out->buf, f, len + 1);
        free(f);
    }
    char *buf = out->buf;
    size_t used = len + 1, tok_cap = CLASSIFY_SMALL_TOKENS;
    const char *p = buf, *end = buf + len;
    while (p < end) {
        const char *w = p;
        while (p < end && *p != ' ')
            p++;
        size_t wl = (size_t)(p - w);
        if (p < end)
            p++;
        size_t fold_off = (size_t)(w - buf), glued = 0;
        if (p < end && is_bound_prefix(w, wl)) {
            const char *w2 = p;
            while (p < end && *p != ' ')
                p++;
            size_t l2 = (size_t)(p - w2);
            if (p < end)
                p++;
            fold_off = used;
            memcpy(buf + used, w, wl);
            memcpy(buf + used + wl, w2, l2);
            wl += l2;
            buf[used + wl] = '\0';
            glued = wl + 1;
        }
        if (is_dropped_word(buf + fold_off, wl))
            continue;
        used += glued;
        size_t slen = stem_into(buf + fold_off, wl, buf + used);
        if (out->n == tok_cap) { /* a long text: the tokens move to the heap */
            classify_token *grown = malloc(2 * tok_cap * sizeof *grown);
            if (!grown) {
                classify_tokens_free(out);
                return false;
            }
            memcpy(grown, out->tok, out->n * sizeof *grown);
            if (out->tok != out->small_tok)
                free(out->tok);
            out->tok = grown;
            tok_cap *= 2;
        }
        classify_token *tk = &out->tok[out->n++];
        tk->fold_off = (uint32_t)fold_off;
        tk->fold_len = (uint32_t)wl;
        tk->stem_off = (uint32_t)used;
        tk->stem_len = (uint32_t)slen;
        tk->hash = classify_hash(buf + used, slen);
        used += slen;
        buf[used++] = '\0';
    }
    return true;
}

char *classify_normalize(const char *text)
{
    classify_tokens t;
    if (!classify_tokenize(text, &t))
        return NULL;
    util_strbuf sb;
    util_sb_init(&sb);
    for (size_t i = 0; i < t.n; i++) {
        if (i)
            util_sb_append_char(&sb, ' ');
        util_sb_append_n(&sb, t.buf + t.tok[i].stem_off, t.tok[i].stem_len);
    }
    classify_tokens_free(&t);
    return util_sb_take(&sb);
}

char *classify_words(const char *text)
{
    classify_tokens t;
    if (!classify_tokenize(text, &t))
        return NULL;
    util_strbuf sb;
    util_sb_init(&sb);
    for (size_t i = 0; i < t.n; i++) {
        if (i)
            util_sb_append_char(&sb, ' ');
        util_sb_append_n(&sb, t.buf + t.tok[i].fold_off, t.tok[i].fold_len);
        util_sb_append_char(&sb, '/');
        util_sb_append_n(&sb, t.buf + t.tok[i].stem_off, t.tok[i].stem_len);
    }
    classify_tokens_free(&t);
    return util_sb_take(&sb);
}

/* ---- matching ---- */

typedef struct hit {
    size_t term;
    bool theme;
    size_t pos;      /* index of its first word among the description's words (0 in the theme) */
    double points;   /* what it adds to its sector's score, once every factor is applied */
    double start;    /* the start-of-text factor applied (1 in the theme) */
} hit;

typedef struct hits {
    hit *v;
    size_t n, cap;
    bool failed;
} hits;

static void hits_add(hits *h, size_t term, bool theme, size_t pos)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].term == term && h->v[i].theme == theme)
            return; /* each term counts once per text */
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        hit *v = realloc(h->v, cap * sizeof *v);
        if (!v) {
            h->failed = true;
            return;
        }
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n++] = (hit){term, theme, pos, 0, 1};
}

static bool word_matches(const classify_word *w, const classify_tokens *tk, size_t i)
{
    const classify_token *t = &tk->tok[i];
    if (w->prefix)
        return t->fold_len >= w->len && memcmp(tk->buf + t->fold_off, w->text, w->len) == 0;
    return t->stem_len == w->len && memcmp(tk->buf + t->stem_off, w->text, w->len) == 0;
}

static bool term_matches(const taxonomy *t, const classify_term *term, const classify_tokens *tk, size_t i)
{
    if (i + term->nwords > tk->n)
        return false;
    /* The first word already matched through the index. */
    for (size_t k = 1; k < term->nwords; k++)
        if (!word_matches(&t->words[term->first + k], tk, i + k))
            return false;
    return true;
}

/* Chains of the terms whose first word matches token i: its stem, then its prefixes. */
static size_t candidate_chains(const taxonomy *t, const classify_tokens *tk, size_t i, size_t *heads)
{
    const classify_token *tok = &tk->tok[i];
    size_t n = 0;
    size_t h = classify_index_find_word(t, tok->hash, tk->buf + tok->stem_off, tok->stem_len);
    if (h != CLASSIFY_NO_TERM)
        heads[n++] = h;
    if (tok->fold_len < 3)
        return n; /* prefixes have at least 3 letters */
    const char *f = tk->buf + tok->fold_off;
    unsigned key = (unsigned)(unsigned char)f[0] << 8 | (unsigned char)f[1];
    if (!(t->prefix_start[key / 8] & (1u << (key % 8))))
        return n;
    return n + classify_index_find_prefixes(t, f, tok->fold_len, heads + n);
}

static void match_text(const taxonomy *t, const classify_tokens *tk, bool theme, hits *out)
{
    size_t heads[CLASSIFY_MAX_PREFIX + 2];
    size_t i = 0;
    while (i < tk->n) {
        size_t nh = candidate_chains(t, tk, i, heads);
        size_t best = 0;
        for (size_t c = 0; c < nh; c++)
            for (size_t k = heads[c]; k != CLASSIFY_NO_TERM; k = t->next_in_chain[k]) {
                const classify_term *term = &t->terms[k];
                if ((theme || !term->theme_only) && term->nwords > best &&
                    term_matches(t, term, tk, i))
                    best = term->nwords;
            }
        if (best == 0) {
            i++;
            continue;
        }
        /* Every term of that longest length counts (a phrase may belong to two sectors). */
        for (size_t c = 0; c < nh; c++)
            for (size_t k = heads[c]; k != CLASSIFY_NO_TERM; k = t->next_in_chain[k]) {
                const classify_term *term = &t->terms[k];
                if ((theme || !term->theme_only) && term->nwords == best &&
                    term_matches(t, term, tk, i))
                    hits_add(out, k, theme, i);
            }
        i += best;
    }
}

/* ---- scoring ---- */

/* Weight of a description word at position `pos` among `n` words: 1 + start_bonus at the first
 * word, fading linearly to 1 at min(start_span, n) words (in a short text the first-named
 * activity still comes first). The theme has its own factor instead. */
static double position_factor(const taxonomy *t, size_t pos, size_t n)
{
    size_t span = n < t->start_span ? n : t->start_span;
    if (t->start_bonus <= 0 || pos >= span)
        return 1.0;
    return 1.0 + t->start_bonus * (1.0 - (double)pos / (double)span);
}

/* Fills each hit's points and the sector scores. A place term (« lieu ») counts place_factor
 * times when the text names, outside any place term, an activity of another sector. */
static void score_hits(const taxonomy *t, hits *h, size_t nwords, double *score, double *plain)
{
    bool activity[SECTORS_MAX] = {false};
    for (size_t i = 0; i < h->n; i++) {
        const classify_term *term = &t->terms[h->v[i].term];
        if (!term->place && term->weight > 0 && !t->sectors[term->sector].means)
            activity[term->sector] = true;
    }
    for (size_t i = 0; i < h->n; i++) {
        hit *x = &h->v[i];
        const classify_term *term = &t->terms[x->term];
        double pf = x->theme ? 1.0 : position_factor(t, x->pos, nwords);
        double f = x->theme ? t->theme_factor : pf;
        x->start = pf;
        if (term->place && term->weight > 0) {
            bool elsewhere = false;
            for (size_t s = 0; s < t->nsectors && !elsewhere; s++)
                elsewhere = activity[s] && (int)s != term->sector;
            if (elsewhere)
                f *= t->place_factor;
        }
        x->points = term->weight * f;
        score[term->sector] += x->points;
        /* The same without the start bonus: secondaries need evidence, not an early mention. */
        plain[term->sector] += x->points / pf;
    }
}

/* The score that ranks sectors for the primary: a means sector (« rôle = moyen ») counts
 * means_factor times when another sector reaches score_min_secondaire on its own. When the
 * declared theme names a sector, the primary is taken among the sectors it names: their
 * ranking scores are raised above every other (by the sum of all scores). */
static void ranking_scores(const taxonomy *t, const hits *h, const double *score, double *rank)
{
    bool activity = false;
    for (size_t s = 0; s < t->nsectors; s++)
        if ((int)s != t->other && !t->sectors[s].means && score[s] >= t->secondary_min)
            activity = true;
    for (size_t s = 0; s < t->nsectors; s++)
        rank[s] = score[s] * (activity && t->sectors[s].means ? t->means_factor : 1.0);
    bool named[SECTORS_MAX] = {false};
    double lift = 0;
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].theme && h->v[i].points > 0)
            named[t->terms[h->v[i].term].sector] = true;
    for (size_t s = 0; s < t->nsectors; s++)
        lift += fabs(rank[s]);
    for (size_t s = 0; s < t->nsectors; s++)
        if (named[s] && rank[s] > 0)
            rank[s] += lift;
}

/* What the learned model found in a description (classify_model_match). */
typedef struct model_found {
    double score[SECTORS_MAX]; /* the model's own score, before facteur_modele */
    uint32_t keys[256];                 /* the keys found, for explanations */
    size_t nkeys;
} model_found;

/* Matches both texts and scores them; `h` receives the hits (the caller frees h->v). With a
 * model, each sector's score gets facteur_modele times the model's score of the description:
 * the model helps choose the primary; secondaries stay the taxonomy's (their plain score does
 * not include it: with so few labelled descriptions, its weak terms spread over too many
 * sectors). `mf` (may be NULL) receives what the model found. */
static bool match_and_score(const taxonomy *t, const char *declared_theme, const char *description,
                            hits *h, double *score, double *plain, double *rank, model_found *mf)
{
    classify_tokens theme_tk, desc_tk;
    classify_tokens_init(&desc_tk);
    bool ok = classify_tokenize(declared_theme, &theme_tk) && classify_tokenize(description, &desc_tk);
    if (ok) {
        match_text(t, &theme_tk, true, h);
        match_text(t, &desc_tk, false, h);
        ok = !h->failed;
    }
    if (ok) {
        score_hits(t, h, desc_tk.n, score, plain);
        /* With facteur_modele 0 the model only speaks in explanations. */
        if (t->model && (t->model_factor > 0 || mf)) {
            double m[SECTORS_MAX] = {0};
            size_t n = classify_model_match(t->model, &desc_tk, m, mf ? mf->keys : NULL,
                                       mf ? sizeof mf->keys / sizeof mf->keys[0] : 0);
            for (size_t s = 0; s < t->nsectors; s++)
                score[s] += t->model_factor * m[s];
            if (mf) {
                memcpy(mf->score, m, sizeof m);
                mf->nkeys = n;
            }
        }
        ranking_scores(t, h, score, rank);
    }
    classify_tokens_free(&theme_tk);
    classify_tokens_free(&desc_tk);
    return ok;
}

/* Index of the best positive ranking score not yet taken (file order on ties), -1 if none. */
static int best_sector(const taxonomy *t, const double *rank, const bool *taken)
{
    int best = -1;
    for (size_t s = 0; s < t->nsectors; s++)
        if (!taken[s] && (int)s != t->other && rank[s] > 0 && (best < 0 || rank[s] > rank[best]))
            best = (int)s;
    return best;
}

/* Copies s at out + at when out is not NULL (the measuring pass); returns its length. */
static size_t put(char *out, size_t at, const char *s)
{
    size_t n = strlen(s);
    if (out)
        memcpy(out + at, s, n);
    return n;
}

/* "economie_circulaire|alimentation_agriculture": the sectors, primary first. Writes it at
 * out when not NULL (NUL not included); returns its length. */
static size_t sectors_text(const taxonomy *t, const int *sectors, size_t n, char *out)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            len += put(out, len, "|");
        len += put(out, len, t->sectors[sectors[i]].id);
    }
    return len;
}

/* The matched terms, each once, in order of appearance (theme first):
 * "ressourcerie (economie_circulaire), maraîch* (alimentation_agriculture)". Same contract. */
static size_t terms_text(const taxonomy *t, const hits *h, char *out)
{
    size_t len = 0;
    bool first = true;
    for (size_t i = 0; i < h->n; i++) {
        const classify_term *term = &t->terms[h->v[i].term];
        if (term->weight == 0)
            continue;
        bool again = false;
        for (size_t j = 0; j < i && !again; j++)
            again = h->v[j].term == h->v[i].term;
        if (again)
            continue;
        if (!first)
            len += put(out, len, ", ");
        first = false;
        len += put(out, len, term->display);
        len += put(out, len, " (");
        len += put(out, len, t->sectors[term->sector].id);
        len += put(out, len, ")");
    }
    return len;
}

ptce_status classify_text(ptce_ctx *ctx, const taxonomy *t, const char *declared_theme,
                          const char *description, classification *out)
{
    memset(out, 0, sizeof *out);
    out->runner_up = -1;
    if (!t)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "classification demandée sans taxonomie chargée");

    hits h = {0};
    double score[SECTORS_MAX] = {0}, plain[SECTORS_MAX] = {0};
    double rank[SECTORS_MAX] = {0};
    bool ok = match_and_score(t, declared_theme, description, &h, score, plain, rank, NULL);
    if (!ok) {
        free(h.v);
        memset(out, 0, sizeof *out);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour classer un PTCE");
    }

    /* Decided on the stack, then stored in one block the size of what this row holds. */
    int sectors[SECTORS_MAX];
    size_t nsectors = 0;
    bool taken[SECTORS_MAX] = {false};
    int primary = best_sector(t, rank, taken);
    if (primary < 0) {
        out->primary = t->other;
        sectors[nsectors++] = t->other;
        out->score = 0;
    } else {
        double p = rank[primary];
        out->primary = primary;
        sectors[nsectors++] = primary;
        taken[primary] = true;
        out->runner_up = best_sector(t, rank, taken);
        /* Secondaries by decreasing score (file order on ties), each above both thresholds. */
        double threshold = fmax(t->secondary_ratio * plain[primary], t->secondary_min);
        bool seen[SECTORS_MAX];
        memcpy(seen, taken, sizeof seen);
        while (nsectors <= t->secondary_max && nsectors < SECTORS_MAX) {
            int best = -1;
            for (size_t s = 0; s < t->nsectors; s++)
                if (!seen[s] && (int)s != t->other && plain[s] > 0 && plain[s] >= threshold &&
                    (best < 0 || plain[s] > plain[best]))
                    best = (int)s;
            if (best < 0)
                break;
            seen[best] = true;
            sectors[nsectors++] = best;
        }
        double second = out->runner_up >= 0 ? rank[out->runner_up] : 0;
        /* Strength of the evidence (one strong term in the theme ≈ 0.9) times the margin over
         * the runner-up (0.5 on a tie). */
        out->score = (1.0 - exp(-p / 4.0)) * (p / (p + second));
    }
    size_t nscores = t->nsectors < SECTORS_MAX ? t->nsectors : SECTORS_MAX;
    size_t sectors_len = sectors_text(t, sectors, nsectors, NULL);
    size_t terms_len = terms_text(t, &h, NULL);
    char *block = malloc(nscores * sizeof(double) + nsectors * sizeof(int) + sectors_len +
                         terms_len + 2);
    if (!block) {
        free(h.v);
        memset(out, 0, sizeof *out);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour classer un PTCE");
    }
    out->scores = (double *)(void *)block;
    memcpy(out->scores, rank, nscores * sizeof(double));
    out->nscores = nscores;
    out->sectors = (int *)(void *)(block + nscores * sizeof(double));
    memcpy(out->sectors, sectors, nsectors * sizeof(int));
    out->nsectors = nsectors;
    out->sectors_text = (char *)(out->sectors + nsectors);
    sectors_text(t, sectors, nsectors, out->sectors_text);
    out->sectors_text[sectors_len] = '\0';
    out->terms = out->sectors_text + sectors_len + 1;
    terms_text(t, &h, out->terms);
    out->terms[terms_len] = '\0';
    free(h.v);
    return PTCE_OK;
}

/* A number the French way, without useless zeros: 3, 1,5, 0,75. */
static void append_number(util_strbuf *sb, double v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.2f", v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf) - 1;
        while (e > dot && *e == '0')
            *e-- = '\0';
        if (e == dot)
            *e = '\0';
        else
            *dot = ',';
    }
    util_sb_append(sb, buf);
}

/* How many of the model's terms an explanation names for one sector, the heaviest first. */
#define EXPLAIN_MODEL_TERMS 5

/* " + modèle 2,4 (×1) : « maraîcher » 0,9, « circuit court » 0,6 et 3 autres termes". */
static void explain_model(util_strbuf *sb, const taxonomy *t, const model_found *mf, int s, bool first)
{
    const classify_model *m = t->model;
    const classify_model_entry *top[EXPLAIN_MODEL_TERMS];
    size_t ntop = 0, count = 0;
    for (size_t i = 0; i < mf->nkeys; i++) {
        const classify_model_key *key = &m->keys[mf->keys[i]];
        for (uint32_t e = key->first; e < key->first + key->n; e++) {
            const classify_model_entry *x = &m->entries[e];
            if (x->sector != s)
                continue;
            count++;
            /* Insertion into the heaviest few, keeping the file order (then first found) on ties. */
            size_t at = ntop;
            while (at > 0 && top[at - 1]->weight < x->weight)
                at--;
            if (at >= EXPLAIN_MODEL_TERMS)
                continue;
            size_t last = ntop < EXPLAIN_MODEL_TERMS ? ntop : EXPLAIN_MODEL_TERMS - 1;
            for (size_t k = last; k > at; k--)
                top[k] = top[k - 1];
            top[at] = x;
            if (ntop < EXPLAIN_MODEL_TERMS)
                ntop++;
        }
    }
    if (t->model_factor == 0) {
        /* Not counted: what the model would say, for the analyst. */
        util_sb_append(sb, " [modèle appris, non compté (facteur_modele 0) : ");
        append_number(sb, mf->score[s]);
        util_sb_append(sb, " =");
    } else {
        util_sb_append(sb, first ? " modèle " : " + modèle ");
        append_number(sb, t->model_factor * mf->score[s]);
    }
    if (t->model_factor != 1 && t->model_factor != 0) {
        util_sb_append(sb, " (");
        append_number(sb, mf->score[s]);
        util_sb_append(sb, " × facteur_modele ");
        append_number(sb, t->model_factor);
        util_sb_append(sb, ")");
    }
    if (t->model_factor != 0)
        util_sb_append(sb, " :");
    for (size_t k = 0; k < ntop; k++) {
        util_sb_append(sb, k ? ", « " : " « ");
        util_sb_append(sb, top[k]->display);
        util_sb_append(sb, " » ");
        append_number(sb, top[k]->weight);
    }
    if (count > ntop)
        util_sb_printf(sb, " et %zu autre%s terme%s", count - ntop, count - ntop > 1 ? "s" : "",
                  count - ntop > 1 ? "s" : "");
    if (t->model_factor == 0)
        util_sb_append(sb, "]");
}

ptce_status classify_explain(ptce_ctx *ctx, const taxonomy *t, const char *declared_theme,
                             const char *description, util_strbuf *sb)
{
    if (!t)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "explication demandée sans taxonomie chargée");
    hits h = {0};
    double score[SECTORS_MAX] = {0}, plain[SECTORS_MAX] = {0};
    double rank[SECTORS_MAX] = {0};
    model_found mf = {{0}, {0}, 0};
    if (!match_and_score(t, declared_theme, description, &h, score, plain, rank, &mf)) {
        free(h.v);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour expliquer un classement");
    }
    /* Sectors by decreasing ranking score, each with the terms that made it. */
    bool taken[SECTORS_MAX] = {false};
    bool any = false;
    for (int s; (s = best_sector(t, rank, taken)) >= 0;) {
        taken[s] = true;
        if (any)
            util_sb_append(sb, " ; ");
        any = true;
        util_sb_append(sb, t->sectors[s].id);
        util_sb_append(sb, " ");
        append_number(sb, score[s]);
        bool named = false;
        for (size_t i = 0; i < h.n && !named; i++)
            named = h.v[i].theme && h.v[i].points > 0 && t->terms[h.v[i].term].sector == s;
        if (named)
            util_sb_append(sb, " (nommé par la thématique déclarée : prioritaire)");
        else if (t->sectors[s].means && rank[s] < score[s]) {
            util_sb_append(sb, " (moyen d'agir : compte ×");
            append_number(sb, t->means_factor);
            util_sb_append(sb, " pour le principal)");
        }
        util_sb_append(sb, " =");
        bool first = true;
        for (size_t i = 0; i < h.n; i++) {
            const classify_term *term = &t->terms[h.v[i].term];
            if (term->sector != s || term->weight == 0)
                continue;
            util_sb_append(sb, first ? " " : " + ");
            first = false;
            util_sb_append(sb, "« ");
            util_sb_append(sb, term->display);
            util_sb_append(sb, " » ");
            append_number(sb, h.v[i].points);
            double base = term->weight;
            if (h.v[i].points != base) {
                util_sb_append(sb, " (");
                append_number(sb, base);
                if (h.v[i].theme)
                    util_sb_append(sb, ", dans la thématique");
                else {
                    double pf = h.v[i].start;
                    if (pf != 1.0) {
                        util_sb_append(sb, ", début de texte ×");
                        append_number(sb, pf);
                    }
                    if (term->place && h.v[i].points != base * pf)
                        util_sb_append(sb, ", lieu d'une autre activité");
                }
                util_sb_append(sb, ")");
            }
        }
        /* Negative terms pull a sector down without making it appear above. */
        if (t->model && mf.score[s] != 0)
            explain_model(sb, t, &mf, s, first);
    }
    if (!any)
        util_sb_append(sb, "autre : aucun terme de la taxonomie trouvé");
    free(h.v);
    return sb->failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour expliquer un "
                                  "classement")
                      : PTCE_OK;
}
