#!/usr/bin/env bash
# Sandbox benchmarks: the scale bench (opens/appends/creates/RSS at 1, 1,000
# and 10,000 channel+account pairs), then GET /accounts under wrk, side by
# side with a Prism mock of the same spec when those are installed:
#   wrk:   apt-get install wrk   (or brew install wrk)
#   Prism: npm install -g @stoplight/prism-cli
# Usage: bench/sandbox.sh [--skip-scale]
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != "--skip-scale" ]]; then
  cargo bench --bench sandbox_scale
fi

if ! command -v wrk >/dev/null; then
  echo "wrk not installed: skipping GET /accounts req/s (apt-get install wrk)"
  exit 0
fi

cargo build --release --quiet
port=18480
out=$(mktemp)
# The sandbox never prints its secret: choose it, and keep its connection file out of the runtime dir.
secret=bench-$RANDOM$RANDOM
EGAIN_SANDBOX_CLIENT_SECRET=$secret EGAIN_CONSOLE_SANDBOX_FILE="$out.env" \
  ./target/release/egain-console sandbox --listen "127.0.0.1:$port" --seed demo >"$out" 2>/dev/null &
sandbox=$!
trap 'kill $sandbox 2>/dev/null || true; [[ -n "${prism:-}" ]] && kill $prism 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 50); do [[ $(wc -l <"$out") -ge 4 ]] && break; sleep 0.1; done
token=$(curl -s -d grant_type=client_credentials -d client_id=sandbox-console -d "client_secret=$secret" \
  -d "scope=app.conversation.conversationmgr.read" "http://127.0.0.1:$port/system/auth/SANDBOX-U/oauth2/token" |
  sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')

rps() { wrk -t2 -c16 -d10s "$@" | awk '/Requests\/sec/ {print $2}'; }
ours=$(rps -H "Authorization: Bearer $token" "http://127.0.0.1:$port/conversation/conversationmgr/v3/accounts")
echo "GET /accounts, sandbox: $ours req/s"

if command -v prism >/dev/null; then
  prism mock -p $((port + 1)) assets/conversationmgr-v3.openapi.yaml >/dev/null 2>&1 &
  prism=$!
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$((port + 1))/accounts" >/dev/null 2>&1 && break; sleep 0.2; done
  theirs=$(rps -H "Authorization: Bearer x" "http://127.0.0.1:$((port + 1))/accounts")
  echo "GET /accounts, Prism mock: $theirs req/s"
  awk -v a="$ours" -v b="$theirs" 'BEGIN { if (b > 0) printf "sandbox / Prism: %.1fx\n", a / b }'
else
  echo "Prism not installed: no side-by-side (npm install -g @stoplight/prism-cli)"
fi
