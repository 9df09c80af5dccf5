/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * poly.c — arithmetic in R_q = Z_q[X]/(X^256 + 1) for ML-DSA: reductions,
 * the forward and inverse NTT (FIPS 204 §7.5, Algorithms 41 and 42) and the
 * pointwise product in the NTT domain (Algorithm 45), plus the constant-time
 * infinity-norm check the signer needs.
 *
 * Twiddle factors are ζ^brv8(k) mod q (ζ = 1753, a primitive 512th root of
 * unity, FIPS 204 Appendix B) with their Shoup companions floor(w·2^32/q):
 * the transforms run on unsigned values with lazy reduction (Harvey's
 * butterflies), which portable C compilers vectorise; pointwise products use
 * signed Montgomery reduction.
 * Nothing here branches on or indexes by coefficient values. On x86-64 the
 * transforms and the pointwise product run avx2.c's vector code instead
 * when the CPU has AVX2 (arch.h), with identical results.
 */
#include "arch.h"
#include "poly.h"

/* mldsa_zetas[k] = 1753^brv8(k) mod q; mldsa_zetas_shoup[k] = floor(mldsa_zetas[k]·2^32 / q). */
const uint32_t mldsa_zetas[MLDSA_N] = {
    0u, 4808194u, 3765607u, 3761513u, 5178923u, 5496691u,
    5234739u, 5178987u, 7778734u, 3542485u, 2682288u, 2129892u,
    3764867u, 7375178u, 557458u, 7159240u, 5010068u, 4317364u,
    2663378u, 6705802u, 4855975u, 7946292u, 676590u, 7044481u,
    5152541u, 1714295u, 2453983u, 1460718u, 7737789u, 4795319u,
    2815639u, 2283733u, 3602218u, 3182878u, 2740543u, 4793971u,
    5269599u, 2101410u, 3704823u, 1159875u, 394148u, 928749u,
    1095468u, 4874037u, 2071829u, 4361428u, 3241972u, 2156050u,
    3415069u, 1759347u, 7562881u, 4805951u, 3756790u, 6444618u,
    6663429u, 4430364u, 5483103u, 3192354u, 556856u, 3870317u,
    2917338u, 1853806u, 3345963u, 1858416u, 3073009u, 1277625u,
    5744944u, 3852015u, 4183372u, 5157610u, 5258977u, 8106357u,
    2508980u, 2028118u, 1937570u, 4564692u, 2811291u, 5396636u,
    7270901u, 4158088u, 1528066u, 482649u, 1148858u, 5418153u,
    7814814u, 169688u, 2462444u, 5046034u, 4213992u, 4892034u,
    1987814u, 5183169u, 1736313u, 235407u, 5130263u, 3258457u,
    5801164u, 1787943u, 5989328u, 6125690u, 3482206u, 4197502u,
    7080401u, 6018354u, 7062739u, 2461387u, 3035980u, 621164u,
    3901472u, 7153756u, 2925816u, 3374250u, 1356448u, 5604662u,
    2683270u, 5601629u, 4912752u, 2312838u, 7727142u, 7921254u,
    348812u, 8052569u, 1011223u, 6026202u, 4561790u, 6458164u,
    6143691u, 1744507u, 1753u, 6444997u, 5720892u, 6924527u,
    2660408u, 6600190u, 8321269u, 2772600u, 1182243u, 87208u,
    636927u, 4415111u, 4423672u, 6084020u, 5095502u, 4663471u,
    8352605u, 822541u, 1009365u, 5926272u, 6400920u, 1596822u,
    4423473u, 4620952u, 6695264u, 4969849u, 2678278u, 4611469u,
    4829411u, 635956u, 8129971u, 5925040u, 4234153u, 6607829u,
    2192938u, 6653329u, 2387513u, 4768667u, 8111961u, 5199961u,
    3747250u, 2296099u, 1239911u, 4541938u, 3195676u, 2642980u,
    1254190u, 8368000u, 2998219u, 141835u, 8291116u, 2513018u,
    7025525u, 613238u, 7070156u, 6161950u, 7921677u, 6458423u,
    4040196u, 4908348u, 2039144u, 6500539u, 7561656u, 6201452u,
    6757063u, 2105286u, 6006015u, 6346610u, 586241u, 7200804u,
    527981u, 5637006u, 6903432u, 1994046u, 2491325u, 6987258u,
    507927u, 7192532u, 7655613u, 6545891u, 5346675u, 8041997u,
    2647994u, 3009748u, 5767564u, 4148469u, 749577u, 4357667u,
    3980599u, 2569011u, 6764887u, 1723229u, 1665318u, 2028038u,
    1163598u, 5011144u, 3994671u, 8368538u, 7009900u, 3020393u,
    3363542u, 214880u, 545376u, 7609976u, 3105558u, 7277073u,
    508145u, 7826699u, 860144u, 3430436u, 140244u, 6866265u,
    6195333u, 3123762u, 2358373u, 6187330u, 5365997u, 6663603u,
    2926054u, 7987710u, 8077412u, 3531229u, 4405932u, 4606686u,
    1900052u, 7598542u, 1054478u, 7648983u,
};
const uint32_t mldsa_zetas_shoup[MLDSA_N] = {
    0u, 2464201481u, 1929875197u, 1927777020u, 2654200252u, 2817056487u,
    2682805975u, 2654233052u, 3986604501u, 1815525077u, 1374673746u, 1091570560u,
    1929495947u, 3779781878u, 285697463u, 3669113561u, 2567661992u, 2212650896u,
    1364982363u, 3436726392u, 2488689263u, 4072478047u, 346752664u, 3610299524u,
    2640679465u, 878576920u, 1257667336u, 748618599u, 3965620171u, 2457603037u,
    1443016191u, 1170414139u, 1846138265u, 1631226336u, 1404529459u, 2456912187u,
    2700671740u, 1076973523u, 1898723371u, 594436433u, 202001018u, 475984259u,
    561427818u, 2497946046u, 1061813248u, 2235233714u, 1661512036u, 1104976546u,
    1750224322u, 901666089u, 3875979746u, 2463051942u, 1925356481u, 3302869480u,
    3415010211u, 2270563444u, 2810092632u, 1636082790u, 285388938u, 1983539117u,
    1495136972u, 950076367u, 1714807468u, 952438994u, 1574918426u, 654783358u,
    2944286256u, 1974159334u, 2143979938u, 2643277330u, 2695227961u, 4154511428u,
    1285853322u, 1039411342u, 993005453u, 2339406601u, 1440787839u, 2765778257u,
    3726339871u, 2131021878u, 783134478u, 247357818u, 588790216u, 2776805729u,
    4005095516u, 86965172u, 1262003602u, 2586094582u, 2159672701u, 2507169516u,
    1018755524u, 2656376328u, 889861154u, 120646188u, 2629261981u, 1669960605u,
    2973099030u, 916321552u, 3069533161u, 3139418744u, 1784632064u, 2151221569u,
    3628708540u, 3084408998u, 3619656757u, 1261461889u, 1555941048u, 318346815u,
    1999506068u, 3666303008u, 1499481951u, 1729304567u, 695180180u, 2872391671u,
    1375177022u, 2870837257u, 2517787500u, 1185330463u, 3960163579u, 4059646062u,
    178766299u, 4126945055u, 518252219u, 3088431101u, 2337919325u, 3309811811u,
    3148644264u, 894060583u, 898413u, 3303063718u, 2931959596u, 3548823048u,
    1363460237u, 3382600197u, 4264653920u, 1420958685u, 605900043u, 44694137u,
    326425359u, 2262746275u, 2267133791u, 3118062851u, 2611446953u, 2390030881u,
    4280713634u, 421552614u, 517299994u, 3037216934u, 3280474237u, 818371957u,
    2267031803u, 2368239875u, 3431325662u, 2547049737u, 1372618620u, 2363379834u,
    2475075202u, 325927721u, 4166613613u, 3036585533u, 2170005223u, 3386515188u,
    1123881662u, 3409833957u, 1223601433u, 2443943876u, 4157383481u, 2664982236u,
    1920467227u, 1176751719u, 635454917u, 2327745167u, 1637785316u, 1354528380u,
    642772911u, 4288603578u, 1536588519u, 72690498u, 4249200495u, 1287922799u,
    3600584566u, 314284737u, 3623457973u, 3158002009u, 4059862849u, 3309944549u,
    2070602177u, 2515530448u, 1045062171u, 3331529017u, 3875351933u, 3178246801u,
    3462997676u, 1078959975u, 3078085255u, 3252640338u, 300448763u, 3690415129u,
    270590488u, 2888967985u, 3538011851u, 1021949427u, 1276805127u, 3580972712u,
    260312804u, 3686175725u, 3923504936u, 3354771936u, 2740173223u, 4121526901u,
    1357098057u, 1542497136u, 2955879016u, 2126092136u, 384158533u, 2233306200u,
    2040058689u, 1316619236u, 3467007480u, 883155599u, 853476187u, 1039370342u,
    596344472u, 2568213442u, 2047270595u, 4288879303u, 3592576747u, 1547952704u,
    1723816713u, 110126091u, 279505433u, 3900115954u, 1591599802u, 3729503024u,
    260424529u, 4011186584u, 440824167u, 1758099916u, 71875109u, 3518963748u,
    3175110811u, 1600929360u, 1208667170u, 3171009270u, 2750075757u, 3415099386u,
    1499603926u, 4093704790u, 4139677103u, 1809756372u, 2258042033u, 2360928544u,
    973777462u, 3894256024u, 540420425u, 3920107058u,
};

/* The inverse transform's twiddles -1753^brv8(k) mod q = q - mldsa_zetas[k], and
 * their Shoup companions. */
const uint32_t mldsa_zetas_inv[MLDSA_N] = {
    0u, 3572223u, 4614810u, 4618904u, 3201494u, 2883726u,
    3145678u, 3201430u, 601683u, 4837932u, 5698129u, 6250525u,
    4615550u, 1005239u, 7822959u, 1221177u, 3370349u, 4063053u,
    5717039u, 1674615u, 3524442u, 434125u, 7703827u, 1335936u,
    3227876u, 6666122u, 5926434u, 6919699u, 642628u, 3585098u,
    5564778u, 6096684u, 4778199u, 5197539u, 5639874u, 3586446u,
    3110818u, 6279007u, 4675594u, 7220542u, 7986269u, 7451668u,
    7284949u, 3506380u, 6308588u, 4018989u, 5138445u, 6224367u,
    4965348u, 6621070u, 817536u, 3574466u, 4623627u, 1935799u,
    1716988u, 3950053u, 2897314u, 5188063u, 7823561u, 4510100u,
    5463079u, 6526611u, 5034454u, 6522001u, 5307408u, 7102792u,
    2635473u, 4528402u, 4197045u, 3222807u, 3121440u, 274060u,
    5871437u, 6352299u, 6442847u, 3815725u, 5569126u, 2983781u,
    1109516u, 4222329u, 6852351u, 7897768u, 7231559u, 2962264u,
    565603u, 8210729u, 5917973u, 3334383u, 4166425u, 3488383u,
    6392603u, 3197248u, 6644104u, 8145010u, 3250154u, 5121960u,
    2579253u, 6592474u, 2391089u, 2254727u, 4898211u, 4182915u,
    1300016u, 2362063u, 1317678u, 5919030u, 5344437u, 7759253u,
    4478945u, 1226661u, 5454601u, 5006167u, 7023969u, 2775755u,
    5697147u, 2778788u, 3467665u, 6067579u, 653275u, 459163u,
    8031605u, 327848u, 7369194u, 2354215u, 3818627u, 1922253u,
    2236726u, 6635910u, 8378664u, 1935420u, 2659525u, 1455890u,
    5720009u, 1780227u, 59148u, 5607817u, 7198174u, 8293209u,
    7743490u, 3965306u, 3956745u, 2296397u, 3284915u, 3716946u,
    27812u, 7557876u, 7371052u, 2454145u, 1979497u, 6783595u,
    3956944u, 3759465u, 1685153u, 3410568u, 5702139u, 3768948u,
    3551006u, 7744461u, 250446u, 2455377u, 4146264u, 1772588u,
    6187479u, 1727088u, 5992904u, 3611750u, 268456u, 3180456u,
    4633167u, 6084318u, 7140506u, 3838479u, 5184741u, 5737437u,
    7126227u, 12417u, 5382198u, 8238582u, 89301u, 5867399u,
    1354892u, 7767179u, 1310261u, 2218467u, 458740u, 1921994u,
    4340221u, 3472069u, 6341273u, 1879878u, 818761u, 2178965u,
    1623354u, 6275131u, 2374402u, 2033807u, 7794176u, 1179613u,
    7852436u, 2743411u, 1476985u, 6386371u, 5889092u, 1393159u,
    7872490u, 1187885u, 724804u, 1834526u, 3033742u, 338420u,
    5732423u, 5370669u, 2612853u, 4231948u, 7630840u, 4022750u,
    4399818u, 5811406u, 1615530u, 6657188u, 6715099u, 6352379u,
    7216819u, 3369273u, 4385746u, 11879u, 1370517u, 5360024u,
    5016875u, 8165537u, 7835041u, 770441u, 5274859u, 1103344u,
    7872272u, 553718u, 7520273u, 4949981u, 8240173u, 1514152u,
    2185084u, 5256655u, 6022044u, 2193087u, 3014420u, 1716814u,
    5454363u, 392707u, 303005u, 4849188u, 3974485u, 3773731u,
    6480365u, 781875u, 7325939u, 731434u,
};
const uint32_t mldsa_zetas_inv_shoup[MLDSA_N] = {
    0u, 1830765814u, 2365092098u, 2367190275u, 1640767043u, 1477910808u,
    1612161320u, 1640734243u, 308362794u, 2479442218u, 2920293549u, 3203396735u,
    2365471348u, 515185417u, 4009269832u, 625853734u, 1727305303u, 2082316399u,
    2929984932u, 858240903u, 1806278032u, 222489248u, 3948214631u, 684667771u,
    1654287830u, 3416390375u, 3037299959u, 3546348696u, 329347124u, 1837364258u,
    2851951104u, 3124553156u, 2448829030u, 2663740959u, 2890437836u, 1838055108u,
    1594295555u, 3217993772u, 2396243924u, 3700530862u, 4092966277u, 3818983036u,
    3733539477u, 1797021249u, 3233154047u, 2059733581u, 2633455259u, 3189990749u,
    2544742973u, 3393301206u, 418987549u, 1831915353u, 2369610814u, 992097815u,
    879957084u, 2024403851u, 1484874663u, 2658884505u, 4009578357u, 2311428178u,
    2799830323u, 3344890928u, 2580159827u, 3342528301u, 2720048869u, 3640183937u,
    1350681039u, 2320807961u, 2150987357u, 1651689965u, 1599739334u, 140455867u,
    3009113973u, 3255555953u, 3301961842u, 1955560694u, 2854179456u, 1529189038u,
    568627424u, 2163945417u, 3511832817u, 4047609477u, 3706177079u, 1518161566u,
    289871779u, 4208002123u, 3032963693u, 1708872713u, 2135294594u, 1787797779u,
    3276211771u, 1638590967u, 3405106141u, 4174321107u, 1665705314u, 2625006690u,
    1321868265u, 3378645743u, 1225434134u, 1155548551u, 2510335231u, 2143745726u,
    666258755u, 1210558297u, 675310538u, 3033505406u, 2739026247u, 3976620480u,
    2295461227u, 628664287u, 2795485344u, 2565662728u, 3599787115u, 1422575624u,
    2919790273u, 1424130038u, 1777179795u, 3109636832u, 334803716u, 235321233u,
    4116200996u, 168022240u, 3776715076u, 1206536194u, 1957047970u, 985155484u,
    1146323031u, 3400906712u, 4294068882u, 991903577u, 1363007699u, 746144247u,
    2931507058u, 912367098u, 30313375u, 2874008610u, 3689067252u, 4250273158u,
    3968541936u, 2032221020u, 2027833504u, 1176904444u, 1683520342u, 1904936414u,
    14253661u, 3873414681u, 3777667301u, 1257750361u, 1014493058u, 3476595338u,
    2027935492u, 1926727420u, 863641633u, 1747917558u, 2922348675u, 1931587461u,
    1819892093u, 3969039574u, 128353682u, 1258381762u, 2124962072u, 908452107u,
    3171085633u, 885133338u, 3071365862u, 1851023419u, 137583814u, 1629985059u,
    2374500068u, 3118215576u, 3659512378u, 1967222128u, 2657181979u, 2940438915u,
    3652194384u, 6363717u, 2758378776u, 4222276797u, 45766800u, 3007044496u,
    694382729u, 3980682558u, 671509322u, 1136965286u, 235104446u, 985022746u,
    2224365118u, 1779436847u, 3249905124u, 963438278u, 419615362u, 1116720494u,
    831969619u, 3216007320u, 1216882040u, 1042326957u, 3994518532u, 604552166u,
    4024376807u, 1405999310u, 756955444u, 3273017868u, 3018162168u, 713994583u,
    4034654491u, 608791570u, 371462359u, 940195359u, 1554794072u, 173440394u,
    2937869238u, 2752470159u, 1339088279u, 2168875159u, 3910808762u, 2061661095u,
    2254908606u, 2978348059u, 827959815u, 3411811696u, 3441491108u, 3255596953u,
    3698622823u, 1726753853u, 2247696700u, 6087992u, 702390548u, 2747014591u,
    2571150582u, 4184841204u, 4015461862u, 394851341u, 2703367493u, 565464271u,
    4034542766u, 283780711u, 3854143128u, 2536867379u, 4223092186u, 776003547u,
    1119856484u, 2694037935u, 3086300125u, 1123958025u, 1544891538u, 879867909u,
    2795363369u, 201262505u, 155290192u, 2485210923u, 2036925262u, 1934038751u,
    3321189833u, 400711271u, 3754546870u, 374860237u,
};

void mldsa_poly_reduce(mldsa_poly *a)
{
    for (unsigned i = 0; i < MLDSA_N; i++)
        a->coeffs[i] = mldsa_reduce32(a->coeffs[i]);
    MLDSA_ASSERT_ABS_BOUND(a->coeffs, MLDSA_N, 6283009);
}

void mldsa_poly_caddq(mldsa_poly *a)
{
    MLDSA_ASSERT_BOUND(a->coeffs, MLDSA_N, -MLDSA_Q, MLDSA_Q);
    for (unsigned i = 0; i < MLDSA_N; i++)
        a->coeffs[i] = mldsa_caddq(a->coeffs[i]);
    MLDSA_ASSERT_BOUND(a->coeffs, MLDSA_N, 0, MLDSA_Q);
}

void mldsa_poly_add(mldsa_poly *r, const mldsa_poly *a, const mldsa_poly *b)
{
    for (unsigned i = 0; i < MLDSA_N; i++)
        r->coeffs[i] = a->coeffs[i] + b->coeffs[i];
}

void mldsa_poly_sub(mldsa_poly *r, const mldsa_poly *a, const mldsa_poly *b)
{
    for (unsigned i = 0; i < MLDSA_N; i++)
        r->coeffs[i] = a->coeffs[i] - b->coeffs[i];
}

void mldsa_poly_shiftl(mldsa_poly *a)
{
    MLDSA_ASSERT_BOUND(a->coeffs, MLDSA_N, 0, 1 << 10);
    for (unsigned i = 0; i < MLDSA_N; i++)
        a->coeffs[i] = (int32_t)((uint32_t)a->coeffs[i] << MLDSA_D);
}

/* Shoup multiplication: for x < 2^32 and a twiddle w in [0, q) with
 * wp = floor(w·2^32/q), returns r ≡ x·w (mod q) with 0 <= r < 2q. The
 * quotient estimate is one unsigned 32x32->64 high product and the rest is
 * arithmetic modulo 2^32 — the shape SSE2's pmuludq handles, so the compiler
 * vectorises the layers without any target-specific code. */
static inline uint32_t mul_shoup(uint32_t x, uint32_t w, uint32_t wp)
{
    uint32_t qhat = (uint32_t)(((uint64_t)x * wp) >> 32);
    return x * w - qhat * (uint32_t)MLDSA_Q;
}

/* Subtracts m once when x >= m (x < 2m); branch-free. */
static inline uint32_t csub(uint32_t x, uint32_t m)
{
    uint32_t d = x - m;
    return d + (m & (uint32_t)-(int32_t)(d >> 31));
}

/* One Cooley-Tukey layer in Harvey's lazy form: inputs and outputs in
 * [0, 4q); x is brought below 2q, t = ζ·y is below 2q, so x + t and
 * x - t + 2q stay below 4q < 2^32. */
static inline void ntt_layer(uint32_t a[MLDSA_N], unsigned len, unsigned k)
{
    for (unsigned start = 0; start < MLDSA_N; start += 2 * len, k++) {
        const uint32_t w = mldsa_zetas[k], wp = mldsa_zetas_shoup[k];
        for (unsigned j = start; j < start + len; j++) {
            uint32_t x = csub(a[j], 2 * MLDSA_Q);
            uint32_t t = mul_shoup(a[j + len], w, wp);
            a[j] = x + t;
            a[j + len] = x - t + 2 * MLDSA_Q;
        }
    }
}

void mldsa_poly_ntt(mldsa_poly *a)
{
    uint32_t *u = (uint32_t *)a->coeffs;
    MLDSA_ASSERT_ABS_BOUND(a->coeffs, MLDSA_N, MLDSA_Q);
    /* Shift (-q, q) to (0, 2q): the lazy butterflies work on unsigned values. */
    for (unsigned j = 0; j < MLDSA_N; j++)
        u[j] = (uint32_t)(a->coeffs[j] + MLDSA_Q);
    /* Eight layers, len = 128 ... 1 (FIPS 204 Algorithm 41, lines 5-13);
     * layer with block length len uses twiddles k = 128/len ... 256/len - 1. */
#ifdef MLDSA_HAVE_AVX2_CODE
    if (mldsa_use_avx2()) {
        mldsa_ntt_avx2(u);
        MLDSA_ASSERT_BOUND(a->coeffs, MLDSA_N, 0, 4 * MLDSA_Q);
        return;
    }
#endif
    ntt_layer(u, 128, 1);
    ntt_layer(u, 64, 2);
    ntt_layer(u, 32, 4);
    ntt_layer(u, 16, 8);
    ntt_layer(u, 8, 16);
    ntt_layer(u, 4, 32);
    ntt_layer(u, 2, 64);
    ntt_layer(u, 1, 128);
    MLDSA_ASSERT_BOUND(a->coeffs, MLDSA_N, 0, 4 * MLDSA_Q);
}

/* One Gentleman-Sande layer, lazy: inputs and outputs in [0, 2q). The sum is
 * reduced by one conditional subtraction, the difference (plus 2q) goes
 * through a Shoup product with -ζ. */
static inline void invntt_layer(uint32_t a[MLDSA_N], unsigned len, unsigned k)
{
    for (unsigned start = 0; start < MLDSA_N; start += 2 * len, k--) {
        const uint32_t w = mldsa_zetas_inv[k], wp = mldsa_zetas_inv_shoup[k];
        for (unsigned j = start; j < start + len; j++) {
            uint32_t x = a[j], y = a[j + len];
            a[j] = csub(x + y, 2 * MLDSA_Q);
            a[j + len] = mul_shoup(x - y + 2 * MLDSA_Q, w, wp);
        }
    }
}

/* f and its Shoup companion: 256^-1 times 1 or 2^32, mod q. */
static void invntt_scaled(mldsa_poly *a, uint32_t f, uint32_t fp)
{
    uint32_t *u = (uint32_t *)a->coeffs;
    MLDSA_ASSERT_BOUND(a->coeffs, MLDSA_N, -MLDSA_Q, MLDSA_Q);
    for (unsigned j = 0; j < MLDSA_N; j++)
        u[j] = (uint32_t)(a->coeffs[j] + MLDSA_Q); /* [0, 2q) */
    /* Algorithm 42: len = 1 ... 128, twiddles walked from k = 255 down. */
#ifdef MLDSA_HAVE_AVX2_CODE
    if (mldsa_use_avx2()) {
        mldsa_invntt_avx2(u, f, fp);
        MLDSA_ASSERT_BOUND(a->coeffs, MLDSA_N, -MLDSA_Q, MLDSA_Q);
        return;
    }
#endif
    invntt_layer(u, 1, 255);
    invntt_layer(u, 2, 127);
    invntt_layer(u, 4, 63);
    invntt_layer(u, 8, 31);
    invntt_layer(u, 16, 15);
    invntt_layer(u, 32, 7);
    invntt_layer(u, 64, 3);
    invntt_layer(u, 128, 1);
    /* Line 21's factor 256^-1 (with the requested power of 2^32), then the
     * result moved from [0, 2q) to [-q, q). */
    for (unsigned j = 0; j < MLDSA_N; j++)
        a->coeffs[j] = (int32_t)mul_shoup(u[j], f, fp) - MLDSA_Q;
    MLDSA_ASSERT_BOUND(a->coeffs, MLDSA_N, -MLDSA_Q, MLDSA_Q);
}

void mldsa_poly_invntt_tomont(mldsa_poly *a)
{
    invntt_scaled(a, 16382u, 8395782u); /* 2^32 / 256 mod q */
}

void mldsa_poly_invntt(mldsa_poly *a)
{
    invntt_scaled(a, 8347681u, 4278190082u); /* 1 / 256 mod q */
}

void mldsa_poly_pointwise_montgomery(mldsa_poly *r, const mldsa_poly *a, const mldsa_poly *b)
{
    MLDSA_ASSERT_BOUND(a->coeffs, MLDSA_N, 0, 4 * MLDSA_Q);
    MLDSA_ASSERT_BOUND(b->coeffs, MLDSA_N, 0, 4 * MLDSA_Q);
#ifdef MLDSA_HAVE_AVX2_CODE
    if (mldsa_use_avx2()) {
        mldsa_pointwise_avx2(r->coeffs, a->coeffs, b->coeffs);
        MLDSA_ASSERT_BOUND(r->coeffs, MLDSA_N, -MLDSA_Q, MLDSA_Q);
        return;
    }
#endif
    for (unsigned i = 0; i < MLDSA_N; i++)
        r->coeffs[i] = mldsa_montgomery_reduce_u((uint64_t)(uint32_t)a->coeffs[i] *
                                                 (uint32_t)b->coeffs[i]);
    MLDSA_ASSERT_BOUND(r->coeffs, MLDSA_N, -MLDSA_Q, MLDSA_Q);
}

int mldsa_poly_chknorm(const mldsa_poly *a, int32_t bound)
{
    /* |a_i| >= bound  <=>  bound - 1 - |a_i| < 0; the sign bits are OR-ed
     * together so the time does not depend on where (or whether) it fails. */
    uint32_t bad = 0;
    for (unsigned i = 0; i < MLDSA_N; i++) {
        int32_t c = a->coeffs[i];
        int32_t m = c >> 31;
        int32_t absc = (c ^ m) - m;
        bad |= (uint32_t)(bound - 1 - absc);
    }
    return (int)(bad >> 31);
}
