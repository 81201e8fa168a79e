/*
 * refdata/codes.h — the syntax of French official codes, as people type them, without
 * looking anything up. Pure functions: what a code looks like is a fact of the reference
 * data, shared by the geocoder, validate and diff, so it is defined once here.
 */
#ifndef PTCE_REFDATA_CODES_H
#define PTCE_REFDATA_CODES_H

#include <stddef.h>

/* A code that a spreadsheet exported as a number: 4 or 5 digits, then a decimal point or
 * comma and zeros only ("56152.0", "1053,00"), blanks around. Writes the digits into
 * `digits` and returns 1; 0 when `text` is not such a number ("1053.5" is no code). */
int refdata_code_number(const char *text, char digits[6]);

/* An INSEE commune code: "1053" → "01053" (*restored_zero set: spreadsheets drop the
 * leading zero), "2a004" → "2A004", "56152.0" → "56152" (refdata_code_number); spaces
 * and quotes ignored. False when not a plausible INSEE code (whether it exists is
 * refdata_commune()'s question). */
int refdata_clean_insee(const char *text, char out[6], int *restored_zero);

/* The département codes a postal code's first digits point to, as La Poste assigns them:
 * "97" and a third digit for the overseas départements ("97400" → "974"), "20" for both
 * Corsican départements ("2A", "2B"), else the first two digits ("69002" → "69"). Writes
 * them into `out` and returns how many (1 or 2); 0 when `postcode` has fewer than three
 * characters. Says nothing of whether La Poste knows the code (refdata_postal does). */
int refdata_postcode_departements(const char *postcode, char out[2][4]);

/* The overseas collectivity (hors des 18 régions: "975" Saint-Pierre-et-Miquelon, "977"
 * Saint-Barthélemy, "978" Saint-Martin, "986" Wallis-et-Futuna, "987" Polynésie française,
 * "988" Nouvelle-Calédonie) whose postal code this is, as La Poste assigns them ("97133" is
 * Saint-Barthélemy's, "97150" Saint-Martin's: their prefix is Guadeloupe's but they are not
 * in Guadeloupe since 2007). NULL for a code of the 101 départements (or none). */
const char *refdata_postcode_collectivity(const char *postcode);

/* The name of an overseas collectivity's code ("977" → "Saint-Barthélemy"), NULL if none. */
const char *refdata_collectivity_name(const char *code);

/* A département name's words for comparison: a folded key in (text_fold), abbreviations
 * expanded, articles and little words out ("seine st denis" → "seine saint denis",
 * "reunion la" → "reunion", "bouches du rhone" → "bouches rhone"); words joined by one
 * space. At most the first REFDATA_DEP_WORDS_MAX - 1 bytes of `key` are read, and `out`
 * (`size` bytes) gets the words cut at size - 1 bytes. The 101 names stay distinct
 * (tested). refdata_load() keeps each département's in departement.words. */
#define REFDATA_DEP_WORDS_MAX 128
void refdata_departement_words(const char *key, char *out, size_t size);

#endif
