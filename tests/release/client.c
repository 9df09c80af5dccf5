/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * client.c — a program a user of the installed qtpm writes: built by
 * test_install.sh against the installed headers and pkg-config files only.
 *
 *   client TCTI [engine-expected]
 * Starts the TPM (an INITIALIZE answer means it already was), reads 16 random
 * bytes and prints them in hex with the library's version. With a second
 * argument "absent" it checks instead that "engine:" is refused by a libqtss
 * linked without libqtpm-engine.
 */
#include <stdio.h>
#include <string.h>

#include <qtpm/tss.h>
#include <qtpm/tss_cmd.h>
#include <qtpm/version.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    qtpm_tss *t = NULL;
    int rc = qtpm_tss_new(argv[1], &t);
    if (argc > 2 && strcmp(argv[2], "absent") == 0) {
        if (rc == QTPM_TSS_E_UNSUPPORTED) {
            printf("engine TCTI absent: %s\n", qtpm_tss_strerror(rc));
            return 0;
        }
        fprintf(stderr, "expected QTPM_TSS_E_UNSUPPORTED, got %d\n", rc);
        return 1;
    }
    if (rc != 0) {
        fprintf(stderr, "qtpm_tss_new(%s): %s\n", argv[1], qtpm_tss_strerror(rc));
        return 1;
    }
    rc = qtpm_tss_Startup(t, TPM_SU_CLEAR);
    if (rc != 0 && rc != TPM_RC_INITIALIZE) {
        fprintf(stderr, "Startup: %s\n", qtpm_tss_strerror(rc));
        qtpm_tss_free(t);
        return 1;
    }
    TPM2B_DIGEST r;
    rc = qtpm_tss_GetRandom(t, NULL, 16, &r);
    if (rc != 0 || r.size != 16) {
        fprintf(stderr, "GetRandom: %s\n", qtpm_tss_strerror(rc));
        qtpm_tss_free(t);
        return 1;
    }
    printf("qtpm %s random ", QTPM_VERSION);
    for (int i = 0; i < r.size; i++)
        printf("%02x", r.buffer[i]);
    printf("\n");
    qtpm_tss_free(t);
    return 0;
}
