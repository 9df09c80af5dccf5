/*
 * rand.c — qtpm_random_bytes over getrandom(); the deterministic test mode is
 * added with the DRBG (drbg.c).
 */
#include <errno.h>
#include <sys/random.h>

#include "qtpm/common.h"
#include "qtpm/rand.h"

int qtpm_random_bytes(uint8_t *out, size_t len)
{
    while (len > 0) {
        ssize_t n = getrandom(out, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return QTPM_E_RNG;
        }
        out += n;
        len -= (size_t)n;
    }
    return QTPM_OK;
}
