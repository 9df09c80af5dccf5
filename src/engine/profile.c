/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * profile.c — TPM profiles: the subset of the engine's algorithms and
 * commands one TPM offers (profile.h; docs/SERVER.md "Profiles").
 *
 * The idea and the JSON shape are libtpms 0.10's (TPMLIB_SetProfile(3)): a
 * map with "Name", and for the one user-defined profile, "custom", an
 * "Algorithms" string of comma-separated algorithm names to enable and a
 * "Commands" string of comma-separated command codes or ranges of them
 * ("0x11f-0x12f,0x144"). The built-ins:
 *   default      every algorithm and command the engine implements;
 *   compat-tss3  default without SHA3-256/384/512, for clients on
 *                tpm2-tss 3.2.1 (Debian 12's), which fail client-side
 *                ("Unsupported hash algorithm (39)") as soon as a TPM lists
 *                a SHA-3 hash or PCR bank they then try to use. ML-KEM and
 *                ML-DSA stay: old clients never meet them unless they ask.
 * A few things cannot be switched off, because the TPM itself relies on
 * them: the NULL algorithm, SHA-256 (TPM_PT_CONTEXT_HASH, the algorithm of
 * the state's own checksums) and the commands Startup, Shutdown,
 * GetCapability, SelfTest and GetTestResult (without them no client can
 * even learn what the TPM is).
 *
 * The canonical text (profile_write) is what the state keeps: the name of a
 * built-in, so a later qtpm's built-in keeps its meaning, or the JSON of a
 * custom profile with its algorithms in ID order and its commands as merged
 * ranges, which profile_parse reads back to the same sets.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "profile.h"

/* Names of the algorithms a profile can name, in TPM_ALG_ID order (the
 * lower-case registry names, with '-' for '_', as libtpms spells them). */
static const struct {
    TPM_ALG_ID alg;
    const char *name;
} alg_names[] = {
    {TPM_ALG_RSA, "rsa"},
    {TPM_ALG_SHA1, "sha1"},
    {TPM_ALG_HMAC, "hmac"},
    {TPM_ALG_AES, "aes"},
    {TPM_ALG_MGF1, "mgf1"},
    {TPM_ALG_KEYEDHASH, "keyedhash"},
    {TPM_ALG_XOR, "xor"},
    {TPM_ALG_SHA256, "sha256"},
    {TPM_ALG_SHA384, "sha384"},
    {TPM_ALG_SHA512, "sha512"},
    {TPM_ALG_NULL, "null"},
    {TPM_ALG_RSASSA, "rsassa"},
    {TPM_ALG_RSAES, "rsaes"},
    {TPM_ALG_RSAPSS, "rsapss"},
    {TPM_ALG_OAEP, "oaep"},
    {TPM_ALG_ECDSA, "ecdsa"},
    {TPM_ALG_ECDH, "ecdh"},
    {TPM_ALG_ECDAA, "ecdaa"},
    {TPM_ALG_ECSCHNORR, "ecschnorr"},
    {TPM_ALG_KDF1_SP800_56A, "kdf1-sp800-56a"},
    {TPM_ALG_KDF1_SP800_108, "kdf1-sp800-108"},
    {TPM_ALG_ECC, "ecc"},
    {TPM_ALG_SYMCIPHER, "symcipher"},
    {TPM_ALG_SHA3_256, "sha3-256"},
    {TPM_ALG_SHA3_384, "sha3-384"},
    {TPM_ALG_SHA3_512, "sha3-512"},
    {TPM_ALG_CTR, "ctr"},
    {TPM_ALG_OFB, "ofb"},
    {TPM_ALG_CBC, "cbc"},
    {TPM_ALG_CFB, "cfb"},
    {TPM_ALG_ECB, "ecb"},
    {TPM_ALG_MLKEM, "mlkem"},
    {TPM_ALG_MLDSA, "mldsa"},
    {TPM_ALG_HASH_MLDSA, "hash-mldsa"},
};
#define NNAMES (sizeof(alg_names) / sizeof(alg_names[0]))

static const TPM_CC required_commands[] = {TPM_CC_Startup, TPM_CC_Shutdown, TPM_CC_GetCapability,
                                           TPM_CC_SelfTest, TPM_CC_GetTestResult};
#define NREQUIRED (sizeof(required_commands) / sizeof(required_commands[0]))

__attribute__((format(printf, 3, 4))) static void fail(char *err, size_t err_size,
                                                       const char *fmt, ...)
{
    if (err != NULL && err_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
}

static void alg_set(tpm_profile *p, TPM_ALG_ID alg, int on)
{
    if (alg >= 256)
        return;
    if (on)
        p->alg_on[alg / 8] |= (uint8_t)(1u << (alg % 8));
    else
        p->alg_on[alg / 8] &= (uint8_t)~(1u << (alg % 8));
}

static void cc_set(tpm_profile *p, TPM_CC cc)
{
    unsigned i = cc - TPM_CC_FIRST;
    p->cc_on[i / 8] |= (uint8_t)(1u << (i % 8));
}

int profile_alg_enabled(const tpm_profile *p, TPM_ALG_ID alg)
{
    return alg < 256 && (p->alg_on[alg / 8] >> (alg % 8)) & 1;
}

int profile_command_enabled(const tpm_profile *p, TPM_CC cc)
{
    /* qtpm's vendor commands belong to no TCG profile: on in every one */
    if (cc & CC_VEND)
        return tpm_command_implemented(cc);
    if (cc < TPM_CC_FIRST || cc > TPM_CC_LAST)
        return 0;
    unsigned i = cc - TPM_CC_FIRST;
    return (p->cc_on[i / 8] >> (i % 8)) & 1;
}

static void all_commands(tpm_profile *p)
{
    memset(p->cc_on, 0, sizeof(p->cc_on));
    for (TPM_CC cc = TPM_CC_FIRST; cc <= TPM_CC_LAST; cc++)
        if (tpm_command_implemented(cc))
            cc_set(p, cc);
}

void profile_default(tpm_profile *p)
{
    memset(p, 0, sizeof(*p));
    p->kind = PROFILE_DEFAULT;
    for (size_t i = 0; i < NNAMES; i++)
        if (tpm_alg_implemented(alg_names[i].alg))
            alg_set(p, alg_names[i].alg, 1);
    all_commands(p);
}

static void profile_compat_tss3(tpm_profile *p)
{
    profile_default(p);
    p->kind = PROFILE_COMPAT_TSS3;
    alg_set(p, TPM_ALG_SHA3_256, 0);
    alg_set(p, TPM_ALG_SHA3_384, 0);
    alg_set(p, TPM_ALG_SHA3_512, 0);
}

const char *profile_name(const tpm_profile *p)
{
    switch (p->kind) {
    case PROFILE_COMPAT_TSS3: return "compat-tss3";
    case PROFILE_CUSTOM: return "custom";
    default: return "default";
    }
}

int profile_equal(const tpm_profile *a, const tpm_profile *b)
{
    return a->kind == b->kind && public_equal(a->alg_on, b->alg_on, sizeof(a->alg_on)) &&
           public_equal(a->cc_on, b->cc_on, sizeof(a->cc_on));
}

/* The blanks a list of the profile may have around its entries. */
static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n';
}

/* A comma-separated list of the profile: item() on each entry (strtok_r,
 * so nothing between two commas is no entry); the first error ends it. */
static int parse_list(const char *list, tpm_profile *p, char *err, size_t err_size,
                      int (*item)(char *tok, tpm_profile *p, char *err, size_t err_size))
{
    char *copy = strdup(list);
    if (copy == NULL) {
        fail(err, err_size, "%s", "out of memory");
        return QTPM_E_NOMEM;
    }
    int rc = QTPM_OK;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && rc == QTPM_OK;
         tok = strtok_r(NULL, ",", &save))
        rc = item(tok, p, err, err_size);
    free(copy);
    return rc;
}

/* An entry of "rsa,sha256 , ecc": a name known and implemented; a blank
 * entry is none. */
static int parse_algorithm(char *tok, tpm_profile *p, char *err, size_t err_size)
{
    while (is_blank(*tok))
        tok++;
    size_t n = strlen(tok);
    while (n > 0 && is_blank(tok[n - 1]))
        tok[--n] = '\0';
    if (n == 0)
        return QTPM_OK;
    size_t i = 0;
    while (i < NNAMES && strcmp(alg_names[i].name, tok) != 0)
        i++;
    if (i == NNAMES || !tpm_alg_implemented(alg_names[i].alg)) {
        fail(err, err_size, "unknown algorithm '%s' in the profile's Algorithms", tok);
        return QTPM_E_INVALID;
    }
    alg_set(p, alg_names[i].alg, 1);
    return QTPM_OK;
}

static int parse_code(const char *s, char **end, TPM_CC *cc)
{
    while (is_blank(*s))
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    unsigned long v = strtoul(s, end, 0);
    while (is_blank(**end))
        (*end)++;
    if (v < TPM_CC_FIRST || v > TPM_CC_LAST)
        return -1;
    *cc = (TPM_CC)v;
    return 0;
}

/* An entry of "0x11f-0x12f, 0x144": a code or an inclusive range; a range
 * may span codes the engine does not implement (they stay off), a single
 * code must be one it does. */
static int parse_command(char *tok, tpm_profile *p, char *err, size_t err_size)
{
    char *end;
    TPM_CC lo, hi;
    int rc = QTPM_OK;
    if (parse_code(tok, &end, &lo) != 0) {
        rc = QTPM_E_INVALID;
    } else if (*end == '-') {
        if (parse_code(end + 1, &end, &hi) != 0 || *end != '\0' || hi < lo)
            rc = QTPM_E_INVALID;
    } else {
        hi = lo;
        if (*end != '\0' || !tpm_command_implemented(lo))
            rc = QTPM_E_INVALID;
    }
    if (rc != QTPM_OK) {
        fail(err, err_size,
             "bad entry '%s' in the profile's Commands (want implemented command codes or "
             "ranges, e.g. 0x11f-0x12f,0x144)", tok);
        return rc;
    }
    for (TPM_CC cc = lo; cc <= hi; cc++)
        if (tpm_command_implemented(cc))
            cc_set(p, cc);
    return QTPM_OK;
}

static int parse_json(const char *spec, tpm_profile *p, char *err, size_t err_size)
{
    json_error_t jerr;
    json_t *root = json_loads(spec, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL || !json_is_object(root)) {
        fail(err, err_size, "the profile is not a JSON object: %s", root ? "" : jerr.text);
        json_decref(root);
        return QTPM_E_INVALID;
    }
    int rc = QTPM_OK;
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "Name") != 0 && strcmp(key, "Algorithms") != 0 &&
            strcmp(key, "Commands") != 0 && strcmp(key, "Description") != 0) {
            fail(err, err_size, "unknown field '%s' in the profile (known: Name, Algorithms, "
                                "Commands, Description)", key);
            rc = QTPM_E_INVALID;
        } else if (!json_is_string(v)) {
            fail(err, err_size, "the profile's %s must be a string", key);
            rc = QTPM_E_INVALID;
        }
        if (rc != QTPM_OK)
            break;
    }
    const char *name = rc == QTPM_OK ? json_string_value(json_object_get(root, "Name")) : NULL;
    json_t *algs = json_object_get(root, "Algorithms"), *cmds = json_object_get(root, "Commands");
    if (rc == QTPM_OK && name == NULL) {
        fail(err, err_size, "%s", "the profile has no Name");
        rc = QTPM_E_INVALID;
    } else if (rc == QTPM_OK && strcmp(name, "custom") != 0) {
        if (algs || cmds) {
            fail(err, err_size,
                 "only the custom profile takes Algorithms or Commands, not '%s'", name);
            rc = QTPM_E_INVALID;
        } else {
            rc = profile_parse(name, p, err, err_size);
        }
    } else if (rc == QTPM_OK) {
        memset(p, 0, sizeof(*p));
        p->kind = PROFILE_CUSTOM;
        if (algs) {
            rc = parse_list(json_string_value(algs), p, err, err_size, parse_algorithm);
        } else {
            profile_default(p);
            p->kind = PROFILE_CUSTOM;
        }
        if (rc == QTPM_OK) {
            memset(p->cc_on, 0, sizeof(p->cc_on));
            if (cmds)
                rc = parse_list(json_string_value(cmds), p, err, err_size, parse_command);
            else
                all_commands(p);
        }
        if (rc == QTPM_OK && (!profile_alg_enabled(p, TPM_ALG_NULL) ||
                              !profile_alg_enabled(p, TPM_ALG_SHA256))) {
            fail(err, err_size, "%s",
                 "a profile cannot disable null or sha256 (the TPM's own context and state "
                 "integrity use SHA-256)");
            rc = QTPM_E_INVALID;
        }
        for (size_t i = 0; rc == QTPM_OK && i < NREQUIRED; i++)
            if (!profile_command_enabled(p, required_commands[i])) {
                fail(err, err_size, "%s",
                     "a profile cannot disable Startup (0x144), Shutdown (0x145), "
                     "GetCapability (0x17a), SelfTest (0x143) or GetTestResult (0x17c)");
                rc = QTPM_E_INVALID;
            }
    }
    json_decref(root);
    return rc;
}

int profile_parse(const char *spec, tpm_profile *p, char *err, size_t err_size)
{
    if (spec == NULL || strcmp(spec, "default") == 0) {
        profile_default(p);
        return QTPM_OK;
    }
    if (strcmp(spec, "compat-tss3") == 0) {
        profile_compat_tss3(p);
        return QTPM_OK;
    }
    const char *s = spec;
    while (is_blank(*s))
        s++;
    if (*s == '{')
        return parse_json(s, p, err, err_size);
    fail(err, err_size,
         "unknown profile '%s' (known: default, compat-tss3, or a JSON map "
         "{\"Name\":\"custom\",\"Algorithms\":\"...\",\"Commands\":\"...\"})", spec);
    return QTPM_E_INVALID;
}

/* Appends printf output to out, tracking overflow in *bad. */
__attribute__((format(printf, 5, 6))) static void put(char *out, size_t cap, size_t *len,
                                                      int *bad, const char *fmt, ...)
{
    if (*bad)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap - *len) {
        *bad = 1;
        return;
    }
    *len += (size_t)n;
}

size_t profile_write(const tpm_profile *p, char *out, size_t cap)
{
    size_t len = 0;
    int bad = cap == 0;
    if (p->kind != PROFILE_CUSTOM) {
        put(out, cap, &len, &bad, "%s", profile_name(p));
        return bad ? 0 : len;
    }
    put(out, cap, &len, &bad, "{\"Name\":\"custom\",\"Algorithms\":\"");
    int first = 1;
    for (size_t i = 0; i < NNAMES; i++)
        if (profile_alg_enabled(p, alg_names[i].alg)) {
            put(out, cap, &len, &bad, "%s%s", first ? "" : ",", alg_names[i].name);
            first = 0;
        }
    put(out, cap, &len, &bad, "\",\"Commands\":\"");
    /* ranges of enabled codes; a gap of codes the engine does not implement
     * does not split a range */
    first = 1;
    for (TPM_CC cc = TPM_CC_FIRST; cc <= TPM_CC_LAST; cc++) {
        if (!profile_command_enabled(p, cc))
            continue;
        TPM_CC hi = cc, next = cc + 1;
        for (; next <= TPM_CC_LAST; next++) {
            if (profile_command_enabled(p, next))
                hi = next;
            else if (tpm_command_implemented(next))
                break;
        }
        if (hi == cc)
            put(out, cap, &len, &bad, "%s0x%x", first ? "" : ",", (unsigned)cc);
        else
            put(out, cap, &len, &bad, "%s0x%x-0x%x", first ? "" : ",", (unsigned)cc, (unsigned)hi);
        first = 0;
        cc = hi;
    }
    put(out, cap, &len, &bad, "\"}");
    return bad ? 0 : len;
}

size_t tpm_hash_size(const qtpm_tpm *tpm, TPM_ALG_ID alg)
{
    return profile_alg_enabled(&tpm->profile, alg) ? crypt_hash_size(alg) : 0;
}

int tpm_alg_enabled(const qtpm_tpm *tpm, TPM_ALG_ID alg)
{
    return profile_alg_enabled(&tpm->profile, alg);
}

int tpm_command_offered(const qtpm_tpm *tpm, TPM_CC cc)
{
    return tpm_command_implemented(cc) && profile_command_enabled(&tpm->profile, cc);
}
