#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_install.sh — `cmake --install` into a temporary prefix gives a working,
# linkable stack (issue 12): programs that print the version, shared libraries
# with sonames (libqtss without the engine inside), relocatable pkg-config
# files, headers a client compiles against, man pages, bash completion that
# knows the subcommands, systemd units that systemd-analyze accepts; a client
# built with `pkg-config qtpm-tss` talks to the installed qtpm-server, one
# built with `pkg-config qtpm-engine` runs the in-process TPM.
#
#   test_install.sh BUILD_DIR SOURCE_DIR VERSION
set -eu
build=$1 src=$2 version=$3
tmp=$(mktemp -d)
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }

prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; fail "cmake --install"; }
ok "cmake --install --prefix $prefix"

for p in qtpm qtpm-server qtpm-manufacture qtpm-nms qtpm-agent qtpm-digestlist qtpm-daa qtpm-ztp \
         qtpm-wallet qtpm-wallet-client; do
    out=$("$prefix/bin/$p" --version) || fail "$p --version exits non-zero"
    [ "$out" = "$p $version" ] || fail "$p --version printed '$out'"
    head -c 200 "$prefix/share/man/man1/$p.1" | grep -q '^\.TH "\?'"$(echo "$p" | tr a-z A-Z)" ||
        fail "man page $p.1 missing or not a man page"
done
# The completion script knows the first six (their options); the later programs have none.
for p in qtpm-server qtpm-manufacture qtpm-nms qtpm-agent qtpm-digestlist; do
    [ -L "$prefix/share/bash-completion/completions/$p" ] || fail "no bash completion link for $p"
done
[ -L "$prefix/bin/tpm_server" ] || fail "tpm_server link missing"
ok "ten programs print '$version' and have a man page; six have completion"

soname() { readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p'; }
minor=$(echo "$version" | cut -d. -f1,2)
for l in qtss qtpm-engine; do
    f=$prefix/lib/lib$l.so.$version
    [ -f "$f" ] || fail "lib$l.so.$version not installed"
    [ "$(soname "$f")" = "lib$l.so.$minor" ] || fail "lib$l soname is '$(soname "$f")'"
    [ -L "$prefix/lib/lib$l.so.$minor" ] && [ -L "$prefix/lib/lib$l.so" ] ||
        fail "lib$l symlinks missing"
done
nm -D --defined-only "$prefix/lib/libqtss.so" | grep -q ' T qtpm_tss_new$' ||
    fail "libqtss does not export qtpm_tss_new"
if nm -D --defined-only "$prefix/lib/libqtss.so" | grep -q ' T qtpm_tpm_new$'; then
    fail "libqtss contains the TPM engine"
fi
nm -D --defined-only "$prefix/lib/libqtpm-engine.so" | grep -q ' T qtpm_tcti_engine_init$' ||
    fail "libqtpm-engine lacks the engine TCTI"
ok "libqtss.so.$minor (no engine inside) and libqtpm-engine.so.$minor"

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(pkg-config --modversion qtpm-tss)" = "$version" ] || fail "pkg-config qtpm-tss version"
[ "$(pkg-config --modversion qtpm-engine)" = "$version" ] || fail "pkg-config qtpm-engine version"
cc="${CC:-cc} ${QTPM_CLIENT_CFLAGS:-}"
# shellcheck disable=SC2046,SC2086
$cc -std=c11 -Wall -Wextra -Werror -o "$tmp/client-tss" "$src/tests/release/client.c" \
    $(pkg-config --cflags --libs qtpm-tss) || fail "client does not build with qtpm-tss.pc"
# shellcheck disable=SC2046,SC2086
$cc -std=c11 -Wall -Wextra -Werror -o "$tmp/client-engine" "$src/tests/release/client.c" \
    $(pkg-config --cflags --libs qtpm-engine) || fail "client does not build with qtpm-engine.pc"
ok "a client builds against the installed headers with either .pc file"

export LD_LIBRARY_PATH="$prefix/lib"
readelf -d "$tmp/client-tss" | grep -q 'libqtss.so.'"$minor" || fail "client-tss not linked to libqtss"
if readelf -d "$tmp/client-tss" | grep -q 'libqtpm-engine'; then
    fail "client-tss needs libqtpm-engine"
fi
"$tmp/client-tss" engine: absent || fail "engine: not refused without libqtpm-engine"
out=$("$tmp/client-engine" engine:) || fail "client-engine on engine:"
echo "$out" | grep -Eq "^qtpm $version random [0-9a-f]{32}$" || fail "client-engine printed '$out'"
ok "engine: refused by libqtss alone, working with libqtpm-engine ($out)"

# The installed server, on free loopback ports; wait for its ready line.
port=$(python3 "$(cd "$(dirname "$0")/../lib" && pwd)/freeport.py")
"$prefix/bin/qtpm-server" --memory --host 127.0.0.1 --port "$port" >"$tmp/server.out" 2>&1 &
server_pid=$!
i=0
until grep -q ': ready,' "$tmp/server.out" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || { cat "$tmp/server.out"; fail "installed server not ready"; }
    sleep 0.1
done
out=$("$tmp/client-tss" "mssim:host=127.0.0.1,port=$port") || fail "client-tss against the server"
echo "$out" | grep -Eq "^qtpm $version random [0-9a-f]{32}$" || fail "client-tss printed '$out'"
out2=$("$prefix/bin/qtpm" -T "mssim:host=127.0.0.1,port=$port" getrandom --hex 8) ||
    fail "installed qtpm getrandom"
echo "$out2" | grep -Eq '^random: [0-9a-f]{16}$' || fail "installed qtpm printed '$out2'"
ok "installed qtpm-server answers the pkg-config client and the installed qtpm"

# bash completion: the subcommands come from the installed programs' --help.
words=$(PATH="$prefix/bin:$PATH" bash -c '
    . "$1/share/bash-completion/completions/qtpm"
    COMP_WORDS=(qtpm getr); COMP_CWORD=1; _qtpm; echo "${COMPREPLY[*]}"
    COMP_WORDS=(qtpm-nms rou); COMP_CWORD=1; _qtpm; echo "${COMPREPLY[*]}"
    COMP_WORDS=(qtpm-server --ver); COMP_CWORD=1; _qtpm; echo "${COMPREPLY[*]}"' _ "$prefix")
[ "$words" = "getrandom
router
--verbose --version" ] || fail "bash completion offered: $words"
ok "bash completion: getrandom, router, --verbose --version"

units=$prefix/lib/systemd/system
grep -q "^ExecStart=.*/qtpm-server --state /var/lib/qtpm$" "$units/qtpm-server.service" ||
    fail "qtpm-server.service ExecStart"
if command -v systemd-analyze >/dev/null 2>&1; then
    # verify checks the unit syntax and that ExecStart's program exists: point
    # it at the installed one.
    sed "s|^ExecStart=[^ ]*|ExecStart=$prefix/bin/qtpm-server|" "$units/qtpm-server.service" \
        >"$tmp/qtpm-server.service"
    cp "$units/qtpm-server.socket" "$tmp/"
    systemd-analyze verify --man=no "$tmp/qtpm-server.socket" "$tmp/qtpm-server.service" \
        >"$tmp/verify.log" 2>&1 || { cat "$tmp/verify.log"; fail "systemd-analyze verify"; }
    sed "s|^ExecStart=[^ ]*|ExecStart=$prefix/bin/qtpm-nms|" "$units/qtpm-nms.service" \
        >"$tmp/qtpm-nms.service"
    systemd-analyze verify --man=no "$tmp/qtpm-nms.service" >"$tmp/verify.log" 2>&1 ||
        { cat "$tmp/verify.log"; fail "systemd-analyze verify qtpm-nms.service"; }
    # The example configuration the unit's comments point to parses (as qtpm-nms reads it).
    "$prefix/bin/qtpm-nms" --config "$prefix/share/qtpm/nms.yaml" --version >/dev/null ||
        fail "the installed nms.yaml does not parse"
    ok "systemd units verified by systemd-analyze"
else
    fail "systemd-analyze is missing (Debian package systemd)"
fi
echo "all install checks passed"
