/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vcache.c — a serving process's copy of each router's verifier state and active AK
 * (qtpm_store_cache_verifier, docs/SCALE.md "Verifier state in memory").
 *
 * The verifier state of a router is written by the process that holds its lease (one
 * qtpm-nms, or the worker holding it), so that process can remember what it wrote and
 * what it read instead of reading it again at every challenge and evidence. A copy can
 * still go stale — another process re-enrolled the router (which resets the state and
 * changes the AK), a lease moved, an administrator acted — so the copy is only ever used
 * together with a compare-and-set: the attestation's UPDATE requires the stored state to
 * be the one the verification started from (store.c qtpm_store_attestations), and a
 * mismatch writes nothing, drops the copy and answers 409. A stale copy therefore costs
 * one refused round, never a wrong verdict written.
 *
 * Open addressing with linear probing over FNV-1a of the router id; a router keeps its
 * slot once it has one (forget clears the values, not the key), so there are no
 * tombstones; the table doubles at half load. Values are malloc'd copies.
 */
#include "vcache.h"

#include <stdlib.h>
#include <string.h>

#define VCACHE_MAX_ROUTERS (1u << 22)

struct entry {
    char id[64];
    char *state;  /* verifier state JSON, NULL: not known */
    uint8_t *ak;  /* marshalled TPM2B_PUBLIC, NULL: not known */
    size_t ak_len;
};

struct qtpm_vcache {
    struct entry *e;
    size_t cap, used;
};

static uint64_t fnv1a(const char *p)
{
    uint64_t h = 1469598103934665603ull;
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

qtpm_vcache *qtpm_vcache_new(void)
{
    qtpm_vcache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->cap = 1024;
    if (!(c->e = calloc(c->cap, sizeof *c->e))) {
        free(c);
        return NULL;
    }
    return c;
}

void qtpm_vcache_clear(qtpm_vcache *c)
{
    for (size_t i = 0; c && i < c->cap; i++) {
        free(c->e[i].state);
        free(c->e[i].ak);
        c->e[i].state = NULL;
        c->e[i].ak = NULL;
        c->e[i].ak_len = 0;
    }
}

void qtpm_vcache_free(qtpm_vcache *c)
{
    if (!c)
        return;
    qtpm_vcache_clear(c);
    free(c->e);
    free(c);
}

static struct entry *slot(struct entry *e, size_t cap, const char *id)
{
    for (size_t i = fnv1a(id) & (cap - 1), k = 0; k < cap; k++, i = (i + 1) & (cap - 1))
        if (!e[i].id[0] || strcmp(e[i].id, id) == 0)
            return &e[i];
    return NULL;
}

/* The entry of id; with make, created when missing (NULL: no room, or a bad id). */
static struct entry *get(qtpm_vcache *c, const char *id, int make)
{
    size_t n = strlen(id);
    if (n == 0 || n >= sizeof c->e[0].id)
        return NULL;
    struct entry *x = slot(c->e, c->cap, id);
    if (x && x->id[0])
        return x;
    if (!make || c->used >= VCACHE_MAX_ROUTERS)
        return NULL;
    if (2 * (c->used + 1) > c->cap) {
        size_t cap = c->cap * 2;
        struct entry *e = calloc(cap, sizeof *e);
        if (!e)
            return NULL;
        for (size_t i = 0; i < c->cap; i++)
            if (c->e[i].id[0])
                *slot(e, cap, c->e[i].id) = c->e[i];
        free(c->e);
        c->e = e;
        c->cap = cap;
        x = slot(c->e, c->cap, id);
    }
    memcpy(x->id, id, n + 1);
    c->used++;
    return x;
}

const char *qtpm_vcache_state(qtpm_vcache *c, const char *id)
{
    struct entry *x = get(c, id, 0);
    return x ? x->state : NULL;
}

const uint8_t *qtpm_vcache_ak(qtpm_vcache *c, const char *id, size_t *len)
{
    struct entry *x = get(c, id, 0);
    *len = x && x->ak ? x->ak_len : 0;
    return x ? x->ak : NULL;
}

void qtpm_vcache_put_state(qtpm_vcache *c, const char *id, const char *state)
{
    struct entry *x = get(c, id, 1);
    if (!x)
        return;
    free(x->state);
    x->state = state ? strdup(state) : NULL; /* out of memory: simply not cached */
}

void qtpm_vcache_put_ak(qtpm_vcache *c, const char *id, const uint8_t *ak, size_t len)
{
    struct entry *x = get(c, id, 1);
    if (!x)
        return;
    free(x->ak);
    x->ak = NULL;
    x->ak_len = 0;
    if (len && (x->ak = malloc(len))) {
        memcpy(x->ak, ak, len);
        x->ak_len = len;
    }
}

void qtpm_vcache_forget(qtpm_vcache *c, const char *id)
{
    struct entry *x = c ? get(c, id, 0) : NULL;
    if (!x)
        return;
    free(x->state);
    free(x->ak);
    x->state = NULL;
    x->ak = NULL;
    x->ak_len = 0;
}
