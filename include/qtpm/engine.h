/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/engine.h — libqtpm-engine: a TPM 2.0 as a value.
 *
 * A qtpm_tpm holds everything one TPM knows; there is no global state, so
 * many TPMs can live in one process (the network simulation runs one per
 * router). Commands go in as TPM 2.0 command bytes and come out as response
 * bytes. Persistent state goes through the storage interface below, whose
 * default writes files in a directory crash-safely (temp file, fsync,
 * rename): killing the process at any moment leaves the old or the new state,
 * never a mix.
 *
 * The platform signals of the TCG simulator (power, NV availability, cancel,
 * locality) are functions here so both server front ends (mssim and swtpm)
 * share one meaning of them.
 */
#ifndef QTPM_ENGINE_H
#define QTPM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#define QTPM_MAX_COMMAND_SIZE 8192
#define QTPM_MAX_RESPONSE_SIZE 8192

typedef struct qtpm_tpm qtpm_tpm;

/* Storage interface: named blobs, each replaced atomically. */
typedef struct qtpm_store {
    void *ctx;
    /* Reads blob name into a malloc'd buffer; QTPM_OK, or 1 if absent, or < 0. */
    int (*load)(void *ctx, const char *name, uint8_t **data, size_t *len);
    /* Replaces blob name atomically and durably. */
    int (*save)(void *ctx, const char *name, const uint8_t *data, size_t len);
    int (*remove)(void *ctx, const char *name);
    void (*close)(void *ctx);
} qtpm_store;

/* The default store: a directory, created if missing. The blob "state" is
 * saved through a write-ahead journal of QTPM_STORE_JOURNAL_DEFAULT bytes
 * (docs/SERVER.md "Journal"). */
int qtpm_store_dir(qtpm_store *store, const char *dir);
/* The same with a journal of journal_bytes (2 KiB .. 16 MiB, a multiple of
 * 512; 0: none, every save rewrites the snapshot). A journal left by an
 * earlier run is replayed whatever the size given. */
#define QTPM_STORE_JOURNAL_DEFAULT (256u * 1024u)
int qtpm_store_dir_journal(qtpm_store *store, const char *dir, size_t journal_bytes);
/* A store that keeps nothing (state lives only as long as the qtpm_tpm). */
void qtpm_store_memory(qtpm_store *store);

typedef struct qtpm_tpm_config {
    qtpm_store store;  /* taken over by the TPM (closed in qtpm_tpm_free) */
    int powered_on;    /* start powered and NV-enabled (like swtpm not-need-init) */
    char *err;         /* optional: on failure, why (e.g. "checksum mismatch") */
    size_t err_size;
    /* The TPM profile (docs/SERVER.md "Profiles"): "default", "compat-tss3"
     * or a custom profile's JSON. A new TPM is manufactured with it (NULL:
     * "default"); a stored TPM keeps the profile it was manufactured with,
     * and qtpm_tpm_new refuses it when this names another one (NULL: any). */
    const char *profile;
} qtpm_tpm_config;

/* Checks a profile text as qtpm_tpm_new would read it: QTPM_OK, or
 * QTPM_E_INVALID with the reason in err. */
int qtpm_profile_check(const char *spec, char *err, size_t err_size);
/* The TPM's profile as canonical text (a built-in's name, a custom
 * profile's JSON); its length, 0 if cap is too small. */
size_t qtpm_tpm_profile(const qtpm_tpm *tpm, char *out, size_t cap);

/* Creates a TPM from its stored state, manufacturing it (fresh seeds) if the
 * store is empty. Returns QTPM_OK or a negative qtpm_err; a state that does
 * not load (damaged, truncated, unknown version) is refused and never
 * written, and cfg->err says why. */
int qtpm_tpm_new(qtpm_tpm **out, const qtpm_tpm_config *cfg);
/* Saves what must survive and frees everything (secrets wiped). */
void qtpm_tpm_free(qtpm_tpm *tpm);

/* Platform signals (TCG simulator semantics). Power-on is _TPM_Init: the TPM
 * then needs TPM2_Startup. Power-off loses volatile state. */
void qtpm_tpm_power_on(qtpm_tpm *tpm);
void qtpm_tpm_power_off(qtpm_tpm *tpm);
void qtpm_tpm_nv_on(qtpm_tpm *tpm);
void qtpm_tpm_nv_off(qtpm_tpm *tpm);
void qtpm_tpm_cancel(qtpm_tpm *tpm, int on);
int qtpm_tpm_is_powered(const qtpm_tpm *tpm);

/* Executes one command at the given locality (0..4). Always writes a
 * well-formed response (an error response for malformed input) and returns
 * its length; rsp_cap must be >= QTPM_MAX_RESPONSE_SIZE. */
size_t qtpm_tpm_execute(qtpm_tpm *tpm, uint8_t locality, const uint8_t *cmd, size_t cmd_len,
                        uint8_t *rsp, size_t rsp_cap);

/* Virtual TPM (src/engine/vtpm.c, docs/VTPM.md): what a hypervisor's TPM
 * front end needs beyond the simulator signals. Each returns QTPM_OK or a
 * negative qtpm_err (QTPM_E_PARAM also when the TPM is in the wrong power
 * state for the call).
 *
 * The D-RTM event (_TPM_Hash_Start .. _TPM_Hash_End, Part 1 §34.3) with all
 * the data the platform collected: PCRs 17..22 reset to zero, PCR 17
 * extended with H(data) in every allocated bank. Needs a started TPM. */
int qtpm_tpm_drtm_event(qtpm_tpm *tpm, const uint8_t *data, size_t len);
/* The permanent state as one blob (the state file's format); malloc'd. */
int qtpm_tpm_get_permanent(qtpm_tpm *tpm, uint8_t **blob, size_t *len);
/* Replaces the permanent state of a powered-off TPM with a blob that passes
 * every check of a state file (err says why one does not); saved at once. */
int qtpm_tpm_set_permanent(qtpm_tpm *tpm, const uint8_t *blob, size_t len, char *err,
                           size_t err_size);
/* The volatile state of a powered TPM (Startup done, PCRs, enables, platform
 * auth, Time; not loaded objects or sessions) as a checksummed blob, and its
 * restoration into a powered TPM (what CMD_INIT after a migration does). */
int qtpm_tpm_get_volatile(qtpm_tpm *tpm, uint8_t **blob, size_t *len);
int qtpm_tpm_set_volatile(qtpm_tpm *tpm, const uint8_t *blob, size_t len);

#endif
