/*
 * classify/model.c — the learned part of the classification: reading the weights file
 * (data/classification-modele.tsv, written by scripts/train-classification-model) and adding
 * up the weights of the words and word pairs a text contains.
 *
 * Owns: the model's parser and index (classify_model, freed by classify_model_free, owned by the
 * taxonomy that names it with « modele = … »). Must not: learn anything (training is the
 * script's job), keep state between two texts, or allocate while scoring.
 *
 * A model term is one word or two consecutive words, normalised by classify_tokenize() like the
 * taxonomy's terms (so the file may be edited by hand: « circuits courts » is read as the
 * pair circuit court). A text's model score for a sector is the sum of the weights of the
 * distinct model terms it contains (each once, however often it is repeated).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify_private.h"
#include "core/ctx.h"
#include "core/util.h"

/* The index hash of a key: a word's classify_hash(), a pair's classify_hash_pair() of its words'. */
static uint64_t key_hash(const char *text, size_t len)
{
    const char *sp = memchr(text, ' ', len);
    if (!sp)
        return classify_hash(text, len);
    size_t a = (size_t)(sp - text);
    return classify_hash_pair(classify_hash(text, a), classify_hash(sp + 1, len - a - 1));
}

void classify_model_free(classify_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nkeys; i++)
        free(m->keys[i].text);
    for (size_t i = 0; i < m->nentries; i++)
        free(m->entries[i].display);
    free(m->keys);
    free(m->entries);
    free(m->slots);
    free(m->path);
    free(m);
}

/* One line of the file, before sorting. */
typedef struct raw_entry {
    char *key;     /* stems, one space between the two words of a pair */
    char *display; /* the term as written */
    int sector;
    double weight;
    int line;
} raw_entry;

static int cmp_raw(const void *a, const void *b)
{
    const raw_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->sector - y->sector;
}

static ptce_status model_err(ptce_ctx *ctx, const char *path, int line, const char *what)
{
    if (line > 0)
        return ptce_fail(ctx, PTCE_ERR_DATA, "modèle de classification %s, ligne %d : %s", path,
                         line, what);
    return ptce_fail(ctx, PTCE_ERR_DATA, "modèle de classification %s : %s", path, what);
}

/* Splits line s at tabs into at most `max` fields; returns how many. */
static size_t split_tabs(char *s, char **f, size_t max)
{
    size_t n = 0;
    f[n++] = s;
    for (char *c = s; *c; c++)
        if (*c == '\t') {
            *c = '\0';
            if (n == max)
                return max + 1;
            f[n++] = c + 1;
        }
    return n;
}

/* Normalises a term as written into its key ("circuits courts" → "circuit court"). Returns
 * NULL with *words set to the number of words (0, or more than two) when it is not a term. */
static char *term_key(const char *raw, size_t *words)
{
    classify_tokens tk;
    classify_tokens_init(&tk);
    *words = 0;
    if (!classify_tokenize(raw, &tk))
        return NULL;
    *words = tk.n;
    char *key = NULL;
    if (tk.n == 1) {
        key = util_strndup(tk.buf + tk.tok[0].stem_off, tk.tok[0].stem_len);
    } else if (tk.n == 2) {
        size_t a = tk.tok[0].stem_len, b = tk.tok[1].stem_len;
        key = malloc(a + b + 2);
        if (key) {
            memcpy(key, tk.buf + tk.tok[0].stem_off, a);
            key[a] = ' ';
            memcpy(key + a + 1, tk.buf + tk.tok[1].stem_off, b);
            key[a + b + 1] = '\0';
        }
    }
    classify_tokens_free(&tk);
    return key;
}

static ptce_status parse_model(ptce_ctx *ctx, const char *path, char *data, size_t len,
                               const taxonomy *t, raw_entry **out, size_t *nout)
{
    raw_entry *v = NULL;
    size_t n = 0, cap = 0;
    ptce_status st = PTCE_OK;
    bool header = false;
    int line = 0;
    char *s = data, *end = data + len;
    if (len >= 3 && memcmp(s, UTIL_UTF8_BOM, 3) == 0)
        s += 3;
    char msg[1024];
    while (s < end && st == PTCE_OK) {
        line++;
        char *nl = memchr(s, '\n', (size_t)(end - s));
        char *e = nl ? nl : end;
        size_t ln = (size_t)(e - s);
        if (ln > 0 && s[ln - 1] == '\r')
            ln--;
        char *next = nl ? nl + 1 : end;
        if (memchr(s, '\0', ln)) {
            st = model_err(ctx, path, line, "caractère nul : ce n'est pas un fichier texte");
            break;
        }
        if (!util_utf8_is_valid(s, ln)) {
            st = model_err(ctx, path, line, "texte qui n'est pas en UTF-8 : enregistrez le "
                           "fichier en UTF-8");
            break;
        }
        s[ln] = '\0';
        char *l = util_trim(s);
        s = next;
        if (!*l || *l == '#')
            continue;
        char *f[3];
        size_t nf = split_tabs(l, f, 3);
        if (!header) {
            if (nf != 3 || strcmp(util_trim(f[0]), "secteur") != 0 ||
                strcmp(util_trim(f[1]), "terme") != 0 || strcmp(util_trim(f[2]), "poids") != 0) {
                st = model_err(ctx, path, line, "en-tête attendu : secteur, terme et poids "
                               "séparés par des tabulations");
                break;
            }
            header = true;
            continue;
        }
        if (nf != 3) {
            snprintf(msg, sizeof msg, "%zu champs au lieu de 3 (secteur, terme, poids, séparés par "
                     "des tabulations)", nf > 3 ? (size_t)4 : nf);
            st = model_err(ctx, path, line, msg);
            break;
        }
        char *id = util_trim(f[0]), *raw = util_trim(f[1]), *w = util_trim(f[2]);
        int sector = sectors_find(t, id);
        double weight;
        size_t words;
        if (sector < 0 || sector == t->other) {
            snprintf(msg, sizeof msg, "secteur « %.200s » %s", id,
                     sector < 0 ? "inconnu de la taxonomie"
                                : "impossible : « autre » ne prend pas de termes");
            st = model_err(ctx, path, line, msg);
        } else if (!util_parse_decimal(w, &weight) || weight < -100 || weight > 100) {
            snprintf(msg, sizeof msg, "poids illisible « %.100s » : écrivez un nombre entre -100 "
                     "et 100, comme 1.25 ou -0.5", w);
            st = model_err(ctx, path, line, msg);
        } else {
            char *key = term_key(raw, &words);
            if (!key && (words == 0 || words > 2)) {
                snprintf(msg, sizeof msg, "le terme « %.200s » %s", raw,
                         words == 0 ? "est vide une fois normalisé"
                                    : "a plus de deux mots (un mot ou une paire de mots)");
                st = model_err(ctx, path, line, msg);
            } else if (!key) {
                st = PTCE_ERR_MEMORY;
            } else if (n == cap) {
                size_t c = cap ? cap * 2 : 256;
                raw_entry *nv = realloc(v, c * sizeof *nv);
                if (!nv) {
                    free(key);
                    st = PTCE_ERR_MEMORY;
                } else {
                    v = nv;
                    cap = c;
                }
            }
            if (st == PTCE_OK) {
                char *display = util_strdup(raw);
                if (!display) {
                    free(key);
                    st = PTCE_ERR_MEMORY;
                } else {
                    v[n++] = (raw_entry){key, display, sector, weight, line};
                }
            }
        }
    }
    if (st == PTCE_ERR_MEMORY)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour lire le modèle %s", path);
    if (st == PTCE_OK && !header)
        st = model_err(ctx, path, 0, "fichier vide : en-tête secteur, terme, poids attendu");
    *out = v;
    *nout = n;
    return st;
}

static void free_raw(raw_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].key);
        free(v[i].display);
    }
    free(v);
}

static ptce_status build(ptce_ctx *ctx, const char *path, const taxonomy *t, raw_entry *v,
                         size_t n, classify_model *m)
{
    if (n > 1) /* never qsort(NULL, 0, …) for a model reduced to its header: undefined */
        qsort(v, n, sizeof *v, cmp_raw);
    for (size_t i = 1; i < n; i++)
        if (v[i].sector == v[i - 1].sector && strcmp(v[i].key, v[i - 1].key) == 0) {
            char msg[512];
            snprintf(msg, sizeof msg, "« %.100s » répète pour « %s » le terme « %.100s » de la "
                     "ligne %d", v[i].display, t->sectors[v[i].sector].id, v[i - 1].display,
                     v[i - 1].line);
            return model_err(ctx, path, v[i].line, msg);
        }
    size_t nkeys = 0;
    for (size_t i = 0; i < n; i++)
        nkeys += i == 0 || strcmp(v[i].key, v[i - 1].key) != 0;
    if (nkeys > CLASSIFY_MODEL_MAX_KEYS) {
        char msg[128];
        snprintf(msg, sizeof msg, "trop de termes distincts (%zu) : %d au plus", nkeys,
                 CLASSIFY_MODEL_MAX_KEYS);
        return model_err(ctx, path, 0, msg);
    }
    m->keys = calloc(nkeys ? nkeys : 1, sizeof *m->keys);
    m->entries = calloc(n ? n : 1, sizeof *m->entries);
    size_t nslots = 16;
    while (nslots < 2 * nkeys + 1)
        nslots *= 2;
    m->slots = calloc(nslots, sizeof *m->slots);
    if (!m->keys || !m->entries || !m->slots)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour lire le modèle %s", path);
    m->nslots = nslots;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(v[i].key, m->keys[m->nkeys - 1].text) != 0) {
            classify_model_key *k = &m->keys[m->nkeys++];
            k->text = v[i].key;
            v[i].key = NULL; /* moved */
            k->len = (uint32_t)strlen(k->text);
            k->first = (uint32_t)i;
            uint64_t h = classify_hash_finish(key_hash(k->text, k->len));
            size_t s = (size_t)h & (nslots - 1);
            while (m->slots[s])
                s = (s + 1) & (nslots - 1);
            m->slots[s] = (h >> 32) << 32 | (uint64_t)m->nkeys; /* index + 1 */
        }
        m->keys[m->nkeys - 1].n++;
        classify_model_entry *e = &m->entries[i];
        e->sector = v[i].sector;
        e->weight = v[i].weight;
        e->display = v[i].display;
        v[i].display = NULL; /* moved */
    }
    m->nentries = n;
    return PTCE_OK;
}

ptce_status classify_model_load(ptce_ctx *ctx, const char *path, const taxonomy *t, classify_model **out)
{
    *out = NULL;
    size_t len = 0;
    char *data = util_read_file(path, &len);
    if (!data && errno == ENOMEM)
        return ptce_fail_read(ctx, PTCE_ERR_DATA, path, errno);
    if (!data)
        return ptce_fail(ctx, PTCE_ERR_DATA, "impossible de lire le modèle de classification %s "
                         "(nommé par « modele = » dans la taxonomie) : %s", path,
                         ptce_errno_text(errno));
    raw_entry *v = NULL;
    size_t n = 0;
    ptce_status st = parse_model(ctx, path, data, len, t, &v, &n);
    free(data);
    classify_model *m = NULL;
    if (st == PTCE_OK) {
        m = calloc(1, sizeof *m);
        if (!m || !(m->path = util_strdup(path)))
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour lire le modèle %s", path);
    }
    if (st == PTCE_OK)
        st = build(ctx, path, t, v, n, m);
    free_raw(v, n);
    if (st != PTCE_OK) {
        classify_model_free(m);
        return st;
    }
    *out = m;
    return PTCE_OK;
}

/* Index + 1 of the key of hash h whose text is a[0..na) (then, when b, one space and
 * b[0..nb)); 0 if none. */
static uint32_t find_key(const classify_model *m, uint64_t h, const char *a, size_t na, const char *b,
                         size_t nb)
{
    size_t mask = m->nslots - 1;
    size_t want = b ? na + 1 + nb : na;
    h = classify_hash_finish(h);
    uint64_t tag = (h >> 32) << 32;
    for (size_t s = (size_t)h & mask;; s = (s + 1) & mask) {
        uint64_t slot = m->slots[s];
        if (!slot)
            return 0;
        if ((slot & 0xffffffff00000000ULL) != tag)
            continue;
        uint32_t k = (uint32_t)slot;
        const classify_model_key *key = &m->keys[k - 1];
        if (key->len == want && memcmp(key->text, a, na) == 0 &&
            (!b || (key->text[na] == ' ' && memcmp(key->text + na + 1, b, nb) == 0)))
            return k;
    }
}

/* Adds key k's weights (once per text: `seen`) and notes it in found. */
static void add_key(const classify_model *m, uint32_t k, unsigned char *seen, double *score,
                    uint32_t *found, size_t cap, size_t *nfound)
{
    if (!k || (seen[(k - 1) / 8] & (1u << ((k - 1) % 8))))
        return;
    seen[(k - 1) / 8] |= (unsigned char)(1u << ((k - 1) % 8));
    const classify_model_key *key = &m->keys[k - 1];
    for (uint32_t e = key->first; e < key->first + key->n; e++)
        score[m->entries[e].sector] += m->entries[e].weight;
    if (found && *nfound < cap)
        found[(*nfound)++] = k - 1;
}

size_t classify_model_match(const classify_model *m, const classify_tokens *tk, double *score, uint32_t *found,
                       size_t cap)
{
    unsigned char seen[CLASSIFY_MODEL_MAX_KEYS / 8];
    memset(seen, 0, (m->nkeys + 7) / 8);
    size_t nfound = 0;
    for (size_t i = 0; i < tk->n; i++) {
        const classify_token *t = &tk->tok[i];
        const char *w = tk->buf + t->stem_off;
        add_key(m, find_key(m, t->hash, w, t->stem_len, NULL, 0), seen, score, found, cap, &nfound);
        if (i > 0) {
            const classify_token *p = &tk->tok[i - 1];
            add_key(m, find_key(m, classify_hash_pair(p->hash, t->hash), tk->buf + p->stem_off,
                                p->stem_len, w, t->stem_len),
                    seen, score, found, cap, &nfound);
        }
    }
    return nfound;
}
