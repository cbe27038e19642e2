import datetime
import glob
import os
import shutil

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..cti import phone
from .cc_cti_sink import to_datetime

DISPOSITIONS = [
    ("answered", "Answered"),
    ("abandoned", "Abandoned"),
    ("ivr_hangup", "Hung up in IVR"),
    ("rejected_blacklist", "Rejected (blacklist)"),
    ("voicemail", "Voicemail"),
    ("no_answer", "No answer"),
    ("busy", "Busy"),
    ("congestion", "Congestion"),
    ("failed", "Failed"),
]

# The dialplan's feature codes (asterisk/features.conf) the desk presses on the agent's channel.
HOLD_KEYS = "*7"  # applicationmap cchold: the caller hears music until a key is pressed
RESUME_KEYS = "#"
CONSULT_KEYS = {"cancel": "*1", "complete": "*2", "threeway": "*3"}  # atxferabort / complete / threeway
XFER_CONTEXT = "cc-xfer"
CONFERENCE_FIRST_ROOM, CONFERENCE_ROOMS = 7000, 1000
VOICEMAIL_SLACK = 120  # seconds around a call in which its voicemail's recording may start

# The call export's columns (replay command --export-csv, and the call list's CSV export).
CSV_COLUMNS = (
    "linkedid", "direction", "caller_raw", "caller_e164", "did", "disposition", "queue", "answering_agent",
    "first_agent_rung", "transferred_to", "hold_count", "survey_score", "wait_s", "talk_s", "start_utc",
)  # fmt: skip


class CcCall(models.Model):
    _name = "cc.call"
    _description = "Call"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "start desc, id desc"
    _rec_name = "linkedid"

    server_id = fields.Many2one("cc.pbx.server", required=True, ondelete="restrict", index=True)
    company_id = fields.Many2one(related="server_id.company_id", store=True, index=True)
    linkedid = fields.Char(string="Call ID", required=True, readonly=True, help="Asterisk's Linkedid.")
    uniqueid = fields.Char(readonly=True)
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound"), ("internal", "Internal")], readonly=True
    )
    state = fields.Selection(
        [
            ("ivr", "In IVR"),
            ("queued", "Queued"),
            ("ringing", "Ringing"),
            ("talking", "Talking"),
            ("held", "On hold"),
            ("ended", "Ended"),
        ],
        readonly=True,
        index=True,
    )
    caller_raw = fields.Char(string="Caller", readonly=True)
    caller_name = fields.Char(readonly=True)
    caller_e164 = fields.Char(string="Caller (E.164)", readonly=True, index="btree_not_null")
    callee_raw = fields.Char(string="Callee", readonly=True)
    callee_e164 = fields.Char(string="Callee (E.164)", readonly=True, index="btree_not_null")
    customer_e164 = fields.Char(
        string="Customer Number",
        readonly=True,
        index="btree_not_null",
        help="The customer's side of the call.",
    )
    did = fields.Char(string="DID", readonly=True)
    ivr_digits = fields.Char(string="IVR Digits", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", index="btree_not_null", tracking=True)
    queue_id = fields.Many2one("cc.queue", readonly=True, index="btree_not_null")
    agent_id = fields.Many2one("cc.agent", string="Answered By", readonly=True, index="btree_not_null")
    user_id = fields.Many2one(
        related="agent_id.user_id", store=True, string="Agent User", index="btree_not_null"
    )
    first_agent_id = fields.Many2one("cc.agent", string="First Agent Rung", readonly=True)
    attempt_ids = fields.One2many("cc.call.attempt", "call_id", string="Agents Rung", readonly=True)
    transfer_ids = fields.One2many("cc.call.transfer", "call_id", string="Transfers", readonly=True)
    start = fields.Datetime(readonly=True, index=True)
    queue_entry = fields.Datetime(readonly=True)
    first_ring = fields.Datetime(readonly=True)
    answer = fields.Datetime(readonly=True)
    end = fields.Datetime(readonly=True)
    ivr_s = fields.Float(string="IVR (s)", readonly=True)
    wait_s = fields.Float(string="Wait (s)", readonly=True, aggregator="avg")
    ring_s = fields.Float(string="Ring (s)", readonly=True, aggregator="avg")
    talk_s = fields.Float(string="Talk (s)", readonly=True, aggregator="avg")
    hold_s = fields.Float(string="Hold (s)", readonly=True, aggregator="avg")
    wrapup_s = fields.Float(string="Wrap-up (s)", readonly=True, aggregator="avg")
    disposition = fields.Selection(DISPOSITIONS, readonly=True, index=True)
    hangup_cause = fields.Integer(readonly=True)
    hangup_cause_text = fields.Char(readonly=True)
    hangup_by = fields.Selection(
        [("caller", "Caller"), ("agent", "Agent"), ("system", "System")], string="Hung Up By", readonly=True
    )
    transferred_to = fields.Char(readonly=True)
    conference = fields.Boolean(readonly=True)
    hold_count = fields.Integer(readonly=True)
    recording_file = fields.Char(readonly=True)
    recording_state = fields.Selection(
        [("live", "On the PBX"), ("archived", "Archived"), ("deleted", "Deleted")],
        default="live",
        readonly=True,
        copy=False,
    )
    recording_player = fields.Html(compute="_compute_recording_player", sanitize=False)
    survey_score = fields.Integer(readonly=True, aggregator="avg")
    queue_position_entry = fields.Integer(string="Queue Position (Entry)", readonly=True)
    queue_position_abandon = fields.Integer(string="Queue Position (Abandon)", readonly=True)
    originate_action_id = fields.Char(readonly=True, index="btree_not_null")
    note = fields.Text()
    wrapup_code_id = fields.Many2one(
        "cc.wrapup.code", string="Wrap-up Code", index="btree_not_null", tracking=True
    )
    wrapup_done = fields.Boolean(string="Wrapped Up", copy=False)
    res_model = fields.Char(string="Started From (Model)", readonly=True)
    res_id = fields.Many2oneReference(string="Started From (ID)", readonly=True, model_field="res_model")
    callback_state = fields.Selection(
        [("todo", "To call back"), ("done", "Called back")],
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Voicemails left by callers (after hours, or on overflow) wait here until an agent calls back.",
    )

    # One record per customer call: the bridge's writes are upserts on this key (exactly once).
    _server_linkedid_unique = models.Constraint(
        "UNIQUE(server_id, linkedid)", "A call is recorded once per PBX server and Linkedid."
    )
    # Last-agent routing: the latest answered call of a customer (one per customer, or all since a date).
    _customer_answered_idx = models.Index(
        "(customer_e164, start DESC) WHERE disposition = 'answered' AND agent_id IS NOT NULL"
    )

    @api.depends("linkedid", "caller_raw", "partner_id")
    def _compute_display_name(self):
        for call in self:
            who = call.partner_id.name or call.caller_raw or call.callee_raw or ""
            call.display_name = f"{who} [{call.linkedid}]" if who else call.linkedid

    # -- bridge --------------------------------------------------------------------------------------------
    @api.model
    def _cti_upsert(self, server, snapshots, refs):
        """Create or update the calls of ``snapshots`` (the state machine's full call records).

        Idempotent: applying the same snapshot twice leaves the same record. ``refs.memo`` remembers what this
        process last wrote for each call, so that only what changed is written (the hot path of the bridge).
        Returns ({linkedid: cc.call}, number created).
        """
        if not snapshots:
            return {}, 0
        values = {s["linkedid"]: self._cti_values(s, refs) for s in snapshots}
        calls = self._cti_existing(server, list(values), refs.memo)
        self._cti_match_partners(values, calls, refs.memo)
        new = [lid for lid in values if lid not in calls]
        for linkedid, vals in values.items():
            if linkedid in calls:
                self._cti_update(calls[linkedid], linkedid, vals, refs.memo)
        created = self._cti_create(server, [values[lid] for lid in new])
        for call, linkedid in zip(created, new, strict=True):
            calls[linkedid] = call
            lines = {name: (values[linkedid][name], call[name].sorted("id").ids) for name in _LINE_FIELDS}
            refs.memo[linkedid] = _memo_entry(call.id, values[linkedid], lines)
        return calls, len(new)

    @api.model
    def _cti_existing(self, server, linkedids, memo):
        """Calls already stored: those this process wrote (memo) and those found by (server, Linkedid)."""
        calls = {lid: self.browse(memo[lid]["id"]) for lid in linkedids if lid in memo}
        unknown = [lid for lid in linkedids if lid not in memo]
        if unknown:
            domain = [("server_id", "=", server.id), ("linkedid", "in", unknown)]
            calls |= {call.linkedid: call for call in self.search_fetch(domain, ["linkedid"])}
        return calls

    @api.model
    def _cti_create(self, server, values):
        self._cti_link_origins(server, values)
        return self.create(
            [
                _plain(vals)
                | {"server_id": server.id}
                | {name: [Command.create(line) for line in vals[name]] for name in _LINE_FIELDS}
                for vals in values
            ]
        )

    @api.model
    def _cti_link_origins(self, server, values):
        """A click-to-dial call knows the record it was started from (the Originate chose its Linkedid)."""
        linkedids = [vals["linkedid"] for vals in values if vals["linkedid"].startswith("c2d-")]
        if not linkedids:
            return
        commands = self.env["cc.cti.command"].search(
            [("server_id", "=", server.id), ("linkedid", "in", linkedids), ("kind", "=", "dial")]
        )
        origins = {command.linkedid: command for command in commands}
        for vals in values:
            command = origins.get(vals["linkedid"])
            if command and command.res_model:
                vals.update(res_model=command.res_model, res_id=command.res_id)
                if command.res_model == "res.partner" and not vals.get("partner_id"):
                    vals["partner_id"] = command.res_id

    def _cti_update(self, call, linkedid, vals, memo):
        """Write what differs from the memo (everything when this process has not written the call yet)."""
        entry = memo.get(linkedid) or {"vals": {}, "lines": dict.fromkeys(_LINE_FIELDS, (None, None))}
        changed = {k: v for k, v in _plain(vals).items() if entry["vals"].get(k, _MISSING) != v}
        if changed:
            call.write(changed)
        lines = {}
        for name in _LINE_FIELDS:
            old_lines, ids = entry["lines"][name]
            if old_lines != vals[name]:
                ids = call._cti_sync_lines(name, vals[name], old_lines, ids)
            lines[name] = (vals[name], ids)
        memo[linkedid] = _memo_entry(call.id, vals, lines)

    def _cti_sync_lines(self, name, lines, old_lines, ids):
        """Make the call's attempts (or transfers) equal to ``lines`` in place; returns their ids in order.

        Rows are updated, not replaced: only those that changed are written (all when ``old_lines`` is
        unknown).
        """
        Line = self.env[self._fields[name].comodel_name]
        ids = self[name].sorted("id").ids if ids is None else ids
        old_lines = old_lines or []
        for index, (row_id, line) in enumerate(zip(ids, lines, strict=False)):
            if index >= len(old_lines) or old_lines[index] != line:
                Line.browse(row_id).write(line)
        added = (
            Line.create([line | {"call_id": self.id} for line in lines[len(ids) :]])
            if len(lines) > len(ids)
            else Line
        )
        Line.browse(ids[len(lines) :]).unlink()
        return ids[: len(lines)] + added.ids

    @api.model
    def _cti_values(self, snap, refs):
        """Field values of one call snapshot (times are epoch floats, agents extensions, queues names)."""
        caller_e164, callee_e164 = refs.e164(snap.get("caller_raw")), refs.e164(snap.get("callee_raw"))
        vals = {name: snap.get(name) for name in _PLAIN_FIELDS}
        vals.update({name: to_datetime(snap.get(name)) for name in _TIME_FIELDS})
        vals.update(
            linkedid=snap["linkedid"],
            caller_e164=caller_e164,
            callee_e164=callee_e164,
            customer_e164=callee_e164 if snap.get("direction") == "outbound" else caller_e164,
            ivr_digits=snap.get("ivr_digits") or False,
            hangup_cause=snap.get("hangup_cause") or 0,
            conference=bool(snap.get("conference")),
            queue_id=refs.queue(snap.get("queue")).id,
            agent_id=refs.agent(snap.get("answering_agent")).id,
            first_agent_id=refs.agent(snap.get("first_agent_rung")).id,
            attempt_ids=[self._cti_attempt(a, refs) for a in snap.get("attempts") or ()],
            transfer_ids=[self._cti_transfer(t, refs) for t in snap.get("transfers") or ()],
        )
        return vals

    @api.model
    def _cti_attempt(self, attempt, refs):
        start, end = attempt.get("start"), attempt.get("end")
        return {
            "agent_id": refs.agent(attempt.get("agent")).id,
            "extension": attempt.get("agent"),
            "interface": attempt.get("interface"),
            "queue_id": refs.queue(attempt.get("queue")).id,
            "start": to_datetime(start),
            "end": to_datetime(end),
            "ring_s": (end - start) if start and end else 0.0,
            "outcome": attempt.get("outcome") or "ringing",
        }

    @api.model
    def _cti_transfer(self, transfer, refs):
        return {
            "kind": transfer.get("kind"),
            "from_agent_id": refs.agent(transfer.get("from_agent")).id,
            "from_extension": transfer.get("from_agent"),
            "target": transfer.get("to"),
            "at": to_datetime(transfer.get("at")),
        }

    def _cti_match_partners(self, values, calls, memo):
        """Link calls to the customer owning their number (indexed E.164 equality), once per number."""
        unmatched = [
            vals
            for lid, vals in values.items()
            if vals["customer_e164"]
            and memo.get(lid, {}).get("customer_e164") != vals["customer_e164"]
            and not (lid in calls and calls[lid].partner_id)
        ]
        found = self.env["res.partner"]._cc_find_by_e164([v["customer_e164"] for v in unmatched])
        for vals in unmatched:
            partner_ids = found.get(vals["customer_e164"])
            if partner_ids:
                vals["partner_id"] = partner_ids[0]

    def _cti_popup_payload(self, agent):
        """What the agent's screen-pop shows at once; the client fetches the rest (cc_desk_details)."""
        self.ensure_one()
        lang = agent.user_id.lang or "en_US"
        partner = self.partner_id
        return {
            "call_id": self.id,
            "linkedid": self.linkedid,
            "direction": self.direction,
            "number": self.caller_raw if self.direction != "outbound" else self.callee_raw,
            "number_e164": self.customer_e164 or "",
            "region": phone.region(self.customer_e164, lang),
            "caller_name": self.caller_name or "",
            "did": self.did or "",
            "ivr_digits": self.ivr_digits or "",
            "queue": self.queue_id.name or "",
            "partner_id": partner.id,
            "partner_name": partner.name or "",
            "partner_count": len(self._cc_matching_partner_ids()) or len(partner),
            # sudo: the pop is built by the bridge for the agent; it shows the card of the matched customer
            "customer": partner.sudo()._cc_customer_card() if partner else {},
            "agent": agent.extension,
            "state": self.state,
        }

    @api.depends("recording_file", "recording_state")
    def _compute_recording_player(self):
        for call in self:
            if call.recording_file and call.id and call.recording_state != "deleted":
                url = f"/callcenter/recording/{call.id}"
                player = '<audio controls="controls" preload="none" src="{0}"></audio>'
                link = ' <a href="{0}?download=1">{1}</a>'
                call.recording_player = Markup(player + link).format(url, call.env._("Download"))
            else:
                call.recording_player = False

    def _cc_recording_path(self):
        """The recording's file on disk, only if it lies inside its server's recordings folder (no escape)."""
        self.ensure_one()
        server = self.server_id
        folder = server.recording_archive_dir if self.recording_state == "archived" else server.recording_dir
        if not (self.recording_file and folder) or self.recording_state == "deleted":
            return None
        root = os.path.realpath(folder)
        path = os.path.realpath(os.path.join(root, self.recording_file))
        if os.path.commonpath([root, path]) != root or not os.path.isfile(path):
            return None
        return path

    @api.model
    def _cc_apply_retention(self, server):
        """Archive then delete the server's old recordings; returns (archived, deleted, error messages)."""
        now = fields.Datetime.now()
        deleted, errors = self._cc_delete_recordings(server, now)
        archived, archive_errors = self._cc_archive_recordings(server, now)
        return archived, deleted, errors + archive_errors

    def _cc_retention_domain(self, server, days, now, states):
        cutoff = now - datetime.timedelta(days=days)
        return [
            ("server_id", "=", server.id),
            ("recording_file", "!=", False),
            ("recording_state", "in", states),
            ("start", "<", cutoff),
        ]

    def _cc_archive_recordings(self, server, now):
        if not (server.recording_archive_days and server.recording_archive_dir):
            return 0, []
        calls = self.search(self._cc_retention_domain(server, server.recording_archive_days, now, ["live"]))
        moved, errors = self.browse(), []
        for call in calls:
            try:
                call._cc_move_recording(server.recording_archive_dir)
                moved |= call
            except OSError as exc:
                errors.append(f"{call.linkedid}: {exc}")
        moved.write({"recording_state": "archived"})
        return len(moved), errors

    def _cc_move_recording(self, archive_dir):
        source = self._cc_recording_path()
        if not source:
            raise FileNotFoundError(self.env._("recording file %s not found", self.recording_file))
        target = os.path.join(archive_dir, os.path.basename(source))
        os.makedirs(archive_dir, exist_ok=True)
        shutil.move(source, target)

    def _cc_delete_recordings(self, server, now):
        if not server.recording_delete_days:
            return 0, []
        domain = self._cc_retention_domain(server, server.recording_delete_days, now, ["live", "archived"])
        removed, errors = self.browse(), []
        for call in self.search(domain):
            path = call._cc_recording_path()
            try:
                if path:
                    os.remove(path)
                removed |= call
            except OSError as exc:
                errors.append(f"{call.linkedid}: {exc}")
        removed.write({"recording_state": "deleted"})
        return len(removed), errors

    def _cti_csv_rows(self):
        """One row per call, in the columns of the replay command's --export-csv (and the list's export)."""
        return [call._cti_csv_row() for call in self]

    def _cti_csv_row(self):
        start = self.start.strftime("%Y-%m-%dT%H:%M:%SZ") if self.start else ""
        return [
            self.linkedid, self.direction or "", self.caller_raw or "", self.caller_e164 or "",
            self.did or "", self.disposition or "", self.queue_id.ami_name or "",
            self.agent_id.extension or "",
            self.first_agent_id.extension or "", self.transferred_to or "", self.hold_count,
            self.survey_score or "", _seconds(self.wait_s), _seconds(self.talk_s), start,
        ]  # fmt: skip

    def action_callback_done(self):
        self.write({"callback_state": "done"})
        self.activity_feedback(["mail.mail_activity_data_call"])

    def _cc_request_callback(self, refs):
        """A caller left a voicemail: the call goes on the callback list, the owner agent gets a task."""
        self.ensure_one()
        if self.callback_state:
            return  # already requested (a replayed journal)
        self.callback_state = "todo"
        self._cc_attach_voicemail()
        owner = self._cc_callback_owner(refs)
        if owner:
            summary = self.env._(
                "Call back %(number)s (voicemail)", number=self.caller_raw or self.customer_e164
            )
            self.activity_schedule("mail.mail_activity_data_call", user_id=owner.id, summary=summary)

    def _cc_attach_voicemail(self):
        """The caller's message, found in the server's voicemail spool, attached to the call (and so to the
        callback task on it)."""
        path = self._cc_voicemail_file()
        if not path:
            return
        with open(path, "rb") as sound:
            attachment = self.env["ir.attachment"].create(
                {
                    "name": f"voicemail-{self.caller_raw or self.linkedid}.wav",
                    "raw": sound.read(),
                    "res_model": self._name,
                    "res_id": self.id,
                    "mimetype": "audio/wav",
                }
            )
        self.message_post(body=self.env._("Voicemail left by the caller."), attachment_ids=attachment.ids)

    def _cc_voicemail_file(self):
        """The .wav of the voicemail this call left: a message of any mailbox whose caller is this call's and
        whose recording began during it (Asterisk's msgNNNN.txt: callerid, origtime)."""
        root = self.server_id.voicemail_dir
        if not (root and os.path.isdir(root) and self.caller_raw and self.start):
            return None
        begin = self.start.replace(tzinfo=datetime.UTC).timestamp() - VOICEMAIL_SLACK
        end = (self.end or fields.Datetime.now()).replace(tzinfo=datetime.UTC).timestamp() + VOICEMAIL_SLACK
        for info in glob.glob(os.path.join(root, "*", "*", "INBOX", "msg*.txt")):
            if os.path.getmtime(info) < begin:
                continue  # older messages: not even read
            meta = _voicemail_meta(info)
            wav = info[:-4] + ".wav"
            if self.caller_raw in meta.get("callerid", "") and begin <= int(meta.get("origtime") or 0) <= end:
                return wav if os.path.isfile(wav) else None
        return None

    def _cc_callback_owner(self, refs):
        """The user of the customer's owner agent (callcenter_crm sets owners), if any."""
        if not self.customer_e164:
            return self.env["res.users"]
        profile = self.env["res.partner"]._cc_routing_profile(self.customer_e164)
        return refs.agent(profile.get("owner_agent_extension")).user_id

    def action_export_csv(self):
        """The same CSV the replay command writes, for the selected calls."""
        return {
            "type": "ir.actions.act_url",
            "url": "/callcenter/calls/export.csv?ids=" + ",".join(map(str, self.ids)),
            "target": "self",
        }

    # -- routing -------------------------------------------------------------------------------------------
    @api.model
    def _cc_last_agents(self, server, since, changed_since=None):
        """{customer E.164: (agent id, start)}: the agent who answered each customer of ``server`` last, among
        the calls started after ``since`` (and, for a refresh, written after ``changed_since``).

        One query on the partial index _customer_answered_idx, for the routing snapshot (last-agent routing).
        """
        self.flush_model(["customer_e164", "agent_id", "start", "disposition", "server_id"])
        changed = SQL(" AND write_date >= %s", changed_since) if changed_since else SQL()
        rows = self.env.execute_query(
            SQL(
                """SELECT DISTINCT ON (customer_e164) customer_e164, agent_id, start
                     FROM cc_call
                    WHERE disposition = 'answered' AND agent_id IS NOT NULL AND customer_e164 IS NOT NULL
                      AND server_id = %s AND start >= %s%s
                 ORDER BY customer_e164, start DESC""",
                server.id,
                since,
                changed,
            )
        )
        return {e164: (agent_id, start) for e164, agent_id, start in rows}

    @api.model
    def _cc_last_agent(self, e164, since):
        """The agent (cc.agent) who answered ``e164`` last since ``since``; empty if none."""
        call = self.search_fetch(
            [
                ("customer_e164", "=", e164),
                ("disposition", "=", "answered"),
                ("agent_id", "!=", False),
                ("start", ">=", since),
            ],
            ["agent_id"],
            order="start desc",
            limit=1,
        )
        return call.agent_id

    # -- the call desk --------------------------------------------------------------------------------------
    def cc_desk_details(self):
        """The screen-pop's and call desk's second look: every matching customer, the caller's last calls,
        and what other addons add (service records, work orders, orders, coupons …)."""
        self.ensure_one()
        ids = self._cc_matching_partner_ids()
        readable = self.env["res.partner"].search([("id", "in", ids)])  # the agent's partner rules apply
        return {
            "partners": [
                partner._cc_customer_card() for partner in readable.browse(ids) if partner in readable
            ],
            "partner_id": self.partner_id.id,
            "last_calls": self._cc_last_calls_values(),
            "sections": [section for section in self._cc_desk_sections() if section["records"]],
        }

    def cc_set_partner(self, partner_id):
        """The agent picks the customer among several with this number."""
        self.ensure_one()
        partner = self.env["res.partner"].browse(partner_id).exists()
        if not partner:
            raise UserError(self.env._("This customer no longer exists."))
        partner.check_access("read")
        self.partner_id = partner
        return True

    def cc_desk_hold(self):
        return self._cc_call_command(
            "hold", _feature_keys(HOLD_KEYS), self.env._("Putting the caller on hold…")
        )

    def cc_desk_resume(self):
        return self._cc_call_command("resume", _feature_keys(RESUME_KEYS), self.env._("Resuming the call…"))

    def cc_desk_hangup(self):
        hangup = {"Action": "Hangup", "Channel": "@agent", "Cause": "16"}
        return self._cc_call_command("agent_hangup", [hangup], self.env._("Hanging up…"))

    def cc_desk_transfer(self, target, attended=False):
        """Blind or consult (attended) transfer to an agent, a queue, the IVR or an external number."""
        exten, label = self._cc_transfer_target(target)
        if attended:
            action = {"Action": "Atxfer", "Channel": "@agent", "Context": XFER_CONTEXT, "Exten": exten}
            message = self.env._("Consulting %s: the caller is on hold…", label)
            return self._cc_call_command("consult", [action], message, reason=label)
        action = {"Action": "BlindTransfer", "Channel": "@agent", "Context": XFER_CONTEXT, "Exten": exten}
        return self._cc_call_command(
            "transfer", [action], self.env._("Transferring to %s…", label), reason=label
        )

    def cc_desk_consult(self, op):
        """Finish a consult transfer: complete it, go back to the caller, or make it a three-way call."""
        if op not in CONSULT_KEYS:
            raise UserError(self.env._("Unknown consultation step: %s", op))
        labels = {
            "complete": self.env._("Completing the transfer…"),
            "cancel": self.env._("Back to the caller…"),
            "threeway": self.env._("Joining all three…"),
        }
        return self._cc_call_command("consult_end", _feature_keys(CONSULT_KEYS[op]), labels[op], reason=op)

    def cc_desk_conference(self, target):
        """Caller and agent move to a conference room, then the third party is called into it."""
        self.ensure_one()
        room = str(CONFERENCE_FIRST_ROOM + self.id % CONFERENCE_ROOMS)
        dial, label = self._cc_conference_channel(target)
        actions = [
            {
                "Action": "Redirect",
                "Channel": "@customer",
                "ExtraChannel": "@agent",
                "Context": "conference",
                "Exten": room,
                "Priority": "1",
                "ExtraContext": "conference",
                "ExtraExten": room,
                "ExtraPriority": "1",
            },
            {
                "Action": "Originate",
                "Channel": dial,
                "Context": "conference",
                "Exten": room,
                "Priority": "1",
                "Timeout": "30000",
                "Async": "true",
            },
        ]
        message = self.env._("Conference with %s…", label)
        return self._cc_call_command("conference", actions, message, reason=label)

    def action_cc_open_desk(self):
        """The call desk: the call with its customer, notes, wrap-up and controls (addons extend it)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Call Desk"),
            "res_model": "cc.call",
            "res_id": self.id,
            "views": [(self.env.ref("callcenter_cti.cc_call_view_form_desk").id, "form")],
            "target": "current",
        }

    def action_cc_new_customer(self):
        """A new customer with the caller's number; saving it links this call (see res.partner.create)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Customer"),
            "res_model": "res.partner",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_phone": self.customer_e164 or self.caller_raw or False,
                "default_name": self.caller_name or False,
                "cc_call_id": self.id,
            },
        }

    def action_cc_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def action_cc_hold(self):
        self.cc_desk_hold()

    def action_cc_resume(self):
        self.cc_desk_resume()

    def action_cc_hangup(self):
        self.cc_desk_hangup()

    def action_cc_wrapup_done(self):
        """The agent is done with the call: the disposition (and note) are required."""
        for call in self:
            if not call.wrapup_code_id:
                raise UserError(self.env._("Choose a wrap-up code."))
            if call.wrapup_code_id.needs_note and not call.note:
                raise UserError(self.env._("The code %s needs a note.", call.wrapup_code_id.name))
        self.wrapup_done = True

    # -- desk helpers ---------------------------------------------------------------------------------------
    def _cc_matching_partner_ids(self):
        if not self.customer_e164:
            return []
        return self.env["res.partner"]._cc_find_by_e164([self.customer_e164]).get(self.customer_e164, [])

    def _cc_last_calls_values(self, limit=5):
        if not self.customer_e164:
            return []
        # sudo: the agent on the call sees the customer's recent calls, whoever answered them (summary only)
        calls = self.sudo().search(
            [("customer_e164", "=", self.customer_e164), ("id", "!=", self.id)], limit=limit
        )
        dispositions = dict(self._fields["disposition"]._description_selection(self.env))
        return [
            {
                "id": call.id,
                "start": fields.Datetime.to_string(call.start),
                "direction": call.direction,
                "disposition": call.disposition or "",
                "disposition_label": dispositions.get(call.disposition, ""),
                "agent": call.agent_id.name or "",
                "talk_s": call.talk_s,
                "wrapup": call.wrapup_code_id.name or "",
            }
            for call in calls
        ]

    def _cc_desk_sections(self):
        """[{"key", "title", "records": [{"id", "model", "name", "subtitle", "state"}]}]: other addons add
        theirs (service records, work orders, orders, coupons …)."""
        return []

    def _cc_call_command(self, kind, actions, message, reason=None):
        """A command about this call by the agent on it; refused at once if it cannot be carried out."""
        self.ensure_one()
        agent = self.env["cc.agent"]._cc_my_agent()
        if self.state == "ended":
            raise UserError(self.env._("This call has ended."))
        agent._cc_check_reachable()
        command = self.env["cc.cti.command"]._cc_enqueue(
            self.server_id, kind, actions, agent=agent, reason=reason, call_id=self.id, linkedid=self.linkedid
        )
        return command._cc_answer(message)

    def _cc_transfer_target(self, target):
        """(extension in the dialplan's transfer context, label) of an agent, queue, the IVR or a number."""
        target = (target or "").strip()
        if target == "ivr":
            return "ivr", self.env._("the IVR")
        if target.startswith("queue:"):
            queue_id = target[6:]
            queue = self.env["cc.queue"].browse(int(queue_id) if queue_id.isdigit() else 0).exists()
            if not queue or queue.server_id != self.server_id:
                raise UserError(self.env._("Choose a queue of this PBX."))
            return queue.ami_name, queue.name
        agent = self._cc_agent_by_extension(target)
        if agent:
            return agent.extension, agent.display_name
        e164 = self.env["cc.agent"]._cc_my_agent()._cc_dialable_number(target)
        return e164, e164

    def _cc_conference_channel(self, target):
        """(dial string, label) of the conference's third party: an agent's phone or an external number."""
        agent = self._cc_agent_by_extension((target or "").strip())
        if agent:
            return agent._cc_interface().removesuffix("/n"), agent.display_name
        e164 = self.env["cc.agent"]._cc_my_agent()._cc_dialable_number(target)
        return f"Local/{e164}@cc-outbound/n", e164

    def _cc_agent_by_extension(self, extension):
        if not extension.isdigit():
            return self.env["cc.agent"]
        return self.env["cc.agent"].search(
            [("server_id", "=", self.server_id.id), ("extension", "=", extension)], limit=1
        )


def _seconds(value):
    return f"{value:.1f}" if value else "0"


_LINE_FIELDS = ("attempt_ids", "transfer_ids")
_MISSING = object()


def _plain(vals):
    """The call's own columns (no one2many lines, no bookkeeping keys)."""
    return {k: v for k, v in vals.items() if k not in _LINE_FIELDS}


def _memo_entry(call_id, vals, lines):
    """What was written for one call: its columns, and per line field (line values, row ids in order)."""
    return {"id": call_id, "vals": _plain(vals), "lines": lines, "customer_e164": vals["customer_e164"]}


# Snapshot keys copied as they are into fields of the same name.
_PLAIN_FIELDS = (
    "uniqueid",
    "direction",
    "state",
    "caller_raw",
    "caller_name",
    "callee_raw",
    "did",
    "ivr_s",
    "wait_s",
    "ring_s",
    "talk_s",
    "hold_s",
    "wrapup_s",
    "disposition",
    "hangup_cause_text",
    "hangup_by",
    "transferred_to",
    "hold_count",
    "recording_file",
    "survey_score",
    "queue_position_entry",
    "queue_position_abandon",
    "originate_action_id",
)
_TIME_FIELDS = ("start", "queue_entry", "first_ring", "answer", "end")


def _voicemail_meta(path):
    """key=value lines of an Asterisk voicemail message's .txt."""
    with open(path, encoding="utf-8", errors="replace") as info:
        return dict(line.strip().split("=", 1) for line in info if "=" in line)


def _feature_keys(keys):
    """Feature codes pressed on the agent's behalf: DTMF the PBX takes as received from the agent's phone."""
    return [{"Action": "PlayDTMF", "Channel": "@agent", "Digit": digit, "Receive": "true"} for digit in keys]
