import {start} from "@mail/../tests/mail_test_helpers";
import {describe, expect, test} from "@odoo/hoot";
import {click, waitFor} from "@odoo/hoot-dom";
import {onRpc} from "@web/../tests/web_test_helpers";
import {
    defineDeskModels,
    deskState,
    mockDeskBackend,
    ringingPayload,
} from "@callcenter_cti/../tests/desk/desk_test_helpers";

describe.current.tags("desktop");
defineDeskModels();

test("the agent opens the knowledge base from the call bar while talking", async () => {
    const agent = {...deskState().agent, state: "on_call"};
    mockDeskBackend({state: deskState({agent, current_call: ringingPayload()})});
    onRpc("/callcenter/knowledge/top", () => [
        {id: 7, name: "Refund of a double charge"},
    ]);
    await start();
    await waitFor(".o_cc_call_bar");
    expect(".o_cc_knowledge_panel").toHaveCount(0);
    await click(".o_cc_kb_toggle");
    await waitFor(".o_cc_call_bar .o_cc_kb_result");
    expect(".o_cc_call_bar .o_cc_kb_result a").toHaveText("Refund of a double charge");
    await click(".o_cc_kb_toggle");
    await waitFor(".o_cc_call_bar:not(:has(.o_cc_knowledge_panel))");
});
