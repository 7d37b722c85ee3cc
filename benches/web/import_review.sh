#!/usr/bin/env bash
# Server time of the import review page (POST /import/review, the first review of a pasted
# report of about 20 KB: read, extract, a dry-run import, the page rendered) as a
# coordinator, over a fresh embedded database. Not run in CI. Usage:
#
#   cargo build --release
#   benches/web/import_review.sh            # RUNS (default 50) timed requests after 5 warm-ups
#
# Prints the median and the 95th percentile of curl's total time minus its time to
# connect (localhost: the server's time, the request and page included). The bar: ≤ 50 ms.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."
bin="${BIN:-${CARGO_TARGET_DIR:-target}/release/rectify}"
runs="${RUNS:-50}"
port="${PORT:-18083}"
dir=$(mktemp -d)
export DATABASE_URL="sqlite://$dir/rectify.db?mode=rwc"
export RECTIFY_BIND="127.0.0.1:$port" RUST_LOG="${RUST_LOG:-warn}"
export RECTIFY_REMIND_SWEEP_SECS=86400 RECTIFY_REMIND_SEND_SECS=86400
base="http://127.0.0.1:$port"

# A report of about 20 KB: achievements, 20 shortcomings, 20 measures.
python3 - "$dir/report.txt" <<'PY'
import sys
topics = ["普法宣传形式单一，针对性和实效性不强", "行政执法人员专业能力不足，培训覆盖面窄",
          "重大行政决策合法性审查机制不够健全", "规范性文件备案审查不够及时",
          "行政复议纠错率偏高，基层执法不够规范"]
cn = "一二三四五六七八九十"
def num(n):
    return cn[n - 1] if n <= 10 else "十" + cn[n - 11] if n < 20 else "二十"
lines = ["某市测试局2025年法治政府建设年度报告", "2025年，我局坚持以习近平法治思想为指导，扎实推进法治政府建设，现报告如下：",
         "一、主要举措和成效"]
for i in range(1, 90):
    lines.append(f"（{num(min(i, 20))}）加强第{num(min(i, 20))}方面工作。全年组织专题学法，覆盖干部职工二百余人次，规范行政执法行为，推进严格规范公正文明执法，持续优化法治化营商环境。")
lines.append("二、存在的不足")
for i in range(1, 21):
    lines.append(f"{num(i)}是{topics[i % 5]}，在第{num(i)}个方面表现尤为突出。")
lines.append("三、2026年工作计划")
for i in range(1, 21):
    lines.append(f"（{num(i)}）针对第{num(i)}个方面，{topics[i % 5][:8]}问题，制定专项整改方案，明确责任分工和完成时限。")
lines += ["某市测试局", "2026年1月20日"]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
# Last year's report creates the agency (and gives recurrences to compare with).
open(sys.argv[1] + ".2024", "w").write("某市测试局2024年法治政府建设年度报告\n二、存在的不足\n一是"
    + topics[0] + "。\n二是" + topics[1] + "。\n三、2025年工作计划\n（一）创新普法形式。\n某市测试局\n2025年1月20日\n")
PY
echo "report: $(wc -c < "$dir/report.txt") bytes"

"$bin" migrate >/dev/null
"$bin" import "$dir/report.txt.2024" >/dev/null
agency=$(python3 -c 'import sqlite3,sys,uuid; r=sqlite3.connect(sys.argv[1]).execute("select id from agencies where name=?", ("某市测试局",)).fetchone(); v=r[0]; print(str(uuid.UUID(bytes=v)) if isinstance(v, bytes) else v)' "$dir/rectify.db")
email="coordinator-$(date +%s)@bench.local"
password="bench-password-$(date +%s)"
"$bin" admin create-account --email "$email" --role coordinator --agency "$agency" \
  --password-stdin <<<"$password" >/dev/null

"$bin" serve > "$dir/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.2; done

jar="$dir/jar"
form=$(curl -fs -c "$jar" "$base/login")
token=$(echo "$form" | sed -nE 's/.*name="csrf" value="([^"]+)".*/\1/p' | head -n 1)
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "email=$email" \
  --data-urlencode "password=$password" --data-urlencode "csrf=$token" --data-urlencode "next=/" \
  "$base/login"
session=$(awk '$6 == "rectify_session" { print $7 }' "$jar")
cookie="rectify_session=$session"
csrf=$(curl -fs -H "Cookie: $cookie" "$base/import" | sed -nE 's/.*name="csrf" value="([^"]+)".*/\1/p' | head -n 1)

review() {
  curl -s -o "$dir/page.html" -H "Cookie: $cookie" -F "csrf=$csrf" -F "text=<$dir/report.txt" \
    -F "agency_id=$agency" -w '%{http_code} %{time_pretransfer} %{time_total}\n' \
    "$base/import/review"
}
for _ in 1 2 3 4 5; do review >/dev/null; done
first=$(review)
[ "${first%% *}" = 200 ] || { echo "the review page answered $first"; exit 1; }
grep -o '存在的问题（[0-9]* 条）' "$dir/page.html" | head -n 1
for _ in $(seq 1 "$runs"); do review; done | tee "$dir/times" | awk '{ printf "%.3f\n", ($3 - $2) * 1000 }' | sort -n |
  awk '{ t[NR] = $1 } END { printf "review page, %d runs: median %.1f ms, p95 %.1f ms, max %.1f ms\n", NR, t[int((NR + 1) / 2)], t[int(NR * 0.95)], t[NR] }'
