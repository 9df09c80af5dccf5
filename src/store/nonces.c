/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nonces.c — challenges held in the memory of the process that issued them
 * (qtpm_store_nonces_in_memory, docs/SCALE.md "Challenges without a database write").
 *
 * A challenge is answered by the process that issued it: with verifier workers only
 * the holder of a router's lease serves its /challenge and /evidence, and a single
 * qtpm-nms is the only process routers talk to. So the nonce needs no row in the
 * database — a row cost an INSERT committed (one WAL flush) at the challenge and a
 * DELETE committed at the evidence, two of the three commits of an attestation round.
 *
 * The table maps a router id to its two most recent nonces with their expiry (an agent
 * has at most one challenge outstanding per purpose — evidence or TLS-key
 * certification — so two cover both; a third challenge evicts the oldest, and a slot
 * emptied by a take is refilled first, so a router's outstanding next challenge (the
 * evidence reply's, docs/NMS.md) does not push out its TLS-key one). Taking a
 * nonce clears its slot, so it is single use exactly as the database row was; an
 * expired one is never accepted. Open addressing with linear probing over FNV-1a of the
 * router id, entries are never removed (a router keeps its slot; a table full of
 * routers doubles), so probing needs no tombstones. The number of routers with a slot
 * is capped (NONCE_MAX_ROUTERS): the challenge handler only issues nonces to enrolled
 * routers, so the cap is the deployment's size, not an attacker's choice.
 *
 * Nonces are not secrets (the router that asked knows its own), but they are compared
 * in time that depends only on their lengths anyway, so that a take never tells how much
 * of a guessed nonce matched.
 */
#include "nonces.h"

#include <stdlib.h>
#include <string.h>

#define NONCE_MAX_ROUTERS (1u << 22)

struct slot {
    char router[64];
    struct {
        char hex[QTPM_NONCE_HEX_MAX + 1];
        int64_t expires; /* 0: empty */
    } n[2];
};

struct qtpm_nonces {
    struct slot *s;
    size_t cap, used; /* cap a power of two */
};

static uint64_t fnv1a(const char *p)
{
    uint64_t h = 1469598103934665603ull;
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

/* Equal strings, in time that depends only on the lengths (both at most the max). */
static int same(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned d = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

qtpm_nonces *qtpm_nonces_new(void)
{
    qtpm_nonces *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cap = 1024;
    if (!(t->s = calloc(t->cap, sizeof *t->s))) {
        free(t);
        return NULL;
    }
    return t;
}

void qtpm_nonces_free(qtpm_nonces *t)
{
    if (!t)
        return;
    free(t->s);
    free(t);
}

/* The slot of router (found, or the empty one where it belongs; NULL: table full). */
static struct slot *find(struct slot *s, size_t cap, const char *router)
{
    for (size_t i = fnv1a(router) & (cap - 1), k = 0; k < cap; k++, i = (i + 1) & (cap - 1))
        if (!s[i].router[0] || strcmp(s[i].router, router) == 0)
            return &s[i];
    return NULL;
}

static int grow(qtpm_nonces *t)
{
    size_t cap = t->cap * 2;
    struct slot *s = calloc(cap, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < t->cap; i++)
        if (t->s[i].router[0])
            *find(s, cap, t->s[i].router) = t->s[i];
    free(t->s);
    t->s = s;
    t->cap = cap;
    return 0;
}

int qtpm_nonces_put(qtpm_nonces *t, const char *router, const char *hex, int64_t expires)
{
    size_t rl = strlen(router), hl = strlen(hex);
    if (rl == 0 || rl >= sizeof t->s[0].router || hl == 0 || hl > QTPM_NONCE_HEX_MAX ||
        expires <= 0)
        return QTPM_NONCES_UNFIT;
    struct slot *e = find(t->s, t->cap, router);
    if (!e->router[0]) { /* a router new to the table: keep the load under 1/2 */
        if (t->used >= NONCE_MAX_ROUTERS)
            return QTPM_NONCES_FULL;
        if (2 * (t->used + 1) > t->cap) {
            if (grow(t))
                return QTPM_NONCES_FULL;
            e = find(t->s, t->cap, router);
        }
        memcpy(e->router, router, rl + 1);
        t->used++;
    }
    for (int k = 0; k < 2; k++)
        if (e->n[k].expires && same(e->n[k].hex, hex))
            return QTPM_NONCES_DUPLICATE;
    if (e->n[0].expires) /* the older one goes; an empty newer slot is simply reused */
        e->n[1] = e->n[0];
    memcpy(e->n[0].hex, hex, hl + 1);
    e->n[0].expires = expires;
    return QTPM_NONCES_OK;
}

int qtpm_nonces_take(qtpm_nonces *t, const char *router, const char *hex, int64_t now)
{
    if (!router[0] || strlen(router) >= sizeof t->s[0].router || strlen(hex) > QTPM_NONCE_HEX_MAX)
        return QTPM_NONCES_ABSENT;
    struct slot *e = find(t->s, t->cap, router);
    if (!e || !e->router[0])
        return QTPM_NONCES_ABSENT;
    for (int k = 0; k < 2; k++)
        if (e->n[k].expires && same(e->n[k].hex, hex)) {
            int fresh = e->n[k].expires >= now;
            memset(&e->n[k], 0, sizeof e->n[k]); /* single use, fresh or not */
            return fresh ? QTPM_NONCES_OK : QTPM_NONCES_EXPIRED;
        }
    return QTPM_NONCES_ABSENT;
}

size_t qtpm_nonces_routers(const qtpm_nonces *t) { return t->used; }
