#!/usr/bin/env bash
# Bounded load (not run in CI): 8 connections send the costliest operations each role may
# send — 19 counts at once as a person and as a supervisor, a city-wide dashboard, audit
# verifications, a 1 MB report's dry-run import, wrong passwords — while one connection
# measures `{ me }`. Prints `{ me }`'s latency and the server's peak RSS. Usage:
#
#   cargo build --release
#   DATABASE_URL=sqlite:///tmp/load/rectify.db?mode=rwc benches/load/run.sh
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/load benches/load/run.sh
#
# An empty database is seeded first (ITEMS, default 100,000, over 100 agencies).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${CARGO_TARGET_DIR:-target}/release/rectify"
: "${DATABASE_URL:?set DATABASE_URL}"
export DATABASE_URL
items="${ITEMS:-100000}"
duration="${DURATION:-30s}"
port="${PORT:-18081}"
work=$(mktemp -d)
export RECTIFY_BIND="127.0.0.1:$port" RUST_LOG="${RUST_LOG:-warn}" RECTIFY_DATA_DIR="$work"
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
  "$bin" seed --agencies 100 --items $((items - have)) >/dev/null
fi
city=$(sql "select id from agencies where parent_id is null order by name limit 1")
# A person with no account yet (a person has one account per role).
free="from persons p where not exists (select 1 from accounts a where a.person_id = p.id) order by p.id limit 1"
unit=$(sql "select p.agency_id $free")
who=$(sql "select p.id $free")
stamp=$(date +%s%N)
supervisor=$("$bin" admin create-account --email "load-s-$stamp@bench.local" --role supervisor --agency "$city" | tail -n 1)
coordinator=$("$bin" admin create-account --email "load-c-$stamp@bench.local" --role coordinator --agency "$unit" | tail -n 1)
person=$("$bin" admin create-account --email "load-p-$stamp@bench.local" --role person --agency "$unit" --person "$who" | tail -n 1)

bodies="$work/bodies.tsv"
python3 - "$bodies" "$supervisor" "$coordinator" "$person" "$city" <<'PY'
import json, os, sys
path, sup, coord, person, city = sys.argv[1:]
# A 1 MB report: a real one (or a made-up paragraph) repeated.
source = "../shared/corpus/d11_pingtanxian_2019_zfgzbg.txt"
text = open(source).read() if os.path.exists(source) else "存在的问题：一是学习不够。"
report = (text * (1_000_000 // len(text.encode()) + 1))[:330_000]
counts = " ".join(f"c{i}: items(first: 1, filter: {{escalationLevel: 2}}) {{ totalCount }}" for i in range(19))
ops = [
  (person, {"query": "{ " + counts + " }"}),
  (sup, {"query": "{ " + counts + " }"}),
  (sup, {"query": "query($a: ID!) { dashboard(agencyId: $a) { figures { total open overdue completionRate onTimeRate } units(first: 100) { figures { total overdue } } byLeader { figures { total } } trend { month } } }", "variables": {"a": city}}),
  (sup, {"query": "{ a: auditVerify { ok itemsChecked } b: auditVerify { ok } c: auditVerify { ok } }"}),
  (coord, {"query": "mutation($t: String!) { importReport(input: { text: $t, dryRun: true }) { status } }", "variables": {"t": report}}),
  (coord, {"query": "mutation { login(email: \"load-c-x@bench.local\", password: \"wrong password!\") { token } }"}),
]
with open(path, "w") as f:
  for token, body in ops:
    f.write(token + "\t" + json.dumps(body, ensure_ascii=False) + "\n")
PY

"$bin" serve > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
echo "engine: ${DATABASE_URL%%:*}, items: $(sql 'select count(*) from items'), idle RSS: $(grep VmRSS /proc/$server/status | awk '{print $2/1024 " MB"}')"

BODIES="$bodies" wrk -t2 -c8 -d"$duration" -s benches/load/mix.lua "http://127.0.0.1:$port/graphql" > "$work/mix.txt" &
load=$!
sleep 2
me=$(python3 -c 'import json; print(json.dumps({"query": "{ me { id } }"}))')
printf '{ me } under load:            '
TOKEN=$person QUERY=$me wrk -t1 -c1 -d"$(( ${duration%s} - 4 ))s" -s benches/http/graphql.lua "http://127.0.0.1:$port/graphql" | tail -n 1
wait $load
printf 'the costly mix (8 connections): '
tail -n 1 "$work/mix.txt"
echo "peak RSS: $(grep VmHWM /proc/$server/status | awk '{print $2/1024 " MB"}')"
