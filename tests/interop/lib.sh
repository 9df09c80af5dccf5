# SPDX-License-Identifier: BSD-2-Clause
# lib.sh — helpers for the interop test scripts (sourced; run-with-server.sh
# exports QTPM_INTEROP_LIB with its path).
#
#   run [-t TOOL] CMD ARGS...
#                        runs a tpm2-tools command; on success prints its
#                        stdout, on failure prints its stderr and ends the
#                        script. Each outcome is appended to $INTEROP_LOG as
#                        "TOOL pass|fail" (scripts/interop-report.sh reads it);
#                        TOOL is CMD unless -t names the tool whose feature
#                        this step belongs to.
#   fail_rc RC CMD ARGS  CMD must fail with TPM response code RC
#   must_fail [-t TOOL] CMD ARGS
#                        the command must fail (a negative check); the outcome
#                        is logged against TOOL, by default the command.
#   check [-t TOOL] TEXT COND...
#                        ends the script with TEXT unless `test COND` holds;
#                        the failure is logged against TOOL, by default the
#                        tool run last.
#   blame TOOL           the steps that follow check TOOL's result.
# Any other failing step (cmp, openssl, a grep on a tool's output) ends the
# script through `set -e`; the exit trap then logs a failure of the tool run
# last (tpm2_flushcontext aside) or named by `blame`, whose result that step
# was checking. So a tool that exits 0 with a wrong result is reported as
# failing.
set -e

blame() {
    echo "$1" >"$QTPM_INTEROP_TMP/last_tool"
}

_log_fail() {
    [ -n "${INTEROP_LOG:-}" ] && [ ! -e "$QTPM_INTEROP_TMP/blamed" ] &&
        echo "$1 fail" >>"$INTEROP_LOG"
    : >"$QTPM_INTEROP_TMP/blamed"
}

_on_exit() {
    _status=$?
    if [ $_status -ne 0 ] && [ -s "$QTPM_INTEROP_TMP/last_tool" ]; then
        _log_fail "$(cat "$QTPM_INTEROP_TMP/last_tool")"
    fi
    exit $_status
}
trap _on_exit EXIT

run() {
    _tool=$1
    if [ "$1" = -t ]; then
        _tool=$2
        shift 2
    fi
    [ "$_tool" = tpm2_flushcontext ] || blame "$_tool"
    if "$@" >"$QTPM_INTEROP_TMP/out" 2>"$QTPM_INTEROP_TMP/err"; then
        [ -n "${INTEROP_LOG:-}" ] && echo "$_tool pass" >>"$INTEROP_LOG"
        cat "$QTPM_INTEROP_TMP/out"
    else
        _rc=$?
        _log_fail "$_tool"
        echo "FAILED ($_rc): $*" >&2
        cat "$QTPM_INTEROP_TMP/err" >&2
        exit 1
    fi
}

# fail_rc RC CMD ARGS  CMD must fail with TPM response code RC (as tpm2-tools
#                      prints it, e.g. 0x12F) somewhere in its diagnostics.
fail_rc() {
    _want=$1
    shift
    blame "$1"
    if "$@" >"$QTPM_INTEROP_TMP/out" 2>"$QTPM_INTEROP_TMP/err"; then
        echo "UNEXPECTED SUCCESS: $*" >&2
        exit 1
    fi
    if ! grep -qi "(${_want})\|${_want}" "$QTPM_INTEROP_TMP/err"; then
        echo "EXPECTED $_want FROM: $*" >&2
        cat "$QTPM_INTEROP_TMP/err" >&2
        exit 1
    fi
    [ -n "${INTEROP_LOG:-}" ] && echo "$1 pass" >>"$INTEROP_LOG"
    return 0
}

must_fail() {
    _tool=$1
    if [ "$1" = -t ]; then
        _tool=$2
        shift 2
    fi
    blame "$_tool"
    if "$@" >/dev/null 2>&1; then
        _log_fail "$_tool"
        echo "UNEXPECTED SUCCESS: $*" >&2
        exit 1
    fi
    [ -n "${INTEROP_LOG:-}" ] && echo "$_tool pass" >>"$INTEROP_LOG"
    return 0
}

check() {
    if [ "$1" = -t ]; then
        blame "$2"
        shift 2
    fi
    _text=$1
    shift
    if ! test "$@"; then
        echo "CHECK FAILED: $_text" >&2
        exit 1
    fi
}

# hexof FILE           the file's bytes as lower-case hex, no spaces.
hexof() {
    od -v -An -tx1 "$1" | tr -d ' \n'
}

# sha256hex HEX...     SHA-256 of the concatenated hex strings, as hex; the
#                      scripts rebuild policy digests (Part 3 §23) and audit
#                      digests (Part 1 §18.7) with it.
sha256hex() {
    printf '%s' "$@" | python3 -c 'import hashlib, sys
print(hashlib.sha256(bytes.fromhex(sys.stdin.read())).hexdigest())'
}

# tpm_reset            _TPM_Init: a power cycle through the platform port
#                      (mssim POWER_OFF, POWER_ON, NV_ON) or the swtpm control
#                      channel (CMD_INIT); the TPM then needs TPM2_Startup.
tpm_reset() {
    python3 - "$QTPM_INTEROP_TCTI" "$QTPM_INTEROP_PORT" <<'PYEOF'
import socket, struct, sys
tcti, port = sys.argv[1], int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port + 1), 5)
def ask(payload, answer):
    s.sendall(payload)
    got = b""
    while len(got) < answer:
        chunk = s.recv(answer - len(got))
        if not chunk:
            sys.exit("tpm_reset: connection closed")
        got += chunk
    if struct.unpack(">I", got[:4])[0] != 0:
        sys.exit("tpm_reset: signal refused")
if tcti == "swtpm":
    ask(struct.pack(">II", 2, 0), 4)            # CMD_INIT, flags 0
else:
    for code in (2, 1, 11):                      # POWER_OFF, POWER_ON, NV_ON
        ask(struct.pack(">I", code), 4)
s.close()
PYEOF
}
