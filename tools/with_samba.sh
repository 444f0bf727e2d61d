#!/usr/bin/env bash
# Run a command against a throw-away Samba AD domain controller listening on 127.0.0.1 only.
# Usage: tools/with_samba.sh COMMAND [ARGS...]
# The domain (realm hygie.test) is provisioned in a temp dir, seeded with the known weaknesses of
# src/hygie/engines/directory/tests/samba_seed.json, served over LDAPS with a certificate made here
# for 127.0.0.1, and exported to COMMAND as HYGIE_TEST_LDAP_URL, _BASE, _USER, _PASSWORD, _CA_FILE.
# The server is stopped and the dir removed on exit, also on failure or Ctrl-C. The machine's own
# Samba configuration is never read or written: every command gets -s with the temp smb.conf.
# Without Samba (or when 127.0.0.1:636 is taken) COMMAND still runs, without the variables: the
# live directory tests then skip and say why.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
manifest="$here/../src/hygie/engines/directory/tests/samba_seed.json"

if ! command -v samba >/dev/null 2>&1 || ! command -v samba-tool >/dev/null 2>&1; then
    echo "warning: Samba AD DC not installed (Debian: samba-ad-dc samba-ad-provision ldb-tools); live LDAP tests will be skipped" >&2
    exec "$@"
fi
if [ "$(id -u)" != 0 ]; then
    echo "warning: the Samba AD DC must run as root (it serves LDAPS on port 636); live LDAP tests will be skipped" >&2
    exec "$@"
fi
if (exec 3<>/dev/tcp/127.0.0.1/636) 2>/dev/null; then
    echo "warning: 127.0.0.1:636 is already in use; live LDAP tests will be skipped" >&2
    exec "$@"
fi

started=$(date +%s)
dc_dir=$(mktemp -d "${TMPDIR:-/tmp}/hygie-samba.XXXXXX")
samba_pid=""
cleanup() {
    if [ -n "$samba_pid" ]; then
        kill "$samba_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$samba_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$samba_pid" 2>/dev/null || true
    fi
    rm -rf "$dc_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

field() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$manifest" "$1"; }
realm=$(field realm)
domain=$(field netbios_domain)
dc_host=$(field dc_host)
base_dn=$(field base_dn)
# A fresh administrator password per run: it only ever lives in this process's environment.
admin_password="Hy$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')!9a"

conf="$dc_dir/etc/smb.conf"
log="$dc_dir/provision.log"
if ! samba-tool domain provision --realm="$realm" --domain="$domain" --server-role=dc \
    --use-rfc2307 --dns-backend=NONE --host-name="$dc_host" --targetdir="$dc_dir" \
    --adminpass="$admin_password" \
    --option="interfaces=127.0.0.1" --option="bind interfaces only=yes" \
    --option="server services=ldap" --option="log file=$dc_dir/log/samba.log" \
    --option="pid directory=$dc_dir/run" --option="ncalrpc dir=$dc_dir/run/ncalrpc" \
    --option="winbindd socket directory=$dc_dir/run/winbindd" \
    --option="ntp signd socket directory=$dc_dir/run/ntp_signd" \
    --option="tls enabled=yes" --option="tls keyfile=$dc_dir/tls/key.pem" \
    --option="tls certfile=$dc_dir/tls/cert.pem" --option="tls cafile=" \
    >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "error: samba-tool domain provision failed (log above)" >&2
    exit 1
fi
mkdir -p "$dc_dir/log" "$dc_dir/run" "$dc_dir/tls"

# Samba's self-made certificate names the host only; this one also names 127.0.0.1 so that
# clients can verify it against the address they dial.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$dc_host.$realm" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:$dc_host.$realm" \
    -keyout "$dc_dir/tls/key.pem" -out "$dc_dir/tls/cert.pem" 2>/dev/null
chmod 600 "$dc_dir/tls/key.pem"

python3 "$here/samba_seed.py" "$manifest" "$dc_dir/private" "$conf"

samba -s "$conf" -i -M single >"$dc_dir/log/stdout.log" 2>&1 &
samba_pid=$!
ready=no
for _ in $(seq 600); do
    if (exec 3<>/dev/tcp/127.0.0.1/636) 2>/dev/null; then
        ready=yes
        break
    fi
    if ! kill -0 "$samba_pid" 2>/dev/null; then
        tail -n 20 "$dc_dir/log/stdout.log" >&2
        echo "error: samba exited before serving LDAPS (log above)" >&2
        exit 1
    fi
    sleep 0.1
done
if [ "$ready" != yes ]; then
    tail -n 20 "$dc_dir/log/stdout.log" >&2
    echo "error: samba did not serve LDAPS on 127.0.0.1:636 within 60 s (log above)" >&2
    exit 1
fi

echo "Samba AD DC $(samba -V | awk '{print $2}') for $realm on ldaps://127.0.0.1 (temporary, ready in $(($(date +%s) - started)) s)"
export HYGIE_TEST_LDAP_URL="ldaps://127.0.0.1"
export HYGIE_TEST_LDAP_BASE="$base_dn"
export HYGIE_TEST_LDAP_USER="Administrator@$realm"
export HYGIE_TEST_LDAP_PASSWORD="$admin_password"
export HYGIE_TEST_LDAP_CA_FILE="$dc_dir/tls/cert.pem"
set +e
"$@"
status=$?
set -e
exit "$status"
