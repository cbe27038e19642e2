import {start} from "@mail/../tests/mail_test_helpers";
import {describe, expect, test} from "@odoo/hoot";
import {click, edit, waitFor, waitForNone, waitUntil} from "@odoo/hoot-dom";
import {advanceTime, animationFrame} from "@odoo/hoot-mock";
import {MockServer, getService, serverState} from "@web/../tests/web_test_helpers";
import {
    defineDeskModels,
    deskState,
    detailsAnswer,
    mockDeskBackend,
    ringingPayload,
} from "./desk_test_helpers";

describe.current.tags("desktop");
defineDeskModels();

/** Sends a bus notification to the current user, as res.users._bus_send does. */
function busSend(type, payload) {
    MockServer.env["bus.bus"]._sendone(
        serverState.partnerId,
        `callcenter/${type}`,
        payload
    );
}

async function startDesk() {
    await start();
    await waitFor(".o_cc_agent_systray");
    return getService("callcenter_desk");
}

test("loads the agent's state from cc_desk_state", async () => {
    mockDeskBackend();
    const desk = await startDesk();
    expect(desk.state.agent.extension).toBe("8001");
    expect(desk.state.queues.map((q) => q.name)).toEqual(["Sales", "Support"]);
    expect(desk.state.pauseReasons.map((r) => r.name)).toEqual(["Lunch", "Training"]);
    expect(desk.state.callsToday).toBe(4);
});

test("a user without an agent gets no desk", async () => {
    mockDeskBackend({state: deskState({agent: false})});
    await start();
    await animationFrame();
    expect(getService("callcenter_desk").state.agent).toBe(false);
    expect(".o_cc_agent_systray").toHaveCount(0);
});

test("a user outside the agent group does not even ask for the state", async () => {
    mockDeskBackend({isAgent: false, state: null});
    await start();
    await animationFrame();
    expect(getService("callcenter_desk").state.loaded).toBe(false);
    expect(".o_cc_agent_systray").toHaveCount(0);
});

test("ringing shows the popup from the payload, then the details", async () => {
    mockDeskBackend();
    await startDesk();
    busSend("ringing", ringingPayload());
    await waitFor(".o_cc_screen_pop");
    expect(".o_cc_pop_number").toHaveText("+15551230001");
    expect(".o_cc_pop_region").toHaveText("California");
    expect(".o_cc_pop_queue").toHaveText("Queue Sales");
    expect(".o_cc_pop_partner").toHaveText("Alice");
    expect(".o_cc_pop_vip").toHaveText("Gold VIP");
    expect(".o_cc_pop_code").toHaveText("C0007");
    expect(".o_cc_pop_owner").toHaveText("Owner: Bob");
    await waitFor(".o_cc_pop_last_call");
    expect(".o_cc_pop_loading").toHaveCount(0);
});

test("ring_stopped elsewhere removes the popup; answered elsewhere keeps none", async () => {
    mockDeskBackend();
    await startDesk();
    busSend("ringing", ringingPayload());
    await waitFor(".o_cc_screen_pop");
    busSend("ring_stopped", {linkedid: "1700000000.1", outcome: "answered_elsewhere"});
    await waitForNone(".o_cc_screen_pop");
});

test("ended removes the popup", async () => {
    mockDeskBackend();
    await startDesk();
    busSend("ringing", ringingPayload());
    await waitFor(".o_cc_screen_pop");
    busSend("ended", {
        linkedid: "1700000000.1",
        call_id: 101,
        disposition: "abandoned",
    });
    await waitForNone(".o_cc_screen_pop");
});

test("answered replaces the popup with the call bar and opens the call desk", async () => {
    const calls = mockDeskBackend();
    const desk = await startDesk();
    busSend("ringing", ringingPayload());
    await waitFor(".o_cc_screen_pop");
    busSend("answered", ringingPayload());
    await waitFor(".o_cc_call_bar");
    expect(".o_cc_screen_pop").toHaveCount(0);
    expect(calls).toEqual([["cc.call", "action_cc_open_desk", [[101]]]]);
    expect(desk.state.callsToday).toBe(5);
    busSend("call_state", {call_id: 101, linkedid: "1700000000.1", state: "held"});
    await waitFor(".o_cc_resume");
    await click(".o_cc_resume");
    await animationFrame();
    expect(calls.at(-1)).toEqual(["cc.call", "cc_desk_resume", [[101]]]);
    busSend("ended", {linkedid: "1700000000.1", call_id: 101, disposition: "answered"});
    await waitForNone(".o_cc_call_bar");
});

test("unknown caller: Create customer opens the new-customer action", async () => {
    const calls = mockDeskBackend({
        details: detailsAnswer({partners: [], partner_id: false}),
    });
    await startDesk();
    busSend(
        "ringing",
        ringingPayload({
            partner_id: false,
            partner_name: "",
            partner_count: 0,
            customer: {},
        })
    );
    await waitFor(".o_cc_pop_new_customer");
    await click(".o_cc_pop_new_customer");
    await animationFrame();
    expect(calls).toEqual([["cc.call", "action_cc_new_customer", [[101]]]]);
});

test("several matches: the agent chooses one", async () => {
    const partners = [
        {id: 7, name: "Alice", code: "C0007", vip: "", vip_label: "", owner: ""},
        {id: 8, name: "Alice Jr", code: "C0008", vip: "", vip_label: "", owner: ""},
    ];
    const calls = mockDeskBackend({
        details: detailsAnswer({partners, partner_id: false}),
    });
    await startDesk();
    busSend(
        "ringing",
        ringingPayload({partner_id: false, partner_name: "", partner_count: 2})
    );
    await waitFor(".o_cc_pop_choice[data-partner-id='8']");
    await click(".o_cc_pop_choice[data-partner-id='8']");
    await animationFrame();
    expect(calls).toEqual([["cc.call", "cc_set_partner", [[101], 8]]]);
    expect(".o_cc_pop_choice[data-partner-id='8']").toHaveClass("btn-primary");
});

test("the PBX's answer to a command is notified", async () => {
    mockDeskBackend();
    await startDesk();
    busSend("command", {
        id: 3,
        kind: "agent_pause",
        state: "failed",
        message: "Interface not found",
    });
    await waitFor(".o_notification");
    expect(".o_notification_content").toHaveText("Interface not found");
    expect(".o_notification_bar").toHaveClass("bg-danger");
});

test("a command left unanswered for 3 seconds warns the agent", async () => {
    mockDeskBackend();
    const desk = await startDesk();
    await desk.ready();
    await waitFor(".o_notification_content:contains(cc_desk_ready…)");
    await advanceTime(3100);
    await waitFor(".o_notification_content:contains(No answer from the PBX yet)");
    expect(".o_notification_bar.bg-warning").toHaveCount(1);
});

test("a command answered in time does not warn", async () => {
    mockDeskBackend();
    const desk = await startDesk();
    const {command_id} = await desk.ready();
    busSend("command", {
        id: command_id,
        kind: "agent_ready",
        state: "done",
        message: "Ready",
    });
    await waitFor(".o_notification_bar.bg-success");
    await advanceTime(3100);
    expect(".o_notification_content:contains(No answer from the PBX yet)").toHaveCount(
        0
    );
});

test("agent_state of my agent updates the badge; other agents' are ignored", async () => {
    mockDeskBackend();
    const desk = await startDesk();
    busSend("agent_state", {
        agent_id: 2,
        extension: "8002",
        state: "paused",
        since: false,
        reason: "",
    });
    busSend("agent_state", {
        agent_id: 1,
        extension: "8001",
        state: "paused",
        since: "2026-01-01 09:00:00",
        reason: "Lunch",
    });
    await waitFor(".o_cc_agent_badge[data-state='paused']");
    expect(desk.state.agent.reason).toBe("Lunch");
    expect(".o_cc_agent_badge").toHaveClass("o_cc_state_paused");
});

test("a page loaded while the phone rings shows the popup again", async () => {
    const agent = {...deskState().agent, state: "ringing"};
    mockDeskBackend({state: deskState({agent, current_call: ringingPayload()})});
    await startDesk();
    await waitFor(".o_cc_screen_pop .o_cc_pop_partner:contains(Alice)");
    expect(".o_cc_call_bar").toHaveCount(0);
});

test("a page loaded during a call shows the call bar again", async () => {
    const agent = {...deskState().agent, state: "on_call"};
    mockDeskBackend({state: deskState({agent, current_call: ringingPayload()})});
    await startDesk();
    await waitFor(".o_cc_call_bar .o_cc_call_bar_party:contains(Alice)");
    expect(".o_cc_screen_pop").toHaveCount(0);
});

test("call bar: consult transfer, then complete it; conference", async () => {
    const agent = {...deskState().agent, state: "on_call"};
    const calls = mockDeskBackend({
        state: deskState({agent, current_call: ringingPayload()}),
    });
    await startDesk();
    await waitFor(".o_cc_call_bar");
    expect(".o_cc_consult_ops").toHaveCount(0);
    await click(".o_cc_transfer_target");
    await edit("8002");
    await click(".o_cc_consult");
    await waitFor(".o_cc_consult_ops");
    await click(".o_cc_consult_complete");
    await waitForNone(".o_cc_consult_ops");
    await click(".o_cc_conference");
    await animationFrame();
    expect(calls).toEqual([
        ["cc.call", "cc_desk_transfer", [[101], "8002", true]],
        ["cc.call", "cc_desk_consult", [[101], "complete"]],
        ["cc.call", "cc_desk_conference", [[101], "8002"]],
    ]);
});

test("the PBX's queue membership changes move the queue switches", async () => {
    mockDeskBackend();
    const desk = await startDesk();
    const [sales] = desk.state.queues;
    const wasLoggedIn = sales.logged_in;
    busSend("queue_member", {
        queue_id: sales.id,
        logged_in: !wasLoggedIn,
        paused: true,
    });
    await waitUntil(() => desk.state.queues[0].paused);
    expect(desk.state.queues[0].logged_in).toBe(!wasLoggedIn);
});

test("agent_state shows the pause reason by its name", async () => {
    mockDeskBackend();
    const desk = await startDesk();
    busSend("agent_state", {
        agent_id: 1,
        extension: "8001",
        state: "paused",
        since: "2026-01-01 09:00:00",
        reason: "lunch",
        reason_label: "Lunch",
    });
    await waitFor(".o_cc_agent_badge[data-state='paused']");
    expect(desk.state.agent.reason).toBe("Lunch");
});

test("a page loaded during a held call shows it held", async () => {
    const agent = {...deskState().agent, state: "on_call"};
    const call = {...ringingPayload(), state: "held"};
    mockDeskBackend({state: deskState({agent, current_call: call})});
    const desk = await startDesk();
    expect(desk.state.currentCall.state).toBe("held");
});
