import {mailModels} from "@mail/../tests/mail_test_helpers";
import {defineModels, models, onRpc} from "@web/../tests/web_test_helpers";

export class CcAgent extends models.Model {
    _name = "cc.agent";
}

export class CcCall extends models.Model {
    _name = "cc.call";
}

export function defineDeskModels() {
    return defineModels({...mailModels, CcAgent, CcCall});
}

/** What cc.agent.cc_desk_state answers for agent 8001 (overrides: any key of the contract). */
export function deskState(overrides = {}) {
    return {
        agent: {
            id: 1,
            name: "Agent Smith",
            extension: "8001",
            state: "ready",
            state_since: "2026-01-01 08:00:00",
            reason: "",
            server_reachable: true,
        },
        queues: [
            {id: 11, name: "Sales", logged_in: true, paused: false},
            {id: 12, name: "Support", logged_in: false, paused: false},
        ],
        pause_reasons: [
            {id: 21, name: "Lunch"},
            {id: 22, name: "Training"},
        ],
        calls_today: 4,
        current_call: false,
        is_supervisor: false,
        ...overrides,
    };
}

export function ringingPayload(overrides = {}) {
    return {
        call_id: 101,
        linkedid: "1700000000.1",
        direction: "inbound",
        number: "15551230001",
        number_e164: "+15551230001",
        region: "California",
        caller_name: "",
        did: "5550100",
        ivr_digits: "2",
        queue: "Sales",
        partner_id: 7,
        partner_name: "Alice",
        partner_count: 1,
        customer: {code: "C0007", vip: "gold", vip_label: "Gold VIP", owner: "Bob"},
        agent: "8001",
        ...overrides,
    };
}

export function detailsAnswer(overrides = {}) {
    return {
        partners: [
            {
                id: 7,
                name: "Alice",
                code: "C0007",
                vip: "gold",
                vip_label: "Gold VIP",
                owner: "Bob",
            },
        ],
        partner_id: 7,
        last_calls: [
            {
                id: 90,
                start: "2025-12-30 10:00:00",
                direction: "inbound",
                disposition: "answered",
                disposition_label: "Answered",
                agent: "Agent Smith",
                talk_s: 65,
            },
        ],
        sections: [],
        ...overrides,
    };
}

/**
 * Mocks the desk's backend: the agent group check, the state and the details.
 * Returns the list of [method, args] the desk called, for assertions.
 */
export function mockDeskBackend({
    state = deskState(),
    details = detailsAnswer(),
    isAgent = true,
} = {}) {
    const calls = [];
    onRpc("has_group", ({args}) =>
        args.at(-1) === "callcenter_cti.group_cc_agent" ? isAgent : false
    );
    onRpc("cc.agent", "cc_desk_state", () => state);
    onRpc("cc.call", "cc_desk_details", () => details);
    let commandId = 500;
    const command = ({model, method, args}) => {
        calls.push([model, method, args]);
        return {command_id: ++commandId, message: `${method}…`};
    };
    for (const method of [
        "cc_desk_login",
        "cc_desk_logout",
        "cc_desk_ready",
        "cc_desk_pause",
        "cc_desk_dial",
    ]) {
        onRpc("cc.agent", method, command);
    }
    for (const method of [
        "cc_desk_hold",
        "cc_desk_resume",
        "cc_desk_hangup",
        "cc_desk_transfer",
        "cc_desk_consult",
        "cc_desk_conference",
    ]) {
        onRpc("cc.call", method, command);
    }
    onRpc("cc.call", "cc_set_partner", ({args}) => {
        calls.push(["cc.call", "cc_set_partner", args]);
        return true;
    });
    for (const method of [
        "action_cc_open_desk",
        "action_cc_new_customer",
        "action_cc_open_partner",
    ]) {
        onRpc("cc.call", method, ({args}) => {
            calls.push(["cc.call", method, args]);
            return {type: "ir.actions.act_window_close"};
        });
    }
    return calls;
}
