/*
 * Invariants of the reference data in data/: what every later stage relies on.
 */
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <zlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "refdata/cache.h"
#include "refdata/codes.h"
#include "refdata/geofile.h"
#include "refdata/geomcodec.h"
#include "refdata/index.h"
#include "refdata/shapes.h"
#include "refdata/refdata.h"
#include "text/fold.h"
#include "write/writers.h"

#include "refdata_fixture.h"

/* The words of a département name as the geocoder made them before refdata kept them
 * (strtok_r and snprintf): the reference refdata_departement_words() must match. */
static void ref_departement_words(const char *key, char *out, size_t size)
{
    static const char *const little[] = {"le", "la", "les", "l", "de", "du", "des", "d", "et",
                                         NULL};
    static const char *const abbrev[][2] = {{"st", "saint"}, {"ste", "sainte"},
                                            {"sts", "saints"}, {"stes", "saintes"}};
    char buf[128];
    snprintf(buf, sizeof buf, "%s", key);
    size_t len = 0;
    out[0] = '\0';
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        int skip = 0;
        for (size_t i = 0; little[i] && !skip; i++)
            skip = strcmp(w, little[i]) == 0;
        if (skip)
            continue;
        const char *word = w;
        for (size_t i = 0; i < sizeof abbrev / sizeof *abbrev; i++)
            if (strcmp(w, abbrev[i][0]) == 0)
                word = abbrev[i][1];
        int wrote = snprintf(out + len, size - len, "%s%s", len ? " " : "", word);
        if (wrote < 0 || (size_t)wrote >= size - len)
            break;
        len += (size_t)wrote;
    }
}

static void check_words(const char *key, size_t size)
{
    char got[REFDATA_DEP_WORDS_MAX + 8], want[REFDATA_DEP_WORDS_MAX + 8];
    memset(got, 'x', sizeof got);
    refdata_departement_words(key, got, size);
    ref_departement_words(key, want, size);
    assert_string_equal(got, want);
}

/* Every département's and commune's key, and seeded random keys over the words the rule
 * looks at (little words, abbreviations, runs of spaces), some longer than the 127 bytes
 * read, into buffers of several sizes (cut words); the stored words are the départements'. */
static void departement_words_as_the_plain_rule(void **state)
{
    (void)state;
    for (size_t i = 0; i < rd.ndeps; i++) {
        check_words(rd.deps[i].key, REFDATA_DEP_WORDS_MAX);
        char want[REFDATA_DEP_WORDS_MAX];
        ref_departement_words(rd.deps[i].key, want, sizeof want);
        assert_string_equal(rd.deps[i].words, want);
        for (size_t j = 0; j < i; j++) /* the 101 stay distinct */
            assert_string_not_equal(rd.deps[i].words, rd.deps[j].words);
    }
    for (size_t i = 0; i < rd.ncommunes; i++)
        check_words(rd.communes[i].key, REFDATA_DEP_WORDS_MAX);
    static const char *const words[] = {"st", "ste", "sts", "stes", "le", "la", "les", "l",
                                        "de", "du", "des", "d", "et", "saint", "seine",
                                        "rhone", "s", "t", "sta", "lez", "marne", "x", "",
                                        "haute", "corse", "2a", "13"};
    static const size_t sizes[] = {REFDATA_DEP_WORDS_MAX, 1, 2, 6, 9, 17, 40};
    uint32_t seed = 2026;
    char key[400];
    for (size_t round = 0; round < 20000; round++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 16) % (round % 10 == 0 ? 60 : 8), len = 0;
        for (size_t k = 0; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *w = words[(seed >> 16) % (sizeof words / sizeof *words)];
            size_t spaces = 1 + ((seed >> 8) % 7 == 0);
            if (len + strlen(w) + spaces + 1 >= sizeof key)
                break;
            if (len || (seed >> 5) % 5 == 0)
                for (size_t sp = 0; sp < spaces; sp++)
                    key[len++] = ' ';
            memcpy(key + len, w, strlen(w));
            len += strlen(w);
        }
        key[len] = '\0';
        check_words(key, sizes[round % (sizeof sizes / sizeof *sizes)]);
    }
}

/* The communes outside the 18 regions found through their sorted index as a scan of the
 * table finds them: every row's code, every commune's, and codes that are none. */
static const char *scan_outside(const char *insee, const char **nom)
{
    for (size_t i = 0; i < refdata_outside_count(&rd); i++) {
        const char *code, *n;
        const char *coll = refdata_outside_row(&rd, i, &code, &n);
        if (strcmp(code, insee) == 0) {
            *nom = n;
            return coll;
        }
    }
    return NULL;
}

static void outside_collectivity_as_the_scan(void **state)
{
    (void)state;
    assert_true(refdata_outside_count(&rd) > 50);
    size_t found = 0;
    for (size_t pass = 0; pass < 3; pass++) {
        size_t n = pass == 0 ? refdata_outside_count(&rd) : pass == 1 ? rd.ncommunes : 4;
        for (size_t i = 0; i < n; i++) {
            const char *code, *nom;
            static const char *const none[] = {"", "00000", "97499", "99999"};
            if (pass == 0)
                refdata_outside_row(&rd, i, &code, &nom);
            else
                code = pass == 1 ? rd.communes[i].insee : none[i];
            const char *want_nom = NULL, *got_nom = NULL;
            const char *want = scan_outside(code, &want_nom);
            const char *got = refdata_outside_collectivity(&rd, code, &got_nom);
            assert_true(want == got && want_nom == got_nom);
            found += got != NULL;
        }
    }
    assert_int_equal(found, refdata_outside_count(&rd));
}

/* Every key of every indexed array, and keys that are none (a letter more, one less,
 * empty), give through the hash index exactly the range of the binary search: same first
 * entry, same count. */
static size_t check_index(const refdata_index *ix, refdata_index_keys keys)
{
    assert_true(keys.n == 0 || (ix->slots && ix->nslots >= 16 &&
                                (ix->nslots & (ix->nslots - 1)) == 0));
    size_t found = 0;
    char probe[256];
    for (size_t i = 0; i < keys.n; i++) {
        const char *key;
        memcpy(&key, (const char *)keys.base + i * keys.stride + keys.key_offset, sizeof key);
        for (int v = 0; v < 4; v++) {
            size_t len = strlen(key);
            assert_true(len + 2 < sizeof probe);
            memcpy(probe, key, len + 1);
            if (v == 1)
                memcpy(probe + len, "x", 2);
            else if (v == 2 && len > 0)
                probe[len - 1] = '\0';
            else if (v == 3)
                probe[0] = '\0';
            const void *got_first, *want_first;
            size_t got = refdata_index_find(ix, keys, probe, &got_first);
            size_t want = refdata_index_find_sorted(keys, probe, &want_first);
            assert_int_equal(got, want);
            if (want)
                assert_ptr_equal(got_first, want_first);
            found += v == 0 && got > 0;
        }
    }
    assert_int_equal(found, keys.n);
    return found;
}

static void check_indexes(const refdata *r)
{
    assert_non_null(r->ix);
    check_index(&r->ix->communes, REFDATA_KEYS_COMMUNES(r));
    check_index(&r->ix->former, REFDATA_KEYS_FORMER(r));
    check_index(&r->ix->postal, REFDATA_KEYS_POSTAL(r));
    check_index(&r->ix->names, REFDATA_KEYS_NAMES(r));
    check_index(&r->ix->deps, REFDATA_KEYS_DEPS(r));
    check_index(&r->ix->regions, REFDATA_KEYS_REGIONS(r));
    check_index(&r->ix->epcis, REFDATA_KEYS_EPCIS(r));
    /* Départements by name and by words: what the scan in code order finds, for every
     * département's and commune's key and their words, and variants that are none. */
    assert_non_null(r->ix->deps_by_key.slots);
    assert_non_null(r->ix->deps_by_words.slots);
    for (size_t i = 0; i < r->ncommunes + r->ndeps; i++) {
        const char *key = i < r->ndeps ? r->deps[i].key : r->communes[i - r->ndeps].key;
        char probes[3][REFDATA_DEP_WORDS_MAX + 8];
        snprintf(probes[0], sizeof probes[0], "%s", key);
        refdata_departement_words(key, probes[1], REFDATA_DEP_WORDS_MAX);
        size_t wl = strlen(probes[1]);
        memcpy(probes[2], probes[1], wl);
        memcpy(probes[2] + wl, "x", 2);
        for (int v = 0; v < 3; v++) {
            const departement *by_key = NULL, *by_words = NULL;
            for (size_t k = 0; k < r->ndeps && !(by_key && by_words); k++) {
                if (!by_key && strcmp(r->deps[k].key, probes[v]) == 0)
                    by_key = &r->deps[k];
                if (!by_words && strcmp(r->deps[k].words, probes[v]) == 0)
                    by_words = &r->deps[k];
            }
            assert_ptr_equal(refdata_departement_by_key(r, probes[v]), by_key);
            assert_ptr_equal(refdata_departement_by_words(r, probes[v]), by_words);
            if (i < r->ndeps && v < 2)
                assert_ptr_equal(v == 0 ? by_key : by_words, &r->deps[i]);
        }
    }
    /* Each commune's EPCI record is the look-up's. */
    size_t with_epci = 0;
    for (size_t i = 0; i < r->ncommunes; i++) {
        const commune *m = &r->communes[i];
        assert_true(m->epci_area == (m->epci[0] ? refdata_epci(r, m->epci) : NULL));
        with_epci += m->epci_area != NULL;
    }
    assert_true(with_epci > r->ncommunes / 2 && with_epci < r->ncommunes);
    /* A few through the public look-ups. */
    assert_string_equal(refdata_commune(r, "69123")->nom, "Lyon");
    assert_null(refdata_commune(r, "6912"));
    const refdata_name_entry *first;
    size_t n = refdata_names(r, "saint denis", &first);
    assert_true(n >= 2);
    for (size_t i = 1; i < n; i++) /* in the array's order: by INSEE code after the key */
        assert_true(strcmp(first[i - 1].commune->insee, first[i].commune->insee) <= 0);
}

static void indexes_give_the_binary_search_ranges(void **state)
{
    (void)state;
    /* The image's (the fixture's, when the build made one: its slots are the mapping's). */
    if (rd.cache_map)
        assert_null(rd.ix->communes.owned);
    check_indexes(&rd);
    /* Built at load from the tables. */
    refdata tables;
    assert_int_equal(refdata_load_tables(ctx, &tables), PTCE_OK);
    assert_non_null(tables.ix->names.owned);
    check_indexes(&tables);
    refdata_free(&tables);
}

static void counts_of_the_2026_cog(void **state)
{
    (void)state;
    size_t com = 0, arm = 0;
    for (size_t i = 0; i < rd.ncommunes; i++)
        if (rd.communes[i].kind == REFDATA_COMMUNE_CURRENT)
            com++;
        else
            arm++;
    /* COG 2026: 34,875 communes in the 18 regions (34,746 metropolitan + 129 DROM). */
    assert_int_equal(com, 34875);
    assert_int_equal(arm, 20 + 9 + 16);
    assert_int_equal(rd.ndeps, 101);
    assert_int_equal(rd.nregions, 18);
    assert_string_equal(rd.cog_year, "2026");
    assert_non_null(strstr(rd.credit, "GeoNames (CC BY 4.0)"));
    assert_non_null(strstr(rd.credit, "IGN – ADMIN EXPRESS COG 2018, via france-geojson (G. David)"));
    assert_non_null(strstr(rd.versions, "5d34ee6d0140c29f785fdb047d9329f1aab58833"));
}

static void every_commune_has_a_departement_a_region_and_a_point(void **state)
{
    (void)state;
    for (size_t i = 0; i < rd.ncommunes; i++) {
        const commune *m = &rd.communes[i];
        const departement *d = refdata_departement(&rd, m->dep);
        assert_non_null(d);
        assert_string_equal(d->reg, m->reg);
        assert_non_null(refdata_region(&rd, m->reg));
        assert_true(isfinite(m->lat) && isfinite(m->lon));
        assert_true(m->lat > -22 && m->lat < 52 && m->lon > -62 && m->lon < 56);
    }
}

/* The polygons (communes, départements, regions, EPCI) are checked in test_refdata_geo.c. */
static void regions_have_population_and_departements(void **state)
{
    (void)state;
    for (size_t i = 0; i < rd.nregions; i++) {
        assert_true(rd.regions[i].population > 0);
        assert_true(rd.regions[i].ndeps >= 1);
    }
}

static void stored_keys_are_what_text_fold_makes(void **state)
{
    (void)state;
    for (size_t i = 0; i < rd.ncommunes; i++) {
        char *key = text_fold(rd.communes[i].nom);
        assert_non_null(key);
        assert_string_equal(key, rd.communes[i].key);
        free(key);
    }
}

static void former_communes_point_to_current_ones(void **state)
{
    (void)state;
    assert_true(rd.nformer > 2000);
    for (size_t i = 0; i < rd.nformer; i++)
        assert_non_null(rd.former[i].current);
    /* 01015 is both Arboys en Bugey and its délégée Arbignieu: the current commune wins. */
    const commune *m = refdata_commune(&rd, "01015");
    assert_non_null(m);
    assert_string_equal(m->nom, "Arboys en Bugey");
}

static void postal_codes_and_homonyms(void **state)
{
    (void)state;
    const refdata_postal_entry *first;
    size_t n = refdata_postal(&rd, "75011", &first);
    assert_int_equal(n, 1);
    assert_string_equal(first->commune->insee, "75111");
    const refdata_name_entry *names;
    n = refdata_names(&rd, "saint denis", &names);
    int saw93 = 0, saw974 = 0;
    for (size_t i = 0; i < n; i++) {
        saw93 |= !strcmp(names[i].commune->insee, "93066");
        saw974 |= !strcmp(names[i].commune->insee, "97411");
    }
    assert_true(saw93 && saw974);
    const char *nom = NULL;
    assert_string_equal(refdata_outside_collectivity(&rd, "97701", &nom), "977");
}

/* Loads the tables into *tables and writes their image into a new folder made from the
 * template `dir`, at `image` (dir/refdata.bin). */
static void write_image(char *dir, char *image, size_t size, refdata *tables)
{
    assert_non_null(mkdtemp(dir));
    snprintf(image, size, "%s/refdata.bin", dir);
    assert_int_equal(refdata_load_tables(ctx, tables), PTCE_OK);
    assert_int_equal(refdata_cache_write(ctx, tables, ptce_data_dir(ctx), image, NULL), PTCE_OK);
}

/* The binary image gives exactly what the tables give, and a stale image is ignored. */
static void binary_image_matches_the_tables(void **state)
{
    (void)state;
    char dir[] = "/tmp/ptce-image-XXXXXX", image[4096];
    refdata tables;
    write_image(dir, image, sizeof image, &tables);
    const char *data = ptce_data_dir(ctx);
    refdata img;
    memset(&img, 0, sizeof img);
    img.geos = ctx->geos;
    assert_int_equal(refdata_cache_read(ctx, data, image, &img), 1);
    assert_int_equal(img.ncommunes, tables.ncommunes);
    assert_int_equal(img.nnames, tables.nnames);
    assert_int_equal(img.npostal, tables.npostal);
    assert_int_equal(img.nformer, tables.nformer);
    for (size_t i = 0; i < tables.ncommunes; i += 97) {
        assert_string_equal(img.communes[i].insee, tables.communes[i].insee);
        assert_string_equal(img.communes[i].nom, tables.communes[i].nom);
        assert_true(img.communes[i].lat == tables.communes[i].lat);
        assert_int_equal(img.communes[i].precision, tables.communes[i].precision);
    }
    for (size_t i = 0; i < tables.nnames; i += 101) {
        assert_string_equal(img.names[i].key, tables.names[i].key);
        assert_string_equal(img.names[i].commune->insee, tables.names[i].commune->insee);
        assert_int_equal(img.names[i].source, tables.names[i].source);
    }
    for (size_t i = 0; i < tables.npostal; i += 89)
        assert_string_equal(img.postal[i].commune->insee, tables.postal[i].commune->insee);
    assert_string_equal(img.regions[5].wkt_web, tables.regions[5].wkt_web);
    assert_string_equal(img.communes[7].contour, tables.communes[7].contour);
    assert_string_equal(img.communes[7].epci, tables.communes[7].epci);
    /* The indexes stored in the image give the binary search's ranges. */
    check_index(&img.ix->communes, REFDATA_KEYS_COMMUNES(&img));
    check_index(&img.ix->former, REFDATA_KEYS_FORMER(&img));
    check_index(&img.ix->postal, REFDATA_KEYS_POSTAL(&img));
    check_index(&img.ix->names, REFDATA_KEYS_NAMES(&img));
    assert_null(img.ix->names.owned);
    refdata_free(&img);
    /* An image of other tables (here: a truncated one) is stale, never trusted. */
    FILE *f = fopen(image, "r+b");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), 4096), 0);
    fclose(f);
    memset(&img, 0, sizeof img);
    assert_int_equal(refdata_cache_read(ctx, data, image, &img), 0);
    assert_null(img.communes);
    unlink(image);
    rmdir(dir);
    refdata_free(&tables);
}

/* Writing the image again while a run has it mapped (a rebuild, an update of data/ while
 * a build runs) must not touch the mapped file: a new file is renamed over it, the old
 * inode stays whole for the run that maps it, and no temporary file is left. */
static void image_rewritten_beside_a_run_that_maps_it(void **state)
{
    (void)state;
    char dir[] = "/tmp/ptce-image-XXXXXX", image[4096];
    refdata tables;
    write_image(dir, image, sizeof image, &tables);
    const char *data = ptce_data_dir(ctx);
    struct stat before, after;
    assert_int_equal(stat(image, &before), 0);
    refdata img;
    memset(&img, 0, sizeof img);
    img.geos = ctx->geos;
    assert_int_equal(refdata_cache_read(ctx, data, image, &img), 1);
    assert_int_equal(refdata_cache_write(ctx, &tables, data, image, NULL), PTCE_OK);
    assert_int_equal(stat(image, &after), 0);
    assert_true(after.st_ino != before.st_ino);
    assert_int_equal(after.st_size, before.st_size);
    /* The mapped image still reads: its last commune, far into the file. */
    size_t last = tables.ncommunes - 1;
    assert_string_equal(img.communes[last].nom, tables.communes[last].nom);
    refdata_free(&img);
    refdata_free(&tables);
    unlink(image);
    assert_int_equal(rmdir(dir), 0); /* empty: no temporary file left */
}

/* Copies data/NAME into dir/NAME (geom/ made first). */
static void copy_table(const char *from, const char *dir, const char *name)
{
    char src[4096], dst[4096];
    snprintf(src, sizeof src, "%s/%s", from, name);
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* Issue #16, item 17: the image's stamp covers every byte of every table. One byte changed
 * in the middle of communes.tsv (same size, far from its first and last 16 KiB: a corrected
 * commune point) makes the image stale; the same byte put back makes it good again. */
static void image_stale_when_a_table_changes_in_the_middle(void **state)
{
    (void)state;
    static const char *const tables[] = {"communes.tsv", "anciennes_communes.tsv",
                                         "codes_postaux.tsv", "departements.tsv",
                                         "regions.tsv", "geom/departements.geo.gz",
                                         "geom/regions.geo.gz", "departements_web_geom.tsv",
                                         "regions_web_geom.tsv", "epci.tsv",
                                         "geom/epci_web.geo.gz"};
    char dir[] = "/tmp/ptce-stamp-XXXXXX", sub[4096], image[4096], path[4096];
    assert_non_null(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/geom", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    const char *data = ptce_data_dir(ctx);
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++)
        copy_table(data, dir, tables[i]);
    refdata loaded;
    assert_int_equal(refdata_load_tables(ctx, &loaded), PTCE_OK);
    snprintf(image, sizeof image, "%s/refdata.bin", dir);
    assert_int_equal(refdata_cache_write(ctx, &loaded, dir, image, NULL), PTCE_OK);
    refdata_free(&loaded);
    refdata img;
    memset(&img, 0, sizeof img);
    img.geos = ctx->geos;
    assert_int_equal(refdata_cache_read(ctx, dir, image, &img), 1);
    refdata_free(&img);

    snprintf(path, sizeof path, "%s/communes.tsv", dir);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size > 200000);
    long at = size / 2;
    int c = 0;
    for (; at < size; at++) { /* a digit in the middle: a coordinate or a population */
        assert_int_equal(fseek(f, at, SEEK_SET), 0);
        c = fgetc(f);
        if (c >= '0' && c <= '8')
            break;
    }
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    fputc(c + 1, f);
    assert_int_equal(fclose(f), 0);
    memset(&img, 0, sizeof img);
    img.geos = ctx->geos;
    assert_int_equal(refdata_cache_read(ctx, dir, image, &img), 0);
    assert_null(img.communes);

    f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    fputc(c, f);
    assert_int_equal(fclose(f), 0);
    memset(&img, 0, sizeof img);
    img.geos = ctx->geos;
    assert_int_equal(refdata_cache_read(ctx, dir, image, &img), 1);
    refdata_free(&img);

    unlink(image);
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, tables[i]);
        unlink(path);
    }
    rmdir(sub);
    rmdir(dir);
}

/* The syntax of official codes (refdata/codes.h), shared by the geocoder, validate, diff
 * and the corrections: INSEE codes and the départements a postal prefix points to. */
static void codes_as_people_type_them(void **state)
{
    (void)state;
    char code[6], deps[2][4];
    int zero;
    assert_true(refdata_clean_insee("1053", code, &zero));
    assert_string_equal(code, "01053");
    assert_true(zero);
    assert_true(refdata_clean_insee(" 2a004 ", code, &zero));
    assert_string_equal(code, "2A004");
    assert_false(refdata_clean_insee("A004", code, &zero));
    assert_false(refdata_clean_insee("690123", code, &zero));
    assert_int_equal(refdata_postcode_departements("97400", deps), 1);
    assert_string_equal(deps[0], "974");
    assert_int_equal(refdata_postcode_departements("20090", deps), 2);
    assert_string_equal(deps[0], "2A");
    assert_string_equal(deps[1], "2B");
    assert_int_equal(refdata_postcode_departements("69002", deps), 1);
    assert_string_equal(deps[0], "69");
    assert_int_equal(refdata_postcode_departements("69", deps), 0);
    /* Every postal code La Poste lists points, by its prefix, to the département of one of
     * its communes, but for a few border codes: the prefix is La Poste's rule, not ours. */
    size_t agree = 0;
    for (size_t i = 0; i < rd.npostal; i++) {
        int n = refdata_postcode_departements(rd.postal[i].postcode, deps);
        for (int k = 0; k < n; k++)
            if (strcmp(deps[k], rd.postal[i].commune->dep) == 0) {
                agree++;
                break;
            }
    }
    assert_true(agree * 100 >= rd.npostal * 98);
}

/* The output bytes of the reference polygons stored in the image (refdata.bin of this
 * build, which the build always makes) are exactly what the writers' formatters give for
 * them now, polygon by polygon and format by format: the two cannot drift apart. Bytes are
 * only handed out for the very polygon they were made from. */
static void image_polygon_bytes_are_the_writers(void **state)
{
    (void)state;
    assert_non_null(rd.cache_map);
    assert_non_null(rd.prebuilt);
    assert_int_equal(rd.prebuilt_nformats, LAYER_POLYGON_FORMATS);
    uint64_t stamp = 0;
    assert_int_equal(writers_polygon_stamp(ctx, &stamp), PTCE_OK);
    assert_true(stamp == rd.prebuilt_stamp);
    util_strbuf sb;
    util_sb_init(&sb);
    size_t compared = 0, bytes = 0;
    for (int set = 0; set < REFDATA_POLYGON_SETS; set++) {
        size_t n = set <= REFDATA_POLYGONS_REGIONS_WEB ? rd.nregions
                   : set <= REFDATA_POLYGONS_DEPARTEMENTS_WEB ? rd.ndeps : rd.nepci;
        refdata_area_kind kind = set <= REFDATA_POLYGONS_REGIONS_WEB ? REFDATA_AREA_REGION
                                 : set <= REFDATA_POLYGONS_DEPARTEMENTS_WEB
                                     ? REFDATA_AREA_DEPARTEMENT
                                     : REFDATA_AREA_EPCI;
        assert_int_equal(rd.prebuilt_count[set], n);
        assert_true(n > 0);
        for (size_t i = 0; i < n; i++) {
            const GEOSGeometry *g =
                set == REFDATA_POLYGONS_REGIONS ? refdata_region_geom(ctx, &rd, &rd.regions[i])
                : set == REFDATA_POLYGONS_REGIONS_WEB
                    ? refdata_region_web_geom(ctx, &rd, &rd.regions[i])
                : set == REFDATA_POLYGONS_DEPARTEMENTS
                    ? refdata_departement_geom(ctx, &rd, &rd.deps[i])
                : set == REFDATA_POLYGONS_DEPARTEMENTS_WEB
                    ? refdata_departement_web_geom(ctx, &rd, &rd.deps[i])
                    : refdata_epci_web_geom(ctx, &rd, &rd.epcis[i]);
            assert_non_null(g);
            for (int f = 0; f < LAYER_POLYGON_FORMATS; f++) {
                size_t len = 0;
                const unsigned char *stored = refdata_polygon_bytes(&rd, kind, i, g, f, &len);
                assert_non_null(stored);
                sb.len = 0;
                assert_int_equal(writers_polygon_bytes(ctx, g, (layer_polygon_format)f, &sb),
                                 PTCE_OK);
                assert_false(sb.failed);
                assert_int_equal(len, sb.len);
                assert_memory_equal(stored, sb.data, len);
                compared++;
                bytes += len;
            }
        }
    }
    /* Given back to the system once written, the bytes are still there when asked again
     * (read again from the image). */
    refdata_polygon_bytes_done(&rd, REFDATA_AREA_DEPARTEMENT, rd.deps[0].geom, LAYER_POLYGON_GEOJSON);
    for (size_t i = 0; i < rd.ndeps; i++) {
        size_t len = 0;
        const unsigned char *stored = refdata_polygon_bytes(&rd, REFDATA_AREA_DEPARTEMENT, i,
                                                            rd.deps[i].geom, LAYER_POLYGON_GEOJSON,
                                                            &len);
        sb.len = 0;
        assert_int_equal(writers_polygon_bytes(ctx, rd.deps[i].geom, LAYER_POLYGON_GEOJSON, &sb),
                         PTCE_OK);
        assert_non_null(stored);
        assert_int_equal(len, sb.len);
        assert_memory_equal(stored, sb.data, len);
    }
    util_sb_free(&sb);
    assert_int_equal(compared, (2 * rd.nregions + 2 * rd.ndeps + rd.nepci) * LAYER_POLYGON_FORMATS);
    assert_true(bytes > 10u * 1000 * 1000); /* the IGN outlines: megabytes, not a stub */
    /* Another polygon (a copy), another area's index, a format past the last: nothing. */
    GEOSGeometry *copy = GEOSGeom_clone_r(ctx->geos, refdata_region_geom(ctx, &rd, &rd.regions[0]));
    size_t len = 0;
    assert_null(refdata_polygon_bytes(&rd, REFDATA_AREA_REGION, 0, copy, 0, &len));
    GEOSGeom_destroy_r(ctx->geos, copy);
    assert_null(refdata_polygon_bytes(&rd, REFDATA_AREA_REGION, 1, rd.regions[0].geom, 0, &len));
    assert_null(refdata_polygon_bytes(&rd, REFDATA_AREA_DEPARTEMENT, 0, rd.regions[0].geom, 0, &len));
    assert_null(refdata_polygon_bytes(&rd, REFDATA_AREA_REGION, 0, rd.regions[0].geom,
                                      LAYER_POLYGON_FORMATS, &len));
}

/* The formatters' fingerprint is the same on every call, and the formats are what their
 * names say (layer_polygon_format): GeoJSON with its bbox at 6 decimals, the web map's at
 * 3, counter-clockwise shells. */
static void polygon_stamp_and_formats(void **state)
{
    (void)state;
    uint64_t a = 0, b = 1;
    assert_int_equal(writers_polygon_stamp(ctx, &a), PTCE_OK);
    assert_int_equal(writers_polygon_stamp(ctx, &b), PTCE_OK);
    assert_true(a == b);
    GEOSWKTReader *r = GEOSWKTReader_create_r(ctx->geos);
    GEOSGeometry *g = GEOSWKTReader_read_r(ctx->geos, r,
                                           "POLYGON((2.1234565 48.85, 2.2 48.85, 2.2 48.9, "
                                           "2.1234565 48.85))");
    GEOSWKTReader_destroy_r(ctx->geos, r);
    util_strbuf gj, web;
    util_sb_init(&gj);
    util_sb_init(&web);
    assert_int_equal(writers_polygon_bytes(ctx, g, LAYER_POLYGON_GEOJSON, &gj), PTCE_OK);
    assert_int_equal(writers_polygon_bytes(ctx, g, LAYER_POLYGON_WEB, &web), PTCE_OK);
    util_sb_append_char(&gj, '\0');
    util_sb_append_char(&web, '\0');
    /* Counter-clockwise (RFC 7946), 6 decimals, the tie rounded as printf does; its bbox. */
    assert_string_equal(gj.data, "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[2.123457,48.85],"
                                 "[2.2,48.85],[2.2,48.9],[2.123457,48.85]]]]},\"bbox\":[2.123457,"
                                 "48.85,2.2,48.9]");
    assert_string_equal(web.data, "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[2.123,48.85],"
                                  "[2.2,48.85],[2.2,48.9],[2.123,48.85]]]]}");
    util_sb_free(&gj);
    util_sb_free(&web);
    GEOSGeom_destroy_r(ctx->geos, g);
}

/* ---- the polygons of data/geom/ decoded in the image ------------------------------------- */

/* Whether two rings have the same vertices: their count and every x and y, bit for bit
 * (the same doubles: orientation and first vertex included). */
static int same_ring(const GEOSGeometry *a, const GEOSGeometry *b)
{
    const GEOSCoordSequence *ca = GEOSGeom_getCoordSeq_r(ctx->geos, a),
                            *cb = GEOSGeom_getCoordSeq_r(ctx->geos, b);
    unsigned na = 0, nb = 0;
    if (!ca || !cb || !GEOSCoordSeq_getSize_r(ctx->geos, ca, &na) ||
        !GEOSCoordSeq_getSize_r(ctx->geos, cb, &nb) || na != nb || na < 4)
        return 0;
    for (unsigned i = 0; i < na; i++) {
        double xa, ya, xb, yb;
        GEOSCoordSeq_getXY_r(ctx->geos, ca, i, &xa, &ya);
        GEOSCoordSeq_getXY_r(ctx->geos, cb, i, &xb, &yb);
        if (memcmp(&xa, &xb, sizeof xa) != 0 || memcmp(&ya, &yb, sizeof ya) != 0)
            return 0;
    }
    return 1;
}

/* Same type, same polygons in the same order, same rings in the same order, same vertices;
 * the number of vertices compared is added to *nvertices. */
static int same_geometry(const GEOSGeometry *a, const GEOSGeometry *b, size_t *nvertices)
{
    int type = GEOSGeomTypeId_r(ctx->geos, a);
    if (type != GEOSGeomTypeId_r(ctx->geos, b) ||
        (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON))
        return 0;
    int n = GEOSGetNumGeometries_r(ctx->geos, a);
    if (n != GEOSGetNumGeometries_r(ctx->geos, b))
        return 0;
    for (int i = 0; i < n; i++) {
        const GEOSGeometry *pa = GEOSGetGeometryN_r(ctx->geos, a, i),
                           *pb = GEOSGetGeometryN_r(ctx->geos, b, i);
        int holes = GEOSGetNumInteriorRings_r(ctx->geos, pa);
        if (holes != GEOSGetNumInteriorRings_r(ctx->geos, pb) ||
            !same_ring(GEOSGetExteriorRing_r(ctx->geos, pa), GEOSGetExteriorRing_r(ctx->geos, pb)))
            return 0;
        for (int k = 0; k < holes; k++)
            if (!same_ring(GEOSGetInteriorRingN_r(ctx->geos, pa, k),
                           GEOSGetInteriorRingN_r(ctx->geos, pb, k)))
                return 0;
        *nvertices += (size_t)GEOSGetNumCoordinates_r(ctx->geos, pa);
    }
    return 1;
}

/* Every line of data/geom/<name> through the image's decoded copy and through the gzip
 * text: the same codes in the same order and the same geometries. Returns the lines. */
static size_t compare_geofile(refdata *r, const char *name, size_t *nvertices)
{
    refdata_geofile_reader img, txt;
    assert_int_equal(refdata_geofile_open(ctx, r, name, true, &img), PTCE_OK);
    assert_int_equal(refdata_geofile_open(ctx, r, name, false, &txt), PTCE_OK);
    assert_true(refdata_geofile_from_image(&img));
    assert_false(refdata_geofile_from_image(&txt));
    size_t lines = 0;
    for (;;) {
        const char *ci = NULL, *ct = NULL;
        int gi = refdata_geofile_next(&img, &ci), gt = refdata_geofile_next(&txt, &ct);
        assert_int_equal(gi, gt);
        if (!gi)
            break;
        assert_non_null(ci);
        assert_non_null(ct);
        assert_string_equal(ci, ct);
        assert_int_equal(img.line, txt.line);
        GEOSGeometry *a = refdata_geofile_geometry(ctx, &img), *b = refdata_geofile_geometry(ctx, &txt);
        assert_non_null(a);
        assert_non_null(b);
        if (!same_geometry(a, b, nvertices))
            fail_msg("%s, ligne %zu (%s) : géométries différentes", name, txt.line, ct);
        GEOSGeom_destroy_r(ctx->geos, a);
        GEOSGeom_destroy_r(ctx->geos, b);
        lines++;
    }
    refdata_geofile_close(&img);
    refdata_geofile_close(&txt);
    return lines;
}

/* The image's decoded polygons are the gzip text's, line by line and coordinate by
 * coordinate: the communes of a few départements (mainland, Corsica, Paris, overseas:
 * holes and multipolygons among them), the EPCI's web outlines, the départements' and
 * regions' outlines. */
static void image_polygons_are_the_texts(void **state)
{
    (void)state;
    assert_non_null(rd.geo);
    assert_true(rd.geo_nfiles >= rd.ndeps + 1);
    static const struct {
        const char *name;
        size_t lines; /* as `zcat | wc -l` counts them */
    } files[] = {{"communes-01.geo.gz", 391}, {"communes-2A.geo.gz", 124},
                 {"communes-75.geo.gz", 1},   {"communes-29.geo.gz", 277},
                 {"communes-974.geo.gz", 24}, {"communes-976.geo.gz", 17},
                 {"epci_web.geo.gz", 1255}, {"departements.geo.gz", 101},
                 {"regions.geo.gz", 18}};
    size_t vertices = 0;
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        assert_int_equal(compare_geofile(&rd, files[i].name, &vertices), files[i].lines);
    assert_true(vertices > 50000); /* the IGN outlines, not a handful of boxes */
    print_message("%zu vertices compared\n", vertices);
}

/* Through the public lookups: the commune polygons of a refdata loaded from the image are
 * those of one loaded from the tables (the text), before and after
 * refdata_release_polygons(); the image's were really read from the image. */
static void commune_polygons_same_from_image_and_text(void **state)
{
    (void)state;
    refdata text;
    assert_int_equal(refdata_load_tables(ctx, &text), PTCE_OK);
    assert_null(text.geo);
    /* The départements' boxes the image gives for placing points are the envelopes of
     * their polygons, bit for bit; the tables give none (the polygons are parsed). */
    for (size_t i = 0; i < rd.ndeps; i++) {
        assert_true(rd.deps[i].has_box);
        assert_false(text.deps[i].has_box);
        const GEOSGeometry *g = refdata_departement_geom(ctx, &text, &text.deps[i]);
        double box[4];
        assert_non_null(g);
        assert_true(GEOSGeom_getXMin_r(ctx->geos, g, &box[0]) &&
                    GEOSGeom_getYMin_r(ctx->geos, g, &box[1]) &&
                    GEOSGeom_getXMax_r(ctx->geos, g, &box[2]) &&
                    GEOSGeom_getYMax_r(ctx->geos, g, &box[3]));
        assert_memory_equal(box, rd.deps[i].box, sizeof box);
    }
    static const char *const deps[] = {"2B", "13", "971"};
    for (int round = 0; round < 2; round++) {
        size_t compared = 0, vertices = 0;
        for (size_t i = 0; i < rd.ncommunes; i++) {
            const commune *m = &rd.communes[i];
            int wanted = 0;
            for (size_t k = 0; k < sizeof deps / sizeof *deps; k++)
                wanted |= strcmp(m->dep, deps[k]) == 0;
            if (!wanted || strcmp(m->contour, m->insee) != 0)
                continue;
            const GEOSGeometry *a = refdata_commune_geom(ctx, &rd, m);
            const GEOSGeometry *b = refdata_commune_geom(ctx, &text, refdata_commune(&text, m->insee));
            assert_non_null(a);
            assert_non_null(b);
            if (!same_geometry(a, b, &vertices))
                fail_msg("commune %s : polygones différents", m->insee);
            compared++;
        }
        assert_true(compared > 300);
        assert_int_equal(refdata_shapes_departements_read(&rd), 3);
        assert_int_equal(refdata_shapes_departements_from_image(&rd), 3);
        assert_int_equal(refdata_shapes_departements_from_image(&text), 0);
        refdata_release_polygons(&rd); /* and read again */
        refdata_release_polygons(&text);
    }
    refdata_free(&text);
}

/* A data/geom/ file changed since the image was made (here: the same text compressed
 * otherwise) is read as text; the others still come from the image. A damaged record of
 * the image is said, naming what to do, not trusted. */
static void image_polygons_stale_or_damaged(void **state)
{
    (void)state;
    char dir[] = "/tmp/ptce-geo-XXXXXX", path[4096], from[4096];
    assert_non_null(mkdtemp(dir));
    const char *data = ptce_data_dir(ctx);
    char *saved = strdup(data);
    /* The data folder as links, geom/ too but for one file. */
    static const char *const top[] = {"communes.tsv", "anciennes_communes.tsv",
                                      "codes_postaux.tsv", "departements.tsv", "regions.tsv",
                                      "departements_web_geom.tsv", "regions_web_geom.tsv",
                                      "epci.tsv", "meta.tsv", "hors_regions.tsv"};
    for (size_t i = 0; i < sizeof top / sizeof *top; i++) {
        snprintf(from, sizeof from, "%s/%s", data, top[i]);
        snprintf(path, sizeof path, "%s/%s", dir, top[i]);
        assert_int_equal(symlink(from, path), 0);
    }
    snprintf(path, sizeof path, "%s/geom", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    for (size_t i = 0; i < rd.geo_nfiles; i++) { /* départements and regions among them */
        const char *name = ((const refdata_cache_geofile *)rd.geo)[i].name;
        snprintf(from, sizeof from, "%s/geom/%s", data, name);
        snprintf(path, sizeof path, "%s/geom/%s", dir, name);
        if (strcmp(name, "communes-2B.geo.gz") == 0) {
            size_t len = 0;
            char *text = geomcodec_read_gz(from, &len);
            assert_non_null(text);
            gzFile f = gzopen(path, "wb1");
            assert_non_null(f);
            assert_int_equal(gzwrite(f, text, (unsigned)len), (int)len);
            assert_int_equal(gzclose(f), Z_OK);
            free(text);
        } else {
            assert_int_equal(symlink(from, path), 0);
        }
    }
    assert_int_equal(ptce_ctx_set_data_dir(ctx, dir), PTCE_OK);
    refdata other;
    assert_int_equal(refdata_load(ctx, &other), PTCE_OK);
    assert_non_null(other.geo); /* the build's image: the tables are the same */
    size_t vertices = 0;
    assert_true(compare_geofile(&other, "communes-2A.geo.gz", &vertices) > 100);
    refdata_geofile_reader r;
    assert_int_equal(refdata_geofile_open(ctx, &other, "communes-2B.geo.gz", true, &r), PTCE_OK);
    assert_false(refdata_geofile_from_image(&r));
    refdata_geofile_close(&r);
    const commune *m2a = refdata_commune(&other, "2A004"), *m2b = refdata_commune(&other, "2B033");
    assert_non_null(refdata_commune_geom(ctx, &other, m2a));
    assert_non_null(refdata_commune_geom(ctx, &other, m2b));
    assert_int_equal(refdata_shapes_departements_read(&other), 2);
    assert_int_equal(refdata_shapes_departements_from_image(&other), 1);
    refdata_free(&other);

    /* A copy of the image with one ring pointing past its file's vertices. */
    char image[4096];
    snprintf(image, sizeof image, "%s/refdata.bin", dir);
    FILE *out = fopen(image, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(rd.cache_map, 1, rd.cache_size, out), rd.cache_size);
    const refdata_cache_geofile *f0 = (const refdata_cache_geofile *)rd.geo;
    const unsigned char *rings = (const unsigned char *)refdata_cache_geoentry_at(&rd, rd.geo_nentries);
    long at = (long)(rings - (const unsigned char *)rd.cache_map) + 8L * (long)(f0->first_ring + 1);
    uint32_t bad = (uint32_t)(f0->first_vertex + f0->nvertices);
    assert_int_equal(fseek(out, at, SEEK_SET), 0);
    assert_int_equal(fwrite(&bad, sizeof bad, 1, out), 1);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(refdata_load(ctx, &other), PTCE_OK); /* dir/refdata.bin first */
    assert_non_null(other.geo);
    assert_int_equal(refdata_geofile_open(ctx, &other, f0->name, true, &r), PTCE_ERR_DATA);
    assert_non_null(strstr(ptce_ctx_error(ctx), "incohérente"));
    assert_non_null(strstr(ptce_ctx_error(ctx), f0->name));
    refdata_geofile_close(&r);
    refdata_free(&other);

    assert_int_equal(ptce_ctx_set_data_dir(ctx, saved), PTCE_OK);
    free(saved);
    unlink(image);
    for (size_t i = 0; i < rd.geo_nfiles; i++) { /* départements and regions among them */
        const char *name = ((const refdata_cache_geofile *)rd.geo)[i].name;
        snprintf(path, sizeof path, "%s/geom/%s", dir, name);
        unlink(path);
    }
    for (size_t i = 0; i < sizeof top / sizeof *top; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, top[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/geom", dir);
    assert_int_equal(rmdir(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_of_the_2026_cog),
        cmocka_unit_test(every_commune_has_a_departement_a_region_and_a_point),
        cmocka_unit_test(regions_have_population_and_departements),
        cmocka_unit_test(stored_keys_are_what_text_fold_makes),
        cmocka_unit_test(former_communes_point_to_current_ones),
        cmocka_unit_test(postal_codes_and_homonyms),
        cmocka_unit_test(codes_as_people_type_them),
        cmocka_unit_test(departement_words_as_the_plain_rule),
        cmocka_unit_test(outside_collectivity_as_the_scan),
        cmocka_unit_test(indexes_give_the_binary_search_ranges),
        cmocka_unit_test(binary_image_matches_the_tables),
        cmocka_unit_test(image_rewritten_beside_a_run_that_maps_it),
        cmocka_unit_test(image_stale_when_a_table_changes_in_the_middle),
        cmocka_unit_test(image_polygon_bytes_are_the_writers),
        cmocka_unit_test(polygon_stamp_and_formats),
        cmocka_unit_test(image_polygons_are_the_texts),
        cmocka_unit_test(commune_polygons_same_from_image_and_text),
        cmocka_unit_test(image_polygons_stale_or_damaged),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
