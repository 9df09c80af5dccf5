/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * retention.c — attestation storage that does not grow without bound (store.h "bounded
 * attestation storage", docs/OPERATIONS.md "Retention").
 *
 * Two things grow with every attestation: the verdict history (a verdicts row and a
 * "verdict" event each time) and the router's measurement list. The list is stored
 * incrementally, as the verifier reads it (DESIGN decision 10): each attestation adds a
 * chunk holding only the entries it verified, keyed (router, boot, first_index), and a
 * chunk at index 0 opens the next boot. Compaction then keeps what an operator needs —
 * every change of a router's verdict, a rolling window of recent verdicts and the newest
 * few of each router, the measurement lists of the newest boots — and deletes the rest in
 * bounded batches, one transaction per step, so a big backlog never holds the write
 * lock for long.
 *
 * "A change" is computed with the window function LAG over each router's verdicts in id
 * order. Deleting a non-change never turns another row into or out of a change (the
 * rows deleted are the non-first rows of runs of equal verdicts, so a run's head keeps a
 * predecessor of another value and a run's member one of the same), which makes the
 * compaction idempotent and safe to do in batches. SQLite (3.25 and later) and PostgreSQL
 * both run the same statements.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store_priv.h"

static int run(qtpm_store *st, int64_t *changes, const char *sql, const char *fmt, ...)
{
    qtpm_db *db;
    char *err;
    size_t errlen;
    const qtpm_db_ops *ops = qtpm_store_ops_(st, &db, &err, &errlen);
    qtpm_db_stmt *s;
    va_list ap;
    va_start(ap, fmt);
    int rc = qtpm_store_vprep_(st, &s, sql, fmt, ap);
    va_end(ap);
    if (rc)
        return rc;
    rc = ops->step(s);
    if (rc == QTPM_DB_ROW) {
        snprintf(err, errlen, "statement returned rows");
        rc = QTPM_STORE_ERROR;
    }
    if (rc == QTPM_DB_DONE && changes)
        *changes = ops->changes(s);
    ops->finalize(s);
    return rc;
}

int qtpm_store_measurements_add(qtpm_store *st, const char *router, int64_t first_index,
                                int64_t entries, const uint8_t *list, size_t len)
{
    if (first_index < 0 || entries < 1 || !list || len == 0) {
        qtpm_db *db;
        char *err;
        size_t errlen;
        qtpm_store_ops_(st, &db, &err, &errlen);
        snprintf(err, errlen, "a measurement chunk needs entries");
        return QTPM_STORE_ERROR;
    }
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    /* The boot: the router's newest (1 for its first chunk), or the next one for a list
     * that starts again at 0. Under the write lock, so two writers cannot both take it. */
    int rc = run(st, NULL,
                 "INSERT INTO measurements (router, boot, first_index, entries, list, time) "
                 "SELECT $1, coalesce(max(boot), CASE WHEN $2 = 0 THEN 0 ELSE 1 END) + "
                 "CASE WHEN $2 = 0 THEN 1 ELSE 0 END, $2, $3, $4, $5 FROM measurements "
                 "WHERE router = $1 ON CONFLICT (router, boot, first_index) DO UPDATE SET "
                 "entries = excluded.entries, list = excluded.list, time = excluded.time",
                 "tiibi", router, first_index, entries, (const void *)list, len,
                 (int64_t)time(NULL));
    if (!rc)
        return qtpm_store_commit(st);
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_measurements_each(qtpm_store *st, const char *router, int64_t boot,
                                 qtpm_store_measurement_cb cb, void *ctx)
{
    qtpm_db *db;
    char *err;
    size_t errlen;
    const qtpm_db_ops *ops = qtpm_store_ops_(st, &db, &err, &errlen);
    qtpm_db_stmt *s;
    int rc = ops->prepare(db, boot > 0
                                  ? "SELECT boot, first_index, entries, list, time FROM "
                                    "measurements WHERE router = $1 AND boot = $2 "
                                    "ORDER BY first_index"
                                  : "SELECT boot, first_index, entries, list, time FROM "
                                    "measurements WHERE router = $1 AND boot = (SELECT "
                                    "max(boot) FROM measurements WHERE router = $1) "
                                    "ORDER BY first_index",
                          &s);
    if (rc)
        return rc;
    ops->bind_text(s, 1, router);
    if (boot > 0)
        ops->bind_int64(s, 2, boot);
    while ((rc = ops->step(s)) == QTPM_DB_ROW) {
        size_t n;
        const uint8_t *p = ops->column_blob(s, 3, &n);
        if (cb(ctx, ops->column_int64(s, 0), ops->column_int64(s, 1), ops->column_int64(s, 2),
               p, n, ops->column_int64(s, 4)))
            break;
    }
    ops->finalize(s);
    return rc < 0 ? rc : QTPM_STORE_OK;
}

void qtpm_store_retention_default(qtpm_store_retention *r)
{
    r->keep_seconds = 7 * 86400;
    r->keep_last = 50;
    r->keep_boots = 2;
    r->batch = 5000;
}

int qtpm_store_compact(qtpm_store *st, const qtpm_store_retention *r, int64_t now,
                       qtpm_store_compacted *out)
{
    memset(out, 0, sizeof *out);
    if (r->keep_seconds < 0 || r->keep_last < 1 || r->keep_boots < 1 || r->batch < 1) {
        qtpm_db *db;
        char *err;
        size_t errlen;
        qtpm_store_ops_(st, &db, &err, &errlen);
        snprintf(err, errlen, "retention: keep_seconds >= 0, keep_last, keep_boots and "
                              "batch >= 1");
        return QTPM_STORE_ERROR;
    }
    int64_t before = now - r->keep_seconds;
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    /* pv/pr: the previous verdict of the router; rn: 1 for its newest. A first verdict
     * has pv NULL, so "pv = verdict" is not true for it and it stays. */
    int rc = run(st, &out->verdicts,
                 "DELETE FROM verdicts WHERE id IN (SELECT id FROM (SELECT id, time, verdict, "
                 "reasons, LAG(verdict) OVER (PARTITION BY router ORDER BY id) AS pv, "
                 "LAG(reasons) OVER (PARTITION BY router ORDER BY id) AS pr, "
                 "ROW_NUMBER() OVER (PARTITION BY router ORDER BY id DESC) AS rn "
                 "FROM verdicts) v WHERE pv = verdict AND pr = reasons AND time < $1 "
                 "AND rn > $2 ORDER BY id LIMIT $3)",
                 "iii", before, r->keep_last, r->batch);
    if (!rc)
        rc = run(st, &out->events,
                 "DELETE FROM events WHERE id IN (SELECT id FROM (SELECT id, time, detail, "
                 "LAG(detail) OVER (PARTITION BY router ORDER BY id) AS pd, "
                 "ROW_NUMBER() OVER (PARTITION BY router ORDER BY id DESC) AS rn "
                 "FROM events WHERE kind = 'verdict') e WHERE pd = detail AND time < $1 "
                 "AND rn > $2 ORDER BY id LIMIT $3)",
                 "iii", before, r->keep_last, r->batch);
    if (!rc)
        rc = run(st, &out->measurements,
                 "DELETE FROM measurements WHERE (router, boot, first_index) IN (SELECT "
                 "m.router, m.boot, m.first_index FROM measurements m WHERE m.boot <= "
                 "(SELECT max(n.boot) FROM measurements n WHERE n.router = m.router) - $1 "
                 "ORDER BY m.router, m.boot, m.first_index LIMIT $2)",
                 "ii", r->keep_boots, r->batch);
    if (!rc)
        return qtpm_store_commit(st);
    qtpm_store_rollback(st);
    memset(out, 0, sizeof *out);
    return rc;
}
