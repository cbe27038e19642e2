import {reactive} from "@odoo/owl";
import {browser} from "@web/core/browser/browser";
import {_t} from "@web/core/l10n/translation";
import {deserializeDateTime} from "@web/core/l10n/dates";
import {RPCError} from "@web/core/network/rpc";

/** Full reload as a safety net, whatever the bus says (ms). */
export const REFRESH_INTERVAL = 15000;
/** Bus notifications come in bursts: at most one reload per this delay (ms). */
export const RELOAD_THROTTLE = 1000;
/** The clock that makes "time in state" and waits move (ms). */
export const TICK_INTERVAL = 1000;

/** The supervisor actions of cc.agent, and the agent states in which each one makes sense. */
export function supervisorActions() {
    return [
        {
            kind: "listen",
            method: "action_cc_listen",
            label: _t("Listen"),
            states: ["ringing", "on_call"],
        },
        {
            kind: "whisper",
            method: "action_cc_whisper",
            label: _t("Whisper"),
            states: ["on_call"],
        },
        {
            kind: "barge",
            method: "action_cc_barge",
            label: _t("Barge"),
            states: ["on_call"],
        },
        {
            kind: "hangup",
            method: "action_cc_force_hangup",
            label: _t("Hang Up"),
            states: ["ringing", "on_call"],
            confirm: _t("Hang up this agent's call?"),
        },
        {
            kind: "pause",
            method: "action_cc_force_pause",
            label: _t("Pause"),
            states: ["ready", "ringing", "on_call", "wrap_up"],
        },
        {
            kind: "ready",
            method: "action_cc_force_ready",
            label: _t("Ready"),
            states: ["paused"],
        },
        {
            kind: "logout",
            method: "action_cc_force_logout",
            label: _t("Log Out"),
            states: ["ready", "paused", "ringing", "on_call", "wrap_up"],
            confirm: _t("Log this agent out of every queue?"),
        },
    ];
}

/** Epoch milliseconds of a UTC datetime string of the server. */
export function toMillis(value) {
    return value ? deserializeDateTime(value).toMillis() : 0;
}

/** 75 → "01:15", 3725 → "1:02:05". */
export function formatDuration(seconds) {
    const total = Math.max(0, Math.floor(seconds || 0));
    const [h, m, s] = [
        Math.floor(total / 3600),
        Math.floor(total / 60) % 60,
        total % 60,
    ];
    const mmss = `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
    return h ? `${h}:${mmss}` : mmss;
}

/**
 * The wallboard's data (cc.wallboard.cc_wallboard_data), kept live by the bus, a throttled reload and a
 * clock; and the supervisor actions with the PBX's answer per agent.
 */
export class WallboardModel {
    constructor({orm, bus}) {
        this.orm = orm;
        this.bus = bus;
        this.offset = 0; // server clock - browser clock (ms)
        this.loadCount = 0;
        this.reloadTimeout = null;
        this.timers = [];
        this.commandAgents = new Map(); // command id → agent id
        this.earlyAnswers = new Map(); // answers that came before the command's RPC returned
        this.busHandlers = {
            "callcenter/agent_state": (payload) => this.onAgentState(payload),
            "callcenter/queue": (payload) => this.onQueue(payload),
            "callcenter/command": (payload) => this.onCommand(payload),
        };
        this.state = reactive({
            loaded: false,
            now: Date.now(),
            data: {
                agents: [],
                queues: [],
                alerts: [],
                thresholds: {},
                state_labels: {},
            },
            commands: {}, // agent id → {id, kind, label, state, message}
        });
    }

    async start() {
        await this.load();
        for (const [type, handler] of Object.entries(this.busHandlers)) {
            this.bus.subscribe(type, handler);
        }
        this.bus.start();
        this.timers.push(browser.setInterval(() => this.load(), REFRESH_INTERVAL));
        this.timers.push(browser.setInterval(() => this.tick(), TICK_INTERVAL));
    }

    stop() {
        for (const [type, handler] of Object.entries(this.busHandlers)) {
            this.bus.unsubscribe(type, handler);
        }
        this.timers.forEach((timer) => browser.clearInterval(timer));
        browser.clearTimeout(this.reloadTimeout);
    }

    async load() {
        const loadNumber = ++this.loadCount;
        const data = await this.orm.call("cc.wallboard", "cc_wallboard_data", []);
        if (loadNumber !== this.loadCount) {
            return; // a later load is under way: its answer is fresher
        }
        this.offset = toMillis(data.now) - Date.now();
        Object.assign(this.state, {loaded: true, data});
        this.tick();
    }

    scheduleReload() {
        if (!this.reloadTimeout) {
            this.reloadTimeout = browser.setTimeout(() => {
                this.reloadTimeout = null;
                this.load();
            }, RELOAD_THROTTLE);
        }
    }

    tick() {
        this.state.now = Date.now() + this.offset;
    }

    // -- bus ----------------------------------------------------------------------------------------------
    onAgentState({agent_id, state, since, reason, reason_label}) {
        const agent = this.state.data.agents.find((a) => a.id === agent_id);
        if (agent) {
            const names = this.state.data.pause_reasons || {};
            reason = reason_label || names[reason] || reason || "";
            Object.assign(agent, {state, since, reason});
            if (!["ringing", "on_call", "wrap_up"].includes(state)) {
                agent.call = false;
            }
        }
        this.scheduleReload(); // the call, the figures and the alerts follow
    }

    onQueue({queue_id, waiting}) {
        const queue = this.state.data.queues.find((q) => q.id === queue_id);
        if (queue) {
            queue.waiting = waiting;
        }
        this.scheduleReload();
    }

    onCommand({id, state, message}) {
        const agentId = this.commandAgents.get(id);
        if (agentId === undefined) {
            this.earlyAnswers.set(id, {state, message});
            return;
        }
        const command = this.state.commands[agentId];
        if (command?.id === id) {
            Object.assign(command, {state, message: message || defaultMessage(state)});
        }
    }

    // -- supervisor actions -------------------------------------------------------------------------------
    actionsFor(agent) {
        return supervisorActions().filter((action) =>
            action.states.includes(agent.state)
        );
    }

    /** Sends a supervisor action; its answer (refusal, then the PBX's) is shown on the agent's row. */
    async runAction(agent, action) {
        const command = {
            id: false,
            kind: action.kind,
            label: action.label,
            state: "sending",
        };
        command.message = _t("Sent to the PBX…");
        this.state.commands[agent.id] = command;
        const live = this.state.commands[agent.id]; // the reactive copy
        let ids;
        try {
            ids = await this.orm.call("cc.agent", action.method, [[agent.id]]);
        } catch (error) {
            if (!(error instanceof RPCError)) {
                throw error;
            }
            Object.assign(live, {state: "failed", message: error.data.message});
            return;
        }
        const id = ids[0];
        this.commandAgents.set(id, agent.id);
        live.id = id;
        const early = this.earlyAnswers.get(id);
        if (early) {
            this.earlyAnswers.delete(id);
            this.onCommand({id, ...early});
        }
    }
}

function defaultMessage(state) {
    return state === "done" ? _t("Done") : _t("The PBX refused the command.");
}
