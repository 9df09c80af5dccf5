#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""ldaa_params.py — the security estimate of qtpm's lattice DAA (docs/DAA.md).

Core-SVP methodology (Alkim-Ducas-Poeppelmann-Schwabe, "NewHope", 2016; the
model of the lattice-estimator's `RC.ADPS16`, used by Kyber and Dilithium):
BKZ with block size b costs 2^(0.292 b) classically and 2^(0.265 b)
quantumly (one SVP call in dimension b, sieving). The root Hermite factor of
BKZ-b is delta(b) = ((pi b)^(1/b) b / (2 pi e))^(1/(2(b-1))).

 * M-LWE (primal uSVP, the 2016 estimate): the smallest b such that for some
   number m of samples used, sqrt(b) sigma <= delta(b)^(2b-d) q^(m/d),
   d = m + n_s + 1, sigma the standard deviation of the secret and error.
   (The dual attack is not modelled; for these parameters it is not better
   in the estimator's tables for comparable LWE instances.)
 * M-SIS (as Dilithium's specification, §C): the smallest b for which BKZ-b
   in some dimension d (kn <= d <= m) finds a vector of l2 length
   <= beta, i.e. delta(b)^d q^(kn/d) <= beta, taken as the block size the
   attack needs; we report b such that beta < min_d delta(b)^d q^(kn/d).

Run it: python3 src/daa/ldaa_params.py  (prints the table in docs/DAA.md).
The parameters must equal those of src/daa/ldaa.h.
"""
import math

N = 256


def delta(b):
    return ((math.pi * b) ** (1.0 / b) * b / (2 * math.pi * math.e)) ** (1.0 / (2 * (b - 1)))


def lwe_beta(n_s, m_max, q, sigma):
    """smallest BKZ block size for primal uSVP on LWE (secret dim n_s, up to m_max samples)."""
    lq = math.log(q)
    for b in range(50, 2000):
        ld = math.log(delta(b))
        for m in range(max(1, 64), m_max + 1, 64):
            d = m + n_s + 1
            if 0.5 * math.log(b) + math.log(sigma) <= (2 * b - d) * ld + m / d * lq:
                return b
    return 2000


def sis_beta(rows, cols, q, beta_l2):
    """smallest block size b such that BKZ-b finds a vector of l2 norm <= beta_l2 in
    the SIS lattice of a rows x cols matrix (all in Z-dimensions)."""
    lq = math.log(q)
    for b in range(50, 3000):
        ld = math.log(delta(b))
        best = min(d * ld + rows / d * lq for d in range(rows + 1, cols + 1, 16))
        if best <= math.log(beta_l2):
            return b
    return 3000


def wsis_beta(rows, blocks, q):
    """Weighted M-SIS: find z != 0 with [M_1 | ... ] z = 0 mod q and
    ||z_j||_inf <= bound_j for blocks (count_j Z-coordinates, bound_j).
    Scale block j by 1/bound_j: the target has l2 norm <= sqrt(d) in a
    lattice whose volume drops by prod bound_j^count_j; the attacker keeps
    the d columns of largest bound (cheapest). Smallest b that succeeds."""
    cols = sorted(blocks, key=lambda x: -x[1])
    lq = math.log(q)
    for b in range(50, 3000):
        ld = math.log(delta(b))
        for d in range(rows + 16, sum(c for c, _ in cols) + 1, 16):
            # volume with the d columns of largest bound
            left, lvol = d, rows * lq
            for c, bound in cols:
                take = min(c, left)
                lvol -= take * math.log(2 * bound + 1)
                left -= take
                if left == 0:
                    break
            if d * ld + lvol / d <= 0.5 * math.log(d):
                return b
    return 3000


class P:
    pass


def derive(logq, q, k, l, logb, eta_r, ls, eta_s, d, tau, rho, f=1):
    p = P()
    p.q, p.k, p.l, p.logb, p.eta_r, p.ls, p.eta_s, p.d, p.tau = q, k, l, logb, eta_r, ls, eta_s, d, tau
    b = 1 << logb
    p.t = t = math.ceil(logq / logb)
    var_r = eta_r * (eta_r + 1) / 3
    var_x = (b * b + 2) / 12
    sig_rx = math.sqrt(k * t * N * var_r * var_x)
    p.beta_r = 1 << math.ceil(math.log2(12 * sig_rx))      # rejection bound on ||R x2||_inf
    p.n1 = (k + l) * N
    p.gamma_y = 1 << math.ceil(math.log2(p.n1 * p.beta_r / f))   # credential sampler: accept ~ e^-f
    p.x1max = p.gamma_y - p.beta_r
    p.x2max = max(1, b // 2)
    blocks = [(p.n1, p.x1max), (k * t * N, p.x2max), ((ls + k) * N, eta_s), (N, 1 << (d - 1))]
    p.masks = []
    for cnt, w in blocks:
        g = 1 << math.ceil(math.log2(rho * len(blocks) * cnt * tau * w))
        p.masks.append((cnt, g, tau * w))
    acc = 1.0
    for cnt, g, bt in p.masks:
        acc *= ((2 * (g - bt) + 1) / (2 * g + 1)) ** cnt
    p.accept = acc
    # sizes: z_j in [-(g-bt), g-bt], packed in log2(2g) bits
    bits = sum(cnt * (math.ceil(math.log2(g)) + 1) for cnt, g, _ in p.masks)
    p.nym_bits = N * (logq - d)
    p.sig_bytes = 1 + 32 + 32 + math.ceil(p.nym_bits / 8) + bits // 8
    p.cred_bytes = (p.n1 * (math.ceil(math.log2(p.gamma_y)) + 1) + k * t * N * logb) // 8
    p.ipk_bytes = 32 + k * k * t * N * logq // 8
    # security
    p.lwe_trap = lwe_beta(l * N, k * N, q, math.sqrt(var_r))
    p.lwe_key = lwe_beta(ls * N, k * N, q, math.sqrt(eta_s * (eta_s + 1) / 3))
    p.lwe_nym = lwe_beta((ls + k) * N, 4 * N, q, (1 << d) / math.sqrt(12))
    sis_blocks = [(cnt, 2 * (g - bt)) for cnt, g, bt in p.masks]
    p.sis = wsis_beta(k * N, sis_blocks, q)
    return p


# The parameters of src/daa/ldaa_internal.h.
Q = 2305843009213687297  # 2^61 - 6655, = 1 mod 512
CHOSEN = dict(logq=61, q=Q, k=8, l=12, logb=4, eta_r=1, ls=9, eta_s=256, d=30, tau=30,
              rho=0.25, f=4)


def zetas():
    """The NTT table of ldaa_zetas.h: zeta^brv8(i) * 2^64 mod q."""
    z = next(pow(g, (Q - 1) // 512, Q) for g in range(2, 100)
             if pow(pow(g, (Q - 1) // 512, Q), 256, Q) == Q - 1)
    return z, [pow(z, int(format(i, '08b')[::-1], 2), Q) * (1 << 64) % Q for i in range(256)]


def main():
    import sys
    if '--zetas' in sys.argv:
        z, t = zetas()
        print('zeta =', z)
        for i in range(0, 256, 4):
            print('    ' + ', '.join('0x%016xu' % v for v in t[i:i + 4]) + ',')
        return
    p = derive(**CHOSEN)
    print('lattice DAA parameters: n = 256, q = 2^61 - 6655, k = 8, l = 12, base 16 (t = %d),'
          ' s in [-256, 255]^(17n), tau = 30, d = 30' % p.t)
    print('credential: ||R x2|| <= 2^%d, issuer mask 2^%d (x1 bound 2^25 - 2^14)'
          % (math.log2(p.beta_r), math.log2(p.gamma_y)))
    print('masks (count, log2 gamma, tau*bound):', [(c, int(math.log2(g)), bt) for c, g, bt in p.masks])
    print('expected signing tries: %.1f' % (1 / p.accept))
    print('sizes: signature %d B, credential %d B, ipk %d B' % (p.sig_bytes, p.cred_bytes, p.ipk_bytes))
    print()
    print('| instance | what it protects | BKZ block b | classical 0.292 b | quantum 0.265 b |')
    print('|---|---|---:|---:|---:|')
    rows = [('M-LWE: B = G - A R (trapdoor, secret rank 12, ternary)', "issuer key's R; credential unforgeability", p.lwe_trap),
            ('M-LWE: t = D\' s1 + s2 (rank 9, s in [-256, 255])', "TPM key s from t", p.lwe_key),
            ('M-SIS: [A, B, -D] z = 0, blocks bounded by 2x the responses (weighted)', 'soundness: forging a credential or a signature', p.sis)]
    for name, what, b in rows:
        print('| %s | %s | %d | %.0f | %.0f |' % (name, what, b, 0.292 * b, 0.265 * b))


if __name__ == '__main__':
    main()
