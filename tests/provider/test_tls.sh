#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_tls.sh MODULE_DIR — qtpm-provider in Debian's own programs:
#   1. openssl s_server + s_client negotiate each of the four groups (the
#      client's -trace shows the group's code point and the server share's
#      length in the ServerHello; data goes through: s_server -rev echoes it
#      reversed, which only works if both sides derived the same secret);
#      the provider loaded with -provider on one side and openssl.cnf on
#      the other;
#   2. curl (OpenSSL flavour, OPENSSL_CONF) with --curves X25519MLKEM768,
#      and with the group configured in openssl.cnf (no curl option);
#   3. a peer offering only X25519 against a hybrid-only server: a clean
#      handshake_failure, and the server still serves the next client;
#      3b. a HelloRetryRequest from X25519 to X25519MLKEM768; TLS 1.2 with
#      only provider groups gets no handshake;
#   4. no provider where one is needed (none configured, or openssl.cnf
#      naming a missing module): s_client and curl fail with a message (no
#      silent fallback to a classic group);
#   5. malformed key shares of many wrong lengths and contents
#      (bad_share.py): alerts, never a ServerHello, server stays up;
#   5b. the client side (bad_reply.py): a fake server's ServerHello with a
#      ciphertext of a wrong length or a bad ECDH part — s_client sends an
#      alert and exits non-zero, never a crash;
#   6. headless Chromium (CHROMIUM, BoringSSL's own X25519MLKEM768, offered
#      by default) loads a page from s_server offering only X25519MLKEM768:
#      an implementation independent of ours agrees on the layout.
# Servers are killed on exit (trap); every wait is bounded.
set -u
MODDIR=$1
CHROMIUM=${2:-}
# In a sanitizer build the module is instrumented and Debian's programs are
# not: CMake passes the sanitizer runtime in QTPM_TEST_PRELOAD, and openssl
# and curl run with it preloaded (leak checking off: their own allocations
# are not ours; test_provider_kem checks the provider's). Python and
# Chromium never load the module and run without it.
SAN=env
if [ -n "${QTPM_TEST_PRELOAD:-}" ]; then
    SAN="env LD_PRELOAD=$QTPM_TEST_PRELOAD ASAN_OPTIONS=detect_leaks=0"
fi
py() { python3 "$@"; }
HERE=$(cd "$(dirname "$0")" && pwd)
FREEPORT="$HERE/../lib/freeport.py"
W=$(mktemp -d)
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    rm -rf "$W"
}
trap cleanup EXIT INT TERM
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { echo "ok:   $*"; }

P="-provider-path $MODDIR -provider default -provider qtpm"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/key.pem" \
    -out "$W/cert.pem" -subj /CN=localhost -days 2 2>/dev/null || { echo "no certificate"; exit 1; }
cat > "$W/qtpm.cnf" <<CNF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
qtpm = qtpm_sect
[default_sect]
activate = 1
[qtpm_sect]
module = $MODDIR/qtpm.so
activate = 1
CNF
# The same, and the TLS groups every program using the default context offers.
cat "$W/qtpm.cnf" > "$W/groups.cnf"
cat >> "$W/groups.cnf" <<CNF
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Groups = X25519MLKEM768:X25519
CNF
# (OpenSSL's config parser merges the two [openssl_init] sections.)
# The first one again, naming a module that is not there.
sed "s|^module = .*|module = $W/missing/qtpm.so|" "$W/qtpm.cnf" >"$W/missing.cnf"

# start_server NAME ARGS...: s_server on a fresh port in the background;
# sets PORT and SRVLOG, waits (≤ 5 s) until it accepts.
start_server() {
    name=$1; shift
    PORT=$(py "$FREEPORT")
    SRVLOG="$W/$name.srv"
    $SAN openssl s_server -accept 127.0.0.1:$PORT -cert "$W/cert.pem" -key "$W/key.pem" "$@" \
        >"$SRVLOG" 2>&1 </dev/null &
    PIDS="$PIDS $!"
    i=0
    while ! grep -q ACCEPT "$SRVLOG" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 50 ] && { fail "$name: server did not start"; return 1; }
        sleep 0.1
    done
}
stop_server() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
last_pid() { echo "$PIDS" | awk '{print $NF}'; }

# The last ServerHello's key_share in an s_client -trace log: "ID LEN".
serverhello_group() {
    awk '/ServerHello, Length=/ {sh=1; id=""; len=""} /ClientHello, Length=/ {sh=0}
         sh && /NamedGroup:/ {gsub(/.*\(|\).*/, ""); id=$0}
         sh && /key_exchange:/ {l=$0; sub(/.*len=/, "", l); sub(/\).*/, "", l); len=l}
         END {print id, len}' "$1"
}

# ---- 1. the four groups, openssl to openssl --------------------------------
for spec in X25519MLKEM768:4588:1120 SecP256r1MLKEM768:4587:1153 MLKEM768:513:1088 \
            MLKEM1024:514:1568; do
    g=${spec%%:*}; rest=${spec#*:}; id=${rest%%:*}; len=${rest#*:}
    start_server "$g" $P -groups "$g" -tls1_3 -rev -naccept 1 || continue
    sp=$(last_pid)
    msg="qtpm-$g-$$"
    (echo "$msg"; sleep 1) | OPENSSL_CONF="$W/qtpm.cnf" timeout 15 $SAN openssl s_client \
        -connect 127.0.0.1:$PORT -groups "$g" -tls1_3 -trace >"$W/$g.cli" 2>&1
    rc=$?
    got=$(serverhello_group "$W/$g.cli")
    rev=$(printf %s "$msg" | rev)
    if [ $rc -ne 0 ]; then fail "$g: s_client exit $rc"; tail -5 "$W/$g.cli"
    elif [ "$got" != "$id $len" ]; then fail "$g: ServerHello key_share '$got', want '$id $len'"
    elif ! grep -q "Cipher is TLS_" "$W/$g.cli"; then fail "$g: no TLS 1.3 cipher"
    elif ! grep -aq "$rev" "$W/$g.cli"; then fail "$g: data did not come back"
    elif ! grep -q "Supported groups: $g" "$SRVLOG"; then fail "$g: server did not see the group"
    else pass "$g: s_client (openssl.cnf) <-> s_server (-provider), code point $id, server share $len bytes, data through"
    fi
    stop_server "$sp"
done

# ---- 2. curl ------------------------------------------------------------------
# (Not in a sanitizer build: curl with the sanitizer runtime preloaded hangs
# before it connects, with or without the provider; the normal build runs it.)
if [ -n "${QTPM_TEST_PRELOAD:-}" ]; then
    echo "skip: curl in the sanitizer build (covered by the normal build)"
else
start_server curl $P -groups X25519MLKEM768 -tls1_3 -www -trace && {
    sp=$(last_pid)
    OPENSSL_CONF="$W/qtpm.cnf" timeout 15 $SAN curl -sk --curves X25519MLKEM768 \
        "https://127.0.0.1:$PORT/" >"$W/curl1.out" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then fail "curl --curves X25519MLKEM768: exit $rc"
    elif ! grep -q "Shared groups: X25519MLKEM768" "$W/curl1.out"; then fail "curl --curves: group not shared"
    else pass "curl --curves X25519MLKEM768 (OPENSSL_CONF): page served, shared group X25519MLKEM768"
    fi
    OPENSSL_CONF="$W/groups.cnf" timeout 15 $SAN curl -sk "https://127.0.0.1:$PORT/" >"$W/curl2.out" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then fail "curl with Groups in openssl.cnf: exit $rc"
    elif ! grep -q "Shared groups: X25519MLKEM768" "$W/curl2.out"; then fail "curl (cnf Groups): group not shared"
    else pass "curl, group from openssl.cnf (no option): shared group X25519MLKEM768"
    fi
    # The server's trace: both ServerHellos carried 0x11EC with a 1120-byte share.
    n=$(grep -c "NamedGroup: UNKNOWN (4588)" "$SRVLOG")
    [ "$n" -ge 2 ] && pass "curl: server's ServerHello key_share 0x11EC ($n)" ||
        fail "curl: server trace shows $n ServerHellos with 0x11EC"
    # 4. curl without the provider: asked for the group, it must refuse to start.
    OPENSSL_CONF=/dev/null timeout 15 $SAN curl -sk --curves X25519MLKEM768 \
        "https://127.0.0.1:$PORT/" >"$W/curl3.out" 2>&1
    rc=$?
    [ $rc -eq 59 ] && pass "curl --curves X25519MLKEM768 without the provider: refused (exit 59)" ||
        fail "curl without the provider: exit $rc, want 59 (no silent fallback)"
    OPENSSL_CONF="$W/missing.cnf" timeout 15 $SAN curl -sk --curves X25519MLKEM768 \
        "https://127.0.0.1:$PORT/" >"$W/curl4.out" 2>&1
    rc=$?
    [ $rc -eq 59 ] && pass "curl with openssl.cnf naming a missing module: refused (exit 59)" ||
        fail "curl with a missing module: exit $rc, want 59"
    stop_server "$sp"
}
fi

# ---- 3. classic-only peer against a hybrid-only server ------------------------
start_server classic $P -groups X25519MLKEM768:SecP256r1MLKEM768 -tls1_3 -rev && {
    sp=$(last_pid)
    echo x | timeout 15 $SAN openssl s_client $P -connect 127.0.0.1:$PORT -groups X25519 -tls1_3 \
        >"$W/classic.cli" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then fail "X25519-only client was accepted"
    elif ! grep -q "alert handshake failure" "$W/classic.cli"; then fail "X25519-only: no handshake_failure alert"; tail -3 "$W/classic.cli"
    elif ! grep -q "no suitable key share" "$SRVLOG"; then fail "X25519-only: server did not log why"
    else pass "X25519-only client vs hybrid-only server: handshake_failure, server logged 'no suitable key share'"
    fi
    # 5. malformed shares (the same server: it must stay up through all).
    if py "$HERE/bad_share.py" "$PORT" >"$W/bad.out" 2>&1; then
        pass "malformed key shares: $(grep -c '^ok' "$W/bad.out") cases as expected"
    else
        fail "malformed key shares"; cat "$W/bad.out"
    fi
    (echo after; sleep 1) | timeout 15 $SAN openssl s_client $P -connect 127.0.0.1:$PORT \
        -groups X25519MLKEM768 -tls1_3 >"$W/after.cli" 2>&1
    grep -aq retfa "$W/after.cli" && pass "server still serves X25519MLKEM768 afterwards" ||
        fail "server does not serve after the bad clients"
    stop_server "$sp"
}

# ---- 5b. malformed server shares at the client --------------------------------
if py "$HERE/bad_reply.py" "$MODDIR" >"$W/badreply.out" 2>&1; then
    pass "malformed server shares at s_client: $(grep -c '^ok' "$W/badreply.out") cases refused with an alert"
else
    fail "malformed server shares at s_client"; cat "$W/badreply.out"
fi

# ---- 3b. HelloRetryRequest, TLS 1.2 ---------------------------------------------
# A client whose first key share is X25519 but which supports X25519MLKEM768:
# the hybrid-only server asks again (HelloRetryRequest) and gets it.
start_server hrr $P -groups X25519MLKEM768 -tls1_3 -rev -naccept 1 && {
    sp=$(last_pid)
    (echo hrr-$$; sleep 1) | timeout 15 $SAN openssl s_client $P -connect 127.0.0.1:$PORT \
        -groups X25519:X25519MLKEM768 -tls1_3 -trace >"$W/hrr.cli" 2>&1
    n=$(grep -c "ServerHello, Length=" "$W/hrr.cli")
    got=$(serverhello_group "$W/hrr.cli")
    if [ "$n" -eq 2 ] && [ "$got" = "4588 1120" ] && grep -aq "$(printf hrr-$$ | rev)" "$W/hrr.cli"; then
        pass "HelloRetryRequest from X25519 to X25519MLKEM768: second ServerHello 0x11EC, data through"
    else
        fail "HelloRetryRequest: $n ServerHellos, last key_share '$got'"
    fi
    stop_server "$sp"
}
# TLS 1.2 cannot carry a KEM group: with only provider groups, no handshake.
start_server tls12 $P -groups X25519MLKEM768 -rev -naccept 1 && {
    sp=$(last_pid)
    echo x | timeout 15 $SAN openssl s_client $P -connect 127.0.0.1:$PORT -groups X25519MLKEM768 \
        -tls1_2 >"$W/tls12.cli" 2>&1
    rc=$?
    if [ $rc -ne 0 ] && ! grep -q "Cipher is [A-Z]" "$W/tls12.cli"; then
        pass "TLS 1.2 with only X25519MLKEM768: no handshake (exit $rc)"
    else
        fail "TLS 1.2 with only X25519MLKEM768 connected"
    fi
    stop_server "$sp"
}

# ---- 4. s_client without the provider ----------------------------------------
# openssl.cnf naming a module that is not there: the group is refused with a
# message, never replaced by a classic one.
OPENSSL_CONF="$W/missing.cnf" timeout 15 $SAN openssl s_client -connect 127.0.0.1:1 \
    -groups X25519MLKEM768 </dev/null >"$W/missing.cli" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "X25519MLKEM768' cannot be set" "$W/missing.cli"; then
    pass "openssl.cnf with a missing module: s_client refuses the group ('group ... cannot be set')"
else
    fail "openssl.cnf with a missing module: exit $rc"; cat "$W/missing.cli"
fi
OPENSSL_CONF=/dev/null timeout 15 $SAN openssl s_client -connect 127.0.0.1:1 -groups X25519MLKEM768 \
    </dev/null >"$W/noprov.cli" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -qi "groups" "$W/noprov.cli"; then
    pass "s_client -groups X25519MLKEM768 without the provider: refused ($(head -1 "$W/noprov.cli"))"
else
    fail "s_client without the provider: exit $rc"; cat "$W/noprov.cli"
fi

# ---- 6. Chromium ---------------------------------------------------------------
if [ -n "$CHROMIUM" ]; then
    start_server chromium $P -groups X25519MLKEM768 -tls1_3 -www && {
        sp=$(last_pid)
        mkdir -p "$W/chromium-profile"
        timeout 90 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run \
            --disable-extensions --ignore-certificate-errors \
            --user-data-dir="$W/chromium-profile" --dump-dom "https://127.0.0.1:$PORT/" \
            >"$W/chromium.out" 2>"$W/chromium.err"
        rc=$?
        if [ $rc -ne 0 ]; then fail "chromium: exit $rc"; tail -5 "$W/chromium.err"
        elif ! grep -q "Shared groups: X25519MLKEM768" "$W/chromium.out"; then
            fail "chromium: page without 'Shared groups: X25519MLKEM768'"; head -20 "$W/chromium.out"
        else pass "headless Chromium fetched a page over X25519MLKEM768 ($(grep -o 'Cipher is [A-Z0-9_]*' "$W/chromium.out"))"
        fi
        stop_server "$sp"
    }
else
    echo "skip: Chromium (not found; configured with QTPM_ALLOW_SKIP)"
fi

[ $fails -eq 0 ] && { echo "all passed"; exit 0; }
echo "$fails failed"; exit 1
