#!/usr/bin/env bash
# Start the task worker in the background and the web server in the foreground; Ctrl-C stops both.
set -euo pipefail
hygie=${HYGIE_BIN:-.venv/bin/hygie}
host=${HYGIE_HOST:-127.0.0.1}
port=${HYGIE_PORT:-8000}

"$hygie" worker &
worker=$!
stop() {
    kill "$worker" 2>/dev/null || true
    wait "$worker" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

echo
echo "Hygie demo: http://$host:$port/  (Ctrl-C stops the web server and the worker)"
"$hygie" serve --host "$host" --port "$port"
