# SPDX-License-Identifier: BSD-2-Clause
# The owner's side of a zero-touch provisioning test (sourced with `.` by ztp_story.sh
# and ztp_crash.sh, after tests/lib/servers.sh): an NMS that knows the vendor and its
# digest list, the owner's certificate and a bootstrap server over HTTPS.
#
# ztp_owner_up PERIOD: uses $nms $ztp $tmp $FREEPORT and fail(); expects the vendor's
# EK CA in $tmp/ek-ca, its voucher CA in $tmp/vendor, its keys in $tmp/vk and the digest
# list $tmp/list.qdl. Sets db, nport, nms_pid, zport and ztp_pid (the callers' EXIT trap
# stops the two servers).
ztp_owner_up() {
    "$nms" init --dir "$tmp/nms" >/dev/null || fail "nms init"
    db="sqlite:$tmp/nms/nms.db"
    "$nms" --db "$db" vendor import --name acme --ca "$tmp/ek-ca/ca-cert.pem" \
        --mldsa-pub "$tmp/vk/mldsa65.pub" --ecdsa-pub "$tmp/vk/ecdsa-p384.pub" >/dev/null \
        || fail "vendor import"
    "$nms" --db "$db" digestlist add "$tmp/list.qdl" >/dev/null || fail "digestlist add"
    nport=$(python3 "$FREEPORT")
    "$nms" serve --dir "$tmp/nms" --db "$db" --listen "127.0.0.1:$nport" --period "$1" \
        2>>"$tmp/nms.log" &
    nms_pid=$!
    wait_port "$nport" "$nms_pid" || fail "qtpm-nms"
    "$ztp" owner-init --dir "$tmp/owner" >/dev/null || fail "owner-init"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -days 2 \
        -subj /CN=bootstrap -keyout "$tmp/bs-key.pem" -out "$tmp/bs-cert.pem" 2>/dev/null \
        || fail "bootstrap server certificate"
    zport=$(python3 "$FREEPORT")
    "$ztp" serve --dir "$tmp/bs" --listen "127.0.0.1:$zport" --cert "$tmp/bs-cert.pem" \
        --key "$tmp/bs-key.pem" --vendor-crl "$tmp/vendor/crl.pem" 2>>"$tmp/ztp.log" &
    ztp_pid=$!
    wait_port "$zport" "$ztp_pid" || fail "qtpm-ztp serve"
}
