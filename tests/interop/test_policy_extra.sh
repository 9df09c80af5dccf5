# SPDX-License-Identifier: BSD-2-Clause
# test_policy_extra.sh — the remaining policy assertions, each computed in a
# trial session and compared with the digest of a real session that satisfied
# it (tpm2_getpolicydigest): PolicyLocality, PolicyNV, PolicyCounterTimer;
# PolicyNameHash and PolicyTemplate in trial sessions; and the two-phase ECC
# tools (commit, ecephemeral).
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_nvdefine 0x1500040 -C o -s 8 -a "ownerread|ownerwrite|authread|authwrite" >/dev/null
printf '\000\000\000\000\000\000\000\052' >nv.dat
run tpm2_nvwrite 0x1500040 -C o -i nv.dat
printf '\000\000\000\000\000\000\000\052' >operand.dat

for kind in locality nv countertimer; do
    for mode in trial real; do
        if [ $mode = trial ]; then
            run tpm2_startauthsession -S s.ctx
        else
            run tpm2_startauthsession --policy-session -S s.ctx
        fi
        case $kind in
        locality) run tpm2_policylocality -S s.ctx -L $kind.$mode zero >/dev/null ;;
        nv) run tpm2_policynv -S s.ctx -i operand.dat -C o -L $kind.$mode 0x1500040 eq >/dev/null ;;
        countertimer) run tpm2_policycountertimer -S s.ctx -L $kind.$mode --ult clock=0xffffffffffff >/dev/null ;;
        esac
        run tpm2_getpolicydigest -S s.ctx -o $kind.$mode.digest
        run tpm2_flushcontext s.ctx
    done
    cmp $kind.trial.digest $kind.real.digest
done

# Name-based assertions, in trial sessions (their real use needs the command).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out signer.pem 2>/dev/null
openssl pkey -in signer.pem -pubout -out signer.pub.pem 2>/dev/null
run tpm2_loadexternal -G ecc -C o -u signer.pub.pem -c signer.ctx -n signer.name >/dev/null
run tpm2_flushcontext -t
python3 -c 'import hashlib, sys
open(sys.argv[2], "wb").write(hashlib.sha256(open(sys.argv[1], "rb").read()).digest())' \
    signer.name names.digest

for kind in namehash template; do
    run tpm2_startauthsession -S s.ctx
    case $kind in
    namehash) run tpm2_policynamehash -S s.ctx -n names.digest -L $kind.trial >/dev/null ;;
    template) run tpm2_policytemplate -S s.ctx --template-hash names.digest -L $kind.trial >/dev/null ;;
    esac
    run tpm2_flushcontext s.ctx
done

run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_create -C primary.ctx -G ecc256:ecdaa -u daa.pub -r daa.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u daa.pub -r daa.priv -c daa.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_commit -c daa.ctx -t commit.count --eccpoint-K K.bin --eccpoint-L L.bin -u E.bin >/dev/null
run tpm2_flushcontext -t
run tpm2_ecephemeral -u Q.bin -t eph.count ecc256
run tpm2_nvundefine 0x1500040 -C o
