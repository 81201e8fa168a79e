/*
 * refdata/index.c — see index.h.
 *
 * Why: the geocoder looks up communes, postal codes, former codes, names and départements
 * several times a row; a binary search over 35,000 sorted keys is 16 strcmp calls, and
 * these look-ups were about 5 % of a 100,000-row geocode. A look-up here hashes the key
 * once and compares it with one stored key (two when hashes collide).
 */
#include "refdata/index.h"

#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"

#define FNV32_START 2166136261u
#define FNV32_PRIME 16777619u

uint32_t refdata_index_hash(const char *key)
{
    uint32_t h = FNV32_START;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * FNV32_PRIME;
    return h;
}

static const char *key_at(refdata_index_keys keys, size_t i)
{
    const char *rec = (const char *)keys.base + i * keys.stride;
    const char *key;
    memcpy(&key, rec + keys.key_offset, sizeof key);
    return key;
}

size_t refdata_index_slot_count(refdata_index_keys keys)
{
    if (keys.n == 0)
        return 0;
    size_t distinct = 1;
    for (size_t i = 1; i < keys.n; i++)
        distinct += strcmp(key_at(keys, i - 1), key_at(keys, i)) != 0;
    size_t n = 16;
    while (n < 2 * distinct)
        n *= 2;
    return n;
}

void refdata_index_fill(refdata_index_keys keys, refdata_index_slot *slots, size_t nslots)
{
    memset(slots, 0, nslots * sizeof *slots);
    for (size_t i = 0; i < keys.n;) {
        const char *key = key_at(keys, i);
        size_t end = i + 1;
        while (end < keys.n && strcmp(key_at(keys, end), key) == 0)
            end++;
        uint32_t h = refdata_index_hash(key);
        size_t s = h & (nslots - 1);
        while (slots[s].count)
            s = (s + 1) & (nslots - 1);
        slots[s] = (refdata_index_slot){h, (uint32_t)i, (uint32_t)(end - i)};
        i = end;
    }
}

ptce_status refdata_index_build(ptce_ctx *ctx, refdata_index_keys keys, refdata_index *out)
{
    memset(out, 0, sizeof *out);
    if (keys.n >= UINT32_MAX / 2)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "table de référence trop grande (%zu lignes)",
                         keys.n);
    size_t n = refdata_index_slot_count(keys);
    if (n == 0)
        return PTCE_OK;
    refdata_index_slot *slots = malloc(n * sizeof *slots);
    if (!slots)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    refdata_index_fill(keys, slots, n);
    *out = (refdata_index){slots, n, slots};
    return PTCE_OK;
}

size_t refdata_index_find(const refdata_index *ix, refdata_index_keys keys, const char *key,
                          const void **first)
{
    *first = keys.base;
    if (!ix->slots || !key)
        return 0;
    uint32_t h = refdata_index_hash(key);
    size_t mask = ix->nslots - 1;
    /* At most every slot once: an image's slots are checked, not trusted. */
    for (size_t s = h & mask, k = 0; k < ix->nslots; s = (s + 1) & mask, k++) {
        const refdata_index_slot *sl = &ix->slots[s];
        if (!sl->count)
            return 0;
        if (sl->hash != h || sl->first >= keys.n || sl->count > keys.n - sl->first ||
            strcmp(key_at(keys, sl->first), key) != 0)
            continue;
        *first = (const char *)keys.base + sl->first * keys.stride;
        return sl->count;
    }
    return 0;
}

size_t refdata_index_find_sorted(refdata_index_keys keys, const char *key, const void **first)
{
    size_t lo = 0, hi = keys.n;
    while (lo < hi) { /* the lower bound */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(key_at(keys, mid), key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < keys.n && strcmp(key_at(keys, end), key) == 0)
        end++;
    *first = (const char *)keys.base + lo * keys.stride;
    return end - lo;
}

void refdata_index_free(refdata_index *ix)
{
    free(ix->owned);
    memset(ix, 0, sizeof *ix);
}
