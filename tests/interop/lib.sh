# lib.sh — helpers for the interop test scripts (sourced; run-with-server.sh
# exports QTPM_INTEROP_LIB with its path).
#
#   run TOOL ARGS...     runs a tpm2-tools command; on success prints its
#                        stdout, on failure prints its stderr and ends the
#                        script. Each outcome is appended to $INTEROP_LOG as
#                        "TOOL pass|fail" (scripts/interop-report.sh reads it).
#   must_fail TOOL ARGS  the command must fail (a negative check).
#   check COND TEXT      ends the script with TEXT unless `test COND` holds.
set -e

run() {
    _tool=$1
    if "$@" >"$QTPM_INTEROP_TMP/out" 2>"$QTPM_INTEROP_TMP/err"; then
        [ -n "${INTEROP_LOG:-}" ] && echo "$_tool pass" >>"$INTEROP_LOG"
        cat "$QTPM_INTEROP_TMP/out"
    else
        _rc=$?
        [ -n "${INTEROP_LOG:-}" ] && echo "$_tool fail" >>"$INTEROP_LOG"
        echo "FAILED ($_rc): $*" >&2
        cat "$QTPM_INTEROP_TMP/err" >&2
        exit 1
    fi
}

must_fail() {
    if "$@" >/dev/null 2>&1; then
        [ -n "${INTEROP_LOG:-}" ] && echo "$1 fail" >>"$INTEROP_LOG"
        echo "UNEXPECTED SUCCESS: $*" >&2
        exit 1
    fi
    [ -n "${INTEROP_LOG:-}" ] && echo "$1 pass" >>"$INTEROP_LOG"
    return 0
}

check() {
    _text=$1
    shift
    if ! test "$@"; then
        echo "CHECK FAILED: $_text" >&2
        exit 1
    fi
}
