/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * avx2.c — ML-KEM's hot loops on x86-64 with AVX2, sixteen int16
 * coefficients per 256-bit register: the NTT and its inverse (FIPS 203
 * Algorithms 9 and 10), MultiplyNTTs (Algorithms 11 and 12) into int32
 * accumulators and their final Montgomery reduction, the other reductions,
 * ByteDecode_12, SamplePolyCBD for η = 2 (Algorithm 8) and the rejection
 * step of SampleNTT (Algorithm 7). arch.h chooses between these and the portable
 * code at run time.
 *
 * Each function is the portable one of poly.c / compress.c / sampling.c
 * with the same arithmetic in vector form: Montgomery multiplication by a
 * constant as mulhi(a, ζ) - mulhi(mullo(a, ζ q^-1), q), Barrett reduction as
 * a - q · ((mulhi(a, 20159) + 2^9) >> 10), the same lazy-reduction schedule.
 * The results are therefore identical, coefficient for coefficient, and the
 * bounds stated in poly.h hold unchanged (repeated next to each function).
 *
 * Layout of the NTT. Layers with len >= 16 pair whole registers. The last
 * three layers (len 8, 4, 2) work on a pair of registers A, B (32
 * coefficients) rearranged so that every butterfly pairs a lane of one
 * register with the same lane of the other: 128-bit halves exchanged for
 * len 8 (L, H), 64-bit quarters for len 4 (X, Y), 32-bit pairs for len 2
 * (P, Q); each rearrangement is its own inverse's mirror, so the
 * coefficients come back in natural order. The ζ of each lane for those
 * layers is read from tables laid out the same way (generated offline from
 * ζ = 17, FIPS 203 §4.3, in Montgomery form, centred).
 *
 * Constant time: the arithmetic functions use no branches or addresses that
 * depend on coefficients. rej_uniform's table index comes from the
 * comparison of the public matrix bytes with q, as its scalar loop's count
 * does (the matrix is derived from the public ρ).
 *
 * The functions carry __attribute__((target("avx2"))), as the AVX2 Keccak
 * of keccak.c does, so only they are compiled for AVX2 and the rest of the
 * library keeps the baseline instruction set; they run only after
 * mlkem_use_avx2() has checked the CPU.
 */
#include "arch.h"

#include "debug.h"

#ifdef MLKEM_HAVE_AVX2_CODE
#include <immintrin.h>

#define AVX2_FN __attribute__((target("avx2")))

/* Per-lane ζ (and ζ q^-1 mod 2^16) of the last three NTT layers for register
 * pair m (coefficients 32m .. 32m+31): 48 entries per pair, 16 for len 8
 * in (L, H) order, 16 for len 4 in (X, Y) order, 16 for len 2 in (P, Q)
 * order. ntt_inv_* hold the inverse transform's ζ for len 2, 4, 8 in the
 * same three layouts: zetas[127 - g], zetas[63 - b], zetas[31 - v] of
 * poly.c for the block g, b or v a lane belongs to. */
static const int16_t ntt_fw_zetas[384] __attribute__((aligned(32))) = {
    573, 573, 573, 573, 573, 573, 573, 573, -1325, -1325, -1325, -1325, -1325, -1325, -1325, -1325,
    1223, 1223, 1223, 1223, 652, 652, 652, 652, -552, -552, -552, -552, 1015, 1015, 1015, 1015,
    -1103, -1103, 430, 430, 555, 555, 843, 843, -1251, -1251, 871, 871, 1550, 1550, 105, 105,
    264, 264, 264, 264, 264, 264, 264, 264, 383, 383, 383, 383, 383, 383, 383, 383,
    -1293, -1293, -1293, -1293, 1491, 1491, 1491, 1491, -282, -282, -282, -282, -1544, -1544, -1544, -1544,
    422, 422, 587, 587, 177, 177, -235, -235, -291, -291, -460, -460, 1574, 1574, 1653, 1653,
    -829, -829, -829, -829, -829, -829, -829, -829, 1458, 1458, 1458, 1458, 1458, 1458, 1458, 1458,
    516, 516, 516, 516, -8, -8, -8, -8, -320, -320, -320, -320, -666, -666, -666, -666,
    -246, -246, 778, 778, 1159, 1159, -147, -147, -777, -777, 1483, 1483, -602, -602, 1119, 1119,
    -1602, -1602, -1602, -1602, -1602, -1602, -1602, -1602, -130, -130, -130, -130, -130, -130, -130, -130,
    -1618, -1618, -1618, -1618, -1162, -1162, -1162, -1162, 126, 126, 126, 126, 1469, 1469, 1469, 1469,
    -1590, -1590, 644, 644, -872, -872, 349, 349, 418, 418, 329, 329, -156, -156, -75, -75,
    -681, -681, -681, -681, -681, -681, -681, -681, 1017, 1017, 1017, 1017, 1017, 1017, 1017, 1017,
    -853, -853, -853, -853, -90, -90, -90, -90, -271, -271, -271, -271, 830, 830, 830, 830,
    817, 817, 1097, 1097, 603, 603, 610, 610, 1322, 1322, -1285, -1285, -1465, -1465, 384, 384,
    732, 732, 732, 732, 732, 732, 732, 732, 608, 608, 608, 608, 608, 608, 608, 608,
    107, 107, 107, 107, -1421, -1421, -1421, -1421, -247, -247, -247, -247, -951, -951, -951, -951,
    -1215, -1215, -136, -136, 1218, 1218, -1335, -1335, -874, -874, 220, 220, -1187, -1187, -1659, -1659,
    -1542, -1542, -1542, -1542, -1542, -1542, -1542, -1542, 411, 411, 411, 411, 411, 411, 411, 411,
    -398, -398, -398, -398, 961, 961, 961, 961, -1508, -1508, -1508, -1508, -725, -725, -725, -725,
    -1185, -1185, -1530, -1530, -1278, -1278, 794, 794, -1510, -1510, -854, -854, -870, -870, 478, 478,
    -205, -205, -205, -205, -205, -205, -205, -205, -1571, -1571, -1571, -1571, -1571, -1571, -1571, -1571,
    448, 448, 448, 448, -1065, -1065, -1065, -1065, 677, 677, 677, 677, -1275, -1275, -1275, -1275,
    -108, -108, -308, -308, 996, 996, 991, 991, 958, 958, -1460, -1460, 1522, 1522, 1628, 1628,
};
static const int16_t ntt_fw_zetas_qinv[384] __attribute__((aligned(32))) = {
    -5827, -5827, -5827, -5827, -5827, -5827, -5827, -5827, 17363, 17363, 17363, 17363, 17363, 17363, 17363, 17363,
    -5689, -5689, -5689, -5689, -6516, -6516, -6516, -6516, 1496, 1496, 1496, 1496, 30967, 30967, 30967, 30967,
    -335, -335, 11182, 11182, -11477, -11477, 13387, 13387, -32227, -32227, -14233, -14233, 20494, 20494, -21655, -21655,
    -26360, -26360, -26360, -26360, -26360, -26360, -26360, -26360, -29057, -29057, -29057, -29057, -29057, -29057, -29057, -29057,
    -23565, -23565, -23565, -23565, 20179, 20179, 20179, 20179, 20710, 20710, 20710, 20710, 25080, 25080, 25080, 25080,
    -27738, -27738, 13131, 13131, 945, 945, -4587, -4587, -14883, -14883, 23092, 23092, 6182, 6182, 5493, 5493,
    5571, 5571, 5571, 5571, 5571, 5571, 5571, 5571, -1102, -1102, -1102, -1102, -1102, -1102, -1102, -1102,
    -12796, -12796, -12796, -12796, 26616, 26616, 26616, 26616, 16064, 16064, 16064, 16064, -12442, -12442, -12442, -12442,
    32010, 32010, -32502, -32502, 10631, 10631, 30317, 30317, 29175, 29175, -18741, -18741, -28762, -28762, 12639, 12639,
    21438, 21438, 21438, 21438, 21438, 21438, 21438, 21438, -26242, -26242, -26242, -26242, -26242, -26242, -26242, -26242,
    9134, 9134, 9134, 9134, -650, -650, -650, -650, -25986, -25986, -25986, -25986, 27837, 27837, 27837, 27837,
    -18486, -18486, 20100, 20100, 17560, 17560, 18525, 18525, -14430, -14430, 19529, 19529, -5276, -5276, -12619, -12619,
    -28073, -28073, -28073, -28073, -28073, -28073, -28073, -28073, 24313, 24313, 24313, 24313, 24313, 24313, 24313, 24313,
    19883, 19883, 19883, 19883, -28250, -28250, -28250, -28250, -15887, -15887, -15887, -15887, -8898, -8898, -8898, -8898,
    -31183, -31183, 20297, 20297, 25435, 25435, 2146, 2146, -7382, -7382, 15355, 15355, 24391, 24391, -32384, -32384,
    -10532, -10532, -10532, -10532, -10532, -10532, -10532, -10532, 8800, 8800, 8800, 8800, 8800, 8800, 8800, 8800,
    -28309, -28309, -28309, -28309, 9075, 9075, 9075, 9075, -30199, -30199, -30199, -30199, 18249, 18249, 18249, 18249,
    -20927, -20927, -6280, -6280, 10946, 10946, -14903, -14903, 24214, 24214, -11044, -11044, 16989, 16989, 14469, 14469,
    18426, 18426, 18426, 18426, 18426, 18426, 18426, 18426, 8859, 8859, 8859, 8859, 8859, 8859, 8859, 8859,
    13426, 13426, 13426, 13426, 14017, 14017, 14017, 14017, -29156, -29156, -29156, -29156, -12757, -12757, -12757, -12757,
    10335, 10335, -21498, -21498, -7934, -7934, -20198, -20198, -22502, -22502, 23210, 23210, 10906, 10906, -17442, -17442,
    26675, 26675, 26675, 26675, 26675, 26675, 26675, 26675, -16163, -16163, -16163, -16163, -16163, -16163, -16163, -16163,
    16832, 16832, 16832, 16832, 4311, 4311, 4311, 4311, -24155, -24155, -24155, -24155, -17915, -17915, -17915, -17915,
    31636, 31636, -23860, -23860, 28644, 28644, -20257, -20257, 23998, 23998, 7756, 7756, -17422, -17422, 23132, 23132,
};
static const int16_t ntt_inv_zetas[384] __attribute__((aligned(32))) = {
    1628, 1628, 1522, 1522, -1460, -1460, 958, 958, 991, 991, 996, 996, -308, -308, -108, -108,
    -1275, -1275, -1275, -1275, 677, 677, 677, 677, -1065, -1065, -1065, -1065, 448, 448, 448, 448,
    -1571, -1571, -1571, -1571, -1571, -1571, -1571, -1571, -205, -205, -205, -205, -205, -205, -205, -205,
    478, 478, -870, -870, -854, -854, -1510, -1510, 794, 794, -1278, -1278, -1530, -1530, -1185, -1185,
    -725, -725, -725, -725, -1508, -1508, -1508, -1508, 961, 961, 961, 961, -398, -398, -398, -398,
    411, 411, 411, 411, 411, 411, 411, 411, -1542, -1542, -1542, -1542, -1542, -1542, -1542, -1542,
    -1659, -1659, -1187, -1187, 220, 220, -874, -874, -1335, -1335, 1218, 1218, -136, -136, -1215, -1215,
    -951, -951, -951, -951, -247, -247, -247, -247, -1421, -1421, -1421, -1421, 107, 107, 107, 107,
    608, 608, 608, 608, 608, 608, 608, 608, 732, 732, 732, 732, 732, 732, 732, 732,
    384, 384, -1465, -1465, -1285, -1285, 1322, 1322, 610, 610, 603, 603, 1097, 1097, 817, 817,
    830, 830, 830, 830, -271, -271, -271, -271, -90, -90, -90, -90, -853, -853, -853, -853,
    1017, 1017, 1017, 1017, 1017, 1017, 1017, 1017, -681, -681, -681, -681, -681, -681, -681, -681,
    -75, -75, -156, -156, 329, 329, 418, 418, 349, 349, -872, -872, 644, 644, -1590, -1590,
    1469, 1469, 1469, 1469, 126, 126, 126, 126, -1162, -1162, -1162, -1162, -1618, -1618, -1618, -1618,
    -130, -130, -130, -130, -130, -130, -130, -130, -1602, -1602, -1602, -1602, -1602, -1602, -1602, -1602,
    1119, 1119, -602, -602, 1483, 1483, -777, -777, -147, -147, 1159, 1159, 778, 778, -246, -246,
    -666, -666, -666, -666, -320, -320, -320, -320, -8, -8, -8, -8, 516, 516, 516, 516,
    1458, 1458, 1458, 1458, 1458, 1458, 1458, 1458, -829, -829, -829, -829, -829, -829, -829, -829,
    1653, 1653, 1574, 1574, -460, -460, -291, -291, -235, -235, 177, 177, 587, 587, 422, 422,
    -1544, -1544, -1544, -1544, -282, -282, -282, -282, 1491, 1491, 1491, 1491, -1293, -1293, -1293, -1293,
    383, 383, 383, 383, 383, 383, 383, 383, 264, 264, 264, 264, 264, 264, 264, 264,
    105, 105, 1550, 1550, 871, 871, -1251, -1251, 843, 843, 555, 555, 430, 430, -1103, -1103,
    1015, 1015, 1015, 1015, -552, -552, -552, -552, 652, 652, 652, 652, 1223, 1223, 1223, 1223,
    -1325, -1325, -1325, -1325, -1325, -1325, -1325, -1325, 573, 573, 573, 573, 573, 573, 573, 573,
};
static const int16_t ntt_inv_zetas_qinv[384] __attribute__((aligned(32))) = {
    23132, 23132, -17422, -17422, 7756, 7756, 23998, 23998, -20257, -20257, 28644, 28644, -23860, -23860, 31636, 31636,
    -17915, -17915, -17915, -17915, -24155, -24155, -24155, -24155, 4311, 4311, 4311, 4311, 16832, 16832, 16832, 16832,
    -16163, -16163, -16163, -16163, -16163, -16163, -16163, -16163, 26675, 26675, 26675, 26675, 26675, 26675, 26675, 26675,
    -17442, -17442, 10906, 10906, 23210, 23210, -22502, -22502, -20198, -20198, -7934, -7934, -21498, -21498, 10335, 10335,
    -12757, -12757, -12757, -12757, -29156, -29156, -29156, -29156, 14017, 14017, 14017, 14017, 13426, 13426, 13426, 13426,
    8859, 8859, 8859, 8859, 8859, 8859, 8859, 8859, 18426, 18426, 18426, 18426, 18426, 18426, 18426, 18426,
    14469, 14469, 16989, 16989, -11044, -11044, 24214, 24214, -14903, -14903, 10946, 10946, -6280, -6280, -20927, -20927,
    18249, 18249, 18249, 18249, -30199, -30199, -30199, -30199, 9075, 9075, 9075, 9075, -28309, -28309, -28309, -28309,
    8800, 8800, 8800, 8800, 8800, 8800, 8800, 8800, -10532, -10532, -10532, -10532, -10532, -10532, -10532, -10532,
    -32384, -32384, 24391, 24391, 15355, 15355, -7382, -7382, 2146, 2146, 25435, 25435, 20297, 20297, -31183, -31183,
    -8898, -8898, -8898, -8898, -15887, -15887, -15887, -15887, -28250, -28250, -28250, -28250, 19883, 19883, 19883, 19883,
    24313, 24313, 24313, 24313, 24313, 24313, 24313, 24313, -28073, -28073, -28073, -28073, -28073, -28073, -28073, -28073,
    -12619, -12619, -5276, -5276, 19529, 19529, -14430, -14430, 18525, 18525, 17560, 17560, 20100, 20100, -18486, -18486,
    27837, 27837, 27837, 27837, -25986, -25986, -25986, -25986, -650, -650, -650, -650, 9134, 9134, 9134, 9134,
    -26242, -26242, -26242, -26242, -26242, -26242, -26242, -26242, 21438, 21438, 21438, 21438, 21438, 21438, 21438, 21438,
    12639, 12639, -28762, -28762, -18741, -18741, 29175, 29175, 30317, 30317, 10631, 10631, -32502, -32502, 32010, 32010,
    -12442, -12442, -12442, -12442, 16064, 16064, 16064, 16064, 26616, 26616, 26616, 26616, -12796, -12796, -12796, -12796,
    -1102, -1102, -1102, -1102, -1102, -1102, -1102, -1102, 5571, 5571, 5571, 5571, 5571, 5571, 5571, 5571,
    5493, 5493, 6182, 6182, 23092, 23092, -14883, -14883, -4587, -4587, 945, 945, 13131, 13131, -27738, -27738,
    25080, 25080, 25080, 25080, 20710, 20710, 20710, 20710, 20179, 20179, 20179, 20179, -23565, -23565, -23565, -23565,
    -29057, -29057, -29057, -29057, -29057, -29057, -29057, -29057, -26360, -26360, -26360, -26360, -26360, -26360, -26360, -26360,
    -21655, -21655, 20494, 20494, -14233, -14233, -32227, -32227, 13387, 13387, -11477, -11477, 11182, 11182, -335, -335,
    30967, 30967, 30967, 30967, 1496, 1496, 1496, 1496, -6516, -6516, -6516, -6516, -5689, -5689, -5689, -5689,
    17363, 17363, 17363, 17363, 17363, 17363, 17363, 17363, -5827, -5827, -5827, -5827, -5827, -5827, -5827, -5827,
};

/* zetas[0..15] of poly.c: the ζ of the register-pair layers (len >= 16). */
static const int16_t ntt_zetas_head[16] = {
    -1044, -758, -359, -1517, 1493, 1422, 287, 202,
    -171, 622, 1577, 182, 962, -1202, -1474, 1468,
};

/* rej_idx[m]: the positions (bytes, low first) of the set bits of the 8-bit
 * mask m, padded with zeros — the shuffle that packs the accepted
 * candidates of eight to the front. */
static const uint64_t rej_idx[256] = {
    0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000001ULL, 0x0000000000000100ULL,
    0x0000000000000002ULL, 0x0000000000000200ULL, 0x0000000000000201ULL, 0x0000000000020100ULL,
    0x0000000000000003ULL, 0x0000000000000300ULL, 0x0000000000000301ULL, 0x0000000000030100ULL,
    0x0000000000000302ULL, 0x0000000000030200ULL, 0x0000000000030201ULL, 0x0000000003020100ULL,
    0x0000000000000004ULL, 0x0000000000000400ULL, 0x0000000000000401ULL, 0x0000000000040100ULL,
    0x0000000000000402ULL, 0x0000000000040200ULL, 0x0000000000040201ULL, 0x0000000004020100ULL,
    0x0000000000000403ULL, 0x0000000000040300ULL, 0x0000000000040301ULL, 0x0000000004030100ULL,
    0x0000000000040302ULL, 0x0000000004030200ULL, 0x0000000004030201ULL, 0x0000000403020100ULL,
    0x0000000000000005ULL, 0x0000000000000500ULL, 0x0000000000000501ULL, 0x0000000000050100ULL,
    0x0000000000000502ULL, 0x0000000000050200ULL, 0x0000000000050201ULL, 0x0000000005020100ULL,
    0x0000000000000503ULL, 0x0000000000050300ULL, 0x0000000000050301ULL, 0x0000000005030100ULL,
    0x0000000000050302ULL, 0x0000000005030200ULL, 0x0000000005030201ULL, 0x0000000503020100ULL,
    0x0000000000000504ULL, 0x0000000000050400ULL, 0x0000000000050401ULL, 0x0000000005040100ULL,
    0x0000000000050402ULL, 0x0000000005040200ULL, 0x0000000005040201ULL, 0x0000000504020100ULL,
    0x0000000000050403ULL, 0x0000000005040300ULL, 0x0000000005040301ULL, 0x0000000504030100ULL,
    0x0000000005040302ULL, 0x0000000504030200ULL, 0x0000000504030201ULL, 0x0000050403020100ULL,
    0x0000000000000006ULL, 0x0000000000000600ULL, 0x0000000000000601ULL, 0x0000000000060100ULL,
    0x0000000000000602ULL, 0x0000000000060200ULL, 0x0000000000060201ULL, 0x0000000006020100ULL,
    0x0000000000000603ULL, 0x0000000000060300ULL, 0x0000000000060301ULL, 0x0000000006030100ULL,
    0x0000000000060302ULL, 0x0000000006030200ULL, 0x0000000006030201ULL, 0x0000000603020100ULL,
    0x0000000000000604ULL, 0x0000000000060400ULL, 0x0000000000060401ULL, 0x0000000006040100ULL,
    0x0000000000060402ULL, 0x0000000006040200ULL, 0x0000000006040201ULL, 0x0000000604020100ULL,
    0x0000000000060403ULL, 0x0000000006040300ULL, 0x0000000006040301ULL, 0x0000000604030100ULL,
    0x0000000006040302ULL, 0x0000000604030200ULL, 0x0000000604030201ULL, 0x0000060403020100ULL,
    0x0000000000000605ULL, 0x0000000000060500ULL, 0x0000000000060501ULL, 0x0000000006050100ULL,
    0x0000000000060502ULL, 0x0000000006050200ULL, 0x0000000006050201ULL, 0x0000000605020100ULL,
    0x0000000000060503ULL, 0x0000000006050300ULL, 0x0000000006050301ULL, 0x0000000605030100ULL,
    0x0000000006050302ULL, 0x0000000605030200ULL, 0x0000000605030201ULL, 0x0000060503020100ULL,
    0x0000000000060504ULL, 0x0000000006050400ULL, 0x0000000006050401ULL, 0x0000000605040100ULL,
    0x0000000006050402ULL, 0x0000000605040200ULL, 0x0000000605040201ULL, 0x0000060504020100ULL,
    0x0000000006050403ULL, 0x0000000605040300ULL, 0x0000000605040301ULL, 0x0000060504030100ULL,
    0x0000000605040302ULL, 0x0000060504030200ULL, 0x0000060504030201ULL, 0x0006050403020100ULL,
    0x0000000000000007ULL, 0x0000000000000700ULL, 0x0000000000000701ULL, 0x0000000000070100ULL,
    0x0000000000000702ULL, 0x0000000000070200ULL, 0x0000000000070201ULL, 0x0000000007020100ULL,
    0x0000000000000703ULL, 0x0000000000070300ULL, 0x0000000000070301ULL, 0x0000000007030100ULL,
    0x0000000000070302ULL, 0x0000000007030200ULL, 0x0000000007030201ULL, 0x0000000703020100ULL,
    0x0000000000000704ULL, 0x0000000000070400ULL, 0x0000000000070401ULL, 0x0000000007040100ULL,
    0x0000000000070402ULL, 0x0000000007040200ULL, 0x0000000007040201ULL, 0x0000000704020100ULL,
    0x0000000000070403ULL, 0x0000000007040300ULL, 0x0000000007040301ULL, 0x0000000704030100ULL,
    0x0000000007040302ULL, 0x0000000704030200ULL, 0x0000000704030201ULL, 0x0000070403020100ULL,
    0x0000000000000705ULL, 0x0000000000070500ULL, 0x0000000000070501ULL, 0x0000000007050100ULL,
    0x0000000000070502ULL, 0x0000000007050200ULL, 0x0000000007050201ULL, 0x0000000705020100ULL,
    0x0000000000070503ULL, 0x0000000007050300ULL, 0x0000000007050301ULL, 0x0000000705030100ULL,
    0x0000000007050302ULL, 0x0000000705030200ULL, 0x0000000705030201ULL, 0x0000070503020100ULL,
    0x0000000000070504ULL, 0x0000000007050400ULL, 0x0000000007050401ULL, 0x0000000705040100ULL,
    0x0000000007050402ULL, 0x0000000705040200ULL, 0x0000000705040201ULL, 0x0000070504020100ULL,
    0x0000000007050403ULL, 0x0000000705040300ULL, 0x0000000705040301ULL, 0x0000070504030100ULL,
    0x0000000705040302ULL, 0x0000070504030200ULL, 0x0000070504030201ULL, 0x0007050403020100ULL,
    0x0000000000000706ULL, 0x0000000000070600ULL, 0x0000000000070601ULL, 0x0000000007060100ULL,
    0x0000000000070602ULL, 0x0000000007060200ULL, 0x0000000007060201ULL, 0x0000000706020100ULL,
    0x0000000000070603ULL, 0x0000000007060300ULL, 0x0000000007060301ULL, 0x0000000706030100ULL,
    0x0000000007060302ULL, 0x0000000706030200ULL, 0x0000000706030201ULL, 0x0000070603020100ULL,
    0x0000000000070604ULL, 0x0000000007060400ULL, 0x0000000007060401ULL, 0x0000000706040100ULL,
    0x0000000007060402ULL, 0x0000000706040200ULL, 0x0000000706040201ULL, 0x0000070604020100ULL,
    0x0000000007060403ULL, 0x0000000706040300ULL, 0x0000000706040301ULL, 0x0000070604030100ULL,
    0x0000000706040302ULL, 0x0000070604030200ULL, 0x0000070604030201ULL, 0x0007060403020100ULL,
    0x0000000000070605ULL, 0x0000000007060500ULL, 0x0000000007060501ULL, 0x0000000706050100ULL,
    0x0000000007060502ULL, 0x0000000706050200ULL, 0x0000000706050201ULL, 0x0000070605020100ULL,
    0x0000000007060503ULL, 0x0000000706050300ULL, 0x0000000706050301ULL, 0x0000070605030100ULL,
    0x0000000706050302ULL, 0x0000070605030200ULL, 0x0000070605030201ULL, 0x0007060503020100ULL,
    0x0000000007060504ULL, 0x0000000706050400ULL, 0x0000000706050401ULL, 0x0000070605040100ULL,
    0x0000000706050402ULL, 0x0000070605040200ULL, 0x0000070605040201ULL, 0x0007060504020100ULL,
    0x0000000706050403ULL, 0x0000070605040300ULL, 0x0000070605040301ULL, 0x0007060504030100ULL,
    0x0000070605040302ULL, 0x0007060504030200ULL, 0x0007060504030201ULL, 0x0706050403020100ULL,
};

/* Montgomery multiplication by a constant, lane-wise: any int16 a, |z| <=
 * q/2, zq = z q^-1 mod 2^16; returns a z 2^-16 mod q with |r| < q
 * (mlkem_fqmul_pre). */
AVX2_FN static inline __m256i fqmul(__m256i a, __m256i z, __m256i zq)
{
    const __m256i q = _mm256_set1_epi16(MLKEM_Q);
    __m256i t = _mm256_mullo_epi16(a, zq);
    return _mm256_sub_epi16(_mm256_mulhi_epi16(a, z), _mm256_mulhi_epi16(t, q));
}

/* Barrett reduction, lane-wise: any int16 a; returns r ≡ a (mod q) with
 * |r| <= (q-1)/2 (mlkem_barrett_reduce). */
AVX2_FN static inline __m256i barrett(__m256i a)
{
    const __m256i v = _mm256_set1_epi16(((1 << 26) + MLKEM_Q / 2) / MLKEM_Q);
    const __m256i q = _mm256_set1_epi16(MLKEM_Q);
    __m256i t = _mm256_mulhi_epi16(a, v);
    t = _mm256_srai_epi16(_mm256_add_epi16(t, _mm256_set1_epi16(1 << 9)), 10);
    return _mm256_sub_epi16(a, _mm256_mullo_epi16(t, q));
}

/* Algorithm 9 lines 8-10: |t| < q, so each output grows by less than q. */
AVX2_FN static inline void ct_bf(__m256i *lo, __m256i *hi, __m256i z, __m256i zq)
{
    __m256i t = fqmul(*hi, z, zq);
    *hi = _mm256_sub_epi16(*lo, t);
    *lo = _mm256_add_epi16(*lo, t);
}

/* Algorithm 10 lines 8-10, the sum unreduced: inputs |.| < M (M <= 4q),
 * outputs |lo| < 2M, |hi| < q. */
AVX2_FN static inline void gs_bf(__m256i *lo, __m256i *hi, __m256i z, __m256i zq)
{
    __m256i t = *lo;
    *lo = _mm256_add_epi16(t, *hi);
    *hi = fqmul(_mm256_sub_epi16(*hi, t), z, zq);
}

/* The same with the sum Barrett-reduced: |lo| <= q/2, |hi| < q. */
AVX2_FN static inline void gs_bf_reduce(__m256i *lo, __m256i *hi, __m256i z, __m256i zq)
{
    __m256i t = *lo;
    *lo = barrett(_mm256_add_epi16(t, *hi));
    *hi = fqmul(_mm256_sub_epi16(*hi, t), z, zq);
}

/* Register pair (A, B) = coefficients 0..15, 16..31 of a 32-block, to
 * (L, H) = (0..7 16..23, 8..15 24..31): len-8 partners share a lane. */
AVX2_FN static inline void swap128(__m256i a, __m256i b, __m256i *l, __m256i *h)
{
    *l = _mm256_permute2x128_si256(a, b, 0x20);
    *h = _mm256_permute2x128_si256(a, b, 0x31);
}

/* (L, H) to (X, Y) = (0..3 8..11 16..19 24..27, 4..7 12..15 20..23 28..31)
 * for len 4, and (X, Y) back to (L, H) with the same call. */
AVX2_FN static inline void swap64(__m256i a, __m256i b, __m256i *x, __m256i *y)
{
    *x = _mm256_unpacklo_epi64(a, b);
    *y = _mm256_unpackhi_epi64(a, b);
}

/* (X, Y) to (P, Q): the 32-bit pairs 0-1 4-5 8-9 12-13 ... in P, 2-3 6-7
 * ... in Q, for len 2; the same call maps (P, Q) back to (X, Y). */
AVX2_FN static inline void swap32(__m256i a, __m256i b, __m256i *p, __m256i *q)
{
    *p = _mm256_blend_epi32(a, _mm256_slli_epi64(b, 32), 0xAA);
    *q = _mm256_blend_epi32(_mm256_srli_epi64(a, 32), b, 0xAA);
}

AVX2_FN static inline __m256i load16(const int16_t *p)
{
    return _mm256_loadu_si256((const __m256i *)(const void *)p);
}

AVX2_FN static inline void store16(int16_t *p, __m256i v)
{
    _mm256_storeu_si256((__m256i *)(void *)p, v);
}

/* FIPS 203 Algorithm 9 (mlkem_poly_ntt). Input |c| < q; after layer l
 * |c| < (l+1) q; output |c| < 8q, natural (bit-reversed NTT) order. */
AVX2_FN void mlkem_ntt_avx2(mlkem_poly *p)
{
    __m256i v[16];
    unsigned k = 1;
    MLKEM_ASSERT_ABS_BOUND(p->c, MLKEM_N, MLKEM_Q);
    for (unsigned i = 0; i < 16; i++)
        v[i] = load16(p->c + 16 * i);
    /* layers 1-4, len = 128 .. 16 (8 .. 1 registers) */
    for (unsigned len = 8; len >= 1; len >>= 1) {
        for (unsigned start = 0; start < 16; start += 2 * len) {
            const __m256i z = _mm256_set1_epi16(ntt_zetas_head[k]);
            const __m256i zq =
                _mm256_set1_epi16(mlkem_mullo(ntt_zetas_head[k], (int16_t)MLKEM_QINV));
            k++;
            for (unsigned j = start; j < start + len; j++)
                ct_bf(&v[j], &v[j + len], z, zq);
        }
    }
    /* layers 5-7, len = 8, 4, 2, per register pair */
    for (unsigned m = 0; m < 8; m++) {
        const int16_t *zt = ntt_fw_zetas + 48 * m, *zqt = ntt_fw_zetas_qinv + 48 * m;
        __m256i l, h, x, y, pp, qq;
        swap128(v[2 * m], v[2 * m + 1], &l, &h);
        ct_bf(&l, &h, load16(zt), load16(zqt));
        swap64(l, h, &x, &y);
        ct_bf(&x, &y, load16(zt + 16), load16(zqt + 16));
        swap32(x, y, &pp, &qq);
        ct_bf(&pp, &qq, load16(zt + 32), load16(zqt + 32));
        swap32(pp, qq, &x, &y);
        swap64(x, y, &l, &h);
        swap128(l, h, &v[2 * m], &v[2 * m + 1]);
    }
    for (unsigned i = 0; i < 16; i++)
        store16(p->c + 16 * i, v[i]);
    MLKEM_ASSERT_ABS_BOUND(p->c, MLKEM_N, 8 * MLKEM_Q);
}

/* FIPS 203 Algorithm 10 times 2^16 (mlkem_poly_invntt_tomont), the same
 * lazy schedule: bound q, 2q, 4q after layers 1-2 (len 2, 4), layer 3
 * (len 8) reduces its sums (q), layers 4-5 (len 16, 32) 2q, 4q, layer 6
 * (len 64) reduces (q), layer 7 (len 128) 2q, then · 1441 = 2^32/128 mod q.
 * Input |c| < q; output |c| < q. */
AVX2_FN void mlkem_invntt_tomont_avx2(mlkem_poly *p)
{
    __m256i v[16];
    MLKEM_ASSERT_ABS_BOUND(p->c, MLKEM_N, MLKEM_Q);
    for (unsigned i = 0; i < 16; i++)
        v[i] = load16(p->c + 16 * i);
    /* layers 1-3, len = 2, 4, 8, per register pair */
    for (unsigned m = 0; m < 8; m++) {
        const int16_t *zt = ntt_inv_zetas + 48 * m, *zqt = ntt_inv_zetas_qinv + 48 * m;
        __m256i l, h, x, y, pp, qq;
        swap128(v[2 * m], v[2 * m + 1], &l, &h);
        swap64(l, h, &x, &y);
        swap32(x, y, &pp, &qq);
        gs_bf(&pp, &qq, load16(zt), load16(zqt));
        swap32(pp, qq, &x, &y);
        gs_bf(&x, &y, load16(zt + 16), load16(zqt + 16));
        swap64(x, y, &l, &h);
        gs_bf_reduce(&l, &h, load16(zt + 32), load16(zqt + 32));
        swap128(l, h, &v[2 * m], &v[2 * m + 1]);
    }
    /* layers 4-7, len = 16 .. 128 (1 .. 8 registers): block s of the layer
     * with len registers uses zetas[16 / len - 1 - s] */
    for (unsigned len = 1; len <= 8; len <<= 1) {
        for (unsigned start = 0, s = 0; start < 16; start += 2 * len, s++) {
            const int16_t zeta = ntt_zetas_head[16 / len - 1 - s];
            const __m256i z = _mm256_set1_epi16(zeta);
            const __m256i zq = _mm256_set1_epi16(mlkem_mullo(zeta, (int16_t)MLKEM_QINV));
            for (unsigned j = start; j < start + len; j++) {
                if (len == 4) /* layer 6; len is public */
                    gs_bf_reduce(&v[j], &v[j + len], z, zq);
                else
                    gs_bf(&v[j], &v[j + len], z, zq);
            }
        }
    }
    const __m256i f = _mm256_set1_epi16(1441);
    const __m256i fq = _mm256_set1_epi16(mlkem_mullo(1441, (int16_t)MLKEM_QINV));
    for (unsigned i = 0; i < 16; i++)
        store16(p->c + 16 * i, fqmul(v[i], f, fq));
    MLKEM_ASSERT_ABS_BOUND(p->c, MLKEM_N, MLKEM_Q);
}

/* mlkem_poly_reduce: any int16 input; output in [0, q). */
AVX2_FN void mlkem_poly_reduce_avx2(mlkem_poly *p)
{
    const __m256i q = _mm256_set1_epi16(MLKEM_Q);
    for (unsigned i = 0; i < 16; i++) {
        __m256i a = barrett(load16(p->c + 16 * i));
        a = _mm256_add_epi16(a, _mm256_and_si256(_mm256_srai_epi16(a, 15), q));
        store16(p->c + 16 * i, a);
    }
    MLKEM_ASSERT_BOUND(p->c, MLKEM_N, 0, MLKEM_Q);
}

/* mlkem_poly_tomont: any int16 input; output |c| < q. */
AVX2_FN void mlkem_poly_tomont_avx2(mlkem_poly *p)
{
    const __m256i r2 = _mm256_set1_epi16(1353); /* 2^32 mod q */
    const __m256i r2q = _mm256_set1_epi16(mlkem_mullo(1353, (int16_t)MLKEM_QINV));
    for (unsigned i = 0; i < 16; i++)
        store16(p->c + 16 * i, fqmul(load16(p->c + 16 * i), r2, r2q));
    MLKEM_ASSERT_ABS_BOUND(p->c, MLKEM_N, MLKEM_Q);
}

/* FIPS 203 Algorithm 12 for 8 pairs per register (mlkem_poly_basemul_acc):
 * acc[2i] += a0 b0 + a1 (b1 γ), acc[2i+1] += a0 b1 + a1 b0, each a signed
 * 16x16-bit multiply-add of adjacent lanes (vpmaddwd) of a with (b0, b1 γ)
 * and (b1, b0). a, b in [0, q), |cache| < q; each sum is < 2 q^2 < 2^31. */
AVX2_FN void mlkem_basemul_acc_avx2(int32_t acc[MLKEM_N], const mlkem_poly *a,
                                    const mlkem_poly *b, const mlkem_poly_mulcache *cache)
{
    MLKEM_ASSERT_BOUND(a->c, MLKEM_N, 0, MLKEM_Q);
    MLKEM_ASSERT_BOUND(b->c, MLKEM_N, 0, MLKEM_Q);
    MLKEM_ASSERT_ABS_BOUND(cache->c, MLKEM_N / 2, MLKEM_Q);
    for (unsigned i = 0; i < 16; i++) {
        const __m256i av = load16(a->c + 16 * i), bv = load16(b->c + 16 * i);
        const __m256i cv = _mm256_cvtepi16_epi32(
            _mm_loadu_si128((const __m128i *)(const void *)(cache->c + 8 * i)));
        /* (b0, b1 γ) and (b1, b0) in each 32-bit pair */
        const __m256i x0 = _mm256_blend_epi16(bv, _mm256_slli_epi32(cv, 16), 0xAA);
        const __m256i x1 = _mm256_or_si256(_mm256_srli_epi32(bv, 16), _mm256_slli_epi32(bv, 16));
        const __m256i c0 = _mm256_madd_epi16(av, x0), c1 = _mm256_madd_epi16(av, x1);
        /* interleave to acc order: pairs 0-3 | 4-7 of the register */
        const __m256i lo = _mm256_unpacklo_epi32(c0, c1), hi = _mm256_unpackhi_epi32(c0, c1);
        __m256i *dst = (__m256i *)(void *)(acc + 16 * i);
        _mm256_storeu_si256(dst, _mm256_add_epi32(_mm256_loadu_si256(dst),
                                                  _mm256_permute2x128_si256(lo, hi, 0x20)));
        _mm256_storeu_si256(dst + 1, _mm256_add_epi32(_mm256_loadu_si256(dst + 1),
                                                      _mm256_permute2x128_si256(lo, hi, 0x31)));
    }
}

/* mlkem_poly_from_acc: r = acc 2^-16 mod q for |acc| < 2^15 q, |r| < q.
 * Montgomery reduction in 16-bit lanes: with t = lo16(acc) q^-1 mod 2^16,
 * acc - t q is a multiple of 2^16, so (acc - t q) / 2^16 = hi16(acc) -
 * mulhi(t, q) exactly (the low halves agree), the value mlkem_montgomery_reduce
 * computes. The low halves are packed unsigned, the high halves signed
 * (|acc| / 2^16 < q/2 fits); both packs interleave 128-bit lanes, undone by
 * one permutation at the end. */
AVX2_FN void mlkem_poly_from_acc_avx2(mlkem_poly *r, const int32_t acc[MLKEM_N])
{
    const __m256i q = _mm256_set1_epi16(MLKEM_Q);
    const __m256i qinv = _mm256_set1_epi16((int16_t)MLKEM_QINV);
    const __m256i low16 = _mm256_set1_epi32(0xFFFF);
    MLKEM_ASSERT_ABS_BOUND32(acc, MLKEM_N, (int64_t)MLKEM_Q << 15);
    for (unsigned i = 0; i < 16; i++) {
        const __m256i a0 = _mm256_loadu_si256((const __m256i *)(const void *)(acc + 16 * i));
        const __m256i a1 = _mm256_loadu_si256((const __m256i *)(const void *)(acc + 16 * i + 8));
        const __m256i lo = _mm256_packus_epi32(_mm256_and_si256(a0, low16),
                                               _mm256_and_si256(a1, low16));
        const __m256i hi = _mm256_packs_epi32(_mm256_srai_epi32(a0, 16), _mm256_srai_epi32(a1, 16));
        const __m256i t = _mm256_mullo_epi16(lo, qinv);
        const __m256i v = _mm256_sub_epi16(hi, _mm256_mulhi_epi16(t, q));
        store16(r->c + 16 * i, _mm256_permute4x64_epi64(v, 0xD8));
    }
    MLKEM_ASSERT_ABS_BOUND(r->c, MLKEM_N, MLKEM_Q);
}

/* SamplePolyCBD_2 (FIPS 203 Algorithm 8, η = 2; sampling.c's cbd2) on 128
 * secret bytes, 32 at a time: adding the odd bits to the even ones gives,
 * per byte, four 2-bit sums; coefficient 2k is (sum 0) - (sum 1) of byte k
 * and coefficient 2k+1 (sum 2) - (sum 3). Output |c| <= 2. Branch-free. */
AVX2_FN void mlkem_cbd2_avx2(mlkem_poly *p, const uint8_t buf[2 * MLKEM_N / 4])
{
    const __m256i m55 = _mm256_set1_epi8(0x55), m03 = _mm256_set1_epi8(0x03);
    for (unsigned i = 0; i < 4; i++) {
        const __m256i t = _mm256_loadu_si256((const __m256i *)(const void *)(buf + 32 * i));
        const __m256i d =
            _mm256_add_epi8(_mm256_and_si256(t, m55), _mm256_and_si256(_mm256_srli_epi16(t, 1), m55));
        const __m256i lo = _mm256_sub_epi8(_mm256_and_si256(d, m03),
                                           _mm256_and_si256(_mm256_srli_epi16(d, 2), m03));
        const __m256i hi = _mm256_sub_epi8(_mm256_and_si256(_mm256_srli_epi16(d, 4), m03),
                                           _mm256_and_si256(_mm256_srli_epi16(d, 6), m03));
        /* bytes 0-7 | 16-23 and 8-15 | 24-31 of the block, two coefficients each */
        const __m256i l = _mm256_unpacklo_epi8(lo, hi), h = _mm256_unpackhi_epi8(lo, hi);
        int16_t *o = p->c + 64 * i;
        store16(o, _mm256_cvtepi8_epi16(_mm256_castsi256_si128(l)));
        store16(o + 16, _mm256_cvtepi8_epi16(_mm256_castsi256_si128(h)));
        store16(o + 32, _mm256_cvtepi8_epi16(_mm256_extracti128_si256(l, 1)));
        store16(o + 48, _mm256_cvtepi8_epi16(_mm256_extracti128_si256(h, 1)));
    }
    MLKEM_ASSERT_ABS_BOUND(p->c, MLKEM_N, 3);
}

/* Sixteen 12-bit little-endian values from 24 bytes (ByteDecode_12's
 * parsing, FIPS 203 Algorithm 6): v is a 32-byte load whose 64-bit words
 * have been arranged so that lane 0 holds bytes 0..15 and lane 1 bytes
 * 8..23 of the 24. Value j takes bytes 3(j/2) and 3(j/2)+1 of its group,
 * low 12 bits for even j, high 12 for odd j. */
AVX2_FN static inline __m256i parse12(__m256i v)
{
    const __m256i ctl = _mm256_setr_epi8(0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 10, 10, 11, 4,
                                         5, 5, 6, 7, 8, 8, 9, 10, 11, 11, 12, 13, 14, 14, 15);
    v = _mm256_shuffle_epi8(v, ctl);
    return _mm256_blend_epi16(_mm256_and_si256(v, _mm256_set1_epi16(0x0FFF)),
                              _mm256_srli_epi16(v, 4), 0xAA);
}

/* mlkem_poly_frombytes: output in [0, q). The last group is loaded from 8
 * bytes earlier so that no load passes the end of a. */
AVX2_FN void mlkem_poly_frombytes_avx2(mlkem_poly *p, const uint8_t a[MLKEM_POLYBYTES])
{
    const __m256i q = _mm256_set1_epi16(MLKEM_Q);
    for (unsigned i = 0; i < 16; i++) {
        __m256i v;
        if (i < 15) /* public loop index */
            v = _mm256_permute4x64_epi64(
                _mm256_loadu_si256((const __m256i *)(const void *)(a + 24 * i)), 0x94);
        else
            v = _mm256_permute4x64_epi64(
                _mm256_loadu_si256((const __m256i *)(const void *)(a + 24 * i - 8)), 0xE9);
        v = _mm256_sub_epi16(parse12(v), q);
        v = _mm256_add_epi16(v, _mm256_and_si256(_mm256_srai_epi16(v, 15), q));
        store16(p->c + 16 * i, v);
    }
    MLKEM_ASSERT_BOUND(p->c, MLKEM_N, 0, MLKEM_Q);
}

/* Eight selected int16 of v to the front: shuffle bytes 2 pos, 2 pos + 1. */
AVX2_FN static inline __m128i compress8(__m128i v, unsigned mask)
{
    const __m128i pos = _mm_cvtepu8_epi16(_mm_cvtsi64_si128((long long)rej_idx[mask]));
    const __m128i ctl = _mm_add_epi16(_mm_mullo_epi16(pos, _mm_set1_epi16(0x0202)),
                                      _mm_set1_epi16(0x0100));
    return _mm_shuffle_epi8(v, ctl);
}

/* Algorithm 7 lines 5-15, sixteen candidates at a time (see arch.h). All
 * sixteen lanes are stored and the count advanced by the number accepted,
 * so r needs 16 free slots: the loop stops at ctr > 240. */
__attribute__((target("avx2,popcnt"))) unsigned
mlkem_rej_uniform_avx2(int16_t *r, unsigned ctr, const uint8_t *buf, size_t len, size_t *pos)
{
    const __m256i q = _mm256_set1_epi16(MLKEM_Q);
    size_t off = *pos;
    while (ctr + 16 <= MLKEM_N && off + 32 <= len) {
        const __m256i v = parse12(_mm256_permute4x64_epi64(
            _mm256_loadu_si256((const __m256i *)(const void *)(buf + off)), 0x94));
        const __m256i good = _mm256_cmpgt_epi16(q, v); /* v < q; v < 2^12 */
        const unsigned mask = (unsigned)_mm256_movemask_epi8(_mm256_packs_epi16(good, good));
        const unsigned m0 = mask & 0xFF, m1 = (mask >> 16) & 0xFF;
        _mm_storeu_si128((__m128i *)(void *)(r + ctr), compress8(_mm256_castsi256_si128(v), m0));
        ctr += (unsigned)__builtin_popcount(m0);
        _mm_storeu_si128((__m128i *)(void *)(r + ctr),
                         compress8(_mm256_extracti128_si256(v, 1), m1));
        ctr += (unsigned)__builtin_popcount(m1);
        off += 24;
    }
    *pos = off;
    return ctr;
}

#else
/* Portable build: this file holds nothing (ISO C wants a declaration). */
typedef int mlkem_avx2_unused;
#endif
