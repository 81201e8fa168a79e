/*
 * geocode/ban.c — street addresses from the Base Adresse Nationale (BAN).
 *
 * Reads the BAN CSV files an analyst downloads per département (adresses-DD.csv or
 * adresses-DD.csv.gz, `;`-separated, one address point per row) and keeps, per address:
 * its commune (the current one: codes that disappeared are followed to their commune), the
 * normalised street key, the number and repetition index, the point. Addresses are sorted
 * by (commune, street key, number, repetition), streets are runs of that order, and a
 * lookup is two binary searches; street names with a typing error are compared inside the
 * commune only.
 *
 * Memory: about 60 bytes per address point, so a département (100,000 to 800,000 points)
 * costs tens of megabytes; the whole of France would need more than a gigabyte.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/csvfile.h"
#include "core/ctx.h"
#include "core/util.h"
#include "geocode/internal.h"

typedef struct ban_point {
    const commune *commune;
    const char *key;      /* normalised street key (geocode_street_key) */
    const char *name;     /* the BAN's nom_voie */
    int32_t number;       /* 0 for a street or locality point without number */
    char rep[8];
    double lat, lon;
} ban_point;

typedef struct ban_street {
    const commune *commune;
    const char *key;
    const char *name;
    size_t first, count;  /* run of points */
} ban_street;

struct geocode_ban_index {
    util_strstore strings; /* blocks that never move: points and streets point into them */
    ban_point *points;
    size_t npoints, cap;
    ban_street *streets;
    size_t nstreets;
    unsigned char *dep_loaded;  /* per rd->deps index */
    size_t ndeps;
};

#define BAN_STRING_BLOCK (256 * 1024)

void geocode_ban_free(geocode_ban_index *b)
{
    if (!b)
        return;
    util_strstore_free(&b->strings);
    free(b->points);
    free(b->streets);
    free(b->dep_loaded);
    free(b);
}

size_t geocode_ban_size(const geocode_ban_index *b)
{
    return b->npoints;
}

static int cmp_point(const void *pa, const void *pb)
{
    const ban_point *a = pa, *b = pb;
    if (a->commune != b->commune)
        return a->commune < b->commune ? -1 : 1;
    int c = strcmp(a->key, b->key);
    if (c)
        return c;
    if (a->number != b->number)
        return a->number < b->number ? -1 : 1;
    c = strcmp(a->rep, b->rep);
    if (c)
        return c;
    /* Same address twice (several positions): the first point in file order, kept by
     * comparing the points themselves, so the order stays total. */
    if (a->lat != b->lat)
        return a->lat < b->lat ? -1 : 1;
    if (a->lon != b->lon)
        return a->lon < b->lon ? -1 : 1;
    return 0;
}

/* Sorts the points and cuts them into streets. */
static ptce_status build_streets(ptce_ctx *ctx, geocode_ban_index *b)
{
    if (b->npoints > 1)
        qsort(b->points, b->npoints, sizeof *b->points, cmp_point);
    free(b->streets);
    b->streets = NULL;
    b->nstreets = 0;
    size_t n = 0;
    for (size_t i = 0; i < b->npoints; i++)
        if (i == 0 || b->points[i].commune != b->points[i - 1].commune ||
            strcmp(b->points[i].key, b->points[i - 1].key) != 0)
            n++;
    b->streets = malloc((n ? n : 1) * sizeof *b->streets);
    if (!b->streets)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour la BAN");
    for (size_t i = 0; i < b->npoints; i++) {
        const ban_point *p = &b->points[i];
        if (b->nstreets && b->streets[b->nstreets - 1].commune == p->commune &&
            strcmp(b->streets[b->nstreets - 1].key, p->key) == 0) {
            b->streets[b->nstreets - 1].count++;
            continue;
        }
        b->streets[b->nstreets++] = (ban_street){p->commune, p->key, p->name, i, 1};
    }
    return PTCE_OK;
}

/* ---- reading --------------------------------------------------------------------------- */

enum { B_NUMERO, B_REP, B_NOM_VOIE, B_CODE_INSEE, B_LON, B_LAT, B_NCOLS };
static const char *const ban_columns[B_NCOLS] = {"numero", "rep", "nom_voie", "code_insee",
                                                 "lon", "lat"};

static ptce_status add_point(ptce_ctx *ctx, geocode_ban_index *b, const ban_point *p)
{
    if (b->npoints == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        ban_point *grown = realloc(b->points, cap * sizeof *grown);
        if (!grown)
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour la BAN");
        b->points = grown;
        b->cap = cap;
    }
    b->points[b->npoints++] = *p;
    return PTCE_OK;
}

/* What reading one file keeps between its rows (core/csvfile.h streams them). */
typedef struct ban_load {
    geocoder *g;
    geocode_ban_index *b;
    const char *path;
    int col[B_NCOLS];
    size_t need;               /* cells a row needs to hold every column */
    size_t kept, unknown, bad;
    /* Consecutive rows share their street: fold and intern its name once. */
    const commune *prev_commune;
    const char *prev_key, *prev_name;
} ban_load;

static ptce_status ban_header(ban_load *L, const char *const *cells, size_t n)
{
    L->need = 0;
    for (int k = 0; k < B_NCOLS; k++) {
        L->col[k] = -1;
        for (size_t i = 0; i < n; i++)
            if (strcmp(cells[i], ban_columns[k]) == 0)
                L->col[k] = (int)i;
        if (L->col[k] < 0 && k != B_REP)
            return ptce_fail(L->g->ctx, PTCE_ERR_INPUT,
                             "%s, ligne 1 : colonne « %s » absente ; ce n'est pas un fichier de "
                             "la BAN (en-tête attendu : id;id_fantoir;numero;rep;nom_voie;"
                             "code_postal;code_insee;nom_commune;…;lon;lat;…)",
                             L->path, ban_columns[k]);
        if ((size_t)(L->col[k] + 1) > L->need)
            L->need = (size_t)(L->col[k] + 1);
    }
    return PTCE_OK;
}

static ptce_status ban_row(void *user, const char *const *cells, size_t n, size_t line)
{
    ban_load *L = user;
    geocode_ban_index *b = L->b;
    const refdata *rd = L->g->rd;
    ptce_ctx *ctx = L->g->ctx;
    (void)line;
    if (L->need == 0) /* the first row is the header */
        return ban_header(L, cells, n);
    if (n < L->need) {
        L->bad++;
        return PTCE_OK;
    }
    const char *code = cells[L->col[B_CODE_INSEE]];
    const commune *m = refdata_commune(rd, code);
    if (!m) {
        const refdata_former_commune *fc = refdata_former(rd, code);
        m = fc ? fc->current : NULL;
    }
    if (!m) {
        L->unknown++;
        return PTCE_OK;
    }
    double lat, lon;
    if (!util_parse_decimal(cells[L->col[B_LAT]], &lat) || !util_parse_decimal(cells[L->col[B_LON]], &lon) ||
        !geocode_in_france_box(lat, lon)) {
        L->bad++;
        return PTCE_OK;
    }
    const char *voie = cells[L->col[B_NOM_VOIE]];
    if (m != L->prev_commune || !L->prev_name || strcmp(voie, L->prev_name) != 0) {
        char key[128];
        if (!geocode_street_key(voie, key, sizeof key)) {
            L->bad++;
            return PTCE_OK;
        }
        L->prev_key = L->prev_commune && L->prev_key && strcmp(L->prev_key, key) == 0
                          ? L->prev_key
                          : util_strstore_copy(&b->strings, key, strlen(key));
        L->prev_name = util_strstore_copy(&b->strings, voie, strlen(voie));
        if (!L->prev_key || !L->prev_name)
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour la BAN");
        L->prev_commune = m;
    }
    ban_point p = {.commune = m, .key = L->prev_key, .name = L->prev_name, .lat = lat,
                   .lon = lon};
    long num = strtol(cells[L->col[B_NUMERO]], NULL, 10);
    p.number = num > 0 && num < 99999 ? (int32_t)num : 0;
    if (L->col[B_REP] >= 0) {
        char repk[sizeof p.rep];
        text_fold_into(cells[L->col[B_REP]], repk, sizeof repk);
        snprintf(p.rep, sizeof p.rep, "%s", repk);
    }
    ptce_status st = add_point(ctx, b, &p);
    if (st)
        return st;
    L->kept++;
    size_t d = (size_t)(refdata_departement(rd, m->dep) - rd->deps);
    if (d < b->ndeps)
        b->dep_loaded[d] = 1;
    return PTCE_OK;
}

/* The longest BAN cell worth reading: street names run to about a hundred bytes. */
#define BAN_MAX_CELL 1000

/* The most bytes one --ban file may give once decompressed (the whole of France is about
 * 4 GiB): a bound against a file that never ends or a compression bomb. */
#define BAN_MAX_BYTES (16ULL << 30)

static ptce_status load_file(geocoder *g, geocode_ban_index *b, const char *path)
{
    ptce_ctx *ctx = g->ctx;
    /* Like every input: a regular file only (a FIFO would block, /dev/zero never end),
     * opened without waiting for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sst;
    if (fd < 0 || fstat(fd, &sst) != 0 || !S_ISREG(sst.st_mode)) {
        int err = fd < 0 ? errno : S_ISDIR(sst.st_mode) ? EISDIR : UTIL_ERR_NOT_REGULAR;
        if (fd >= 0)
            close(fd);
        if (err == ENOMEM)
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        return ptce_fail(ctx, PTCE_ERR_INPUT, "%s : lecture impossible (%s).", path,
                         ptce_errno_text(err));
    }
    /* O_NONBLOCK stays: nothing for a file on disk, and a kernel file that would wait
     * (/proc/kmsg) fails instead of blocking (util_read_file does the same). */
    gzFile f = gzdopen(fd, "rb");
    if (!f) {
        close(fd);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    gzbuffer(f, 1 << 17);
    ban_load L = {.g = g, .b = b, .path = path};
    csvfile_read_options opts = {.max_cell = BAN_MAX_CELL};
    csvfile_stream *s = NULL;
    ptce_status st = csvfile_stream_open(ctx, path, &opts, ban_row, &L, &s);
    char *chunk = st ? NULL : malloc(1 << 16);
    if (!st && !chunk)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour la BAN");
    size_t total = 0;
    while (!st) {
        errno = 0;
        int got = gzread(f, chunk, 1 << 16);
        if (got < 0) {
            /* Z_ERRNO: the read itself failed, not the decompression. A kernel file that
             * would wait (/proc/kmsg) says EAGAIN, as util_read_file reads it. */
            int errnum = Z_OK, err = errno;
            gzerror(f, &errnum);
            if (errnum == Z_ERRNO)
                st = ptce_fail(ctx, err == ENOMEM ? PTCE_ERR_MEMORY : PTCE_ERR_INPUT,
                               "%s : lecture impossible (%s).", path,
                               ptce_errno_text(err == EAGAIN || err == EWOULDBLOCK
                                                   ? UTIL_ERR_NOT_REGULAR : err));
            else
                st = ptce_fail(ctx, PTCE_ERR_INPUT, "%s : fichier compressé illisible%s", path,
                               total ? " (tronqué ?)" : "");
            break;
        }
        if (got == 0)
            break;
        total += (size_t)got;
        if (total > BAN_MAX_BYTES) {
            st = ptce_fail(ctx, PTCE_ERR_INPUT, "%s : plus de %llu Gio une fois décompressé ; "
                           "ce n'est pas un fichier de la BAN (la France entière en fait "
                           "moins de 5).", path, BAN_MAX_BYTES >> 30);
            break;
        }
        st = csvfile_stream_feed(s, chunk, (size_t)got);
    }
    if (!st) {
        int errnum = Z_OK;
        gzerror(f, &errnum);
        if (errnum != Z_OK && errnum != Z_STREAM_END)
            st = ptce_fail(ctx, PTCE_ERR_INPUT, "%s : fichier compressé illisible (tronqué ?)",
                           path);
    }
    if (!st)
        st = csvfile_stream_finish(s);
    if (!st && L.need == 0)
        st = ptce_fail(ctx, PTCE_ERR_INPUT, "%s : fichier vide, ce n'est pas un fichier de la "
                                            "BAN", path);
    free(chunk);
    csvfile_stream_free(s);
    gzclose(f);
    if (st)
        return st;
    if (L.kept == 0)
        ptce_warn(ctx, "%s : aucune adresse retenue (%zu lignes de communes inconnues, %zu "
                       "illisibles)", path, L.unknown, L.bad);
    else
        ptce_info(ctx, "BAN : %zu adresses lues dans %s%s", L.kept, path,
                  L.unknown + L.bad ? " (des lignes ignorées : communes inconnues ou illisibles)"
                                    : "");
    return PTCE_OK;
}

ptce_status geocode_load_ban(geocoder *g, const char *const *paths, size_t n)
{
    if (!g->ban) {
        g->ban = calloc(1, sizeof *g->ban);
        if (!g->ban)
            return ptce_fail(g->ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour la BAN");
        g->ban->ndeps = g->rd->ndeps;
        g->ban->strings.block_bytes = BAN_STRING_BLOCK;
        g->ban->dep_loaded = calloc(g->rd->ndeps ? g->rd->ndeps : 1, 1);
        if (!g->ban->dep_loaded) {
            geocode_ban_free(g->ban);
            g->ban = NULL;
            return ptce_fail(g->ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour la BAN");
        }
    }
    geocode_ban_index *b = g->ban;
    unsigned char *loaded_before = malloc(b->ndeps ? b->ndeps : 1);
    if (!loaded_before)
        return ptce_fail(g->ctx, PTCE_ERR_MEMORY, "mémoire insuffisante pour la BAN");
    for (size_t i = 0; i < n; i++) {
        size_t points_before = b->npoints;
        memcpy(loaded_before, b->dep_loaded, b->ndeps);
        ptce_status st = load_file(g, b, paths[i]);
        if (st) {
            /* Keep the files read before; drop what the failed one added (its strings
             * stay in the arena until the geocoder is freed). */
            b->npoints = points_before;
            memcpy(b->dep_loaded, loaded_before, b->ndeps);
            free(loaded_before);
            ptce_status again = build_streets(g->ctx, b);
            return again ? again : st;
        }
    }
    free(loaded_before);
    return build_streets(g->ctx, b);
}

/* ---- lookup ---------------------------------------------------------------------------- */

/* The streets of one commune: [*lo, *hi). */
static void commune_streets(const geocode_ban_index *b, const commune *m, size_t *lo, size_t *hi)
{
    size_t a = 0, z = b->nstreets;
    while (a < z) {
        size_t mid = a + (z - a) / 2;
        if (b->streets[mid].commune < m)
            a = mid + 1;
        else
            z = mid;
    }
    *lo = a;
    while (a < b->nstreets && b->streets[a].commune == m)
        a++;
    *hi = a;
}

static const ban_street *find_street(const geocode_ban_index *b, size_t lo, size_t hi, const char *key)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(b->streets[mid].key, key);
        if (c == 0)
            return &b->streets[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Optimal string alignment distance, bounded (street keys are short ASCII). */
static int street_distance(const char *a, const char *b, int limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 126 || lb > 126 || (la > lb ? la - lb : lb - la) > (size_t)limit)
        return limit + 1;
    int d[3][128];
    int *p2 = d[0], *p1 = d[1], *cur = d[2];
    for (size_t j = 0; j <= lb; j++)
        p1[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        int row_min = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            int v = p1[j - 1] + (a[i - 1] != b[j - 1]);
            if (p1[j] + 1 < v)
                v = p1[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && p2[j - 2] + 1 < v)
                v = p2[j - 2] + 1;
            cur[j] = v;
            if (v < row_min)
                row_min = v;
        }
        if (row_min > limit)
            return limit + 1;
        int *t = p2;
        p2 = p1;
        p1 = cur;
        cur = t;
    }
    return p1[lb];
}

/* The key after its first word (the street type): "rue victor hugo" → "victor hugo". */
static const char *after_type(const char *key)
{
    const char *s = strchr(key, ' ');
    return s ? s + 1 : "";
}

/* The communes whose streets may hold the address: the commune itself and, for Paris,
 * Lyon and Marseille, their arrondissements (the BAN files streets under them). INSEE
 * codes start with the département, so only the département's communes are looked at. */
static int search_communes(const refdata *rd, const commune *m, const commune **out, int max)
{
    int n = 0;
    out[n++] = m;
    const char *city = m->kind == REFDATA_COMMUNE_ARRONDISSEMENT ? m->parent : m->insee;
    size_t dl = strlen(m->dep), a = 0, z = rd->ncommunes;
    while (a < z) {
        size_t mid = a + (z - a) / 2;
        if (strncmp(rd->communes[mid].insee, m->dep, dl) < 0)
            a = mid + 1;
        else
            z = mid;
    }
    for (size_t i = a; i < rd->ncommunes && n < max; i++) {
        const commune *c = &rd->communes[i];
        if (strncmp(c->insee, m->dep, dl) != 0)
            break;
        if (c->kind == REFDATA_COMMUNE_ARRONDISSEMENT && c != m && strcmp(c->parent, city) == 0)
            out[n++] = c;
    }
    return n;
}

/* Places the number on the street. */
static void place_on_street(const geocode_ban_index *b, const ban_street *st, const geocode_street *s,
                            geocode_ban_hit *hit)
{
    const ban_point *pts = &b->points[st->first];
    size_t n = st->count;
    const ban_point *chosen = NULL;
    hit->match = GEOCODE_BAN_STREET;
    if (s->number > 0) {
        const ban_point *same_number = NULL, *near = NULL;
        long near_gap = 0;
        for (size_t i = 0; i < n; i++) {
            if (pts[i].number == s->number) {
                if (strcmp(pts[i].rep, s->rep) == 0) {
                    chosen = &pts[i];
                    break;
                }
                if (!same_number)
                    same_number = &pts[i];
            }
            if (pts[i].number > 0) {
                long gap = labs((long)pts[i].number - s->number);
                /* Same side of the street first (same parity). */
                if ((pts[i].number - s->number) % 2 != 0)
                    gap += 100000;
                if (!near || gap < near_gap) {
                    near = &pts[i];
                    near_gap = gap;
                }
            }
        }
        if (chosen) {
            hit->match = GEOCODE_BAN_EXACT;
        } else if (same_number && !s->rep[0]) {
            chosen = same_number;
            hit->match = GEOCODE_BAN_EXACT;
        } else if (same_number || near) {
            chosen = same_number ? same_number : near;
            hit->match = GEOCODE_BAN_NUMBER_NEAR;
        }
    }
    if (!chosen) {
        /* The middle point of the street, by number order (points without number too). */
        chosen = &pts[n / 2];
        hit->match = GEOCODE_BAN_STREET;
    }
    hit->lat = chosen->lat;
    hit->lon = chosen->lon;
    hit->number = hit->match == GEOCODE_BAN_STREET ? 0 : chosen->number;
    snprintf(hit->rep, sizeof hit->rep, "%s", hit->match == GEOCODE_BAN_STREET ? "" : chosen->rep);
    hit->street = st->name;
    hit->commune = st->commune;
}

/* Among several streets of the same name (Paris arrondissements), the one that has the
 * number; else the first by INSEE code. */
static const ban_street *best_of(const geocode_ban_index *b, const ban_street **found, int n,
                                 const geocode_street *s)
{
    if (s->number > 0)
        for (int i = 0; i < n; i++) {
            const ban_point *pts = &b->points[found[i]->first];
            for (size_t k = 0; k < found[i]->count; k++)
                if (pts[k].number == s->number)
                    return found[i];
        }
    return found[0];
}

int geocode_ban_locate(const geocode_ban_index *b, const refdata *rd, const commune *m, const geocode_street *s,
               geocode_ban_hit *hit, int *covered)
{
    memset(hit, 0, sizeof *hit);
    const departement *d = refdata_departement(rd, m->dep);
    *covered = d && (size_t)(d - rd->deps) < b->ndeps && b->dep_loaded[d - rd->deps];
    if (!*covered || !s->key[0])
        return 0;
    const commune *where[48];
    int nw = search_communes(rd, m, where, 48);
    const ban_street *found[48];
    int nfound = 0;
    /* 1. The street key as written. The commune itself first: an arrondissement given by
     *    the postal code wins over its siblings. */
    for (int w = 0; w < nw && nfound < 48; w++) {
        size_t lo, hi;
        commune_streets(b, where[w], &lo, &hi);
        const ban_street *st = find_street(b, lo, hi, s->key);
        if (st) {
            found[nfound++] = st;
            if (w == 0 && m->kind == REFDATA_COMMUNE_ARRONDISSEMENT)
                break;
        }
    }
    if (nfound) {
        place_on_street(b, best_of(b, found, nfound, s), s, hit);
        return 1;
    }
    /* 2. The same name with another street type ("avenue Victor Hugo" for "rue …"), then
     *    one or two typing errors, inside these communes only; a single best street. */
    const char *tail = after_type(s->key);
    size_t klen = strlen(s->key);
    int limit = klen < 8 ? 0 : klen < 16 ? 1 : 2;
    const ban_street *same_tail = NULL, *best = NULL;
    int tails = 0, best_d = limit + 1, best_ties = 0;
    for (int w = 0; w < nw; w++) {
        size_t lo, hi;
        commune_streets(b, where[w], &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
            const ban_street *st = &b->streets[i];
            if (strlen(tail) >= 4 && strcmp(after_type(st->key), tail) == 0) {
                if (!same_tail || same_tail->key != st->key)
                    tails++;
                if (!same_tail)
                    same_tail = st;
            }
            if (limit) {
                int dd = street_distance(s->key, st->key, best_d < limit ? best_d : limit);
                if (dd < best_d) {
                    best_d = dd;
                    best = st;
                    best_ties = 1;
                } else if (dd == best_d && dd <= limit && best && st->key != best->key) {
                    best_ties++;
                }
            }
        }
    }
    const ban_street *chosen = NULL;
    if (best && best_d <= limit && best_ties == 1)
        chosen = best;
    else if (same_tail && tails == 1)
        chosen = same_tail;
    if (!chosen)
        return 0;
    place_on_street(b, chosen, s, hit);
    hit->street_fuzzy = 1;
    return 1;
}
