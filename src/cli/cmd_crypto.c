/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_crypto.c — signing and hashing subcommands of qtpm: sign,
 * verifysignature, hash and hmac (TPM 2.0 Part 3 §20.2, §20.1, §15.4,
 * §15.5), optioned like tpm2_sign, tpm2_verifysignature, tpm2_hash and
 * tpm2_hmac. Signatures are written as marshalled TPMT_SIGNATURE (tpm2-tools'
 * "tss" format) or, with -f plain, as openssl dgst -verify takes them;
 * tickets as marshalled TPMT_TK_HASHCHECK / TPMT_TK_VERIFIED.
 *
 * Post-quantum keys (TPM 2.0 v1.85, docs/PQC.md): a HashML-DSA key signs
 * and verifies digests with TPM2_Sign / TPM2_VerifySignature like the
 * classic keys (the digest is the pre-hash PH(M)); a pure ML-DSA key signs
 * the message itself, which goes through a sign / verify sequence
 * (SignSequenceStart, SequenceUpdate in 1024-byte pieces,
 * SignSequenceComplete), and with allowExternalMu a 64-byte μ given with -d
 * goes through SignDigest / VerifyDigestSignature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int save_marshalled(cli_ctx *c, const char *path, TPM_RC rc, const uint8_t *buf,
                           size_t len)
{
    if (rc) {
        cli_err(c, "cannot marshal the output for %s", path);
        return CLI_EXIT_FILE;
    }
    return cli_write_file(c, path, buf, len);
}

/* The default signature scheme for a key without one in its template. */
static int default_scheme(const TPMT_PUBLIC *p, TPM_ALG_ID want, TPMI_ALG_HASH hash,
                          TPMT_SIG_SCHEME *s)
{
    memset(s, 0, sizeof *s);
    TPM_ALG_ID key_scheme = TPM_ALG_NULL;
    if (p->type == TPM_ALG_RSA)
        key_scheme = p->parameters.rsaDetail.scheme.scheme;
    else if (p->type == TPM_ALG_ECC)
        key_scheme = p->parameters.eccDetail.scheme.scheme;
    else if (p->type == TPM_ALG_KEYEDHASH)
        key_scheme = p->parameters.keyedHashDetail.scheme.scheme;
    if (p->type == TPM_ALG_HASH_MLDSA) {
        /* the key fixes its scheme: HashML-DSA with its pre-hash */
        s->scheme = TPM_ALG_HASH_MLDSA;
        s->details.any.hashAlg = p->parameters.hashMldsaDetail.hashAlg;
        return 0;
    }
    if (!want && key_scheme != TPM_ALG_NULL) {
        s->scheme = TPM_ALG_NULL; /* the key's own scheme */
        return 0;
    }
    if (!want)
        want = p->type == TPM_ALG_RSA ? TPM_ALG_RSASSA
               : p->type == TPM_ALG_ECC ? TPM_ALG_ECDSA
               : p->type == TPM_ALG_KEYEDHASH ? TPM_ALG_HMAC
               : p->type == TPM_ALG_MLDSA ? TPM_ALG_MLDSA : TPM_ALG_NULL;
    s->scheme = want;
    if (want != TPM_ALG_MLDSA && want != TPM_ALG_NULL)
        s->details.any.hashAlg = hash;
    return 0;
}

static int parse_sig_scheme(cli_ctx *c, const char *s, TPM_ALG_ID *a)
{
    static const struct { const char *n; TPM_ALG_ID a; } t[] = {
        { "rsassa", TPM_ALG_RSASSA }, { "rsapss", TPM_ALG_RSAPSS }, { "ecdsa", TPM_ALG_ECDSA },
        { "hmac", TPM_ALG_HMAC },     { "mldsa", TPM_ALG_MLDSA },   { "null", TPM_ALG_NULL },
        { "hashmldsa", TPM_ALG_HASH_MLDSA },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcasecmp(s, t[i].n)) {
            *a = t[i].a;
            return 0;
        }
    cli_err(c, "unknown signature scheme \"%s\" (rsassa, rsapss, ecdsa, hmac, mldsa, hashmldsa)",
            s);
    return CLI_EXIT_USAGE;
}

/* ------------------------------------------------- ML-DSA message sequences */

/* Feeds msg into a sign or verify sequence in TPM2_SequenceUpdate pieces,
 * keeping the last piece (at most MAX_DIGEST_BUFFER bytes) for Complete. */
static int sequence_feed(qtpm_tss *t, TPMI_DH_OBJECT seq, const uint8_t *msg, size_t len,
                         TPM2B_MAX_BUFFER *last)
{
    qtpm_tss_auths sa = { 1, { { NULL, NULL } } }; /* the sequence's empty auth */
    size_t off = 0;
    while (len - off > MAX_DIGEST_BUFFER) {
        TPM2B_MAX_BUFFER part;
        part.size = MAX_DIGEST_BUFFER;
        memcpy(part.buffer, msg + off, MAX_DIGEST_BUFFER);
        int rc = qtpm_tss_SequenceUpdate(t, &sa, seq, &part);
        if (rc)
            return rc;
        off += MAX_DIGEST_BUFFER;
    }
    last->size = (UINT16)(len - off);
    memcpy(last->buffer, msg + off, len - off);
    return 0;
}

/* ML-DSA.Sign of a whole message by a pure ML-DSA key (FIPS 204 Algorithm
 * 2 with an empty context), through a v1.85 sign sequence. */
static int mldsa_sign_message(cli_ctx *c, qtpm_tss *t, TPM_HANDLE key, cli_auth *key_auth,
                              const uint8_t *msg, size_t len, TPMT_SIGNATURE *sig)
{
    TPMI_DH_OBJECT seq;
    TPM2B_MAX_BUFFER last;
    int rc = qtpm_tss_SignSequenceStart(t, NULL, key, NULL, NULL, &seq);
    if (rc)
        return cli_fail(c, "SignSequenceStart", rc);
    if ((rc = sequence_feed(t, seq, msg, len, &last))) {
        qtpm_tss_FlushContext(t, seq);
        return cli_fail(c, "SequenceUpdate", rc);
    }
    qtpm_tss_auths as = { 2, { { NULL, NULL } } };
    cli_auth_put(&as, 1, key_auth);
    rc = qtpm_tss_SignSequenceComplete(t, &as, seq, key, &last, sig);
    if (rc) /* Complete flushes the sequence only when it gets that far */
        qtpm_tss_FlushContext(t, seq);
    return rc ? cli_fail(c, "SignSequenceComplete", rc) : 0;
}

/* ML-DSA.Verify of a whole message through a verify sequence; the TPM's
 * TPM_ST_MESSAGE_VERIFIED ticket in *tk. Returns the TPM's rc. */
static int mldsa_verify_message(qtpm_tss *t, TPM_HANDLE key, const uint8_t *msg, size_t len,
                                const TPMT_SIGNATURE *sig, TPMT_TK_VERIFIED *tk)
{
    TPMI_DH_OBJECT seq;
    TPM2B_MAX_BUFFER last;
    int rc = qtpm_tss_VerifySequenceStart(t, NULL, key, NULL, NULL, NULL, &seq);
    if (rc)
        return rc;
    qtpm_tss_auths sa = { 1, { { NULL, NULL } } };
    if ((rc = sequence_feed(t, seq, msg, len, &last)) == 0 &&
        (!last.size || (rc = qtpm_tss_SequenceUpdate(t, &sa, seq, &last)) == 0)) {
        rc = qtpm_tss_VerifySequenceComplete(t, &sa, seq, key, sig, tk);
        return rc; /* Complete flushes the sequence, also when it fails */
    }
    qtpm_tss_FlushContext(t, seq);
    return rc;
}

/* ------------------------------------------------------------------- sign */

static const char sign_usage[] =
    "Usage: qtpm sign -c KEY [-p AUTH] [-g HASH] [-s SCHEME] [-d] [-t TICKET] -o SIG FILE\n"
    "TPM2_Sign of FILE (hashed with -g; in the TPM with a hashcheck ticket for\n"
    "restricted keys) or, with -d, of the digest in FILE. A HashML-DSA key signs\n"
    "the pre-hash (-g defaults to the key's); a pure ML-DSA key signs FILE itself\n"
    "with a sign sequence, or with -d a 64-byte external mu (SignDigest).\n"
    "  -c, --key-context K     signing key (context file or handle)\n"
    "  -p, --auth A            its authorization\n"
    "  -g, --hash-algorithm H  digest algorithm (sha256)\n"
    "  -s, --scheme S          rsassa, rsapss, ecdsa, hmac, hashmldsa (default: the key's, else\n"
    "                          rsassa / ecdsa / hmac by key type)\n"
    "  -d, --digest            FILE holds a digest, not a message\n"
    "  -t, --ticket FILE       a TPMT_TK_HASHCHECK ticket (from qtpm hash -t)\n"
    "  -o, --signature FILE    the signature\n"
    "  -f, --format F          tss (TPMT_SIGNATURE, default) or plain (RSA raw /\n"
    "                          ECDSA DER, for openssl dgst -verify; ML-DSA: the raw\n"
    "                          FIPS 204 signature)\n";

static int cmd_sign(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "key-context", required_argument, NULL, 'c' },
        { "auth", required_argument, NULL, 'p' },
        { "hash-algorithm", required_argument, NULL, 'g' },
        { "scheme", required_argument, NULL, 's' },
        { "digest", no_argument, NULL, 'd' },
        { "ticket", required_argument, NULL, 't' },
        { "signature", required_argument, NULL, 'o' },
        { "format", required_argument, NULL, 'f' },
        CLI_COMMON_LONGOPTS,
    };
    const char *key_s = NULL, *auth_s = NULL, *ticket_s = NULL, *out = NULL;
    TPMI_ALG_HASH hash = TPM_ALG_SHA256;
    TPM_ALG_ID scheme = 0;
    int ch, is_digest = 0, plain = 0, e, hash_given = 0;
    while ((ch = getopt_long(argc, argv, "c:p:g:s:dt:o:f:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': key_s = optarg; break;
        case 'p': auth_s = optarg; break;
        case 'g':
            hash_given = 1;
            if (cli_parse_hash(optarg, &hash)) {
                cli_err(c, "unknown hash algorithm \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 's':
            if ((e = parse_sig_scheme(c, optarg, &scheme)))
                return e;
            break;
        case 'd': is_digest = 1; break;
        case 't': ticket_s = optarg; break;
        case 'o': out = optarg; break;
        case 'f':
            if (!strcasecmp(optarg, "plain"))
                plain = 1;
            else if (strcasecmp(optarg, "tss")) {
                cli_err(c, "unknown format \"%s\" (tss or plain)", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        CLI_COMMON_CASES(c, ch, sign_usage)
        }
    }
    if (!key_s || !out || optind + 1 != argc) {
        cli_err(c, "-c KEY, -o SIG and one input FILE are required");
        return CLI_EXIT_USAGE;
    }
    uint8_t *msg;
    size_t len;
    if ((e = cli_read_file(c, argv[optind], &msg, &len)))
        return e;
    TPM2B_DIGEST digest;
    TPMT_TK_HASHCHECK ticket, *tk = NULL;
    if (ticket_s) {
        uint8_t *d;
        size_t n, off = 0;
        if ((e = cli_read_file(c, ticket_s, &d, &n))) {
            free(msg);
            return e;
        }
        TPM_RC rc = qtpm_TPMT_TK_HASHCHECK_unmarshal(&ticket, d, n, &off);
        free(d);
        if (rc || off != n) {
            free(msg);
            cli_err(c, "%s is not a TPMT_TK_HASHCHECK file: %s", ticket_s,
                    cli_marshal_text(rc ? rc : TPM_RC_SIZE));
            return CLI_EXIT_FILE;
        }
        tk = &ticket;
    }
    TPM_HANDLE h;
    cli_auth a;
    TPM2B_PUBLIC pub;
    if ((e = cli_parse_auth(c, auth_s, &a)) || (e = cli_load_object(c, key_s, &h, &pub))) {
        free(msg);
        return e;
    }
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t))) {
        free(msg);
        return e;
    }
    const TPMT_PUBLIC *kp = &pub.publicArea;
    TPMT_SIGNATURE sig;
    if (kp->type == TPM_ALG_MLDSA) {
        if (is_digest) {
            /* an external mu (FIPS 204 §6.2), for keys with allowExternalMu */
            if (len != 64) {
                free(msg);
                cli_err(c, "%s: an ML-DSA external mu is 64 bytes, not %zu", argv[optind], len);
                return CLI_EXIT_USAGE;
            }
            memcpy(digest.buffer, msg, len);
            digest.size = (UINT16)len;
            free(msg);
            qtpm_tss_auths as = { 0 };
            cli_auth_put(&as, 0, &a);
            int rc = qtpm_tss_SignDigest(t, &as, h, NULL, &digest, NULL, &sig);
            if (rc)
                return cli_fail(c, "SignDigest", rc);
        } else {
            e = mldsa_sign_message(c, t, h, &a, msg, len, &sig);
            free(msg);
            if (e)
                return e;
        }
        goto signed_;
    }
    if (kp->type == TPM_ALG_HASH_MLDSA && !hash_given)
        hash = kp->parameters.hashMldsaDetail.hashAlg;
    if (is_digest) {
        if (len != qtpm_hash_digest_size(hash)) {
            free(msg);
            cli_err(c, "%s: %zu bytes is not a %s digest", argv[optind], len,
                    cli_hash_name(hash));
            return CLI_EXIT_FILE;
        }
        memcpy(digest.buffer, msg, len);
        digest.size = (UINT16)len;
    } else if ((pub.publicArea.objectAttributes & TPMA_OBJECT_RESTRICTED) && !tk) {
        /* A restricted key signs only digests the TPM computed itself and
         * vouches for with a ticket (Part 1 §11.4.6.3). */
        if (len > MAX_DIGEST_BUFFER) {
            free(msg);
            cli_err(c, "a restricted key can sign at most %d bytes here", MAX_DIGEST_BUFFER);
            return CLI_EXIT_USAGE;
        }
        TPM2B_MAX_BUFFER buf;
        memcpy(buf.buffer, msg, len);
        buf.size = (UINT16)len;
        int rc = qtpm_tss_Hash(t, NULL, &buf, hash, TPM_RH_OWNER, &digest, &ticket);
        if (rc) {
            free(msg);
            return cli_fail(c, "Hash", rc);
        }
        tk = &ticket;
    } else if (cli_digest(hash, msg, len, &digest)) {
        free(msg);
        cli_err(c, "cannot hash with %s", cli_hash_name(hash));
        return CLI_EXIT_FILE;
    }
    free(msg);
    TPMT_SIG_SCHEME sch;
    default_scheme(&pub.publicArea, scheme, hash, &sch);
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &a);
    int rc = qtpm_tss_Sign(t, &as, h, &digest, &sch, tk, &sig);
    if (rc)
        return cli_fail(c, "Sign", rc);
    cli_out_hex(c, "digest", digest.buffer, digest.size);
signed_:
    cli_out_str(c, "algorithm", cli_alg_name(sig.sigAlg));
    if (plain) {
        static uint8_t raw[sizeof(TPMT_SIGNATURE)];
        size_t n;
        if (cli_signature_plain(&sig, raw, sizeof raw, &n)) {
            cli_err(c, "no plain form for a %s signature", cli_alg_name(sig.sigAlg));
            return CLI_EXIT_FILE;
        }
        return cli_write_file(c, out, raw, n);
    }
    return cli_save_signature(c, out, &sig);
}

/* -------------------------------------------------------- verifysignature */

static const char verifysignature_usage[] =
    "Usage: qtpm verifysignature -c KEY -s SIG (-m MSG | -d DIGEST) [-g HASH] [-t TICKET]\n"
    "TPM2_VerifySignature by a loaded key. A pure ML-DSA signature is verified over\n"
    "the message (-m) with a verify sequence, or over a 64-byte external mu (-d) with\n"
    "VerifyDigestSignature; a HashML-DSA one over the pre-hash like RSA and ECDSA.\n"
    "  -c, --key-context K     the public key (context file, handle)\n"
    "  -g, --hash-algorithm H  digest algorithm of -m (sha256; HashML-DSA: the\n"
    "                          signature's pre-hash)\n"
    "  -m, --message FILE      the signed message\n"
    "  -d, --digest FILE       or its digest\n"
    "  -s, --signature FILE    TPMT_SIGNATURE\n"
    "  -t, --ticket FILE       write the TPMT_TK_VERIFIED ticket\n";

static int cmd_verifysignature(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "key-context", required_argument, NULL, 'c' },
        { "hash-algorithm", required_argument, NULL, 'g' },
        { "message", required_argument, NULL, 'm' },
        { "digest", required_argument, NULL, 'd' },
        { "signature", required_argument, NULL, 's' },
        { "ticket", required_argument, NULL, 't' },
        CLI_COMMON_LONGOPTS,
    };
    const char *key_s = NULL, *msg_s = NULL, *dig_s = NULL, *sig_s = NULL, *tk_s = NULL;
    TPMI_ALG_HASH hash = TPM_ALG_SHA256;
    int ch, e, hash_given = 0;
    while ((ch = getopt_long(argc, argv, "c:g:m:d:s:t:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': key_s = optarg; break;
        case 'g':
            hash_given = 1;
            if (cli_parse_hash(optarg, &hash)) {
                cli_err(c, "unknown hash algorithm \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'm': msg_s = optarg; break;
        case 'd': dig_s = optarg; break;
        case 's': sig_s = optarg; break;
        case 't': tk_s = optarg; break;
        CLI_COMMON_CASES(c, ch, verifysignature_usage)
        }
    }
    if (!key_s || !sig_s || !(msg_s || dig_s)) {
        cli_err(c, "-c KEY, -s SIG and -m MSG or -d DIGEST are required");
        return CLI_EXIT_USAGE;
    }
    static TPMT_SIGNATURE sig;
    TPM2B_DIGEST digest;
    TPMT_TK_VERIFIED tk;
    int rc;
    if ((e = cli_load_signature(c, sig_s, &sig)))
        return e;
    if (sig.sigAlg == TPM_ALG_HASH_MLDSA && !hash_given)
        hash = sig.signature.hash_mldsa.hash;
    if (sig.sigAlg == TPM_ALG_MLDSA) {
        uint8_t *m;
        size_t n;
        TPM_HANDLE h;
        qtpm_tss *t;
        if ((e = cli_read_file(c, dig_s ? dig_s : msg_s, &m, &n)))
            return e;
        if ((e = cli_load_object(c, key_s, &h, NULL)) || (e = cli_tpm(c, &t))) {
            free(m);
            return e;
        }
        if (dig_s) {
            if (n != 64) {
                free(m);
                cli_err(c, "%s: an ML-DSA external mu is 64 bytes, not %zu", dig_s, n);
                return CLI_EXIT_USAGE;
            }
            memcpy(digest.buffer, m, n);
            digest.size = (UINT16)n;
            rc = qtpm_tss_VerifyDigestSignature(t, NULL, h, NULL, &digest, &sig, &tk);
        } else {
            rc = mldsa_verify_message(t, h, m, n, &sig, &tk);
        }
        free(m);
        goto verified;
    }
    if (dig_s) {
        if ((e = cli_load_digest_file(c, dig_s, &digest)))
            return e;
    } else {
        uint8_t *m;
        size_t n;
        if ((e = cli_read_file(c, msg_s, &m, &n)))
            return e;
        e = cli_digest(hash, m, n, &digest);
        free(m);
        if (e) {
            cli_err(c, "cannot hash with %s", cli_hash_name(hash));
            return CLI_EXIT_FILE;
        }
    }
    TPM_HANDLE h;
    if ((e = cli_load_object(c, key_s, &h, NULL)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    rc = qtpm_tss_VerifySignature(t, NULL, h, &digest, &sig, &tk);
verified:
    if (rc) {
        cli_fail(c, "VerifySignature", rc);
        return (rc & 0xBFU) == (TPM_RC_SIGNATURE & 0xBFU) ? CLI_EXIT_VERIFY : CLI_EXIT_TPM;
    }
    cli_out_bool(c, "verified", 1);
    if (tk_s) {
        static uint8_t buf[sizeof tk + 16];
        size_t off = 0;
        TPM_RC mr = qtpm_TPMT_TK_VERIFIED_marshal(&tk, buf, sizeof buf, &off);
        return save_marshalled(c, tk_s, mr, buf, off);
    }
    return 0;
}

/* ------------------------------------------------------------------- hash */

/* Feeds d[0..n) to a started hash or HMAC sequence: SequenceUpdate in
 * MAX_DIGEST_BUFFER pieces, the last piece with SequenceComplete (Part 3
 * §17.5, §17.6), which flushes the sequence; on an error the sequence is
 * flushed here. The sequence's authValue is empty. */
static int sequence_digest(cli_ctx *c, qtpm_tss *t, TPMI_DH_OBJECT seq, const uint8_t *d,
                           size_t n, TPMI_RH_HIERARCHY hier, TPM2B_DIGEST *out,
                           TPMT_TK_HASHCHECK *tk)
{
    TPM2B_MAX_BUFFER buf;
    int rc = 0;
    while (n > MAX_DIGEST_BUFFER) {
        memcpy(buf.buffer, d, MAX_DIGEST_BUFFER);
        buf.size = MAX_DIGEST_BUFFER;
        if ((rc = qtpm_tss_SequenceUpdate(t, NULL, seq, &buf))) {
            qtpm_tss_FlushContext(t, seq);
            return cli_fail(c, "SequenceUpdate", rc);
        }
        d += MAX_DIGEST_BUFFER;
        n -= MAX_DIGEST_BUFFER;
    }
    if (n)
        memcpy(buf.buffer, d, n);
    buf.size = (UINT16)n;
    if ((rc = qtpm_tss_SequenceComplete(t, NULL, seq, &buf, hier, out, tk))) {
        qtpm_tss_FlushContext(t, seq);
        return cli_fail(c, "SequenceComplete", rc);
    }
    return 0;
}

static const char hash_usage[] =
    "Usage: qtpm hash [-C HIERARCHY] [-g HASH] [-o FILE] [-t TICKET] [FILE]\n"
    "TPM2_Hash of FILE (default stdin); more than 1024 bytes go through a hash\n"
    "sequence (HashSequenceStart, SequenceUpdate, SequenceComplete).\n"
    "  -C, --hierarchy H       hierarchy of the ticket: o (default), e, p, n\n"
    "  -g, --hash-algorithm H  sha256 (default)\n"
    "  -o, --output FILE       write the digest (raw)\n"
    "  -t, --ticket FILE       write the TPMT_TK_HASHCHECK ticket\n";

static int cmd_hash(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "hierarchy", required_argument, NULL, 'C' },
        { "hash-algorithm", required_argument, NULL, 'g' },
        { "output", required_argument, NULL, 'o' },
        { "ticket", required_argument, NULL, 't' },
        CLI_COMMON_LONGOPTS,
    };
    const char *out = NULL, *tk_s = NULL;
    TPMI_ALG_HASH hash = TPM_ALG_SHA256;
    TPM_HANDLE hier = TPM_RH_OWNER;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "C:g:o:t:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'C':
            if (cli_parse_hierarchy(optarg, &hier)) {
                cli_err(c, "bad hierarchy \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'g':
            if (cli_parse_hash(optarg, &hash)) {
                cli_err(c, "unknown hash algorithm \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'o': out = optarg; break;
        case 't': tk_s = optarg; break;
        CLI_COMMON_CASES(c, ch, hash_usage)
        }
    }
    if (optind + 1 < argc) {
        cli_err(c, "at most one input FILE");
        return CLI_EXIT_USAGE;
    }
    uint8_t *d;
    size_t n;
    if ((e = cli_read_file(c, optind < argc ? argv[optind] : "-", &d, &n)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t))) {
        free(d);
        return e;
    }
    TPM2B_DIGEST digest;
    TPMT_TK_HASHCHECK tk;
    if (n > MAX_DIGEST_BUFFER) {
        TPMI_DH_OBJECT seq;
        int rc = qtpm_tss_HashSequenceStart(t, NULL, NULL, hash, &seq);
        if (rc) {
            free(d);
            return cli_fail(c, "HashSequenceStart", rc);
        }
        e = sequence_digest(c, t, seq, d, n, hier, &digest, &tk);
        free(d);
        if (e)
            return e;
    } else {
        TPM2B_MAX_BUFFER buf;
        memcpy(buf.buffer, d, n);
        buf.size = (UINT16)n;
        free(d);
        int rc = qtpm_tss_Hash(t, NULL, &buf, hash, hier, &digest, &tk);
        if (rc)
            return cli_fail(c, "Hash", rc);
    }
    cli_out_hex(c, cli_hash_name(hash), digest.buffer, digest.size);
    if (out && (e = cli_write_file(c, out, digest.buffer, digest.size)))
        return e;
    if (tk_s) {
        static uint8_t tb[sizeof tk + 16];
        size_t off = 0;
        TPM_RC mr = qtpm_TPMT_TK_HASHCHECK_marshal(&tk, tb, sizeof tb, &off);
        return save_marshalled(c, tk_s, mr, tb, off);
    }
    return 0;
}

/* ------------------------------------------------------------------- hmac */

static const char hmac_usage[] =
    "Usage: qtpm hmac -c KEY [-p AUTH] [-g HASH] [-o FILE] [FILE]\n"
    "TPM2_HMAC with a keyedhash HMAC key of FILE (default stdin); more than 1024\n"
    "bytes go through an HMAC sequence (HMAC_Start, SequenceUpdate, SequenceComplete).\n"
    "  -c, --key-context K     the HMAC key\n"
    "  -p, --auth A            its authorization\n"
    "  -g, --hash-algorithm H  default: the key's scheme hash (TPM_ALG_NULL)\n"
    "  -o, --output FILE       write the HMAC (raw)\n";

static int cmd_hmac(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "key-context", required_argument, NULL, 'c' },
        { "auth", required_argument, NULL, 'p' },
        { "hash-algorithm", required_argument, NULL, 'g' },
        { "output", required_argument, NULL, 'o' },
        CLI_COMMON_LONGOPTS,
    };
    const char *key_s = NULL, *auth_s = NULL, *out = NULL;
    TPMI_ALG_HASH hash = TPM_ALG_NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "c:p:g:o:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': key_s = optarg; break;
        case 'p': auth_s = optarg; break;
        case 'g':
            if (cli_parse_hash(optarg, &hash)) {
                cli_err(c, "unknown hash algorithm \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'o': out = optarg; break;
        CLI_COMMON_CASES(c, ch, hmac_usage)
        }
    }
    if (!key_s || optind + 1 < argc) {
        cli_err(c, "-c KEY and at most one input FILE");
        return CLI_EXIT_USAGE;
    }
    uint8_t *d;
    size_t n;
    if ((e = cli_read_file(c, optind < argc ? argv[optind] : "-", &d, &n)))
        return e;
    TPM_HANDLE h;
    cli_auth a;
    qtpm_tss *t;
    if ((e = cli_parse_auth(c, auth_s, &a)) || (e = cli_load_object(c, key_s, &h, NULL)) ||
        (e = cli_tpm(c, &t))) {
        free(d);
        return e;
    }
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &a);
    TPM2B_DIGEST mac;
    if (n > MAX_DIGEST_BUFFER) {
        TPMI_DH_OBJECT seq;
        int rc = qtpm_tss_HMAC_Start(t, &as, h, NULL, hash, &seq);
        if (rc) {
            free(d);
            return cli_fail(c, "HMAC_Start", rc);
        }
        e = sequence_digest(c, t, seq, d, n, TPM_RH_NULL, &mac, NULL);
        free(d);
        if (e)
            return e;
    } else {
        TPM2B_MAX_BUFFER buf;
        memcpy(buf.buffer, d, n);
        buf.size = (UINT16)n;
        free(d);
        int rc = qtpm_tss_HMAC(t, &as, h, &buf, hash, &mac);
        if (rc)
            return cli_fail(c, "HMAC", rc);
    }
    cli_out_hex(c, "hmac", mac.buffer, mac.size);
    if (out)
        return cli_write_file(c, out, mac.buffer, mac.size);
    return 0;
}

const cli_command cli_cmds_crypto[] = {
    { "sign", cmd_sign, "sign a message or digest", sign_usage },
    { "verifysignature", cmd_verifysignature, "verify a signature in the TPM (ticket)",
      verifysignature_usage },
    { "hash", cmd_hash, "hash data in the TPM (with a ticket)", hash_usage },
    { "hmac", cmd_hmac, "HMAC with a TPM key", hmac_usage },
    { NULL, NULL, NULL, NULL },
};
