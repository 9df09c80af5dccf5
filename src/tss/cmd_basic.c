/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_basic.c — command layer: start-up and shut-down, self test,
 * capabilities and random numbers (TPM 2.0 Part 3 §9, §10, §16, §30), and the
 * PCR commands (§22).
 */
#include <string.h>

#include "qtpm/tss_cmd.h"
#include "tss_internal.h"

int qtpm_tss_Startup(qtpm_tss *t, TPM_SU startup_type)
{
    uint8_t p[2];
    size_t o = 0;
    qtpm_tss_response r;
    if (qtpm_TPM_SU_marshal(&startup_type, p, sizeof p, &o))
        return QTPM_E_PARAM;
    return tss_run(t, TPM_CC_Startup, NULL, 0, 0, NULL, p, o, 0, &r);
}

int qtpm_tss_Shutdown(qtpm_tss *t, TPM_SU shutdown_type)
{
    uint8_t p[2];
    size_t o = 0;
    qtpm_tss_response r;
    if (qtpm_TPM_SU_marshal(&shutdown_type, p, sizeof p, &o))
        return QTPM_E_PARAM;
    return tss_run(t, TPM_CC_Shutdown, NULL, 0, 0, NULL, p, o, 0, &r);
}

int qtpm_tss_SelfTest(qtpm_tss *t, TPMI_YES_NO full_test)
{
    uint8_t p[1];
    size_t o = 0;
    qtpm_tss_response r;
    if (qtpm_TPMI_YES_NO_marshal(&full_test, p, sizeof p, &o))
        return QTPM_E_PARAM;
    return tss_run(t, TPM_CC_SelfTest, NULL, 0, 0, NULL, p, o, 0, &r);
}

int qtpm_tss_GetCapability(qtpm_tss *t, TPM_CAP capability, UINT32 property,
                           UINT32 property_count, TPMI_YES_NO *more_data,
                           TPMS_CAPABILITY_DATA *data)
{
    uint8_t p[12];
    size_t o = 0;
    qtpm_tss_response r;
    TPM_RC m = qtpm_TPM_CAP_marshal(&capability, p, sizeof p, &o);
    m |= qtpm_UINT32_marshal(&property, p, sizeof p, &o);
    m |= qtpm_UINT32_marshal(&property_count, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_GetCapability, NULL, 0, 0, NULL, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    m = qtpm_TPMI_YES_NO_unmarshal(more_data, r.params, r.params_len, &o);
    m |= qtpm_TPMS_CAPABILITY_DATA_unmarshal(data, r.params, r.params_len, &o);
    return tss_rsp_end(m, &o, &r);
}

int qtpm_tss_GetRandom(qtpm_tss *t, const qtpm_tss_auths *auths, UINT16 bytes_requested,
                       TPM2B_DIGEST *random_bytes)
{
    uint8_t p[2];
    size_t o = 0;
    qtpm_tss_response r;
    qtpm_UINT16_marshal(&bytes_requested, p, sizeof p, &o);
    int rc = tss_run(t, TPM_CC_GetRandom, NULL, 0, 0, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    return tss_rsp_end(qtpm_TPM2B_DIGEST_unmarshal(random_bytes, r.params, r.params_len, &o), &o, &r);
}

int qtpm_tss_PCR_Read(qtpm_tss *t, const qtpm_tss_auths *auths,
                      const TPML_PCR_SELECTION *selection_in, UINT32 *update_counter,
                      TPML_PCR_SELECTION *selection_out, TPML_DIGEST *values)
{
    uint8_t p[sizeof(TPML_PCR_SELECTION)];
    size_t o = 0;
    qtpm_tss_response r;
    if (qtpm_TPML_PCR_SELECTION_marshal(selection_in, p, sizeof p, &o))
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_PCR_Read, NULL, 0, 0, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    TPM_RC m = qtpm_UINT32_unmarshal(update_counter, r.params, r.params_len, &o);
    m |= qtpm_TPML_PCR_SELECTION_unmarshal(selection_out, r.params, r.params_len, &o);
    m |= qtpm_TPML_DIGEST_unmarshal(values, r.params, r.params_len, &o);
    return tss_rsp_end(m, &o, &r);
}

int qtpm_tss_PCR_Extend(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_PCR pcr,
                        const TPML_DIGEST_VALUES *digests)
{
    uint8_t p[sizeof(TPML_DIGEST_VALUES)];
    size_t o = 0;
    qtpm_tss_response r;
    if (qtpm_TPML_DIGEST_VALUES_marshal(digests, p, sizeof p, &o))
        return QTPM_E_PARAM;
    return tss_run(t, TPM_CC_PCR_Extend, &pcr, 1, 1, auths, p, o, 0, &r);
}

int qtpm_tss_PCR_Reset(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_PCR pcr)
{
    qtpm_tss_response r;
    return tss_run(t, TPM_CC_PCR_Reset, &pcr, 1, 1, auths, NULL, 0, 0, &r);
}
