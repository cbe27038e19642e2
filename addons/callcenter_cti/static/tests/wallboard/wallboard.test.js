import {mailModels, start} from "@mail/../tests/mail_test_helpers";
import {describe, expect, test} from "@odoo/hoot";
import {click, queryAllTexts, queryText, waitFor} from "@odoo/hoot-dom";
import {advanceTime, animationFrame, mockDate} from "@odoo/hoot-mock";
import {
    MockServer,
    defineModels,
    getService,
    makeServerError,
    models,
    onRpc,
    serverState,
} from "@web/../tests/web_test_helpers";
import {
    REFRESH_INTERVAL,
    RELOAD_THROTTLE,
    formatDuration,
} from "@callcenter_cti/wallboard/wallboard_model";

// The agent desk's service (callcenter_cti) asks for the user's agent when the web client starts.
class CcAgent extends models.Model {
    _name = "cc.agent";
    cc_desk_state() {
        return {agent: false, is_supervisor: true};
    }
}

class CcWallboard extends models.Model {
    _name = "cc.wallboard";
}

describe.current.tags("desktop");
defineModels({...mailModels, CcAgent, CcWallboard});

const NOW = "2026-11-22 03:10:00";

/** What cc.wallboard.cc_wallboard_data answers (overrides: any key of the contract). */
function wallboardData(overrides = {}) {
    return {
        now: NOW,
        day_start: "2026-11-21 16:00:00",
        thresholds: {wait_alert_s: 60, pause_alert_s: 900},
        state_labels: {
            logged_out: "Logged out",
            ready: "Ready",
            paused: "Paused",
            ringing: "Ringing",
            on_call: "On call",
            wrap_up: "Wrap-up",
        },
        pause_reasons: {lunch: "Lunch", break: "Break"},
        agents: [
            {
                id: 1,
                name: "Li Na",
                extension: "8001",
                state: "on_call",
                since: "2026-11-22 03:08:30",
                reason: "",
                call: {
                    id: 101,
                    direction: "inbound",
                    number: "+8613800138000",
                    customer: "Wang Fang",
                    queue: "Support",
                },
                calls_today: 12,
                aht_s: 185.4,
            },
            {
                id: 2,
                name: "Chen Jie",
                extension: "8002",
                state: "paused",
                since: "2026-11-22 02:50:00",
                reason: "Lunch",
                call: false,
                calls_today: 0,
                aht_s: 0,
            },
        ],
        queues: [
            {
                id: 11,
                name: "Support",
                waiting: 2,
                waits: [
                    {
                        call_id: 201,
                        number: "+8613900139000",
                        customer: "",
                        since: "2026-11-22 03:08:00",
                        wait_s: 120,
                    },
                    {
                        call_id: 202,
                        number: "+8613700137000",
                        customer: "Zhao Lei",
                        since: "2026-11-22 03:09:30",
                        wait_s: 30,
                    },
                ],
                longest_wait_s: 120,
                answered: 40,
                abandoned: 10,
                service_level_s: 20,
                service_level: 72.5,
            },
        ],
        alerts: [
            {
                kind: "long_pause",
                agent_id: 2,
                name: "Chen Jie",
                since: "2026-11-22 02:50:00",
                seconds: 1200,
                reason: "Lunch",
            },
            {
                kind: "long_wait",
                queue_id: 11,
                name: "Support",
                since: "2026-11-22 03:08:00",
                seconds: 120,
            },
        ],
        ...overrides,
    };
}

/** Mocks the backend; returns the list of calls made (the wallboard's loads and the supervisor actions). */
function mockWallboard(data = wallboardData()) {
    const calls = [];
    onRpc("has_group", () => false); // no agent desk in these tests
    onRpc("cc.wallboard", "cc_wallboard_data", () => {
        calls.push("load");
        return data;
    });
    let commandId = 700;
    onRpc("cc.agent", "*", ({method, args}) => {
        if (!method.startsWith("action_cc_")) {
            return;
        }
        calls.push(`${method} ${args[0]}`);
        return [++commandId];
    });
    return calls;
}

/** Sends a bus notification to the current user, as res.users._bus_send does. */
function busSend(type, payload) {
    MockServer.env["bus.bus"]._sendone(
        serverState.partnerId,
        `callcenter/${type}`,
        payload
    );
}

async function openWallboard() {
    mockDate(NOW.replace(" ", "T") + "Z");
    await start();
    await getService("action").doAction({
        type: "ir.actions.client",
        tag: "callcenter_cti.wallboard",
    });
    await waitFor(".o_cc_wallboard .o_cc_wb_agent");
}

function agentRow(id) {
    return `.o_cc_wb_agent[data-agent-id="${id}"]`;
}

test("formats durations as mm:ss, and h:mm:ss past an hour", () => {
    expect(formatDuration(0)).toBe("00:00");
    expect(formatDuration(75.9)).toBe("01:15");
    expect(formatDuration(3725)).toBe("1:02:05");
});

test("shows every agent and queue of cc_wallboard_data", async () => {
    mockWallboard();
    await openWallboard();
    expect(".o_cc_wb_agent").toHaveCount(2);
    const li = agentRow(1);
    expect(`${li} .o_cc_wb_state`).toHaveText("On call");
    expect(`${li} .o_cc_wb_time_in_state`).toHaveText("01:30");
    expect(`${li} .o_cc_wb_customer`).toHaveText("Wang Fang");
    expect(`${li} .o_cc_wb_number`).toHaveText("+8613800138000");
    expect(`${li} .o_cc_wb_calls_today`).toHaveText("12");
    expect(`${li} .o_cc_wb_aht`).toHaveText("03:05");
    const chen = agentRow(2);
    expect(`${chen} .o_cc_wb_reason`).toHaveText("Lunch");
    expect(`${chen} .o_cc_wb_time_in_state`).toHaveText("20:00");
    expect(`${chen} .o_cc_wb_time_in_state`).toHaveClass("o_cc_wb_over");
    expect(`${chen} .o_cc_wb_aht`).toHaveText("–");
    expect(".o_cc_wb_queue_name").toHaveText("Support");
    expect(".o_cc_wb_waiting").toHaveText("2");
    expect(".o_cc_wb_longest").toHaveText("02:00");
    expect(".o_cc_wb_longest").toHaveClass("o_cc_wb_over");
    expect(queryAllTexts(".o_cc_wb_wait")).toEqual([
        "+8613900139000 02:00",
        "Zhao Lei 00:30",
    ]);
    expect(".o_cc_wb_answered").toHaveText("40");
    expect(".o_cc_wb_abandoned").toHaveText("10");
    expect(".o_cc_wb_service_level").toHaveText("72.5%");
    expect(".o_cc_wb_total_waiting b").toHaveText("2");
});

test("shows the alerts for long waits and long pauses", async () => {
    mockWallboard();
    await openWallboard();
    expect(".o_cc_wb_alert").toHaveCount(2);
    expect(".o_cc_wb_alert_long_pause").toHaveText(
        "Long pause: Chen Jie (Lunch) 20:00"
    );
    expect(".o_cc_wb_alert_long_wait").toHaveText("Long wait: Support 02:00");
});

test("a queue without calls today shows no service level", async () => {
    const data = wallboardData({alerts: []});
    Object.assign(data.queues[0], {
        answered: 0,
        abandoned: 0,
        service_level: false,
        waits: [],
        waiting: 0,
    });
    mockWallboard(data);
    await openWallboard();
    expect(".o_cc_wb_service_level").toHaveText("–");
    expect(".o_cc_wb_longest").toHaveText("–");
    expect(".o_cc_wb_alerts").toHaveCount(0);
});

test("times in state and waits move with the clock", async () => {
    mockWallboard();
    await openWallboard();
    await advanceTime(5500); // 5 ticks, whatever the few ms the load took
    await animationFrame();
    // the clock ticks from the page's own start: under load the last tick may land a second either way
    expect(`${agentRow(1)} .o_cc_wb_time_in_state`).toHaveText(/^01:3[456]$/);
    expect(".o_cc_wb_longest").toHaveText(/^02:0[456]$/);
});

test("reloads every 15 seconds as a safety net", async () => {
    const calls = mockWallboard();
    await openWallboard();
    expect(calls).toEqual(["load"]);
    await advanceTime(REFRESH_INTERVAL);
    await animationFrame();
    expect(calls).toEqual(["load", "load"]);
});

test("an agent_state notification updates the row at once, then one reload for a burst", async () => {
    const calls = mockWallboard();
    await openWallboard();
    busSend("agent_state", {
        agent_id: 1,
        extension: "8001",
        state: "paused",
        since: NOW,
        reason: "break",
    });
    busSend("agent_state", {
        agent_id: 2,
        extension: "8002",
        state: "paused",
        since: NOW,
        reason: "training",
        reason_label: "Training",
    });
    busSend("queue", {queue_id: 11, queue: "support", waiting: 3});
    await waitFor(`${agentRow(1)} .o_cc_state_paused`);
    await waitFor(".o_cc_wb_waiting:contains(3)");
    expect(`${agentRow(1)} .o_cc_wb_reason`).toHaveText("Break");
    await waitFor(`${agentRow(2)} .o_cc_wb_reason:contains(Training)`);
    expect(`${agentRow(1)} .o_cc_wb_time_in_state`).toHaveText("00:00");
    expect(`${agentRow(1)} .o_cc_wb_customer`).toHaveCount(0);
    expect(calls).toEqual(["load"]);
    await advanceTime(RELOAD_THROTTLE);
    await animationFrame();
    expect(calls).toEqual(["load", "load"]);
    expect(`${agentRow(1)} .o_cc_wb_state`).toHaveText("On call"); // what the server says wins
});

test("supervisor actions follow the agent's state and show the PBX's answer", async () => {
    const calls = mockWallboard();
    await openWallboard();
    expect(queryAllTexts(`${agentRow(1)} .o_cc_wb_actions button`)).toEqual([
        "Listen",
        "Whisper",
        "Barge",
        "Hang Up",
        "Pause",
        "Log Out",
    ]);
    expect(queryAllTexts(`${agentRow(2)} .o_cc_wb_actions button`)).toEqual([
        "Ready",
        "Log Out",
    ]);
    await click(`${agentRow(1)} .o_cc_wb_action_listen`);
    await animationFrame();
    expect(calls).toEqual(["load", "action_cc_listen 1"]);
    expect(`${agentRow(1)} .o_cc_wb_command`).toHaveText("Listen: Sent to the PBX…");
    busSend("command", {
        id: 701,
        kind: "listen",
        state: "done",
        message: "Originate: Success",
    });
    await waitFor(`${agentRow(1)} .o_cc_wb_command.text-success`);
    expect(`${agentRow(1)} .o_cc_wb_command`).toHaveText("Listen: Originate: Success");
});

test("a forced hangup asks for confirmation first", async () => {
    const calls = mockWallboard();
    await openWallboard();
    await click(`${agentRow(1)} .o_cc_wb_action_hangup`);
    await waitFor(".modal");
    expect(".modal-body").toHaveText("Hang up this agent's call?");
    expect(calls).toEqual(["load"]);
    await click(".modal-footer .btn-primary");
    await animationFrame();
    expect(calls).toEqual(["load", "action_cc_force_hangup 1"]);
});

test("a command refused by the server shows its message on the row", async () => {
    mockWallboard();
    onRpc("cc.agent", "action_cc_force_ready", () => {
        throw makeServerError({message: "Chen Jie is logged in to no queue."});
    });
    await openWallboard();
    await click(`${agentRow(2)} .o_cc_wb_action_ready`);
    await waitFor(`${agentRow(2)} .o_cc_wb_command.text-danger`);
    expect(queryText(`${agentRow(2)} .o_cc_wb_command_message`)).toInclude(
        "logged in to no queue"
    );
});
