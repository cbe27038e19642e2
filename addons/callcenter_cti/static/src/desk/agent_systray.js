import {Component, onWillDestroy, useState} from "@odoo/owl";
import {browser} from "@web/core/browser/browser";
import {Dropdown} from "@web/core/dropdown/dropdown";
import {DropdownItem} from "@web/core/dropdown/dropdown_item";
import {deserializeDateTime} from "@web/core/l10n/dates";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";

export const STATE_LABELS = {
    logged_out: _t("Logged out"),
    ready: _t("Ready"),
    paused: _t("Paused"),
    ringing: _t("Ringing"),
    on_call: _t("On call"),
    wrap_up: _t("Wrap-up"),
};

const DIAL_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

/** "h:mm:ss" / "m:ss" from a number of seconds. */
export function formatElapsed(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const pad = (n) => String(n).padStart(2, "0");
    const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
    return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** Time since a UTC "YYYY-MM-DD HH:MM:SS", re-rendered once a second (only this small component). */
export class ElapsedTimer extends Component {
    static template = "callcenter_cti.ElapsedTimer";
    static props = {since: {type: [String, Boolean], optional: true}};

    setup() {
        this.clock = useState({now: Date.now()});
        const interval = browser.setInterval(() => (this.clock.now = Date.now()), 1000);
        onWillDestroy(() => browser.clearInterval(interval));
    }

    get text() {
        if (!this.props.since) {
            return "";
        }
        const since = deserializeDateTime(this.props.since).toMillis();
        return formatElapsed((this.clock.now - since) / 1000);
    }
}

export class AgentSystray extends Component {
    static template = "callcenter_cti.AgentSystray";
    static components = {Dropdown, DropdownItem, ElapsedTimer};
    static props = {};

    setup() {
        this.desk = useService("callcenter_desk");
        this.state = useState(this.desk.state);
        this.ui = useState({number: "", showReasons: false});
        this.dialKeys = DIAL_KEYS;
    }

    get agent() {
        return this.state.agent;
    }

    get stateLabel() {
        const label = STATE_LABELS[this.agent.state] || this.agent.state;
        return this.agent.reason ? `${label} (${this.agent.reason})` : label;
    }

    get badgeClass() {
        return `o_cc_state_${this.agent.state}`;
    }

    get loggedInAnywhere() {
        return this.state.queues.some((q) => q.logged_in);
    }

    async toggleQueue(queue) {
        if (!queue.logged_in) {
            return this.desk.login([queue.id]);
        }
        return this.desk.logout([queue.id]);
    }

    toggleReasons() {
        this.ui.showReasons = !this.ui.showReasons;
    }

    pressKey(key) {
        this.ui.number += key;
    }

    async dial() {
        const number = this.ui.number.trim();
        if (!number) {
            return;
        }
        await this.desk.dial(number);
        this.ui.number = "";
    }

    onNumberKeydown(ev) {
        if (ev.key === "Enter") {
            this.dial();
        }
    }
}

registry
    .category("systray")
    .add("callcenter_cti.AgentSystray", {Component: AgentSystray}, {sequence: 30});
