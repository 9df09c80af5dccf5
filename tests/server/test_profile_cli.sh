#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_profile_cli.sh — TPM profiles on the command lines (issue 10 item 9,
# docs/SERVER.md "Profiles"): qtpm-server --profile on a new state, the
# same under the name tpm_server with IBM's options, the profile reported
# in GetCapability(TPM_CAP_VENDOR_PROPERTY), a restart with another profile
# refused with the state file untouched, a bad profile a usage error, and
# qtpm-manufacture --profile: making an in-process (engine:DIR) TPM with it,
# checking it on a TPM behind mssim, refusing a TPM that reports none (swtpm).
#
#   test_profile_cli.sh QTPM_SERVER QTPM_MANUFACTURE
set -u
server=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
mfg=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/servers.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-profile.XXXXXX")
pid=
trap 'stop_servers $pid; rm -rf "$tmp"' EXIT
failures=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; failures=$((failures + 1)); }
port=$(python3 "$here/../lib/freeport.py")

# profile_of PORT: "KIND NAME" from the vendor property (mssim protocol)
profile_of() {
    PYTHONPATH="$here" python3 -c '
import struct, sys, tpmraw
t = tpmraw.Tpm("mssim", int(sys.argv[1]))
t.cmd(tpmraw.command(0x8001, 0x144, [], b"", struct.pack(">H", 0)))
rsp = t.cmd(tpmraw.command(0x8001, 0x17A, [], b"", struct.pack(">III", 0x100, 0, 8)))
if tpmraw.rc_of(rsp) != 0:
    sys.exit("GetCapability: 0x%x" % tpmraw.rc_of(rsp))
n = struct.unpack(">I", rsp[15:19])[0]
v = struct.unpack(">%dI" % n, rsp[19:19 + 4 * n])
name = b"".join(struct.pack(">I", w) for w in v[1:5]).rstrip(b"\0").decode()
print(v[0], name)' "$1"
}

# start ARGS...: the server on $port in the background; 0 once it listens
start() {
    "$server" --mssim --port "$port" "$@" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    wait_port "$port" "$pid"
}
stop() { stop_servers $pid; pid=; }

st=$tmp/state
if start --state "$st" --profile compat-tss3; then
    got=$(profile_of "$port")
    [ "$got" = "2 compat-tss3" ] && ok "a new TPM has profile compat-tss3" || bad "vendor property: $got"
else
    bad "qtpm-server --profile compat-tss3 did not start: $(cat "$tmp/err")"
fi
stop
cp "$st/state" "$tmp/state.before"

# another profile on the stored TPM: refused, exit 1, state untouched
"$server" --mssim --port "$port" --state "$st" --profile default >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && ok "another profile: exit 1" || bad "another profile: exit $rc"
grep -q "manufactured with profile compat-tss3, not default" "$tmp/err" &&
    ok "the refusal names both profiles" || bad "refusal message: $(cat "$tmp/err")"
cmp -s "$st/state" "$tmp/state.before" && ok "the state file is untouched" || bad "the state changed"

# no --profile, or the same one: the stored profile
for args in "" "--profile compat-tss3"; do
    # shellcheck disable=SC2086
    if start --state "$st" $args; then
        got=$(profile_of "$port")
        [ "$got" = "2 compat-tss3" ] && ok "restart ${args:-without --profile} keeps compat-tss3" ||
            bad "restart ${args:-without --profile}: $got"
    else
        bad "restart ${args:-without --profile} did not start: $(cat "$tmp/err")"
    fi
    stop
done

# a state from before profiles is read as default (the unit test
# test_engine_profile builds one); --rm makes a new TPM with a new profile
if start --state "$st" --rm --profile default; then
    got=$(profile_of "$port")
    [ "$got" = "1 default" ] && ok "--rm --profile default: a new default TPM" || bad "after --rm: $got"
else
    bad "--rm --profile default did not start: $(cat "$tmp/err")"
fi
stop

# tpm_server, as test harnesses start it: IBM's options plus -profile
ln -s "$server" "$tmp/tpm_server"
(cd "$tmp" && mkdir -p ibm && cd ibm && "$tmp/tpm_server" -port "$port" -rm -profile compat-tss3 \
    >"$tmp/out" 2>"$tmp/err") &
pid=$!
if wait_port "$port" "$pid"; then
    got=$(profile_of "$port")
    [ "$got" = "2 compat-tss3" ] && ok "tpm_server -rm -profile compat-tss3" || bad "tpm_server: $got"
else
    bad "tpm_server -profile did not start: $(cat "$tmp/err")"
fi
stop

# custom, in memory; a bad profile is a usage error (exit 2) before any state
if start --memory --profile '{"Name":"custom","Algorithms":"null,sha256,ecc,ecdsa,aes,cfb"}'; then
    got=$(profile_of "$port")
    [ "$got" = "3 custom" ] && ok "a custom profile" || bad "custom: $got"
else
    bad "custom profile did not start: $(cat "$tmp/err")"
fi
stop
for p in nosuch '{"Name":"custom","Algorithms":"sha1"}' '{"Name":"custom"'; do
    "$server" --mssim --port "$port" --state "$tmp/never" --profile "$p" >/dev/null 2>"$tmp/err"
    rc=$?
    [ $rc -eq 2 ] && grep -q "bad --profile" "$tmp/err" && [ ! -e "$tmp/never/state" ] &&
        ok "bad profile $p: exit 2, no state" || bad "bad profile $p: exit $rc, $(cat "$tmp/err")"
done

# qtpm-manufacture --profile: makes an engine:DIR TPM with the profile
ca=$tmp/ca
"$mfg" --tcti "engine:$tmp/eng" --ca-dir "$ca" --alg ecc256 --profile compat-tss3 >"$tmp/out" 2>&1 &&
    ok "qtpm-manufacture --profile compat-tss3 (engine:DIR)" || bad "qtpm-manufacture: $(cat "$tmp/out")"
"$mfg" --tcti "engine:$tmp/eng" --ca-dir "$ca" --alg ecc256 --profile default >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "manufactured with profile compat-tss3" "$tmp/out" &&
    ok "qtpm-manufacture refuses another profile" || bad "qtpm-manufacture other profile: exit $rc"
if start --state "$tmp/eng"; then
    got=$(profile_of "$port")
    [ "$got" = "2 compat-tss3" ] && ok "qtpm-server serves the manufactured TPM's profile" ||
        bad "served engine state: $got"
    # a TPM behind a socket: --profile checks what it reports before any EK
    "$mfg" --tcti "mssim:host=127.0.0.1,port=$port" --ca-dir "$ca" --alg ecc256 \
        --profile default >"$tmp/out" 2>&1
    rc=$?
    [ $rc -eq 1 ] && grep -q "the TPM has profile compat-tss3, not default" "$tmp/out" &&
        ok "qtpm-manufacture over mssim refuses a TPM of another profile" ||
        bad "mssim + --profile default: exit $rc, $(cat "$tmp/out")"
    "$mfg" --tcti "mssim:host=127.0.0.1,port=$port" --ca-dir "$ca" --alg ecc256 \
        --profile compat-tss3 >"$tmp/out" 2>&1 &&
        ok "qtpm-manufacture over mssim with the TPM's own profile" ||
        bad "mssim + --profile compat-tss3: $(cat "$tmp/out")"
else
    bad "qtpm-server on the manufactured state: $(cat "$tmp/err")"
fi
stop
# swtpm reports no profile: --profile cannot be checked there
if command -v swtpm >/dev/null; then
    mkdir -p "$tmp/sw"
    swtpm socket --tpm2 --tpmstate dir="$tmp/sw" --flags not-need-init \
        --server type=tcp,port="$port",bindaddr=127.0.0.1 \
        --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 >/dev/null 2>&1 &
    pid=$!
    if wait_port "$port" "$pid"; then
        "$mfg" --tcti "swtpm:host=127.0.0.1,port=$port" --ca-dir "$ca" --alg ecc256 \
            --profile compat-tss3 >"$tmp/out" 2>&1
        rc=$?
        [ $rc -eq 1 ] && grep -q "reports no profile" "$tmp/out" &&
            ok "qtpm-manufacture --profile on swtpm: no profile to check, exit 1" ||
            bad "swtpm + --profile: exit $rc, $(cat "$tmp/out")"
    else
        bad "swtpm did not start"
    fi
    stop
fi

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all profile command-line checks passed"
