# SPDX-License-Identifier: BSD-2-Clause
# test_loops.sh — loops over everything the TPM advertises, as users'
# scripts do (issue 10 item 10): every hash algorithm `tpm2_getcap
# algorithms` lists × every object type it lists, through createprimary,
# create (and a use of the key), import and duplicate with each tool's
# default options; every PCR bank `tpm2_getcap pcrs` lists through extend,
# read and quote; every NV index type through define, write, read and its
# own operation, with sampled attributes. It runs against qtpm-server in
# the compat-tss3 profile (run-with-server.sh) over mssim, swtpm and
# tpm2-abrmd, and against swtpm as the reference: a TPM that lists what
# tpm2-tss 3.2.1 cannot use fails here.
#
# Where a tool's default options are refused, both TPMs must refuse them
# with the code the spec gives, checked with fail_rc.
. "$QTPM_INTEROP_LIB"
here=$(dirname "$QTPM_INTEROP_LIB")
caps() { python3 "$here/caps.py" "$@"; }
run tpm2_startup -c
run tpm2_getcap algorithms >algs.yaml
run tpm2_getcap pcrs >pcrs.yaml
hashes=$(caps hashes algs.yaml)
objects=$(caps objects algs.yaml)
banks=$(caps listed pcrs.yaml)
allocated=$(caps banks pcrs.yaml)
echo "hashes: $hashes; objects: $objects; PCR banks: $banks (allocated: $allocated)"
check -t tpm2_getcap "the TPM lists hash algorithms" -n "$hashes"
check -t tpm2_getcap "the TPM lists object types" -n "$objects"
check -t tpm2_getcap "the TPM lists PCR banks" -n "$allocated"

# digest HASH HEX...: the digest of the concatenated hex strings with a hash
# tpm2-tools names (sha1, sha256, ...), as hex.
digest() {
    _h=$1
    shift
    printf '%s' "$@" | python3 -c 'import hashlib, sys
print(hashlib.new(sys.argv[1], bytes.fromhex(sys.stdin.read())).hexdigest())' "$_h"
}
# runf ARGS: run, then flush every transient object. tpm2-tools keep keys
# in context files and leave what they loaded in the TPM; swtpm has three
# object slots. (tpm2-abrmd flushes a client's objects itself.)
runf() {
    run "$@"
    tpm2_flushcontext -t >/dev/null 2>&1 || true
}

# External keys for tpm2_import, made once.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ext-rsa.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ext-ecc.pem 2>/dev/null
head -c 16 /dev/urandom >ext-aes.bin
head -c 32 /dev/urandom >ext-hmac.bin
printf 'a message to sign' >msg.dat

# attributes of a duplicable key of each type: what tpm2_create sets by
# default, without fixedTPM/fixedParent (Part 3 §13.1: Duplicate needs both
# CLEAR) and authorized by a policy for Duplicate
dup_attrs() {
    case $1 in
    hmac) echo "sensitivedataorigin|userwithauth|sign" ;;
    *) echo "sensitivedataorigin|userwithauth|decrypt|sign" ;;
    esac
}

for h in $hashes; do
    # ---- createprimary: the default storage key with nameAlg h, then a
    # primary of each type
    runf tpm2_createprimary -C o -g "$h" -c prim.ctx >/dev/null
    for t in $objects; do
        case $t in
        unknown:*)
            # tpm2-tools 5.4 has no name for it (ML-KEM, ML-DSA: the
            # qtpm CLI's tests cover those); nothing a tpm2-tools script
            # can loop over
            continue ;;
        hmac)
            # the default attributes make a restricted decryption key,
            # which a keyed hash with the HMAC scheme cannot be (Part 3
            # §24.1 and §12.1: TPM_RC_SCHEME, inPublic = parameter 2)
            fail_rc 0x2D2 tpm2_createprimary -C o -g "$h" -G hmac -c p2.ctx
            runf tpm2_createprimary -C o -g "$h" -G hmac -c p2.ctx \
                -a "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign" >/dev/null ;;
        *)
            runf tpm2_createprimary -C o -g "$h" -G "$t" -c p2.ctx >/dev/null ;;
        esac
        
        # ---- create under the storage primary, load, use
        runf tpm2_create -C prim.ctx -g "$h" -G "$t" -u k.pub -r k.priv >/dev/null
        runf tpm2_load -C prim.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
        case $t in
        rsa|ecc)
            runf tpm2_sign -c k.ctx -g "$h" -o sig.dat msg.dat
            runf tpm2_verifysignature -c k.ctx -g "$h" -m msg.dat -s sig.dat ;;
        hmac)
            # -G hmac makes an HMAC-SHA256 key whatever its nameAlg; another
            # hashAlg than the key's scheme is TPM_RC_VALUE (Part 3 §15.5,
            # hashAlg = parameter 2)
            runf tpm2_hmac -c k.ctx -o mac.dat msg.dat
            check -t tpm2_hmac "an HMAC-SHA256 is 32 bytes" "$(wc -c <mac.dat)" -eq 32
            [ "$h" = sha256 ] || fail_rc 0x2C4 tpm2_hmac -c k.ctx -g "$h" -o mac.dat msg.dat ;;
        aes)
            head -c 32 /dev/urandom >plain.dat
            runf tpm2_encryptdecrypt -c k.ctx -o enc.dat plain.dat
            runf tpm2_encryptdecrypt -d -c k.ctx -o dec.dat enc.dat
            cmp plain.dat dec.dat ;;
        esac
        
        # ---- import of an external key
        case $t in
        rsa|ecc) ext=ext-$t.pem ;;
        *) ext=ext-$t.bin ;;
        esac
        runf tpm2_import -C prim.ctx -G "$t" -g "$h" -i "$ext" -u i.pub -r i.priv >/dev/null
        runf tpm2_load -C prim.ctx -u i.pub -r i.priv -c i.ctx >/dev/null
        
        # ---- duplicate (Part 3 §13.1) to the storage primary, import back
        runf tpm2_startauthsession -S s.ctx -g "$h"
        runf tpm2_policycommandcode -S s.ctx -L dpol.dat TPM2_CC_Duplicate >/dev/null
        run tpm2_flushcontext s.ctx
        runf tpm2_create -C prim.ctx -g "$h" -G "$t" -u d.pub -r d.priv -L dpol.dat \
            -a "$(dup_attrs "$t")" >/dev/null
        runf tpm2_load -C prim.ctx -u d.pub -r d.priv -c d.ctx >/dev/null
        runf tpm2_readpublic -c prim.ctx -o prim.pub >/dev/null
        runf tpm2_startauthsession --policy-session -S s.ctx -g "$h"
        runf tpm2_policycommandcode -S s.ctx TPM2_CC_Duplicate >/dev/null
        runf tpm2_duplicate -C prim.ctx -c d.ctx -G null -p session:s.ctx -r dup.priv -s dup.seed
        run tpm2_flushcontext s.ctx
                runf -t tpm2_duplicate tpm2_import -C prim.ctx -u d.pub -i dup.priv -r d2.priv -s dup.seed \
            >/dev/null
        runf -t tpm2_duplicate tpm2_load -C prim.ctx -u d.pub -r d2.priv -c d2.ctx >/dev/null
            done
    done

# ---- every PCR bank: one PCR_Extend with a digest for each bank listed,
# as `tpm2_pcrextend` users build it from `tpm2_getcap pcrs` (Part 3 §22.2:
# banks that are not allocated are ignored), then read and quote each
# allocated bank
runf tpm2_pcrreset 16
spec=
for b in $banks; do
    d=$(digest "$b" "$(printf '%s' "$b" | od -An -tx1 | tr -d ' \n')")
    spec=${spec:+$spec,}$b=$d
done
runf tpm2_pcrextend "16:$spec"
runf tpm2_createprimary -C o -G ecc -c ak.ctx \
    -a "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign" >/dev/null
runf tpm2_readpublic -c ak.ctx -f pem -o ak.pem >/dev/null
for b in $allocated; do
    d=$(digest "$b" "$(printf '%s' "$b" | od -An -tx1 | tr -d ' \n')")
    zeros=$(digest "$b" | sed 's/./0/g')
    runf tpm2_pcrread "$b:16" -o pcr.bin >/dev/null
    check -t tpm2_pcrextend "PCR 16 of bank $b is H(0 || d) after one extend" \
        "$(hexof pcr.bin)" = "$(digest "$b" "$zeros" "$d")"
    # Part 3 §18.4 Quote with the bank's hash as the signing hash too
    runf tpm2_quote -c ak.ctx -l "$b:16,23" -q 0102030405060708 -g "$b" -m quote.msg \
        -s quote.sig -o quote.pcrs >/dev/null
    runf -t tpm2_quote tpm2_checkquote -u ak.pem -m quote.msg -s quote.sig -f quote.pcrs \
        -g "$b" -q 0102030405060708 >/dev/null
done

# ---- every NV type (Part 2 §13.4 TPM_NT) × sampled attributes: owner
# authorization, the index's own authValue, or an index the platform
# defines and authorizes (Part 3 §31.3: TPMA_NV_PLATFORMCREATE)
idx=0x1500100
for set in owner index platform; do
    # the attributes, the -C/-P of reads and writes, the -C of define/undefine
    case $set in
    owner) attrs="ownerread|ownerwrite" a="-C o" c=o ;;
    index) attrs="authread|authwrite|no_da" a="-C $idx -P nvpass" c=o ;;
    platform) attrs="ppread|ppwrite|platformcreate" a="-C p" c=p ;;
    esac
    # ordinary
    head -c 16 /dev/urandom >nv.dat
    run tpm2_nvdefine "$idx" -C "$c" -s 16 -p nvpass -a "$attrs" >/dev/null
    run tpm2_nvwrite "$idx" $a -i nv.dat
    run tpm2_nvread "$idx" $a -s 16 -o nv.rd
    cmp nv.dat nv.rd
    run tpm2_nvundefine "$idx" -C "$c"
    # counter: NV_Increment adds one (Part 3 §31.8)
    run tpm2_nvdefine "$idx" -C "$c" -p nvpass -a "nt=counter|$attrs" >/dev/null
    run tpm2_nvincrement "$idx" $a
    run tpm2_nvread "$idx" $a -s 8 -o c1.rd
    run tpm2_nvincrement "$idx" $a
    run tpm2_nvread "$idx" $a -s 8 -o c2.rd
    c1=$(hexof c1.rd) c2=$(hexof c2.rd)
    check -t tpm2_nvincrement "the counter went from $c1 up by one to $c2" \
        "$(printf '%d' 0x$c2)" -eq "$(($(printf '%d' 0x$c1) + 1))"
    run tpm2_nvundefine "$idx" -C "$c"
    # bits: NV_SetBits ORs (Part 3 §31.10)
    run tpm2_nvdefine "$idx" -C "$c" -p nvpass -a "nt=bits|$attrs" >/dev/null
    run tpm2_nvsetbits "$idx" $a -i 0x5
    run tpm2_nvsetbits "$idx" $a -i 0x8000000000000010
    run tpm2_nvread "$idx" $a -s 8 -o bits.rd
    check -t tpm2_nvsetbits "NV_SetBits ORs the bits" "$(hexof bits.rd)" = 8000000000000015
    run tpm2_nvundefine "$idx" -C "$c"
    # extend, with every hash as the index's nameAlg (Part 3 §31.9:
    # H_nameAlg(old || data))
    printf 'measured' >ext.dat
    for h in $hashes; do
        run tpm2_nvdefine "$idx" -C "$c" -g "$h" -p nvpass -a "nt=extend|$attrs" >/dev/null
        run tpm2_nvextend "$idx" $a -i ext.dat
        run tpm2_nvread "$idx" $a -o ext.rd
        zeros=$(digest "$h" | sed 's/./0/g')
        check -t tpm2_nvextend "an extend index with $h is H(0 || data)" \
            "$(hexof ext.rd)" = "$(digest "$h" "$zeros" "$(hexof ext.dat)")"
        run tpm2_nvundefine "$idx" -C "$c"
    done
done
# PIN Pass and PIN Fail (Part 3 §31.3: no AUTHWRITE; PIN Fail needs NO_DA);
# the owner writes {pinCount 0, pinLimit 3}, one use of the PIN through
# PolicySecret counts on PIN Pass and clears on PIN Fail (Part 1 "PIN Pass /
# PIN Fail index")
printf '\000\000\000\000\000\000\000\003' >pin.dat
for kind in pinpass pinfail; do
    for attrs in "ownerread|ownerwrite|no_da" "ownerread|ownerwrite|authread|no_da"; do
        run tpm2_nvdefine "$idx" -C o -p pin -a "nt=$kind|$attrs" >/dev/null
        run tpm2_nvwrite "$idx" -C o -i pin.dat
        run tpm2_startauthsession -S ps.ctx --policy-session
        run -t tpm2_nvdefine tpm2_policysecret -S ps.ctx -c "$idx" pin >/dev/null
        run tpm2_flushcontext ps.ctx
        run tpm2_nvread "$idx" -C o -o pin.rd
        case $kind in
        pinpass) want=0000000100000003 ;;
        pinfail) want=0000000000000003 ;;
        esac
        check -t tpm2_nvdefine "$kind ($attrs) after one use of the PIN" "$(hexof pin.rd)" = "$want"
        run tpm2_nvundefine "$idx" -C o
    done
done
