/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_decode.c — the subcommands of qtpm that decode files and need no TPM:
 * print (tpm2_print: TPMS_ATTEST, TPM2B_PUBLIC, TPMT_PUBLIC, TPMS_CONTEXT,
 * ESYS_TR, and qtpm's TPMT_SIGNATURE) and eventlog (tpm2_eventlog: a firmware's TCG
 * PC Client binary event log, its events and the PCR values they replay to,
 * through libqtpm-attest's qtpm/eventlog.h).
 *
 * The text output uses tpm2-tools 5.4's keys and layout where it has them
 * (tests/cli compares the two tools line by line), and the same keys in the
 * --json document. tpm2_print 5.4 decodes only quotes among the attestation
 * types; qtpm prints every TPMS_ATTEST type with Part 2's field names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "qtpm/eventlog.h"

/* ------------------------------------------------------------- names */

/* tpm2-tools' algorithm names (tpm2_alg_util); NULL if unknown. */
static const char *alg_text(TPM_ALG_ID alg)
{
    static const struct { TPM_ALG_ID alg; const char *name; } names[] = {
        { 0x0001, "rsa" }, { 0x0003, "tdes" }, { 0x0004, "sha1" }, { 0x0005, "hmac" },
        { 0x0006, "aes" }, { 0x0007, "mgf1" }, { 0x0008, "keyedhash" }, { 0x000A, "xor" },
        { 0x000B, "sha256" }, { 0x000C, "sha384" }, { 0x000D, "sha512" }, { 0x0010, "null" },
        { 0x0012, "sm3_256" }, { 0x0013, "sm4" }, { 0x0014, "rsassa" }, { 0x0015, "rsaes" },
        { 0x0016, "rsapss" }, { 0x0017, "oaep" }, { 0x0018, "ecdsa" }, { 0x0019, "ecdh" },
        { 0x001A, "ecdaa" }, { 0x001B, "sm2" }, { 0x001C, "ecschnorr" }, { 0x001D, "ecmqv" },
        { 0x0020, "kdf1_sp800_56a" }, { 0x0021, "kdf2" }, { 0x0022, "kdf1_sp800_108" },
        { 0x0023, "ecc" }, { 0x0025, "symcipher" }, { 0x0026, "camellia" },
        { 0x0027, "sha3_256" }, { 0x0028, "sha3_384" }, { 0x0029, "sha3_512" },
        { 0x0040, "ctr" }, { 0x0041, "ofb" }, { 0x0042, "cbc" }, { 0x0043, "cfb" },
        { 0x0044, "ecb" }, { 0x00A0, "mlkem" }, { 0x00A1, "mldsa" }, { 0x00A2, "hashmldsa" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].alg == alg)
            return names[i].name;
    return NULL;
}

/* "value" and "raw" of an algorithm, as tpm2_print does; "(null)" is what
 * tpm2-tools prints for algorithm 0 (no name). */
static void out_alg(cli_ctx *c, const char *key, TPM_ALG_ID alg)
{
    const char *n = alg_text(alg);
    cli_out_begin(c, key);
    cli_out_str(c, "value", n ? n : "(null)");
    cli_out_fmt(c, "raw", "0x%x", alg);
    cli_out_end(c);
}

static const char *curve_text(TPM_ECC_CURVE id)
{
    switch (id) {
    case 0x0001: return "NIST p192";
    case 0x0002: return "NIST p224";
    case 0x0003: return "NIST p256";
    case 0x0004: return "NIST p384";
    case 0x0005: return "NIST p521";
    case 0x0010: return "BN P256";
    case 0x0011: return "BN P638";
    case 0x0020: return "SM2 P256";
    default: return "(null)";
    }
}

/* TPMA_OBJECT bits by tpm2-tools' names (Part 2 §8.3), lowest bit first. */
static void object_attr_text(TPMA_OBJECT a, char *buf, size_t cap)
{
    static const struct { uint32_t bit; const char *name; } names[] = {
        { 1U << 1, "fixedtpm" }, { 1U << 2, "stclear" }, { 1U << 4, "fixedparent" },
        { 1U << 5, "sensitivedataorigin" }, { 1U << 6, "userwithauth" },
        { 1U << 7, "adminwithpolicy" }, { 1U << 10, "noda" },
        { 1U << 11, "encryptedduplication" }, { 1U << 16, "restricted" },
        { 1U << 17, "decrypt" }, { 1U << 18, "sign" }, { 1U << 19, "x509sign" },
    };
    size_t l = 0;
    buf[0] = 0;
    for (unsigned b = 0; b < 32; b++) {
        uint32_t bit = 1U << b;
        if (!(a & bit))
            continue;
        const char *n = NULL;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (names[i].bit == bit)
                n = names[i].name;
        char tmp[24];
        if (!n) {
            snprintf(tmp, sizeof tmp, "<reserved(%u)>", b);
            n = tmp;
        }
        int w = snprintf(buf + l, cap - l, "%s%s", l ? "|" : "", n);
        if (w < 0 || (size_t)w >= cap - l)
            return;
        l += (size_t)w;
    }
}

static void out_sym(cli_ctx *c, const TPMT_SYM_DEF_OBJECT *s)
{
    out_alg(c, "sym-alg", s->algorithm);
    out_alg(c, "sym-mode", s->algorithm == TPM_ALG_NULL ? 0 : s->mode.sym);
    cli_out_int(c, "sym-keybits", s->algorithm == TPM_ALG_NULL ? 0 : s->keyBits.sym);
}

/* tpm2_print -t TPMT_PUBLIC / TPM2B_PUBLIC (tpm2-tools' public-to-YAML),
 * and the v1.85 post-quantum types with their parameter set. */
static void out_public(cli_ctx *c, const TPMT_PUBLIC *p)
{
    char attrs[512];
    out_alg(c, "name-alg", p->nameAlg);
    object_attr_text(p->objectAttributes, attrs, sizeof attrs);
    cli_out_begin(c, "attributes");
    cli_out_str(c, "value", attrs);
    cli_out_fmt(c, "raw", "0x%x", p->objectAttributes);
    cli_out_end(c);
    out_alg(c, "type", p->type);
    const TPMU_PUBLIC_PARMS *pp = &p->parameters;
    switch (p->type) {
    case TPM_ALG_SYMCIPHER:
        out_sym(c, &pp->symDetail.sym);
        cli_out_hex(c, "symcipher", p->unique.sym.buffer, p->unique.sym.size);
        break;
    case TPM_ALG_KEYEDHASH: {
        const TPMT_KEYEDHASH_SCHEME *k = &pp->keyedHashDetail.scheme;
        out_alg(c, "algorithm", k->scheme);
        if (k->scheme == TPM_ALG_HMAC) {
            out_alg(c, "hash-alg", k->details.hmac.hashAlg);
        } else if (k->scheme == TPM_ALG_XOR) {
            out_alg(c, "hash-alg", k->details.exclusiveOr.hashAlg);
            out_alg(c, "kdfa-alg", k->details.exclusiveOr.kdf);
        }
        cli_out_hex(c, "keyedhash", p->unique.keyedHash.buffer, p->unique.keyedHash.size);
        break;
    }
    case TPM_ALG_RSA: {
        const TPMS_RSA_PARMS *r = &pp->rsaDetail;
        cli_out_int(c, "exponent", r->exponent ? r->exponent : 65537);
        cli_out_int(c, "bits", r->keyBits);
        out_alg(c, "scheme", r->scheme.scheme);
        if (r->scheme.scheme != TPM_ALG_RSAES)
            out_alg(c, "scheme-halg",
                    r->scheme.scheme == TPM_ALG_NULL ? 0 : r->scheme.details.anySig.hashAlg);
        out_sym(c, &r->symmetric);
        cli_out_hex(c, "rsa", p->unique.rsa.buffer, p->unique.rsa.size);
        break;
    }
    case TPM_ALG_ECC: {
        const TPMS_ECC_PARMS *e = &pp->eccDetail;
        cli_out_begin(c, "curve-id");
        cli_out_str(c, "value", curve_text(e->curveID));
        cli_out_fmt(c, "raw", "0x%x", e->curveID);
        cli_out_end(c);
        out_alg(c, "kdfa-alg", e->kdf.scheme);
        out_alg(c, "kdfa-halg", e->kdf.scheme == TPM_ALG_NULL ? 0 : e->kdf.details.mgf1.hashAlg);
        out_alg(c, "scheme", e->scheme.scheme);
        out_alg(c, "scheme-halg",
                e->scheme.scheme == TPM_ALG_NULL ? 0 : e->scheme.details.anySig.hashAlg);
        if (e->scheme.scheme == TPM_ALG_ECDAA)
            cli_out_int(c, "scheme-count", e->scheme.details.ecdaa.count);
        out_sym(c, &e->symmetric);
        cli_out_hex(c, "x", p->unique.ecc.x.buffer, p->unique.ecc.x.size);
        cli_out_hex(c, "y", p->unique.ecc.y.buffer, p->unique.ecc.y.size);
        break;
    }
    case TPM_ALG_MLKEM:
        cli_out_begin(c, "parameter-set");
        cli_out_str(c, "value", cli_pqc_set_name(p));
        cli_out_fmt(c, "raw", "0x%x", pp->mlkemDetail.parameterSet);
        cli_out_end(c);
        out_sym(c, &pp->mlkemDetail.symmetric);
        cli_out_hex(c, "mlkem", p->unique.mlkem.buffer, p->unique.mlkem.size);
        break;
    case TPM_ALG_MLDSA:
        cli_out_begin(c, "parameter-set");
        cli_out_str(c, "value", cli_pqc_set_name(p));
        cli_out_fmt(c, "raw", "0x%x", pp->mldsaDetail.parameterSet);
        cli_out_end(c);
        cli_out_str(c, "allow-external-mu", pp->mldsaDetail.allowExternalMu ? "yes" : "no");
        cli_out_hex(c, "mldsa", p->unique.mldsa.buffer, p->unique.mldsa.size);
        break;
    case TPM_ALG_HASH_MLDSA:
        cli_out_begin(c, "parameter-set");
        cli_out_str(c, "value", cli_pqc_set_name(p));
        cli_out_fmt(c, "raw", "0x%x", pp->hashMldsaDetail.parameterSet);
        cli_out_end(c);
        out_alg(c, "hash-alg", pp->hashMldsaDetail.hashAlg);
        cli_out_hex(c, "mldsa", p->unique.mldsa.buffer, p->unique.mldsa.size);
        break;
    default:
        break;
    }
    if (p->authPolicy.size)
        cli_out_hex(c, "authorization policy", p->authPolicy.buffer, p->authPolicy.size);
}

/* -------------------------------------------------------------- TPMS_ATTEST */

static void out_clock_info(cli_ctx *c, const TPMS_CLOCK_INFO *ci)
{
    cli_out_int(c, "clock", ci->clock);
    cli_out_int(c, "resetCount", ci->resetCount);
    cli_out_int(c, "restartCount", ci->restartCount);
    cli_out_int(c, "safe", ci->safe);
}

static void out_be(cli_ctx *c, const char *key, uint64_t v, unsigned n)
{
    uint8_t b[8];
    for (unsigned i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    cli_out_hex(c, key, b, n);
}

/* tpm2_print -t TPMS_ATTEST: the header as tpm2-tools prints it (magic and
 * type as their big-endian bytes, TPM2Bs as hex), then the attested part. */
static void out_attest(cli_ctx *c, const TPMS_ATTEST *a)
{
    out_be(c, "magic", a->magic, 4);
    out_be(c, "type", a->type, 2);
    cli_out_hex(c, "qualifiedSigner", a->qualifiedSigner.buffer, a->qualifiedSigner.size);
    cli_out_hex(c, "extraData", a->extraData.buffer, a->extraData.size);
    cli_out_begin(c, "clockInfo");
    out_clock_info(c, &a->clockInfo);
    cli_out_end(c);
    out_be(c, "firmwareVersion", a->firmwareVersion, 8);
    cli_out_begin(c, "attested");
    const TPMU_ATTEST *u = &a->attested;
    char key[16];
    switch (a->type) {
    case TPM_ST_ATTEST_QUOTE:
        cli_out_begin(c, "quote");
        cli_out_begin(c, "pcrSelect");
        cli_out_int(c, "count", u->quote.pcrSelect.count);
        cli_out_begin(c, "pcrSelections");
        for (UINT32 i = 0; i < u->quote.pcrSelect.count; i++) {
            const TPMS_PCR_SELECTION *s = &u->quote.pcrSelect.pcrSelections[i];
            snprintf(key, sizeof key, "%u", i);
            cli_out_begin(c, key);
            const char *hn = alg_text(s->hash);
            cli_out_fmt(c, "hash", "%u (%s)", s->hash, hn ? hn : "unknown");
            cli_out_int(c, "sizeofSelect", s->sizeofSelect);
            cli_out_hex(c, "pcrSelect", s->pcrSelect, s->sizeofSelect);
            cli_out_end(c);
        }
        cli_out_end(c);
        cli_out_end(c);
        cli_out_hex(c, "pcrDigest", u->quote.pcrDigest.buffer, u->quote.pcrDigest.size);
        cli_out_end(c);
        break;
    case TPM_ST_ATTEST_CERTIFY:
        cli_out_begin(c, "certify");
        cli_out_hex(c, "name", u->certify.name.buffer, u->certify.name.size);
        cli_out_hex(c, "qualifiedName", u->certify.qualifiedName.buffer,
                    u->certify.qualifiedName.size);
        cli_out_end(c);
        break;
    case TPM_ST_ATTEST_CREATION:
        cli_out_begin(c, "creation");
        cli_out_hex(c, "objectName", u->creation.objectName.buffer, u->creation.objectName.size);
        cli_out_hex(c, "creationHash", u->creation.creationHash.buffer,
                    u->creation.creationHash.size);
        cli_out_end(c);
        break;
    case TPM_ST_ATTEST_TIME:
        cli_out_begin(c, "time");
        cli_out_begin(c, "time");
        cli_out_int(c, "time", u->time.time.time);
        cli_out_begin(c, "clockInfo");
        out_clock_info(c, &u->time.time.clockInfo);
        cli_out_end(c);
        cli_out_end(c);
        out_be(c, "firmwareVersion", u->time.firmwareVersion, 8);
        cli_out_end(c);
        break;
    case TPM_ST_ATTEST_COMMAND_AUDIT:
        cli_out_begin(c, "commandAudit");
        cli_out_int(c, "auditCounter", u->commandAudit.auditCounter);
        out_alg(c, "digestAlg", u->commandAudit.digestAlg);
        cli_out_hex(c, "auditDigest", u->commandAudit.auditDigest.buffer,
                    u->commandAudit.auditDigest.size);
        cli_out_hex(c, "commandDigest", u->commandAudit.commandDigest.buffer,
                    u->commandAudit.commandDigest.size);
        cli_out_end(c);
        break;
    case TPM_ST_ATTEST_SESSION_AUDIT:
        cli_out_begin(c, "sessionAudit");
        cli_out_int(c, "exclusiveSession", u->sessionAudit.exclusiveSession);
        cli_out_hex(c, "sessionDigest", u->sessionAudit.sessionDigest.buffer,
                    u->sessionAudit.sessionDigest.size);
        cli_out_end(c);
        break;
    case TPM_ST_ATTEST_NV:
        cli_out_begin(c, "nv");
        cli_out_hex(c, "indexName", u->nv.indexName.buffer, u->nv.indexName.size);
        cli_out_int(c, "offset", u->nv.offset);
        cli_out_hex(c, "nvContents", u->nv.nvContents.buffer, u->nv.nvContents.size);
        cli_out_end(c);
        break;
    case TPM_ST_ATTEST_NV_DIGEST:
        cli_out_begin(c, "nvDigest");
        cli_out_hex(c, "indexName", u->nvDigest.indexName.buffer, u->nvDigest.indexName.size);
        cli_out_hex(c, "nvDigest", u->nvDigest.nvDigest.buffer, u->nvDigest.nvDigest.size);
        cli_out_end(c);
        break;
    default:
        break;
    }
    cli_out_end(c);
}

/* ----------------------------------------------------------- TPMT_SIGNATURE */

static void out_tpmt_signature(cli_ctx *c, const TPMT_SIGNATURE *s)
{
    out_alg(c, "sigAlg", s->sigAlg);
    const TPMU_SIGNATURE *u = &s->signature;
    switch (s->sigAlg) {
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS:
        out_alg(c, "hash", u->rsassa.hash);
        cli_out_hex(c, "sig", u->rsassa.sig.buffer, u->rsassa.sig.size);
        break;
    case TPM_ALG_ECDSA:
    case TPM_ALG_ECDAA:
    case TPM_ALG_SM2:
    case TPM_ALG_ECSCHNORR:
        out_alg(c, "hash", u->ecdsa.hash);
        cli_out_hex(c, "r", u->ecdsa.signatureR.buffer, u->ecdsa.signatureR.size);
        cli_out_hex(c, "s", u->ecdsa.signatureS.buffer, u->ecdsa.signatureS.size);
        break;
    case TPM_ALG_HMAC: {
        size_t n = u->hmac.hashAlg == TPM_ALG_SHA1 ? 20
                   : u->hmac.hashAlg == TPM_ALG_SHA384 || u->hmac.hashAlg == TPM_ALG_SHA3_384 ? 48
                   : u->hmac.hashAlg == TPM_ALG_SHA512 || u->hmac.hashAlg == TPM_ALG_SHA3_512 ? 64
                                                                                              : 32;
        out_alg(c, "hash", u->hmac.hashAlg);
        cli_out_hex(c, "digest", u->hmac.digest.sha512, n);
        break;
    }
    case TPM_ALG_MLDSA:
        cli_out_int(c, "size", u->mldsa.size);
        cli_out_hex(c, "sig", u->mldsa.buffer, u->mldsa.size);
        break;
    case TPM_ALG_HASH_MLDSA:
        out_alg(c, "hash", u->hash_mldsa.hash);
        cli_out_int(c, "size", u->hash_mldsa.signature.size);
        cli_out_hex(c, "sig", u->hash_mldsa.signature.buffer, u->hash_mldsa.signature.size);
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------------ print */

static const char print_usage[] =
    "Usage: qtpm print -t TYPE [FILE]\n"
    "Decodes a TPM structure from FILE (default: stdin) and prints it as tpm2_print\n"
    "does (YAML-like; --json: the same keys). No TPM is needed. TYPE is one of\n"
    "  TPMS_ATTEST     quote -m / certify -o / gettime --attestation output (all types)\n"
    "  TPM2B_PUBLIC    a public part (-u files), TPMT_PUBLIC the same without size\n"
    "  TPMS_CONTEXT    a context file (0xBADCC0DE header; -c files)\n"
    "  TPMT_SIGNATURE  a signature (-s / -o files; not in tpm2_print 5.4)\n"
    "  ESYS_TR         a serialized persistent handle (evictcontrol -o)\n"
    "  -t, --type TYPE\n";

/* "FILE: not a T (why)" for a structure that does not decode. */
static int bad_file(cli_ctx *c, const char *path, const char *type, const char *why)
{
    cli_err(c, "%s: not a %s (%s)", path, type, why);
    return CLI_EXIT_FILE;
}

static int print_context(cli_ctx *c, const char *path, const uint8_t *d, size_t n)
{
    /* tpm2-tools' context file (docs/CLI.md "Files"): big-endian magic
     * 0xBADCC0DE, version, hierarchy, savedHandle, sequence (u64), blob size
     * (u16), blob. */
    if (n < 8 || d[0] != 0xBA || d[1] != 0xDC || d[2] != 0xC0 || d[3] != 0xDE)
        return bad_file(c, path, "TPMS_CONTEXT", "no 0xBADCC0DE header");
    size_t o = 4;
    UINT32 version, hierarchy, handle;
    UINT64 seq;
    UINT16 size;
    TPM_RC m = qtpm_UINT32_unmarshal(&version, d, n, &o);
    m |= qtpm_UINT32_unmarshal(&hierarchy, d, n, &o);
    m |= qtpm_UINT32_unmarshal(&handle, d, n, &o);
    m |= qtpm_UINT64_unmarshal(&seq, d, n, &o);
    m |= qtpm_UINT16_unmarshal(&size, d, n, &o);
    if (m)
        return bad_file(c, path, "TPMS_CONTEXT", "is truncated");
    if (n - o != size)
        return bad_file(c, path, "TPMS_CONTEXT", "a size field does not match");
    const char *hn = hierarchy == TPM_RH_OWNER         ? "owner"
                     : hierarchy == TPM_RH_PLATFORM    ? "platform"
                     : hierarchy == TPM_RH_ENDORSEMENT ? "endorsement"
                                                       : "null";
    if (c->json) {
        cli_out_int(c, "version", version);
        cli_out_str(c, "hierarchy", hn);
        cli_out_int(c, "handle", handle);
        cli_out_int(c, "sequence", seq);
        cli_out_begin(c, "contextBlob");
        cli_out_int(c, "size", size);
        cli_out_end(c);
        return 0;
    }
    /* exactly tpm2_print's lines, its trailing space and tab included */
    printf("version: %u\nhierarchy: %s\nhandle: 0x%X (%u)\nsequence: %llu\n"
           "contextBlob: \n\tsize: %u\n",
           version, hn, handle, handle, (unsigned long long)seq, size);
    return 0;
}

/* A serialized ESYS_TR (tpm2_evictcontrol -o, qtpm evictcontrol -o): TPM
 * handle, TPM2B_NAME, the resource type and, for a key (type 1), its
 * TPM2B_PUBLIC. tpm2_print prints the handle and the Name. */
static int print_esys_tr(cli_ctx *c, const char *path, const uint8_t *d, size_t n)
{
    size_t o = 0;
    UINT32 handle, rtype;
    static TPM2B_NAME name;
    TPM_RC m = qtpm_UINT32_unmarshal(&handle, d, n, &o);
    m |= qtpm_TPM2B_NAME_unmarshal(&name, d, n, &o);
    m |= qtpm_UINT32_unmarshal(&rtype, d, n, &o);
    if (m)
        return bad_file(c, path, "ESYS_TR", "is truncated");
    if (rtype == 1) {
        static TPM2B_PUBLIC pub;
        if (qtpm_TPM2B_PUBLIC_unmarshal(&pub, d, n, &o, 1))
            return bad_file(c, path, "ESYS_TR", "its TPM2B_PUBLIC does not decode");
    }
    if (o != n)
        return bad_file(c, path, "ESYS_TR", "a size field does not match");
    cli_out_fmt(c, "tpm-handle", "0x%x", handle);
    cli_out_hex(c, "name", name.buffer, name.size);
    return 0;
}

static int cmd_print(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = { { "type", required_argument, NULL, 't' },
                                          CLI_COMMON_LONGOPTS };
    const char *type = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "t:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 't': type = optarg; break;
        CLI_COMMON_CASES(c, ch, print_usage)
        }
    }
    static const char *const types[] = { "TPMS_ATTEST", "TPM2B_PUBLIC", "TPMT_PUBLIC",
                                         "TPMS_CONTEXT", "TPMT_SIGNATURE", "ESYS_TR" };
    size_t which;
    for (which = 0; type && which < sizeof types / sizeof types[0]; which++)
        if (!strcasecmp(type, types[which]))
            break;
    if (!type || which == sizeof types / sizeof types[0] || optind + 1 < argc) {
        cli_err(c, "-t TYPE (TPMS_ATTEST, TPM2B_PUBLIC, TPMT_PUBLIC, TPMS_CONTEXT, "
                   "TPMT_SIGNATURE, ESYS_TR) and at most one FILE expected");
        return CLI_EXIT_USAGE;
    }
    const char *path = optind < argc ? argv[optind] : "-";
    uint8_t *d;
    size_t n;
    if ((e = cli_read_file(c, path, &d, &n)))
        return e;
    if (n == 0) {
        free(d);
        return bad_file(c, path, types[which], "empty");
    }
    size_t o = 0;
    TPM_RC m;
    e = 0;
    switch (which) {
    case 0: {
        static TPMS_ATTEST a;
        m = qtpm_TPMS_ATTEST_unmarshal(&a, d, n, &o);
        if (n >= 4 && !(d[0] == 0xFF && d[1] == 'T' && d[2] == 'C' && d[3] == 'G'))
            e = bad_file(c, path, "TPMS_ATTEST", "bad magic, not TPM_GENERATED_VALUE");
        else if (m)
            e = bad_file(c, path, "TPMS_ATTEST", cli_marshal_text(m));
        else if (o != n)
            e = bad_file(c, path, "TPMS_ATTEST", "trailing bytes after the structure");
        else
            out_attest(c, &a);
        break;
    }
    case 1:
    case 2: {
        static TPM2B_PUBLIC p;
        if (which == 1)
            m = qtpm_TPM2B_PUBLIC_unmarshal(&p, d, n, &o, 1);
        else
            m = qtpm_TPMT_PUBLIC_unmarshal(&p.publicArea, d, n, &o, 1);
        if (m)
            e = bad_file(c, path, types[which], cli_marshal_text(m));
        else if (o != n)
            e = bad_file(c, path, types[which], "trailing bytes after the structure");
        else
            out_public(c, &p.publicArea);
        break;
    }
    case 3:
        e = print_context(c, path, d, n);
        break;
    case 4: {
        static TPMT_SIGNATURE s;
        m = qtpm_TPMT_SIGNATURE_unmarshal(&s, d, n, &o, 1);
        if (m)
            e = bad_file(c, path, "TPMT_SIGNATURE", cli_marshal_text(m));
        else if (o != n)
            e = bad_file(c, path, "TPMT_SIGNATURE", "trailing bytes after the structure");
        else
            out_tpmt_signature(c, &s);
        break;
    }
    case 5:
        e = print_esys_tr(c, path, d, n);
        break;
    }
    free(d);
    return e;
}

/* --------------------------------------------------------------- eventlog */

static const char eventlog_usage[] =
    "Usage: qtpm eventlog [--eventlog-version 1|2] FILE\n"
    "Parses a TCG PC Client binary event log (crypto-agile with the Spec ID Event03\n"
    "header, or the SHA-1 format), e.g. /sys/kernel/security/tpm0/binary_bios_measurements,\n"
    "prints its events and the PCR values replayed from it, as tpm2_eventlog does\n"
    "(the pcrs section line for line; event data as hex). A malformed log (truncated,\n"
    "sizes past the end, an unknown algorithm, a digest count not the header's) is an\n"
    "error naming the event and offset, exit 1. No TPM is needed.\n";

static void hex_str(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
    out[2 * n] = 0;
}

static const char *event_type_text(uint32_t type, char *buf, size_t cap)
{
    const char *n = qtpm_eventlog_type_name(type);
    if (n)
        return n;
    snprintf(buf, cap, "0x%08x", type);
    return buf;
}

static const char *hash_text(TPM_ALG_ID alg, char *buf, size_t cap)
{
    const char *n = alg_text(alg);
    if (n)
        return n;
    snprintf(buf, cap, "0x%04x", alg);
    return buf;
}

static json_t *json_hex(const uint8_t *d, size_t n)
{
    char *s = malloc(2 * n + 1);
    if (!s)
        return json_null();
    hex_str(d, n, s);
    json_t *j = json_string(s);
    free(s);
    return j;
}

static void eventlog_json(cli_ctx *c, const qtpm_eventlog *log)
{
    char b1[16];
    json_object_set_new(c->out, "version", json_integer(1));
    json_object_set_new(c->out, "format", json_string(log->agile ? "crypto-agile" : "sha1"));
    if (log->agile) {
        json_t *sid = json_object(), *algs = json_array();
        json_object_set_new(sid, "platformClass", json_integer(log->platform_class));
        json_object_set_new(sid, "specVersionMinor", json_integer(log->spec_version_minor));
        json_object_set_new(sid, "specVersionMajor", json_integer(log->spec_version_major));
        json_object_set_new(sid, "specErrata", json_integer(log->spec_errata));
        json_object_set_new(sid, "uintnSize", json_integer(log->uintn_size));
        for (uint32_t i = 0; i < log->n_algs; i++) {
            json_t *a = json_object();
            json_object_set_new(a, "algorithmId",
                                json_string(hash_text(log->algs[i].alg, b1, sizeof b1)));
            json_object_set_new(a, "digestSize", json_integer(log->algs[i].size));
            json_array_append_new(algs, a);
        }
        json_object_set_new(sid, "algorithms", algs);
        json_object_set_new(sid, "vendorInfo",
                            json_hex(log->vendor_info ? log->vendor_info : (const uint8_t *)"",
                                     log->vendor_info_size));
        json_object_set_new(c->out, "specID", sid);
    }
    json_t *evs = json_array();
    for (size_t e = 0; e < log->n_events; e++) {
        const qtpm_evlog_event *ev = &log->events[e];
        json_t *o = json_object(), *ds = json_array();
        char tb[16];
        json_object_set_new(o, "EventNum", json_integer((json_int_t)e));
        json_object_set_new(o, "PCRIndex", json_integer(ev->pcr));
        json_object_set_new(o, "EventType",
                            json_string(event_type_text(ev->type, tb, sizeof tb)));
        for (uint32_t i = 0; i < ev->digest_count; i++) {
            json_t *d = json_object();
            json_object_set_new(d, "AlgorithmId",
                                json_string(hash_text(ev->digests[i].alg, b1, sizeof b1)));
            json_object_set_new(d, "Digest", json_hex(ev->digests[i].digest, ev->digests[i].size));
            json_array_append_new(ds, d);
        }
        json_object_set_new(o, "Digests", ds);
        json_object_set_new(o, "EventSize", json_integer(ev->data_size));
        json_object_set_new(o, "Event", json_hex(ev->data ? ev->data : (const uint8_t *)"",
                                                 ev->data_size));
        json_array_append_new(evs, o);
    }
    json_object_set_new(c->out, "events", evs);
    if (log->padding)
        json_object_set_new(c->out, "padding", json_integer((json_int_t)log->padding));
}

static void eventlog_text(const qtpm_eventlog *log)
{
    char b1[16], hex[2 * QTPM_EVLOG_MAX_DIGEST + 1];
    printf("---\nversion: 1\nevents:\n");
    for (size_t e = 0; e < log->n_events; e++) {
        const qtpm_evlog_event *ev = &log->events[e];
        printf("- EventNum: %zu\n  PCRIndex: %u\n  EventType: %s\n", e, ev->pcr,
               event_type_text(ev->type, b1, sizeof b1));
        if (!log->agile || e == 0) {
            /* TCG_PCClientPCREvent: one SHA-1 digest */
            hex_str(ev->digests[0].digest, 20, hex);
            printf("  Digest: \"%s\"\n  EventSize: %u\n", hex, ev->data_size);
        } else {
            printf("  DigestCount: %u\n  Digests:\n", ev->digest_count);
            for (uint32_t i = 0; i < ev->digest_count; i++) {
                hex_str(ev->digests[i].digest, ev->digests[i].size, hex);
                printf("  - AlgorithmId: %s\n    Digest: \"%s\"\n",
                       hash_text(ev->digests[i].alg, b1, sizeof b1), hex);
            }
            printf("  EventSize: %u\n", ev->data_size);
        }
        if (log->agile && e == 0) {
            printf("  SpecID:\n  - Signature: Spec ID Event03\n"
                   "    platformClass: %u\n    specVersionMinor: %u\n"
                   "    specVersionMajor: %u\n    specErrata: %u\n    uintnSize: %u\n"
                   "    numberOfAlgorithms: %u\n    Algorithms:\n",
                   log->platform_class, log->spec_version_minor, log->spec_version_major,
                   log->spec_errata, log->uintn_size, log->n_algs);
            for (uint32_t i = 0; i < log->n_algs; i++)
                printf("    - Algorithm[%u]:\n      algorithmId: %s\n      digestSize: %u\n", i,
                       hash_text(log->algs[i].alg, b1, sizeof b1), log->algs[i].size);
            printf("    vendorInfoSize: %u\n", log->vendor_info_size);
            continue;
        }
        printf("  Event: \"");
        for (uint32_t i = 0; i < ev->data_size; i++)
            printf("%02x", ev->data[i]);
        printf("\"\n");
    }
}

static int cmd_eventlog(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "eventlog-version", required_argument, NULL, 'V' },
        CLI_COMMON_LONGOPTS,
    };
    int ch, e;
    while ((ch = getopt_long(argc, argv, "T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'V':
            /* tpm2_eventlog's switch for how it decodes UEFI device paths;
             * qtpm prints event data as hex either way */
            if (strcmp(optarg, "1") && strcmp(optarg, "2")) {
                cli_err(c, "--eventlog-version is 1 or 2");
                return CLI_EXIT_USAGE;
            }
            break;
        CLI_COMMON_CASES(c, ch, eventlog_usage)
        }
    }
    if (optind + 1 != argc) {
        cli_err(c, "one event log FILE expected");
        return CLI_EXIT_USAGE;
    }
    const char *path = argv[optind];
    uint8_t *d;
    size_t n;
    if ((e = cli_read_file(c, path, &d, &n)))
        return e;
    qtpm_eventlog log;
    int rc = qtpm_eventlog_parse(d, n, &log);
    qtpm_evlog_pcrs pcrs;
    if (rc == 0 && (rc = qtpm_eventlog_replay(&log, &pcrs)) != 0)
        snprintf(log.error, sizeof log.error, "the log cannot be replayed");
    if (rc) {
        cli_err(c, "%s: not a valid TCG event log: %s", path, log.error);
        qtpm_eventlog_free(&log);
        free(d);
        return CLI_EXIT_FILE;
    }
    if (c->json)
        eventlog_json(c, &log);
    else
        eventlog_text(&log);
    /* the replayed PCRs, banks by algorithm number (sha1, sha256, sha384,
     * sha512 ... as tpm2_eventlog), only the PCRs the log touches */
    uint32_t order[QTPM_EVLOG_MAX_ALGS];
    for (uint32_t i = 0; i < pcrs.n_banks; i++) {
        uint32_t j = i;
        while (j > 0 && pcrs.banks[order[j - 1]].alg > pcrs.banks[i].alg) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    json_t *jp = c->json ? json_object() : NULL;
    if (!c->json)
        printf("pcrs:\n");
    for (uint32_t k = 0; k < pcrs.n_banks; k++) {
        const qtpm_evlog_bank *b = &pcrs.banks[order[k]];
        char b1[16], hex[2 * QTPM_EVLOG_MAX_DIGEST + 1];
        if (!b->used)
            continue;
        json_t *jb = c->json ? json_object() : NULL;
        if (!c->json)
            printf("  %s:\n", hash_text(b->alg, b1, sizeof b1));
        for (unsigned p = 0; p < QTPM_EVLOG_PCRS; p++) {
            if (!(b->used & (1U << p)))
                continue;
            hex_str(b->pcr[p], b->size, hex);
            if (c->json) {
                char key[8];
                snprintf(key, sizeof key, "%u", p);
                json_object_set_new(jb, key, json_string(hex));
            } else {
                printf("    %-3u: 0x%s\n", p, hex);
            }
        }
        if (c->json)
            json_object_set_new(jp, hash_text(b->alg, b1, sizeof b1), jb);
    }
    if (c->json)
        json_object_set_new(c->out, "pcrs", jp);
    qtpm_eventlog_free(&log);
    free(d);
    return 0;
}

const cli_command cli_cmds_decode[] = {
    { "print", cmd_print, "decode a TPMS_ATTEST, public area, context or signature file",
      print_usage },
    { "eventlog", cmd_eventlog, "parse a firmware event log and replay its PCRs",
      eventlog_usage },
    { NULL, NULL, NULL, NULL },
};
