import {start} from "@mail/../tests/mail_test_helpers";
import {describe, expect, test} from "@odoo/hoot";
import {click, edit, waitFor} from "@odoo/hoot-dom";
import {advanceTime, animationFrame, mockDate} from "@odoo/hoot-mock";
import {formatElapsed} from "@callcenter_cti/desk/agent_systray";
import {defineDeskModels, deskState, mockDeskBackend} from "./desk_test_helpers";

describe.current.tags("desktop");
defineDeskModels();

async function openMenu() {
    await start();
    await waitFor(".o_cc_agent_systray");
    await click(".o_cc_agent_systray_toggle");
    await waitFor(".o_cc_agent_systray_menu");
}

test("formatElapsed", () => {
    expect(formatElapsed(0)).toBe("0:00");
    expect(formatElapsed(65)).toBe("1:05");
    expect(formatElapsed(3725)).toBe("1:02:05");
});

for (const [state, label] of [
    ["ready", "Ready"],
    ["paused", "Paused (Lunch)"],
    ["ringing", "Ringing"],
    ["on_call", "On call"],
    ["logged_out", "Logged out"],
]) {
    test(`badge of state ${state}`, async () => {
        const reason = state === "paused" ? "Lunch" : "";
        mockDeskBackend({
            state: deskState({agent: {...deskState().agent, state, reason}}),
        });
        await start();
        await waitFor(".o_cc_agent_badge");
        expect(".o_cc_agent_badge").toHaveClass(`o_cc_state_${state}`);
        expect(".o_cc_agent_badge").toHaveAttribute("data-state", state);
        expect(".o_cc_agent_badge").toHaveText(
            new RegExp(`^${label.replace(/[()]/g, "\\$&")}`)
        );
    });
}

test("the timer runs from state_since", async () => {
    mockDate("2026-01-01 08:01:05", 0); // UTC, as state_since
    mockDeskBackend();
    await start();
    await waitFor(".o_cc_elapsed");
    expect(".o_cc_elapsed").toHaveText("1:05");
    await advanceTime(2000);
    await animationFrame();
    expect(".o_cc_elapsed").toHaveText("1:07");
});

test("the menu lists queues, calls today and pause reasons", async () => {
    const calls = mockDeskBackend();
    await openMenu();
    expect(".o_cc_calls_today").toHaveText("4");
    expect(".o_cc_queue").toHaveCount(2);
    expect(".o_cc_queue[data-queue-id='11'] input").toBeChecked();
    expect(".o_cc_queue[data-queue-id='12'] input").not.toBeChecked();
    expect(".o_cc_pause_reason").toHaveCount(0);
    await click(".o_cc_pause");
    await animationFrame();
    expect(".o_cc_pause_reason").toHaveCount(2);
    expect(".o_cc_pause_reason:eq(0)").toHaveText("Lunch");
    await click(".o_cc_pause_reason:eq(1)");
    await animationFrame();
    expect(calls).toEqual([["cc.agent", "cc_desk_pause", [22]]]);
});

test("queue toggles, log in to all, log out, ready", async () => {
    const calls = mockDeskBackend();
    await openMenu();
    await click(".o_cc_queue[data-queue-id='12'] input");
    await animationFrame();
    await click(".o_cc_login_all");
    await animationFrame();
    await click(".o_cc_logout");
    await animationFrame();
    await click(".o_cc_ready");
    await animationFrame();
    expect(calls).toEqual([
        ["cc.agent", "cc_desk_login", [[12]]],
        ["cc.agent", "cc_desk_login", [false]],
        ["cc.agent", "cc_desk_logout", [false]],
        ["cc.agent", "cc_desk_ready", []],
    ]);
});

test("leaving one queue of several leaves only that one", async () => {
    const queues = [
        {id: 11, name: "Sales", logged_in: true, paused: false},
        {id: 12, name: "Support", logged_in: true, paused: false},
    ];
    const calls = mockDeskBackend({state: deskState({queues})});
    await openMenu();
    await click(".o_cc_queue[data-queue-id='11'] input");
    await animationFrame();
    expect(calls).toEqual([["cc.agent", "cc_desk_logout", [[11]]]]);
});

test("the dial pad dials the typed number", async () => {
    const calls = mockDeskBackend();
    await openMenu();
    expect(".o_cc_dial_call").toHaveAttribute("disabled");
    await click(".o_cc_dial_number");
    await edit("0049");
    await click(".o_cc_dial_key[data-key='1']");
    await click(".o_cc_dial_key[data-key='#']");
    await animationFrame();
    expect(".o_cc_dial_number").toHaveValue("00491#");
    await click(".o_cc_dial_call");
    await animationFrame();
    expect(calls).toEqual([["cc.agent", "cc_desk_dial", ["00491#", false, false]]]);
    expect(".o_cc_dial_number").toHaveValue("");
});

test("an unreachable PBX is shown", async () => {
    mockDeskBackend({
        state: deskState({agent: {...deskState().agent, server_reachable: false}}),
    });
    await openMenu();
    expect(".o_cc_pbx_unreachable").toHaveCount(1);
});

test("the badge is coloured by state (not the navbar's brand colour)", async () => {
    mockDeskBackend({
        state: deskState({agent: {...deskState().agent, state: "ringing"}}),
    });
    await start();
    await waitFor(".o_cc_agent_badge");
    expect(".o_cc_agent_badge").toHaveStyle({backgroundColor: "rgb(13, 110, 253)"});
});
