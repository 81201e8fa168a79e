/*
 * classify/taxonomy.c — reading data/taxonomie.txt (format in docs/taxonomie.md) and
 * building the index the scorer looks words up in.
 *
 * Every term is normalised once here, with the same classify_tokenize() the census texts go
 * through, so that the file may be written with accents, capitals, apostrophes and plurals.
 * Terms are indexed by their first word: a hash table keyed by a stem (exact words) or by
 * a folded prefix (words written with a final '*'); the terms sharing a first word form a
 * chain in file order.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify_private.h"
#include "core/ctx.h"
#include "core/util.h"
#include "text/fold.h"

#define MAX_TERM_WORDS 32

typedef struct parser {
    ptce_ctx *ctx;
    const char *path;
    int line;
    taxonomy *t;
    int cur;                  /* current sector, -1 before the first header */
    int label_line, color_line, short_line;
} parser;

static ptce_status perr(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static ptce_status perr(parser *p, const char *fmt, ...)
{
    char msg[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->line > 0)
        return ptce_fail(p->ctx, PTCE_ERR_DATA, "taxonomie %s, ligne %d : %s", p->path, p->line,
                         msg);
    return ptce_fail(p->ctx, PTCE_ERR_DATA, "taxonomie %s : %s", p->path, msg);
}

static ptce_status nomem(parser *p)
{
    return ptce_fail(p->ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour lire la taxonomie %s",
                     p->path);
}

/* ---- public accessors ---- */

void classify_taxonomy_free(taxonomy *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nsectors; i++) {
        free(t->sectors[i].id);
        free(t->sectors[i].label);
        free(t->sectors[i].color);
        free(t->sectors[i].short_code);
    }
    free(t->sectors);
    for (size_t i = 0; i < t->nterms; i++)
        free(t->terms[i].display);
    free(t->terms);
    for (size_t i = 0; i < t->nwords; i++)
        free(t->words[i].text);
    free(t->words);
    free(t->next_in_chain);
    free(t->slots);
    classify_model_free(t->model);
    free(t->model_name);
    free(t);
}

size_t sectors_count(const taxonomy *t)
{
    return t ? t->nsectors : 0;
}

const char *sectors_id(const taxonomy *t, size_t i)
{
    return t && i < t->nsectors ? t->sectors[i].id : NULL;
}

const char *sectors_label(const taxonomy *t, size_t i)
{
    return t && i < t->nsectors ? t->sectors[i].label : NULL;
}

const char *sectors_color(const taxonomy *t, size_t i)
{
    return t && i < t->nsectors ? t->sectors[i].color : NULL;
}

const char *sectors_short(const taxonomy *t, size_t i)
{
    return t && i < t->nsectors ? t->sectors[i].short_code : NULL;
}

int sectors_find(const taxonomy *t, const char *id)
{
    if (!t || !id)
        return -1;
    for (size_t i = 0; i < t->nsectors; i++)
        if (strcmp(t->sectors[i].id, id) == 0)
            return (int)i;
    return -1;
}

/* ---- the index ---- */

/* The index hashes with classify_hash() (FNV-1a, so that the hashes of all the prefixes of a word
 * come in one pass); prefix keys are told apart from words by their finishing mix. */
static uint64_t hash_finish(uint64_t h, bool prefix)
{
    return classify_hash_finish(h ^ (prefix ? 0x9e3779b97f4a7c15ULL : 0));
}

static uint64_t key_hash(const char *key, size_t len, bool prefix)
{
    return hash_finish(classify_hash(key, len), prefix);
}

static size_t slot_with_hash(const taxonomy *t, uint64_t hash, const char *key, size_t len,
                             bool prefix)
{
    size_t mask = t->nslots - 1;
    size_t i = (size_t)hash & mask;
    for (;;) {
        const classify_slot *s = &t->slots[i];
        if (!s->key || (s->hash == hash && s->len == len && s->prefix == prefix &&
                        memcmp(s->key, key, len) == 0))
            return i;
        i = (i + 1) & mask;
    }
}

static size_t slot_of(const taxonomy *t, const char *key, size_t len, bool prefix)
{
    return slot_with_hash(t, key_hash(key, len, prefix), key, len, prefix);
}

size_t classify_index_find(const taxonomy *t, const char *key, size_t len, bool prefix)
{
    const classify_slot *s = &t->slots[slot_of(t, key, len, prefix)];
    return s->key ? s->head : CLASSIFY_NO_TERM;
}

size_t classify_index_find_word(const taxonomy *t, uint64_t hash, const char *key, size_t len)
{
    const classify_slot *s = &t->slots[slot_with_hash(t, hash_finish(hash, false), key, len, false)];
    return s->key ? s->head : CLASSIFY_NO_TERM;
}

size_t classify_index_find_prefixes(const taxonomy *t, const char *word, size_t len, size_t *heads)
{
    size_t n = 0, k = 0;
    uint64_t h = CLASSIFY_HASH_START;
    for (size_t i = 0; i < len && k < t->nprefix_lens; i++) {
        h = CLASSIFY_HASH_STEP(h, word[i]);
        if (i + 1 < t->prefix_lens[k])
            continue;
        const classify_slot *s = &t->slots[slot_with_hash(t, hash_finish(h, true), word, i + 1, true)];
        if (s->key)
            heads[n++] = s->head;
        k++;
    }
    return n;
}

static bool build_index(taxonomy *t)
{
    size_t n = 16;
    while (n < 4 * t->nterms + 1)
        n *= 2;
    t->nslots = n;
    t->slots = calloc(n, sizeof *t->slots);
    t->next_in_chain = malloc((t->nterms ? t->nterms : 1) * sizeof *t->next_in_chain);
    if (!t->slots || !t->next_in_chain)
        return false;
    bool seen_len[CLASSIFY_MAX_PREFIX + 1] = {false};
    for (size_t i = 0; i < t->nterms; i++) {
        const classify_word *w = &t->words[t->terms[i].first];
        t->next_in_chain[i] = CLASSIFY_NO_TERM;
        classify_slot *s = &t->slots[slot_of(t, w->text, w->len, w->prefix)];
        if (!s->key) {
            s->hash = key_hash(w->text, w->len, w->prefix);
            s->key = w->text;
            s->len = w->len;
            s->prefix = w->prefix;
            s->head = i;
        } else {
            size_t k = s->head;
            while (t->next_in_chain[k] != CLASSIFY_NO_TERM)
                k = t->next_in_chain[k];
            t->next_in_chain[k] = i;
        }
        if (w->prefix) {
            seen_len[w->len] = true;
            unsigned k = (unsigned)(unsigned char)w->text[0] << 8 | (unsigned char)w->text[1];
            t->prefix_start[k / 8] |= (unsigned char)(1u << (k % 8));
        }
    }
    t->nprefix_lens = 0;
    for (size_t L = 0; L <= CLASSIFY_MAX_PREFIX; L++)
        if (seen_len[L])
            t->prefix_lens[t->nprefix_lens++] = L;
    return true;
}

/* ---- lines ---- */

/* A comment starts at a '#' that opens the line, or at " # " after the content (so that
 * "couleur = #2e8b57" keeps its colour). */
static void strip_comment(char *s)
{
    for (char *c = s; *c; c++) {
        if (*c != '#')
            continue;
        bool at_start = true;
        for (char *b = s; b < c; b++)
            if (!util_is_blank_char(*b)) {
                at_start = false;
                break;
            }
        if (at_start || (c > s && util_is_blank_char(c[-1]) &&
                         (c[1] == '\0' || util_is_blank_char(c[1])))) {
            *c = '\0';
            return;
        }
    }
}

static bool valid_id(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z'))
        return false;
    size_t n = 0;
    for (; *s; s++, n++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return n <= 64;
}

static bool valid_short(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 8)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static bool valid_color(const char *s)
{
    if (s[0] != '#' || strlen(s) != 7)
        return false;
    for (int i = 1; i < 7; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

/* Checks that the sector just finished has everything it needs. */
static ptce_status close_sector(parser *p)
{
    if (p->cur < 0)
        return PTCE_OK;
    taxonomy *t = p->t;
    classify_sector *s = &t->sectors[p->cur];
    int saved = p->line;
    p->line = s->line;
    ptce_status st = PTCE_OK;
    if (!s->label)
        st = perr(p, "le secteur « %s » n'a pas de libellé (ajoutez « libellé = … »)", s->id);
    else if (!s->color)
        st = perr(p, "le secteur « %s » n'a pas de couleur (ajoutez « couleur = #rrggbb »)", s->id);
    else if (!s->short_code)
        st = perr(p, "le secteur « %s » n'a pas de code court (ajoutez « court = … », 8 caractères au plus)",
                  s->id);
    if (st == PTCE_OK && s->nterms == 0 && strcmp(s->id, "autre") != 0)
        ptce_warn(p->ctx, "taxonomie %s, ligne %d : le secteur « %s » n'a aucun terme : il ne sera "
                  "jamais attribué", p->path, s->line, s->id);
    p->line = saved;
    return st;
}

static ptce_status start_sector(parser *p, char *line)
{
    size_t n = strlen(line);
    if (line[n - 1] != ']')
        return perr(p, "en-tête de secteur mal fermé : « %s » (attendu [identifiant])", line);
    line[n - 1] = '\0';
    char *id = util_trim(line + 1);
    if (!valid_id(id))
        return perr(p, "identifiant de secteur invalide « %s » : une lettre minuscule puis lettres "
                    "minuscules sans accent, chiffres ou _", id);
    ptce_status st = close_sector(p);
    if (st != PTCE_OK)
        return st;
    taxonomy *t = p->t;
    for (size_t i = 0; i < t->nsectors; i++)
        if (strcmp(t->sectors[i].id, id) == 0)
            return perr(p, "le secteur « %s » est déjà défini ligne %d", id, t->sectors[i].line);
    if (t->nsectors >= SECTORS_MAX)
        return perr(p, "trop de secteurs : %d au plus, « %s » serait le %zue ; regroupez des "
                    "secteurs proches (un secteur peut avoir autant de termes qu'il faut)",
                    SECTORS_MAX, id, t->nsectors + 1);
    classify_sector *s = &t->sectors[t->nsectors];
    memset(s, 0, sizeof *s);
    s->id = util_strdup(id);
    if (!s->id)
        return nomem(p);
    s->line = p->line;
    p->cur = (int)t->nsectors++;
    if (strcmp(id, "autre") == 0)
        t->other = p->cur;
    return PTCE_OK;
}

static bool same_words(const taxonomy *t, const classify_term *a, const classify_word *w, size_t n)
{
    if (a->nwords != n)
        return false;
    for (size_t k = 0; k < n; k++) {
        const classify_word *x = &t->words[a->first + k];
        if (x->prefix != w[k].prefix || x->len != w[k].len || memcmp(x->text, w[k].text, x->len) != 0)
            return false;
    }
    return true;
}

static bool grow(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap * 2 : 64;
    while (c < need)
        c *= 2;
    void *a = realloc(*arr, c * size);
    if (!a)
        return false;
    *arr = a;
    *cap = c;
    return true;
}

/* Normalises one term as written (with its optional final '*' on words) into words. */
static ptce_status parse_term_words(parser *p, const char *raw, classify_word *words, size_t *nwords)
{
    size_t n = strlen(raw);
    char *plain = malloc(n + 1);
    if (!plain)
        return nomem(p);
    size_t stars[MAX_TERM_WORDS];
    size_t nstars = 0, m = 0;
    ptce_status st = PTCE_OK;
    for (size_t i = 0; i < n && st == PTCE_OK; i++) {
        if (raw[i] != '*') {
            plain[m++] = raw[i];
            continue;
        }
        if (m == 0 || util_is_blank_char(plain[m - 1]))
            st = perr(p, "« %s » : l'astérisque doit suivre directement le début d'un mot (ex. maraîch*)",
                      raw);
        else if (raw[i + 1] != '\0' && !util_is_blank_char(raw[i + 1]))
            st = perr(p, "« %s » : l'astérisque ne peut être qu'à la fin d'un mot", raw);
        else if (nstars >= MAX_TERM_WORDS)
            st = perr(p, "« %s » : trop d'astérisques", raw);
        else
            stars[nstars++] = m;
    }
    plain[m] = '\0';
    classify_tokens full;
    classify_tokens_init(&full);
    if (st == PTCE_OK && !classify_tokenize(plain, &full))
        st = nomem(p);
    if (st == PTCE_OK && full.n == 0)
        st = perr(p, "le terme « %s » est vide une fois normalisé (il ne contient que des mots "
                  "ignorés comme le, de, et)", raw);
    if (st == PTCE_OK && full.n > MAX_TERM_WORDS)
        st = perr(p, "le terme « %s » est trop long (%d mots au plus)", raw, MAX_TERM_WORDS);
    bool starred[MAX_TERM_WORDS] = {false};
    for (size_t s = 0; s < nstars && st == PTCE_OK; s++) {
        char saved = plain[stars[s]];
        plain[stars[s]] = '\0';
        classify_tokens part;
        bool ok = classify_tokenize(plain, &part);
        plain[stars[s]] = saved;
        if (!ok) {
            st = nomem(p);
            break;
        }
        size_t k = part.n;
        bool same = k > 0 && k <= full.n &&
                    part.tok[k - 1].fold_len == full.tok[k - 1].fold_len &&
                    memcmp(part.buf + part.tok[k - 1].fold_off, full.buf + full.tok[k - 1].fold_off,
                           part.tok[k - 1].fold_len) == 0;
        if (!same)
            st = perr(p, "« %s » : l'astérisque porte sur un mot ignoré ou coupé en deux", raw);
        else
            starred[k - 1] = true;
        classify_tokens_free(&part);
    }
    *nwords = 0;
    for (size_t k = 0; k < full.n && st == PTCE_OK; k++) {
        const classify_token *tk = &full.tok[k];
        classify_word *w = &words[k];
        w->prefix = starred[k];
        const char *src = full.buf + (starred[k] ? tk->fold_off : tk->stem_off);
        w->len = starred[k] ? tk->fold_len : tk->stem_len;
        if (w->prefix && w->len < 3)
            st = perr(p, "« %s » : un début de mot suivi de * doit avoir au moins 3 lettres", raw);
        else if (w->prefix && w->len > CLASSIFY_MAX_PREFIX)
            st = perr(p, "« %s » : début de mot trop long avant *", raw);
        else if (!(w->text = util_strndup(src, w->len)))
            st = nomem(p);
        else
            *nwords = k + 1;
    }
    classify_tokens_free(&full);
    free(plain);
    return st;
}

static ptce_status add_term(parser *p, char *line, bool theme_only, bool place)
{
    taxonomy *t = p->t;
    if (p->cur < 0)
        return perr(p, "terme « %s » avant le premier secteur (ajoutez d'abord [identifiant])", line);
    classify_sector *sec = &t->sectors[p->cur];
    if ((int)p->cur == t->other)
        return perr(p, "le secteur « autre » est le secteur de repli : il ne prend pas de termes");
    char *w = line;
    while (*w && !util_is_blank_char(*w))
        w++;
    char *rest = *w ? w + 1 : w;
    *w = '\0';
    double weight;
    if (!util_parse_decimal(line, &weight) || fabs(weight) > 100)
        return perr(p, "poids illisible « %s » : écrivez un nombre entre -100 et 100, comme 2, 0.5 ou -1",
                    line);
    char *raw = util_trim(rest);
    if (!*raw)
        return perr(p, "terme manquant après le poids %s", line);

    classify_word words[MAX_TERM_WORDS];
    size_t nw = 0;
    ptce_status st = parse_term_words(p, raw, words, &nw);
    for (size_t i = 0; i < t->nterms && st == PTCE_OK; i++) {
        const classify_term *o = &t->terms[i];
        if (o->sector == p->cur && o->theme_only == theme_only && o->place == place &&
            same_words(t, o, words, nw))
            st = perr(p, "« %s » répète le terme « %s » de la ligne %d dans le même secteur", raw,
                      o->display, o->line);
    }
    if (st == PTCE_OK && (!grow((void **)&t->words, &t->words_cap, t->nwords + nw, sizeof *t->words) ||
                          !grow((void **)&t->terms, &t->terms_cap, t->nterms + 1, sizeof *t->terms)))
        st = nomem(p);
    char *display = st == PTCE_OK ? util_strdup(raw) : NULL;
    if (st == PTCE_OK && !display)
        st = nomem(p);
    if (st != PTCE_OK) {
        for (size_t k = 0; k < nw; k++)
            free(words[k].text);
        return st;
    }
    classify_term *term = &t->terms[t->nterms++];
    term->sector = p->cur;
    term->weight = weight;
    term->theme_only = theme_only;
    term->place = place;
    term->first = t->nwords;
    term->nwords = nw;
    term->display = display;
    term->line = p->line;
    memcpy(&t->words[t->nwords], words, nw * sizeof *words);
    t->nwords += nw;
    sec->nterms++;
    return PTCE_OK;
}

static ptce_status set_value(parser *p, char *key_raw, char *value)
{
    taxonomy *t = p->t;
    char key[64];
    text_fold_into(key_raw, key, sizeof key);
    if (!*value)
        return perr(p, "valeur manquante après « %s = »", key_raw);

    if (p->cur < 0) {
        double v;
        bool num = util_parse_decimal(value, &v);
        if (strcmp(key, "modele") == 0) {
            if (t->model_name)
                return perr(p, "« modele » est donné deux fois");
            if (!(t->model_name = util_strdup(value)))
                return nomem(p);
        } else if (strcmp(key, "facteur modele") == 0) {
            if (!num || v < 0 || v > 100)
                return perr(p, "facteur_modele doit être un nombre entre 0 et 100 (0 : le modèle "
                            "appris ne compte pas), pas « %s »", value);
            t->model_factor = v;
        } else if (strcmp(key, "facteur theme") == 0) {
            if (!num || v < 2 || v > 100)
                return perr(p, "facteur_theme doit être un nombre entre 2 et 100 (la thématique "
                            "déclarée pèse plus que la description), pas « %s »", value);
            t->theme_factor = v;
        } else if (strcmp(key, "seuil secondaire") == 0) {
            if (!num || v < 0 || v > 1)
                return perr(p, "seuil_secondaire doit être un nombre entre 0 et 1, pas « %s »", value);
            t->secondary_ratio = v;
        } else if (strcmp(key, "score min secondaire") == 0) {
            if (!num || v < 0 || v > 1000)
                return perr(p, "score_min_secondaire doit être un nombre positif, pas « %s »", value);
            t->secondary_min = v;
        } else if (strcmp(key, "bonus debut") == 0) {
            if (!num || v < 0 || v > 10)
                return perr(p, "bonus_debut doit être un nombre entre 0 et 10, pas « %s »", value);
            t->start_bonus = v;
        } else if (strcmp(key, "portee debut") == 0) {
            if (!num || v < 1 || v > 10000 || v != floor(v))
                return perr(p, "portee_debut doit être un nombre entier de mots entre 1 et 10000, "
                            "pas « %s »", value);
            t->start_span = (size_t)v;
        } else if (strcmp(key, "facteur moyen") == 0) {
            if (!num || v < 0 || v > 1)
                return perr(p, "facteur_moyen doit être un nombre entre 0 et 1, pas « %s »", value);
            t->means_factor = v;
        } else if (strcmp(key, "facteur lieu") == 0) {
            if (!num || v < 0 || v > 1)
                return perr(p, "facteur_lieu doit être un nombre entre 0 et 1, pas « %s »", value);
            t->place_factor = v;
        } else if (strcmp(key, "max secondaires") == 0) {
            if (!num || v < 0 || v >= SECTORS_MAX || v != floor(v))
                return perr(p, "max_secondaires doit être un entier entre 0 et %d, pas « %s »",
                            SECTORS_MAX - 1, value);
            t->secondary_max = (size_t)v;
        } else {
            return perr(p, "réglage inconnu « %s » (attendu facteur_theme, seuil_secondaire, "
                        "score_min_secondaire, max_secondaires, bonus_debut, portee_debut, "
                        "facteur_moyen, facteur_lieu, modele, facteur_modele, ou un secteur "
                        "[identifiant])",
                        key_raw);
        }
        return PTCE_OK;
    }

    classify_sector *s = &t->sectors[p->cur];
    char **slot;
    int *where;
    if (strcmp(key, "libelle") == 0) {
        slot = &s->label;
        where = &p->label_line;
    } else if (strcmp(key, "couleur") == 0) {
        if (!valid_color(value))
            return perr(p, "couleur invalide « %s » : attendu #rrggbb, par exemple #2e8b57", value);
        for (char *c = value; *c; c++)
            if (*c >= 'A' && *c <= 'F')
                *c = (char)(*c - 'A' + 'a');
        for (size_t i = 0; i < t->nsectors; i++)
            if ((int)i != p->cur && t->sectors[i].color && strcmp(t->sectors[i].color, value) == 0)
                return perr(p, "la couleur %s est déjà celle du secteur « %s » : chaque secteur "
                            "doit avoir sa couleur", value, t->sectors[i].id);
        slot = &s->color;
        where = &p->color_line;
    } else if (strcmp(key, "court") == 0) {
        if (!valid_short(value))
            return perr(p, "code court invalide « %s » : 1 à 8 caractères parmi a-z, 0-9 et _ "
                        "(il sert de nom de champ DBF n_<court>)", value);
        for (size_t i = 0; i < t->nsectors; i++)
            if ((int)i != p->cur && t->sectors[i].short_code &&
                strcmp(t->sectors[i].short_code, value) == 0)
                return perr(p, "le code court « %s » est déjà celui du secteur « %s »", value,
                            t->sectors[i].id);
        slot = &s->short_code;
        where = &p->short_line;
    } else if (strcmp(key, "role") == 0) {
        char v[32];
        text_fold_into(value, v, sizeof v);
        if (strcmp(v, "moyen") == 0)
            s->means = true;
        else if (strcmp(v, "activite") == 0)
            s->means = false;
        else
            return perr(p, "rôle inconnu « %s » : attendu « moyen » (le secteur dit comment le pôle "
                        "travaille, pas ce qu'il fait) ou « activité »", value);
        return PTCE_OK;
    } else {
        return perr(p, "clé inconnue « %s » dans le secteur « %s » (attendu libellé, couleur, court, "
                    "rôle, ou une ligne « poids terme »)", key_raw, s->id);
    }
    if (*slot)
        return perr(p, "« %s » est déjà donné ligne %d pour le secteur « %s »", key_raw, *where, s->id);
    *slot = util_strdup(value);
    if (!*slot)
        return nomem(p);
    *where = p->line;
    return PTCE_OK;
}

static bool starts_number(const char *s)
{
    return (*s >= '0' && *s <= '9') || *s == '-' || *s == '+' || *s == '.' || *s == ',';
}

/* "thème 2 culture" / "lieu 1 ferme": returns the text after `keyword` (folded), else NULL. */
static char *keyword_line(char *s, const char *keyword)
{
    size_t n = 0;
    while (s[n] && !util_is_blank_char(s[n]))
        n++;
    if (n == 0 || n > 8 || !s[n])
        return NULL;
    char word[16];
    memcpy(word, s, n);
    word[n] = '\0';
    char folded[16];
    text_fold_into(word, folded, sizeof folded);
    if (strcmp(folded, keyword) != 0)
        return NULL;
    return util_trim(s + n + 1);
}

static ptce_status parse_line(parser *p, char *line)
{
    strip_comment(line);
    line = util_trim(line);
    if (!*line)
        return PTCE_OK;
    if (line[0] == '[') {
        p->label_line = p->color_line = p->short_line = 0;
        return start_sector(p, line);
    }
    if (starts_number(line))
        return add_term(p, line, false, false);
    char *rest = keyword_line(line, "theme");
    if (rest) {
        if (!starts_number(rest))
            return perr(p, "après « thème », attendu un poids puis un terme (ex. thème 2 culture)");
        return add_term(p, rest, true, false);
    }
    rest = keyword_line(line, "lieu");
    if (rest) {
        if (!starts_number(rest))
            return perr(p, "après « lieu », attendu un poids puis un terme (ex. lieu 1 ferme)");
        return add_term(p, rest, false, true);
    }
    char *eq = strchr(line, '=');
    if (eq) {
        *eq = '\0';
        return set_value(p, util_trim(line), util_trim(eq + 1));
    }
    return perr(p, "ligne incomprise « %s » : attendu [secteur], clé = valeur, ou un poids suivi "
                "d'un terme (ex. 2 circuit court)", line);
}

/* « modele = FICHIER »: a relative name is read next to the taxonomy file. */
static ptce_status load_model(ptce_ctx *ctx, const char *tax_path, taxonomy *t)
{
    const char *slash = strrchr(tax_path, '/');
    size_t dir = t->model_name[0] == '/' || !slash ? 0 : (size_t)(slash - tax_path) + 1;
    size_t n = dir + strlen(t->model_name) + 1;
    char *path = malloc(n);
    if (!path)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour lire la taxonomie %s",
                         tax_path);
    memcpy(path, tax_path, dir);
    memcpy(path + dir, t->model_name, n - dir);
    ptce_status st = classify_model_load(ctx, path, t, &t->model);
    free(path);
    return st;
}

ptce_status classify_taxonomy_load(ptce_ctx *ctx, const char *path, taxonomy **out)
{
    *out = NULL;
    size_t len = 0;
    char *data = util_read_file(path, &len);
    if (!data)
        return errno == ENOMEM ? ptce_fail_read(ctx, PTCE_ERR_DATA, path, errno)
                               : ptce_fail(ctx, PTCE_ERR_DATA, "impossible de lire la taxonomie "
                                           "%s : %s", path, ptce_errno_text(errno));
    taxonomy *t = calloc(1, sizeof *t);
    classify_sector *sectors = calloc(SECTORS_MAX, sizeof *sectors);
    parser p = {ctx, path, 0, t, -1, 0, 0, 0};
    if (!t || !sectors) {
        free(t);
        free(sectors);
        free(data);
        return nomem(&p);
    }
    t->sectors = sectors;
    t->theme_factor = 3;
    t->start_bonus = 0;
    t->start_span = 30;
    t->means_factor = 1;
    t->place_factor = 1;
    t->secondary_ratio = 0.05;
    t->secondary_min = 2;
    t->secondary_max = 3;
    t->other = -1;
    t->model_factor = 1;

    ptce_status st = PTCE_OK;
    char *s = data, *end = data + len;
    if (len >= 3 && memcmp(s, UTIL_UTF8_BOM, 3) == 0)
        s += 3;
    while (s < end && st == PTCE_OK) {
        p.line++;
        char *nl = memchr(s, '\n', (size_t)(end - s));
        char *e = nl ? nl : end;
        size_t n = (size_t)(e - s);
        if (n > 0 && s[n - 1] == '\r')
            n--;
        if (memchr(s, '\0', n))
            st = perr(&p, "caractère nul : ce n'est pas un fichier texte");
        else if (!util_utf8_is_valid(s, n))
            st = perr(&p, "texte qui n'est pas en UTF-8 : enregistrez le fichier en UTF-8");
        else {
            s[n] = '\0';
            st = parse_line(&p, s);
        }
        s = nl ? nl + 1 : end;
    }
    if (st == PTCE_OK)
        st = close_sector(&p);
    p.line = 0;
    if (st == PTCE_OK && t->nsectors == 0)
        st = perr(&p, "aucun secteur défini (attendu des en-têtes [identifiant])");
    if (st == PTCE_OK && t->other < 0)
        st = perr(&p, "il manque le secteur de repli [autre], attribué quand rien ne correspond");
    if (st == PTCE_OK && !build_index(t))
        st = nomem(&p);
    if (st == PTCE_OK && t->model_name)
        st = load_model(ctx, path, t);
    free(data);
    if (st != PTCE_OK) {
        classify_taxonomy_free(t);
        return st;
    }
    *out = t;
    return PTCE_OK;
}
