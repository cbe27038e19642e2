import datetime
import os
import tempfile

from odoo.tests import tagged

from .test_cti_sink import CtiSinkCase


@tagged("post_install", "-at_install")
class TestCtiCalls(CtiSinkCase):
    def test_a_answered_by_first_agent(self):
        call = self.replay("a-ivr-queue-answer-caller-hangup.ami")
        self.assertEqual(len(call), 1)
        self.assertRecordValues(
            call,
            [
                {
                    "direction": "inbound",
                    "disposition": "answered",
                    "caller_e164": "+15551230001",
                    "ivr_digits": "1",
                    "state": "ended",
                    "hangup_by": "caller",
                }
            ],
        )
        # The caller is found by an indexed E.164 equality (the oldest customer with that number wins).
        self.assertEqual(call.partner_id.cc_phone_e164, "+15551230001")
        self.assertLessEqual(call.partner_id.id, self.alice.id)
        self.assertEqual(call.agent_id.extension, "8001")
        self.assertEqual(call.queue_id.ami_name, "support")
        self.assertEqual(call.attempt_ids.mapped("outcome"), ["answered"])
        self.assertAlmostEqual(call.talk_s, 3, delta=1)
        self.assertTrue(call.recording_file)

    def test_a_screen_pop_reaches_the_ringing_agent_only(self):
        self.replay("a-ivr-queue-answer-caller-hangup.ami")
        self.assertTrue(self.bus_messages(self.users["8001"], "callcenter/ringing"))
        self.assertTrue(self.bus_messages(self.users["8001"], "callcenter/answered"))
        self.assertFalse(self.bus_messages(self.users["8002"], "callcenter/ringing"))

    def test_a_agent_state_log(self):
        self.replay("a-ivr-queue-answer-caller-hangup.ami")
        agent = self.env["cc.agent"].search([("server_id", "=", self.server.id), ("extension", "=", "8001")])
        states = (
            self.env["cc.agent.state.log"]
            .search([("agent_id", "=", agent.id)], order="start, id")
            .mapped("state")
        )
        self.assertIn("ringing", states)
        self.assertIn("on_call", states)
        self.assertNotEqual(agent.state, "on_call")

    def test_b_ring_no_answer_then_next_agent(self):
        call = self.replay("b-ring-noanswer-next-agent.ami")
        self.assertEqual(len(call), 1)
        self.assertEqual(call.first_agent_id.extension, "8001")
        self.assertEqual(call.agent_id.extension, "8002")
        self.assertEqual(call.attempt_ids.mapped("outcome"), ["ring_no_answer", "answered"])
        self.assertTrue(self.bus_messages(self.users["8001"], "callcenter/ring_stopped"))

    def test_c_abandoned(self):
        call = self.replay("c-abandon-in-queue.ami")
        self.assertEqual(call.disposition, "abandoned")
        self.assertFalse(call.agent_id)
        self.assertTrue(call.queue_position_abandon)

    def test_d_after_hours_voicemail(self):
        call = self.replay("d-after-hours-voicemail.ami")
        self.assertEqual(call.disposition, "voicemail")
        # The caller waits on the callback list until someone calls back.
        self.assertEqual(call.callback_state, "todo")
        call.action_callback_done()
        self.assertEqual(call.callback_state, "done")

    def test_d_voicemail_is_attached_for_the_callback(self):
        spool = tempfile.mkdtemp(prefix="cti-vm-")
        self.server.voicemail_dir = spool
        recorded = int(datetime.datetime(2026, 11, 22, 2, 59, 50, tzinfo=datetime.UTC).timestamp())
        self.voicemail(spool, "msg0000", '"Someone Else" <15559999999>', recorded, b"other")
        self.voicemail(spool, "msg0001", '"Dave Example" <15551230004>', recorded - 86400, b"yesterday")
        self.voicemail(spool, "msg0002", '"Dave Example" <15551230004>', recorded, b"RIFF-dave")
        call = self.replay("d-after-hours-voicemail.ami")
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "cc.call"), ("res_id", "=", call.id)]
        )
        self.assertEqual(attachment.raw, b"RIFF-dave")
        self.assertIn(attachment, call.message_ids.attachment_ids)

    @staticmethod
    def voicemail(spool, name, callerid, origtime, sound):
        inbox = os.path.join(spool, "default", "100", "INBOX")
        os.makedirs(inbox, exist_ok=True)
        with open(os.path.join(inbox, f"{name}.txt"), "w") as info:
            info.write(f"[message]\norigmailbox=100\ncallerid={callerid}\norigtime={origtime}\nduration=5\n")
        with open(os.path.join(inbox, f"{name}.wav"), "wb") as wav:
            wav.write(sound)

    def test_e_blind_transfer(self):
        call = self.replay("e-blind-transfer.ami")
        self.assertEqual(len(call), 1)
        self.assertEqual(call.transfer_ids.mapped("kind"), ["blind"])
        self.assertTrue(call.transferred_to)

    def test_f_hold(self):
        call = self.replay("f-hold-unhold.ami")
        self.assertEqual(call.hold_count, 1)
        self.assertGreater(call.hold_s, 0)

    def test_i_survey(self):
        call = self.replay("i-survey-after-agent-hangup.ami")
        self.assertEqual(call.survey_score, 4)
        self.assertEqual(call.hangup_by, "agent")

    def test_l_blacklisted(self):
        call = self.replay("l-blacklisted-caller.ami")
        self.assertEqual(call.disposition, "rejected_blacklist")

    def test_n_burst_exactly_fifty_calls(self):
        calls = self.replay("n-burst-50-calls.ami")
        self.assertEqual(len(calls), 50)
        self.assertEqual(set(calls.mapped("disposition")), {"answered"})
        self.assertEqual(len(set(calls.mapped("linkedid"))), 50)

    def test_o_reconnect_recovery_closes_calls(self):
        calls = self.replay("o-reconnect-state-recovery.ami")
        self.assertTrue(calls)
        self.assertEqual(set(calls.mapped("state")), {"ended"})
        agents = self.env["cc.agent"].search([("server_id", "=", self.server.id)])
        self.assertNotIn("on_call", agents.mapped("state"))

    def test_p_asterisk_restart(self):
        calls = self.replay("p-asterisk-restart-while-connected.ami")
        self.assertEqual(set(calls.mapped("state")), {"ended"})

    def test_replaying_twice_changes_nothing(self):
        """The journal replayed into a database that already has its events: nothing doubles or moves."""
        first = self.replay("n-burst-50-calls.ami")
        before = first.read(["linkedid", "disposition", "wait_s", "talk_s", "agent_id"])
        self.server.journal_applied_seq = 0  # as if the marker were lost: re-apply everything
        again = self.replay("n-burst-50-calls.ami")
        self.assertEqual(again.read(["linkedid", "disposition", "wait_s", "talk_s", "agent_id"]), before)


@tagged("post_install", "-at_install")
class TestCtiSeveralServers(CtiSinkCase):
    def test_same_linkedid_on_two_servers_is_two_calls(self):
        first = self.replay("a-ivr-queue-answer-caller-hangup.ami")
        company = self.env["res.company"].create({"name": "Branch"})
        self.server = self.env["cc.pbx.server"].create(
            {"name": "Branch PBX", "host": "10.0.0.2", "company_id": company.id}
        )
        second = self.replay("a-ivr-queue-answer-caller-hangup.ami")
        self.assertEqual(first.linkedid, second.linkedid)
        self.assertNotEqual(first, second)
        self.assertEqual(second.company_id, company)
        # An agent of the main company does not see the branch's call.
        user = self.users["8001"]
        visible = self.env["cc.call"].with_user(user).search([("linkedid", "=", first.linkedid)])
        self.assertEqual(visible, first)
