/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * util.c — the shared machinery of the qtpm CLI: common options, files in
 * tpm2-tools' formats, handles and context files, authorizations and session
 * files, and result output as YAML-like text or JSON.
 *
 * Context files are tpm2-tools 5.4's (lib/files.c): a big-endian header
 * magic 0xBADCC0DE and version 1, then hierarchy, savedHandle, sequence and
 * the context blob (UINT16 size + bytes). tpm2-tools' blob is not the TPM's
 * bare blob but tpm2-tss ESYS's wrapper around it: UINT32 reserved (0), the
 * TPM's TPM2B_CONTEXT_DATA, then ESYS metadata (UINT16 size, the handle, the
 * Name, a resource type and, for keys, the TPM2B_PUBLIC). qtpm writes that
 * wrapper so tpm2_* tools accept its files, and reads files with or without
 * it. tpm2_evictcontrol -o writes a serialized ESYS_TR (no magic: handle,
 * Name, type, public); qtpm reads and writes it for persistent handles.
 *
 * Session files are qtpm's own ("QTPMSES1"): the TPM's saved session context
 * and the TSS side of the session (nonces, session key, hash, attributes),
 * because tpm2-tools' session files carry ESYS-internal state. They hold the
 * session key: protect them as one protects a password.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "qtpm/tss_keyfile.h"

#define CONTEXT_MAGIC 0xBADCC0DEU
#define CONTEXT_VERSION 1U
#define SESSION_MAGIC "QTPMSES1"
#define IESYSC_KEY_RSRC 1U
#define MAX_FILE_SIZE (1U << 24)

struct cli_session_file {
    char path[4096];
    qtpm_tss_session s;
    int loaded; /* in the TPM (must be saved back at exit) */
};

/* ------------------------------------------------------------- messages */

void cli_err(cli_ctx *c, const char *fmt, ...)
{
    va_list ap;
    char msg[1024];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "qtpm %s: %s\n", c && c->cmd ? c->cmd : "", msg);
    /* With --json the first error is in the document too (a TPM error's
     * decoded fields replace it, cli_fail). */
    if (c && c->json && c->out && !json_object_get(c->out, "error"))
        json_object_set_new(c->out, "error", json_pack("{s:s}", "message", msg));
}

/* Whether a libqtss error comes from the transport (TCTI). */
static int is_transport_error(int rc)
{
    return rc == QTPM_TSS_E_IO || rc == QTPM_TSS_E_PROTOCOL || rc == QTPM_TSS_E_CONFIG ||
           rc == QTPM_TSS_E_UNSUPPORTED;
}

/* The transport's own account of a transport error (qtpm_tcti_diagnostic),
 * or "" for any other error. */
static const char *transport_diagnostic(int rc)
{
    return is_transport_error(rc) ? qtpm_tcti_diagnostic() : "";
}

int cli_fail(cli_ctx *c, const char *what, int rc)
{
    if (rc > 0) {
        char text[512];
        cli_rc_decode((uint32_t)rc, text, sizeof text);
        cli_err(c, "%s failed: %s", what, text);
        if (c->json) {
            json_t *e = cli_rc_json((uint32_t)rc);
            json_object_set_new(e, "command", json_string(what));
            json_object_set_new(c->out, "error", e);
        }
    } else {
        const char *why = transport_diagnostic(rc);
        cli_err(c, "%s failed: %s%s%s", what, qtpm_tss_strerror(rc), why[0] ? ": " : "", why);
        if (c->json) {
            json_t *e = json_pack("{s:s, s:s, s:i}", "command", what, "message",
                                  qtpm_tss_strerror(rc), "code", rc);
            if (why[0])
                json_object_set_new(e, "detail", json_string(why));
            json_object_set_new(c->out, "error", e);
        }
    }
    return cli_exit_for(rc);
}

int cli_exit_for(int rc)
{
    if (rc > 0) {
        uint32_t r = (uint32_t)rc;
        /* Format-one codes carry the error number in bits 0..5 (Part 2 §6.6.3). */
        if ((r & 0x80U) && ((r & 0x3FU) == (TPM_RC_AUTH_FAIL & 0x3FU) ||
                            (r & 0x3FU) == (TPM_RC_BAD_AUTH & 0x3FU)))
            return CLI_EXIT_AUTH;
        if (r == TPM_RC_COMMAND_CODE)
            return CLI_EXIT_UNSUPPORTED;
        return CLI_EXIT_TPM;
    }
    return is_transport_error(rc) ? CLI_EXIT_TCTI : CLI_EXIT_GENERAL;
}

const char *cli_marshal_text(TPM_RC rc)
{
    switch (rc & 0xBFU) {
    case TPM_RC_INSUFFICIENT & 0xBFU: return "the file is truncated";
    case TPM_RC_SIZE & 0xBFU: return "a size field does not match the contents";
    case TPM_RC_PARMS & 0xBFU: return "unknown ML-KEM / ML-DSA parameter set (TPM_RC_PARMS)";
    case TPM_RC_TYPE & 0xBFU: return "unknown object type (TPM_RC_TYPE)";
    case TPM_RC_HASH & 0xBFU: return "unsupported hash algorithm (TPM_RC_HASH)";
    default: return "the contents are not valid";
    }
}

/* --------------------------------------------------------------- options */

void cli_usage(const char *usage)
{
    fputs(usage, stdout);
    fputs("\nCommon options: -T/--tcti TCTI, --json, -h/--help (see qtpm --help).\n", stdout);
}

int cli_common_opt(cli_ctx *c, int ch, const char *usage)
{
    switch (ch) {
    case 'T': c->tcti = optarg; return 1;
    case CLI_OPT_JSON: c->json = 1; return 1;
    case 'h': cli_usage(usage); return 0;
    default:
        fprintf(stderr, "qtpm %s: unknown or incomplete option; see qtpm %s --help\n", c->cmd,
                c->cmd);
        return -1;
    }
}

int cli_parse_u32(const char *s, uint32_t *v)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || *end || x > 0xFFFFFFFFULL || s[0] == '-')
        return -1;
    *v = (uint32_t)x;
    return 0;
}

int cli_parse_hierarchy(const char *s, TPM_HANDLE *h)
{
    static const struct { const char *a, *b; TPM_HANDLE h; } names[] = {
        { "o", "owner", TPM_RH_OWNER },       { "p", "platform", TPM_RH_PLATFORM },
        { "e", "endorsement", TPM_RH_ENDORSEMENT }, { "n", "null", TPM_RH_NULL },
        { "l", "lockout", TPM_RH_LOCKOUT },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(s, names[i].a) || !strcasecmp(s, names[i].b)) {
            *h = names[i].h;
            return 0;
        }
    return cli_parse_u32(s, h);
}

static const struct { const char *name; TPM_ALG_ID alg; } alg_names[] = {
    { "sha1", TPM_ALG_SHA1 },         { "sha256", TPM_ALG_SHA256 },
    { "sha384", TPM_ALG_SHA384 },     { "sha512", TPM_ALG_SHA512 },
    { "sha3_256", TPM_ALG_SHA3_256 }, { "sha3_384", TPM_ALG_SHA3_384 },
    { "sha3_512", TPM_ALG_SHA3_512 }, { "rsa", TPM_ALG_RSA },
    { "ecc", TPM_ALG_ECC },           { "keyedhash", TPM_ALG_KEYEDHASH },
    { "symcipher", TPM_ALG_SYMCIPHER }, { "aes", TPM_ALG_AES },
    { "hmac", TPM_ALG_HMAC },         { "rsassa", TPM_ALG_RSASSA },
    { "rsapss", TPM_ALG_RSAPSS },     { "ecdsa", TPM_ALG_ECDSA },
    { "oaep", TPM_ALG_OAEP },         { "rsaes", TPM_ALG_RSAES },
    { "ecdh", TPM_ALG_ECDH },         { "cfb", TPM_ALG_CFB },
    { "null", TPM_ALG_NULL },         { "mlkem", TPM_ALG_MLKEM },
    { "mldsa", TPM_ALG_MLDSA },       { "hashmldsa", TPM_ALG_HASH_MLDSA },
    { "xor", TPM_ALG_XOR },           { "kdf1_sp800_108", TPM_ALG_KDF1_SP800_108 },
};

int cli_parse_hash(const char *s, TPMI_ALG_HASH *alg)
{
    for (size_t i = 0; i < 7; i++)
        if (!strcasecmp(s, alg_names[i].name)) {
            *alg = alg_names[i].alg;
            return 0;
        }
    uint32_t v;
    if (cli_parse_u32(s, &v) == 0 && qtpm_hash_digest_size((TPM_ALG_ID)v)) {
        *alg = (TPMI_ALG_HASH)v;
        return 0;
    }
    return -1;
}

const char *cli_alg_name(TPM_ALG_ID alg)
{
    for (size_t i = 0; i < sizeof alg_names / sizeof alg_names[0]; i++)
        if (alg_names[i].alg == alg)
            return alg_names[i].name;
    return "unknown";
}

const char *cli_hash_name(TPM_ALG_ID alg) { return cli_alg_name(alg); }

int cli_parse_hex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    size_t n = strlen(s);
    if (n % 2 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1 || !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
            !strchr("0123456789abcdefABCDEF", s[2 * i + 1]))
            return -1;
        out[i] = (uint8_t)v;
    }
    *len = n / 2;
    return 0;
}

/* One bank "sha256:0,1,2" / "sha256:all" / "sha256:none" into sel. */
static int parse_pcr_bank(const char *s, TPMS_PCR_SELECTION *b)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", s);
    char *colon = strchr(tmp, ':');
    if (!colon)
        return -1;
    *colon = 0;
    memset(b, 0, sizeof *b);
    if (cli_parse_hash(tmp, &b->hash) != 0)
        return -1;
    b->sizeofSelect = 3;
    char *list = colon + 1;
    if (!strcmp(list, "all")) {
        memset(b->pcrSelect, 0xFF, 3);
        return 0;
    }
    if (!strcmp(list, "none") || !*list)
        return 0;
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        uint32_t n;
        if (cli_parse_u32(tok, &n) != 0 || n >= 8U * PCR_SELECT_MAX || n >= 24)
            return -1;
        b->pcrSelect[n / 8] |= (uint8_t)(1U << (n % 8));
    }
    return 0;
}

int cli_parse_pcr_list(const char *s, TPML_PCR_SELECTION *sel)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", s);
    memset(sel, 0, sizeof *sel);
    char *save = NULL;
    for (char *tok = strtok_r(tmp, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
        if (sel->count >= HASH_COUNT || parse_pcr_bank(tok, &sel->pcrSelections[sel->count]))
            return -1;
        sel->count++;
    }
    return sel->count ? 0 : -1;
}

size_t cli_pcr_count(const TPML_PCR_SELECTION *sel)
{
    size_t n = 0;
    for (UINT32 i = 0; i < sel->count; i++)
        for (unsigned j = 0; j < sel->pcrSelections[i].sizeofSelect * 8U; j++)
            if (sel->pcrSelections[i].pcrSelect[j / 8] & (1U << (j % 8)))
                n++;
    return n;
}

static const struct { const char *name; uint32_t bit; } obj_attr_names[] = {
    { "fixedtpm", TPMA_OBJECT_FIXEDTPM },
    { "stclear", TPMA_OBJECT_STCLEAR },
    { "fixedparent", TPMA_OBJECT_FIXEDPARENT },
    { "sensitivedataorigin", TPMA_OBJECT_SENSITIVEDATAORIGIN },
    { "userwithauth", TPMA_OBJECT_USERWITHAUTH },
    { "adminwithpolicy", TPMA_OBJECT_ADMINWITHPOLICY },
    { "noda", TPMA_OBJECT_NODA },
    { "encryptedduplication", TPMA_OBJECT_ENCRYPTEDDUPLICATION },
    { "restricted", TPMA_OBJECT_RESTRICTED },
    { "decrypt", TPMA_OBJECT_DECRYPT },
    { "sign", TPMA_OBJECT_SIGN_ENCRYPT },
    { "x509sign", TPMA_OBJECT_X509SIGN },
};

static const struct { const char *name; uint32_t bit; } nv_attr_names[] = {
    { "ppwrite", TPMA_NV_PPWRITE },         { "ownerwrite", TPMA_NV_OWNERWRITE },
    { "authwrite", TPMA_NV_AUTHWRITE },     { "policywrite", TPMA_NV_POLICYWRITE },
    { "policy_delete", TPMA_NV_POLICY_DELETE }, { "writelocked", TPMA_NV_WRITELOCKED },
    { "writeall", TPMA_NV_WRITEALL },       { "writedefine", TPMA_NV_WRITEDEFINE },
    { "write_stclear", TPMA_NV_WRITE_STCLEAR }, { "globallock", TPMA_NV_GLOBALLOCK },
    { "ppread", TPMA_NV_PPREAD },           { "ownerread", TPMA_NV_OWNERREAD },
    { "authread", TPMA_NV_AUTHREAD },       { "policyread", TPMA_NV_POLICYREAD },
    { "no_da", TPMA_NV_NO_DA },             { "orderly", TPMA_NV_ORDERLY },
    { "clear_stclear", TPMA_NV_CLEAR_STCLEAR }, { "readlocked", TPMA_NV_READLOCKED },
    { "written", TPMA_NV_WRITTEN },         { "platformcreate", TPMA_NV_PLATFORMCREATE },
    { "read_stclear", TPMA_NV_READ_STCLEAR },
};

int cli_parse_object_attrs(const char *s, TPMA_OBJECT *a)
{
    uint32_t v;
    if (cli_parse_u32(s, &v) == 0) {
        *a = v;
        return 0;
    }
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", s);
    *a = 0;
    for (char *tok = strtok(tmp, "|"); tok; tok = strtok(NULL, "|")) {
        size_t i;
        for (i = 0; i < sizeof obj_attr_names / sizeof obj_attr_names[0]; i++)
            if (!strcasecmp(tok, obj_attr_names[i].name))
                break;
        if (i == sizeof obj_attr_names / sizeof obj_attr_names[0])
            return -1;
        *a |= obj_attr_names[i].bit;
    }
    return 0;
}

int cli_parse_nv_attrs(const char *s, TPMA_NV *a)
{
    uint32_t v;
    if (cli_parse_u32(s, &v) == 0) {
        *a = v;
        return 0;
    }
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", s);
    *a = 0;
    for (char *tok = strtok(tmp, "|"); tok; tok = strtok(NULL, "|")) {
        size_t i;
        if (!strncasecmp(tok, "nt=", 3)) {
            /* TPM_NT by name, as tpm2-tools spells them (Part 2 §13.4
             * Table "TPM_NT"), or by number */
            static const struct { const char *name; uint32_t nt; } nts[] = {
                { "ordinary", 0 }, { "counter", 1 }, { "bits", 2 },
                { "extend", 4 },   { "pinfail", 8 }, { "pinpass", 9 },
            };
            uint32_t nt = 16;
            for (size_t k = 0; k < sizeof nts / sizeof nts[0]; k++)
                if (!strcasecmp(tok + 3, nts[k].name))
                    nt = nts[k].nt;
            if (nt == 16 && (cli_parse_u32(tok + 3, &nt) != 0 || nt > 15))
                return -1;
            *a |= nt << TPMA_NV_TPM_NT_SHIFT;
            continue;
        }
        for (i = 0; i < sizeof nv_attr_names / sizeof nv_attr_names[0]; i++)
            if (!strcasecmp(tok, nv_attr_names[i].name))
                break;
        if (i == sizeof nv_attr_names / sizeof nv_attr_names[0])
            return -1;
        *a |= nv_attr_names[i].bit;
    }
    return 0;
}

/* A "scheme[-hash]" field of -G: rsassa, rsapss, ecdsa, oaep, rsaes, ecdh,
 * null; returns 1 when it was one, 0 when not a scheme, -1 for a bad hash. */
static int parse_scheme(const char *f, TPM_ALG_ID *scheme, TPMI_ALG_HASH *hash)
{
    static const struct { const char *n; TPM_ALG_ID a; } s[] = {
        { "rsassa", TPM_ALG_RSASSA }, { "rsapss", TPM_ALG_RSAPSS }, { "ecdsa", TPM_ALG_ECDSA },
        { "oaep", TPM_ALG_OAEP },     { "rsaes", TPM_ALG_RSAES },   { "ecdh", TPM_ALG_ECDH },
        { "hmac", TPM_ALG_HMAC },     { "null", TPM_ALG_NULL },
    };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        size_t l = strlen(s[i].n);
        if (strncasecmp(f, s[i].n, l) || (f[l] && f[l] != '-'))
            continue;
        *scheme = s[i].a;
        if (f[l] == '-' && cli_parse_hash(f + l + 1, hash) != 0)
            return -1;
        return 1;
    }
    return 0;
}

/* "aes128cfb", "aes256cfb", "aes" or "null" */
static int parse_sym(const char *f, TPMT_SYM_DEF_OBJECT *sym)
{
    if (!strcasecmp(f, "null")) {
        sym->algorithm = TPM_ALG_NULL;
        return 1;
    }
    if (strncasecmp(f, "aes", 3))
        return 0;
    unsigned bits = 128;
    const char *p = f + 3;
    if (*p >= '0' && *p <= '9')
        bits = (unsigned)strtoul(p, (char **)&p, 10);
    if (*p && strcasecmp(p, "cfb"))
        return -1;
    if (bits != 128 && bits != 192 && bits != 256)
        return -1;
    sym->algorithm = TPM_ALG_AES;
    sym->keyBits.aes = (TPM_KEY_BITS)bits;
    sym->mode.aes = TPM_ALG_CFB;
    return 1;
}

/* The number after a PQC algorithm's name ("mldsa65" -> 65); 0 if none. */
static int pqc_number(const char *p, unsigned *n)
{
    char *end;
    *n = 0;
    if (!*p)
        return 0;
    unsigned long v = strtoul(p, &end, 10);
    if (*end || v > 9999)
        return -1;
    *n = (unsigned)v;
    return 0;
}

/*
 * The post-quantum types of TPM 2.0 v1.85 (docs/PQC.md):
 *   mlkem512 | mlkem768 | mlkem1024 [:aes128cfb|aes256cfb|null]
 *   mldsa44 | mldsa65 | mldsa87 [:extmu]     (allowExternalMu = YES)
 *   hashmldsa44 | hashmldsa65 | hashmldsa87 [:sha256|sha384|sha512]
 * Without a number: ML-KEM-768, ML-DSA-65. Returns 1 when s names a PQC
 * type (0 not one, -1 malformed).
 */
static int parse_pqc_alg(char **fields, size_t nf, TPMT_PUBLIC *pub)
{
    const char *t = fields[0];
    unsigned n;
    if (!strncasecmp(t, "hashmldsa", 9) || !strncasecmp(t, "hash_mldsa", 10) ||
        !strncasecmp(t, "mldsa", 5)) {
        int pre = !strncasecmp(t, "hash", 4);
        const char *num = t + (pre ? (t[4] == '_' ? 10 : 9) : 5);
        if (pqc_number(num, &n) || (n && n != 44 && n != 65 && n != 87) || nf > 2)
            return -1;
        TPMI_MLDSA_PARMS set = n == 44 ? TPM_MLDSA_44 : n == 87 ? TPM_MLDSA_87 : TPM_MLDSA_65;
        if (pre) {
            TPMI_ALG_HASH h = TPM_ALG_SHA256;
            if (nf == 2 && cli_parse_hash(fields[1], &h))
                return -1;
            pub->type = TPM_ALG_HASH_MLDSA;
            pub->parameters.hashMldsaDetail.parameterSet = set;
            pub->parameters.hashMldsaDetail.hashAlg = h;
        } else {
            if (nf == 2 && strcasecmp(fields[1], "extmu"))
                return -1;
            pub->type = TPM_ALG_MLDSA;
            pub->parameters.mldsaDetail.parameterSet = set;
            pub->parameters.mldsaDetail.allowExternalMu = nf == 2 ? YES : NO;
        }
        return 1;
    }
    if (!strncasecmp(t, "mlkem", 5)) {
        if (pqc_number(t + 5, &n) || (n && n != 512 && n != 768 && n != 1024) || nf > 2)
            return -1;
        TPMT_SYM_DEF_OBJECT sym = { .algorithm = TPM_ALG_NULL };
        /* a restricted decryption key (a parent, an EK) needs a symmetric
         * definition (Part 2 §12.2.3.5); the others have none */
        if (pub->objectAttributes & TPMA_OBJECT_RESTRICTED) {
            sym.algorithm = TPM_ALG_AES;
            sym.keyBits.aes = 128;
            sym.mode.aes = TPM_ALG_CFB;
        }
        if (nf == 2 && parse_sym(fields[1], &sym) <= 0)
            return -1;
        pub->type = TPM_ALG_MLKEM;
        pub->parameters.mlkemDetail.symmetric = sym;
        pub->parameters.mlkemDetail.parameterSet =
            n == 512 ? TPM_MLKEM_512 : n == 1024 ? TPM_MLKEM_1024 : TPM_MLKEM_768;
        return 1;
    }
    return 0;
}

int cli_parse_key_alg(const char *s, TPMA_OBJECT attrs, TPMI_ALG_HASH name_alg, TPMT_PUBLIC *pub)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", s);
    memset(pub, 0, sizeof *pub);
    pub->nameAlg = name_alg;
    pub->objectAttributes = attrs;
    char *fields[4] = { 0 };
    size_t nf = 0;
    for (char *tok = strtok(tmp, ":"); tok && nf < 4; tok = strtok(NULL, ":"))
        fields[nf++] = tok;
    if (!nf)
        return -1;
    const char *t = fields[0];
    int pq = parse_pqc_alg(fields, nf, pub);
    if (pq)
        return pq < 0 ? -1 : 0;
    TPM_ALG_ID scheme = TPM_ALG_NULL;
    TPMI_ALG_HASH shash = TPM_ALG_SHA256;
    int scheme_given = 0, sym_given = 0;
    TPMT_SYM_DEF_OBJECT sym = { .algorithm = TPM_ALG_NULL };
    for (size_t i = 1; i < nf; i++) {
        int r = parse_scheme(fields[i], &scheme, &shash);
        if (r < 0)
            return -1;
        if (r > 0 && !scheme_given) {
            scheme_given = 1;
            continue;
        }
        r = parse_sym(fields[i], &sym);
        if (r <= 0)
            return -1;
        sym_given = 1;
    }
    int restricted = (attrs & TPMA_OBJECT_RESTRICTED) != 0;
    int decrypt = (attrs & TPMA_OBJECT_DECRYPT) != 0;
    int sign = (attrs & TPMA_OBJECT_SIGN_ENCRYPT) != 0;
    /* Restricted decryption keys (parents) need a symmetric definition and
     * a NULL scheme (Part 2 §12.2.3.5); restricted signing keys a scheme. */
    if (restricted && decrypt && !sym_given) {
        sym.algorithm = TPM_ALG_AES;
        sym.keyBits.aes = 128;
        sym.mode.aes = TPM_ALG_CFB;
    }
    if (!strncasecmp(t, "rsa", 3)) {
        unsigned bits = t[3] ? (unsigned)strtoul(t + 3, NULL, 10) : 2048;
        if (bits != 1024 && bits != 2048 && bits != 3072 && bits != 4096)
            return -1;
        if (restricted && sign && !scheme_given)
            scheme = TPM_ALG_RSASSA;
        pub->type = TPM_ALG_RSA;
        pub->parameters.rsaDetail.symmetric = sym;
        pub->parameters.rsaDetail.scheme.scheme = scheme;
        if (scheme != TPM_ALG_NULL && scheme != TPM_ALG_RSAES)
            pub->parameters.rsaDetail.scheme.details.anySig.hashAlg = shash;
        pub->parameters.rsaDetail.keyBits = (TPMI_RSA_KEY_BITS)bits;
        pub->parameters.rsaDetail.exponent = 0;
        pub->unique.rsa.size = 0;
        return 0;
    }
    if (!strncasecmp(t, "ecc", 3)) {
        const char *c = t + 3;
        if (*c == '_')
            c++;
        TPM_ECC_CURVE curve;
        if (!*c || !strcmp(c, "256") || !strcasecmp(c, "nist_p256"))
            curve = TPM_ECC_NIST_P256;
        else if (!strcmp(c, "384") || !strcasecmp(c, "nist_p384"))
            curve = TPM_ECC_NIST_P384;
        else if (!strcmp(c, "521") || !strcasecmp(c, "nist_p521"))
            curve = TPM_ECC_NIST_P521;
        else
            return -1;
        if (restricted && sign && !scheme_given)
            scheme = TPM_ALG_ECDSA;
        pub->type = TPM_ALG_ECC;
        pub->parameters.eccDetail.symmetric = sym;
        pub->parameters.eccDetail.scheme.scheme = scheme;
        if (scheme != TPM_ALG_NULL)
            pub->parameters.eccDetail.scheme.details.anySig.hashAlg = shash;
        pub->parameters.eccDetail.curveID = curve;
        pub->parameters.eccDetail.kdf.scheme = TPM_ALG_NULL;
        return 0;
    }
    if (!strncasecmp(t, "aes", 3)) {
        if (parse_sym(t, &sym) <= 0)
            return -1;
        pub->type = TPM_ALG_SYMCIPHER;
        pub->parameters.symDetail.sym = sym;
        return 0;
    }
    if (!strcasecmp(t, "hmac") || !strcasecmp(t, "keyedhash") || !strcasecmp(t, "xor")) {
        pub->type = TPM_ALG_KEYEDHASH;
        TPMT_KEYEDHASH_SCHEME *k = &pub->parameters.keyedHashDetail.scheme;
        if (!strcasecmp(t, "hmac")) {
            k->scheme = TPM_ALG_HMAC;
            k->details.hmac.hashAlg = scheme_given && scheme == TPM_ALG_HMAC ? shash : name_alg;
        } else {
            k->scheme = TPM_ALG_NULL;
        }
        return 0;
    }
    return -1;
}

/* ----------------------------------------------------------------- files */

int cli_read_file(cli_ctx *c, const char *path, uint8_t **data, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        cli_err(c, "cannot open %s: %s", path, strerror(errno));
        return CLI_EXIT_FILE;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
        if (n == cap) {
            if (cap >= MAX_FILE_SIZE) {
                free(buf);
                buf = NULL;
                break;
            }
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (!buf || bad) {
        free(buf);
        cli_err(c, "cannot read %s", path);
        return CLI_EXIT_FILE;
    }
    *data = buf;
    *len = n;
    return 0;
}

int cli_write_file(cli_ctx *c, const char *path, const void *data, size_t len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
    if (!f) {
        cli_err(c, "cannot create %s: %s", path, strerror(errno));
        return CLI_EXIT_FILE;
    }
    int ok = fwrite(data, 1, len, f) == len;
    if (f != stdout)
        ok = (fclose(f) == 0) && ok;
    else
        fflush(f);
    if (!ok) {
        cli_err(c, "cannot write %s", path);
        return CLI_EXIT_FILE;
    }
    return 0;
}

/* Reads path and unmarshals one structure that must fill the file exactly. */
#define LOAD_STRUCT(fn, T, call)                                                      \
    int fn(cli_ctx *c, const char *path, T *dst)                                      \
    {                                                                                 \
        uint8_t *d;                                                                   \
        size_t n, off = 0;                                                            \
        int e = cli_read_file(c, path, &d, &n);                                       \
        if (e)                                                                        \
            return e;                                                                 \
        TPM_RC rc = call;                                                             \
        if (rc == TPM_RC_SUCCESS && off != n)                                         \
            rc = TPM_RC_SIZE;                                                         \
        free(d);                                                                      \
        if (rc) {                                                                     \
            cli_err(c, "%s is not a valid " #T " file: %s", path, cli_marshal_text(rc)); \
            return CLI_EXIT_FILE;                                                    \
        }                                                                             \
        return 0;                                                                     \
    }

LOAD_STRUCT(cli_load_public, TPM2B_PUBLIC, qtpm_TPM2B_PUBLIC_unmarshal(dst, d, n, &off, 0))
LOAD_STRUCT(cli_load_private, TPM2B_PRIVATE, qtpm_TPM2B_PRIVATE_unmarshal(dst, d, n, &off))
LOAD_STRUCT(cli_load_signature, TPMT_SIGNATURE, qtpm_TPMT_SIGNATURE_unmarshal(dst, d, n, &off, 0))

/* tpm2_quote -m writes the TPMS_ATTEST bytes, without the TPM2B size. */
int cli_load_attest(cli_ctx *c, const char *path, TPM2B_ATTEST *att)
{
    uint8_t *d;
    size_t n;
    int e = cli_read_file(c, path, &d, &n);
    if (e)
        return e;
    if (n == 0 || n > sizeof att->buffer) {
        free(d);
        cli_err(c, "%s is not a TPMS_ATTEST file: %s", path, n ? "too large" : "empty");
        return CLI_EXIT_FILE;
    }
    memcpy(att->buffer, d, n);
    att->size = (UINT16)n;
    free(d);
    return 0;
}

/* A raw digest file (policy, credential secret): bytes, at most 64. */
int cli_load_digest_file(cli_ctx *c, const char *path, TPM2B_DIGEST *dg)
{
    uint8_t *d;
    size_t n;
    int e = cli_read_file(c, path, &d, &n);
    if (e)
        return e;
    if (n > sizeof dg->buffer) {
        free(d);
        cli_err(c, "%s: %zu bytes, more than a digest (%zu)", path, n, sizeof dg->buffer);
        return CLI_EXIT_FILE;
    }
    memcpy(dg->buffer, d, n);
    dg->size = (UINT16)n;
    free(d);
    return 0;
}

#define SAVE_STRUCT(fn, T, mfn)                                                       \
    int fn(cli_ctx *c, const char *path, const T *src)                                \
    {                                                                                 \
        static uint8_t buf[sizeof(T) + 16];                                           \
        size_t off = 0;                                                               \
        if (mfn(src, buf, sizeof buf, &off) != TPM_RC_SUCCESS) {                      \
            cli_err(c, "cannot marshal " #T);                                         \
            return CLI_EXIT_FILE;                                                    \
        }                                                                             \
        return cli_write_file(c, path, buf, off);                                     \
    }

SAVE_STRUCT(cli_save_public, TPM2B_PUBLIC, qtpm_TPM2B_PUBLIC_marshal)
SAVE_STRUCT(cli_save_private, TPM2B_PRIVATE, qtpm_TPM2B_PRIVATE_marshal)
SAVE_STRUCT(cli_save_signature, TPMT_SIGNATURE, qtpm_TPMT_SIGNATURE_marshal)

int cli_load_any_public(cli_ctx *c, const char *path, TPMT_PUBLIC *pub)
{
    uint8_t *d;
    size_t n;
    int e = cli_read_file(c, path, &d, &n);
    if (e)
        return e;
    if (n > 10 && memmem(d, n, "-----BEGIN", 10)) {
        e = cli_pem_to_public(d, n, pub);
        free(d);
        if (e) {
            cli_err(c, "%s: not an RSA or EC public key in PEM", path);
            return CLI_EXIT_FILE;
        }
        return 0;
    }
    free(d);
    TPM2B_PUBLIC p;
    if ((e = cli_load_public(c, path, &p)))
        return e;
    *pub = p.publicArea;
    return 0;
}

/* ------------------------------------------------------- TPM and handles */

int cli_tpm(cli_ctx *c, qtpm_tss **t)
{
    if (!c->tss) {
        const char *spec = c->tcti;
        if (!spec)
            spec = getenv("QTPM_TCTI");
        if (!spec)
            spec = getenv("TPM2TOOLS_TCTI");
        int rc = qtpm_tss_new(spec, &c->tss);
        if (rc) {
            const char *why = transport_diagnostic(rc);
            cli_err(c, "cannot open TCTI \"%s\": %s%s%s", spec ? spec : "device:/dev/tpmrm0",
                    qtpm_tss_strerror(rc), why[0] ? ": " : "", why);
            c->tss = NULL;
            return CLI_EXIT_TCTI;
        }
    }
    *t = c->tss;
    return 0;
}

void cli_flush_later(cli_ctx *c, TPM_HANDLE h)
{
    if (c->n_flush < sizeof c->flush / sizeof c->flush[0])
        c->flush[c->n_flush++] = h;
}

void cli_flush_cancel(cli_ctx *c, TPM_HANDLE h)
{
    for (size_t i = 0; i < c->n_flush; i++)
        if (c->flush[i] == h)
            c->flush[i] = 0;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int cli_context_file_read(cli_ctx *c, const char *path, TPMS_CONTEXT *ctx, TPM2B_PUBLIC *pub_meta)
{
    uint8_t *d;
    size_t n;
    uint32_t version = 0;
    int e = cli_read_file(c, path, &d, &n);
    if (e)
        return e;
    /* the parsing is libqtss's (qtpm/tss_keyfile.h), shared with the
     * OpenSSL provider's key loader */
    int rc = qtpm_keyfile_context_parse(d, n, ctx, pub_meta, &version);
    free(d);
    if (rc == 0)
        return 0;
    if (rc == QTPM_KEYFILE_E_VERSION)
        cli_err(c, "%s: context file version %u is not supported (only %u)", path, version,
                CONTEXT_VERSION);
    else
        cli_err(c, "%s is not a valid context file: %s", path,
                rc == QTPM_KEYFILE_E_MAGIC ? "no 0xBADCC0DE header"
                                           : cli_marshal_text((TPM_RC)rc));
    return CLI_EXIT_FILE;
}

int cli_context_file_write(cli_ctx *c, const char *path, const TPMS_CONTEXT *ctx,
                           TPM_HANDLE handle, const TPM2B_NAME *name, const TPM2B_PUBLIC *pub)
{
    static uint8_t blob[sizeof(TPM2B_CONTEXT_DATA) + sizeof(TPM2B_PUBLIC) + 128];
    static uint8_t out[sizeof blob + 64];
    size_t bo = 0, off = 0;
    UINT32 zero = 0, type = pub ? IESYSC_KEY_RSRC : 0;
    UINT16 meta_size = 0; /* ESYS writes 0 here and ignores it on reading */
    TPM2B_NAME empty = { 0 };
    TPM_RC rc;
    if ((rc = qtpm_UINT32_marshal(&zero, blob, sizeof blob, &bo)) ||
        (rc = qtpm_TPM2B_CONTEXT_DATA_marshal(&ctx->contextBlob, blob, sizeof blob, &bo)) ||
        (rc = qtpm_UINT16_marshal(&meta_size, blob, sizeof blob, &bo)) ||
        (rc = qtpm_UINT32_marshal(&handle, blob, sizeof blob, &bo)) ||
        (rc = qtpm_TPM2B_NAME_marshal(name ? name : &empty, blob, sizeof blob, &bo)) ||
        (rc = qtpm_UINT32_marshal(&type, blob, sizeof blob, &bo)) ||
        (pub && (rc = qtpm_TPM2B_PUBLIC_marshal(pub, blob, sizeof blob, &bo))))
        goto bad;
    UINT32 magic = CONTEXT_MAGIC, version = CONTEXT_VERSION;
    if (bo > MAX_CONTEXT_SIZE) {
        /* An ML-DSA-65/87 object's context and public area together exceed
         * what tpm2-tss keeps in one context blob: write the TPM's blob
         * alone, which qtpm reads too (tpm2-tools 5.4 has no ML-DSA). */
        bo = 0;
        if ((rc = qtpm_BYTE_array_marshal(ctx->contextBlob.buffer, ctx->contextBlob.size, blob,
                                          sizeof blob, &bo)))
            goto bad;
    }
    UINT16 bsize = (UINT16)bo;
    if ((rc = qtpm_UINT32_marshal(&magic, out, sizeof out, &off)) ||
        (rc = qtpm_UINT32_marshal(&version, out, sizeof out, &off)) ||
        (rc = qtpm_UINT32_marshal(&ctx->hierarchy, out, sizeof out, &off)) ||
        (rc = qtpm_UINT32_marshal(&ctx->savedHandle, out, sizeof out, &off)) ||
        (rc = qtpm_UINT64_marshal(&ctx->sequence, out, sizeof out, &off)) ||
        (rc = qtpm_UINT16_marshal(&bsize, out, sizeof out, &off)) ||
        (rc = qtpm_BYTE_array_marshal(blob, bo, out, sizeof out, &off)))
        goto bad;
    return cli_write_file(c, path, out, off);
bad:
    cli_err(c, "cannot build the context file %s", path);
    return CLI_EXIT_FILE;
}

int cli_save_object_context(cli_ctx *c, TPM_HANDLE h, const char *path)
{
    qtpm_tss *t;
    int e = cli_tpm(c, &t);
    if (e)
        return e;
    TPMS_CONTEXT ctx;
    TPM2B_PUBLIC pub;
    TPM2B_NAME name;
    int rc = qtpm_tss_ContextSave(t, h, &ctx);
    if (rc)
        return cli_fail(c, "ContextSave", rc);
    rc = qtpm_tss_ReadPublic(t, NULL, h, &pub, &name, NULL);
    if (rc)
        return cli_fail(c, "ReadPublic", rc);
    return cli_context_file_write(c, path, &ctx, h, &name, &pub);
}

/* tpm2_evictcontrol -o: a serialized ESYS_TR (handle, name, type, public). */
static int read_serialized_tr(const uint8_t *d, size_t n, TPM_HANDLE *h, TPM2B_PUBLIC *pub)
{
    return qtpm_keyfile_serialized_tr_parse(d, n, h, pub) ? -1 : 0;
}

int cli_write_serialized_tr(cli_ctx *c, const char *path, TPM_HANDLE h, const TPM2B_NAME *name,
                            const TPM2B_PUBLIC *pub)
{
    static uint8_t buf[sizeof(TPM2B_PUBLIC) + 128];
    size_t off = 0;
    UINT32 type = IESYSC_KEY_RSRC;
    if (qtpm_UINT32_marshal(&h, buf, sizeof buf, &off) ||
        qtpm_TPM2B_NAME_marshal(name, buf, sizeof buf, &off) ||
        qtpm_UINT32_marshal(&type, buf, sizeof buf, &off) ||
        qtpm_TPM2B_PUBLIC_marshal(pub, buf, sizeof buf, &off)) {
        cli_err(c, "cannot serialize handle 0x%08x", h);
        return CLI_EXIT_FILE;
    }
    return cli_write_file(c, path, buf, off);
}

int cli_load_object(cli_ctx *c, const char *spec, TPM_HANDLE *h, TPM2B_PUBLIC *pub)
{
    qtpm_tss *t;
    int e;
    uint32_t v;
    if (!strncmp(spec, "file:", 5))
        spec += 5;
    else if (cli_parse_u32(spec, &v) == 0) {
        if ((e = cli_tpm(c, &t)))
            return e;
        *h = v;
        if (pub) {
            int rc = qtpm_tss_ReadPublic(t, NULL, v, pub, NULL, NULL);
            if (rc)
                return cli_fail(c, "ReadPublic", rc);
        }
        return 0;
    }
    uint8_t *d;
    size_t n;
    if ((e = cli_read_file(c, spec, &d, &n)))
        return e;
    if (n >= 4 && be32(d) != CONTEXT_MAGIC) {
        TPM2B_PUBLIC p;
        int bad = read_serialized_tr(d, n, h, &p);
        free(d);
        if (bad) {
            cli_err(c, "%s is neither a context file (0xBADCC0DE) nor a serialized handle", spec);
            return CLI_EXIT_FILE;
        }
        if ((e = cli_tpm(c, &t)))
            return e;
        if (pub) {
            int rc = qtpm_tss_ReadPublic(t, NULL, *h, pub, NULL, NULL);
            if (rc)
                return cli_fail(c, "ReadPublic", rc);
        }
        return 0;
    }
    free(d);
    TPMS_CONTEXT ctx;
    TPM2B_PUBLIC meta;
    if ((e = cli_context_file_read(c, spec, &ctx, &meta)))
        return e;
    if ((e = cli_tpm(c, &t)))
        return e;
    int rc = qtpm_tss_ContextLoad(t, &ctx, h);
    if (rc) {
        cli_err(c, "cannot load the context in %s", spec);
        return cli_fail(c, "ContextLoad", rc);
    }
    if ((*h >> 24) == TPM_HT_TRANSIENT)
        cli_flush_later(c, *h);
    if (pub) {
        rc = qtpm_tss_ReadPublic(t, NULL, *h, pub, NULL, NULL);
        if (rc)
            return cli_fail(c, "ReadPublic", rc);
    }
    return 0;
}

int cli_load_parent(cli_ctx *c, const char *spec, TPM_HANDLE *h)
{
    TPM_HANDLE v;
    if (cli_parse_hierarchy(spec, &v) == 0 && (v >> 24) == TPM_HT_PERMANENT) {
        *h = v;
        return 0;
    }
    return cli_load_object(c, spec, h, NULL);
}

/* ----------------------------------------------------- authorizations */

int cli_parse_auth(cli_ctx *c, const char *spec, cli_auth *a)
{
    memset(a, 0, sizeof *a);
    if (!spec)
        return 0;
    if (!strncmp(spec, "session:", 8)) {
        /* "session:FILE+VALUE": the entity's authValue goes with the session
         * (PolicyPassword / PolicyAuthValue, HMAC sessions). */
        char path[4096];
        snprintf(path, sizeof path, "%s", spec + 8);
        char *plus = strchr(path, '+');
        if (plus) {
            *plus = 0;
            int e = cli_parse_auth(c, plus + 1, a);
            if (e)
                return e;
            if (a->session) {
                cli_err(c, "one session per authorization");
                return CLI_EXIT_USAGE;
            }
        }
        qtpm_tss_session *s;
        int e = cli_session_load(c, path, &s);
        if (e)
            return e;
        for (size_t i = 0; i < c->n_sessions; i++)
            if (&c->sessions[i]->s == s)
                a->session = c->sessions[i];
        return 0;
    }
    if (!strncmp(spec, "hex:", 4)) {
        size_t n;
        if (cli_parse_hex(spec + 4, a->value.buffer, sizeof a->value.buffer, &n)) {
            cli_err(c, "bad hex authorization value");
            return CLI_EXIT_USAGE;
        }
        a->value.size = (UINT16)n;
        return 0;
    }
    if (!strncmp(spec, "file:", 5)) {
        TPM2B_DIGEST d;
        int e = cli_load_digest_file(c, spec + 5, &d);
        if (e)
            return e;
        a->value = d;
        return 0;
    }
    if (!strncmp(spec, "str:", 4))
        spec += 4;
    size_t n = strlen(spec);
    if (n > sizeof a->value.buffer) {
        cli_err(c, "authorization value longer than %zu bytes", sizeof a->value.buffer);
        return CLI_EXIT_USAGE;
    }
    memcpy(a->value.buffer, spec, n);
    a->value.size = (UINT16)n;
    return 0;
}

void cli_auth_put(qtpm_tss_auths *as, size_t i, cli_auth *a)
{
    if (i >= QTPM_TSS_MAX_SESSIONS)
        return;
    for (size_t j = as->count; j < i; j++) {
        as->item[j].session = NULL;
        as->item[j].auth = NULL;
    }
    as->item[i].session = a && a->session ? &a->session->s : NULL;
    as->item[i].auth = a ? &a->value : NULL;
    if (as->count < i + 1)
        as->count = i + 1;
}

/* Session file layout (big-endian): "QTPMSES1", the TPMS_CONTEXT of the
 * saved session, then the TSS side: handle, type, hash, symmetric,
 * attributes, nonceCaller, nonceTPM, sessionKey, bindName, policy_auth. */
static int session_write(cli_ctx *c, cli_session_file *f, const TPMS_CONTEXT *ctx)
{
    static uint8_t buf[sizeof(TPMS_CONTEXT) + 512];
    size_t off = 8;
    const qtpm_tss_session *s = &f->s;
    UINT8 type = (UINT8)s->type, attrs = (UINT8)s->attributes, pa = (UINT8)s->policy_auth;
    memcpy(buf, SESSION_MAGIC, 8);
    if (qtpm_TPMS_CONTEXT_marshal(ctx, buf, sizeof buf, &off) ||
        qtpm_UINT32_marshal(&s->handle, buf, sizeof buf, &off) ||
        qtpm_UINT8_marshal(&type, buf, sizeof buf, &off) ||
        qtpm_UINT16_marshal(&s->hash, buf, sizeof buf, &off) ||
        qtpm_TPMT_SYM_DEF_marshal(&s->symmetric, buf, sizeof buf, &off) ||
        qtpm_UINT8_marshal(&attrs, buf, sizeof buf, &off) ||
        qtpm_TPM2B_DIGEST_marshal(&s->nonce_caller, buf, sizeof buf, &off) ||
        qtpm_TPM2B_DIGEST_marshal(&s->nonce_tpm, buf, sizeof buf, &off) ||
        qtpm_TPM2B_DIGEST_marshal(&s->session_key, buf, sizeof buf, &off) ||
        qtpm_TPM2B_NAME_marshal(&s->bind_name, buf, sizeof buf, &off) ||
        qtpm_UINT8_marshal(&pa, buf, sizeof buf, &off)) {
        cli_err(c, "cannot build the session file %s", f->path);
        return CLI_EXIT_FILE;
    }
    int e = cli_write_file(c, f->path, buf, off);
    qtpm_memzero(buf, off);
    return e;
}

static cli_session_file *session_slot(cli_ctx *c, const char *path)
{
    if (c->n_sessions >= sizeof c->sessions / sizeof c->sessions[0]) {
        cli_err(c, "too many sessions");
        return NULL;
    }
    cli_session_file *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    snprintf(f->path, sizeof f->path, "%s", path);
    c->sessions[c->n_sessions++] = f;
    return f;
}

int cli_session_load(cli_ctx *c, const char *path, qtpm_tss_session **out)
{
    for (size_t i = 0; i < c->n_sessions; i++)
        if (!strcmp(c->sessions[i]->path, path)) {
            *out = &c->sessions[i]->s;
            return 0;
        }
    uint8_t *d;
    size_t n, off = 8;
    int e = cli_read_file(c, path, &d, &n);
    if (e)
        return e;
    TPMS_CONTEXT ctx;
    UINT8 type = 0, attrs = 0, pa = 0;
    qtpm_tss_session s;
    memset(&s, 0, sizeof s);
    TPM_RC rc = TPM_RC_INSUFFICIENT;
    if (n < 8 || memcmp(d, SESSION_MAGIC, 8)) {
        qtpm_memzero(d, n);
        free(d);
        cli_err(c, "%s is not a qtpm session file (made by qtpm startauthsession)", path);
        return CLI_EXIT_FILE;
    }
    if ((rc = qtpm_tss_context_unmarshal(&ctx, d, n, &off)) ||
        (rc = qtpm_UINT32_unmarshal(&s.handle, d, n, &off)) ||
        (rc = qtpm_UINT8_unmarshal(&type, d, n, &off)) ||
        (rc = qtpm_UINT16_unmarshal(&s.hash, d, n, &off)) ||
        (rc = qtpm_TPMT_SYM_DEF_unmarshal(&s.symmetric, d, n, &off, 1)) ||
        (rc = qtpm_UINT8_unmarshal(&attrs, d, n, &off)) ||
        (rc = qtpm_TPM2B_DIGEST_unmarshal(&s.nonce_caller, d, n, &off)) ||
        (rc = qtpm_TPM2B_DIGEST_unmarshal(&s.nonce_tpm, d, n, &off)) ||
        (rc = qtpm_TPM2B_DIGEST_unmarshal(&s.session_key, d, n, &off)) ||
        (rc = qtpm_TPM2B_NAME_unmarshal(&s.bind_name, d, n, &off)) ||
        (rc = qtpm_UINT8_unmarshal(&pa, d, n, &off)) || (off != n && (rc = TPM_RC_SIZE))) {
        qtpm_memzero(d, n);
        free(d);
        cli_err(c, "%s is not a valid session file: %s", path, cli_marshal_text(rc));
        return CLI_EXIT_FILE;
    }
    qtpm_memzero(d, n);
    free(d);
    s.type = type;
    s.attributes = attrs;
    s.policy_auth = pa;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    cli_session_file *f = session_slot(c, path);
    if (!f)
        return CLI_EXIT_FILE;
    TPMI_DH_CONTEXT h;
    int r = qtpm_tss_ContextLoad(t, &ctx, &h);
    if (r) {
        cli_err(c, "cannot load the session in %s (a session file can be used by one "
                   "command at a time, and not after the TPM was restarted)", path);
        return cli_fail(c, "ContextLoad", r);
    }
    s.handle = h;
    f->s = s;
    f->loaded = 1;
    qtpm_memzero(&s, sizeof s);
    *out = &f->s;
    return 0;
}

int cli_session_create(cli_ctx *c, const char *path, qtpm_tss_session **out)
{
    cli_session_file *f = session_slot(c, path);
    if (!f)
        return CLI_EXIT_FILE;
    *out = &f->s;
    return 0;
}

/* Marks a session of c->sessions as live in the TPM (after creation). */
void cli_session_mark_loaded(cli_ctx *c, qtpm_tss_session *s)
{
    for (size_t i = 0; i < c->n_sessions; i++)
        if (&c->sessions[i]->s == s)
            c->sessions[i]->loaded = 1;
}

/* Forgets a session (flushed): nothing to save at exit. */
void cli_session_forget(cli_ctx *c, qtpm_tss_session *s)
{
    for (size_t i = 0; i < c->n_sessions; i++)
        if (&c->sessions[i]->s == s)
            c->sessions[i]->loaded = 0;
}

int cli_cleanup(cli_ctx *c)
{
    int status = 0;
    for (size_t i = 0; i < c->n_sessions; i++) {
        cli_session_file *f = c->sessions[i];
        if (f->loaded && f->s.handle && c->tss) {
            TPMS_CONTEXT ctx;
            int rc = qtpm_tss_ContextSave(c->tss, f->s.handle, &ctx);
            if (rc) {
                /* the file cannot be written: do not leave the session
                 * behind in the TPM, and say that the run failed */
                status = cli_fail(c, "ContextSave of the session", rc);
                qtpm_tss_FlushContext(c->tss, f->s.handle);
            } else if (session_write(c, f, &ctx)) {
                status = CLI_EXIT_FILE;
            }
        }
        qtpm_tss_session_clear(&f->s);
        free(f);
    }
    c->n_sessions = 0;
    for (size_t i = 0; i < c->n_flush; i++)
        if (c->flush[i] && c->tss)
            qtpm_tss_FlushContext(c->tss, c->flush[i]);
    c->n_flush = 0;
    if (c->tss)
        qtpm_tss_free(c->tss);
    c->tss = NULL;
    return status;
}

/* ---------------------------------------------------------------- output */

static json_t *cur(cli_ctx *c) { return c->depth ? c->stack[c->depth - 1] : c->out; }

static void indent(cli_ctx *c)
{
    for (int i = 0; i < c->depth; i++)
        fputs("  ", stdout);
}

void cli_out_str(cli_ctx *c, const char *key, const char *val)
{
    if (c->json) {
        json_object_set_new(cur(c), key, json_string(val));
        return;
    }
    indent(c);
    printf("%s: %s\n", key, val);
}

void cli_out_fmt(cli_ctx *c, const char *key, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cli_out_str(c, key, buf);
}

void cli_out_hex(cli_ctx *c, const char *key, const uint8_t *data, size_t len)
{
    char *s = malloc(2 * len + 1);
    if (!s)
        return;
    for (size_t i = 0; i < len; i++)
        sprintf(s + 2 * i, "%02x", data[i]);
    s[2 * len] = 0;
    cli_out_str(c, key, s);
    free(s);
}

void cli_out_pcr(cli_ctx *c, unsigned index, const uint8_t *digest, size_t len)
{
    char key[12];
    snprintf(key, sizeof key, "%u", index);
    if (c->json) {
        cli_out_hex(c, key, digest, len);
        return;
    }
    indent(c);
    printf("%-2u: 0x", index);
    for (size_t i = 0; i < len; i++)
        printf("%02X", digest[i]);
    printf("\n");
}

void cli_out_int(cli_ctx *c, const char *key, uint64_t v)
{
    if (c->json) {
        json_object_set_new(cur(c), key, json_integer((json_int_t)v));
        return;
    }
    indent(c);
    printf("%s: %llu\n", key, (unsigned long long)v);
}

void cli_out_handle(cli_ctx *c, const char *key, uint32_t v) { cli_out_fmt(c, key, "0x%08x", v); }

void cli_out_bool(cli_ctx *c, const char *key, int v)
{
    if (c->json) {
        json_object_set_new(cur(c), key, json_boolean(v));
        return;
    }
    indent(c);
    printf("%s: %s\n", key, v ? "true" : "false");
}

void cli_out_begin(cli_ctx *c, const char *key)
{
    if (c->depth >= (int)(sizeof c->stack / sizeof c->stack[0]))
        return;
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(cur(c), key, o);
        c->stack[c->depth++] = o;
        return;
    }
    indent(c);
    printf("%s:\n", key);
    c->stack[c->depth++] = NULL;
}

void cli_out_end(cli_ctx *c)
{
    if (c->depth)
        c->depth--;
}

void cli_out_flush(cli_ctx *c)
{
    if (c->json && c->out) {
        char *s = json_dumps(c->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s) {
            puts(s);
            free(s);
        }
    }
}

/* ------------------------------------------------------- PCR values */

int cli_pcr_values(cli_ctx *c, const TPML_PCR_SELECTION *sel, TPM2B_DIGEST *vals, size_t cap,
                   size_t *n)
{
    qtpm_tss *t;
    int e = cli_tpm(c, &t);
    if (e)
        return e;
    int rc = qtpm_tss_pcr_read_all(t, sel, vals, cap, n);
    if (rc)
        return cli_fail(c, "PCR_Read", rc);
    return 0;
}

/* ------------------------------------------------------- PCR value files */

/* tpm2-tools' "serialized" PCR file (tpm2_quote -o default): host-order C
 * structures of tpm2-tss — TPML_PCR_SELECTION (UINT32 count, 16 banks of
 * {UINT16 hash, UINT8 sizeofSelect, BYTE pcrSelect[4], pad}), a UINT32 count,
 * then count TPML_DIGEST (UINT32 count, 8 × {UINT16 size, BYTE[64]}). */
#define SER_BANKS 16
#define SER_SEL_SIZE (4 + SER_BANKS * 8)
#define SER_DIGEST_SIZE (4 + 8 * 66)

static void put_le(uint8_t *p, uint32_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le(const uint8_t *p, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

int cli_pcr_file_write(cli_ctx *c, const char *path, const TPML_PCR_SELECTION *sel,
                       const TPM2B_DIGEST *vals, size_t n, int serialized)
{
    size_t groups = (n + 7) / 8;
    size_t cap = serialized ? SER_SEL_SIZE + 4 + groups * SER_DIGEST_SIZE : n * MAX_DIGEST_SIZE;
    uint8_t *buf = calloc(1, cap ? cap : 1);
    size_t len = 0;
    if (!buf)
        return CLI_EXIT_FILE;
    if (!serialized) {
        for (size_t i = 0; i < n; i++) {
            memcpy(buf + len, vals[i].buffer, vals[i].size);
            len += vals[i].size;
        }
    } else {
        put_le(buf, sel->count, 4);
        for (UINT32 b = 0; b < sel->count && b < SER_BANKS; b++) {
            uint8_t *e = buf + 4 + 8 * b;
            put_le(e, sel->pcrSelections[b].hash, 2);
            e[2] = sel->pcrSelections[b].sizeofSelect;
            memcpy(e + 3, sel->pcrSelections[b].pcrSelect,
                   sel->pcrSelections[b].sizeofSelect > 4 ? 4 : sel->pcrSelections[b].sizeofSelect);
        }
        put_le(buf + SER_SEL_SIZE, (uint32_t)groups, 4);
        for (size_t g = 0; g < groups; g++) {
            uint8_t *d = buf + SER_SEL_SIZE + 4 + g * SER_DIGEST_SIZE;
            size_t k = n - 8 * g > 8 ? 8 : n - 8 * g;
            put_le(d, (uint32_t)k, 4);
            for (size_t i = 0; i < k; i++) {
                put_le(d + 4 + 66 * i, vals[8 * g + i].size, 2);
                memcpy(d + 6 + 66 * i, vals[8 * g + i].buffer, vals[8 * g + i].size);
            }
        }
        len = cap;
    }
    int e = cli_write_file(c, path, buf, len);
    free(buf);
    return e;
}

int cli_pcr_file_read(cli_ctx *c, const char *path, const TPML_PCR_SELECTION *sel,
                      TPM2B_DIGEST *vals, size_t cap, size_t *n)
{
    uint8_t *d;
    size_t len;
    int e = cli_read_file(c, path, &d, &len);
    if (e)
        return e;
    size_t want = 0, count = 0;
    for (UINT32 b = 0; b < sel->count; b++) {
        TPML_PCR_SELECTION one = { 1, { sel->pcrSelections[b] } };
        want += cli_pcr_count(&one) * qtpm_hash_digest_size(one.pcrSelections[0].hash);
        count += cli_pcr_count(&one);
    }
    if (count > cap) {
        free(d);
        cli_err(c, "too many PCRs selected");
        return CLI_EXIT_USAGE;
    }
    if (len == want) { /* "values": the digests concatenated */
        size_t k = 0, o = 0;
        for (UINT32 b = 0; b < sel->count; b++) {
            TPML_PCR_SELECTION one = { 1, { sel->pcrSelections[b] } };
            size_t ds = qtpm_hash_digest_size(one.pcrSelections[0].hash);
            for (size_t i = 0; i < cli_pcr_count(&one); i++, k++, o += ds) {
                memcpy(vals[k].buffer, d + o, ds);
                vals[k].size = (UINT16)ds;
            }
        }
        *n = k;
        free(d);
        return 0;
    }
    if (len >= SER_SEL_SIZE + 4) {
        size_t groups = get_le(d + SER_SEL_SIZE, 4), k = 0;
        if (groups <= 64 && len == SER_SEL_SIZE + 4 + groups * SER_DIGEST_SIZE) {
            for (size_t g = 0; g < groups; g++) {
                const uint8_t *p = d + SER_SEL_SIZE + 4 + g * SER_DIGEST_SIZE;
                uint32_t m = get_le(p, 4);
                for (uint32_t i = 0; i < m && i < 8; i++) {
                    uint32_t sz = get_le(p + 4 + 66 * i, 2);
                    if (k >= count || sz > 64)
                        goto bad;
                    memcpy(vals[k].buffer, p + 6 + 66 * i, sz);
                    vals[k++].size = (UINT16)sz;
                }
            }
            if (k != count)
                goto bad;
            /* each value must have its bank's digest size */
            size_t j = 0;
            for (UINT32 b = 0; b < sel->count; b++) {
                TPML_PCR_SELECTION one = { 1, { sel->pcrSelections[b] } };
                size_t ds = qtpm_hash_digest_size(one.pcrSelections[0].hash);
                for (size_t i = 0; i < cli_pcr_count(&one); i++, j++)
                    if (vals[j].size != ds)
                        goto bad;
            }
            *n = k;
            free(d);
            return 0;
        }
    }
bad:
    free(d);
    cli_err(c, "%s is neither a PCR values file of %zu bytes for this selection nor a "
               "tpm2-tools serialized PCR file",
            path, want);
    return CLI_EXIT_FILE;
}
