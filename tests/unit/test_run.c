/*
 * tests/unit/test_run.c — app/run.c's second core: placing and classifying at once
 * (run_geocode_and_classify) and the classification in two halves (run_classify) give the
 * rows the one-thread order gives, field by field, with a thread and without one; a
 * failure of the classification is reported, and a placement failure comes first.
 *
 * This program is linked with --wrap=pthread_create and --wrap=malloc (tests/CMakeLists.txt):
 * the test refuses every thread to take the inline path, counts the threads started to know
 * the other path was taken, can let a thread finish its work before its starter goes on,
 * and fails the allocations of the threads it started.
 */
#include "testutil.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

#include "app/run.h"

/* ---- the seams: test state, this program's only ---------------------------------------- */

static int refuse_threads;     /* pthread_create fails with EAGAIN */
static int threads_started;    /* pthread_create calls that started a thread */
static int fail_thread_allocs; /* malloc fails on every thread but the main one */
static pthread_t main_thread;

static int finish_threads_first; /* pthread_create returns once the thread's work is done */

/* The thread's work, then a word to the thread that started it (finish_threads_first). */
static struct {
    void *(*fn)(void *);
    void *arg;
    sem_t done;
} first;

static void *run_first(void *unused)
{
    (void)unused;
    void *r = first.fn(first.arg);
    sem_post(&first.done);
    return r;
}

int __real_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
    if (refuse_threads)
        return EAGAIN;
    if (finish_threads_first) {
        first.fn = fn;
        first.arg = arg;
        sem_init(&first.done, 0, 0);
        fn = run_first;
    }
    int r = __real_pthread_create(t, a, fn, arg);
    if (r == 0)
        threads_started++;
    if (r == 0 && finish_threads_first)
        while (sem_wait(&first.done) != 0)
            continue;
    return r;
}

void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_malloc(size_t n)
{
    if (fail_thread_allocs && !pthread_equal(pthread_self(), main_thread))
        return NULL;
    return __real_malloc(n);
}

/* ---- a census large enough to be cut in two -------------------------------------------- */

static char census_path[64];

/* The sample census three times over (693 rows; its texts and places repeat, as a real
 * census's do): past run.c's RUN_CLASSIFY_SPLIT_MIN_ROWS, and every row placed or
 * rejected in its own way. */
static int setup(void **state)
{
    (void)state;
    main_thread = pthread_self();
    char sample[4096];
    snprintf(sample, sizeof sample, "%s/sample/census-sample.csv", getenv("PTCE_MAP_DATA"));
    FILE *in = fopen(sample, "rb");
    if (!in)
        return -1;
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text, in);
    fclose(in);
    char *body = memchr(text, '\n', n);
    if (!body || n == sizeof text)
        return -1;
    body++;
    snprintf(census_path, sizeof census_path, "/tmp/ptce-test-run-XXXXXX");
    int fd = mkstemp(census_path);
    if (fd < 0)
        return -1;
    FILE *out = fdopen(fd, "wb");
    fwrite(text, 1, n, out);
    for (int k = 0; k < 2; k++)
        fwrite(body, 1, n - (size_t)(body - text), out);
    return fclose(out) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    unlink(census_path);
    return 0;
}

/* ---- what the one-thread order gives ---------------------------------------------------- */

static void load(ptce_ctx *ctx, const run_options *ro, ptce_run *run)
{
    if (run_load(ctx, ro, run))
        fail_msg("%s: %s", ro->census_path, ptce_ctx_error(ctx));
}

/* Each row placed by run_geocode, then classified by classify_text itself, in order. */
static void reference(ptce_ctx *ctx, ptce_run *ref)
{
    run_options ro = {.census_path = census_path};
    load(ctx, &ro, ref);
    assert_true(ref->nrows >= 512); /* RUN_CLASSIFY_SPLIT_MIN_ROWS */
    assert_int_equal(run_geocode(ctx, ref), PTCE_OK);
    for (size_t i = 0; i < ref->nrows; i++)
        assert_int_equal(classify_text(ctx, ref->tax,
                                       census_value(&ref->census, ref->rows[i].rec,
                                                    CENSUS_ROLE_THEME),
                                       census_value(&ref->census, ref->rows[i].rec,
                                                    CENSUS_ROLE_DESCRIPTION),
                                       &ref->rows[i].cls),
                         PTCE_OK);
}

static void assert_same_classification(const classification *a, const classification *b)
{
    assert_int_equal(a->primary, b->primary);
    assert_int_equal(a->runner_up, b->runner_up);
    assert_memory_equal(&a->score, &b->score, sizeof a->score);
    assert_int_equal(a->nsectors, b->nsectors);
    assert_non_null(a->sectors);
    assert_memory_equal(a->sectors, b->sectors, a->nsectors * sizeof *a->sectors);
    assert_int_equal(a->nscores, b->nscores);
    assert_memory_equal(a->scores, b->scores, a->nscores * sizeof *a->scores);
    assert_string_equal(a->sectors_text, b->sectors_text);
    assert_string_equal(a->terms, b->terms);
}

static void assert_same_string(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void assert_same_placement(const geo_result *a, const geo_result *b)
{
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->type, b->type);
    assert_memory_equal(&a->score, &b->score, sizeof a->score);
    assert_ptr_equal(a->commune, b->commune);
    assert_ptr_equal(a->dep, b->dep);
    assert_ptr_equal(a->reg, b->reg);
    assert_same_string(a->postcode, b->postcode);
    assert_memory_equal(&a->lat, &b->lat, sizeof a->lat);
    assert_memory_equal(&a->lon, &b->lon, sizeof a->lon);
    assert_int_equal(a->accuracy, b->accuracy);
    assert_same_string(a->precision, b->precision);
    assert_ptr_equal(a->former, b->former);
    assert_int_equal(a->ncandidates, b->ncandidates);
    if (a->ncandidates)
        assert_memory_equal(a->candidates, b->candidates, a->ncandidates * sizeof *a->candidates);
    assert_int_equal(a->nremarks, b->nremarks);
    for (size_t k = 0; k < a->nremarks; k++) {
        assert_int_equal(a->remarks[k].code, b->remarks[k].code);
        assert_int_equal(a->remarks[k].field, b->remarks[k].field);
        for (size_t t = 0; t < 3; t++)
            assert_same_string(a->remarks[k].text[t], b->remarks[k].text[t]);
    }
}

static void assert_same_rows(const ptce_run *a, const ptce_run *ref, int placed)
{
    assert_int_equal(a->nrows, ref->nrows);
    if (placed) {
        assert_int_equal(a->nplaced, ref->nplaced);
        assert_int_equal(a->nambiguous, ref->nambiguous);
        assert_int_equal(a->nrejected, ref->nrejected);
    }
    for (size_t i = 0; i < a->nrows; i++) {
        if (placed)
            assert_same_placement(&a->rows[i].geo, &ref->rows[i].geo);
        assert_same_classification(&a->rows[i].cls, &ref->rows[i].cls);
        /* A classification copied from an earlier row with the same texts (every text of
         * this census repeats) is a block of its own: run_free frees each once. */
        for (size_t j = 0; j < i; j++)
            assert_ptr_not_equal(a->rows[i].cls.scores, a->rows[j].cls.scores);
    }
}

/* ---- the same rows with a thread and without ------------------------------------------- */

static void same_rows_threaded_and_inline(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    ptce_run ref;
    reference(ctx, &ref);
    assert_true(ref.nplaced > 0 && ref.nrejected > 0); /* both kinds of placement */
    /* One load of the reference data: the placements point into the same tables. */
    run_options ro = {.census_path = census_path, .shared_refdata = ref.rd};
    for (int inline_path = 0; inline_path < 2; inline_path++) {
        refuse_threads = inline_path;
        ptce_run a, b, c;

        /* Placing and classifying at once. */
        threads_started = 0;
        load(ctx, &ro, &a);
        assert_int_equal(run_geocode_and_classify(ctx, &a, NULL), PTCE_OK);
        assert_int_equal(threads_started, inline_path ? 0 : 1);
        assert_same_rows(&a, &ref, 1);

        /* The other year of diff: every place and text of `a` again, copied from it. */
        threads_started = 0;
        load(ctx, &ro, &b);
        assert_int_equal(run_geocode_and_classify(ctx, &b, &a), PTCE_OK);
        assert_int_equal(threads_started, inline_path ? 0 : 1);
        assert_same_rows(&b, &ref, 1);

        /* Classifying alone, in two halves. */
        threads_started = 0;
        load(ctx, &ro, &c);
        assert_int_equal(run_classify(ctx, &c), PTCE_OK);
        assert_int_equal(threads_started, inline_path ? 0 : 1);
        assert_same_rows(&c, &ref, 0);

        run_free(&c);
        run_free(&b);
        run_free(&a);
    }
    refuse_threads = 0;
    run_free(&ref);
    ptce_ctx_free(ctx);
}

/* ---- failures --------------------------------------------------------------------------- */

/* A classification failing after the placement succeeded is reported, by both paths: the
 * taxonomy missing (the caller's first half too), then the second thread's allocations
 * failing (its failure alone). */
static void classification_failure_reported(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    run_options ro = {.census_path = census_path, .without_taxonomy = 1};
    for (int inline_path = 0; inline_path < 2; inline_path++) {
        refuse_threads = inline_path;
        ptce_run run;
        load(ctx, &ro, &run);
        ptce_fail(ctx, PTCE_OK, "%s", "");
        assert_int_equal(run_geocode_and_classify(ctx, &run, NULL), PTCE_ERR_USAGE);
        assert_string_equal(ptce_ctx_error(ctx), "classification demandée sans taxonomie chargée");
        assert_true(run.nplaced > 0); /* the rows were placed */
        ptce_fail(ctx, PTCE_OK, "%s", "");
        assert_int_equal(run_classify(ctx, &run), PTCE_ERR_USAGE);
        assert_string_equal(ptce_ctx_error(ctx), "classification demandée sans taxonomie chargée");
        run_free(&run);
    }
    refuse_threads = 0;

    /* Only the thread fails: this thread's placement, and its half of run_classify, do not. */
    run_options with_tax = {.census_path = census_path};
    ptce_run run;
    load(ctx, &with_tax, &run);
    ptce_fail(ctx, PTCE_OK, "%s", "");
    threads_started = 0;
    fail_thread_allocs = 1;
    ptce_status st = run_geocode_and_classify(ctx, &run, NULL);
    fail_thread_allocs = 0;
    assert_int_equal(threads_started, 1);
    assert_int_equal(st, PTCE_ERR_MEMORY);
    assert_string_equal(ptce_ctx_error(ctx), "mémoire insuffisante pour classer un PTCE");
    assert_int_equal(run.nplaced + run.nambiguous + run.nrejected, run.nrows);
    ptce_fail(ctx, PTCE_OK, "%s", "");
    fail_thread_allocs = 1;
    st = run_classify(ctx, &run);
    fail_thread_allocs = 0;
    assert_int_equal(st, PTCE_ERR_MEMORY);
    assert_string_equal(ptce_ctx_error(ctx), "mémoire insuffisante pour classer un PTCE");
    run_free(&run);
    ptce_ctx_free(ctx);
}

/* When both fail, the placement's failure is the one reported (the one-thread order never
 * reached the classification), even when the classification has failed before the
 * placement began (finish_threads_first). */
static void placement_failure_first(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    const char *const ban[] = {"/nonexistent/ptce-test-run-ban.csv"};
    run_options ro = {.census_path = census_path, .without_taxonomy = 1, .ban_paths = ban,
                      .nban = 1};
    ptce_run run;
    load(ctx, &ro, &run);
    ptce_status alone = run_geocode(ctx, &run);
    assert_int_not_equal(alone, PTCE_OK);
    char message[2048];
    snprintf(message, sizeof message, "%s", ptce_ctx_error(ctx));
    assert_non_null(strstr(message, ban[0]));
    for (int path = 0; path < 3; path++) { /* a thread, one that finishes first, none */
        finish_threads_first = path == 1;
        refuse_threads = path == 2;
        threads_started = 0;
        ptce_fail(ctx, PTCE_OK, "%s", "");
        assert_int_equal(run_geocode_and_classify(ctx, &run, NULL), alone);
        assert_string_equal(ptce_ctx_error(ctx), message);
        assert_int_equal(threads_started, path == 2 ? 0 : 1);
    }
    finish_threads_first = refuse_threads = 0;
    run_free(&run);
    ptce_ctx_free(ctx);
}

/* ---- diff's two years: the new census read while the old year is placed ------------------ */

/* A context printing to a file of its own, not quiet: the log is compared. */
static ptce_ctx *logging_ctx(FILE **log)
{
    *log = tmpfile();
    assert_non_null(*log);
    ptce_ctx *ctx = ptce_ctx_new(*log);
    assert_non_null(ctx);
    assert_int_equal(ptce_ctx_set_data_dir(ctx, getenv("PTCE_MAP_DATA")), PTCE_OK);
    return ctx;
}

/* What the log holds so far, then emptied. */
static char *log_text(FILE *log)
{
    fflush(log);
    long n = ftell(log);
    char *text = calloc(1, (size_t)n + 1);
    rewind(log);
    assert_int_equal(fread(text, 1, (size_t)n, log), (size_t)n);
    rewind(log);
    assert_int_equal(ftruncate(fileno(log), 0), 0);
    return text;
}

/* The one-thread order: each year loaded, then placed and classified. */
static ptce_status two_years_in_order(ptce_ctx *ctx, const run_options *a, const run_options *b,
                                      ptce_run *old_run, ptce_run *new_run)
{
    memset(new_run, 0, sizeof *new_run);
    ptce_status st = run_load(ctx, a, old_run);
    if (!st)
        st = run_geocode(ctx, old_run);
    if (!st)
        st = run_classify(ctx, old_run);
    run_options ro = *b;
    ro.shared_refdata = old_run->rd;
    if (!st)
        st = run_load(ctx, &ro, new_run);
    if (!st)
        st = run_geocode_reusing(ctx, new_run, old_run);
    if (!st)
        st = run_classify_reusing(ctx, new_run, old_run);
    return st;
}

static void two_years_as_in_order(void **state)
{
    (void)state;
    FILE *log;
    ptce_ctx *ctx = logging_ctx(&log);
    char a_path[4096], b_path[4096], wide[4096];
    test_data_path("census/annee-2025.csv", a_path, sizeof a_path);
    test_data_path("census/annee-2026.csv", b_path, sizeof b_path);
    test_data_path("census/cellules-en-trop.csv", wide, sizeof wide); /* warns on its rows */
    const char *const missing_ban[] = {"/nonexistent/ptce-test-run-ban.csv"};
    ptce_run shared; /* one load of the reference data for every run: pointers compare */
    run_options so = {.census_path = a_path, .without_taxonomy = 1};
    load(ctx, &so, &shared);
    struct {
        const char *old_path, *new_path;
        int old_fails; /* the old year's placement fails (a BAN file missing) */
    } cases[] = {
        {a_path, b_path, 0},
        {wide, b_path, 0},                     /* the old census's warnings, then nothing */
        {a_path, wide, 0},                     /* the new census's warnings after the old's */
        {wide, "/nonexistent/ptce-test-run.csv", 0}, /* the reading's failure */
        {a_path, wide, 1},                     /* the old year's failure, no new warning */
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        run_options a = {.census_path = cases[k].old_path, .shared_refdata = shared.rd};
        run_options b = {.census_path = cases[k].new_path};
        if (cases[k].old_fails) {
            a.ban_paths = missing_ban;
            a.nban = 1;
        }
        ptce_run ref_old, ref_new;
        ptce_status want = two_years_in_order(ctx, &a, &b, &ref_old, &ref_new);
        assert_int_equal(want != PTCE_OK, k >= 3);
        char want_msg[2048];
        snprintf(want_msg, sizeof want_msg, "%s", want ? ptce_ctx_error(ctx) : "");
        char *want_log = log_text(log);
        if (k == 2)
            assert_non_null(strstr(want_log, "cellules-en-trop.csv, ligne"));
        for (int path = 0; path < 2; path++) { /* threads, then none */
            refuse_threads = path == 1;
            threads_started = 0;
            ptce_fail(ctx, PTCE_OK, "%s", "");
            ptce_run old_run, new_run;
            ptce_status st = run_two_years(ctx, &a, &b, &old_run, &new_run);
            assert_int_equal(st, want);
            if (st)
                assert_string_equal(ptce_ctx_error(ctx), want_msg);
            char *got_log = log_text(log);
            assert_string_equal(got_log, want_log);
            free(got_log);
            if (path == 0) /* the reader, and a classifying thread per year placed */
                assert_int_equal(threads_started, k == 3 ? 2 : k == 4 ? 2 : 3);
            if (!st) {
                assert_same_rows(&old_run, &ref_old, 1);
                assert_same_rows(&new_run, &ref_new, 1);
            }
            run_free(&new_run);
            run_free(&old_run);
        }
        refuse_threads = 0;
        free(want_log);
        run_free(&ref_new);
        run_free(&ref_old);
    }
    run_free(&shared);
    ptce_ctx_free(ctx);
    fclose(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_rows_threaded_and_inline),
        cmocka_unit_test(classification_failure_reported),
        cmocka_unit_test(placement_failure_first),
        cmocka_unit_test(two_years_as_in_order),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
