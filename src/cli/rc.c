/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rc.c — decoding of TPM 2.0 response codes for the qtpm CLI, in the manner
 * of tpm2_rc_decode: the layer (bits 16-23, as tpm2-tss numbers them), the
 * format, the error's name and meaning, and for format-one codes the
 * handle, parameter or session it refers to.
 *
 * Layout (TPM 2.0 Part 2 §6.6.2, Figures 26 and 27):
 *   format zero (bit 7 clear): bit 8 V (TPM 2.0 code), bit 10 T (vendor),
 *     bit 11 S (warning), error number in bits 0-6;
 *   format one (bit 7 set): error number in bits 0-5, bit 6 P (parameter),
 *     N in bits 8-11 — a parameter number when P, else a handle number
 *     (N < 8) or a session number (N - 8).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct {
    uint16_t n;
    const char *name;
    const char *text;
} rc_entry;

/* Format-one errors (TPM_RC_FMT1 + n). */
static const rc_entry fmt1[] = {
    { 0x01, "TPM_RC_ASYMMETRIC", "asymmetric algorithm not supported or not correct" },
    { 0x02, "TPM_RC_ATTRIBUTES", "inconsistent attributes" },
    { 0x03, "TPM_RC_HASH", "hash algorithm not supported or not appropriate" },
    { 0x04, "TPM_RC_VALUE", "value is out of range or is not correct for the context" },
    { 0x05, "TPM_RC_HIERARCHY", "hierarchy is not enabled or is not correct for the use" },
    { 0x07, "TPM_RC_KEY_SIZE", "key size is not supported" },
    { 0x08, "TPM_RC_MGF", "mask generation function not supported" },
    { 0x09, "TPM_RC_MODE", "mode of operation not supported" },
    { 0x0A, "TPM_RC_TYPE", "the type of the value is not appropriate for the use" },
    { 0x0B, "TPM_RC_HANDLE", "the handle is not correct for the use" },
    { 0x0C, "TPM_RC_KDF", "unsupported key derivation function or function not appropriate" },
    { 0x0D, "TPM_RC_RANGE", "value was out of allowed range" },
    { 0x0E, "TPM_RC_AUTH_FAIL",
      "the authorization HMAC check failed and DA counter incremented" },
    { 0x0F, "TPM_RC_NONCE", "invalid nonce size or nonce value mismatch" },
    { 0x10, "TPM_RC_PP", "authorization requires assertion of PP" },
    { 0x12, "TPM_RC_SCHEME", "unsupported or incompatible scheme" },
    { 0x15, "TPM_RC_SIZE", "structure is the wrong size" },
    { 0x16, "TPM_RC_SYMMETRIC", "unsupported symmetric algorithm or key size, or not appropriate" },
    { 0x17, "TPM_RC_TAG", "incorrect structure tag" },
    { 0x18, "TPM_RC_SELECTOR", "union selector is incorrect" },
    { 0x1A, "TPM_RC_INSUFFICIENT",
      "the TPM was unable to unmarshal a value because there were not enough octets" },
    { 0x1B, "TPM_RC_SIGNATURE", "the signature is not valid" },
    { 0x1C, "TPM_RC_KEY", "key fields are not compatible with the selected use" },
    { 0x1D, "TPM_RC_POLICY_FAIL", "a policy check failed" },
    { 0x1F, "TPM_RC_INTEGRITY", "integrity check failed" },
    { 0x20, "TPM_RC_TICKET", "invalid ticket" },
    { 0x21, "TPM_RC_RESERVED_BITS", "reserved bits not set to zero as required" },
    { 0x22, "TPM_RC_BAD_AUTH", "authorization failure without DA implications" },
    { 0x23, "TPM_RC_EXPIRED", "the policy has expired" },
    { 0x24, "TPM_RC_POLICY_CC",
      "the commandCode in the policy is not the commandCode of the command" },
    { 0x25, "TPM_RC_BINDING", "public and sensitive portions of an object are not cryptographically bound" },
    { 0x26, "TPM_RC_CURVE", "curve not supported" },
    { 0x27, "TPM_RC_ECC_POINT", "point is not on the required curve" },
    { 0x28, "TPM_RC_FW_LIMITED", "the hierarchy is firmware-limited but the firmware secret is unavailable" },
    { 0x29, "TPM_RC_SVN_LIMITED", "the hierarchy is SVN-limited but the firmware SVN secret is unavailable" },
    /* TPM 2.0 Library v1.85 (docs/PQC.md) */
    { 0x2A, "TPM_RC_PARMS", "unknown or unsupported ML-KEM / ML-DSA parameter set" },
    { 0x2B, "TPM_RC_EXT_MU", "the key does not allow an external mu (allowExternalMu is NO)" },
    { 0x2C, "TPM_RC_ONE_SHOT_SIGNATURE", "the scheme signs in one shot: no sequence updates" },
    { 0x2D, "TPM_RC_SIGN_CONTEXT_KEY", "the key is not the one the sign/verify sequence was started with" },
};

/* Format-zero errors (TPM_RC_VER1 + n). */
static const rc_entry ver1[] = {
    { 0x000, "TPM_RC_INITIALIZE", "TPM not initialized by TPM2_Startup or already initialized" },
    { 0x001, "TPM_RC_FAILURE", "commands not being accepted because of a TPM failure" },
    { 0x003, "TPM_RC_SEQUENCE", "improper use of a sequence handle" },
    { 0x00B, "TPM_RC_PRIVATE", "not currently used" },
    { 0x019, "TPM_RC_HMAC", "not currently used" },
    { 0x020, "TPM_RC_DISABLED", "the command is disabled" },
    { 0x021, "TPM_RC_EXCLUSIVE", "command failed because audit sequence required exclusivity" },
    { 0x024, "TPM_RC_AUTH_TYPE", "authorization handle is not correct for command" },
    { 0x025, "TPM_RC_AUTH_MISSING", "command requires an authorization session for handle and it is not present" },
    { 0x026, "TPM_RC_POLICY", "policy failure in math operation or an invalid authPolicy value" },
    { 0x027, "TPM_RC_PCR", "PCR check fail" },
    { 0x028, "TPM_RC_PCR_CHANGED", "PCR have changed since checked" },
    { 0x02D, "TPM_RC_UPGRADE", "the TPM is in field upgrade mode" },
    { 0x02E, "TPM_RC_TOO_MANY_CONTEXTS", "context ID counter is at maximum" },
    { 0x02F, "TPM_RC_AUTH_UNAVAILABLE", "authValue or authPolicy is not available for selected entity" },
    { 0x030, "TPM_RC_REBOOT", "a _TPM_Init and Startup(CLEAR) is required before the TPM can resume operation" },
    { 0x031, "TPM_RC_UNBALANCED", "the protection algorithms (hash and symmetric) are not reasonably balanced" },
    { 0x042, "TPM_RC_COMMAND_SIZE", "command commandSize value is inconsistent with contents of the command buffer" },
    { 0x043, "TPM_RC_COMMAND_CODE", "command code not supported" },
    { 0x044, "TPM_RC_AUTHSIZE", "the value of authorizationSize is out of range or the number of octets in the authorization area is wrong" },
    { 0x045, "TPM_RC_AUTH_CONTEXT", "use of an authorization session with a context command or another command that cannot have an authorization session" },
    { 0x046, "TPM_RC_NV_RANGE", "NV offset+size is out of range" },
    { 0x047, "TPM_RC_NV_SIZE", "requested allocation size is larger than allowed" },
    { 0x048, "TPM_RC_NV_LOCKED", "NV access locked" },
    { 0x049, "TPM_RC_NV_AUTHORIZATION", "NV access authorization fails in command actions" },
    { 0x04A, "TPM_RC_NV_UNINITIALIZED", "an NV Index is used before being initialized or the state saved by TPM2_Shutdown(STATE) could not be restored" },
    { 0x04B, "TPM_RC_NV_SPACE", "insufficient space for NV allocation" },
    { 0x04C, "TPM_RC_NV_DEFINED", "NV Index or persistent object already defined" },
    { 0x050, "TPM_RC_BAD_CONTEXT", "context in TPM2_ContextLoad() is not valid" },
    { 0x051, "TPM_RC_CPHASH", "cpHash value already set or not correct for use" },
    { 0x052, "TPM_RC_PARENT", "handle for parent is not a valid parent" },
    { 0x053, "TPM_RC_NEEDS_TEST", "some function needs testing" },
    { 0x054, "TPM_RC_NO_RESULT", "returned when an internal function cannot process a request due to an unspecified problem" },
    { 0x055, "TPM_RC_SENSITIVE", "the sensitive area did not unmarshal correctly after decryption" },
};

/* Warnings (TPM_RC_WARN + n). */
static const rc_entry warn[] = {
    { 0x001, "TPM_RC_CONTEXT_GAP", "gap for context ID is too large" },
    { 0x002, "TPM_RC_OBJECT_MEMORY", "out of memory for object contexts" },
    { 0x003, "TPM_RC_SESSION_MEMORY", "out of memory for session contexts" },
    { 0x004, "TPM_RC_MEMORY", "out of shared object/session memory or need space for internal operations" },
    { 0x005, "TPM_RC_SESSION_HANDLES", "out of session handles; a session must be flushed before a new session may be created" },
    { 0x006, "TPM_RC_OBJECT_HANDLES", "out of object handles" },
    { 0x007, "TPM_RC_LOCALITY", "bad locality" },
    { 0x008, "TPM_RC_YIELDED", "the TPM has suspended operation on the command" },
    { 0x009, "TPM_RC_CANCELED", "the command was canceled" },
    { 0x00A, "TPM_RC_TESTING", "TPM is performing self-tests" },
    { 0x010, "TPM_RC_REFERENCE_H0", "the 1st handle in the handle area references a transient object or session that is not loaded" },
    { 0x011, "TPM_RC_REFERENCE_H1", "the 2nd handle references a transient object or session that is not loaded" },
    { 0x012, "TPM_RC_REFERENCE_H2", "the 3rd handle references a transient object or session that is not loaded" },
    { 0x018, "TPM_RC_REFERENCE_S0", "the 1st authorization session handle references a session that is not loaded" },
    { 0x019, "TPM_RC_REFERENCE_S1", "the 2nd authorization session handle references a session that is not loaded" },
    { 0x01A, "TPM_RC_REFERENCE_S2", "the 3rd authorization session handle references a session that is not loaded" },
    { 0x020, "TPM_RC_NV_RATE", "the TPM is rate-limiting accesses to prevent wearout of NV" },
    { 0x021, "TPM_RC_LOCKOUT", "authorizations for objects subject to DA protection are not allowed at this time because the TPM is in DA lockout mode" },
    { 0x022, "TPM_RC_RETRY", "the TPM was not able to start the command" },
    { 0x023, "TPM_RC_NV_UNAVAILABLE", "the command may require writing of NV and NV is not current accessible" },
};

static const rc_entry *find(const rc_entry *t, size_t n, uint16_t v)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].n == v)
            return &t[i];
    return NULL;
}

static const char *layer_name(unsigned layer)
{
    switch (layer) {
    case 0: return "tpm";
    case 6: return "fapi";
    case 7: return "esapi";
    case 8: return "sys";
    case 9: return "mu";
    case 10: return "tcti";
    case 11: return "rmt";
    case 12: return "rm";
    case 13: return "policy";
    default: return "unknown";
    }
}

typedef struct {
    unsigned layer;
    int format; /* 0 or 1 */
    const char *name;
    const char *text;
    const char *kind; /* "handle", "parameter", "session" or NULL */
    unsigned number;
    int warning, vendor;
} rc_fields;

static void decode(uint32_t rc, rc_fields *f)
{
    static char unknown[32];
    memset(f, 0, sizeof *f);
    f->layer = (rc >> 16) & 0xFFU;
    uint32_t v = rc & 0xFFFFU;
    f->name = unknown;
    f->text = "unknown error";
    if (v == 0) {
        f->name = "TPM_RC_SUCCESS";
        f->text = "success";
        return;
    }
    if (v & 0x80U) {
        f->format = 1;
        unsigned e = v & 0x3FU, n = (v >> 8) & 0xFU;
        if (v & 0x40U) {
            f->kind = "parameter";
            f->number = n;
        } else if (n >= 8) {
            f->kind = "session";
            f->number = n - 8;
        } else if (n > 0) {
            f->kind = "handle";
            f->number = n;
        }
        const rc_entry *x = find(fmt1, sizeof fmt1 / sizeof fmt1[0], (uint16_t)e);
        if (x) {
            f->name = x->name;
            f->text = x->text;
        } else {
            snprintf(unknown, sizeof unknown, "TPM_RC_FMT1+0x%02x", e);
        }
        return;
    }
    f->vendor = (v & 0x400U) != 0;
    f->warning = (v & 0x800U) != 0;
    unsigned e = v & 0x7FU;
    if (f->vendor) {
        snprintf(unknown, sizeof unknown, "vendor 0x%03x", v & 0xFFFU);
        f->text = "TPM vendor-specific error";
        return;
    }
    if (!(v & 0x100U)) {
        snprintf(unknown, sizeof unknown, "TPM 1.2 code 0x%02x", e);
        f->text = "not a TPM 2.0 response code (TPM 1.2 style)";
        return;
    }
    const rc_entry *x = f->warning ? find(warn, sizeof warn / sizeof warn[0], (uint16_t)e)
                                   : find(ver1, sizeof ver1 / sizeof ver1[0], (uint16_t)e);
    if (x) {
        f->name = x->name;
        f->text = x->text;
    } else {
        snprintf(unknown, sizeof unknown, "%s+0x%03x", f->warning ? "TPM_RC_WARN" : "TPM_RC_VER1",
                 e);
    }
}

void cli_rc_decode(uint32_t rc, char *buf, size_t cap)
{
    rc_fields f;
    decode(rc, &f);
    char where[48] = "";
    if (f.kind)
        snprintf(where, sizeof where, ", %s %u", f.kind, f.number);
    snprintf(buf, cap, "0x%x %s (layer %s, format %d%s%s): %s", rc, f.name,
             layer_name(f.layer), f.format, f.warning ? ", warning" : "", where, f.text);
}

json_t *cli_rc_json(uint32_t rc)
{
    rc_fields f;
    decode(rc, &f);
    json_t *o = json_object();
    char hex[16];
    snprintf(hex, sizeof hex, "0x%x", rc);
    json_object_set_new(o, "rc", json_string(hex));
    json_object_set_new(o, "layer", json_string(layer_name(f.layer)));
    json_object_set_new(o, "format", json_integer(f.format));
    json_object_set_new(o, "name", json_string(f.name));
    json_object_set_new(o, "description", json_string(f.text));
    json_object_set_new(o, "warning", json_boolean(f.warning));
    if (f.kind) {
        json_object_set_new(o, "kind", json_string(f.kind));
        json_object_set_new(o, "number", json_integer(f.number));
    }
    return o;
}
