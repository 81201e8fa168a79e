/*
 * tests/fuzz/fuzz_note.h — what the geocoding harnesses check of a result's remarks: every
 * remark has a known code and field, and the French note made of them is valid UTF-8.
 */
#ifndef PTCE_FUZZ_NOTE_H
#define PTCE_FUZZ_NOTE_H

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "geocode/geocode.h"
#include "present/note.h"

static inline void fuzz_check_note(const geo_result *r)
{
    for (size_t i = 0; i < r->nremarks; i++)
        if ((unsigned)r->remarks[i].code >= GEO_REMARK_COUNT ||
            (unsigned)r->remarks[i].field >= GEO_FIELD_COUNT)
            abort();
    char *note = note_string(r);
    if (!note)
        return; /* out of memory: nothing to check */
    if (!utf8_is_valid(note, strlen(note)) || (r->nremarks > 0) != (note[0] != '\0'))
        abort();
    free(note);
}

#endif
