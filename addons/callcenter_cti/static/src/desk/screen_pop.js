import {Component, useState} from "@odoo/owl";
import {formatDateTime, deserializeDateTime} from "@web/core/l10n/dates";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {formatElapsed} from "./agent_systray";

/** One ringing call: rendered from the bus payload at once, completed by cc_desk_details. */
export class ScreenPopCard extends Component {
    static template = "callcenter_cti.ScreenPopCard";
    static props = {popup: Object};

    setup() {
        this.desk = useService("callcenter_desk");
    }

    get payload() {
        return this.props.popup.payload;
    }

    get details() {
        return this.props.popup.details;
    }

    get customer() {
        return this.payload.customer || {};
    }

    get partnerCount() {
        if (this.details) {
            return this.details.partners.length;
        }
        return this.payload.partner_count ?? (this.payload.partner_id ? 1 : 0);
    }

    get chosenPartnerId() {
        return this.details?.partner_id || this.payload.partner_id;
    }

    get directionLabel() {
        return this.payload.direction === "outbound"
            ? _t("Outgoing call")
            : _t("Incoming call");
    }

    formatStart(start) {
        return start ? formatDateTime(deserializeDateTime(start)) : "";
    }

    formatTalk(seconds) {
        return seconds ? formatElapsed(seconds) : "";
    }

    choose(partner) {
        return this.desk.setPartner(this.props.popup, partner.id);
    }
}

/** The current call: state and the usual buttons (the full call desk is the form doAction opens). */
export class CallBar extends Component {
    static template = "callcenter_cti.CallBar";
    static props = {call: Object};

    setup() {
        this.desk = useService("callcenter_desk");
        this.ui = useState({target: ""});
    }

    get call() {
        return this.props.call;
    }

    get held() {
        return this.call.state === "held";
    }

    transfer(attended) {
        const target = this.ui.target.trim();
        if (target) {
            return this.desk.transfer(target, attended);
        }
    }

    conference() {
        const target = this.ui.target.trim();
        if (target) {
            return this.desk.conference(target);
        }
    }
}

export class ScreenPop extends Component {
    static template = "callcenter_cti.ScreenPop";
    static components = {ScreenPopCard, CallBar};
    static props = {};

    setup() {
        this.state = useState(useService("callcenter_desk").state);
    }
}

registry
    .category("main_components")
    .add("callcenter_cti.ScreenPop", {Component: ScreenPop});
