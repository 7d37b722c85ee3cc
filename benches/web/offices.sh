#!/usr/bin/env bash
# Page speed of the supervising office's pages (not run in CI): server time per page with
# wrk, as a supervisor of the city with the most units, over a database seeded like
# benches/web/run.sh (ITEMS, default 1,000,000, over 1,000 agencies). The bar for the city
# dashboard: p99 ≤ 100 ms on PostgreSQL with a pool of 2. Usage:
#
#   cargo build --release
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench benches/web/offices.sh
#
# POOL (default 2), DURATION (default 20s) and CONNECTIONS (default 2) as in run.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${CARGO_TARGET_DIR:-target}/release/rectify"
: "${DATABASE_URL:?set DATABASE_URL}"
export DATABASE_URL
items="${ITEMS:-1000000}"
duration="${DURATION:-20s}"
connections="${CONNECTIONS:-2}"
port="${PORT:-18084}"
export RECTIFY_BIND="127.0.0.1:$port" RUST_LOG="${RUST_LOG:-warn}"
export RECTIFY_DB_MAX_CONNECTIONS="${POOL:-2}"
export RECTIFY_REMIND_SWEEP_SECS=86400 RECTIFY_REMIND_SEND_SECS=86400
base="http://127.0.0.1:$port"
case "$DATABASE_URL" in postgres*) ;; *) echo "PostgreSQL only (the bar is set there)"; exit 2 ;; esac
sql() { psql "$DATABASE_URL" -Atc "$1"; }

"$bin" migrate >/dev/null
have=$(sql "select count(*) from items")
if [ "$have" -lt "$items" ]; then
  echo "seeding $((items - have)) items …"
  "$bin" seed --agencies 1000 --items $((items - have))
fi

# The city: the root with the most agencies beneath it (the whole subtree).
city=$(sql "with recursive t(root, id) as (select id, id from agencies where parent_id is null
  union all select t.root, a.id from agencies a join t on a.parent_id = t.id)
  select root from t group by root order by count(*) desc, root limit 1")
units=$(sql "with recursive t(id) as (select '$city'::uuid union all select a.id from agencies a join t on a.parent_id = t.id) select count(*) from t")
city_items=$(sql "with recursive t(id) as (select '$city'::uuid union all select a.id from agencies a join t on a.parent_id = t.id) select count(*) from items where agency_id in (select id from t)")
email="bench-supervisor-$(date +%s)@bench.local"
password="bench-password-$(date +%s)"
"$bin" admin create-account --email "$email" --role supervisor --agency "$city" \
  --password-stdin <<<"$password" >/dev/null

"$bin" serve > /tmp/rectify-offices-bench-serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.2; done

jar=$(mktemp)
form=$(curl -fs -c "$jar" "$base/login")
token=$(echo "$form" | sed -nE 's/.*name="csrf" value="([^"]+)".*/\1/p' | head -n 1)
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "email=$email" \
  --data-urlencode "password=$password" --data-urlencode "csrf=$token" --data-urlencode "next=/" \
  "$base/login"
session=$(awk '$6 == "rectify_session" { print $7 }' "$jar")
[ -n "$session" ] || { echo "could not sign in"; exit 1; }
cookie="rectify_session=$session"

echo "city: $units units, $city_items items (of $(sql 'select count(*) from items')), pool: $RECTIFY_DB_MAX_CONNECTIONS, wrk -t1 -c$connections -d$duration"
printf '%-34s %10s %10s %10s %10s\n' page p50 p90 p99 req/s
for path in "/dashboard?agency=$city" "/items?agency=$city&overdue=1" /queues/verify /queues/press; do
  # Warm once (the kept tallies' window moves on the first dashboard of the day).
  curl -fs -o /dev/null -H "Cookie: $cookie" "$base$path" || { echo "$path failed"; exit 1; }
  out=$(wrk -t1 -c"$connections" -d"$duration" --latency -H "Cookie: $cookie" -H "Accept-Encoding: gzip" "$base$path")
  p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
  p90=$(echo "$out" | awk '$1 == "90%" { print $2 }')
  p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
  rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  errors=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
  label=${path//$city/<city>}
  printf '%-34s %10s %10s %10s %10s %s\n' "$label" "$p50" "$p90" "$p99" "$rps" "${errors:+non-2xx: $errors}"
done
