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
 * The primary is the best ranking score, where a means sector (« rôle = moyen », insertion)
 * counts means_factor times as soon as another sector reaches score_min_secondaire: how a
 * pole works does not outweigh what it produces. Secondaries use the plain scores.
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

/* Elisions (l' d' j' m' n' s' t' c' qu' jusqu' lorsqu' puisqu' quoiqu' presqu') and function
 * words: they carry no sector and would break phrases ("chantier d'insertion" and
 * "chantier de l'insertion" are the same phrase). Grouped by length: this runs on every word. */
static bool is_dropped_word(const char *w, size_t n)
{
    switch (n) {
    case 1: return strchr("ldjmnstcay", w[0]) != NULL;
    case 2: return among(w, 2, "qu le la un de du et en au ou");
    case 3: return among(w, 3, "les une des aux par sur");
    case 4: return among(w, 4, "pour dans avec");
    case 5: return among(w, 5, "jusqu");
    case 6: return among(w, 6, "lorsqu puisqu quoiqu presqu");
    default: return false;
    }
}

/* Prefixes written apart or with a hyphen that are not French words on their own. */
static bool is_bound_prefix(const char *w, size_t n)
{
    switch (n) {
    case 1: return w[0] == 'e';
    case 2: return among(w, 2, "re co");
    case 3: return among(w, 3, "eco");
    case 4: return among(w, 4, "agro agri auto oeno tele");
    case 5: return among(w, 5, "hydro cyclo");
    case 7: return among(w, 7, "electro");
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

void classify_tokens_free(classify_tokens *t)
{
    free(t->buf);
    free(t->tok);
    memset(t, 0, sizeof *t);
}

bool classify_tokenize(const char *text, classify_tokens *out)
{
    memset(out, 0, sizeof *out);
    char *f = text_fold(text ? text : "");
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
        classify_tokens_free(out);
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
        if (p < end && is_bound_prefix(w, wl)) {
            const char *w2 = p;
            while (p < end && *p != ' ')
                p++;
            memcpy(out->buf + used, w2, (size_t)(p - w2));
            used += (size_t)(p - w2);
            wl += (size_t)(p - w2);
            if (p < end)
                p++;
        }
        if (is_dropped_word(out->buf + fold_off, wl)) {
            used = fold_off;
            continue;
        }
        out->buf[used++] = '\0';
        size_t slen = stem_into(out->buf + fold_off, wl, out->buf + used);
        classify_token *tk = &out->tok[out->n++];
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
    size_t h = classify_index_find(t, tk->buf + tok->stem_off, tok->stem_len, false);
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

/* Matches both texts and scores them; `h` receives the hits (the caller frees h->v). */
static bool match_and_score(const taxonomy *t, const char *declared_theme, const char *description,
                            hits *h, double *score, double *plain, double *rank)
{
    classify_tokens theme_tk = {0}, desc_tk = {0};
    bool ok = classify_tokenize(declared_theme, &theme_tk) && classify_tokenize(description, &desc_tk);
    if (ok) {
        match_text(t, &theme_tk, true, h);
        match_text(t, &desc_tk, false, h);
        ok = !h->failed;
    }
    if (ok) {
        score_hits(t, h, desc_tk.n, score, plain);
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
    bool ok = match_and_score(t, declared_theme, description, &h, score, plain, rank);

    bool taken[SECTORS_MAX] = {false};
    int primary = ok ? best_sector(t, rank, taken) : -1;
    util_strbuf sectors, terms;
    util_sb_init(&sectors);
    util_sb_init(&terms);
    if (primary < 0) {
        out->primary = t->other;
        out->sectors[0] = t->other;
        out->nsectors = 1;
        out->score = 0;
    } else {
        double p = rank[primary];
        out->primary = primary;
        out->sectors[out->nsectors++] = primary;
        taken[primary] = true;
        out->runner_up = best_sector(t, rank, taken);
        /* Secondaries by decreasing score (file order on ties), each above both thresholds. */
        double threshold = fmax(t->secondary_ratio * plain[primary], t->secondary_min);
        bool seen[SECTORS_MAX];
        memcpy(seen, taken, sizeof seen);
        while (out->nsectors <= t->secondary_max) {
            int best = -1;
            for (size_t s = 0; s < t->nsectors; s++)
                if (!seen[s] && (int)s != t->other && plain[s] > 0 && plain[s] >= threshold &&
                    (best < 0 || plain[s] > plain[best]))
                    best = (int)s;
            if (best < 0)
                break;
            seen[best] = true;
            out->sectors[out->nsectors++] = best;
        }
        double second = out->runner_up >= 0 ? rank[out->runner_up] : 0;
        /* Strength of the evidence (one strong term in the theme ≈ 0.9) times the margin over
         * the runner-up (0.5 on a tie). */
        out->score = (1.0 - exp(-p / 4.0)) * (p / (p + second));
    }
    for (size_t s = 0; s < t->nsectors && s < SECTORS_MAX; s++)
        out->scores[s] = rank[s];
    for (size_t i = 0; i < out->nsectors; i++) {
        if (i)
            util_sb_append_char(&sectors, '|');
        util_sb_append(&sectors, t->sectors[out->sectors[i]].id);
    }
    /* Terms: each matched term once, in order of appearance (theme first). */
    bool first = true;
    for (size_t i = 0; ok && i < h.n; i++) {
        const classify_term *term = &t->terms[h.v[i].term];
        if (term->weight == 0)
            continue;
        bool again = false;
        for (size_t j = 0; j < i && !again; j++)
            again = h.v[j].term == h.v[i].term;
        if (again)
            continue;
        if (!first)
            util_sb_append(&terms, ", ");
        first = false;
        util_sb_append(&terms, term->display);
        util_sb_append(&terms, " (");
        util_sb_append(&terms, t->sectors[term->sector].id);
        util_sb_append_char(&terms, ')');
    }
    free(h.v);
    if (ok) {
        out->sectors_text = util_sb_take(&sectors);
        out->terms = util_sb_take(&terms);
        ok = out->sectors_text && out->terms;
    }
    if (!ok) {
        util_sb_free(&sectors);
        util_sb_free(&terms);
        sectors_classification_free(out);
        memset(out, 0, sizeof *out);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour classer un PTCE");
    }
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

ptce_status classify_explain(ptce_ctx *ctx, const taxonomy *t, const char *declared_theme,
                             const char *description, util_strbuf *sb)
{
    if (!t)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "explication demandée sans taxonomie chargée");
    hits h = {0};
    double score[SECTORS_MAX] = {0}, plain[SECTORS_MAX] = {0};
    double rank[SECTORS_MAX] = {0};
    if (!match_and_score(t, declared_theme, description, &h, score, plain, rank)) {
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
    }
    if (!any)
        util_sb_append(sb, "autre : aucun terme de la taxonomie trouvé");
    free(h.v);
    return sb->failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour expliquer un "
                                  "classement")
                      : PTCE_OK;
}
