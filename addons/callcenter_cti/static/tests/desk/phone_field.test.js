import {openFormView, start, startServer} from "@mail/../tests/mail_test_helpers";
import {describe, expect, test} from "@odoo/hoot";
import {click, waitFor} from "@odoo/hoot-dom";
import {animationFrame} from "@odoo/hoot-mock";
import {getService} from "@web/../tests/web_test_helpers";
import {defineDeskModels, deskState, mockDeskBackend} from "./desk_test_helpers";

describe.current.tags("desktop");
defineDeskModels();

/** A partner's form; read-only: the phone is a link (no input). */
async function openPartner(readonly) {
    const pyEnv = await startServer();
    const partnerId = pyEnv["res.partner"].create({
        name: "Alice",
        phone: "+1 555 123 0001",
    });
    await start();
    const edit = readonly ? ` edit="0"` : "";
    const arch = `<form${edit}><sheet><field name="name"/><field name="phone" widget="phone"/></sheet></form>`;
    await openFormView("res.partner", partnerId, {arch});
    await waitFor(".o_field_phone");
    return partnerId;
}

test("an agent gets a Call button that dials through the PBX (read-only form)", async () => {
    const calls = mockDeskBackend();
    const partnerId = await openPartner(true);
    await waitFor(".o_field_phone .o_cc_dial");
    expect(".o_field_phone .o_cc_dial").toHaveCount(1);
    await click(".o_field_phone .o_cc_dial");
    await animationFrame();
    expect(calls).toEqual([
        ["cc.agent", "cc_desk_dial", ["+1 555 123 0001", "res.partner", partnerId]],
    ]);
});

test("in an editable form the Call button replaces the tel: link", async () => {
    mockDeskBackend();
    await openPartner(false);
    await waitFor(".o_field_phone .o_cc_dial");
    expect(".o_field_phone .o_cc_dial").toHaveCount(1);
    expect(".o_field_phone .o_phone_form_link").toHaveCount(0);
});

test("no Call button for a user without an agent", async () => {
    mockDeskBackend({state: deskState({agent: false})});
    await openPartner(true);
    await animationFrame();
    expect(getService("callcenter_desk").state.agent).toBe(false);
    expect(".o_field_phone a").toHaveCount(1);
    expect(".o_field_phone .o_cc_dial").toHaveCount(0);
});
