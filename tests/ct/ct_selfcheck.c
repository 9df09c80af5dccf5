/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ct_selfcheck.c — proves the constant-time harness detects a leak: it marks a
 * secret undefined and branches on it, which memcheck must report. CTest runs
 * it with WILL_FAIL, so a harness that stops seeing leaks fails the suite.
 */
#include <stdio.h>
#include <valgrind/memcheck.h>

int main(void)
{
    volatile unsigned char secret[1] = {42};
    VALGRIND_MAKE_MEM_UNDEFINED((const void *)secret, sizeof(secret));
    if (secret[0] > 10) /* a branch on a secret: must be reported */
        puts("big");
    else
        puts("small");
    return 0;
}
