/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keys.c — task layer: key templates (TCG EK Credential Profile 2.x §B.3.3
 * "low range" EKs, an SRK, an AK as tpm2-tools makes one), creating the EK,
 * SRK and AK, the EK policy session, and reading NV contents such as the EK
 * certificate.
 *
 * The post-quantum types (TPM 2.0 Library v1.85) join the same templates:
 * an ML-KEM-768 EK and SRK (restricted decryption, AES-128-CFB), an
 * ML-DSA-44 or HashML-DSA-44/SHA-256 AK (restricted signing), and plain
 * ML-KEM / ML-DSA / HashML-DSA keys of any parameter set. PQC unique fields
 * are left empty: the TPM derives the key from its seed and the template,
 * and v1.85 has no fixed-size "zero unique" convention for these types.
 */
#include <string.h>

#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"
#include "../tss_internal.h"

/* PolicySecret(TPM_RH_ENDORSEMENT) with SHA-256 (EK Credential Profile
 * §B.3.2; qtpm_tss_policy_secret reproduces it, see test_tss_policy). */
const TPM2B_DIGEST qtpm_tss_ek_policy_sha256 = {
    32,
    { 0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8, 0x1A, 0x90, 0xCC, 0x8D, 0x46, 0xA5, 0xD7, 0x24,
      0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52, 0x0B, 0x64, 0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14, 0x69, 0xAA },
};

static void aes128_cfb(TPMT_SYM_DEF_OBJECT *s)
{
    s->algorithm = TPM_ALG_AES;
    s->keyBits.aes = 128;
    s->mode.aes = TPM_ALG_CFB;
}

/* RSA-2048, P-256, ML-KEM-768, ML-DSA-44 or HashML-DSA-44/SHA-256 skeleton
 * with the given attributes and zero (or, for PQC, empty) unique. */
static int skeleton(TPM_ALG_ID type, TPMA_OBJECT attrs, TPMT_PUBLIC *out)
{
    memset(out, 0, sizeof *out);
    out->type = type;
    out->nameAlg = TPM_ALG_SHA256;
    out->objectAttributes = attrs;
    if (type == TPM_ALG_RSA) {
        out->parameters.rsaDetail.symmetric.algorithm = TPM_ALG_NULL;
        out->parameters.rsaDetail.scheme.scheme = TPM_ALG_NULL;
        out->parameters.rsaDetail.keyBits = 2048;
        out->parameters.rsaDetail.exponent = 0;
    } else if (type == TPM_ALG_ECC) {
        out->parameters.eccDetail.symmetric.algorithm = TPM_ALG_NULL;
        out->parameters.eccDetail.scheme.scheme = TPM_ALG_NULL;
        out->parameters.eccDetail.curveID = TPM_ECC_NIST_P256;
        out->parameters.eccDetail.kdf.scheme = TPM_ALG_NULL;
    } else if (type == TPM_ALG_MLKEM) {
        out->parameters.mlkemDetail.symmetric.algorithm = TPM_ALG_NULL;
        out->parameters.mlkemDetail.parameterSet = TPM_MLKEM_768;
    } else if (type == TPM_ALG_MLDSA) {
        out->parameters.mldsaDetail.parameterSet = TPM_MLDSA_44;
        out->parameters.mldsaDetail.allowExternalMu = 0;
    } else if (type == TPM_ALG_HASH_MLDSA) {
        out->parameters.hashMldsaDetail.parameterSet = TPM_MLDSA_44;
        out->parameters.hashMldsaDetail.hashAlg = TPM_ALG_SHA256;
    } else {
        return QTPM_E_PARAM;
    }
    return QTPM_OK;
}

/* The symmetric definition of a restricted decryption key of any type. */
static TPMT_SYM_DEF_OBJECT *decrypt_sym(TPMT_PUBLIC *p)
{
    switch (p->type) {
    case TPM_ALG_RSA: return &p->parameters.rsaDetail.symmetric;
    case TPM_ALG_ECC: return &p->parameters.eccDetail.symmetric;
    case TPM_ALG_MLKEM: return &p->parameters.mlkemDetail.symmetric;
    default: return NULL;
    }
}

int qtpm_tss_template_ek(TPM_ALG_ID type, TPMT_PUBLIC *out)
{
    if (type != TPM_ALG_RSA && type != TPM_ALG_ECC && type != TPM_ALG_MLKEM)
        return QTPM_E_PARAM;
    int rc = skeleton(type, TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
                                TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT, out);
    if (rc != QTPM_OK)
        return rc;
    out->authPolicy = qtpm_tss_ek_policy_sha256;
    aes128_cfb(decrypt_sym(out));
    if (type == TPM_ALG_RSA) {
        out->unique.rsa.size = 256; /* zeros */
    } else if (type == TPM_ALG_ECC) {
        out->unique.ecc.x.size = 32;
        out->unique.ecc.y.size = 32;
    }
    return QTPM_OK;
}

int qtpm_tss_template_srk(TPM_ALG_ID type, TPMT_PUBLIC *out)
{
    int rc = skeleton(type, TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                                TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
                      out);
    if (rc != QTPM_OK)
        return rc;
    if (!decrypt_sym(out))
        return QTPM_E_PARAM;
    aes128_cfb(decrypt_sym(out));
    return QTPM_OK;
}

int qtpm_tss_template_ak(TPM_ALG_ID type, TPMT_PUBLIC *out)
{
    int rc = skeleton(type, TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                                TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT, out);
    if (rc != QTPM_OK)
        return rc;
    if (type == TPM_ALG_RSA) {
        out->parameters.rsaDetail.scheme.scheme = TPM_ALG_RSASSA;
        out->parameters.rsaDetail.scheme.details.rsassa.hashAlg = TPM_ALG_SHA256;
    } else if (type == TPM_ALG_ECC) {
        out->parameters.eccDetail.scheme.scheme = TPM_ALG_ECDSA;
        out->parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM_ALG_SHA256;
    } else if (type == TPM_ALG_MLKEM) {
        return QTPM_E_PARAM; /* a KEM cannot sign */
    }
    /* ML-DSA-44 (no external mu: v1.85 forbids it for restricted keys) and
     * HashML-DSA-44/SHA-256 carry their scheme in their parameters */
    return QTPM_OK;
}

/* The PQC key templates: fixedTPM, fixedParent, sensitiveDataOrigin,
 * userWithAuth, and sign or decrypt; restricted on request. */
static TPMA_OBJECT pqc_attrs(int restricted, TPMA_OBJECT use)
{
    return TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
           TPMA_OBJECT_USERWITHAUTH | (restricted ? TPMA_OBJECT_RESTRICTED : 0) | use;
}

int qtpm_tss_template_mlkem(TPMI_MLKEM_PARMS set, int restricted, TPMT_PUBLIC *out)
{
    if (set < TPM_MLKEM_512 || set > TPM_MLKEM_1024)
        return QTPM_E_PARAM;
    int rc = skeleton(TPM_ALG_MLKEM, pqc_attrs(restricted, TPMA_OBJECT_DECRYPT), out);
    if (rc != QTPM_OK)
        return rc;
    out->parameters.mlkemDetail.parameterSet = set;
    /* v1.85 §12.2.3.8: a restricted (parent) key names its symmetric
     * algorithm; an unrestricted one has TPM_ALG_NULL */
    if (restricted)
        aes128_cfb(&out->parameters.mlkemDetail.symmetric);
    return QTPM_OK;
}

int qtpm_tss_template_mldsa(TPMI_MLDSA_PARMS set, int restricted, TPMI_YES_NO allow_external_mu,
                            TPMT_PUBLIC *out)
{
    if (set < TPM_MLDSA_44 || set > TPM_MLDSA_87 || allow_external_mu > 1 ||
        (restricted && allow_external_mu))
        return QTPM_E_PARAM;
    int rc = skeleton(TPM_ALG_MLDSA, pqc_attrs(restricted, TPMA_OBJECT_SIGN_ENCRYPT), out);
    if (rc != QTPM_OK)
        return rc;
    out->parameters.mldsaDetail.parameterSet = set;
    out->parameters.mldsaDetail.allowExternalMu = allow_external_mu;
    return QTPM_OK;
}

int qtpm_tss_template_hash_mldsa(TPMI_MLDSA_PARMS set, TPMI_ALG_HASH hash, int restricted,
                                 TPMT_PUBLIC *out)
{
    if (set < TPM_MLDSA_44 || set > TPM_MLDSA_87 || tss_hash(hash) == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    int rc = skeleton(TPM_ALG_HASH_MLDSA, pqc_attrs(restricted, TPMA_OBJECT_SIGN_ENCRYPT), out);
    if (rc != QTPM_OK)
        return rc;
    out->parameters.hashMldsaDetail.parameterSet = set;
    out->parameters.hashMldsaDetail.hashAlg = hash;
    return QTPM_OK;
}

TPM_HANDLE qtpm_tss_ek_cert_index(TPM_ALG_ID type)
{
    switch (type) {
    case TPM_ALG_RSA: return 0x01C00002U;
    case TPM_ALG_ECC: return 0x01C0000AU;
    case TPM_ALG_MLKEM: return QTPM_EK_CERT_NV_MLKEM768; /* qtpm's choice, see PQC.md */
    default: return 0;
    }
}

static int create_primary(qtpm_tss *t, TPMI_RH_HIERARCHY hierarchy, const TPM2B_AUTH *auth,
                          const TPMT_PUBLIC *tmpl, qtpm_tss_key *key)
{
    TPM2B_PUBLIC in;
    qtpm_tss_auths a = { 1, { { NULL, auth } } };
    memset(&in, 0, sizeof in);
    in.publicArea = *tmpl;
    return qtpm_tss_CreatePrimary(t, &a, hierarchy, NULL, &in, NULL, NULL, &key->handle,
                                  &key->pub, NULL, NULL, NULL, &key->name);
}

int qtpm_tss_create_ek(qtpm_tss *t, TPM_ALG_ID type, const TPM2B_AUTH *endorsement_auth,
                       qtpm_tss_key *ek)
{
    TPMT_PUBLIC tmpl;
    int rc = qtpm_tss_template_ek(type, &tmpl);
    if (rc != QTPM_OK)
        return rc;
    return create_primary(t, TPM_RH_ENDORSEMENT, endorsement_auth, &tmpl, ek);
}

int qtpm_tss_create_srk(qtpm_tss *t, TPM_ALG_ID type, const TPM2B_AUTH *owner_auth,
                        qtpm_tss_key *srk)
{
    TPMT_PUBLIC tmpl;
    int rc = qtpm_tss_template_srk(type, &tmpl);
    if (rc != QTPM_OK)
        return rc;
    return create_primary(t, TPM_RH_OWNER, owner_auth, &tmpl, srk);
}

int qtpm_tss_ek_policy_session(qtpm_tss *t, const TPM2B_AUTH *endorsement_auth,
                               qtpm_tss_session *s)
{
    qtpm_tss_auths a = { 1, { { NULL, endorsement_auth } } };
    int rc = qtpm_tss_start_session(t, TPM_SE_POLICY, TPM_ALG_SHA256, NULL, TPM_RH_NULL, NULL,
                                    TPM_RH_NULL, NULL, s);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_tss_PolicySecret(t, &a, TPM_RH_ENDORSEMENT, s, NULL, NULL, NULL, 0, NULL, NULL);
    if (rc != QTPM_OK)
        qtpm_tss_session_close(t, s);
    return rc;
}

int qtpm_tss_create_ak(qtpm_tss *t, const qtpm_tss_key *ek, TPM_ALG_ID type,
                       const TPM2B_AUTH *endorsement_auth, const TPM2B_AUTH *ak_auth,
                       qtpm_tss_key *ak, TPM2B_PRIVATE *priv)
{
    TPM2B_PUBLIC in;
    TPM2B_SENSITIVE_CREATE sens;
    TPM2B_PRIVATE priv_local;
    qtpm_tss_session s;
    int rc;
    memset(&in, 0, sizeof in);
    memset(&sens, 0, sizeof sens);
    if ((rc = qtpm_tss_template_ak(type, &in.publicArea)) != QTPM_OK)
        return rc;
    if (ak_auth)
        sens.sensitive.userAuth = *ak_auth;
    if (!priv)
        priv = &priv_local;
    /* The EK's policy is PolicySecret(endorsement) and it has no
     * userWithAuth, so each use as a parent needs a satisfied policy session. */
    if ((rc = qtpm_tss_ek_policy_session(t, endorsement_auth, &s)) != QTPM_OK)
        return rc;
    qtpm_tss_auths a = { 1, { { &s, NULL } } };
    rc = qtpm_tss_Create(t, &a, ek->handle, &sens, &in, NULL, NULL, priv, &ak->pub, NULL, NULL,
                         NULL);
    qtpm_memzero(&sens, sizeof sens);
    if (rc == QTPM_OK && s.handle) {
        qtpm_tss_auths e = { 1, { { NULL, endorsement_auth } } };
        rc = qtpm_tss_PolicyRestart(t, NULL, &s);
        if (rc == QTPM_OK)
            rc = qtpm_tss_PolicySecret(t, &e, TPM_RH_ENDORSEMENT, &s, NULL, NULL, NULL, 0, NULL,
                                       NULL);
    }
    if (rc == QTPM_OK)
        rc = qtpm_tss_Load(t, &a, ek->handle, priv, &ak->pub, &ak->handle, &ak->name);
    qtpm_tss_session_close(t, &s);
    return rc;
}

int qtpm_tss_nv_read_all(qtpm_tss *t, TPM_HANDLE auth_handle, const TPM2B_AUTH *auth,
                         TPM_HANDLE index, uint8_t *out, size_t cap, size_t *len)
{
    TPM2B_NV_PUBLIC pub;
    TPMI_YES_NO more;
    TPMS_CAPABILITY_DATA capdata;
    size_t chunk = 512; /* a size every TPM accepts if it will not tell */
    int rc = qtpm_tss_NV_ReadPublic(t, NULL, index, &pub, NULL);
    if (rc != QTPM_OK)
        return rc;
    size_t total = pub.nvPublic.dataSize;
    if (total > cap)
        return QTPM_E_BUFFER;
    if (qtpm_tss_GetCapability(t, TPM_CAP_TPM_PROPERTIES, TPM_PT_NV_BUFFER_MAX, 1, &more,
                               &capdata) == QTPM_OK &&
        capdata.data.tpmProperties.count == 1 &&
        capdata.data.tpmProperties.tpmProperty[0].property == TPM_PT_NV_BUFFER_MAX &&
        capdata.data.tpmProperties.tpmProperty[0].value > 0)
        chunk = capdata.data.tpmProperties.tpmProperty[0].value;
    if (chunk > MAX_NV_BUFFER_SIZE)
        chunk = MAX_NV_BUFFER_SIZE;
    qtpm_tss_auths a = { 1, { { NULL, auth } } };
    for (size_t off = 0; off < total;) {
        TPM2B_MAX_NV_BUFFER data;
        size_t n = total - off < chunk ? total - off : chunk;
        rc = qtpm_tss_NV_Read(t, &a, auth_handle, index, (UINT16)n, (UINT16)off, &data);
        if (rc != QTPM_OK)
            return rc;
        if (data.size != n)
            return QTPM_TSS_E_PROTOCOL;
        memcpy(out + off, data.buffer, n);
        off += n;
    }
    *len = total;
    return QTPM_OK;
}

int qtpm_tss_read_ek_cert(qtpm_tss *t, TPM_ALG_ID type, const TPM2B_AUTH *owner_auth,
                          uint8_t *der, size_t cap, size_t *len)
{
    return qtpm_tss_nv_read_all(t, TPM_RH_OWNER, owner_auth, qtpm_tss_ek_cert_index(type), der,
                                cap, len);
}
