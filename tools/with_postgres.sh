#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL cluster on 127.0.0.1 (a temp dir, a free port).
# Usage: tools/with_postgres.sh COMMAND [ARGS...]   (HYGIE_DATABASE_URL is exported to it)
# The cluster is stopped and removed on exit, also on failure or Ctrl-C.
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
    echo "error: PostgreSQL server binaries not found (install Debian's 'postgresql' package)" >&2
    exit 1
fi

# PostgreSQL refuses to run as root: as root, run the server as the 'postgres' system user.
as_pg=()
if [ "$(id -u)" = 0 ]; then
    as_pg=(runuser -u postgres --)
fi

pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/hygie-pg.XXXXXX")
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$pg_dir"
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -w -l "$pg_dir/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
"${as_pg[@]}" "$pg_bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE hygie LOGIN CREATEDB PASSWORD 'hygie'" -c "CREATE DATABASE hygie OWNER hygie" >/dev/null

echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (temporary)"
export HYGIE_DATABASE_URL="postgresql://hygie:hygie@127.0.0.1:$port/hygie"
set +e
"$@"
status=$?
set -e
exit "$status"
