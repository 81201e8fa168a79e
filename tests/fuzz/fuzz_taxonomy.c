/*
 * fuzz_taxonomy — the taxonomy parser (classify_taxonomy_load) on arbitrary bytes.
 *
 * classify_taxonomy_load() reads from a path: the input is written to an unlinked scratch file
 * (see fuzz_common.h). When the file loads, the taxonomy is used: every accessor, and
 * classify_text() on fixed French texts and on the input's own lines.
 */
#include "fuzz_common.h"

#include "classify/classify.h"
#include "core/util.h"

static ptce_ctx *ctx;
static fuzz_file scratch;

static const char *const texts[][2] = {
    {"Économie circulaire", "Ressourcerie, réemploi et réparation de vélos ; compost."},
    {"Agriculture / alimentation", "Maraîchage bio, légumerie et circuits courts."},
    {"", "Chantier d'insertion dans le bâtiment et l'éco-construction."},
    {"Culture", ""},
    {"", ""},
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = fuzz_context();
    fuzz_file_open(&scratch);
    return 0;
}

static void classify_one(const taxonomy *t, const char *theme, const char *desc)
{
    classification cl;
    if (classify_text(ctx, t, theme, desc, &cl) == PTCE_OK) {
        size_t n = sectors_count(t);
        if (cl.primary < 0 || (size_t)cl.primary >= n || cl.nsectors > SECTORS_MAX)
            abort();
        for (size_t i = 0; i < cl.nsectors; i++)
            if (cl.sectors[i] < 0 || (size_t)cl.sectors[i] >= n)
                abort();
        if (!(cl.score >= 0 && cl.score <= 1))
            abort();
        fuzz_touch(cl.sectors_text);
        fuzz_touch(cl.terms);
    }
    sectors_classification_free(&cl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file_set(&scratch, data, size);
    taxonomy *t = NULL;
    ptce_status st = classify_taxonomy_load(ctx, scratch.path, &t);
    fuzz_touch(ptce_ctx_error(ctx));
    if (st != PTCE_OK) {
        if (t)
            abort(); /* nothing is handed out on failure */
        return 0;
    }
    size_t n = sectors_count(t);
    if (n == 0 || n > SECTORS_MAX)
        abort();
    for (size_t i = 0; i < n; i++) {
        const char *id = sectors_id(t, i);
        fuzz_touch(sectors_label(t, i));
        fuzz_touch(sectors_color(t, i));
        const char *sh = sectors_short(t, i);
        if (strlen(sh) > 8)
            abort(); /* DBF field names n_<short> must fit in 10 characters */
        if (sectors_find(t, id) != (int)i)
            abort(); /* sector ids are unique */
    }
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        classify_one(t, texts[i][0], texts[i][1]);
    /* The census hands valid UTF-8 to the classifier: feed it the input when it is. */
    char *copy = malloc(size + 1);
    if (copy) {
        memcpy(copy, data, size);
        copy[size] = '\0';
        if (util_utf8_is_valid(copy, strlen(copy)))
            classify_one(t, copy, copy);
        free(copy);
    }
    classify_taxonomy_free(t);
    return 0;
}
