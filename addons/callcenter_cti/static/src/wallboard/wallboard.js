import {Component, onWillStart, onWillUnmount, useState} from "@odoo/owl";
import {ConfirmationDialog} from "@web/core/confirmation_dialog/confirmation_dialog";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {standardActionServiceProps} from "@web/webclient/actions/action_service";
import {WallboardModel, formatDuration, toMillis} from "./wallboard_model";

/** Agents are listed by what they do: those who take calls first, logged-out ones last. */
const STATE_ORDER = ["on_call", "ringing", "wrap_up", "ready", "paused", "logged_out"];

/** The supervisor's live wallboard (client action "callcenter_cti.wallboard"). */
export class Wallboard extends Component {
    static template = "callcenter_cti.Wallboard";
    static props = {...standardActionServiceProps};

    setup() {
        this.dialog = useService("dialog");
        this.model = new WallboardModel({
            orm: useService("orm"),
            bus: useService("bus_service"),
        });
        this.state = useState(this.model.state);
        this.formatDuration = formatDuration;
        onWillStart(() => this.model.start());
        onWillUnmount(() => this.model.stop());
    }

    get data() {
        return this.state.data;
    }

    get agents() {
        return [...this.data.agents].sort(
            (a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state)
        );
    }

    get totals() {
        const count = (states) =>
            this.data.agents.filter((a) => states.includes(a.state)).length;
        return {
            available: count(["ready"]),
            busy: count(["ringing", "on_call", "wrap_up"]),
            paused: count(["paused"]),
            waiting: this.data.queues.reduce((sum, q) => sum + q.waiting, 0),
        };
    }

    stateLabel(state) {
        return this.data.state_labels[state] || state;
    }

    /** Seconds since a server datetime, on the clock of this.state (so that the component follows it). */
    elapsed(since) {
        return since ? Math.max(0, (this.state.now - toMillis(since)) / 1000) : 0;
    }

    /** The queue's longest wait, live: its oldest waiting caller's wait. */
    longestWait(queue) {
        return queue.waits.length ? this.elapsed(queue.waits[0].since) : 0;
    }

    isLongPause(agent) {
        return (
            agent.state === "paused" &&
            this.elapsed(agent.since) > this.data.thresholds.pause_alert_s
        );
    }

    isLongWait(seconds) {
        return seconds > this.data.thresholds.wait_alert_s;
    }

    serviceLevel(queue) {
        return queue.service_level === false ? "–" : `${queue.service_level}%`;
    }

    alertTitle(alert) {
        return alert.kind === "long_wait" ? _t("Long wait") : _t("Long pause");
    }

    actionsFor(agent) {
        return this.model.actionsFor(agent);
    }

    commandOf(agent) {
        return this.state.commands[agent.id];
    }

    onAction(agent, action) {
        if (!action.confirm) {
            return this.model.runAction(agent, action);
        }
        this.dialog.add(ConfirmationDialog, {
            title: agent.name,
            body: action.confirm,
            confirm: () => this.model.runAction(agent, action),
            cancel: () => {},
        });
    }
}

registry.category("actions").add("callcenter_cti.wallboard", Wallboard);
