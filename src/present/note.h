/*
 * present/note.h — the French that users read about a placement: the geocoder's remarks
 * (model/remark.h) turned into the note of the geocode report (result_note), of the
 * points layer (`note`), of rejets.csv (`motif`) and of validate's report, and the advice
 * validate gives with them.
 *
 * Owns: every sentence said about a remark, in one place. Must not decide anything: what
 * a remark means, and how validate classifies it, is model/remark.h's table.
 * Allocation: the util_strbuf is the caller's; note_string() returns a string the caller frees.
 */
#ifndef PTCE_PRESENT_NOTE_H
#define PTCE_PRESENT_NOTE_H

#include "core/util.h"
#include "model/placement.h"

/* Appends one remark of `r` in French ("latitude et longitude inversées : corrigées"). */
void note_render_remark(util_strbuf *sb, const geo_result *r, const geo_remark *m);

/* Appends every remark of `r`, in order, joined by " ; " (nothing when it has none). */
void note_render(util_strbuf *sb, const geo_result *r);

/* The whole note as a new string ("" when there is no remark); NULL without memory. */
char *note_string(const geo_result *r);

/* What validate tells the analyst to do, in French, for an advice class. */
const char *note_advice_text(geo_advice advice);

#endif
