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
 * matching terms win and their words are consumed; each distinct term counts once per text;
 * a term found in the declared theme counts theme_factor times its weight.
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

typedef struct short_word {
    const char *text;
    size_t len;
} short_word;

#define W(s) {s, sizeof s - 1}

/* Elisions (l' d' j' m' n' s' t' c' qu' jusqu' lorsqu' puisqu' quoiqu' presqu') and function
 * words: they carry no sector and would break phrases ("chantier d'insertion" and
 * "chantier de l'insertion" are the same phrase). */
static const short_word dropped_words[] = {
    W("l"), W("d"), W("j"), W("m"), W("n"), W("s"), W("t"), W("c"), W("qu"), W("jusqu"),
    W("lorsqu"), W("puisqu"), W("quoiqu"), W("presqu"), W("le"), W("la"), W("les"), W("un"),
    W("une"), W("des"), W("de"), W("du"), W("et"), W("en"), W("a"), W("au"), W("aux"),
    W("pour"), W("par"), W("sur"), W("dans"), W("avec"), W("ou"), W("y"), {NULL, 0}};

/* Prefixes written apart or with a hyphen that are not French words on their own. */
static const short_word bound_prefixes[] = {
    W("re"), W("eco"), W("co"), W("agro"), W("agri"), W("auto"), W("e"), W("hydro"), W("oeno"),
    W("cyclo"), W("electro"), W("tele"), {NULL, 0}};

#undef W

static bool word_is(const char *w, size_t n, const short_word *list)
{
    if (n > 7)
        return false; /* longer than any listed word */
    for (; list->text; list++)
        if (list->len == n && list->text[0] == w[0] && memcmp(list->text, w, n) == 0)
            return true;
    return false;
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

/* text_fold() spends its time decomposing every character through utf8proc; French text is
 * mostly ASCII, so ASCII is folded here (lower case, digits kept, anything else a separator,
 * exactly as text_fold does) and only the other characters go through text_fold, one at a
 * time. Combining marks (NFD accents) are dropped without separating words, as in text_fold.
 * The one difference: a compatibility character whose decomposition starts or ends with
 * punctuation ("⒜" → "(a)") does not separate words here; no French text has them. */
/* A byte buffer for cls_fold: room is checked once per character. */
typedef struct fold_buf {
    char *data;
    size_t len, cap;
} fold_buf;

static bool fold_room(fold_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap * 2 + extra + 1;
    char *d = realloc(b->data, cap);
    if (!d)
        return false;
    b->data = d;
    b->cap = cap;
    return true;
}

char *cls_fold(const char *text)
{
    size_t n0 = strlen(text);
    fold_buf b = {malloc(n0 + 16), 0, n0 + 16};
    if (!b.data)
        return NULL;
    bool pending_space = false;
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        unsigned char c = *p;
        if (c < 0x80) {
            p++;
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c - 'A' + 'a');
            else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
                pending_space = b.len > 0;
                continue;
            }
            if (!fold_room(&b, 2))
                goto fail;
            if (pending_space) {
                b.data[b.len++] = ' ';
                pending_space = false;
            }
            b.data[b.len++] = (char)c;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t used = utf8proc_iterate(p, -1, &cp);
        size_t n = used > 0 ? (size_t)used : 1;
        char one[8];
        memcpy(one, p, n);
        one[n] = '\0';
        p += n;
        if (used > 0) {
            utf8proc_category_t cat = utf8proc_category(cp);
            if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC ||
                cat == UTF8PROC_CATEGORY_ME)
                continue;
        }
        char *f = text_fold(one);
        if (!f)
            goto fail;
        size_t fl = strlen(f);
        if (fl == 0) {
            pending_space = pending_space || b.len > 0;
        } else if (fold_room(&b, fl + 1)) {
            if (pending_space) {
                b.data[b.len++] = ' ';
                pending_space = false;
            }
            memcpy(b.data + b.len, f, fl);
            b.len += fl;
        } else {
            free(f);
            goto fail;
        }
        free(f);
    }
    b.data[b.len] = '\0';
    return b.data;
fail:
    free(b.data);
    return NULL;
}

void cls_tokens_free(cls_tokens *t)
{
    free(t->buf);
    free(t->tok);
    memset(t, 0, sizeof *t);
}

bool cls_tokenize(const char *text, cls_tokens *out)
{
    memset(out, 0, sizeof *out);
    char *f = cls_fold(text ? text : "");
    if (!f)
        return false;
    size_t len = strlen(f);
    if (len > UINT32_MAX / 4) {
        free(f);
        return false;
    }
    size_t nwords = len ? 1 : 0;
    for (size_t i = 0; i < len; i++)
        if (f[i] == ' ')
            nwords++;
    /* Every form is at most as long as its words, plus one NUL per form. */
    out->buf = malloc(2 * (len + nwords) + 2);
    out->tok = malloc((nwords ? nwords : 1) * sizeof *out->tok);
    if (!out->buf || !out->tok) {
        free(f);
        cls_tokens_free(out);
        return false;
    }
    size_t used = 0;
    const char *p = f, *end = f + len;
    while (p < end) {
        const char *w = p;
        while (p < end && *p != ' ')
            p++;
        size_t wl = (size_t)(p - w);
        if (p < end)
            p++;
        size_t fold_off = used;
        memcpy(out->buf + used, w, wl);
        used += wl;
        if (p < end && word_is(w, wl, bound_prefixes)) {
            const char *w2 = p;
            while (p < end && *p != ' ')
                p++;
            memcpy(out->buf + used, w2, (size_t)(p - w2));
            used += (size_t)(p - w2);
            wl += (size_t)(p - w2);
            if (p < end)
                p++;
        }
        if (word_is(out->buf + fold_off, wl, dropped_words)) {
            used = fold_off;
            continue;
        }
        out->buf[used++] = '\0';
        size_t slen = stem_into(out->buf + fold_off, wl, out->buf + used);
        cls_token *tk = &out->tok[out->n++];
        tk->fold_off = (uint32_t)fold_off;
        tk->fold_len = (uint32_t)wl;
        tk->stem_off = (uint32_t)used;
        tk->stem_len = (uint32_t)slen;
        used += slen;
        out->buf[used++] = '\0';
    }
    out->buf[used] = '\0';
    free(f);
    return true;
}

char *classify_normalize(const char *text)
{
    cls_tokens t;
    if (!cls_tokenize(text, &t))
        return NULL;
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < t.n; i++) {
        if (i)
            sb_append_char(&sb, ' ');
        sb_append_n(&sb, t.buf + t.tok[i].stem_off, t.tok[i].stem_len);
    }
    cls_tokens_free(&t);
    return sb_take(&sb);
}

/* ---- matching ---- */

typedef struct hit {
    size_t term;
    bool theme;
} hit;

typedef struct hits {
    hit *v;
    size_t n, cap;
    bool failed;
} hits;

static void hits_add(hits *h, size_t term, bool theme)
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
    h->v[h->n++] = (hit){term, theme};
}

static bool word_matches(const cls_word *w, const cls_tokens *tk, size_t i)
{
    const cls_token *t = &tk->tok[i];
    if (w->prefix)
        return t->fold_len >= w->len && memcmp(tk->buf + t->fold_off, w->text, w->len) == 0;
    return t->stem_len == w->len && memcmp(tk->buf + t->stem_off, w->text, w->len) == 0;
}

static bool term_matches(const taxonomy *t, const cls_term *term, const cls_tokens *tk, size_t i)
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
static size_t candidate_chains(const taxonomy *t, const cls_tokens *tk, size_t i, size_t *heads)
{
    const cls_token *tok = &tk->tok[i];
    size_t n = 0;
    size_t h = cls_index_find(t, tk->buf + tok->stem_off, tok->stem_len, false);
    if (h != CLS_NO_TERM)
        heads[n++] = h;
    if (tok->fold_len < 3)
        return n; /* prefixes have at least 3 letters */
    const char *f = tk->buf + tok->fold_off;
    unsigned key = (unsigned)(unsigned char)f[0] << 8 | (unsigned char)f[1];
    if (!(t->prefix_start[key / 8] & (1u << (key % 8))))
        return n;
    for (size_t k = 0; k < t->nprefix_lens && t->prefix_lens[k] <= tok->fold_len; k++) {
        h = cls_index_find(t, tk->buf + tok->fold_off, t->prefix_lens[k], true);
        if (h != CLS_NO_TERM)
            heads[n++] = h;
    }
    return n;
}

static void match_text(const taxonomy *t, const cls_tokens *tk, bool theme, hits *out)
{
    size_t heads[CLS_MAX_PREFIX + 2];
    size_t i = 0;
    while (i < tk->n) {
        size_t nh = candidate_chains(t, tk, i, heads);
        size_t best = 0;
        for (size_t c = 0; c < nh; c++)
            for (size_t k = heads[c]; k != CLS_NO_TERM; k = t->next_in_chain[k]) {
                const cls_term *term = &t->terms[k];
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
            for (size_t k = heads[c]; k != CLS_NO_TERM; k = t->next_in_chain[k]) {
                const cls_term *term = &t->terms[k];
                if ((theme || !term->theme_only) && term->nwords == best &&
                    term_matches(t, term, tk, i))
                    hits_add(out, k, theme);
            }
        i += best;
    }
}

/* ---- scoring ---- */

ptce_status classify_text(ptce_ctx *ctx, const taxonomy *t, const char *declared_theme,
                          const char *description, classification *out)
{
    memset(out, 0, sizeof *out);
    if (!t)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "classification demandée sans taxonomie chargée");

    cls_tokens theme_tk = {0}, desc_tk = {0};
    hits h = {0};
    bool ok = cls_tokenize(declared_theme, &theme_tk) && cls_tokenize(description, &desc_tk);
    if (ok) {
        match_text(t, &theme_tk, true, &h);
        match_text(t, &desc_tk, false, &h);
        ok = !h.failed;
    }
    cls_tokens_free(&theme_tk);
    cls_tokens_free(&desc_tk);

    double score[CLASSIFY_MAX_SECTORS] = {0};
    for (size_t i = 0; ok && i < h.n; i++) {
        const cls_term *term = &t->terms[h.v[i].term];
        score[term->sector] += term->weight * (h.v[i].theme ? t->theme_factor : 1.0);
    }

    /* Primary: the highest positive score, the first in file order on a tie. */
    int primary = -1;
    for (size_t s = 0; s < t->nsectors; s++)
        if ((int)s != t->other && score[s] > 0 && (primary < 0 || score[s] > score[primary]))
            primary = (int)s;

    strbuf sectors, terms;
    sb_init(&sectors);
    sb_init(&terms);
    if (primary < 0) {
        out->primary = t->other;
        out->sectors[0] = t->other;
        out->nsectors = 1;
        out->score = 0;
    } else {
        double p = score[primary];
        out->primary = primary;
        out->sectors[out->nsectors++] = primary;
        /* Secondaries by decreasing score (file order on ties): a simple selection. */
        bool taken[CLASSIFY_MAX_SECTORS] = {false};
        taken[primary] = true;
        double threshold = fmax(t->secondary_ratio * p, t->secondary_min);
        while (out->nsectors <= t->secondary_max) {
            int best = -1;
            for (size_t s = 0; s < t->nsectors; s++)
                if (!taken[s] && (int)s != t->other && score[s] > 0 && score[s] >= threshold &&
                    (best < 0 || score[s] > score[best]))
                    best = (int)s;
            if (best < 0)
                break;
            taken[best] = true;
            out->sectors[out->nsectors++] = best;
        }
        double second = 0;
        for (size_t s = 0; s < t->nsectors; s++)
            if ((int)s != primary && score[s] > second)
                second = score[s];
        /* Strength of the evidence (one strong term in the theme ≈ 0.9) times the margin over
         * the runner-up (0.5 on a tie). */
        out->score = (1.0 - exp(-p / 4.0)) * (p / (p + second));
    }
    for (size_t i = 0; i < out->nsectors; i++) {
        if (i)
            sb_append_char(&sectors, '|');
        sb_append(&sectors, t->sectors[out->sectors[i]].id);
    }
    /* Explanation: each matched term once, in order of appearance (theme first). */
    bool first = true;
    for (size_t i = 0; ok && i < h.n; i++) {
        const cls_term *term = &t->terms[h.v[i].term];
        if (term->weight == 0)
            continue;
        bool again = false;
        for (size_t j = 0; j < i && !again; j++)
            again = h.v[j].term == h.v[i].term;
        if (again)
            continue;
        if (!first)
            sb_append(&terms, ", ");
        first = false;
        sb_append(&terms, term->display);
        sb_append(&terms, " (");
        sb_append(&terms, t->sectors[term->sector].id);
        sb_append_char(&terms, ')');
    }
    free(h.v);
    if (ok) {
        out->sectors_text = sb_take(&sectors);
        out->terms = sb_take(&terms);
        ok = out->sectors_text && out->terms;
    }
    if (!ok) {
        sb_free(&sectors);
        sb_free(&terms);
        classification_free(out);
        memset(out, 0, sizeof *out);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour classer un PTCE");
    }
    return PTCE_OK;
}
