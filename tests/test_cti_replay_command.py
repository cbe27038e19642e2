"""``cti_replay`` on every transcript: the real bridge pipeline over TCP into PostgreSQL, checked against the
CSV it exports and against Asterisk's own queue_log."""

import csv
import os
import re

import pytest
from conftest import CSV_FIELDS, FIXTURES, fixture, odoo_command

TRANSCRIPTS = sorted(f for f in os.listdir(FIXTURES) if f.endswith(".ami"))


def queue_log(name):
    rows = []
    with open(
        os.path.join(FIXTURES, "queue_log", name.replace(".ami", ".queue_log")), encoding="utf-8"
    ) as handle:
        for line in handle:
            parts = line.rstrip("\n").split("|")
            rows.append({"callid": parts[1], "agent": parts[3], "event": parts[4], "data": parts[5:]})
    return rows


def replay(tmp_path, make_server, name, country="US", speed="max"):
    server_id = make_server(f"e2e {name} {tmp_path.name}", country)
    out = tmp_path / "calls.csv"
    result = odoo_command(
        "cti_replay", "--cti-server", str(server_id), "--speed", speed, "--country", country,
        "--export-csv", str(out), fixture(name),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    with open(out, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return result.stdout, rows, server_id


@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_replay_summary_and_csv(tmp_path, make_server, name):
    stdout, rows, _server = replay(tmp_path, make_server, name)
    summary = [line for line in stdout.splitlines() if line.startswith("cti_replay:")]
    assert summary, stdout
    assert re.search(r" 0 errors", summary[-1]), summary[-1]
    if rows:
        assert list(rows[0]) == list(CSV_FIELDS)
    linkedids = [row["linkedid"] for row in rows]
    assert len(linkedids) == len(set(linkedids)), "a call was recorded twice"


SINGLE_CALLS = ["a", "b", "c", "e", "e2", "f", "i"]


@pytest.mark.parametrize("name", [t for t in TRANSCRIPTS if t.split("-")[0] in SINGLE_CALLS])
def test_single_call_agrees_with_queue_log(tmp_path, make_server, name):
    # At recorded pace: durations Asterisk does not report itself are measured on receipt, as in production.
    _stdout, rows, _server = replay(tmp_path, make_server, name, speed="1")
    inbound = [row for row in rows if row["direction"] == "inbound"]
    assert len(inbound) == 1, rows
    call, log = inbound[0], queue_log(name)
    connect = [r for r in log if r["event"] == "CONNECT"]
    complete = [r for r in log if r["event"].startswith("COMPLETE")]
    abandon = [r for r in log if r["event"] == "ABANDON"]
    if connect:
        assert call["answering_agent"] == connect[0]["agent"].split()[-1]
        assert abs(float(call["wait_s"]) - int(connect[0]["data"][0])) <= 1
    # After a transfer Asterisk's TalkTime covers the whole call; the record keeps the first agent's talk.
    if complete and not call["transferred_to"] and not [r for r in log if "TRANSFER" in r["event"]]:
        assert abs(float(call["talk_s"]) - int(complete[-1]["data"][1])) <= 1
    if abandon:
        assert call["disposition"] == "abandoned"
        assert abs(float(call["wait_s"]) - int(abandon[0]["data"][2])) <= 1


def test_burst_fifty_calls_agree_with_queue_log(tmp_path, make_server):
    _stdout, rows, _server = replay(tmp_path, make_server, "n-burst-50-calls.ami")
    log = queue_log("n-burst-50-calls.ami")
    assert len(rows) == 50
    assert {row["disposition"] for row in rows} == {"answered"}
    expected = sorted((r["agent"].split()[-1], int(r["data"][0])) for r in log if r["event"] == "CONNECT")
    got = sorted((row["answering_agent"], float(row["wait_s"])) for row in rows)
    assert [agent for agent, _w in got] == [agent for agent, _w in expected]
    assert all(abs(g[1] - e[1]) <= 1 for g, e in zip(got, expected, strict=True))
    talk_log = sum(int(r["data"][1]) for r in log if r["event"].startswith("COMPLETE"))
    assert abs(sum(float(row["talk_s"]) for row in rows) - talk_log) <= 50
