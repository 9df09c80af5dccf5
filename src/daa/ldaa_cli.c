/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ldaa_cli.c — the `qtpm-daa ldaa-*` subcommands (main.c dispatches here):
 * the lattice DAA's issuer, the TPM part, host, verifier and linker, one
 * process per step, every object a binary file in the formats of
 * qtpm/ldaa.h. Exit status as main.c's: 0 success (verify: valid; link:
 * linked), 1 check failed, 2 usage, 3 other errors.
 *
 * The TPM part: with --tcti SPEC, an LDAA key in that TPM (the engine's
 * vendor commands, through libqtss), --key naming its wrapped key file
 * (qtpm_ldaa_tss_key_create); s stays in the TPM, and ldaa-export-secret
 * refuses. Without --tcti, the software TPM part of qtpm/ldaa.h, whose key
 * file holds s: the stand-in for an extracted key, which is what key-based
 * revocation lists (ldaa-export-secret).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldaa_cli.h"
#include "qtpm/common.h"
#include "qtpm/daa_host.h"
#include "qtpm/ldaa.h"
#include "qtpm/tss_cmd.h"

/* Reads a file of exactly want bytes (want 0: any size up to cap). */
static uint8_t *slurp(const char *path, size_t cap, size_t *len)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (f == NULL) {
        fprintf(stderr, "qtpm-daa: cannot read %s\n", path ? path : "(missing option)");
        return NULL;
    }
    uint8_t *buf = malloc(cap + 1);
    if (buf == NULL) {
        fclose(f);
        return NULL;
    }
    *len = fread(buf, 1, cap + 1, f);
    fclose(f);
    if (*len > cap) {
        fprintf(stderr, "qtpm-daa: %s is larger than %zu bytes\n", path, cap);
        free(buf);
        return NULL;
    }
    return buf;
}

static int spill(const char *path, const uint8_t *buf, size_t len)
{
    FILE *f = path ? fopen(path, "wb") : NULL;
    if (f == NULL || fwrite(buf, 1, len, f) != len) {
        fprintf(stderr, "qtpm-daa: cannot write %s\n", path ? path : "(missing option)");
        if (f)
            fclose(f);
        return 3;
    }
    return fclose(f) == 0 ? 0 : 3;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "qtpm-daa: %s: %s\n", what, qtpm_daa_strerror(rc));
    return 3;
}

static int load_pk(const char *path, qtpm_ldaa_ipk **pk)
{
    size_t len;
    uint8_t *b = slurp(path, QTPM_LDAA_IPK_SIZE, &len);
    if (b == NULL)
        return 3;
    int rc = qtpm_ldaa_ipk_load(pk, b, len);
    free(b);
    return rc ? fail("issuer public key", rc) : 0;
}

#define TPM_KEYFILE_MAX 4096
#define JOIN_MSG_MAX 4096 /* request, challenge, state: public areas and a credential blob */
/* the host's output: a response or a credential */
#define HOST_OUT_MAX                                                                           \
    (1 + QTPM_LDAA_JOINREQ_SIZE > QTPM_LDAA_CRED_SIZE ? 1 + QTPM_LDAA_JOINREQ_SIZE             \
                                                      : QTPM_LDAA_CRED_SIZE)

static qtpm_tss *open_tss(const char *spec)
{
    qtpm_tss *t = NULL;
    if (qtpm_tss_new(spec, &t) != 0) {
        fprintf(stderr, "qtpm-daa: cannot open TPM %s\n", spec);
        return NULL;
    }
    int rc = qtpm_tss_Startup(t, TPM_SU_CLEAR);
    if (rc != 0 && rc != (int)TPM_RC_INITIALIZE)
        fprintf(stderr, "qtpm-daa: Startup: %s (continuing)\n", qtpm_tss_strerror(rc));
    return t;
}

static int load_tpm(const ldaa_cli_opts *o, qtpm_ldaa_tpm **tpm)
{
    const char *path = o->key;
    size_t len;
    if (o->tcti != NULL) {
        uint8_t *b = slurp(path, TPM_KEYFILE_MAX, &len);
        if (b == NULL)
            return 3;
        qtpm_tss *t = open_tss(o->tcti);
        int rc = t == NULL ? QTPM_DAA_E_TPM : qtpm_ldaa_tpm_open_file(tpm, t, 1, b, len);
        free(b);
        if (rc != 0 && t != NULL)
            qtpm_tss_free(t);
        return rc ? fail("TPM key", rc) : 0;
    }
    uint8_t *b = slurp(path, QTPM_LDAA_TPMKEY_SIZE, &len);
    if (b == NULL)
        return 3;
    int rc = qtpm_ldaa_tpm_load(tpm, b, len);
    qtpm_memzero(b, len);
    free(b);
    return rc ? fail("TPM key", rc) : 0;
}

int ldaa_cli(const char *name, const ldaa_cli_opts *o)
{
    int rc, w = 3;
    size_t l1, l2, l3;
    if (!strcmp(name, "ldaa-issuer-keygen")) {
        uint8_t isk[QTPM_LDAA_ISK_SIZE], *ipk = malloc(QTPM_LDAA_IPK_SIZE);
        if (ipk == NULL)
            return 3;
        if ((rc = qtpm_ldaa_issuer_keygen(isk, ipk, QTPM_LDAA_IPK_SIZE)) != 0)
            w = fail("keygen", rc);
        else
            w = spill(o->isk, isk, sizeof isk) || spill(o->ipk, ipk, QTPM_LDAA_IPK_SIZE) ? 3 : 0;
        qtpm_memzero(isk, sizeof isk);
        free(ipk);
        return w;
    }
    if (!strcmp(name, "ldaa-tpm-create")) {
        uint8_t *ipk = slurp(o->ipk, QTPM_LDAA_IPK_SIZE, &l1), key[QTPM_LDAA_TPMKEY_SIZE];
        qtpm_ldaa_tpm *tpm;
        if (ipk == NULL)
            return 3;
        if (o->tcti != NULL) {
            /* a key in the TPM: its wrapped key file */
            uint8_t file[TPM_KEYFILE_MAX];
            size_t fl = 0;
            qtpm_tss *t = open_tss(o->tcti);
            rc = t == NULL ? QTPM_DAA_E_TPM
                           : qtpm_ldaa_tss_key_create(t, ipk, l1, file, sizeof file, &fl);
            qtpm_tss_free(t);
            free(ipk);
            return rc ? fail("TPM key", rc) : spill(o->key, file, fl);
        }
        if ((rc = qtpm_ldaa_tpm_create(&tpm, ipk, l1)) != 0) {
            free(ipk);
            return fail("TPM key", rc);
        }
        free(ipk);
        qtpm_ldaa_tpm_save(tpm, key);
        qtpm_ldaa_tpm_free(tpm);
        w = spill(o->key, key, sizeof key);
        qtpm_memzero(key, sizeof key);
        return w;
    }
    /* the join bound to the EK (qtpm/daa_host.h) */
    if (!strcmp(name, "ldaa-join-challenge") || !strcmp(name, "ldaa-join-credential")) {
        int first = !strcmp(name, "ldaa-join-challenge");
        size_t la = 0, lb = 0, lc = 0;
        uint8_t *isk = slurp(o->isk, QTPM_LDAA_ISK_SIZE, &la);
        uint8_t *a = isk ? slurp(first ? o->request : o->state, JOIN_MSG_MAX, &lb) : NULL;
        uint8_t *b = a && !first ? slurp(o->response, 1 + QTPM_LDAA_JOINREQ_SIZE, &lc) : NULL;
        uint8_t *out = malloc(JOIN_MSG_MAX + QTPM_LDAA_CRED_SIZE), *st = malloc(JOIN_MSG_MAX);
        qtpm_ldaa_issuer *iss = NULL;
        if (a && (first || b) && out && st) {
            size_t ol = 0, sl = 0;
            if ((rc = qtpm_ldaa_issuer_load(&iss, isk, la)) != 0)
                w = fail("issuer secret key", rc);
            else if (first && (rc = qtpm_ldaa_issuer_challenge(iss, a, lb, out, JOIN_MSG_MAX, &ol,
                                                                st, JOIN_MSG_MAX, &sl)) != 0)
                w = fail("join request", rc);
            else if (first)
                w = spill(o->challenge, out, ol) || spill(o->state, st, sl) ? 3 : 0;
            else if ((rc = qtpm_ldaa_issuer_credential(iss, a, lb, b, lc, out,
                                                       JOIN_MSG_MAX + QTPM_LDAA_CRED_SIZE, &ol)) != 0)
                w = fail("join response", rc);
            else
                w = spill(o->cred_msg, out, ol);
        }
        qtpm_ldaa_issuer_free(iss);
        if (isk)
            qtpm_memzero(isk, la);
        if (st)
            qtpm_memzero(st, JOIN_MSG_MAX); /* the nonce */
        free(isk);
        free(a);
        free(b);
        free(out);
        free(st);
        return w;
    }
    if (!strcmp(name, "ldaa-host-request") || !strcmp(name, "ldaa-host-respond") ||
        !strcmp(name, "ldaa-host-finish")) {
        if (o->tcti == NULL) {
            fprintf(stderr, "qtpm-daa: %s needs --tcti (the TPM holding the EK and the key)\n",
                    name);
            return 2;
        }
        qtpm_ldaa_tpm *tpm = NULL;
        qtpm_ldaa_ipk *pk = NULL;
        uint8_t *in = NULL, *out = malloc(HOST_OUT_MAX);
        size_t il = 0, ol = 0;
        if (out == NULL || (name[10] == 'f' && (w = load_pk(o->ipk, &pk)) != 0) ||
            (w = load_tpm(o, &tpm)) != 0)
            goto hout;
        w = 3;
        if (name[10] == 'r' && name[12] == 'q') { /* request */
            rc = qtpm_ldaa_host_join_request(tpm, out, JOIN_MSG_MAX, &ol);
            w = rc ? fail("join request", rc) : spill(o->request, out, ol);
        } else if (name[10] == 'r') { /* respond */
            if ((in = slurp(o->challenge, JOIN_MSG_MAX, &il)) == NULL)
                goto hout;
            rc = qtpm_ldaa_host_join_respond(tpm, in, il, out, 1 + QTPM_LDAA_JOINREQ_SIZE, &ol);
            w = rc ? fail("join challenge", rc) : spill(o->response, out, ol);
        } else { /* finish */
            if ((in = slurp(o->cred_msg, JOIN_MSG_MAX + QTPM_LDAA_CRED_SIZE, &il)) == NULL)
                goto hout;
            rc = qtpm_ldaa_host_join_finish(tpm, pk, in, il, out);
            if (rc == 0)
                printf("credential OK\n");
            w = rc ? fail("credential", rc) : spill(o->credential, out, QTPM_LDAA_CRED_SIZE);
        }
    hout:
        qtpm_ldaa_tpm_free(tpm);
        qtpm_ldaa_ipk_free(pk);
        if (out)
            qtpm_memzero(out, HOST_OUT_MAX);
        free(out);
        free(in);
        return w;
    }
    if (!strcmp(name, "ldaa-join-nonce")) {
        uint8_t n[QTPM_LDAA_NONCE_SIZE];
        if ((rc = qtpm_ldaa_join_nonce(n)) != 0)
            return fail("nonce", rc);
        return spill(o->nonce, n, sizeof n);
    }
    if (!strcmp(name, "ldaa-join-request")) {
        qtpm_ldaa_tpm *tpm;
        uint8_t *n = slurp(o->nonce, QTPM_LDAA_NONCE_SIZE, &l1);
        if (n == NULL)
            return 3;
        if (l1 != QTPM_LDAA_NONCE_SIZE) {
            free(n);
            return fail("nonce", QTPM_DAA_E_FORMAT);
        }
        if ((w = load_tpm(o, &tpm)) != 0) {
            free(n);
            return w;
        }
        uint8_t *req = malloc(QTPM_LDAA_JOINREQ_SIZE);
        if (req && (rc = qtpm_ldaa_tpm_join_request(tpm, n, req)) == 0)
            w = spill(o->request, req, QTPM_LDAA_JOINREQ_SIZE);
        else
            w = req ? fail("join request", rc) : 3;
        qtpm_ldaa_tpm_free(tpm);
        free(req);
        free(n);
        return w;
    }
    if (!strcmp(name, "ldaa-join-issue")) {
        uint8_t *isk = slurp(o->isk, QTPM_LDAA_ISK_SIZE, &l1);
        uint8_t *n = slurp(o->nonce, QTPM_LDAA_NONCE_SIZE, &l2);
        uint8_t *req = slurp(o->request, QTPM_LDAA_JOINREQ_SIZE, &l3);
        uint8_t *cred = malloc(QTPM_LDAA_CRED_SIZE);
        qtpm_ldaa_issuer *iss = NULL;
        if (isk && n && req && cred) {
            if (l2 != QTPM_LDAA_NONCE_SIZE)
                w = fail("nonce", QTPM_DAA_E_FORMAT);
            else if ((rc = qtpm_ldaa_issuer_load(&iss, isk, l1)) != 0)
                w = fail("issuer secret key", rc);
            else if ((rc = qtpm_ldaa_join_issue(iss, n, req, l3, cred, QTPM_LDAA_CRED_SIZE)) != 0)
                w = fail("join request", rc);
            else
                w = spill(o->credential, cred, QTPM_LDAA_CRED_SIZE);
        }
        qtpm_ldaa_issuer_free(iss);
        if (isk)
            qtpm_memzero(isk, l1);
        free(isk);
        free(n);
        free(req);
        free(cred);
        return w;
    }
    if (!strcmp(name, "ldaa-join-finish") || !strcmp(name, "ldaa-sign")) {
        qtpm_ldaa_ipk *pk = NULL;
        qtpm_ldaa_tpm *tpm = NULL;
        uint8_t *cred = NULL, *msg = NULL, *sig = NULL;
        if ((w = load_pk(o->ipk, &pk)) != 0 || (w = load_tpm(o, &tpm)) != 0)
            goto out;
        w = 3;
        if ((cred = slurp(o->credential, QTPM_LDAA_CRED_SIZE, &l1)) == NULL)
            goto out;
        if (!strcmp(name, "ldaa-join-finish")) {
            rc = qtpm_ldaa_cred_check(pk, tpm, cred, l1);
            if (rc) {
                printf("credential INVALID: %s\n", qtpm_daa_strerror(rc));
                w = 1;
            } else {
                printf("credential OK\n");
                w = 0;
            }
            goto out;
        }
        if ((msg = slurp(o->msg, 1u << 24, &l2)) == NULL || (sig = malloc(QTPM_LDAA_SIG_SIZE)) == NULL)
            goto out;
        const char *bsn = o->basename;
        rc = qtpm_ldaa_sign(pk, tpm, cred, l1, msg, l2, (const uint8_t *)bsn, bsn ? strlen(bsn) : 0,
                            sig, QTPM_LDAA_SIG_SIZE);
        w = rc ? fail("sign", rc) : spill(o->sig, sig, QTPM_LDAA_SIG_SIZE);
    out:
        if (cred)
            qtpm_memzero(cred, l1);
        free(cred);
        free(msg);
        free(sig);
        qtpm_ldaa_tpm_free(tpm);
        qtpm_ldaa_ipk_free(pk);
        return w;
    }
    if (!strcmp(name, "ldaa-verify")) {
        qtpm_ldaa_ipk *pk = NULL;
        uint8_t *sig = NULL, *msg = NULL, *rl = NULL;
        size_t rll = 0;
        if ((w = load_pk(o->ipk, &pk)) != 0)
            return w;
        w = 3;
        if ((sig = slurp(o->sig, 2 * QTPM_LDAA_SIG_SIZE, &l1)) == NULL ||
            (msg = slurp(o->msg, 1u << 24, &l2)) == NULL)
            goto vout;
        if (o->revoked) {
            if ((rl = slurp(o->revoked, 1000 * QTPM_LDAA_REVOKED_SIZE, &rll)) == NULL)
                goto vout;
            if (rll % QTPM_LDAA_REVOKED_SIZE) {
                w = fail("revocation list (not a multiple of the key size)", QTPM_DAA_E_FORMAT);
                goto vout;
            }
        }
        const char *bsn = o->basename;
        rc = qtpm_ldaa_verify(pk, sig, l1, msg, l2, (const uint8_t *)bsn, bsn ? strlen(bsn) : 0,
                              rl, rll / QTPM_LDAA_REVOKED_SIZE);
        if (rc) {
            printf("signature INVALID: %s\n", qtpm_daa_strerror(rc));
            w = 1;
        } else {
            printf("signature OK (%s)\n", bsn ? "linkable under the basename" : "anonymous");
            w = 0;
        }
    vout:
        free(sig);
        free(msg);
        free(rl);
        qtpm_ldaa_ipk_free(pk);
        return w;
    }
    if (!strcmp(name, "ldaa-link")) {
        if (o->npos != 2)
            return 2;
        uint8_t *a = slurp(o->pos[0], 2 * QTPM_LDAA_SIG_SIZE, &l1);
        uint8_t *b = a ? slurp(o->pos[1], 2 * QTPM_LDAA_SIG_SIZE, &l2) : NULL;
        if (b != NULL) {
            rc = qtpm_ldaa_link(a, l1, b, l2);
            if (rc < 0) {
                w = fail("link", rc);
            } else {
                printf(rc ? "linked\n" : "not linked\n");
                w = rc ? 0 : 1;
            }
        }
        free(a);
        free(b);
        return w;
    }
    if (!strcmp(name, "ldaa-export-secret")) {
        qtpm_ldaa_tpm *tpm;
        uint8_t s[QTPM_LDAA_REVOKED_SIZE];
        if ((w = load_tpm(o, &tpm)) != 0)
            return w;
        rc = qtpm_ldaa_tpm_export_secret(tpm, s);
        qtpm_ldaa_tpm_free(tpm);
        if (rc != 0) /* a key in a TPM: s does not leave it */
            return fail("export (the secret is held by the TPM)", rc);
        w = spill(o->revoked, s, sizeof s);
        qtpm_memzero(s, sizeof s);
        return w;
    }
    return -1;
}
