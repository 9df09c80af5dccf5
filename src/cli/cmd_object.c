/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_object.c — object subcommands of qtpm: createprimary, create,
 * createloaded, load, loadexternal, readpublic, evictcontrol, flushcontext,
 * contextsave, contextload and unseal (TPM 2.0 Part 3 §12, §24, §28), with
 * tpm2-tools 5.4's options and files: public and private parts as marshalled
 * TPM2B_PUBLIC / TPM2B_PRIVATE, context files in tpm2-tools' format, Names
 * as raw bytes.
 *
 * Objects created or loaded here are saved to the -c context file and then
 * flushed, so the TPM's few object slots do not fill up between runs (tpm2
 * tools leave them loaded on a TPM without a resource manager). contextload
 * is the exception: it exists to leave an object loaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define BASE_ATTRS                                                                   \
    (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN | \
     TPMA_OBJECT_USERWITHAUTH)

static void out_public(cli_ctx *c, const TPMT_PUBLIC *p, const TPM2B_NAME *name)
{
    if (name)
        cli_out_hex(c, "name", name->buffer, name->size);
    cli_out_str(c, "type", cli_alg_name(p->type));
    cli_out_str(c, "name-alg", cli_hash_name(p->nameAlg));
    cli_out_handle(c, "attributes", p->objectAttributes);
    if (p->authPolicy.size)
        cli_out_hex(c, "authorization-policy", p->authPolicy.buffer, p->authPolicy.size);
    switch (p->type) {
    case TPM_ALG_RSA:
        cli_out_int(c, "bits", p->parameters.rsaDetail.keyBits);
        cli_out_str(c, "scheme", cli_alg_name(p->parameters.rsaDetail.scheme.scheme));
        cli_out_hex(c, "rsa", p->unique.rsa.buffer, p->unique.rsa.size);
        break;
    case TPM_ALG_ECC:
        cli_out_handle(c, "curve", p->parameters.eccDetail.curveID);
        cli_out_str(c, "scheme", cli_alg_name(p->parameters.eccDetail.scheme.scheme));
        cli_out_hex(c, "x", p->unique.ecc.x.buffer, p->unique.ecc.x.size);
        cli_out_hex(c, "y", p->unique.ecc.y.buffer, p->unique.ecc.y.size);
        break;
    case TPM_ALG_KEYEDHASH:
        cli_out_str(c, "scheme",
                    cli_alg_name(p->parameters.keyedHashDetail.scheme.scheme));
        break;
    case TPM_ALG_MLKEM:
        cli_out_str(c, "parameter-set", cli_pqc_set_name(p));
        cli_out_str(c, "symmetric", cli_alg_name(p->parameters.mlkemDetail.symmetric.algorithm));
        cli_out_hex(c, "mlkem", p->unique.mlkem.buffer, p->unique.mlkem.size);
        break;
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA:
        cli_out_str(c, "parameter-set", cli_pqc_set_name(p));
        if (p->type == TPM_ALG_MLDSA)
            cli_out_bool(c, "allow-external-mu", p->parameters.mldsaDetail.allowExternalMu);
        else
            cli_out_str(c, "pre-hash", cli_hash_name(p->parameters.hashMldsaDetail.hashAlg));
        cli_out_hex(c, "mldsa", p->unique.mldsa.buffer, p->unique.mldsa.size);
        break;
    default:
        break;
    }
}

/* Options shared by createprimary / create / createloaded. */
typedef struct {
    const char *parent, *parent_auth, *key_auth, *alg, *attrs, *policy, *sealed;
    const char *pub_out, *priv_out, *ctx_out, *creation_pcrs;
    TPMI_ALG_HASH name_alg;
} create_opts;

static int parse_create_opts(cli_ctx *c, int argc, char **argv, create_opts *o,
                             const char *usage)
{
    static const struct option opts[] = {
        { "hierarchy", required_argument, NULL, 'C' },
        { "parent-context", required_argument, NULL, 'C' },
        { "hierarchy-auth", required_argument, NULL, 'P' },
        { "parent-auth", required_argument, NULL, 'P' },
        { "key-auth", required_argument, NULL, 'p' },
        { "hash-algorithm", required_argument, NULL, 'g' },
        { "key-algorithm", required_argument, NULL, 'G' },
        { "attributes", required_argument, NULL, 'a' },
        { "policy", required_argument, NULL, 'L' },
        { "sealing-input", required_argument, NULL, 'i' },
        { "public", required_argument, NULL, 'u' },
        { "private", required_argument, NULL, 'r' },
        { "key-context", required_argument, NULL, 'c' },
        { "creation-pcrs", required_argument, NULL, 'l' },
        CLI_COMMON_LONGOPTS,
    };
    int ch;
    o->name_alg = TPM_ALG_SHA256;
    while ((ch = getopt_long(argc, argv, "C:P:p:g:G:a:L:i:u:r:c:l:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'C': o->parent = optarg; break;
        case 'P': o->parent_auth = optarg; break;
        case 'p': o->key_auth = optarg; break;
        case 'g':
            if (cli_parse_hash(optarg, &o->name_alg)) {
                cli_err(c, "unknown hash algorithm \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'G': o->alg = optarg; break;
        case 'a': o->attrs = optarg; break;
        case 'L': o->policy = optarg; break;
        case 'i': o->sealed = optarg; break;
        case 'u': o->pub_out = optarg; break;
        case 'r': o->priv_out = optarg; break;
        case 'c': o->ctx_out = optarg; break;
        case 'l': o->creation_pcrs = optarg; break;
        CLI_COMMON_CASES(c, ch, usage)
        }
    }
    if (optind != argc) {
        cli_err(c, "unexpected argument \"%s\"", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* Template and sensitive area from the options. */
static int build_template(cli_ctx *c, const create_opts *o, int primary, TPM2B_PUBLIC *pub,
                          TPM2B_SENSITIVE_CREATE *sens)
{
    memset(pub, 0, sizeof *pub);
    memset(sens, 0, sizeof *sens);
    TPMA_OBJECT attrs;
    const char *alg = o->alg;
    if (o->sealed) {
        if (alg && strcmp(alg, "keyedhash")) {
            cli_err(c, "-i (sealing) makes a keyedhash object; -G %s does not fit", alg);
            return CLI_EXIT_USAGE;
        }
        alg = "keyedhash";
        attrs = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT;
        if (!o->policy)
            attrs |= TPMA_OBJECT_USERWITHAUTH;
    } else if (!alg) {
        alg = "rsa2048";
        attrs = BASE_ATTRS | TPMA_OBJECT_DECRYPT |
                (primary ? TPMA_OBJECT_RESTRICTED : TPMA_OBJECT_SIGN_ENCRYPT);
    } else if (!strncasecmp(alg, "hmac", 4)) {
        attrs = BASE_ATTRS | TPMA_OBJECT_SIGN_ENCRYPT;
    } else if (!strncasecmp(alg, "keyedhash", 9)) {
        attrs = BASE_ATTRS | (primary ? TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT : 0);
    } else if (strstr(alg, "rsassa") || strstr(alg, "rsapss") || strstr(alg, "ecdsa") ||
               !strncasecmp(alg, "mldsa", 5) || !strncasecmp(alg, "hashmldsa", 9) ||
               !strncasecmp(alg, "hash_mldsa", 10)) {
        attrs = BASE_ATTRS | TPMA_OBJECT_SIGN_ENCRYPT;
    } else {
        attrs = BASE_ATTRS | TPMA_OBJECT_DECRYPT |
                (primary ? TPMA_OBJECT_RESTRICTED : TPMA_OBJECT_SIGN_ENCRYPT);
        if (!strncasecmp(alg, "mlkem", 5))
            attrs &= ~(TPMA_OBJECT)TPMA_OBJECT_SIGN_ENCRYPT;
    }
    if (o->attrs && cli_parse_object_attrs(o->attrs, &attrs)) {
        cli_err(c, "bad attributes \"%s\" (e.g. fixedtpm|fixedparent|sign)", o->attrs);
        return CLI_EXIT_USAGE;
    }
    if (cli_parse_key_alg(alg, attrs, o->name_alg, &pub->publicArea)) {
        cli_err(c, "bad key algorithm \"%s\" (e.g. rsa2048, ecc256:ecdsa-sha256, aes128cfb, "
                   "hmac, mldsa65)", alg);
        return CLI_EXIT_USAGE;
    }
    if (o->policy) {
        int e = cli_load_digest_file(c, o->policy, &pub->publicArea.authPolicy);
        if (e)
            return e;
    }
    if (o->key_auth) {
        cli_auth a;
        int e = cli_parse_auth(c, o->key_auth, &a);
        if (e)
            return e;
        if (a.session) {
            cli_err(c, "-p of a new object must be a value, not a session");
            return CLI_EXIT_USAGE;
        }
        sens->sensitive.userAuth = a.value;
    }
    if (o->sealed) {
        uint8_t *d;
        size_t n;
        int e = cli_read_file(c, o->sealed, &d, &n);
        if (e)
            return e;
        if (n == 0 || n > sizeof sens->sensitive.data.buffer) {
            free(d);
            cli_err(c, "%s: sealed data must be 1..%zu bytes", o->sealed,
                    sizeof sens->sensitive.data.buffer);
            return CLI_EXIT_USAGE;
        }
        memcpy(sens->sensitive.data.buffer, d, n);
        sens->sensitive.data.size = (UINT16)n;
        qtpm_memzero(d, n);
        free(d);
    }
    return 0;
}

/* Saves a fresh transient object to -c (then flushes it) or leaves it loaded. */
static int finish_object(cli_ctx *c, TPM_HANDLE h, const char *ctx_out)
{
    if (!ctx_out) {
        cli_out_handle(c, "handle", h);
        return 0;
    }
    cli_flush_later(c, h);
    return cli_save_object_context(c, h, ctx_out);
}

static const char createprimary_usage[] =
    "Usage: qtpm createprimary [options]\n"
    "TPM2_CreatePrimary. Options (tpm2_createprimary):\n"
    "  -C, --hierarchy H        o (default), e, p, n\n"
    "  -P, --hierarchy-auth A   authorization of the hierarchy\n"
    "  -p, --key-auth A         authValue of the new key\n"
    "  -g, --hash-algorithm H   name algorithm (sha256)\n"
    "  -G, --key-algorithm ALG  rsa2048 (default; a restricted AES-128-CFB parent),\n"
    "                           rsa3072, ecc256, ecc384, aes128cfb, hmac, keyedhash,\n"
    "                           with :scheme[-hash] and :symmetric fields, e.g.\n"
    "                           rsa2048:rsassa-sha256, ecc256:null:aes256cfb\n"
    "  -a, --attributes A       fixedtpm|fixedparent|sensitivedataorigin|userwithauth|\n"
    "                           adminwithpolicy|noda|restricted|decrypt|sign|stclear\n"
    "  -L, --policy FILE        authPolicy digest file\n"
    "  -c, --key-context FILE   save the key's context here (then flushed);\n"
    "                           without -c the key stays loaded and its handle is printed\n"
    "  -u, --public FILE        also write the TPM2B_PUBLIC\n";

static int cmd_createprimary(cli_ctx *c, int argc, char **argv)
{
    create_opts o = { 0 };
    int e = parse_create_opts(c, argc, argv, &o, createprimary_usage);
    if (e)
        return e;
    TPM_HANDLE hier = TPM_RH_OWNER;
    if (o.parent && cli_parse_hierarchy(o.parent, &hier)) {
        cli_err(c, "bad hierarchy \"%s\"", o.parent);
        return CLI_EXIT_USAGE;
    }
    TPM2B_PUBLIC tmpl, out;
    TPM2B_SENSITIVE_CREATE sens;
    cli_auth pa;
    if ((e = build_template(c, &o, 1, &tmpl, &sens)) || (e = cli_parse_auth(c, o.parent_auth, &pa)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &pa);
    TPM_HANDLE h;
    TPM2B_NAME name;
    int rc = qtpm_tss_CreatePrimary(t, &as, hier, &sens, &tmpl, NULL, NULL, &h, &out, NULL, NULL,
                                    NULL, &name);
    qtpm_memzero(&sens, sizeof sens);
    if (rc)
        return cli_fail(c, "CreatePrimary", rc);
    out_public(c, &out.publicArea, &name);
    if (o.pub_out && (e = cli_save_public(c, o.pub_out, &out)))
        return e;
    return finish_object(c, h, o.ctx_out);
}

static const char create_usage[] =
    "Usage: qtpm create -C PARENT [options]\n"
    "TPM2_Create (TPM2_CreateLoaded when -c is given). Options (tpm2_create):\n"
    "  -C, --parent-context P   parent: context file or handle\n"
    "  -P, --parent-auth A      authorization of the parent\n"
    "  -p, --key-auth A         authValue of the new object\n"
    "  -g, --hash-algorithm H   name algorithm (sha256)\n"
    "  -G, --key-algorithm ALG  rsa2048 (default, sign+decrypt), ecc256, aes128cfb, hmac,\n"
    "                           keyedhash, mldsa65, mlkem768, with :scheme / :symmetric\n"
    "  -a, --attributes A       object attributes (see createprimary)\n"
    "  -L, --policy FILE        authPolicy digest file (a sealed object then needs the\n"
    "                           policy: userwithauth is left out)\n"
    "  -i, --sealing-input FILE seal these bytes (1..128) in a keyedhash object\n"
    "  -u, --public FILE        write the TPM2B_PUBLIC\n"
    "  -r, --private FILE       write the TPM2B_PRIVATE\n"
    "  -c, --key-context FILE   also load the object and save its context\n";

static int do_create(cli_ctx *c, int argc, char **argv, const char *usage, int loaded)
{
    create_opts o = { 0 };
    int e = parse_create_opts(c, argc, argv, &o, usage);
    if (e)
        return e;
    if (!o.parent) {
        cli_err(c, "-C PARENT is required");
        return CLI_EXIT_USAGE;
    }
    if (!loaded && !o.ctx_out && !o.pub_out && !o.priv_out) {
        cli_err(c, "nothing to write: give -u/-r and/or -c");
        return CLI_EXIT_USAGE;
    }
    TPM2B_PUBLIC tmpl, out;
    TPM2B_SENSITIVE_CREATE sens;
    TPM2B_PRIVATE priv;
    cli_auth pa;
    TPM_HANDLE parent, h = 0;
    if ((e = build_template(c, &o, 0, &tmpl, &sens)) || (e = cli_parse_auth(c, o.parent_auth, &pa)) ||
        (e = cli_load_parent(c, o.parent, &parent)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &pa);
    TPM2B_NAME name;
    int rc;
    if (loaded || o.ctx_out) {
        rc = qtpm_tss_CreateLoaded(t, &as, parent, &sens, &tmpl.publicArea, &h, &priv, &out, &name);
        if (rc)
            return cli_fail(c, "CreateLoaded", rc);
    } else {
        rc = qtpm_tss_Create(t, &as, parent, &sens, &tmpl, NULL, NULL, &priv, &out, NULL, NULL,
                             NULL);
        if (rc)
            return cli_fail(c, "Create", rc);
        qtpm_tss_public_name(&out.publicArea, &name);
    }
    qtpm_memzero(&sens, sizeof sens);
    out_public(c, &out.publicArea, &name);
    if ((o.pub_out && (e = cli_save_public(c, o.pub_out, &out))) ||
        (o.priv_out && (e = cli_save_private(c, o.priv_out, &priv))))
        return e;
    if (h)
        return finish_object(c, h, o.ctx_out);
    return 0;
}

static int cmd_create(cli_ctx *c, int argc, char **argv)
{
    return do_create(c, argc, argv, create_usage, 0);
}

static const char createloaded_usage[] =
    "Usage: qtpm createloaded -C PARENT -c FILE [options]\n"
    "TPM2_CreateLoaded: as qtpm create, and the object is loaded and saved to -c\n"
    "(without -c it stays loaded and its handle is printed).\n";

static int cmd_createloaded(cli_ctx *c, int argc, char **argv)
{
    return do_create(c, argc, argv, createloaded_usage, 1);
}

/* ------------------------------------------------------------------- load */

static const char load_usage[] =
    "Usage: qtpm load -C PARENT -u PUB -r PRIV -c FILE [-P AUTH] [-n NAMEFILE]\n"
    "TPM2_Load of a TPM2B_PUBLIC / TPM2B_PRIVATE pair (tpm2_create's files too).\n"
    "  -C, --parent-context P  parent context file or handle\n"
    "  -P, --auth A            authorization of the parent\n"
    "  -u, --public FILE       -r, --private FILE\n"
    "  -c, --key-context FILE  save the loaded object's context (then flushed)\n"
    "  -n, --name FILE         write the object's Name\n";

static int cmd_load(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "parent-context", required_argument, NULL, 'C' },
        { "auth", required_argument, NULL, 'P' },
        { "public", required_argument, NULL, 'u' },
        { "private", required_argument, NULL, 'r' },
        { "key-context", required_argument, NULL, 'c' },
        { "name", required_argument, NULL, 'n' },
        CLI_COMMON_LONGOPTS,
    };
    const char *parent_s = NULL, *auth_s = NULL, *pub_s = NULL, *priv_s = NULL, *ctx_s = NULL,
               *name_s = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, "C:P:u:r:c:n:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'C': parent_s = optarg; break;
        case 'P': auth_s = optarg; break;
        case 'u': pub_s = optarg; break;
        case 'r': priv_s = optarg; break;
        case 'c': ctx_s = optarg; break;
        case 'n': name_s = optarg; break;
        CLI_COMMON_CASES(c, ch, load_usage)
        }
    }
    if (!parent_s || !pub_s || !priv_s) {
        cli_err(c, "-C, -u and -r are required");
        return CLI_EXIT_USAGE;
    }
    TPM2B_PUBLIC pub;
    TPM2B_PRIVATE priv;
    cli_auth pa;
    TPM_HANDLE parent, h;
    int e;
    if ((e = cli_load_public(c, pub_s, &pub)) || (e = cli_load_private(c, priv_s, &priv)) ||
        (e = cli_parse_auth(c, auth_s, &pa)) || (e = cli_load_parent(c, parent_s, &parent)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &pa);
    TPM2B_NAME name;
    int rc = qtpm_tss_Load(t, &as, parent, &priv, &pub, &h, &name);
    if (rc)
        return cli_fail(c, "Load", rc);
    cli_out_hex(c, "name", name.buffer, name.size);
    if (name_s && (e = cli_write_file(c, name_s, name.buffer, name.size)))
        return e;
    return finish_object(c, h, ctx_s);
}

static const char loadexternal_usage[] =
    "Usage: qtpm loadexternal -u PUB [-C HIERARCHY] [-c FILE] [-n NAMEFILE]\n"
    "TPM2_LoadExternal of a public key: TPM2B_PUBLIC or PEM (RSA / NIST ECC).\n"
    "  -C, --hierarchy H       n (default), o, e, p\n"
    "  -u, --public FILE       the public key\n"
    "  -g, --hash-algorithm H  name algorithm for a PEM key (sha256)\n"
    "  -a, --attributes A      attributes for a PEM key (sign|decrypt|userwithauth)\n"
    "  -c, --key-context FILE  save the context (then flushed)\n"
    "  -n, --name FILE         write the Name\n";

static int cmd_loadexternal(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "hierarchy", required_argument, NULL, 'C' },
        { "public", required_argument, NULL, 'u' },
        { "hash-algorithm", required_argument, NULL, 'g' },
        { "attributes", required_argument, NULL, 'a' },
        { "key-context", required_argument, NULL, 'c' },
        { "name", required_argument, NULL, 'n' },
        CLI_COMMON_LONGOPTS,
    };
    const char *pub_s = NULL, *ctx_s = NULL, *name_s = NULL, *attr_s = NULL;
    TPM_HANDLE hier = TPM_RH_NULL;
    TPMI_ALG_HASH name_alg = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "C:u:g:a:c:n:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'C':
            if (cli_parse_hierarchy(optarg, &hier)) {
                cli_err(c, "bad hierarchy \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'u': pub_s = optarg; break;
        case 'g':
            if (cli_parse_hash(optarg, &name_alg)) {
                cli_err(c, "unknown hash algorithm \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'a': attr_s = optarg; break;
        case 'c': ctx_s = optarg; break;
        case 'n': name_s = optarg; break;
        CLI_COMMON_CASES(c, ch, loadexternal_usage)
        }
    }
    if (!pub_s) {
        cli_err(c, "-u PUB is required");
        return CLI_EXIT_USAGE;
    }
    TPM2B_PUBLIC pub = { 0 };
    int e = cli_load_any_public(c, pub_s, &pub.publicArea);
    if (e)
        return e;
    if (name_alg)
        pub.publicArea.nameAlg = name_alg;
    if (attr_s && cli_parse_object_attrs(attr_s, &pub.publicArea.objectAttributes)) {
        cli_err(c, "bad attributes \"%s\"", attr_s);
        return CLI_EXIT_USAGE;
    }
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    TPM_HANDLE h;
    TPM2B_NAME name;
    int rc = qtpm_tss_LoadExternal(t, NULL, NULL, &pub, hier, &h, &name);
    if (rc)
        return cli_fail(c, "LoadExternal", rc);
    cli_out_hex(c, "name", name.buffer, name.size);
    if (name_s && (e = cli_write_file(c, name_s, name.buffer, name.size)))
        return e;
    return finish_object(c, h, ctx_s);
}

/* -------------------------------------------------------------- readpublic */

static const char readpublic_usage[] =
    "Usage: qtpm readpublic -c OBJECT [-o FILE] [-f tss|pem|raw] [-n NAMEFILE]\n"
    "TPM2_ReadPublic.\n"
    "  -c, --object-context O  context file or handle\n"
    "  -o, --output FILE       write the public key (TPM2B_PUBLIC, PEM or raw bytes)\n"
    "  -f, --format F          tss (TPM2B_PUBLIC, default), pem (RSA and NIST ECC:\n"
    "                          OpenSSL 3.0 has no ML-DSA / ML-KEM) or raw (the key\n"
    "                          bytes: FIPS 203 ek / FIPS 204 pk, RSA modulus, ECC x||y)\n"
    "  -n, --name FILE         write the Name\n"
    "  -q, --qualified-name FILE  write the qualified Name\n";


static int cmd_readpublic(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "object-context", required_argument, NULL, 'c' },
        { "output", required_argument, NULL, 'o' },
        { "format", required_argument, NULL, 'f' },
        { "name", required_argument, NULL, 'n' },
        { "qualified-name", required_argument, NULL, 'q' },
        CLI_COMMON_LONGOPTS,
    };
    const char *obj = NULL, *out = NULL, *name_s = NULL, *qn_s = NULL;
    int ch, pem = 0, e;
    while ((ch = getopt_long(argc, argv, "c:o:f:n:q:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': obj = optarg; break;
        case 'o': out = optarg; break;
        case 'f':
            if ((e = cli_parse_pub_format(c, optarg, &pem)))
                return e;
            break;
        case 'n': name_s = optarg; break;
        case 'q': qn_s = optarg; break;
        CLI_COMMON_CASES(c, ch, readpublic_usage)
        }
    }
    if (!obj) {
        cli_err(c, "-c OBJECT is required");
        return CLI_EXIT_USAGE;
    }
    TPM_HANDLE h;
    if ((e = cli_load_object(c, obj, &h, NULL)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    TPM2B_PUBLIC pub;
    TPM2B_NAME name, qn;
    int rc = qtpm_tss_ReadPublic(t, NULL, h, &pub, &name, &qn);
    if (rc)
        return cli_fail(c, "ReadPublic", rc);
    /* Files first: a format the key does not have (-f pem on ML-DSA) is an
     * error alone, not an error after a printed public area. */
    if ((out && (e = cli_write_public_fmt(c, out, &pub, pem))) ||
        (name_s && (e = cli_write_file(c, name_s, name.buffer, name.size))) ||
        (qn_s && (e = cli_write_file(c, qn_s, qn.buffer, qn.size))))
        return e;
    out_public(c, &pub.publicArea, &name);
    cli_out_hex(c, "qualified-name", qn.buffer, qn.size);
    return 0;
}

/* ------------------------------------------------------------ evictcontrol */

static const char evictcontrol_usage[] =
    "Usage: qtpm evictcontrol -c OBJECT [-C o|p] [-P AUTH] [-o FILE] [HANDLE]\n"
    "TPM2_EvictControl: makes a transient object persistent at HANDLE (default: the\n"
    "first free 0x81000000+), or removes a persistent object given as -c 0x81....\n"
    "  -C, --hierarchy H       o (default) or p\n"
    "  -P, --auth A            authorization of the hierarchy\n"
    "  -c, --object-context O  the object\n"
    "  -o, --output FILE       write the persistent handle as tpm2_evictcontrol does\n";

static int first_free_persistent(cli_ctx *c, qtpm_tss *t, TPM_HANDLE *h)
{
    static TPMS_CAPABILITY_DATA d;
    TPMI_YES_NO more;
    int rc = qtpm_tss_GetCapability(t, TPM_CAP_HANDLES, 0x81000000U, 64, &more, &d);
    if (rc)
        return cli_fail(c, "GetCapability", rc);
    TPM_HANDLE cand = 0x81000000U;
    for (UINT32 i = 0; i < d.data.handles.count; i++)
        if (d.data.handles.handle[i] == cand)
            cand++;
    *h = cand;
    return 0;
}

static int cmd_evictcontrol(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "hierarchy", required_argument, NULL, 'C' },
        { "auth", required_argument, NULL, 'P' },
        { "object-context", required_argument, NULL, 'c' },
        { "output", required_argument, NULL, 'o' },
        CLI_COMMON_LONGOPTS,
    };
    const char *obj = NULL, *auth_s = NULL, *out = NULL;
    TPM_HANDLE hier = TPM_RH_OWNER;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "C:P:c:o:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'C':
            if (cli_parse_hierarchy(optarg, &hier)) {
                cli_err(c, "bad hierarchy \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'P': auth_s = optarg; break;
        case 'c': obj = optarg; break;
        case 'o': out = optarg; break;
        CLI_COMMON_CASES(c, ch, evictcontrol_usage)
        }
    }
    uint32_t target = 0;
    if (!obj || optind + 1 < argc ||
        (optind < argc && cli_parse_u32(argv[optind], &target))) {
        cli_err(c, "-c OBJECT and at most one persistent HANDLE expected");
        return CLI_EXIT_USAGE;
    }
    cli_auth pa;
    TPM_HANDLE h;
    TPM2B_PUBLIC pub;
    if ((e = cli_parse_auth(c, auth_s, &pa)) || (e = cli_load_object(c, obj, &h, &pub)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &pa);
    int persistent = (h >> 24) == TPM_HT_PERSISTENT;
    if (persistent)
        target = h;
    else if (!target && (e = first_free_persistent(c, t, &target)))
        return e;
    int rc = qtpm_tss_EvictControl(t, &as, hier, h, target);
    if (rc)
        return cli_fail(c, "EvictControl", rc);
    cli_out_handle(c, "persistent-handle", target);
    cli_out_str(c, "action", persistent ? "evicted" : "persisted");
    if (out && !persistent) {
        TPM2B_NAME name;
        qtpm_tss_public_name(&pub.publicArea, &name);
        return cli_write_serialized_tr(c, out, target, &name, &pub);
    }
    return 0;
}

/* ------------------------------------------------------------ flushcontext */

static const char flushcontext_usage[] =
    "Usage: qtpm flushcontext [-t|-l|-s] [HANDLE|FILE]\n"
    "TPM2_FlushContext of a handle, a context file's object, a qtpm session file,\n"
    "or of every handle of a kind:\n"
    "  -t, --transient-object  all transient objects\n"
    "  -l, --loaded-session    all loaded sessions\n"
    "  -s, --saved-session     all saved sessions\n";

static int flush_range(cli_ctx *c, qtpm_tss *t, UINT32 first)
{
    static TPMS_CAPABILITY_DATA d;
    TPMI_YES_NO more;
    int rc = qtpm_tss_GetCapability(t, TPM_CAP_HANDLES, first, 64, &more, &d);
    if (rc)
        return cli_fail(c, "GetCapability", rc);
    for (UINT32 i = 0; i < d.data.handles.count; i++) {
        if ((d.data.handles.handle[i] >> 24) != (first >> 24))
            continue;
        rc = qtpm_tss_FlushContext(t, d.data.handles.handle[i]);
        if (rc)
            return cli_fail(c, "FlushContext", rc);
    }
    return 0;
}

static int cmd_flushcontext(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "transient-object", no_argument, NULL, 't' },
        { "loaded-session", no_argument, NULL, 'l' },
        { "saved-session", no_argument, NULL, 's' },
        CLI_COMMON_LONGOPTS,
    };
    UINT32 range = 0;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "tlsT:h", opts, NULL)) != -1) {
        switch (ch) {
        case 't': range = 0x80000000U; break;
        case 'l': range = 0x02000000U; break;
        case 's': range = 0x03000000U; break;
        CLI_COMMON_CASES(c, ch, flushcontext_usage)
        }
    }
    qtpm_tss *t;
    if (range) {
        if ((e = cli_tpm(c, &t)))
            return e;
        return flush_range(c, t, range);
    }
    if (optind + 1 != argc) {
        cli_err(c, "a HANDLE or FILE (or -t, -l, -s) expected");
        return CLI_EXIT_USAGE;
    }
    const char *arg = argv[optind];
    TPM_HANDLE h;
    uint8_t *d;
    size_t n;
    uint32_t v;
    if (cli_parse_u32(arg, &v) == 0) {
        h = v;
    } else {
        if ((e = cli_read_file(c, arg, &d, &n)))
            return e;
        int is_session = n >= 8 && !memcmp(d, "QTPMSES1", 8);
        free(d);
        if (is_session) {
            qtpm_tss_session *s;
            if ((e = cli_session_load(c, arg, &s)))
                return e;
            h = s->handle;
            cli_session_forget(c, s);
        } else {
            if ((e = cli_load_object(c, arg, &h, NULL)))
                return e;
            cli_flush_cancel(c, h);
        }
    }
    if ((e = cli_tpm(c, &t)))
        return e;
    int rc = qtpm_tss_FlushContext(t, h);
    if (rc)
        return cli_fail(c, "FlushContext", rc);
    cli_out_handle(c, "flushed", h);
    return 0;
}

/* ------------------------------------------------------ contextsave / load */

static const char contextsave_usage[] =
    "Usage: qtpm contextsave -c HANDLE -o FILE\n"
    "TPM2_ContextSave of a loaded transient object into a tpm2-tools context file\n"
    "(the object stays loaded).\n";

static int cmd_contextsave(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "context", required_argument, NULL, 'c' },
        { "output", required_argument, NULL, 'o' },
        CLI_COMMON_LONGOPTS,
    };
    const char *hs = NULL, *out = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, "c:o:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': hs = optarg; break;
        case 'o': out = optarg; break;
        CLI_COMMON_CASES(c, ch, contextsave_usage)
        }
    }
    uint32_t h;
    if (!hs || !out || cli_parse_u32(hs, &h)) {
        cli_err(c, "-c HANDLE and -o FILE are required");
        return CLI_EXIT_USAGE;
    }
    return cli_save_object_context(c, h, out);
}

static const char contextload_usage[] =
    "Usage: qtpm contextload -c FILE\n"
    "TPM2_ContextLoad of a context file; the object stays loaded and its handle is\n"
    "printed (flush it with qtpm flushcontext HANDLE).\n";

static int cmd_contextload(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = { { "context", required_argument, NULL, 'c' },
                                          CLI_COMMON_LONGOPTS };
    const char *f = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "c:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': f = optarg; break;
        CLI_COMMON_CASES(c, ch, contextload_usage)
        }
    }
    if (!f) {
        cli_err(c, "-c FILE is required");
        return CLI_EXIT_USAGE;
    }
    TPM_HANDLE h;
    if ((e = cli_load_object(c, f, &h, NULL)))
        return e;
    cli_flush_cancel(c, h);
    cli_out_handle(c, "handle", h);
    return 0;
}

/* ------------------------------------------------------------------ unseal */

static const char unseal_usage[] =
    "Usage: qtpm unseal -c OBJECT [-p AUTH] [-o FILE]\n"
    "TPM2_Unseal of a sealed data object.\n"
    "  -c, --object-context O  the sealed object (context file or handle)\n"
    "  -p, --auth A            its authorization, e.g. session:FILE for a policy session\n"
    "  -o, --output FILE       write the data (default: stdout)\n";

static int cmd_unseal(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "object-context", required_argument, NULL, 'c' },
        { "auth", required_argument, NULL, 'p' },
        { "output", required_argument, NULL, 'o' },
        CLI_COMMON_LONGOPTS,
    };
    const char *obj = NULL, *auth_s = NULL, *out = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "c:p:o:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': obj = optarg; break;
        case 'p': auth_s = optarg; break;
        case 'o': out = optarg; break;
        CLI_COMMON_CASES(c, ch, unseal_usage)
        }
    }
    if (!obj) {
        cli_err(c, "-c OBJECT is required");
        return CLI_EXIT_USAGE;
    }
    TPM_HANDLE h;
    cli_auth a;
    if ((e = cli_load_object(c, obj, &h, NULL)) || (e = cli_parse_auth(c, auth_s, &a)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &a);
    TPM2B_SENSITIVE_DATA data;
    int rc = qtpm_tss_Unseal(t, &as, h, &data);
    if (rc)
        return cli_fail(c, "Unseal", rc);
    if (c->json && !out)
        cli_out_hex(c, "data", data.buffer, data.size);
    else
        e = cli_write_file(c, out ? out : "-", data.buffer, data.size);
    qtpm_memzero(&data, sizeof data);
    return e;
}

const cli_command cli_cmds_object[] = {
    { "createprimary", cmd_createprimary, "create a primary key in a hierarchy",
      createprimary_usage },
    { "create", cmd_create, "create a key or sealed object under a parent", create_usage },
    { "createloaded", cmd_createloaded, "create and load an object (TPM2_CreateLoaded)",
      createloaded_usage },
    { "load", cmd_load, "load a public/private pair under a parent", load_usage },
    { "loadexternal", cmd_loadexternal, "load an external public key (TSS or PEM)",
      loadexternal_usage },
    { "readpublic", cmd_readpublic, "read an object's public area and Name", readpublic_usage },
    { "evictcontrol", cmd_evictcontrol, "make an object persistent or remove it",
      evictcontrol_usage },
    { "flushcontext", cmd_flushcontext, "flush objects or sessions", flushcontext_usage },
    { "contextsave", cmd_contextsave, "save a loaded object to a context file",
      contextsave_usage },
    { "contextload", cmd_contextload, "load a context file and keep it loaded",
      contextload_usage },
    { "unseal", cmd_unseal, "unseal a sealed data object", unseal_usage },
    { NULL, NULL, NULL, NULL },
};
