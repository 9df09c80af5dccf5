/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Configuration integrity (confint.h): the TPM HMAC key, the manifest of
 * HMAC_K(SHA-256(file)) values and its check. The HMAC is computed by the TPM
 * (TPM2_HMAC, Part 3 §15.5) over the file's SHA-256 digest, so files of any
 * size need a single command; the key never leaves the TPM unwrapped.
 * Comparisons are constant-time (src/crypto/ct.h).
 */
#include "confint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "agent.h"
#include "qtpm/marshal.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"
#include "ct.h"

static int load_hmac_key(qtpm_tss *tpm, const char *state_dir, qtpm_tss_key *srk,
                         TPM_HANDLE *key, char *err, size_t errlen)
{
    char pp[1200], sp[1200];
    snprintf(pp, sizeof pp, "%s/hmac.pub", state_dir);
    snprintf(sp, sizeof sp, "%s/hmac.priv", state_dir);
    int rc = qtpm_tss_create_srk(tpm, TPM_ALG_ECC, NULL, srk);
    if (rc != QTPM_OK) {
        snprintf(err, errlen, "SRK: error 0x%x", (unsigned)rc);
        return rc;
    }
    qtpm_tss_auths pw = { 1, { { NULL, NULL } } };
    TPM2B_PUBLIC pub;
    TPM2B_PRIVATE priv;
    memset(&pub, 0, sizeof pub);
    memset(&priv, 0, sizeof priv);
    uint8_t *b1 = NULL, *b2 = NULL;
    size_t l1 = 0, l2 = 0;
    if (agent_read_file(pp, &b1, &l1) == 0 && agent_read_file(sp, &b2, &l2) == 0) {
        size_t o1 = 0, o2 = 0;
        if (qtpm_TPM2B_PUBLIC_unmarshal(&pub, b1, l1, &o1, 0) != TPM_RC_SUCCESS ||
            qtpm_TPM2B_PRIVATE_unmarshal(&priv, b2, l2, &o2) != TPM_RC_SUCCESS) {
            free(b1);
            free(b2);
            snprintf(err, errlen, "%s: corrupt HMAC key blobs", state_dir);
            return AGENT_E_IO;
        }
        free(b1);
        free(b2);
    } else {
        free(b1);
        free(b2);
        TPM2B_SENSITIVE_CREATE sens;
        memset(&sens, 0, sizeof sens);
        TPM2B_PUBLIC tmpl;
        memset(&tmpl, 0, sizeof tmpl);
        TPMT_PUBLIC *p = &tmpl.publicArea;
        p->type = TPM_ALG_KEYEDHASH;
        p->nameAlg = TPM_ALG_SHA256;
        /* noDA (Part 2 §8.3.3.1): the key's authValue is empty, so dictionary-attack
         * protection guards nothing; without noDA its first use in a boot cycle is a TPM
         * NV write (the DA "used" mark, Part 1 §19.8.6 on non-orderly shutdown) and three
         * power losses after a use lock the router out of its own configuration check. */
        p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                              TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                              TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_NODA;
        p->parameters.keyedHashDetail.scheme.scheme = TPM_ALG_HMAC;
        p->parameters.keyedHashDetail.scheme.details.hmac.hashAlg = TPM_ALG_SHA256;
        rc = qtpm_tss_Create(tpm, &pw, srk->handle, &sens, &tmpl, NULL, NULL, &priv, &pub,
                             NULL, NULL, NULL);
        if (rc != QTPM_OK) {
            snprintf(err, errlen, "create HMAC key: error 0x%x", (unsigned)rc);
            return rc;
        }
        uint8_t buf[2048];
        size_t o = 0;
        if (qtpm_TPM2B_PUBLIC_marshal(&pub, buf, sizeof buf, &o) != TPM_RC_SUCCESS ||
            agent_write_file(pp, buf, o, 0644) != 0) {
            snprintf(err, errlen, "%s: cannot write", pp);
            return AGENT_E_IO;
        }
        o = 0;
        if (qtpm_TPM2B_PRIVATE_marshal(&priv, buf, sizeof buf, &o) != TPM_RC_SUCCESS ||
            agent_write_file(sp, buf, o, 0600) != 0) {
            snprintf(err, errlen, "%s: cannot write", sp);
            return AGENT_E_IO;
        }
    }
    rc = qtpm_tss_Load(tpm, &pw, srk->handle, &priv, &pub, key, NULL);
    if (rc != QTPM_OK)
        snprintf(err, errlen, "load HMAC key: error 0x%x", (unsigned)rc);
    return rc;
}

/* HMAC_K(SHA-256(content of path)) by the TPM. */
static int file_hmac(qtpm_tss *tpm, TPM_HANDLE key, const char *path, uint8_t out[32])
{
    uint8_t *buf = NULL;
    size_t len = 0;
    if (agent_read_file(path, &buf, &len) != 0)
        return AGENT_E_IO;
    TPM2B_MAX_BUFFER in;
    memset(&in, 0, sizeof in);
    unsigned int dl = 0;
    int ok = EVP_Digest(buf, len, in.buffer, &dl, EVP_sha256(), NULL);
    free(buf);
    if (!ok || dl != 32)
        return AGENT_E_IO;
    in.size = 32;
    qtpm_tss_auths pw = { 1, { { NULL, NULL } } };
    TPM2B_DIGEST h;
    int rc = qtpm_tss_HMAC(tpm, &pw, key, &in, TPM_ALG_SHA256, &h);
    if (rc != QTPM_OK)
        return rc;
    if (h.size != 32)
        return AGENT_E_IO;
    memcpy(out, h.buffer, 32);
    return QTPM_OK;
}

int agent_confint_seal(qtpm_tss *tpm, const char *state_dir, const char *manifest,
                       const char *const *files, size_t n, char *err, size_t errlen)
{
    qtpm_tss_key srk;
    TPM_HANDLE key = 0;
    int rc = load_hmac_key(tpm, state_dir, &srk, &key, err, errlen);
    if (rc != QTPM_OK)
        return rc;
    size_t cap = 64 + n * 1200, used = 0;
    char *text = calloc(1, cap);
    if (!text) {
        rc = AGENT_E_IO;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t h[32];
        if (strchr(files[i], '\n') || strlen(files[i]) > 1024) {
            snprintf(err, errlen, "%s: bad path", files[i]);
            rc = AGENT_E_IO;
            goto out;
        }
        rc = file_hmac(tpm, key, files[i], h);
        if (rc != QTPM_OK) {
            snprintf(err, errlen, "%s: cannot read or HMAC (0x%x)", files[i], (unsigned)rc);
            goto out;
        }
        char *hex = agent_hex(h, 32);
        if (!hex) {
            rc = AGENT_E_IO;
            goto out;
        }
        used += (size_t)snprintf(text + used, cap - used, "%s %s\n", hex, files[i]);
        free(hex);
    }
    if (agent_write_file(manifest, (const uint8_t *)text, used, 0644) != 0) {
        snprintf(err, errlen, "%s: cannot write", manifest);
        rc = AGENT_E_IO;
    }
out:
    free(text);
    qtpm_tss_FlushContext(tpm, key);
    qtpm_tss_FlushContext(tpm, srk.handle);
    return rc;
}

int agent_confint_verify(qtpm_tss *tpm, const char *state_dir, const char *manifest,
                         size_t *bad, char *err, size_t errlen)
{
    return agent_confint_verify_ex(tpm, state_dir, manifest, bad, NULL, err, errlen);
}

int agent_confint_verify_ex(qtpm_tss *tpm, const char *state_dir, const char *manifest,
                            size_t *bad, json_t *refused, char *err, size_t errlen)
{
    *bad = 0;
    uint8_t *text = NULL;
    size_t len = 0;
    if (agent_read_file(manifest, &text, &len) != 0) {
        snprintf(err, errlen, "%s: cannot read the manifest", manifest);
        return AGENT_E_IO;
    }
    qtpm_tss_key srk;
    TPM_HANDLE key = 0;
    int rc = load_hmac_key(tpm, state_dir, &srk, &key, err, errlen);
    if (rc != QTPM_OK) {
        free(text);
        return rc;
    }
    char *s = calloc(1, len + 1);
    if (!s) {
        rc = AGENT_E_IO;
        goto out;
    }
    memcpy(s, text, len);
    char *save = NULL;
    for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        uint8_t want[32], got[32];
        size_t wl = 0;
        if (!sp) {
            snprintf(err, errlen, "%s: malformed line", manifest);
            rc = AGENT_E_IO;
            break;
        }
        *sp = '\0';
        const char *path = sp + 1;
        if (agent_unhex(line, want, sizeof want, &wl) != 0 || wl != 32) {
            snprintf(err, errlen, "%s: malformed HMAC for %s", manifest, path);
            rc = AGENT_E_IO;
            break;
        }
        int unreadable = file_hmac(tpm, key, path, got) != QTPM_OK;
        if (unreadable || !ct_equal(want, got, 32)) {
            (*bad)++;
            snprintf(err, errlen, "%s: %s, refused", path,
                     unreadable ? "missing or unreadable" : "HMAC mismatch");
            if (refused)
                json_array_append_new(refused,
                                      json_pack("{s:s,s:s}", "path", path, "reason",
                                                unreadable ? "unreadable" : "modified"));
        }
    }
out:
    free(s);
    free(text);
    qtpm_tss_FlushContext(tpm, key);
    qtpm_tss_FlushContext(tpm, srk.handle);
    return rc;
}
