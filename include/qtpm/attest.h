/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libqtpm-attest: what a router's agent and the NMS's verifier both need to
 * agree on — Linux IMA measurement lists, vendor-signed reference digest
 * lists, and the verification of a quote plus the new part of a list into a
 * verdict (docs/ATTESTATION.md describes formats, protocol and trust model).
 *
 * Nothing here talks to a TPM or a network: the agent feeds it what its TPM
 * and kernel produce, the verifier what the agent sent. All functions return
 * 0 or a negative QTPM_ATTEST_E* code; outputs go to caller-owned structures
 * that have a matching _free() where they own heap memory.
 */
#ifndef QTPM_ATTEST_H
#define QTPM_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/tpm2_types.h"

#define QTPM_ATTEST_OK 0
#define QTPM_ATTEST_EINVAL (-1)    /* malformed input (parse error, bad sizes) */
#define QTPM_ATTEST_ENOMEM (-2)
#define QTPM_ATTEST_ESIG (-3)      /* a signature does not verify */
#define QTPM_ATTEST_EUNSUPP (-4)   /* an algorithm or template we do not handle */
#define QTPM_ATTEST_ERANGE (-5)    /* a limit (entries, sizes) exceeded */
#define QTPM_ATTEST_EIO (-6)

/* ------------------------------------------------------- IMA measurement list */

/* The templates of the kernel's ima_template_desc (security/integrity/ima). */
typedef enum {
    QTPM_IMA_TEMPLATE_IMA = 1,    /* "ima": SHA-1 file digest, name padded to 256 */
    QTPM_IMA_TEMPLATE_IMA_NG = 2, /* "ima-ng": d-ng | n-ng */
    QTPM_IMA_TEMPLATE_IMA_SIG = 3 /* "ima-sig": d-ng | n-ng | sig */
} qtpm_ima_template;

#define QTPM_IMA_MAX_DIGEST 64
#define QTPM_IMA_MAX_PATH 4096

/* One entry of a measurement list, parsed. template_data is the exact byte
 * string the kernel hashed into the template hash (and extends into every
 * PCR bank with that bank's hash); it is owned by the list. */
typedef struct {
    uint32_t pcr;
    qtpm_ima_template template_id;
    uint8_t template_sha1[20]; /* the digest field of the binary list (SHA-1 bank) */
    int violation;             /* template hash all zeros: the kernel extends 0xFF.. */
    TPMI_ALG_HASH file_alg;    /* file digest algorithm (TPM_ALG_SHA1/SHA256/...) */
    uint8_t file_digest[QTPM_IMA_MAX_DIGEST];
    size_t file_digest_len;
    char *path;                /* the file name as measured, NUL-terminated */
    uint8_t *sig;              /* ima-sig: the security.ima signature, or NULL */
    size_t sig_len;
    uint8_t *template_data;
    size_t template_data_len;
} qtpm_ima_entry;

typedef struct {
    qtpm_ima_entry *entries;
    size_t count, cap;
} qtpm_ima_list;

/* Parses a binary_runtime_measurements byte string (host byte order, as the
 * kernel writes it on x86) and appends its entries to list. */
int qtpm_ima_parse_binary(const uint8_t *buf, size_t len, qtpm_ima_list *list);
/* Parses ascii_runtime_measurements text ("10 <sha1> ima-ng sha256:<hex> /path")
 * and appends; template data is rebuilt from the fields. */
int qtpm_ima_parse_ascii(const char *text, size_t len, qtpm_ima_list *list);
void qtpm_ima_list_free(qtpm_ima_list *list);

/* Builds an ima-ng entry for a file digest and path exactly as the kernel
 * would (template data, SHA-1 template hash), for the agent's own measurer. */
int qtpm_ima_entry_ng(uint32_t pcr, TPMI_ALG_HASH file_alg, const uint8_t *digest,
                      size_t digest_len, const char *path, qtpm_ima_entry *out);
void qtpm_ima_entry_free(qtpm_ima_entry *e);
/* The value the kernel extends into a PCR bank of hash alg for entry e:
 * H_alg(template_data), or all 0xFF for a violation (ima_pcr_extend). */
int qtpm_ima_extend_value(const qtpm_ima_entry *e, TPMI_ALG_HASH alg, uint8_t *out,
                          size_t *out_len);
/* The boot_aggregate digest the kernel puts in the first entry of the list
 * (ima_calc_boot_aggregate, security/integrity/ima/ima_crypto.c): H_alg of
 * the bank's PCRs 0-7, and also 8-9 for banks other than SHA-1 (kernel 5.8
 * and later). pcrs holds PCRs 0..9 of that bank (10 values, each of the
 * bank's digest size); out gets the digest, *out_len its size. */
int qtpm_ima_boot_aggregate(TPMI_ALG_HASH alg, const TPM2B_DIGEST pcrs[10], uint8_t *out,
                            size_t *out_len);
/* Appends e in the binary list format to *buf (realloc'd). */
int qtpm_ima_serialize_binary(const qtpm_ima_entry *e, uint8_t **buf, size_t *len);
/* One line of the ASCII list (no trailing newline) into a malloc'd string. */
int qtpm_ima_format_ascii(const qtpm_ima_entry *e, char **line);

/* -------------------------------------------------------- reference digests */

/* A vendor's reference digest list for one router image (docs/ATTESTATION.md
 * "Digest lists"): vendor, image name, a monotonically increasing version,
 * and (digest, path, kind) entries; signed with ML-DSA-65 and ECDSA P-384,
 * both of which must verify. */
typedef enum {
    QTPM_DL_EXEC = 1,      /* may be executed or mapped executable */
    QTPM_DL_CONFIG = 2,    /* configuration read by the image */
    QTPM_DL_FORBIDDEN = 3  /* known bad: its presence makes the router bad */
} qtpm_dl_kind;

typedef struct {
    TPMI_ALG_HASH alg;
    uint8_t digest[QTPM_IMA_MAX_DIGEST];
    size_t digest_len;
    qtpm_dl_kind kind;
    char *path;
} qtpm_dl_entry;

typedef struct {
    char *vendor;
    char *image;
    uint64_t version;
    uint64_t issued;       /* seconds since the epoch */
    qtpm_dl_entry *entries; /* sorted by (alg, digest) for lookup */
    size_t count;
} qtpm_digestlist;

/* Verifies both signatures of a signed list with the vendor's keys
 * (mldsa65_pub: raw FIPS 204 public key, 1952 bytes; ecdsa_p384_pem: a PEM
 * SubjectPublicKeyInfo) and parses it. Either signature bad or missing ->
 * QTPM_ATTEST_ESIG, and *out is left empty. */
int qtpm_digestlist_verify(const uint8_t *signed_list, size_t len, const uint8_t *mldsa65_pub,
                           size_t mldsa65_pub_len, const char *ecdsa_p384_pem,
                           qtpm_digestlist *out);
void qtpm_digestlist_free(qtpm_digestlist *dl);
/* The entry with this digest, or NULL (binary search). */
const qtpm_dl_entry *qtpm_digestlist_find(const qtpm_digestlist *dl, TPMI_ALG_HASH alg,
                                          const uint8_t *digest, size_t len);

/* Parses the body of a list without checking its signatures (for `show`);
 * *body_len gets the length of the signed part. */
int qtpm_digestlist_parse_unverified(const uint8_t *buf, size_t len, qtpm_digestlist *out,
                                     size_t *body_len);
/* Encodes dl canonically (sorts its entries, merges equal digests) and signs
 * it with an ML-DSA-65 key (its 32-byte seed ξ) and an ECDSA P-384 private
 * key (PEM); *out is malloc'd. */
int qtpm_digestlist_sign(qtpm_digestlist *dl, const uint8_t mldsa65_seed[32],
                         const char *ecdsa_p384_key_pem, uint8_t **out, size_t *out_len);

/* --------------------------------------------------------------- verifying */

typedef enum {
    QTPM_VERDICT_GOOD = 0,
    QTPM_VERDICT_UNKNOWN = 1, /* a file that no list names */
    QTPM_VERDICT_BAD = 2,     /* contradiction, forbidden file, replay, tampering */
    QTPM_VERDICT_OFFLINE = 3  /* set by the NMS, never by the verifier */
} qtpm_verdict_state;

/* RATS AR4SI trustworthiness tiers (draft-ietf-rats-ar4si §2.3.3). */
typedef enum {
    QTPM_AR4SI_AFFIRMING = 0,
    QTPM_AR4SI_WARNING = 1,
    QTPM_AR4SI_CONTRAINDICATED = 2,
    QTPM_AR4SI_NONE = 3
} qtpm_ar4si_tier;

typedef struct {
    const char *code;   /* stable machine name: "unknown-file", "digest-mismatch",
                         * "forbidden-file", "pcr-mismatch", "bad-quote-signature",
                         * "nonce-mismatch", "list-truncated", "clock-rollback", ... */
    char *path;         /* file path concerned, or NULL */
    char *expected;     /* hex digest (or value) expected, or NULL */
    char *found;        /* hex digest (or value) found, or NULL */
    size_t entry;       /* list index concerned */
} qtpm_reason;

typedef struct {
    qtpm_verdict_state state;
    qtpm_ar4si_tier tier;
    int rebooted;        /* this evidence starts a new boot (resetCount changed, or
                          * restartCount changed and the list offered from 0) */
    qtpm_reason *reasons;
    size_t n_reasons;
} qtpm_verdict;

void qtpm_verdict_free(qtpm_verdict *v);
const char *qtpm_verdict_name(qtpm_verdict_state s);   /* "good", "unknown", ... */
const char *qtpm_ar4si_name(qtpm_ar4si_tier t);        /* "affirming", ... */

/* What the verifier keeps per router between attestations (DESIGN decision
 * 10): where the verified prefix of the list ends and the PCR values it
 * replays to, plus the boot identity and clock of the last good quote.
 * Serialised as a small JSON object so the store keeps it in one column. */
typedef struct {
    uint64_t next_index;         /* entries [0, next_index) verified */
    uint8_t pcr10_sha1[20];
    uint8_t pcr10_sha256[32];
    uint32_t reset_count, restart_count;
    uint64_t clock;
    int have_boot;               /* reset/restart/clock are from a verified quote */
    qtpm_verdict_state worst;    /* worst verdict so far in this boot */
} qtpm_verifier_state;

void qtpm_verifier_state_init(qtpm_verifier_state *st);
int qtpm_verifier_state_to_json(const qtpm_verifier_state *st, char **json);
int qtpm_verifier_state_from_json(const char *json, qtpm_verifier_state *st);

/* One piece of evidence as the agent sends it (RFC 9684 shapes). */
typedef struct {
    const TPMT_PUBLIC *ak;          /* the router's enrolled AK */
    const TPM2B_DATA *nonce;        /* the nonce the NMS issued */
    const TPM2B_ATTEST *quote;      /* TPMS_ATTEST as signed */
    const TPMT_SIGNATURE *sig;
    const TPML_PCR_SELECTION *pcrs; /* selection quoted */
    const TPM2B_DIGEST *pcr_values; /* unsigned PCR values, in selection order */
    size_t n_pcr_values;
    uint64_t from_index;            /* index of the first entry in new_entries */
    const qtpm_ima_list *new_entries;
} qtpm_evidence;

/* Verifies evidence against the router's state and the vendor lists:
 * the quote's signature, magic/type, nonce, PCR digest over the unsigned
 * values, resetCount/restartCount/clock against st (a new boot restarts
 * from index 0 and is flagged, not bad), then replays new_entries on top of
 * st's PCR 10 values and compares with the quoted PCR 10, then looks every
 * new file digest up in lists. On return *st is advanced only as far as the
 * evidence proved (a bad quote leaves it unchanged). */
int qtpm_attest_verify(qtpm_verifier_state *st, const qtpm_digestlist *const *lists,
                       size_t n_lists, const qtpm_evidence *ev, qtpm_verdict *out);

#endif
