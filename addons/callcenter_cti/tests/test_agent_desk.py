"""The agent desk's backend: panel state, queue login and pauses, call controls and click-to-dial become PBX
commands with the AMI actions the recorded lab used, and bad input is refused with a clear error."""

import json

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import replay_until
from .test_cti_sink import CtiSinkCase


@tagged("post_install", "-at_install")
class TestAgentDesk(CtiSinkCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls.env["cc.agent"].search(
            [("extension", "=", "8001"), ("server_id", "=", cls.server.id)]
        )
        cls.support = cls.env["cc.queue"].create(
            {"name": "Support", "ami_name": "support", "server_id": cls.server.id}
        )
        cls.sales = cls.env["cc.queue"].create(
            {"name": "Sales", "ami_name": "sales", "server_id": cls.server.id}
        )
        for queue in cls.support | cls.sales:
            cls.env["cc.queue.member"].create({"queue_id": queue.id, "agent_id": cls.agent.id})
        cls.lunch = cls.env.ref("callcenter_cti.cc_pause_reason_lunch")

    def setUp(self):
        super().setUp()
        self.server._cc_bridge_alive()
        self.server.link_state = "connected"

    def as_agent(self, model="cc.agent"):
        return self.env[model].with_user(self.users["8001"])

    def actions(self, answer):
        command = self.env["cc.cti.command"].browse(answer["command_id"])
        return command, json.loads(command.actions)

    # -- the panel ---------------------------------------------------------------------------------------
    def test_panel_state_of_an_agent(self):
        state = self.as_agent().cc_desk_state()
        self.assertEqual(state["agent"]["extension"], "8001")
        self.assertEqual(state["agent"]["state"], "logged_out")
        self.assertTrue(state["agent"]["server_reachable"])
        self.assertEqual({q["name"] for q in state["queues"]}, {"Support", "Sales"})
        self.assertIn({"id": self.lunch.id, "name": "Lunch"}, state["pause_reasons"])
        self.assertEqual(state["calls_today"], 0)
        self.assertFalse(state["current_call"])

    def test_panel_state_of_a_user_without_agent(self):
        user = new_test_user(self.env, login="desk_nobody", groups="callcenter_cti.group_cc_agent")
        self.assertFalse(self.env["cc.agent"].with_user(user).cc_desk_state()["agent"])
        with self.assertRaisesRegex(UserError, "not a call center agent"):
            self.env["cc.agent"].with_user(user).cc_desk_ready()

    def test_calls_answered_today_are_counted(self):
        self.replay("a-ivr-queue-answer-caller-hangup.ami")
        call = self.env["cc.call"].search([("server_id", "=", self.server.id)])
        call.answer = fields.Datetime.now()
        self.assertEqual(self.as_agent().cc_desk_state()["calls_today"], 1)

    def test_login_adds_the_agent_to_its_queues_as_in_transcript_j(self):
        command, actions = self.actions(self.as_agent().cc_desk_login([self.support.id]))
        self.assertEqual(command.kind, "agent_login")
        self.assertFalse(command.audit)
        self.assertEqual(
            actions,
            [{"Action": "QueueAdd", "Queue": "support", "Interface": "PJSIP/8001", "MemberName": "Agent 8001",
              "Paused": "false"}],
        )  # fmt: skip
        _command, actions = self.actions(self.as_agent().cc_desk_login(False))
        self.assertEqual({a["Queue"] for a in actions}, {"support", "sales"})

    def test_login_without_queue_is_refused(self):
        self.agent.queue_member_ids.unlink()
        with self.assertRaisesRegex(UserError, "member of no queue"):
            self.as_agent().cc_desk_login(False)

    def test_pause_with_a_reason_and_ready(self):
        command, [action] = self.actions(self.as_agent().cc_desk_pause(self.lunch.id))
        self.assertEqual(command.kind, "agent_pause")
        self.assertEqual(
            action, {"Action": "QueuePause", "Interface": "PJSIP/8001", "Paused": "true", "Reason": "lunch"}
        )
        _command, [action] = self.actions(self.as_agent().cc_desk_ready())
        self.assertEqual(action["Paused"], "false")
        with self.assertRaisesRegex(UserError, "pause reason"):
            self.as_agent().cc_desk_pause(0)

    def test_state_changes_wait_for_an_unreachable_pbx(self):
        self.server.link_state = "disconnected"
        answer = self.as_agent().cc_desk_pause(self.lunch.id)
        self.assertIn("unreachable", answer["message"])
        self.assertEqual(self.env["cc.cti.command"].browse(answer["command_id"]).state, "queued")

    def test_pause_reason_is_shown_by_name(self):
        self.replay("j-agent-login-pause-logout.ami")
        agent_8004 = self.env["cc.agent"].search(
            [("extension", "=", "8004"), ("server_id", "=", self.server.id)]
        )
        self.env.ref("callcenter_cti.cc_pause_reason_break")  # code "break", as the lab paused 8004
        self.assertEqual(agent_8004._cc_reason_label("break"), "Break")
        self.assertEqual(agent_8004._cc_reason_label("unknown-code"), "unknown-code")

    def test_logout_removes_the_agent_from_its_queues(self):
        _command, actions = self.actions(self.as_agent().cc_desk_logout())
        self.assertEqual({a["Action"] for a in actions}, {"QueueRemove"})

    # -- click-to-dial -------------------------------------------------------------------------------------
    def test_click_to_dial_rings_the_agent_first_as_in_transcript_g(self):
        answer = self.as_agent().cc_desk_dial("(555) 123-0007", "res.partner", self.alice.id)
        command, [originate] = self.actions(answer)
        self.assertEqual(command.kind, "dial")
        self.assertEqual(originate["Channel"], "PJSIP/8001")
        self.assertEqual((originate["Context"], originate["Exten"]), ("click2dial", "+15551230007"))
        self.assertEqual(originate["ChannelId"], command.linkedid)
        self.assertEqual((command.res_model, command.res_id), ("res.partner", self.alice.id))

    def test_click_to_dial_links_the_call_back_to_its_record(self):
        self.env["cc.cti.command"]._cc_enqueue(
            self.server, "dial", [{}], agent=self.agent, linkedid="c2d-0001-agent",
            res_model="res.partner", res_id=self.alice.id,
        )  # fmt: skip
        [call] = self.replay("g-click-to-dial.ami")
        self.assertEqual(
            (call.res_model, call.res_id, call.partner_id), ("res.partner", self.alice.id, self.alice)
        )

    def test_click_to_dial_pops_the_customers_number(self):
        self.replay("g-click-to-dial.ami")
        [pop] = self.bus_messages(self.users["8001"], "callcenter/ringing")
        self.assertEqual((pop["direction"], pop["number"]), ("outbound", "15551230007"))

    def test_click_to_dial_refuses_bad_numbers_and_the_blacklist(self):
        with self.assertRaisesRegex(UserError, "not a valid phone number"):
            self.as_agent().cc_desk_dial("12ab")
        self.env["cc.blacklist"].create({"number": "+15551230099", "direction": "outbound"})
        with self.assertRaisesRegex(UserError, "do-not-call"):
            self.as_agent().cc_desk_dial("+1 555 123 0099")
        self.assertFalse(self.env["cc.cti.command"].search([("kind", "=", "dial")]))

    def test_click_to_dial_refused_when_the_pbx_is_unreachable(self):
        self.server.link_state = "disconnected"
        with self.assertRaisesRegex(UserError, "unreachable"):
            self.as_agent().cc_desk_dial("+15551230007")
        self.server.link_state = "connected"
        self.server.bridge_seen_at = fields.Datetime.subtract(fields.Datetime.now(), minutes=1)
        with self.assertRaisesRegex(UserError, "unreachable"):
            self.as_agent().cc_desk_dial("+15551230007")

    # -- call controls -------------------------------------------------------------------------------------
    def live_call(self):
        [call] = self.replay("a-ivr-queue-answer-caller-hangup.ami")
        call.state = "talking"  # as it was while the agent talked
        return call.with_user(self.users["8001"])

    def test_hold_and_resume_press_the_hold_feature_on_the_agents_channel(self):
        call = self.live_call()
        command, actions = self.actions(call.cc_desk_hold())
        self.assertEqual((command.kind, command.linkedid, command.call_id), ("hold", call.linkedid, call))
        self.assertEqual([a["Digit"] for a in actions], ["*", "7"])
        self.assertEqual(
            {(a["Action"], a["Channel"], a["Receive"]) for a in actions}, {("PlayDTMF", "@agent", "true")}
        )
        _command, actions = self.actions(call.cc_desk_resume())
        self.assertEqual([a["Digit"] for a in actions], ["#"])

    def test_blind_transfer_targets(self):
        call = self.live_call()
        _command, [action] = self.actions(call.cc_desk_transfer("8002"))
        self.assertEqual(
            action, {"Action": "BlindTransfer", "Channel": "@agent", "Context": "cc-xfer", "Exten": "8002"}
        )
        _command, [action] = self.actions(call.cc_desk_transfer(f"queue:{self.sales.id}"))
        self.assertEqual(action["Exten"], "sales")
        _command, [action] = self.actions(call.cc_desk_transfer("ivr"))
        self.assertEqual(action["Exten"], "ivr")
        _command, [action] = self.actions(call.cc_desk_transfer("555-123-0042"))
        self.assertEqual(action["Exten"], "+15551230042")

    def test_consult_transfer_and_its_end(self):
        call = self.live_call()
        command, [action] = self.actions(call.cc_desk_transfer("8002", attended=True))
        self.assertEqual((command.kind, action["Action"], action["Exten"]), ("consult", "Atxfer", "8002"))
        _command, actions = self.actions(call.cc_desk_consult("complete"))
        self.assertEqual([a["Digit"] for a in actions], ["*", "2"])
        with self.assertRaisesRegex(UserError, "Unknown consultation step"):
            call.cc_desk_consult("explode")

    def test_conference_moves_both_parties_then_calls_the_third_as_in_transcript_m(self):
        call = self.live_call()
        _command, [redirect, originate] = self.actions(call.cc_desk_conference("+15551239999"))
        self.assertEqual((redirect["Channel"], redirect["ExtraChannel"]), ("@customer", "@agent"))
        self.assertEqual(redirect["Exten"], originate["Exten"])
        self.assertEqual(originate["Channel"], "Local/+15551239999@cc-outbound/n")
        _command, [_redirect, originate] = self.actions(call.cc_desk_conference("8002"))
        self.assertEqual(originate["Channel"], "PJSIP/8002")

    def test_controls_of_an_ended_or_unreachable_call_are_refused(self):
        call = self.live_call()
        self.env["cc.blacklist"].create({"number": "+15551230099", "direction": "outbound"})
        with self.assertRaisesRegex(UserError, "do-not-call"):
            call.cc_desk_transfer("+15551230099")
        for bad in ("queue:0", "queue:abc"):
            with self.assertRaisesRegex(UserError, "Choose a queue"):
                call.cc_desk_transfer(bad)
        self.server.link_state = "disconnected"
        with self.assertRaisesRegex(UserError, "unreachable"):
            call.cc_desk_hold()
        call.sudo().state = "ended"
        with self.assertRaisesRegex(UserError, "has ended"):
            call.cc_desk_hangup()

    def test_transfer_wizard(self):
        call = self.live_call()
        wizard = Form(
            self.env["cc.call.transfer.wizard"]
            .with_user(self.users["8001"])
            .with_context(default_call_id=call.id)
        )
        wizard.mode = "consult"
        wizard.target_type = "number"
        wizard.number = "+15551230042"
        result = wizard.save().action_confirm()
        self.assertEqual(result["tag"], "display_notification")
        self.assertTrue(
            self.env["cc.cti.command"].search([("kind", "=", "consult"), ("call_id", "=", call.id)])
        )

    # -- screen-pop details and the call desk ----------------------------------------------------------------
    def owners_of_alices_number(self):
        """Alice and whoever else has her number (demo data may hold another Alice), oldest first."""
        return self.env["res.partner"]._cc_find_by_e164(["+15551230001"])["+15551230001"]

    def test_popup_payload_and_details(self):
        calls = self.replay("a-ivr-queue-answer-caller-hangup.ami", "i-survey-after-agent-hangup.ami")
        owners = self.owners_of_alices_number()
        pop = self.bus_messages(self.users["8001"], "callcenter/ringing")[0]
        self.assertEqual((pop["partner_id"], pop["partner_count"]), (owners[0], len(owners)))
        self.assertEqual(pop["customer"]["id"], owners[0])
        call = calls.filtered(lambda c: c.partner_id.id == owners[0])[:1].with_user(self.users["8001"])
        details = call.cc_desk_details()
        self.assertEqual([p["id"] for p in details["partners"]], owners)
        self.assertEqual(details["partner_id"], owners[0])
        self.assertIsInstance(details["last_calls"], list)

    def test_several_customers_with_one_number_are_offered_and_one_chosen(self):
        twin = self.env["res.partner"].create({"name": "Alice's company", "phone": "+1 555 123 0001"})
        call = self.live_call()
        details = call.cc_desk_details()
        self.assertGreaterEqual({p["id"] for p in details["partners"]}, {self.alice.id, twin.id})
        call.cc_set_partner(twin.id)
        self.assertEqual(call.partner_id, twin)

    def test_unknown_caller_becomes_a_customer_from_the_pop(self):
        call = self.live_call()
        call.sudo().partner_id = False
        action = call.action_cc_new_customer()
        self.assertEqual(action["context"]["default_phone"], "+15551230001")
        partner = self.env["res.partner"].with_context(**action["context"]).create({"name": "Walk-in"})
        self.assertEqual(call.partner_id, partner)

    def test_open_desk_and_wrap_up(self):
        call = self.live_call()
        action = call.action_cc_open_desk()
        self.assertEqual(action["views"][0][0], self.env.ref("callcenter_cti.cc_call_view_form_desk").id)
        with self.assertRaisesRegex(UserError, "wrap-up code"):
            call.action_cc_wrapup_done()
        call.wrapup_code_id = self.env.ref("callcenter_cti.cc_wrapup_code_followup")
        with self.assertRaisesRegex(UserError, "needs a note"):
            call.action_cc_wrapup_done()
        call.note = "Sends the invoice again"
        call.action_cc_wrapup_done()
        self.assertTrue(call.wrapup_done)

    def test_a_page_opened_during_the_call_gets_it_back(self):
        replay_until(self.env, self.server, "a-ivr-queue-answer-caller-hangup.ami", "AgentConnect")
        state = self.as_agent().cc_desk_state()
        self.assertEqual(state["agent"]["state"], "on_call")
        self.assertEqual(state["current_call"]["number_e164"], "+15551230001")
        self.assertEqual(state["current_call"]["state"], "talking")

    def test_hold_and_resume_reach_the_agents_desk(self):
        self.replay("f-hold-unhold.ami")
        states = [p["state"] for p in self.bus_messages(self.users["8001"], "callcenter/call_state")]
        self.assertEqual(states, ["held", "talking"])
        self.assertTrue(self.bus_messages(self.users["8001"], "callcenter/agent_state"))
