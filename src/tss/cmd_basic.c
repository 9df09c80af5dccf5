/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_basic.c — command layer: start-up and shut-down, self test,
 * capabilities and random numbers (TPM 2.0 Part 3 §9, §10, §16, §30), the
 * PCR commands (§22), TestParms (§10.3) and dictionary attack protection
 * (§25), and ReadClock / ClockSet (§29).
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

int qtpm_tss_PCR_Event(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_PCR pcr,
                       const TPM2B_MAX_BUFFER *event_data, TPML_DIGEST_VALUES *digests)
{
    /* TPM2B_EVENT has the size limit of TPM2B_MAX_BUFFER (1024 octets,
     * Part 2 §10.4.7), so its marshaller serves. */
    uint8_t p[sizeof(TPM2B_MAX_BUFFER)];
    size_t o = 0;
    qtpm_tss_response r;
    TPML_DIGEST_VALUES ignored;
    if (qtpm_TPM2B_MAX_BUFFER_marshal(event_data, p, sizeof p, &o))
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_PCR_Event, &pcr, 1, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    return tss_rsp_end(qtpm_TPML_DIGEST_VALUES_unmarshal(digests ? digests : &ignored, r.params,
                                                         r.params_len, &o),
                       &o, &r);
}

int qtpm_tss_TestParms(qtpm_tss *t, const TPMT_PUBLIC_PARMS *parameters)
{
    uint8_t p[sizeof(TPMT_PUBLIC_PARMS)];
    size_t o = 0;
    qtpm_tss_response r;
    if (qtpm_TPMT_PUBLIC_PARMS_marshal(parameters, p, sizeof p, &o))
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_TestParms, NULL, 0, 0, NULL, p, o, 0, &r);
    if (rc)
        return rc;
    return r.params_len == 0 ? QTPM_OK : QTPM_TSS_E_PROTOCOL;
}

int qtpm_tss_DictionaryAttackLockReset(qtpm_tss *t, const qtpm_tss_auths *auths,
                                       TPMI_RH_LOCKOUT lock_handle)
{
    qtpm_tss_response r;
    int rc = tss_run(t, TPM_CC_DictionaryAttackLockReset, &lock_handle, 1, 1, auths, NULL, 0, 0,
                     &r);
    if (rc)
        return rc;
    return r.params_len == 0 ? QTPM_OK : QTPM_TSS_E_PROTOCOL;
}

int qtpm_tss_DictionaryAttackParameters(qtpm_tss *t, const qtpm_tss_auths *auths,
                                        TPMI_RH_LOCKOUT lock_handle, UINT32 new_max_tries,
                                        UINT32 new_recovery_time, UINT32 lockout_recovery)
{
    uint8_t p[12];
    size_t o = 0;
    qtpm_tss_response r;
    TPM_RC m = qtpm_UINT32_marshal(&new_max_tries, p, sizeof p, &o);
    m |= qtpm_UINT32_marshal(&new_recovery_time, p, sizeof p, &o);
    m |= qtpm_UINT32_marshal(&lockout_recovery, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_DictionaryAttackParameters, &lock_handle, 1, 1, auths, p, o, 0,
                     &r);
    if (rc)
        return rc;
    return r.params_len == 0 ? QTPM_OK : QTPM_TSS_E_PROTOCOL;
}

int qtpm_tss_ReadClock(qtpm_tss *t, TPMS_TIME_INFO *current_time)
{
    qtpm_tss_response r;
    size_t o = 0;
    int rc = tss_run(t, TPM_CC_ReadClock, NULL, 0, 0, NULL, NULL, 0, 0, &r);
    if (rc)
        return rc;
    return tss_rsp_end(qtpm_TPMS_TIME_INFO_unmarshal(current_time, r.params, r.params_len, &o),
                       &o, &r);
}

int qtpm_tss_ClockSet(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_PROVISION auth_handle,
                      UINT64 new_time)
{
    uint8_t p[8];
    size_t o = 0;
    qtpm_tss_response r;
    if (qtpm_UINT64_marshal(&new_time, p, sizeof p, &o))
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_ClockSet, &auth_handle, 1, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    return r.params_len == 0 ? QTPM_OK : QTPM_TSS_E_PROTOCOL;
}
