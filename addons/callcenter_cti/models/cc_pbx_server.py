import datetime
import shutil

from odoo import api, fields, models

from ..cti import prometheus

BRIDGE_SILENCE_SECONDS = 15  # the bridge beats every 5 s: three missed beats and it is taken for gone
LINK_ALARM_SECONDS = 60  # managers are alerted after a minute without bridge or PBX link
LAG_ALARM_EVENTS = 5000  # … or when the bridge is this many events behind


class CcPbxServer(models.Model):
    _name = "cc.pbx.server"
    _description = "PBX Server"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    host = fields.Char(string="AMI Host", required=True, default="127.0.0.1", tracking=True)
    port = fields.Integer(string="AMI Port", required=True, default=5038, tracking=True)
    username = fields.Char(string="AMI User", required=True, default="cti")
    secret = fields.Char(string="AMI Secret", groups="callcenter_cti.group_cc_manager", copy=False)
    agi_host = fields.Char(string="FastAGI Listen Address", default="0.0.0.0")
    agi_port = fields.Integer(string="FastAGI Port", default=4573)
    recording_dir = fields.Char(
        string="Recordings Folder",
        default="/var/spool/asterisk/monitor",
        help="Where this PBX's MixMonitor files are, as seen by Odoo (a shared volume or mount).",
    )
    recording_min_free_mb = fields.Integer(
        string="Alarm Below (MB)",
        default=5120,
        help="Managers are alerted when the recordings folder has less free space than this.",
    )
    recording_archive_days = fields.Integer(
        string="Archive After (days)", help="Move recordings older than this to the archive folder; 0: never."
    )
    recording_archive_dir = fields.Char(string="Archive Folder")
    prompt_dir = fields.Char(
        string="Prompts Folder",
        default="/var/lib/asterisk/sounds/custom/cc",
        help="Where Odoo writes the prompts managers upload or type (a volume Asterisk reads).",
    )
    prompt_sound_prefix = fields.Char(
        string="Prompts Sound Prefix",
        default="custom/cc",
        help="The same folder as the dialplan names sounds (relative to Asterisk's sounds directory).",
    )
    voicemail_dir = fields.Char(
        string="Voicemail Folder",
        default="/var/spool/asterisk/voicemail",
        help="Asterisk's voicemail spool as the bridge sees it (a shared volume): after-hours messages are "
        "attached to their calls for the callback.",
    )
    recording_delete_days = fields.Integer(
        string="Delete After (days)", help="Delete recordings older than this, archived or not; 0: never."
    )
    country_id = fields.Many2one(
        "res.country",
        string="Default Country",
        help="Country used to read numbers that come without a country code (normalisation to E.164).",
        default=lambda self: self.env.company.country_id or self.env.ref("base.cn", raise_if_not_found=False),
    )
    link_state = fields.Selection(
        [("unknown", "Unknown"), ("connected", "Connected"), ("disconnected", "Disconnected")],
        default="unknown",
        readonly=True,
        copy=False,
    )
    last_connected_at = fields.Datetime(readonly=True, copy=False)
    last_event_at = fields.Datetime(readonly=True, copy=False)
    bridge_backlog = fields.Integer(
        readonly=True,
        copy=False,
        help="AMI events the bridge has journaled but not yet applied, at its last heartbeat.",
    )
    bridge_seen_at = fields.Datetime(
        string="Bridge Last Seen",
        readonly=True,
        copy=False,
        help="The CTI bridge, linked to this PBX, confirms it is alive every few seconds.",
    )
    journal_applied_seq = fields.Integer(
        readonly=True,
        copy=False,
        help="Sequence number of the last journaled AMI event applied to the database (exactly-once marker).",
    )
    journal_session = fields.Char(
        readonly=True,
        copy=False,
        help="Identity of the bridge journal the applied sequence belongs to.",
    )
    bridge_active = fields.Char(
        string="Active Bridge",
        compute="_compute_bridge_active",
        help="The cti_bridge process holding this server's lease (host:process), if any.",
    )
    queue_ids = fields.One2many("cc.queue", "server_id", string="Queues")
    agent_ids = fields.One2many("cc.agent", "server_id", string="Agents")
    call_count = fields.Integer(compute="_compute_call_count")

    _name_company_unique = models.Constraint("UNIQUE(name, company_id)", "A PBX server name must be unique.")
    _retention_positive = models.Constraint(
        "CHECK(recording_archive_days >= 0 AND recording_delete_days >= 0)",
        "Retention days cannot be negative.",
    )
    _port_valid = models.Constraint("CHECK(port > 0 AND port < 65536)", "The AMI port must be 1-65535.")

    def _compute_call_count(self):
        counts = dict(
            self.env["cc.call"]._read_group([("server_id", "in", self.ids)], ["server_id"], ["__count"])
        )
        for server in self:
            server.call_count = counts.get(server, 0)

    def _compute_bridge_active(self):
        now = fields.Datetime.now()
        # sudo: the lease is the bridges' bookkeeping; who sees the server sees which bridge is active
        leases = (
            self.env["cc.bridge.lease"]
            .sudo()
            .search([("server_id", "in", self.ids), ("expires_at", ">", now)])
        )
        owners = {lease.server_id.id: lease.owner for lease in leases}
        for server in self:
            server.bridge_active = owners.get(server.id, False)

    def action_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("callcenter_cti.cc_call_action")
        action["domain"] = [("server_id", "=", self.id)]
        return action

    def _country_code(self):
        self.ensure_one()
        return (self.country_id or self.company_id.country_id).code or "CN"

    def _cc_reachable(self):
        """Whether a command queued now is answered within a second: a live bridge linked to the PBX."""
        self.ensure_one()
        # sudo: agents ask whether their PBX answers; the link fields are not theirs to read in the UI
        server = self.sudo()
        fresh = fields.Datetime.now() - datetime.timedelta(seconds=BRIDGE_SILENCE_SECONDS)
        return (
            server.link_state == "connected"
            and bool(server.bridge_seen_at)
            and server.bridge_seen_at >= fresh
        )

    def _cc_bridge_alive(self, backlog=0):
        """The bridge's heartbeat, with how many journaled events still wait for the database."""
        self.write({"bridge_seen_at": fields.Datetime.now(), "bridge_backlog": backlog})

    @api.model
    def _cti_active_servers(self):
        # sudo: the bridge reads its servers' AMI credentials, which only managers see in the UI
        return self.sudo().search([("active", "=", True)])

    # -- recordings housekeeping (daily cron) ------------------------------------------------------------
    @api.model
    def _cron_recording_housekeeping(self):
        for server in self.search([("recording_dir", "!=", False)]):
            server._cc_recording_housekeeping()

    def _cc_recording_housekeeping(self):
        """Check free space, apply the retention policy, and log what was done."""
        self.ensure_one()
        free_mb = self._cc_free_mb(self.recording_dir)
        alarm = free_mb is not None and free_mb < self.recording_min_free_mb
        if alarm:
            self._cc_alert_managers(self._cc_disk_message(free_mb))
        archived, deleted, errors = self.env["cc.call"]._cc_apply_retention(self)
        return self.env["cc.recording.run"].create(
            {
                "server_id": self.id,
                "free_mb": free_mb or 0,
                "alarm": alarm,
                "archived_count": archived,
                "deleted_count": deleted,
                "error_count": len(errors),
                "message": "\n".join(errors) or False,
            }
        )

    @staticmethod
    def _cc_free_mb(folder):
        try:
            return shutil.disk_usage(folder).free // (1024 * 1024)
        except OSError:
            return None  # a missing folder is reported by the retention run, not as "disk full"

    def _cc_disk_message(self, free_mb):
        return self.env._(
            "Recordings folder %(folder)s of %(server)s has %(free)s MB free (alarm below %(limit)s MB).",
            folder=self.recording_dir,
            server=self.name,
            free=free_mb,
            limit=self.recording_min_free_mb,
        )

    # -- link watch (cron, every minute) --------------------------------------------------------------------
    @api.model
    def _cron_link_watch(self):
        """Managers hear when a PBX is unreachable or its bridge silent, once per outage."""
        for server in self.search([("active", "=", True)]):
            problem = server._cc_link_problem()
            if problem:
                server._cc_alert_managers(problem)

    def _cc_link_problem(self):
        """What is wrong with the server's link, in the managers' words (None when all is well)."""
        self.ensure_one()
        silent_since = fields.Datetime.now() - datetime.timedelta(seconds=LINK_ALARM_SECONDS)
        if not self.bridge_seen_at or self.bridge_seen_at < silent_since:
            return self.env._(
                "No CTI bridge has served %(server)s since %(since)s: calls are not recorded and agents "
                "cannot use the desk. Start cti_bridge (see the operations guide).",
                server=self.name,
                since=self.bridge_seen_at or self.env._("ever"),
            )
        if self.link_state != "connected":
            return self.env._("The CTI bridge cannot reach the PBX %s (AMI link down).", self.name)
        if self.bridge_backlog > LAG_ALARM_EVENTS:
            return self.env._(
                "The CTI bridge of %(server)s is %(backlog)s events behind the PBX: calls and screen-pops "
                "are late (database slow or unreachable?).",
                server=self.name,
                backlog=self.bridge_backlog,
            )
        return None

    # -- Prometheus metrics (/callcenter/metrics) -----------------------------------------------------------
    @api.model
    def _cc_prometheus(self):
        """Calls in progress, callers waiting, agents by state, bridge liveness: Prometheus' text format."""
        servers = self.search([("active", "=", True)])
        return prometheus.render(
            (name, help_text, "gauge", samples) for name, help_text, samples in servers._cc_metric_samples()
        )

    def _cc_metric_samples(self):
        """[(metric name, help, [(labels, value)])] of these servers."""
        now = fields.Datetime.now()
        calls = self.env["cc.call"]._read_group(
            [("server_id", "in", self.ids), ("state", "not in", ["ended", False])], ["server_id"], ["__count"]
        )
        agents = self.env["cc.agent"]._read_group(
            [("server_id", "in", self.ids)], ["server_id", "state"], ["__count"]
        )
        queues = self.env["cc.queue"].search([("server_id", "in", self.ids)])
        return [
            ("callcenter_pbx_link_up", "1 while the bridge is linked to the PBX",
             [({"server": s.name}, int(s.link_state == "connected")) for s in self]),
            ("callcenter_bridge_heartbeat_age_seconds", "seconds since the bridge's last beat",
             [({"server": s.name}, (now - s.bridge_seen_at).total_seconds())
              for s in self if s.bridge_seen_at]),
            ("callcenter_bridge_backlog", "events the bridge has not applied yet (last heartbeat)",
             [({"server": s.name}, s.bridge_backlog) for s in self]),
            ("callcenter_calls_in_progress", "calls not ended",
             [({"server": server.name}, count) for server, count in calls]),
            ("callcenter_queue_waiting", "callers waiting in the queue",
             [({"server": q.server_id.name, "queue": q.ami_name}, q.waiting_count) for q in queues]),
            ("callcenter_agents", "agents by state",
             [({"server": server.name, "state": state or "unknown"}, count)
              for server, state, count in agents]),
        ]  # fmt: skip

    def _cc_alert_managers(self, message):
        """An activity for every manager (once while it is open) and a bus notice for their open screens."""
        # sudo: the cron alerts the managers whoever runs it
        managers = self.env.ref("callcenter_cti.group_cc_manager").sudo().all_user_ids.filtered("active")
        warning = self.env.ref("mail.mail_activity_data_warning")
        already = self.activity_ids.filtered(lambda a: a.activity_type_id == warning).user_id
        for manager in managers.filtered(lambda u: not u.share) - already:
            self.activity_schedule("mail.mail_activity_data_warning", user_id=manager.id, summary=message)
        managers._bus_send("callcenter/alarm", {"server_id": self.id, "message": message})
