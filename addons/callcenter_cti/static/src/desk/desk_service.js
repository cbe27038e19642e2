import {reactive} from "@odoo/owl";
import {browser} from "@web/core/browser/browser";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {user} from "@web/core/user";

export const AGENT_GROUP = "callcenter_cti.group_cc_agent";
/** How long a command may stay unanswered before the agent is told (ms). */
export const COMMAND_TIMEOUT = 3000;
/** Coalesces the state reloads a burst of bus messages would cause (ms). */
const RELOAD_DELAY = 250;

const BUS_TYPES = [
    "ringing",
    "answered",
    "ring_stopped",
    "ended",
    "call_state",
    "agent_state",
    "queue_member",
    "command",
];

export class CallcenterDesk {
    constructor(env, services) {
        this.env = env;
        this.bus = services.bus_service;
        this.orm = services.orm;
        this.notification = services.notification;
        this.action = services.action;
        this.multiTab = services.multi_tab;
        this.pending = new Map(); // command id → timeout handle
        this.reloadTimeout = null;
        this.state = reactive({
            loaded: false,
            agent: false,
            queues: [],
            pauseReasons: [],
            callsToday: 0,
            isSupervisor: false,
            popups: [], // [{ payload, details }] newest last
            currentCall: false, // popup payload + state ("talking" | "held")
        });
    }

    async start() {
        if (!(await user.hasGroup(AGENT_GROUP))) {
            return;
        }
        const data = await this.load();
        if (!this.state.agent) {
            return;
        }
        this.restoreCall(data.agent.state, data.current_call);
        for (const type of BUS_TYPES) {
            this.bus.subscribe(`callcenter/${type}`, (payload) =>
                this.onBus(type, payload)
            );
        }
        this.bus.start();
    }

    async load() {
        const data = await this.orm.call("cc.agent", "cc_desk_state", []);
        Object.assign(this.state, {
            loaded: true,
            agent: data.agent,
            queues: data.queues || [],
            pauseReasons: data.pause_reasons || [],
            callsToday: data.calls_today || 0,
            isSupervisor: Boolean(data.is_supervisor),
        });
        if (!data.current_call) {
            this.state.currentCall = false; // ended while this tab missed it
        }
        return data;
    }

    /** A page (re)loaded during a call shows its popup or call bar again. */
    restoreCall(agentState, call) {
        if (call && agentState === "ringing") {
            this.onRinging(call);
        } else if (call && agentState === "on_call") {
            this.state.currentCall = {
                ...call,
                state: call.state === "held" ? "held" : "talking",
            };
        }
    }

    scheduleReload() {
        browser.clearTimeout(this.reloadTimeout);
        this.reloadTimeout = browser.setTimeout(() => this.load(), RELOAD_DELAY);
    }

    // -- bus ----------------------------------------------------------------------------------------------
    onBus(type, payload) {
        const handler = {
            ringing: this.onRinging,
            answered: this.onAnswered,
            ring_stopped: this.onRingStopped,
            ended: this.onEnded,
            call_state: this.onCallState,
            agent_state: this.onAgentState,
            queue_member: this.onQueueMember,
            command: this.onCommand,
        }[type];
        handler.call(this, payload);
    }

    onRinging(payload) {
        this.removePopup(payload.linkedid);
        const popup = {payload, details: null};
        this.state.popups.push(popup);
        this.loadDetails(payload.linkedid, payload.call_id);
    }

    async loadDetails(linkedid, callId) {
        const details = await this.orm.call("cc.call", "cc_desk_details", [[callId]]);
        const popup = this.state.popups.find((p) => p.payload.linkedid === linkedid);
        if (popup) {
            popup.details = details;
        }
    }

    async onAnswered(payload) {
        this.removePopup(payload.linkedid);
        const isNewCall = this.state.currentCall?.linkedid !== payload.linkedid;
        this.state.currentCall = {state: "talking", ...payload};
        if (isNewCall) {
            this.state.callsToday++;
            if (await this.isActiveTab()) {
                await this.openDesk(payload.call_id);
            }
        }
    }

    /** Every tab hears the answer; only the one the agent looks at (else the main one) opens the desk. */
    async isActiveTab() {
        return (
            document.visibilityState !== "hidden" || (await this.multiTab.isOnMainTab())
        );
    }

    onRingStopped({linkedid, outcome}) {
        if (outcome !== "answered") {
            this.removePopup(linkedid);
        }
    }

    onEnded({linkedid}) {
        this.removePopup(linkedid);
        if (this.state.currentCall?.linkedid === linkedid) {
            this.state.currentCall = false;
        }
    }

    onCallState({linkedid, state}) {
        if (this.state.currentCall?.linkedid === linkedid) {
            this.state.currentCall.state = state;
        }
    }

    onAgentState({agent_id, state, since, reason, reason_label}) {
        const agent = this.state.agent;
        if (!agent || agent.id !== agent_id) {
            return; // supervisors hear about every agent
        }
        Object.assign(agent, {
            state,
            state_since: since,
            reason: reason_label || reason,
        });
        this.scheduleReload(); // calls handled today may have changed too
    }

    onQueueMember({queue_id, logged_in, paused}) {
        const queue = this.state.queues.find((q) => q.id === queue_id);
        if (queue) {
            Object.assign(queue, {logged_in, paused});
        }
    }

    onCommand({id, state, message}) {
        browser.clearTimeout(this.pending.get(id));
        this.pending.delete(id);
        if (state === "done") {
            this.notification.add(message || _t("Done"), {type: "success"});
        } else {
            this.notification.add(message || _t("The PBX refused the command."), {
                type: "danger",
                sticky: true,
            });
        }
        this.scheduleReload();
    }

    removePopup(linkedid) {
        const index = this.state.popups.findIndex(
            (p) => p.payload.linkedid === linkedid
        );
        if (index >= 0) {
            this.state.popups.splice(index, 1);
        }
    }

    // -- commands -----------------------------------------------------------------------------------------
    /** Sends a command and warns when the PBX's answer does not come back in time. */
    async command(model, method, args) {
        const result = await this.orm.call(model, method, args);
        if (result?.message) {
            this.notification.add(result.message, {type: "info"});
        }
        const id = result?.command_id;
        if (id && !this.pending.has(id)) {
            const timeout = browser.setTimeout(() => {
                this.pending.delete(id);
                this.notification.add(_t("No answer from the PBX yet"), {
                    type: "warning",
                });
            }, COMMAND_TIMEOUT);
            this.pending.set(id, timeout);
        }
        return result;
    }

    agentCommand(method, ...args) {
        return this.command("cc.agent", method, args);
    }

    callCommand(method, ...args) {
        const call = this.state.currentCall;
        if (!call) {
            throw new Error("No current call");
        }
        return this.command("cc.call", method, [[call.call_id], ...args]);
    }

    login(queueIds = false) {
        return this.agentCommand("cc_desk_login", queueIds);
    }

    logout(queueIds = false) {
        return this.agentCommand("cc_desk_logout", queueIds);
    }

    ready() {
        return this.agentCommand("cc_desk_ready");
    }

    pause(reasonId) {
        return this.agentCommand("cc_desk_pause", reasonId);
    }

    dial(number, resModel = false, resId = false) {
        return this.agentCommand(
            "cc_desk_dial",
            number,
            resModel || false,
            resId || false
        );
    }

    hold() {
        return this.callCommand("cc_desk_hold");
    }

    resume() {
        return this.callCommand("cc_desk_resume");
    }

    hangup() {
        return this.callCommand("cc_desk_hangup");
    }

    async transfer(target, attended = false) {
        const result = await this.callCommand("cc_desk_transfer", target, attended);
        if (attended && this.state.currentCall) {
            this.state.currentCall.consulting = true;
        }
        return result;
    }

    async consult(op) {
        const result = await this.callCommand("cc_desk_consult", op);
        if (this.state.currentCall) {
            this.state.currentCall.consulting = false;
        }
        return result;
    }

    conference(target) {
        return this.callCommand("cc_desk_conference", target);
    }

    // -- screen-pop actions -------------------------------------------------------------------------------
    async callAction(callId, method) {
        const action = await this.orm.call("cc.call", method, [[callId]]);
        return this.action.doAction(action);
    }

    openDesk(callId) {
        return this.callAction(callId, "action_cc_open_desk");
    }

    newCustomer(callId) {
        return this.callAction(callId, "action_cc_new_customer");
    }

    openPartner(callId) {
        return this.callAction(callId, "action_cc_open_partner");
    }

    async setPartner(popup, partnerId) {
        await this.orm.call("cc.call", "cc_set_partner", [
            [popup.payload.call_id],
            partnerId,
        ]);
        if (popup.details) {
            popup.details.partner_id = partnerId;
        }
        const partner = popup.details?.partners.find((p) => p.id === partnerId);
        Object.assign(popup.payload, {
            partner_id: partnerId,
            partner_name: partner?.name || popup.payload.partner_name,
        });
    }
}

export const callcenterDeskService = {
    dependencies: ["bus_service", "orm", "notification", "action", "multi_tab"],
    start(env, services) {
        const desk = new CallcenterDesk(env, services);
        desk.start();
        return desk;
    },
};

registry.category("services").add("callcenter_desk", callcenterDeskService);
