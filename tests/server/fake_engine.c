/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fake_engine.c — a stand-in for libqtpm-engine, for testing qtpm-server's
 * protocol code alone (tests/server/CMakeLists.txt links it into
 * qtpm-server-fake). It implements include/qtpm/engine.h with just enough TPM
 * to be observable from a client:
 *
 *   TPM2_Startup     TPM_RC_SUCCESS once after each power-on, then
 *                    TPM_RC_INITIALIZE (Part 3 §9.3)
 *   TPM2_GetRandom   up to 32 bytes; TPM_RC_INITIALIZE before Startup
 *   anything else    TPM_RC_COMMAND_CODE
 *
 * plus a malformed-header check (TPM_RC_COMMAND_SIZE) and a boot counter
 * kept in the store, so tests can see state surviving a restart. It also
 * records the last locality, cancel level and NV level in the first bytes of
 * GetRandom's output (see fake_random) so the tests can check that platform
 * signals and localities reach the engine. It is test code, not a TPM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "qtpm/common.h"
#include "qtpm/engine.h"

#define CC_STARTUP 0x144u
#define CC_GETRANDOM 0x17Bu
#define RC_SUCCESS 0x000u
#define RC_INITIALIZE 0x100u
#define RC_COMMAND_SIZE 0x142u
#define RC_COMMAND_CODE 0x143u

struct qtpm_tpm {
    qtpm_store store;
    int powered, nv, cancel, started;
    uint32_t boots;
    uint8_t locality;
};

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int dir_load(void *ctx, const char *name, uint8_t **data, size_t *len)
{
    char path[4096];
    FILE *f;
    long n;

    snprintf(path, sizeof(path), "%s/%s", (const char *)ctx, name);
    f = fopen(path, "rb");
    if (f == NULL)
        return 1;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    *data = malloc(n > 0 ? (size_t)n : 1);
    if (*data == NULL || fread(*data, 1, (size_t)n, f) != (size_t)n) {
        free(*data);
        fclose(f);
        return QTPM_E_INVALID;
    }
    *len = (size_t)n;
    fclose(f);
    return QTPM_OK;
}

static int dir_save(void *ctx, const char *name, const uint8_t *data, size_t len)
{
    char path[4096], tmp[4200];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", (const char *)ctx, name);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "wb");
    if (f == NULL)
        return QTPM_E_INVALID;
    if (fwrite(data, 1, len, f) != len) {
        fclose(f);
        return QTPM_E_INVALID;
    }
    fclose(f);
    return rename(tmp, path) == 0 ? QTPM_OK : QTPM_E_INVALID;
}

static int dir_remove(void *ctx, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", (const char *)ctx, name);
    return remove(path) == 0 ? QTPM_OK : QTPM_E_INVALID;
}

static void dir_close(void *ctx)
{
    free(ctx);
}

int qtpm_store_dir(qtpm_store *store, const char *dir)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return QTPM_E_PARAM;
    store->ctx = strdup(dir);
    store->load = dir_load;
    store->save = dir_save;
    store->remove = dir_remove;
    store->close = dir_close;
    return store->ctx ? QTPM_OK : QTPM_E_NOMEM;
}

/* The fake keeps no journal: the size is ignored. */
int qtpm_store_dir_journal(qtpm_store *store, const char *dir, size_t journal_bytes)
{
    (void)journal_bytes;
    return qtpm_store_dir(store, dir);
}

static int mem_load(void *ctx, const char *name, uint8_t **data, size_t *len)
{
    (void)ctx, (void)name, (void)data, (void)len;
    return 1;
}

static int mem_save(void *ctx, const char *name, const uint8_t *data, size_t len)
{
    (void)ctx, (void)name, (void)data, (void)len;
    return QTPM_OK;
}

static int mem_remove(void *ctx, const char *name)
{
    (void)ctx, (void)name;
    return QTPM_OK;
}

static void mem_close(void *ctx)
{
    (void)ctx;
}

void qtpm_store_memory(qtpm_store *store)
{
    store->ctx = NULL;
    store->load = mem_load;
    store->save = mem_save;
    store->remove = mem_remove;
    store->close = mem_close;
}

int qtpm_tpm_new(qtpm_tpm **out, const qtpm_tpm_config *cfg)
{
    qtpm_tpm *t = calloc(1, sizeof(*t));
    uint8_t *blob = NULL;
    size_t len = 0;

    if (t == NULL)
        return QTPM_E_NOMEM;
    t->store = cfg->store;
    if (t->store.load(t->store.ctx, "boots", &blob, &len) == QTPM_OK && len == 4)
        t->boots = get32(blob);
    free(blob);
    t->boots++;
    t->powered = t->nv = cfg->powered_on != 0;
    *out = t;
    return QTPM_OK;
}

void qtpm_tpm_free(qtpm_tpm *tpm)
{
    uint8_t b[4];
    if (tpm == NULL)
        return;
    put32(b, tpm->boots);
    tpm->store.save(tpm->store.ctx, "boots", b, sizeof(b));
    tpm->store.close(tpm->store.ctx);
    free(tpm);
}

void qtpm_tpm_power_on(qtpm_tpm *tpm)
{
    tpm->powered = 1;
    tpm->started = 0;
}

void qtpm_tpm_power_off(qtpm_tpm *tpm)
{
    tpm->powered = 0;
    tpm->started = 0;
}

void qtpm_tpm_nv_on(qtpm_tpm *tpm)
{
    tpm->nv = 1;
}

void qtpm_tpm_nv_off(qtpm_tpm *tpm)
{
    tpm->nv = 0;
}

void qtpm_tpm_cancel(qtpm_tpm *tpm, int on)
{
    tpm->cancel = on != 0;
}

int qtpm_tpm_is_powered(const qtpm_tpm *tpm)
{
    return tpm->powered;
}

static size_t answer(uint8_t *rsp, uint32_t rc)
{
    rsp[0] = 0x80;
    rsp[1] = 0x01;
    put32(rsp + 2, 10);
    put32(rsp + 6, rc);
    return 10;
}

/* GetRandom's bytes: [locality, cancel, nv, boots & 0xff, 0xA5...]. */
static size_t fake_random(qtpm_tpm *tpm, const uint8_t *cmd, size_t len, uint8_t *rsp)
{
    unsigned want, i;

    if (len != 12)
        return answer(rsp, RC_COMMAND_SIZE);
    want = (unsigned)cmd[10] << 8 | cmd[11];
    if (want > 32)
        want = 32;
    answer(rsp, RC_SUCCESS);
    put32(rsp + 2, 12 + want);
    rsp[10] = (uint8_t)(want >> 8);
    rsp[11] = (uint8_t)want;
    for (i = 0; i < want; i++)
        rsp[12 + i] = 0xA5;
    if (want >= 4) {
        rsp[12] = tpm->locality;
        rsp[13] = (uint8_t)tpm->cancel;
        rsp[14] = (uint8_t)tpm->nv;
        rsp[15] = (uint8_t)tpm->boots;
    }
    return 12 + want;
}

size_t qtpm_tpm_execute(qtpm_tpm *tpm, uint8_t locality, const uint8_t *cmd, size_t cmd_len,
                        uint8_t *rsp, size_t rsp_cap)
{
    uint32_t cc;

    (void)rsp_cap;
    tpm->locality = locality;
    if (cmd_len < 10 || get32(cmd + 2) != cmd_len)
        return answer(rsp, RC_COMMAND_SIZE);
    cc = get32(cmd + 6);
    if (cc == CC_STARTUP) {
        if (tpm->started)
            return answer(rsp, RC_INITIALIZE);
        tpm->started = 1;
        return answer(rsp, RC_SUCCESS);
    }
    if (!tpm->started)
        return answer(rsp, RC_INITIALIZE);
    if (cc == CC_GETRANDOM)
        return fake_random(tpm, cmd, cmd_len, rsp);
    return answer(rsp, RC_COMMAND_CODE);
}

/* The virtual-TPM functions (engine.h "Virtual TPM"): the fake keeps no
 * state worth carrying, so blobs are a fixed marker and D-RTM is accepted;
 * tests/vm/test_ctrl_unix.py checks the real engine. */
int qtpm_tpm_drtm_event(qtpm_tpm *tpm, const uint8_t *data, size_t len)
{
    (void)tpm;
    (void)data;
    (void)len;
    return QTPM_OK;
}

static int fake_blob(uint8_t **blob, size_t *len)
{
    *blob = malloc(4);
    if (*blob == NULL)
        return QTPM_E_NOMEM;
    memcpy(*blob, "FAKE", 4);
    *len = 4;
    return QTPM_OK;
}

int qtpm_tpm_get_permanent(qtpm_tpm *tpm, uint8_t **blob, size_t *len)
{
    (void)tpm;
    return fake_blob(blob, len);
}

int qtpm_tpm_get_volatile(qtpm_tpm *tpm, uint8_t **blob, size_t *len)
{
    (void)tpm;
    return fake_blob(blob, len);
}

int qtpm_tpm_set_permanent(qtpm_tpm *tpm, const uint8_t *blob, size_t len, char *err,
                           size_t err_size)
{
    (void)tpm;
    (void)err;
    (void)err_size;
    return len == 4 && memcmp(blob, "FAKE", 4) == 0 ? QTPM_OK : QTPM_E_INVALID;
}

int qtpm_tpm_set_volatile(qtpm_tpm *tpm, const uint8_t *blob, size_t len)
{
    (void)tpm;
    return len == 4 && memcmp(blob, "FAKE", 4) == 0 ? QTPM_OK : QTPM_E_INVALID;
}

/* Profiles: the fake has one TPM, "default"; the server's option parsing
 * accepts the built-in names and hands JSON on unchecked. */
int qtpm_profile_check(const char *spec, char *err, size_t err_size)
{
    if (spec != NULL && (strcmp(spec, "default") == 0 || strcmp(spec, "compat-tss3") == 0 ||
                         spec[0] == '{'))
        return QTPM_OK;
    if (err != NULL && err_size > 0)
        snprintf(err, err_size, "unknown profile");
    return QTPM_E_INVALID;
}

size_t qtpm_tpm_profile(const qtpm_tpm *tpm, char *out, size_t cap)
{
    (void)tpm;
    int n = snprintf(out, cap, "default");
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}
