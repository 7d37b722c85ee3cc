#!/usr/bin/env bash
# Page speed of the web application (not run in CI): server time per page with wrk at two
# connections, as a leader with many items, over a seeded database; and what a browser
# downloads, compressed, on a first visit (page, CSS, htmx, script) and on later pages.
# Usage:
#
#   cargo build --release
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench benches/web/run.sh
#   DATABASE_URL='sqlite:///tmp/bench/rectify.db?mode=rwc' benches/web/run.sh
#
# An empty database is seeded first (ITEMS, default 1,000,000, over 1,000 agencies). The
# server runs with a pool of POOL connections (default 2). DURATION (default 20s) and
# CONNECTIONS (default 2) tune wrk; the p99 comes from wrk's --latency distribution.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${CARGO_TARGET_DIR:-target}/release/rectify"
: "${DATABASE_URL:?set DATABASE_URL}"
export DATABASE_URL
items="${ITEMS:-1000000}"
duration="${DURATION:-20s}"
connections="${CONNECTIONS:-2}"
port="${PORT:-18081}"
export RECTIFY_BIND="127.0.0.1:$port" RUST_LOG="${RUST_LOG:-warn}"
export RECTIFY_DB_MAX_CONNECTIONS="${POOL:-2}"
export RECTIFY_REMIND_SWEEP_SECS=86400 RECTIFY_REMIND_SEND_SECS=86400
base="http://127.0.0.1:$port"

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

# The leader with the most items, an account for them with a password, one of their items.
# (A person without an account yet: one person has one account per role.)
leader=$(sql "select lead_person_id from items where lead_person_id is not null and lead_person_id not in (select person_id from accounts where person_id is not null) group by lead_person_id order by count(*) desc limit 1")
agency=$(sql "select agency_id from persons where id = '$leader'")
case "$DATABASE_URL" in postgres*) ;; *)
  # SQLite stores uuids as 16 bytes: ask again with the id as a blob.
  hex=${leader//-/}
  agency=$(sql "select agency_id from persons where id = x'$hex'")
  ;;
esac
email="bench-leader-$(date +%s)@bench.local"
password="bench-password-$(date +%s)"
"$bin" admin create-account --email "$email" --role leader --agency "$agency" \
  --person "$leader" --password-stdin <<<"$password" >/dev/null
case "$DATABASE_URL" in
  postgres*) item=$(sql "select id from items where lead_person_id = '$leader' order by due_on limit 1") ;;
  *) item=$(sql "select id from items where lead_person_id = x'${leader//-/}' order by due_on limit 1") ;;
esac

"$bin" serve > /tmp/rectify-web-bench-serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.2; done

# Sign in as a browser does: the form's cookie and token, then the session cookie.
jar=$(mktemp)
form=$(curl -fs -c "$jar" "$base/login")
token=$(echo "$form" | sed -nE 's/.*name="csrf" value="([^"]+)".*/\1/p' | head -n 1)
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "email=$email" \
  --data-urlencode "password=$password" --data-urlencode "csrf=$token" --data-urlencode "next=/" \
  "$base/login"
session=$(awk '$6 == "rectify_session" { print $7 }' "$jar")
[ -n "$session" ] || { echo "could not sign in"; exit 1; }
cookie="rectify_session=$session"

size() { curl -fs --compressed -H "Cookie: $cookie" -o /dev/null -w '%{size_download}' "$base$1"; }
raw() { curl -fs -H "Accept-Encoding: identity" -H "Cookie: $cookie" -o /dev/null -w '%{size_download}' "$base$1"; }
gz() { curl -fs -H "Accept-Encoding: gzip" -H "Cookie: $cookie" -o /dev/null -w '%{size_download}' "$base$1"; }

echo "engine: ${DATABASE_URL%%:*}, items: $(sql 'select count(*) from items'), leader's items: $(sql "select count(*) from items where lead_person_id = $(case "$DATABASE_URL" in postgres*) echo "'$leader'";; *) echo "x'${leader//-/}'";; esac)"), pool: $RECTIFY_DB_MAX_CONNECTIONS, wrk -t1 -c$connections -d$duration"
printf '%-22s %10s %10s %10s %12s %12s\n' page p50 p90 p99 req/s 'gzip bytes'
for path in / /items "/items/$item" /inbox; do
  out=$(wrk -t1 -c"$connections" -d"$duration" --latency -H "Cookie: $cookie" -H "Accept-Encoding: gzip" "$base$path")
  p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
  p90=$(echo "$out" | awk '$1 == "90%" { print $2 }')
  p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
  rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  errors=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
  label=$path; [ "$path" = "/items/$item" ] && label="/items/<id>"
  printf '%-22s %10s %10s %10s %12s %12s %s\n' "$label" "$p50" "$p90" "$p99" "$rps" "$(gz "$path")" "${errors:+non-2xx: $errors}"
done

home=$(curl -fs -H "Cookie: $cookie" "$base/")
first=$(gz /)
for asset in $(echo "$home" | grep -oE '/assets/[^"]+' | sort -u); do
  first=$((first + $(gz "$asset")))
done
echo "first visit (workbench, CSS, htmx, script), gzip: $first bytes (uncompressed page: $(raw /) bytes)"
echo "later pages, gzip: items $(gz /items), item $(gz "/items/$item"), inbox $(gz /inbox) bytes"
