import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..service.command_queue import outcome


@tagged("post_install", "-at_install")
class TestSupervisorActions(TransactionCase):
    """Supervisor actions become audited PBX commands with the AMI actions the recorded lab used (h, j)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.env["cc.pbx.server"].create({"name": "Floor", "host": "127.0.0.1"})
        cls.sup_user = new_test_user(cls.env, login="sv_sup", groups="callcenter_cti.group_cc_supervisor")
        cls.agent_user = new_test_user(cls.env, login="sv_agent", groups="callcenter_cti.group_cc_agent")
        Agent = cls.env["cc.agent"]
        cls.agent = Agent.create(
            {"name": "Li", "extension": "8001", "interface": "PJSIP/8001", "user_id": cls.agent_user.id,
             "server_id": cls.server.id}
        )  # fmt: skip
        Agent.create(
            {"name": "Chen", "extension": "9000", "user_id": cls.sup_user.id, "server_id": cls.server.id}
        )
        queue = cls.env["cc.queue"].create(
            {"name": "Support", "ami_name": "support", "server_id": cls.server.id}
        )
        cls.env["cc.queue.member"].create({"queue_id": queue.id, "agent_id": cls.agent.id, "logged_in": True})

    def as_supervisor(self):
        return self.agent.with_user(self.sup_user)

    def test_listen_rings_the_supervisor_first_and_spies_on_the_agent(self):
        command = self.as_supervisor().action_cc_listen()
        [originate] = json.loads(command.actions)
        self.assertEqual(originate["Action"], "Originate")
        self.assertEqual(originate["Channel"], "PJSIP/9000")  # the supervisor's phone rings first (as in h)
        self.assertEqual((originate["Context"], originate["Exten"]), ("supervisor", "listen"))
        self.assertEqual(originate["Variable"], "SPY_TARGET=PJSIP/8001-")
        self.assertRecordValues(command, [{"kind": "listen", "audit": True, "state": "queued"}])
        self.assertEqual(command.user_id, self.sup_user)
        self.assertEqual(command.agent_id, self.agent)

    def test_whisper_and_barge_use_their_dialplan_extensions(self):
        for action, exten in (("action_cc_whisper", "whisper"), ("action_cc_barge", "barge")):
            command = getattr(self.as_supervisor(), action)()
            self.assertEqual(json.loads(command.actions)[0]["Exten"], exten)

    def test_force_pause_ready_logout_hangup(self):
        pause = json.loads(self.as_supervisor().action_cc_force_pause("meeting").actions)
        self.assertEqual(pause, [{"Action": "QueuePause", "Interface": "PJSIP/8001", "Paused": "true",
                                  "Reason": "meeting"}])  # fmt: skip
        ready = json.loads(self.as_supervisor().action_cc_force_ready().actions)
        self.assertEqual(ready[0]["Paused"], "false")
        logout = json.loads(self.as_supervisor().action_cc_force_logout().actions)
        self.assertEqual(logout, [{"Action": "QueueRemove", "Queue": "support", "Interface": "PJSIP/8001"}])
        hangup = json.loads(self.as_supervisor().action_cc_force_hangup().actions)
        self.assertEqual(hangup, [{"Action": "Hangup", "Channel": r"/^PJSIP\/8001\-/", "Cause": "16"}])

    def test_agents_cannot_supervise_and_see_only_their_own_commands(self):
        with self.assertRaises(AccessError):
            self.agent.with_user(self.agent_user).action_cc_listen()
        self.as_supervisor().action_cc_barge()
        self.assertFalse(self.env["cc.cti.command"].with_user(self.agent_user).search([]))
        self.assertTrue(self.env["cc.cti.command"].with_user(self.sup_user).search([("kind", "=", "barge")]))

    def test_a_supervisor_without_extension_gets_a_clear_error(self):
        lonely = new_test_user(self.env, login="sv_lonely", groups="callcenter_cti.group_cc_supervisor")
        with self.assertRaises(UserError):
            self.agent.with_user(lonely).action_cc_listen()

    def test_the_bridge_reads_the_pbx_answer(self):
        self.assertEqual(outcome([{"Response": "Success", "Message": "Originate successfully queued"}]),
                         (True, "Originate successfully queued"))  # fmt: skip
        self.assertEqual(outcome([{"Response": "Error", "Message": "Interface not found"}]),
                         (False, "Interface not found"))  # fmt: skip
        self.assertEqual(outcome([]), (False, "no answer"))

    def test_finishing_tells_the_requester(self):
        command = self.as_supervisor().action_cc_listen()
        command._cc_finish(True, "Originate successfully queued")
        self.assertRecordValues(command, [{"state": "done", "result": "Originate successfully queued"}])
        sent = self.env.cr.precommit.data.get("bus.bus.values", [])
        self.assertTrue(any("callcenter/command" in values["message"] for values in sent))
