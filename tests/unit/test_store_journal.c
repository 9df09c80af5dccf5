/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_store_journal.c — the directory store's write-ahead journal of the
 * blob "state" (src/engine/store.c, docs/SERVER.md "Journal"), with opaque
 * blobs and crashes simulated by a child process that saves and then ends
 * with _exit() (no close, no compaction: what SIGKILL leaves):
 *  - every save is what the next load returns, across deltas (same length),
 *    whole-blob records (new length), compactions of a full journal, and a
 *    journal size changed between runs (or none at all);
 *  - a torn or damaged last record is discarded: the load returns the blob
 *    before it, never a mix;
 *  - a snapshot that is not the one the journal follows (damaged, or
 *    restored from elsewhere) is returned as it is, the journal ignored;
 *  - the same blob bytes coming back as a snapshot (A, B, A) never revive
 *    the chain that followed the first A;
 *  - a clean close compacts: the snapshot alone is the state;
 *  - a journal removed under a running store: one save fails, the next
 *    makes a new journal.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qtpm/common.h"
#include "qtpm/engine.h"
#include "testutil.h"

static char dir[64];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/qtpm-journal-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void open_store(qtpm_store *st, size_t journal)
{
    assert_int_equal(qtpm_store_dir_journal(st, dir, journal), QTPM_OK);
}

/* Loads "state" and compares it with want (NULL: must be absent). */
static void expect_state(size_t journal, const uint8_t *want, size_t want_len)
{
    qtpm_store st;
    uint8_t *data = NULL;
    size_t len = 0;
    open_store(&st, journal);
    int rc = st.load(st.ctx, "state", &data, &len);
    if (want == NULL) {
        assert_int_equal(rc, 1);
    } else {
        assert_int_equal(rc, QTPM_OK);
        assert_int_equal(len, want_len);
        assert_memory_equal(data, want, want_len);
    }
    free(data);
    st.close(st.ctx);
}

/* In a child: open, load, save each blob in turn, then end like a kill. */
static void crash_after_saves(size_t journal, uint8_t *const *blobs, const size_t *lens, int n)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        qtpm_store st;
        uint8_t *data = NULL;
        size_t len = 0;
        if (qtpm_store_dir_journal(&st, dir, journal) != QTPM_OK)
            _exit(2);
        if (st.load(st.ctx, "state", &data, &len) < 0)
            _exit(3);
        free(data);
        for (int i = 0; i < n; i++)
            if (st.save(st.ctx, "state", blobs[i], lens[i]) != QTPM_OK)
                _exit(4);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void crash_after_save(size_t journal, uint8_t *blob, size_t len)
{
    crash_after_saves(journal, &blob, &len, 1);
}

static size_t file_size(const char *name)
{
    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

/* A pseudo-random blob: mostly like `like` (when given, same length), with
 * a few bytes changed, as a state blob changes with one NV write. */
static uint8_t *variant(const uint8_t *like, size_t len, unsigned *seed)
{
    uint8_t *b = malloc(len);
    assert_non_null(b);
    for (size_t i = 0; i < len; i++)
        b[i] = like ? like[i] : (uint8_t)rand_r(seed);
    for (int k = 0; k < 3; k++)
        b[(size_t)rand_r(seed) % len] ^= (uint8_t)(1 + rand_r(seed) % 255);
    return b;
}

static void test_saves_survive_crashes(void **state)
{
    (void)state;
    unsigned seed = 7;
    size_t journals[] = {2048, 4096, 2048, 0, 8192, QTPM_STORE_JOURNAL_DEFAULT};
    uint8_t *last = NULL;
    size_t last_len = 0;
    expect_state(2048, NULL, 0);
    for (int round = 0; round < 120; round++) {
        size_t journal = journals[round % 6 == 5 ? 5 : (round / 7) % 5];
        /* now and then a new length (a whole-blob record), else a delta */
        size_t len = last == NULL || round % 9 == 4 ? 300 + (size_t)rand_r(&seed) % 900 : last_len;
        uint8_t *b = variant(len == last_len ? last : NULL, len, &seed);
        crash_after_save(journal, b, len);
        expect_state(journal, b, len);
        free(last);
        last = b;
        last_len = len;
    }
    /* a clean close compacts: the journal holds no live record after it */
    uint8_t *b = variant(last, last_len, &seed);
    qtpm_store st;
    open_store(&st, 4096);
    uint8_t *data = NULL;
    size_t len = 0;
    assert_int_equal(st.load(st.ctx, "state", &data, &len), QTPM_OK);
    free(data);
    assert_int_equal(st.save(st.ctx, "state", b, last_len), QTPM_OK);
    st.close(st.ctx);
    assert_int_equal(file_size("state"), last_len);
    char path[128];
    snprintf(path, sizeof path, "%s/state", dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *snap = malloc(last_len);
    assert_non_null(snap);
    assert_int_equal(fread(snap, 1, last_len, f), last_len);
    fclose(f);
    assert_memory_equal(snap, b, last_len);
    free(snap);
    expect_state(4096, b, last_len);
    free(b);
    free(last);
}

/* Damages byte `at` (from the end if negative) of the journal's record
 * region: the byte is flipped in place. */
static void flip_journal_byte(long at)
{
    char path[128];
    snprintf(path, sizeof path, "%s/state.journal", dir);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    uint8_t c;
    assert_int_equal(pread(fd, &c, 1, at), 1);
    c ^= 0x40;
    assert_int_equal(pwrite(fd, &c, 1, at), 1);
    close(fd);
}

static void test_torn_tail_discarded(void **state)
{
    (void)state;
    unsigned seed = 11;
    uint8_t *blobs[4];
    size_t lens[4] = {700, 700, 700, 700};
    blobs[0] = variant(NULL, 700, &seed);
    for (int i = 1; i < 4; i++)
        blobs[i] = variant(blobs[i - 1], 700, &seed);
    /* blob 0 becomes the snapshot, blob 1 creates the journal (a
     * compaction), blobs 2 and 3 are records in slots 0 and 1 */
    crash_after_saves(8192, blobs, lens, 4);
    expect_state(8192, blobs[3], 700);
    /* damage the second record (slot 1): the chain ends after the first */
    flip_journal_byte(512 + 40);
    expect_state(8192, blobs[2], 700);
    /* and the first: the snapshot alone */
    flip_journal_byte(60);
    expect_state(8192, blobs[1], 700);
    /* a new save after the damage is found again (numbered above the
     * damaged records, written over them) */
    uint8_t *b = variant(blobs[1], 700, &seed);
    crash_after_save(8192, b, 700);
    expect_state(8192, b, 700);
    free(b);
    for (int i = 0; i < 4; i++)
        free(blobs[i]);
}

static void test_foreign_snapshot_ignores_journal(void **state)
{
    (void)state;
    unsigned seed = 13;
    uint8_t *a = variant(NULL, 500, &seed), *b = variant(a, 500, &seed), *c = variant(b, 500, &seed);
    uint8_t *blobs[3] = {a, b, c};
    size_t lens[3] = {500, 500, 500};
    crash_after_saves(4096, blobs, lens, 3); /* snapshot b, record c */
    expect_state(4096, c, 500);
    /* a damaged snapshot: returned as it is (the engine refuses it), the
     * journal's record for the real one not applied over it */
    char path[128];
    snprintf(path, sizeof path, "%s/state", dir);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    uint8_t *snap = malloc(500);
    assert_non_null(snap);
    assert_int_equal(fread(snap, 1, 500, f), 500);
    snap[17] ^= 1;
    rewind(f);
    assert_int_equal(fwrite(snap, 1, 500, f), 500);
    fclose(f);
    expect_state(4096, snap, 500);
    free(snap);
    free(a);
    free(b);
    free(c);
}

/* A, then B and C as records, a compaction back to exactly A's bytes: the
 * records that followed the first A must not be replayed over the second. */
static void test_identical_snapshot_no_revival(void **state)
{
    (void)state;
    unsigned seed = 17;
    uint8_t *a = variant(NULL, 600, &seed), *b = variant(a, 600, &seed);
    uint8_t *c = variant(b, 600, &seed);
    /* a journal of 2048 bytes holds 4 records: A (snapshot), A' (journal
     * created: compaction), B, C, B, C fill it, the next save compacts */
    uint8_t *seq1[] = {a, a, b, c, b, c, a};
    size_t lens1[] = {600, 600, 600, 600, 600, 600, 600};
    crash_after_saves(2048, seq1, lens1, 7);
    expect_state(2048, a, 600);
    /* more saves after the compaction back to A */
    uint8_t *seq2[] = {b};
    size_t lens2[] = {600};
    crash_after_saves(2048, seq2, lens2, 1);
    expect_state(2048, b, 600);
    crash_after_save(2048, a, 600);
    expect_state(2048, a, 600);
    free(a);
    free(b);
    free(c);
}

/* A journal removed by hand while the store is open: the save that finds it
 * gone fails (it cannot be acknowledged), the next makes a new journal. */
static void test_journal_removed(void **state)
{
    (void)state;
    unsigned seed = 19;
    uint8_t *a = variant(NULL, 400, &seed), *b = variant(a, 400, &seed);
    uint8_t *c = variant(b, 400, &seed), *d = variant(c, 400, &seed);
    qtpm_store st;
    uint8_t *data = NULL;
    size_t len = 0;
    open_store(&st, 4096);
    assert_int_equal(st.load(st.ctx, "state", &data, &len), 1);
    assert_int_equal(st.save(st.ctx, "state", a, 400), QTPM_OK); /* snapshot */
    assert_int_equal(st.save(st.ctx, "state", b, 400), QTPM_OK); /* journal made */
    char path[128];
    snprintf(path, sizeof path, "%s/state.journal", dir);
    assert_int_equal(unlink(path), 0);
    assert_int_not_equal(st.save(st.ctx, "state", c, 400), QTPM_OK);
    assert_int_equal(st.save(st.ctx, "state", d, 400), QTPM_OK);
    assert_int_equal(st.save(st.ctx, "state", c, 400), QTPM_OK); /* a record again */
    assert_int_equal(file_size("state.journal"), 4096);
    st.close(st.ctx);
    expect_state(4096, c, 400);
    free(a);
    free(b);
    free(c);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_saves_survive_crashes, setup_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_torn_tail_discarded, setup_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_foreign_snapshot_ignores_journal, setup_dir,
                                        remove_dir),
        cmocka_unit_test_setup_teardown(test_identical_snapshot_no_revival, setup_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_journal_removed, setup_dir, remove_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
