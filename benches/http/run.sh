#!/usr/bin/env bash
# HTTP benchmark with wrk against the real server (release build) over a seeded database:
# the jurisdiction dashboard (a whole city and one district) and a 50-item page of `items`
# with each item's agency and lead. Usage:
#
#   cargo build --release
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench benches/http/run.sh
#   DATABASE_URL=sqlite:///tmp/bench/rectify.db?mode=rwc benches/http/run.sh
#
# An empty database is seeded first (ITEMS, default 1,000,000, over 1,000 agencies).
# DURATION (default 20s), CONNECTIONS (default 8) and THREADS (default 2) tune wrk.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${CARGO_TARGET_DIR:-target}/release/rectify"
: "${DATABASE_URL:?set DATABASE_URL}"
export DATABASE_URL
items="${ITEMS:-1000000}"
duration="${DURATION:-20s}"
connections="${CONNECTIONS:-8}"
threads="${THREADS:-2}"
port="${PORT:-18080}"
export RECTIFY_BIND="127.0.0.1:$port" RUST_LOG="${RUST_LOG:-warn}"
export RECTIFY_REMIND_SWEEP_SECS=86400 RECTIFY_REMIND_SEND_SECS=86400

"$bin" migrate >/dev/null
sql() {
  case "$DATABASE_URL" in
    postgres*) psql "$DATABASE_URL" -Atc "$1" ;;
    *) python3 -c 'import sqlite3,sys,uuid; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchone(); v=r[0] if r else ""; print(str(uuid.UUID(bytes=v)) if isinstance(v, bytes) else v)' \
         "$(echo "$DATABASE_URL" | sed -E 's#^sqlite://##; s#\?.*$##')" "$1" ;;
  esac
}
have=$(sql "select count(*) from items")
if [ "$have" -lt "$items" ]; then
  echo "seeding $((items - have)) items …"
  "$bin" seed --agencies 1000 --items $((items - have))
fi
city=$(sql "select id from agencies where parent_id is null order by name limit 1")
district=$(sql "select a.id from agencies a join agencies p on p.id = a.parent_id where p.parent_id is null and exists (select 1 from agencies c where c.parent_id = a.id) order by a.name limit 1")
email="bench-supervisor-$(date +%s)@bench.local"
token=$("$bin" admin create-account --email "$email" --role supervisor --agency "$city" | tail -n 1)

"$bin" serve > /tmp/rectify-bench-serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done

dashboard='query($a: ID!) { dashboard(agencyId: $a) { asOf agencyCount reworkCount extensionCount recurringShortcomings figures { total open closed overdue dueWithin7Days completionRate onTimeRate totalOverdueDays averageOverdueDays } byState { state label count } units(first: 20) { agency { name } reworkCount extensionCount figures { total overdue onTimeRate } } } }'
page='{ items(first: 50) { nodes { id title state dueOn agency { id name } leadPerson { id name } } pageInfo { hasNextPage endCursor } } }'
body() { python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "variables": {"a": sys.argv[2]} if sys.argv[2] else {}}))' "$1" "$2"; }

run() {
  local name=$1 query=$2
  # One request first: its answer shows the work is real (and warms the caches).
  # (Read whole, then cut: piping into `head` would end curl with SIGPIPE, and the script
  # with it under pipefail, whenever the answer is longer than a pipe holds.)
  local answer
  answer=$(curl -fs -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "$query" "http://127.0.0.1:$port/graphql")
  echo "${answer:0:300}"
  printf '%-34s ' "$name:"
  TOKEN=$token QUERY=$query wrk -t"$threads" -c"$connections" -d"$duration" \
    -s benches/http/graphql.lua "http://127.0.0.1:$port/graphql" | tail -n 1
}
echo "engine: ${DATABASE_URL%%:*}, items: $(sql 'select count(*) from items'), wrk -t$threads -c$connections -d$duration"
run "dashboard, city (all agencies)" "$(body "$dashboard" "$city")"
run "dashboard, one district" "$(body "$dashboard" "$district")"
run "items page of 50 (agency, lead)" "$(body "$page" "")"
