/*
 * refdata/index.h — hash indexes from a key to its range in one of refdata's sorted arrays,
 * private to refdata/.
 *
 * Owns: the slots of one index (open addressing, linear probing, a power of two at least
 * twice the number of distinct keys). A slot holds a key's hash and the first index and
 * the count of its entries in the sorted array, so a look-up gives exactly the range that
 * a binary search for the key gives, in the same order: which entries come first and
 * every tie-break stay those of the array's sort (by INSEE code after the key, and so on).
 * The hash is FNV-1a of the key's bytes: the same on every machine, so the slots can be
 * made by the data compiler and stored in refdata.bin (cache.c), where a run maps them
 * without building anything; a refdata read from the tables builds them at load.
 * Must not: change or reorder the array; trust a slot from an image (every range is
 * checked against the array's size, and the key itself compared, before it is returned).
 * Slots built here are owned by the index (refdata_index_free); slots of an image belong
 * to the mapping.
 */
#ifndef PTCE_REFDATA_INDEX_H
#define PTCE_REFDATA_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "ptce.h"
#include "refdata/refdata.h"

typedef struct refdata_index_slot {
    uint32_t hash;  /* refdata_index_hash() of the key */
    uint32_t first; /* its first entry in the array */
    uint32_t count; /* how many entries have the key; 0 for a free slot */
} refdata_index_slot;

typedef struct refdata_index {
    const refdata_index_slot *slots; /* NULL when the array is empty */
    size_t nslots;                   /* a power of two */
    refdata_index_slot *owned;       /* == slots when built here, else NULL */
} refdata_index;

/* Where the keys of an array are: the `const char *` at byte `key_offset` of each of its
 * `n` records of `stride` bytes, the records sorted so that equal keys are adjacent. */
typedef struct refdata_index_keys {
    const void *base;
    size_t n, stride, key_offset;
} refdata_index_keys;

#define REFDATA_INDEX_KEYS(array, count, type, field)                                        \
    ((refdata_index_keys){(array), (count), sizeof(type), offsetof(type, field)})

uint32_t refdata_index_hash(const char *key);

/* How many slots an index of `keys` has (0 for an empty array): the image sizes its
 * section with it. */
size_t refdata_index_slot_count(refdata_index_keys keys);

/* Fills `slots` (refdata_index_slot_count() of them). */
void refdata_index_fill(refdata_index_keys keys, refdata_index_slot *slots, size_t nslots);

/* Builds an index of `keys` that owns its slots. PTCE_ERR_MEMORY (message set) when
 * memory runs out, or when the array is too large for 32-bit indexes. */
ptce_status refdata_index_build(ptce_ctx *ctx, refdata_index_keys keys, refdata_index *out);

/* The entries whose key equals `key`: *first gets the first (the array's base when none),
 * the count is returned. */
size_t refdata_index_find(const refdata_index *ix, refdata_index_keys keys, const char *key,
                          const void **first);

/* The same by binary search over the sorted keys (no index needed): the definition
 * refdata_index_find() must match. */
size_t refdata_index_find_sorted(refdata_index_keys keys, const char *key, const void **first);

void refdata_index_free(refdata_index *ix);

/* The indexes of a refdata (rd->ix): communes by INSEE code, former communes by code,
 * postal entries by postal code, names by key, départements, regions and EPCI by code, and
 * départements by folded name and by words (refdata_departement_words). The
 * first four come from the image when it holds them; the rest are made at load (about
 * 1,400 keys). */
typedef struct refdata_indexes {
    refdata_index communes, former, postal, names, deps, regions, epcis;
    refdata_index deps_by_key, deps_by_words; /* départements by folded name, by words */
} refdata_indexes;

/* The keys each index is made of (refdata.c builds them, cache.c stores the first four). */
#define REFDATA_KEYS_COMMUNES(rd) REFDATA_INDEX_KEYS((rd)->communes, (rd)->ncommunes, commune, insee)
#define REFDATA_KEYS_FORMER(rd)                                                                     \
    REFDATA_INDEX_KEYS((rd)->former, (rd)->nformer, refdata_former_commune, code)
#define REFDATA_KEYS_POSTAL(rd)                                                                     \
    REFDATA_INDEX_KEYS((rd)->postal, (rd)->npostal, refdata_postal_entry, postcode)
#define REFDATA_KEYS_NAMES(rd) REFDATA_INDEX_KEYS((rd)->names, (rd)->nnames, refdata_name_entry, key)
#define REFDATA_KEYS_DEPS(rd) REFDATA_INDEX_KEYS((rd)->deps, (rd)->ndeps, departement, code)
#define REFDATA_KEYS_REGIONS(rd) REFDATA_INDEX_KEYS((rd)->regions, (rd)->nregions, region, code)
#define REFDATA_KEYS_EPCIS(rd) REFDATA_INDEX_KEYS((rd)->epcis, (rd)->nepci, epci, code)
#define REFDATA_KEYS_DEPS_BY_KEY(rd) REFDATA_INDEX_KEYS((rd)->deps, (rd)->ndeps, departement, key)
#define REFDATA_KEYS_DEPS_BY_WORDS(rd)                                                      \
    REFDATA_INDEX_KEYS((rd)->deps, (rd)->ndeps, departement, words)


#endif
