#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_web.sh — the NMS's dashboard serving and browser login over real TLS with curl
# (ctest nms_web; the page itself is tested in Chromium by web_dashboard.sh).
#
# Asserts: / and /ui/ files with their Content-Types and the security headers (CSP with
# no 'unsafe-inline' and frame-ancestors 'none', nosniff, DENY, no-referrer); path
# traversal and odd paths refused (.., %2e%2e, %2f, hidden files, empty segments, a
# symlink out of the directory, a directory); only GET/HEAD on files; login links:
# a good one sets an HttpOnly Secure SameSite=Strict session cookie plus the CSRF cookie
# and redirects to /; expired, tampered (role changed, MAC changed), truncated, a
# session used as a login link, and a link from another NMS's key are refused (403); the
# cookie gives its role to the API (read-only: GET yes, POST 403; operator: POST without
# the CSRF header 403 csrf, with a wrong one 403, with the right one through); a login
# token used as a cookie, a forged cookie → 401; mutual TLS keeps working and wins over a
# cookie; logout clears the cookies; login-url's bad arguments; the key file is 0600;
# an NMS without a dashboard directory still serves the API. The server is stopped by a
# trap on any exit.
#
#   test_web.sh QTPM_NMS WEB_DIR
set -eu
NMS=$1 WEB=$2
tmp=$(mktemp -d)
pid=
. "$(dirname "$0")/../lib/servers.sh"
cleanup() {
    stop_servers $pid
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/log" ] && cat "$tmp/log" >&2; exit 1; }

"$NMS" init --dir "$tmp/nms" >/dev/null || fail "init"
"$NMS" init --dir "$tmp/other" >/dev/null || fail "init other"
# A copy of the dashboard with a symlink pointing out of it and a hidden file.
cp -r "$WEB" "$tmp/web"
echo secret > "$tmp/outside.txt"
ln -s "$tmp/outside.txt" "$tmp/web/ui/link.txt"
echo hidden > "$tmp/web/ui/.hidden"

port=$(python3 "$(dirname "$0")/../lib/freeport.py")
start() {
    "$NMS" serve --dir "$tmp/nms" --db "sqlite:$tmp/nms.db" --listen "127.0.0.1:$port" "$@" ${QTPM_TEST_NMS_FLAGS:-} \
        2>"$tmp/log" &
    pid=$!
    i=0
    until python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.5).close()' "$port" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 50 ] || fail "server did not start"
        kill -0 "$pid" 2>/dev/null || fail "server died"
        sleep 0.1
    done
}
# A clean stop exits 0 (under ASan: also no leak and no error at exit).
stop() {
    kill "$pid"
    rc=0
    wait "$pid" || rc=$?
    pid=
    [ $rc = 0 ] || fail "the NMS exited with status $rc"
}
start --web "$tmp/web"
base="https://127.0.0.1:$port"
C="curl --silent --max-time 10 --cacert $tmp/nms/operator-ca.crt"

# get PATH [curl args] -> "status content-type", body in $tmp/out, headers in $tmp/hdr
get() {
    p=$1; shift
    $C --path-as-is -D "$tmp/hdr" -o "$tmp/out" -w '%{http_code} %{content_type}' "$@" "$base$p" || true
}
want() { # want "STATUS TYPE" PATH [args]
    w=$1; shift
    got=$(get "$@")
    [ "$got" = "$w" ] || fail "$1 → '$got', want '$w'"
}
hdr() { grep -qi "^$1" "$tmp/hdr" || fail "header '$1' missing: $(cat "$tmp/hdr")"; }

# ---- files, types, headers ----
want "200 text/html; charset=utf-8" /
grep -q '<script src="/ui/app.js"' "$tmp/out" || fail "index.html is not the dashboard"
grep -q '<script>' "$tmp/out" && fail "index.html has an inline script"
hdr "Content-Security-Policy: default-src 'none'; script-src 'self'"
hdr "Content-Security-Policy: .*frame-ancestors 'none'"
grep -qi "^Content-Security-Policy:.*unsafe-inline" "$tmp/hdr" && fail "CSP allows unsafe-inline"
hdr "X-Content-Type-Options: nosniff"
hdr "X-Frame-Options: DENY"
hdr "Referrer-Policy: no-referrer"
want "200 text/html; charset=utf-8" /index.html
want "200 text/javascript; charset=utf-8" /ui/app.js
want "200 text/css; charset=utf-8" /ui/style.css
want "200 text/javascript; charset=utf-8" /ui/vendor/cytoscape.min.js
cmp -s "$tmp/out" "$WEB/ui/vendor/cytoscape.min.js" || fail "cytoscape.min.js differs"
hdr "X-Content-Type-Options: nosniff"
want "200 text/plain; charset=utf-8" /ui/vendor/cytoscape.LICENSE.txt
# HEAD: headers, no body
got=$($C -I -o /dev/null -w '%{http_code}' "$base/ui/app.js")
[ "$got" = 200 ] || fail "HEAD /ui/app.js → $got"

# ---- traversal and odd paths: all 404 (text), nothing outside the directory ----
for p in /ui/../index.html /ui/../../nms/privacy-ca.key /ui/%2e%2e/index.html \
         /ui/..%2findex.html /ui/vendor%2fcytoscape.min.js /ui/.hidden /ui//app.js /ui/ \
         /ui /ui/nope.js /ui/link.txt /ui/vendor /ui/vendor/ "/ui/app.js%00.png" \
         "/ui/a%20b.js" /ui/./app.js /index.htm /ui/ui/../app.js; do
    got=$(get "$p")
    case $got in 404*) ;; *) fail "$p → $got, want 404" ;; esac
    grep -q secret "$tmp/out" && fail "$p leaked a file from outside the web directory"
done
# a POST to a file
got=$($C -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' "$base/ui/app.js")
[ "$got" = 405 ] || fail "POST /ui/app.js → $got, want 405"
# an unknown path outside /ui is the API's JSON 404
want "404 application/json" /nothing

# ---- login links ----
login() { "$NMS" login-url --dir "$tmp/nms" --listen "127.0.0.1:$port" "$@"; }
[ "$(stat -c %a "$tmp/nms/web-session.key")" = 600 ] || fail "web-session.key is not 0600"
"$NMS" login-url --dir "$tmp/nms" --role admin >/dev/null 2>&1 && fail "role admin accepted"
"$NMS" login-url --dir "$tmp/nms" --role operator --ttl 0 >/dev/null 2>&1 && fail "ttl 0 accepted"
"$NMS" login-url --dir "$tmp/nms" >/dev/null 2>&1 && fail "no role accepted"
ro=$(login --role read-only)
case $ro in "$base/login?token=v1.login.read-only."*) ;; *) fail "login url: $ro" ;; esac
tok=${ro#*token=}

got=$(get "/login?token=$tok" -c "$tmp/jar.ro")
[ "${got%% *}" = 303 ] || fail "good login link → $got"
hdr "Location: /"
grep -i '^Set-Cookie: qtpm_session=' "$tmp/hdr" > "$tmp/sc" || fail "no session cookie"
for a in HttpOnly Secure SameSite=Strict Path=/; do
    grep -qi "; $a" "$tmp/sc" || fail "session cookie lacks $a: $(cat "$tmp/sc")"
done
grep -i '^Set-Cookie: qtpm_csrf=[0-9a-f]\{32\};' "$tmp/hdr" | grep -qi "SameSite=Strict" ||
    fail "no CSRF cookie"
grep -i '^Set-Cookie: qtpm_csrf=' "$tmp/hdr" | grep -qi HttpOnly &&
    fail "the CSRF cookie must be readable by the page"
grep -q "token" "$tmp/out" && fail "the redirect echoes the token"

# refused links: all 403
sess=$(sed -n 's/^Set-Cookie: qtpm_session=\([^;]*\);.*/\1/ip' "$tmp/hdr")
forged_role=$(echo "$tok" | sed 's/read-only/operator/')
case $tok in *0) badmac="${tok%?}1" ;; *) badmac="${tok%?}0" ;; esac
other=$("$NMS" login-url --dir "$tmp/other" --role operator --listen x:1); other=${other#*token=}
short=$(login --role operator --ttl 1); short=${short#*token=}
sleep 2
for t in "$forged_role" "$badmac" "${tok%?}" "$sess" "$other" "$short" "" "v1.login.operator" \
         "$tok.00"; do
    got=$(get "/login?token=$t")
    [ "${got%% *}" = 403 ] || fail "login with '$t' → $got, want 403"
    grep -qi '^Set-Cookie' "$tmp/hdr" && fail "a refused login set a cookie"
done
got=$(get "/login")
[ "${got%% *}" = 403 ] || fail "login without token → $got"
got=$($C -o /dev/null -w '%{http_code}' -X POST "$base/login?token=$tok")
[ "$got" = 405 ] || fail "POST /login → $got"

# ---- the cookie on the API ----
api() { # api JAR METHOD PATH [extra curl args] -> status, body in $tmp/out
    j=$1 m=$2 p=$3; shift 3
    $C -o "$tmp/out" -w '%{http_code}' -b "$j" -X "$m" "$@" "$base/api/v1$p" || true
}
csrf_of() { awk '$6 == "qtpm_csrf" {print $7}' "$1"; }
[ "$(api "$tmp/jar.ro" GET /session)" = 200 ] || fail "read-only session"
grep -q '"role":"read-only","auth":"session"' "$tmp/out" || fail "session: $(cat "$tmp/out")"
[ "$(api "$tmp/jar.ro" GET /routers)" = 200 ] || fail "read-only GET /routers"
[ "$(api "$tmp/jar.ro" GET /events)" = 200 ] || fail "read-only GET /events"
ro_csrf=$(csrf_of "$tmp/jar.ro")
[ "$(api "$tmp/jar.ro" POST /vendors -H "X-QTPM-CSRF: $ro_csrf" -H 'Content-Type: application/json' -d '{}')" = 403 ] ||
    fail "read-only POST with CSRF must be 403"
grep -q '"forbidden"' "$tmp/out" || fail "read-only POST: $(cat "$tmp/out")"

op=$(login --role operator)
get "/login?token=${op#*token=}" -c "$tmp/jar.op" >/dev/null
op_csrf=$(csrf_of "$tmp/jar.op")
[ ${#op_csrf} = 32 ] || fail "operator CSRF cookie: '$op_csrf'"
[ "$(api "$tmp/jar.op" GET /session)" = 200 ] && grep -q '"role":"operator"' "$tmp/out" ||
    fail "operator session: $(cat "$tmp/out")"
[ "$(api "$tmp/jar.op" POST /vendors -H 'Content-Type: application/json' -d '{}')" = 403 ] ||
    fail "operator POST without CSRF must be 403"
grep -q '"csrf"' "$tmp/out" || fail "no csrf error: $(cat "$tmp/out")"
[ "$(api "$tmp/jar.op" POST /vendors -H "X-QTPM-CSRF: $ro_csrf" -H 'Content-Type: application/json' -d '{}')" = 403 ] ||
    fail "operator POST with another session's CSRF token must be 403"
[ "$(api "$tmp/jar.op" POST /vendors -H "X-QTPM-CSRF: ${op_csrf%?}" -H 'Content-Type: application/json' -d '{}')" = 403 ] ||
    fail "operator POST with a short CSRF token must be 403"
# With the right token the request reaches the handler (400: the body lacks fields).
[ "$(api "$tmp/jar.op" POST /vendors -H "X-QTPM-CSRF: $op_csrf" -H 'Content-Type: application/json' -d '{}')" = 400 ] ||
    fail "operator POST with CSRF → $(cat "$tmp/out")"
# A cookie whose value is a login token, a forged one, garbage: anonymous (401).
for v in "${op#*token=}" "$(echo "$sess" | sed 's/read-only/operator/')" garbage ""; do
    got=$($C -o "$tmp/out" -w '%{http_code}' -H "Cookie: qtpm_session=$v" "$base/api/v1/routers")
    [ "$got" = 401 ] || fail "cookie '$v' → $got, want 401"
done
# Mutual TLS as before, and it wins over a cookie: read-only certificate + operator cookie.
got=$($C -o "$tmp/out" -w '%{http_code}' --cert "$tmp/nms/operator.crt" --key "$tmp/nms/operator.key" "$base/api/v1/session")
[ "$got" = 200 ] && grep -q '"role":"operator","auth":"certificate"' "$tmp/out" || fail "mTLS operator: $(cat "$tmp/out")"
got=$($C -o "$tmp/out" -w '%{http_code}' --cert "$tmp/nms/readonly.crt" --key "$tmp/nms/readonly.key" \
    -b "$tmp/jar.op" -H "X-QTPM-CSRF: $op_csrf" -X POST -H 'Content-Type: application/json' -d '{}' "$base/api/v1/vendors")
[ "$got" = 403 ] || fail "read-only certificate with an operator cookie → $got, want 403"
got=$($C -o /dev/null -w '%{http_code}' "$base/api/v1/routers")
[ "$got" = 401 ] || fail "no certificate, no cookie → $got"

# ---- logout ----
got=$($C -D "$tmp/hdr" -o /dev/null -w '%{http_code}' -X POST -H "Origin: https://evil.example" "$base/logout")
[ "$got" = 403 ] || fail "cross-origin logout → $got"
got=$($C -D "$tmp/hdr" -o /dev/null -w '%{http_code}' -X POST "$base/logout")
[ "$got" = 303 ] || fail "logout → $got"
grep -qi '^Set-Cookie: qtpm_session=; .*Max-Age=0' "$tmp/hdr" || fail "logout keeps the cookie"
got=$($C -o /dev/null -w '%{http_code}' "$base/logout")
[ "$got" = 405 ] || fail "GET /logout → $got"

stop
# ---- no dashboard directory: the API still works, / says why ----
start --web "$tmp/missing"
got=$(get /)
[ "${got%% *}" = 404 ] && grep -q "not installed" "$tmp/out" || fail "missing web dir: $got $(cat "$tmp/out")"
[ "$(api "$tmp/jar.op" GET /session)" = 200 ] || fail "the session survives a restart (same key)"
stop
echo "nms_web: ok"
