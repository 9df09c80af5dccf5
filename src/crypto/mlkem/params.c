/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * params.c — the three ML-KEM parameter sets of FIPS 203 §8, Table 2, and
 * the derived encoding sizes of Table 3.
 */
#include "params.h"

#define MLKEM_PARAMS(K, ETA1, DU, DV)                                        \
    {                                                                        \
        .k = (K), .eta1 = (ETA1), .du = (DU), .dv = (DV),                    \
        .ek_bytes = 384 * (K) + 32, .dk_bytes = 768 * (K) + 96,              \
        .ct_bytes = 32 * ((DU) * (K) + (DV)), .pke_dk_bytes = 384 * (K),     \
        .ct_u_bytes = 32 * (DU) * (K),                                       \
    }

static const mlkem_params mlkem_512 = MLKEM_PARAMS(2, 3, 10, 4);
static const mlkem_params mlkem_768 = MLKEM_PARAMS(3, 2, 10, 4);
static const mlkem_params mlkem_1024 = MLKEM_PARAMS(4, 2, 11, 5);

const mlkem_params *mlkem_params_of(qtpm_mlkem_set set)
{
    switch (set) {
    case QTPM_MLKEM_512:
        return &mlkem_512;
    case QTPM_MLKEM_768:
        return &mlkem_768;
    case QTPM_MLKEM_1024:
        return &mlkem_1024;
    }
    return NULL;
}
