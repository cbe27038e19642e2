"""Call-center reports: every figure against hand-computed fixtures and Asterisk's own queue_log, the Excel
export opened back, and who sees what."""

import collections
import datetime
import os
import tempfile
import zipfile

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..cti import transcript
from ..wizards.cc_report_export_wizard import EXPORTS
from .common import fixture_path
from .test_cti_sink import CtiSinkCase

T0 = datetime.datetime(2026, 3, 2, 2, 0)  # 10:00 on Monday 2026-03-02 in Asia/Shanghai


def at(minutes):
    return T0 + datetime.timedelta(minutes=minutes)


@tagged("post_install", "-at_install")
class TestReportFigures(TransactionCase):
    """Six calls, two agents, one queue, one agent's state log: every figure computed by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"]
        params.set_param("callcenter_cti.report_timezone", "Asia/Shanghai")
        params.set_param("callcenter_cti.short_abandon_s", "5")
        params.set_param("callcenter_cti.service_level_base", "offered")
        cls.server = cls.env["cc.pbx.server"].create(
            {"name": "Report lab", "host": "127.0.0.1", "port": 5038}
        )
        cls.queue = cls.env["cc.queue"].create(
            {"name": "Support", "ami_name": "support", "server_id": cls.server.id, "service_level_s": 20}
        )
        cls.user_a = new_test_user(cls.env, login="rep_a", groups="callcenter_cti.group_cc_agent")
        cls.user_b = new_test_user(cls.env, login="rep_b", groups="callcenter_cti.group_cc_agent")
        cls.supervisor = new_test_user(cls.env, login="rep_sup", groups="callcenter_cti.group_cc_supervisor")
        cls.agent_a, cls.agent_b = cls.env["cc.agent"].create(
            [
                {"name": "Ann", "extension": "7001", "user_id": cls.user_a.id, "server_id": cls.server.id},
                {"name": "Bob", "extension": "7002", "user_id": cls.user_b.id, "server_id": cls.server.id},
            ]
        )
        a, b = cls.agent_a.id, cls.agent_b.id
        cls.calls = cls.env["cc.call"].create(
            [
                cls._call("c1", 0, "answered", wait=10, talk=100, hold=20, wrapup=30, agent=a, score=5,
                          attempts=[(a, "answered", 4)]),
                cls._call("c2", 5, "answered", wait=30, talk=200, wrapup=10, agent=b, score=3,
                          attempts=[(a, "ring_no_answer", 15), (b, "answered", 5)]),
                cls._call("c3", 10, "abandoned", wait=3, position=2),
                cls._call("c4", 15, "abandoned", wait=40, position=1,
                          attempts=[(a, "caller_abandoned", 8), (b, "caller_abandoned", 6)]),
                cls._call("c5", 20, "answered", direction="outbound", talk=60, agent=a, queue=False),
                cls._call("c6", 25, "voicemail", wait=60),
            ]
        )  # fmt: skip
        cls._states(
            a,
            [("ready", 0, 10), ("ringing", 10, 12), ("on_call", 12, 30), ("wrap_up", 30, 35),
             ("paused", 35, 75, "lunch"), ("logged_out", 75, 80)],
        )  # fmt: skip
        for model in ("cc.report.agent.kpi", "cc.report.queue"):
            cls.env[model].cc_refresh(full=True)

    @classmethod
    def _call(cls, linkedid, minute, disposition, direction="inbound", queue=None, agent=False, attempts=(),
              wait=0, talk=0, hold=0, wrapup=0, score=0, position=0):  # fmt: skip
        return {
            "server_id": cls.server.id,
            "linkedid": linkedid,
            "direction": direction,
            "state": "ended",
            "caller_raw": f"1555000{minute:04d}",
            "customer_e164": f"+1555000{minute:04d}",
            "did": "4008001234",
            "queue_id": cls.queue.id if queue is None else queue,
            "agent_id": agent,
            "start": at(minute),
            "queue_entry": at(minute),
            "end": at(minute + 5),
            "disposition": disposition,
            "wait_s": wait,
            "talk_s": talk,
            "hold_s": hold,
            "wrapup_s": wrapup,
            "survey_score": score,
            "queue_position_entry": position,
            "queue_position_abandon": position,
            "attempt_ids": [
                (0, 0, {"agent_id": ag, "outcome": outcome, "ring_s": ring, "start": at(minute),
                        "end": at(minute) + datetime.timedelta(seconds=ring), "queue_id": cls.queue.id})
                for ag, outcome, ring in attempts
            ],
        }  # fmt: skip

    @classmethod
    def _states(cls, agent_id, rows):
        cls.env["cc.agent.state.log"].create(
            [
                {"agent_id": agent_id, "state": state, "start": at(start), "end": at(end), "reason": rest[0]}
                if rest
                else {"agent_id": agent_id, "state": state, "start": at(start), "end": at(end)}
                for state, start, end, *rest in rows
            ]
        )

    def kpi(self, agent, **extra):
        rows = self.env["cc.report.agent.kpi"]._read_group(
            [("agent_id", "=", agent.id)], ["date:day"], [f"{f}:sum" for f in extra]
        )
        self.assertEqual(len(rows), 1)
        return dict(zip(extra, rows[0][1:], strict=True))

    def test_agent_kpi_by_day(self):
        figures = dict(
            offered=3,
            answered=1,
            missed=1,
            outbound=1,
            outbound_talk_s=60,
            answer_rate=33.33,
            ring_s=27,
            talk_s=100,
            hold_s=20,
            wrapup_s=30,
            avg_talk_s=100,
            aht_s=130,
            ready_s=600,
            busy_s=1500,
            occupancy=71.43,
            paused_s=2400,
            logged_in_s=4500,
            survey_count=1,
            avg_score=5,
        )
        got = self.kpi(self.agent_a, **figures)
        for name, expected in figures.items():
            self.assertAlmostEqual(float(got[name]), expected, places=2, msg=name)
        figures_b = dict(offered=2, answered=1, missed=0, answer_rate=50, ring_s=11, talk_s=200, aht_s=210)
        got = self.kpi(self.agent_b, **figures_b)
        for name, expected in figures_b.items():
            self.assertAlmostEqual(float(got[name]), expected, places=2, msg=name)

    def test_agent_kpi_rows_per_hour_in_report_time_zone(self):
        rows = self.env["cc.report.agent.kpi"].search([("agent_id", "=", self.agent_a.id)], order="period")
        self.assertEqual(rows.mapped("hour"), [10, 11])
        self.assertEqual(rows.mapped("paused_s"), [1500, 900])
        self.assertEqual(rows[0].date, datetime.date(2026, 3, 2))
        self.assertEqual(rows[0].weekday, "1")  # Monday
        self.assertAlmostEqual(rows[0].occupancy, 71.43)

    def test_queue_report(self):
        figures = dict(
            offered=5,
            answered=2,
            abandoned=2,
            short_abandoned=1,
            other=1,
            answered_in_sl=1,
            service_level=20,
            abandon_rate=25,
            asa_s=20,
            aht_s=170,
            max_wait_s=60,
        )
        rows = self.env["cc.report.queue"]._read_group(
            [("queue_id", "=", self.queue.id)],
            ["hour"],
            [f"{f}:max" if f == "max_wait_s" else f"{f}:sum" for f in figures],
        )
        self.assertEqual(rows[0][0], 10)
        for (name, expected), value in zip(figures.items(), rows[0][1:], strict=True):
            self.assertAlmostEqual(float(value), expected, places=2, msg=name)

    def test_service_level_denominator_and_short_threshold(self):
        params = self.env["ir.config_parameter"]
        params.set_param("callcenter_cti.service_level_base", "answered")
        params.set_param("callcenter_cti.short_abandon_s", "0")
        Queue = self.env["cc.report.queue"]
        Queue.cc_refresh(full=True)
        row = Queue.search([("queue_id", "=", self.queue.id)])
        self.assertEqual((row.short_abandoned, row.sl_denominator, row.service_level), (0, 2, 50))
        self.assertEqual(row.abandon_rate, 40)

    def test_incremental_refresh_takes_new_calls(self):
        Queue = self.env["cc.report.queue"]
        Queue.cc_refresh()
        self.env["cc.call"].create(self._call("c7", 50, "answered", wait=5, talk=10, agent=self.agent_b.id))
        mark = Queue._cc_refresh_mark()
        self.assertIn(T0, Queue._cc_dirty_hours(mark))  # the new call's hour is dirty
        self.assertGreaterEqual(Queue.cc_refresh(), 1)
        self.assertEqual(sum(Queue.search([("queue_id", "=", self.queue.id)]).mapped("offered")), 6)

    def test_call_detail(self):
        rows = self.env["cc.report.call"].search([("call_id", "in", self.calls.ids)], order="start")
        self.assertEqual(len(rows), 6)
        self.assertEqual(set(rows.mapped("hour")), {10})
        self.assertEqual(set(rows.mapped("weekday")), {"1"})
        groups = self.env["cc.report.call"]._read_group(
            [("call_id", "in", self.calls.ids)], ["direction"], ["call_count:sum", "answer_rate:sum"]
        )
        self.assertEqual(
            {d: (n, float(r)) for d, n, r in groups}, {"inbound": (5, 40.0), "outbound": (1, 100.0)}
        )

    def test_abandoned(self):
        rows = self.env["cc.report.abandoned"].search(
            [("call_id", "in", self.calls.ids)], order="queue_entry"
        )
        self.assertRecordValues(
            rows,
            [
                {"customer_e164": "+15550000010", "wait_s": 3, "position_abandon": 2, "agents_rung": 0,
                 "did": "4008001234", "queue_id": self.queue.id, "hangup": at(15)},
                {"customer_e164": "+15550000015", "wait_s": 40, "position_abandon": 1, "agents_rung": 2,
                 "did": "4008001234", "queue_id": self.queue.id, "hangup": at(20)},
            ],
        )  # fmt: skip

    def test_satisfaction(self):
        Report = self.env["cc.report.satisfaction"]
        groups = Report._read_group(
            [("call_id", "in", self.calls.ids)], ["agent_id"], ["avg_score:sum", "satisfied_rate:sum"]
        )
        self.assertEqual(
            {agent: (float(avg), float(rate)) for agent, avg, rate in groups},
            {self.agent_a: (5.0, 100.0), self.agent_b: (3.0, 0.0)},
        )
        total = Report._read_group([("call_id", "in", self.calls.ids)], [], ["satisfied_rate:sum"])
        self.assertEqual(float(total[0][0]), 50.0)

    def test_agents_see_their_own_figures(self):
        for model in ("cc.report.agent.kpi", "cc.report.call", "cc.report.satisfaction"):
            mine = self.env[model].with_user(self.user_a).search([])
            self.assertTrue(mine, model)
            self.assertEqual(set(mine.mapped("user_id").ids), {self.user_a.id}, model)
        supervised = self.env["cc.report.agent.kpi"].with_user(self.supervisor).search([])
        self.assertLessEqual({self.user_a.id, self.user_b.id}, set(supervised.mapped("user_id").ids))
        for model in ("cc.report.queue", "cc.report.abandoned"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.user_a).search([])
            self.assertTrue(self.env[model].with_user(self.supervisor).search([]), model)

    def test_daily_summary_mailed_to_managers(self):
        manager = new_test_user(
            self.env, login="rep_mgr", email="mgr@example.com", groups="callcenter_cti.group_cc_manager"
        )
        with freeze_time("2026-03-03 01:00:00"):  # 09:00 in Shanghai: the summary is of 2026-03-02
            self.env["cc.report.queue"]._cron_cc_daily_summary()
        mails = self.env["mail.mail"].search([("subject", "ilike", "summary")])
        mail = mails.filtered(
            lambda m: manager.email in (m.email_to or "") or manager.partner_id in m.recipient_ids
        )
        self.assertEqual(len(mail), 1, mails.mapped(lambda m: (m.email_to, m.recipient_ids.mapped("email"))))
        self.assertIn("2026-03-02", mail.subject)
        self.assertIn("Support", mail.body_html)
        self.assertIn(self.agent_a.display_name, mail.body_html)
        self.assertIn("33.33", mail.body_html)  # Ann's answer rate

    def test_agent_opens_kpis_with_a_refresh(self):
        action = self.env["cc.report.agent.kpi"].with_user(self.user_a).action_cc_open()
        self.assertEqual(action["res_model"], "cc.report.agent.kpi")

    def export(self, report, user=None):
        wizard = self.env["cc.report.export.wizard"].with_user(user or self.env.user)
        spec = EXPORTS[report]
        wizard = wizard.create({"report": report, "date_from": "2026-03-02", "date_to": "2026-03-02"})
        fd, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(fd)
        self.addCleanup(os.unlink, path)
        count = wizard._cc_write_workbook(spec, wizard._cc_domain(spec), path)
        return count, path

    def test_excel_exports_open_with_header_formats_and_chart(self):
        expected_rows = {
            "call": 6,
            "agent_state": 6,
            "agent_kpi": 3,
            "abandoned": 2,
            "queue": 1,
            "satisfaction": 2,
        }
        self.env.user.tz = "Asia/Shanghai"
        for report, rows in expected_rows.items():
            count, path = self.export(report)
            self.assertGreaterEqual(count, rows, report)  # demo data may add rows on the same day
            book = openpyxl.load_workbook(path)
            data, summary = book.worksheets
            self.assertEqual(data.freeze_panes, "A2", report)
            self.assertTrue(data.cell(1, 1).font.bold, report)
            self.assertEqual(data.max_row, count + 1, report)
            self.assertEqual(summary.cell(2, 1).value, datetime.datetime(2026, 3, 2), report)
            with zipfile.ZipFile(path) as archive:
                self.assertIn("xl/charts/chart1.xml", archive.namelist(), report)

    def test_excel_call_detail_values(self):
        self.env.user.tz = "Asia/Shanghai"
        self.calls.write({"company_id": self.env.company.id})
        count, path = self.export("call")
        sheet = openpyxl.load_workbook(path).worksheets[0]
        header = [cell.value for cell in sheet[1]]
        rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=2)]
        first = next(row for row in rows if row["Caller"] == "15550000000")
        self.assertEqual(first["Start"], datetime.datetime(2026, 3, 2, 10, 0))  # in the user's time zone
        self.assertEqual(first["Agent"], self.agent_a.display_name)
        self.assertEqual(first["Disposition"], "Answered")
        self.assertEqual(first["Talk (s)"], 100)
        self.assertEqual(sheet.cell(2, 1).number_format, "yyyy-mm-dd hh:mm:ss")

    def test_excel_escapes_text(self):
        self.calls[0].caller_raw = "A&B <x>\x01"
        count, path = self.export("call")
        sheet = openpyxl.load_workbook(path).worksheets[0]
        self.assertIn("A&B <x>", [row[2].value for row in sheet.iter_rows(min_row=2)])

    def test_agent_export_holds_only_their_rows(self):
        count, path = self.export("call", self.user_a)
        sheet = openpyxl.load_workbook(path).worksheets[0]
        agents = {row[7].value for row in sheet.iter_rows(min_row=2)}
        self.assertEqual(agents, {self.agent_a.display_name})
        self.assertEqual(count, 2)

    def test_export_action_downloads_an_attachment(self):
        wizard = self.env["cc.report.export.wizard"].create(
            {"report": "queue", "date_from": "2026-03-01", "date_to": "2026-03-03"}
        )
        action = wizard.action_export()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        self.assertTrue(attachment.name.endswith(".xlsx"))
        self.assertTrue(attachment.raw.startswith(b"PK"))


@tagged("post_install", "-at_install")
class TestReportsAgainstQueueLog(CtiSinkCase):
    """The reports of replayed transcripts agree with the queue_log Asterisk wrote during the same calls."""

    NAMES = (
        "a-ivr-queue-answer-caller-hangup",
        "b-ring-noanswer-next-agent",
        "c-abandon-in-queue",
        "i-survey-after-agent-hangup",
        "j-agent-login-pause-logout",
        "n-burst-50-calls",
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calls = replay = cls._replay_all()
        cls.queue_log = [
            row
            for name in cls.NAMES
            for row in transcript.load_queue_log(fixture_path(f"queue_log/{name}.queue_log"))
        ]
        for model in ("cc.report.agent.kpi", "cc.report.queue"):
            cls.env[model].cc_refresh(full=True)
        cls.agents = {
            a.extension: a for a in replay.env["cc.agent"].search([("server_id", "=", cls.server.id)])
        }

    @classmethod
    def _replay_all(cls):
        from .common import replay_into  # noqa: PLC0415

        return replay_into(cls.env, cls.server, [f"{name}.ami" for name in cls.NAMES])

    def events(self, *kinds):
        return [row for row in self.queue_log if row[4] in kinds]

    def test_queue_figures(self):
        queues = self.env["cc.queue"].search([("server_id", "=", self.server.id)])
        groups = self.env["cc.report.queue"]._read_group(
            [("queue_id", "in", queues.ids)],
            ["queue_id"],
            ["offered:sum", "answered:sum", "abandoned:sum", "asa_s:sum", "max_wait_s:max"],
        )
        got = {queue.ami_name: values for queue, *values in groups}
        for ami_name in {row[2] for row in self.events("ENTERQUEUE")}:
            offered, answered, abandoned, asa, longest = got[ami_name]
            entered = [r for r in self.events("ENTERQUEUE") if r[2] == ami_name]
            connects = [r for r in self.events("CONNECT") if r[2] == ami_name]
            abandons = [r for r in self.events("ABANDON") if r[2] == ami_name]
            self.assertEqual(offered, len(entered), ami_name)
            self.assertEqual(answered, len(connects), ami_name)
            self.assertEqual(abandoned, len(abandons), ami_name)
            holds = [int(r[5][0]) for r in connects]
            self.assertAlmostEqual(float(asa), sum(holds) / len(holds), delta=1, msg=ami_name)
            waits = holds + [int(r[5][2]) for r in abandons]
            self.assertAlmostEqual(longest, max(waits), delta=1, msg=ami_name)

    def test_agent_figures(self):
        connects = collections.Counter(r[3] for r in self.events("CONNECT"))
        no_answers = collections.Counter(r[3] for r in self.events("RINGNOANSWER"))
        talk = collections.defaultdict(int)
        for row in self.events("COMPLETECALLER", "COMPLETEAGENT"):
            talk[row[3]] += int(row[5][1])
        agents = [self.agents[x] for x in sorted(self.agents)]
        groups = self.env["cc.report.agent.kpi"]._read_group(
            [("agent_id", "in", [a.id for a in agents])],
            ["agent_id"],
            ["answered:sum", "missed:sum", "talk_s:sum"],
        )
        got = {agent.name: (answered, missed, talk_s) for agent, answered, missed, talk_s in groups}
        for name, count in connects.items():
            answered, missed, talk_s = got[name]
            self.assertEqual(answered, count, name)
            self.assertEqual(missed, no_answers.get(name, 0), name)
            self.assertAlmostEqual(talk_s, talk[name], delta=count, msg=name)

    def test_abandoned_calls(self):
        rows = self.env["cc.report.abandoned"].search([("call_id", "in", self.calls.ids)])
        abandons = self.events("ABANDON")
        self.assertEqual(len(rows), len(abandons))
        self.assertEqual(
            sorted((r.position_abandon, round(r.wait_s)) for r in rows),
            sorted((int(a[5][0]), int(a[5][2])) for a in abandons),
        )

    def test_pause_time_by_reason(self):
        paused = {r[3]: r[0] for r in self.events("PAUSEALL")}
        resumed = {r[3]: r[0] for r in self.events("UNPAUSEALL")}
        agent = self.agents["8004"]
        groups = self.env["cc.agent.state.log"]._read_group(
            [("agent_id", "=", agent.id), ("state", "=", "paused")], ["reason"], ["duration:sum"]
        )
        self.assertEqual([reason for reason, _d in groups], ["break"])
        expected = resumed["Agent 8004"] - paused["Agent 8004"]
        self.assertAlmostEqual(groups[0][1], expected, delta=1)
        kpi = self.env["cc.report.agent.kpi"]._read_group([("agent_id", "=", agent.id)], [], ["paused_s:sum"])
        self.assertAlmostEqual(kpi[0][0], expected, delta=1)

    def test_satisfaction_of_the_survey_call(self):
        rows = self.env["cc.report.satisfaction"].search([("call_id", "in", self.calls.ids)])
        self.assertEqual(rows.mapped("score"), [4])
        completes = [r for r in self.events("COMPLETEAGENT") if r[1] == "1795316483.1"]
        self.assertEqual(rows.agent_id.name, completes[0][3])
