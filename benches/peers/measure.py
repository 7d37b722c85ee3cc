"""The peer benchmark's measuring half (run by run.sh, which starts both servers): checks
that both servers give the same answers, runs wrk on each query alternating the servers,
and prints the table with ratios, `{ me { id } }` and rectify's RSS under load."""

import datetime
import json
import os
import re
import subprocess
import threading
import time
import urllib.request
from zoneinfo import ZoneInfo

RECTIFY = os.environ["RECTIFY_URL"]
PGL = os.environ["PGL_URL"]
TOKEN = os.environ["TOKEN"]
CITY = os.environ["CITY"]
PID = int(os.environ["RECTIFY_PID"])
DURATION = os.environ.get("DURATION", "20s")
ROUNDS = int(os.environ.get("ROUNDS", "1"))
CONNECTIONS = [int(c) for c in os.environ.get("CONNECTIONS", "2 8").split()]
ONLY = os.environ.get("ONLY", "")  # e.g. "a c": only these queries
FINAL = ["closed", "cancelled"]
LUA = os.path.join(os.path.dirname(__file__), "..", "http", "graphql.lua")


def sql(query):
    return subprocess.check_output(["psql", os.environ["DATABASE_URL"], "-Atc", query], text=True).strip()


def post(url, body):
    req = urllib.request.Request(url, json.dumps(body).encode(),
                                 {"Content-Type": "application/json", "Authorization": "Bearer " + TOKEN})
    answer = json.loads(urllib.request.urlopen(req, timeout=120).read())
    if answer.get("errors"):
        raise SystemExit(f"{url}: {json.dumps(answer, ensure_ascii=False)[:600]}")
    return answer["data"]


# What to ask: the agency with the most items, an item with a shortcoming, today where the
# agencies are (one zone in the seeded data).
agency = sql("select agency_id from items group by agency_id order by count(*) desc, agency_id limit 1")
item = sql("select id from items where shortcoming_id is not null order by id limit 1")
zones = sql("select distinct time_zone from agencies").split()
if len(zones) != 1:
    raise SystemExit(f"the overdue comparison assumes one time zone, found {zones}")
today = datetime.datetime.now(ZoneInfo(zones[0])).date().isoformat()
overdue_filter = '{ dueOn: { lessThan: "%s" }, state: { notIn: %s } }' % (today, json.dumps(FINAL))


def lead(node):
    return node and node["name"]


QUERIES = {
    "a": ("50 items of one agency, with agency name and lead's name",
          {"query": "query($a: ID!) { items(first: 50, filter: { agencyId: $a }) { nodes { id title agency { name } leadPerson { name } } } }",
           "variables": {"a": agency}},
          lambda d: [(n["id"], n["title"], n["agency"]["name"], lead(n["leadPerson"])) for n in d["items"]["nodes"]],
          {"query": "query($a: UUID!) { allItems(first: 50, orderBy: PRIMARY_KEY_ASC, condition: { agencyId: $a }) { nodes { rowId title agencyByAgencyId { name } personByLeadPersonId { name } } } }",
           "variables": {"a": agency}},
          lambda d: [(n["rowId"], n["title"], n["agencyByAgencyId"]["name"], lead(n["personByLeadPersonId"])) for n in d["allItems"]["nodes"]]),
    "b": ("one item with its shortcoming's text and agency name",
          {"query": "query($id: ID!) { item(id: $id) { title shortcoming { text } agency { name } } }",
           "variables": {"id": item}},
          lambda d: (d["item"]["title"], d["item"]["shortcoming"]["text"], d["item"]["agency"]["name"]),
          {"query": "query($id: UUID!) { itemByRowId(rowId: $id) { title shortcomingByShortcomingId { text } agencyByAgencyId { name } } }",
           "variables": {"id": item}},
          lambda d: (d["itemByRowId"]["title"], d["itemByRowId"]["shortcomingByShortcomingId"]["text"],
                     d["itemByRowId"]["agencyByAgencyId"]["name"])),
    "c": ("count of one agency's overdue items",
          {"query": "query($a: ID!) { items(filter: { agencyId: $a, overdue: true }) { totalCount } }",
           "variables": {"a": agency}},
          lambda d: d["items"]["totalCount"],
          {"query": "query($a: UUID!) { allItems(filter: { agencyId: { equalTo: $a }, dueOn: { lessThan: \"%s\" }, state: { notIn: %s } }) { totalCount } }" % (today, json.dumps(FINAL)),
           "variables": {"a": agency}},
          lambda d: d["allItems"]["totalCount"]),
}
states = [s["state"] for s in post(RECTIFY, {"query": "query($a: ID!) { dashboard(agencyId: $a) { byState { state } } }",
                                              "variables": {"a": CITY}})["dashboard"]["byState"]]
QUERIES["d"] = (
    "city dashboard: total, overdue, per state",
    {"query": "query($a: ID!) { dashboard(agencyId: $a) { figures { total overdue } byState { state count } } }",
     "variables": {"a": CITY}},
    lambda d: (d["dashboard"]["figures"]["total"], d["dashboard"]["figures"]["overdue"],
               {s["state"]: s["count"] for s in d["dashboard"]["byState"] if s["count"]}),
    {"query": "{ total: allItems { totalCount } overdue: allItems(filter: %s) { totalCount } %s }" % (
        overdue_filter,
        " ".join('s_%s: allItems(condition: { state: "%s" }) { totalCount }' % (s, s) for s in states))},
    lambda d: (d["total"]["totalCount"], d["overdue"]["totalCount"],
               {k[2:]: v["totalCount"] for k, v in d.items() if k.startswith("s_") and v["totalCount"]}),
)
selected = [k for k in QUERIES if not ONLY or k in ONLY.split()]

for key in selected:
    _, ours, ours_answer, theirs, theirs_answer = QUERIES[key]
    a, b = ours_answer(post(RECTIFY, ours)), theirs_answer(post(PGL, theirs))
    if a != b:
        raise SystemExit(f"({key}) the answers differ:\n rectify: {a}\n PostGraphile: {b}")
print(f"answers agree on {', '.join(selected)} (agency {agency}, item {item}, today {today})")

peak = {"rss": 0}


def watch_rss(stop):
    while not stop.is_set():
        try:
            with open(f"/proc/{PID}/status") as f:
                for line in f:
                    if line.startswith("VmRSS"):
                        peak["rss"] = max(peak["rss"], int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.2)


LINE = re.compile(r"requests (\d+), p50 ([\d.]+) ms, p90 ([\d.]+) ms, p99 ([\d.]+) ms, max ([\d.]+) ms, (\d+) req/s")


def wrk(url, body, connections, duration, watch=False):
    env = dict(os.environ, QUERY=json.dumps(body), TOKEN=TOKEN)
    stop = threading.Event()
    if watch:
        threading.Thread(target=watch_rss, args=(stop,), daemon=True).start()
    out = subprocess.run(["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{duration}", "-s", LUA, url],
                         env=env, capture_output=True, text=True)
    stop.set()
    if "first error" in out.stderr:
        raise SystemExit(f"{url}: {out.stderr.strip()}")
    m = LINE.search(out.stdout)
    if not m:
        raise SystemExit(f"wrk said: {out.stdout}{out.stderr}")
    return {"p99": float(m.group(4)), "rps": int(m.group(6))}


rows = []
for key in selected:
    title, ours, _, theirs, _ = QUERIES[key]
    servers = {"rectify": (RECTIFY, ours), "PostGraphile": (PGL, theirs)}
    for url, body in servers.values():  # warm both (plans, prepared statements, JIT)
        wrk(url, body, 8, "3s")
    for c in CONNECTIONS:
        runs = {name: [] for name in servers}
        for r in range(ROUNDS):
            order = list(servers) if r % 2 == 0 else list(reversed(servers))
            for name in order:
                url, body = servers[name]
                runs[name].append(wrk(url, body, c, DURATION, watch=name == "rectify"))
        mean = {n: {k: sum(x[k] for x in v) / len(v) for k in ("p99", "rps")} for n, v in runs.items()}
        rows.append((key, title, c, mean["rectify"], mean["PostGraphile"]))
        print(f"  ({key}) c={c}: rectify {mean['rectify']['rps']:.0f}/s p99 {mean['rectify']['p99']:.2f} ms, "
              f"PostGraphile {mean['PostGraphile']['rps']:.0f}/s p99 {mean['PostGraphile']['p99']:.2f} ms", flush=True)

print()
print("| query | c | rectify | PostGraphile | rectify / PostGraphile (req/s) | p99 rectify / PostGraphile |")
print("| --- | --- | --- | --- | --- | --- |")
last = None
for key, title, c, ours, theirs in rows:
    label = f"{key}. {title}" if key != last else ""
    last = key
    print(f"| {label} | {c} | p99 {ours['p99']:.2f} ms, {ours['rps']:,.0f}/s | p99 {theirs['p99']:.2f} ms, {theirs['rps']:,.0f}/s "
          f"| {ours['rps'] / theirs['rps']:.2f} | {ours['p99'] / theirs['p99']:.2f} |")
print()
me = wrk(RECTIFY, {"query": "{ me { id } }"}, 8, DURATION, watch=True)
print(f"rectify {{ me {{ id }} }} at c=8: {me['rps']:,.0f} req/s, p99 {me['p99']:.2f} ms")
with open(f"/proc/{PID}/status") as f:
    status = dict(line.split(":", 1) for line in f)
print(f"rectify RSS: {int(status['VmRSS'].split()[0]) / 1024:.0f} MB now, {peak['rss'] / 1024:.0f} MB sampled peak under load, "
      f"{int(status['VmHWM'].split()[0]) / 1024:.0f} MB high-water mark")
