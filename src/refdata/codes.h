/*
 * refdata/codes.h — the syntax of French official codes, as people type them, without
 * looking anything up. Pure functions: what a code looks like is a fact of the reference
 * data, shared by the geocoder, validate and diff, so it is defined once here.
 */
#ifndef PTCE_REFDATA_CODES_H
#define PTCE_REFDATA_CODES_H

/* An INSEE commune code: "1053" → "01053" (*restored_zero set: spreadsheets drop the
 * leading zero), "2a004" → "2A004"; spaces and quotes ignored. False when not a plausible
 * INSEE code (whether it exists is refdata_commune()'s question). */
int refdata_clean_insee(const char *text, char out[6], int *restored_zero);

#endif
