/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c — qtpm-daa, the command-line face of libqtpm-daa (docs/DAA.md):
 * the issuer's key and its side of the join, the verifier and the linker,
 * and the host's side with a TPM reached through libqtss (--tcti: the
 * in-process engine "engine:DIR", "swtpm:host=..,port=..", "mssim:...",
 * "device:/dev/tpmrm0"). Every object is a binary file in the formats of
 * qtpm/daa.h and qtpm/daa_host.h.
 *
 * Revocation, two lists (ECDAA): --rogue holds extracted DAA keys sk (the
 * revocation list RL of the FIDO ECDAA algorithm, v2.1 2022: known
 * compromised secret keys, checked as W = [sk]S); a key that never left its TPM cannot be listed
 * that way, so --revoked holds pseudonyms instead: entries of 96 bytes,
 * the basename hash and K = [sk]H(basename) of a linkable signature
 * (revoke-pseudonym appends one). Equal K under an equal basename is the
 * same key (that is what link decides), so the list refuses every later
 * signature of that TPM under that basename; it cannot apply to anonymous
 * signatures or to other basenames (docs/DAA.md).
 *
 * Exit status: 0 success (verify: valid; link: linked), 1 the check failed
 * (verify: invalid; link: not linked), 2 usage, 3 any other error.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldaa_cli.h"
#include "qtpm/daa.h"
#include "qtpm/daa_host.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/version.h"

#define MAX_FILE 65536
/* a revoked-pseudonym entry: basename hash ‖ K, as a linkable signature ends */
#define PSEUDONYM_SIZE (32 + QTPM_DAA_G1_SIZE)
_Static_assert(QTPM_DAA_SIG_BSN_SIZE == QTPM_DAA_SIG_SIZE + PSEUDONYM_SIZE,
               "a linkable signature ends with its pseudonym entry");

static const char usage[] =
    "usage: qtpm-daa COMMAND [options] | --version | --help\n"
    "issuer:\n"
    "  keygen --isk FILE --ipk FILE            a new issuer key pair\n"
    "  check-ipk --ipk FILE                    check an issuer public key\n"
    "  join-challenge --request FILE --challenge OUT --state OUT\n"
    "  join-issue --isk FILE --state FILE --response FILE --credential OUT\n"
    "verifier:\n"
    "  verify --ipk FILE --sig FILE --msg FILE [--basename TEXT] [--rogue FILE] [--revoked FILE]\n"
    "                                          (--rogue: revoked DAA keys, 32 bytes each;\n"
    "                                           --revoked: revoked pseudonyms, 96 bytes each)\n"
    "  revoke-pseudonym --sig FILE --revoked FILE   append a linkable signature's pseudonym\n"
    "  link SIG1 SIG2                          same TPM under the same basename?\n"
    "host (--tcti SPEC, default engine:):\n"
    "  host-request --key OUT --request OUT    new DAA key; its join request\n"
    "  host-respond --key FILE --challenge FILE --response OUT\n"
    "  host-finish --key FILE --ipk FILE --credential-msg FILE --credential OUT\n"
    "  host-sign --key FILE --credential FILE --msg FILE [--basename TEXT] --sig OUT\n"
    "lattice DAA (post-quantum, docs/DAA.md; with --tcti SPEC the TPM part is a key in\n"
    "that TPM (vendor commands) and --key its wrapped key file; without, a software key file):\n"
    "  ldaa-issuer-keygen --isk OUT --ipk OUT  issuer key pair (ipk ~2 MB)\n"
    "  ldaa-tpm-create --ipk FILE --key OUT    the TPM part's secret for this issuer\n"
    "  join bound to the EK (--tcti; the key from ldaa-tpm-create --tcti):\n"
    "  ldaa-host-request --key FILE --request OUT              host: EK and LDAA key public\n"
    "  ldaa-join-challenge --isk FILE --request FILE --challenge OUT --state OUT   issuer\n"
    "  ldaa-host-respond --key FILE --challenge FILE --response OUT\n"
    "  ldaa-join-credential --isk FILE --state FILE --response FILE --credential-msg OUT\n"
    "  ldaa-host-finish --ipk FILE --key FILE --credential-msg FILE --credential OUT\n"
    "  without the EK (a software key file, or a TPM key the issuer cannot tell from one):\n"
    "  ldaa-join-nonce --nonce OUT             issuer: a join challenge\n"
    "  ldaa-join-request --key FILE --nonce FILE --request OUT     TPM: t and proof of s\n"
    "  ldaa-join-issue --isk FILE --nonce FILE --request FILE --credential OUT\n"
    "  ldaa-join-finish --ipk FILE --key FILE --credential FILE    host: check it\n"
    "  ldaa-sign --ipk FILE --key FILE --credential FILE --msg FILE [--basename TEXT] --sig OUT\n"
    "  ldaa-verify --ipk FILE --sig FILE --msg FILE [--basename TEXT] [--revoked FILE]\n"
    "  ldaa-link SIG1 SIG2\n"
    "  ldaa-export-secret --key FILE --revoked OUT   (an \"extracted\" key, for revocation)\n";

typedef struct {
    const char *isk, *ipk, *request, *challenge, *state, *response, *credential, *cred_msg,
        *sig, *msg, *basename, *key, *tcti, *rogue, *nonce, *revoked;
    const char *pos[2];
    int npos;
} opts;

static int read_file(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (f == NULL) {
        fprintf(stderr, "qtpm-daa: cannot read %s\n", path ? path : "(missing option)");
        return -1;
    }
    *len = fread(buf, 1, cap, f);
    int big = !feof(f) && fgetc(f) != EOF;
    fclose(f);
    if (big) {
        fprintf(stderr, "qtpm-daa: %s is larger than %zu bytes\n", path, cap);
        return -1;
    }
    return 0;
}

static int write_file(const char *path, const uint8_t *buf, size_t len)
{
    FILE *f = path ? fopen(path, "wb") : NULL;
    if (f == NULL || fwrite(buf, 1, len, f) != len) {
        fprintf(stderr, "qtpm-daa: cannot write %s\n", path ? path : "(missing option)");
        if (f)
            fclose(f);
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "qtpm-daa: %s: %s\n", what, qtpm_daa_strerror(rc));
    return 3;
}

static qtpm_tss *open_tpm(const char *spec)
{
    qtpm_tss *t = NULL;
    if (qtpm_tss_new(spec ? spec : "engine:", &t) != 0) {
        fprintf(stderr, "qtpm-daa: cannot open TPM %s\n", spec ? spec : "engine:");
        return NULL;
    }
    int rc = qtpm_tss_Startup(t, TPM_SU_CLEAR);
    if (rc != 0 && rc != (int)TPM_RC_INITIALIZE)
        fprintf(stderr, "qtpm-daa: Startup: %s (continuing)\n", qtpm_tss_strerror(rc));
    return t;
}

/* the host's DAA key from its blob file */
static int open_host(const opts *o, qtpm_tss **t, qtpm_daa_host *h)
{
    uint8_t blob[4096];
    size_t bl;
    if (read_file(o->key, blob, sizeof blob, &bl))
        return 3;
    if ((*t = open_tpm(o->tcti)) == NULL)
        return 3;
    int rc = qtpm_daa_host_open(*t, blob, bl, h);
    if (rc) {
        qtpm_tss_free(*t);
        return fail("DAA key", rc);
    }
    return 0;
}

static int cmd(const char *name, const opts *o)
{
    static uint8_t a[MAX_FILE], b[MAX_FILE], c[MAX_FILE], d[MAX_FILE];
    size_t al, bl, cl, dl;
    int rc;
    if (!strcmp(name, "keygen")) {
        uint8_t isk[QTPM_DAA_ISK_SIZE], ipk[QTPM_DAA_IPK_SIZE];
        if ((rc = qtpm_daa_issuer_keygen(isk, ipk)) != 0)
            return fail("keygen", rc);
        rc = write_file(o->isk, isk, sizeof isk) || write_file(o->ipk, ipk, sizeof ipk) ? 3 : 0;
        memset(isk, 0, sizeof isk);
        return rc;
    }
    if (!strcmp(name, "check-ipk")) {
        if (read_file(o->ipk, a, sizeof a, &al))
            return 3;
        if ((rc = qtpm_daa_ipk_check(a, al)) != 0) {
            printf("issuer public key INVALID: %s\n", qtpm_daa_strerror(rc));
            return 1;
        }
        printf("issuer public key OK\n");
        return 0;
    }
    if (!strcmp(name, "join-challenge")) {
        if (read_file(o->request, a, sizeof a, &al))
            return 3;
        if ((rc = qtpm_daa_issuer_challenge(a, al, b, sizeof b, &bl, c, sizeof c, &cl)) != 0)
            return fail("join request", rc);
        return write_file(o->challenge, b, bl) || write_file(o->state, c, cl) ? 3 : 0;
    }
    if (!strcmp(name, "join-issue")) {
        if (read_file(o->isk, a, sizeof a, &al) || read_file(o->state, b, sizeof b, &bl) ||
            read_file(o->response, c, sizeof c, &cl))
            return 3;
        if (al != QTPM_DAA_ISK_SIZE)
            return fail("issuer secret key", QTPM_DAA_E_FORMAT);
        if ((rc = qtpm_daa_issuer_credential(a, b, bl, c, cl, d, sizeof d, &dl)) != 0) {
            memset(a, 0, sizeof a);
            return fail("join response", rc);
        }
        memset(a, 0, sizeof a);
        return write_file(o->credential, d, dl) ? 3 : 0;
    }
    if (!strcmp(name, "verify")) {
        qtpm_daa_verifier *v;
        if (read_file(o->ipk, a, sizeof a, &al) || read_file(o->sig, b, sizeof b, &bl) ||
            read_file(o->msg, c, sizeof c, &cl))
            return 3;
        if ((rc = qtpm_daa_verifier_new(a, al, &v)) != 0)
            return fail("issuer public key", rc);
        const char *bsn = o->basename;
        rc = qtpm_daa_verify(v, (const uint8_t *)bsn, bsn ? strlen(bsn) : 0, c, cl, b, bl);
        qtpm_daa_verifier_free(v);
        if (rc == 0 && o->rogue) {
            if (read_file(o->rogue, d, sizeof d, &dl))
                return 3;
            if (dl % 32)
                return fail("rogue list (not a multiple of 32 bytes)", QTPM_DAA_E_FORMAT);
            rc = qtpm_daa_check_rogue(b, bl, d, dl / 32);
        }
        if (rc == 0 && o->revoked) {
            if (read_file(o->revoked, d, sizeof d, &dl))
                return 3;
            if (dl % PSEUDONYM_SIZE)
                return fail("revoked pseudonyms (not a multiple of 96 bytes)", QTPM_DAA_E_FORMAT);
            if (bsn == NULL)
                fprintf(stderr, "qtpm-daa: note: an anonymous signature carries no pseudonym; "
                                "the revoked list does not apply to it\n");
            else
                for (size_t i = 0; i < dl / PSEUDONYM_SIZE; i++)
                    if (!memcmp(d + i * PSEUDONYM_SIZE, b + QTPM_DAA_SIG_SIZE, PSEUDONYM_SIZE)) {
                        printf("signature INVALID: made with a revoked DAA key (its pseudonym "
                               "under this basename is on the revoked list, entry %zu)\n", i + 1);
                        return 1;
                    }
        }
        if (rc) {
            printf("signature INVALID: %s\n", qtpm_daa_strerror(rc));
            return 1;
        }
        printf("signature OK (%s)\n", bsn ? "linkable under the basename" : "anonymous");
        return 0;
    }
    if (!strcmp(name, "revoke-pseudonym")) {
        uint8_t h[32];
        if (read_file(o->sig, a, sizeof a, &al))
            return 3;
        if ((rc = qtpm_daa_sig_basename_hash(a, al, h)) != 0)
            return fail("signature (a linkable one is needed)", rc);
        if ((rc = qtpm_daa_g1_check(a + QTPM_DAA_SIG_SIZE + 32)) != 0)
            return fail("pseudonym", rc);
        FILE *f = o->revoked ? fopen(o->revoked, "ab") : NULL;
        if (f == NULL || fwrite(a + QTPM_DAA_SIG_SIZE, 1, PSEUDONYM_SIZE, f) != PSEUDONYM_SIZE) {
            fprintf(stderr, "qtpm-daa: cannot append to %s\n",
                    o->revoked ? o->revoked : "(missing --revoked)");
            if (f)
                fclose(f);
            return 3;
        }
        if (fclose(f) != 0)
            return 3;
        printf("pseudonym revoked\n");
        return 0;
    }
    if (!strcmp(name, "link")) {
        if (o->npos != 2 || read_file(o->pos[0], a, sizeof a, &al) ||
            read_file(o->pos[1], b, sizeof b, &bl))
            return o->npos != 2 ? 2 : 3;
        rc = qtpm_daa_link(a, al, b, bl);
        if (rc < 0)
            return fail("link", rc);
        printf(rc ? "linked\n" : "not linked\n");
        return rc ? 0 : 1;
    }
    qtpm_tss *t = NULL;
    qtpm_daa_host h;
    if (!strcmp(name, "host-request")) {
        if ((t = open_tpm(o->tcti)) == NULL)
            return 3;
        if ((rc = qtpm_daa_host_open(t, NULL, 0, &h)) != 0) {
            qtpm_tss_free(t);
            return fail("DAA key", rc);
        }
        rc = qtpm_daa_host_key_blob(&h, a, sizeof a, &al);
        if (rc == 0)
            rc = qtpm_daa_host_join_request(&h, b, sizeof b, &bl);
        int w = rc ? fail("join request", rc)
                   : (write_file(o->key, a, al) || write_file(o->request, b, bl) ? 3 : 0);
        qtpm_daa_host_close(&h);
        qtpm_tss_free(t);
        return w;
    }
    if (!strcmp(name, "host-respond") || !strcmp(name, "host-finish") ||
        !strcmp(name, "host-sign")) {
        if ((rc = open_host(o, &t, &h)) != 0)
            return rc;
        int w = 3;
        if (!strcmp(name, "host-respond")) {
            if (read_file(o->challenge, a, sizeof a, &al) == 0) {
                rc = qtpm_daa_host_join_respond(&h, a, al, b, sizeof b, &bl);
                w = rc ? fail("join challenge", rc) : write_file(o->response, b, bl) ? 3 : 0;
            }
        } else if (!strcmp(name, "host-finish")) {
            uint8_t cred[QTPM_DAA_CRED_SIZE];
            if (read_file(o->ipk, a, sizeof a, &al) == 0 &&
                read_file(o->cred_msg, b, sizeof b, &bl) == 0) {
                rc = qtpm_daa_host_join_finish(&h, a, al, b, bl, cred);
                w = rc ? fail("credential", rc) : write_file(o->credential, cred, sizeof cred) ? 3 : 0;
                memset(cred, 0, sizeof cred);
            }
        } else {
            if (read_file(o->credential, a, sizeof a, &al) == 0 &&
                read_file(o->msg, b, sizeof b, &bl) == 0) {
                qtpm_daa_tpm tpm = qtpm_daa_host_tpm(&h);
                const char *bsn = o->basename;
                rc = qtpm_daa_sign(&tpm, a, al, (const uint8_t *)bsn, bsn ? strlen(bsn) : 0, b, bl,
                                   c, sizeof c, &cl);
                w = rc ? fail("sign", rc) : write_file(o->sig, c, cl) ? 3 : 0;
                memset(a, 0, sizeof a);
            }
        }
        qtpm_daa_host_close(&h);
        qtpm_tss_free(t);
        return w;
    }
    fprintf(stderr, "qtpm-daa: unknown command %s\n%s", name, usage);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v"))) {
        printf("qtpm-daa %s\n", QTPM_VERSION);
        return 0;
    }
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    opts o = {0};
    static const struct {
        const char *flag;
        size_t off;
    } flags[] = {
        {"--isk", offsetof(opts, isk)},           {"--ipk", offsetof(opts, ipk)},
        {"--request", offsetof(opts, request)},   {"--challenge", offsetof(opts, challenge)},
        {"--state", offsetof(opts, state)},       {"--response", offsetof(opts, response)},
        {"--credential", offsetof(opts, credential)},
        {"--credential-msg", offsetof(opts, cred_msg)},
        {"--sig", offsetof(opts, sig)},           {"--msg", offsetof(opts, msg)},
        {"--basename", offsetof(opts, basename)}, {"--key", offsetof(opts, key)},
        {"--tcti", offsetof(opts, tcti)},         {"--rogue", offsetof(opts, rogue)},
        {"--nonce", offsetof(opts, nonce)},       {"--revoked", offsetof(opts, revoked)},
    };
    for (int i = 2; i < argc; i++) {
        size_t f = 0;
        for (; f < sizeof flags / sizeof flags[0]; f++)
            if (!strcmp(argv[i], flags[f].flag))
                break;
        if (f < sizeof flags / sizeof flags[0]) {
            if (i + 1 >= argc) {
                fprintf(stderr, "qtpm-daa: %s needs a value\n", argv[i]);
                return 2;
            }
            *(const char **)((char *)&o + flags[f].off) = argv[++i];
        } else if (argv[i][0] != '-' && o.npos < 2) {
            o.pos[o.npos++] = argv[i];
        } else {
            fprintf(stderr, "qtpm-daa: unknown option %s\n%s", argv[i], usage);
            return 2;
        }
    }
    if (o.basename && (strlen(o.basename) == 0 || strlen(o.basename) > QTPM_DAA_MAX_BASENAME)) {
        fprintf(stderr, "qtpm-daa: --basename must have 1 to %d bytes\n", QTPM_DAA_MAX_BASENAME);
        return 2;
    }
    if (!strncmp(argv[1], "ldaa-", 5)) {
        ldaa_cli_opts lo = {o.isk,   o.ipk,     o.nonce, o.request,           o.credential,
                            o.sig,   o.msg,     o.basename, o.key,            o.revoked,
                            o.tcti,  o.challenge, o.state, o.response, o.cred_msg,
                            {o.pos[0], o.pos[1]}, o.npos};
        int rc = ldaa_cli(argv[1], &lo);
        if (rc >= 0)
            return rc;
        fprintf(stderr, "qtpm-daa: unknown command %s\n%s", argv[1], usage);
        return 2;
    }
    return cmd(argv[1], &o);
}
