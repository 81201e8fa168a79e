/*
 * tests/fuzz/fuzz_note.h — what the geocoding harnesses check of a result's remarks: every
 * remark has a known code and field, the French note made of them is there exactly when a
 * remark is, and it is valid UTF-8 when what the geocoder was given is (the census reader
 * hands it nothing else; the harnesses also feed raw bytes).
 */
#ifndef PTCE_FUZZ_NOTE_H
#define PTCE_FUZZ_NOTE_H

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "geocode/geocode.h"
#include "present/note.h"

static inline void fuzz_check_note(const geo_result *r, int input_is_utf8)
{
    for (size_t i = 0; i < r->nremarks; i++)
        if ((unsigned)r->remarks[i].code >= GEO_REMARK_COUNT ||
            (unsigned)r->remarks[i].field >= GEO_FIELD_COUNT)
            abort();
    char *note = note_string(r);
    if (!note)
        return; /* out of memory: nothing to check */
    if ((input_is_utf8 && !util_utf8_is_valid(note, strlen(note))) ||
        (r->nremarks > 0) != (note[0] != '\0'))
        abort();
    free(note);
}

#endif
