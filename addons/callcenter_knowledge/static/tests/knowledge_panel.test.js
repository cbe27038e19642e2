import {describe, expect, test} from "@odoo/hoot";
import {advanceTime, animationFrame} from "@odoo/hoot-mock";
import {defineMailModels} from "@mail/../tests/mail_test_helpers";
import {
    contains,
    defineModels,
    fields,
    models,
    mountView,
    onRpc,
} from "@web/../tests/web_test_helpers";

class CallDesk extends models.Model {
    _name = "cc.call";
    linkedid = fields.Char();
    _records = [{id: 1, linkedid: "1795316432.0"}];
}

// The agent desk's service (callcenter_cti) asks for the user's agent when the web client starts.
class Agent extends models.Model {
    _name = "cc.agent";
    cc_desk_state() {
        return {agent: false, is_supervisor: false};
    }
}

defineMailModels();
defineModels([CallDesk, Agent]);

const ARTICLE = {
    id: 7,
    name: "Refund of a double charge",
    body: "<p>Check the <b>bank statement</b> first.</p>",
    category: "Billing / Refunds",
    view_count: 3,
};

function mockKnowledgeBase() {
    onRpc("/callcenter/knowledge/top", () => [
        {id: 7, name: ARTICLE.name, view_count: 3},
    ]);
    onRpc("/callcenter/knowledge/search", async (request) => {
        const {params} = await request.json();
        expect.step(`search ${params.query}`);
        return params.query === "refund"
            ? [{ id: 7, name: ARTICLE.name, name_html: "<mark>Refund</mark> of a double charge",
                 snippet: "… a <mark>refund</mark> takes 3 days …" }] // prettier-ignore
            : [];
    });
    onRpc("/callcenter/knowledge/open", () => ARTICLE);
    onRpc("/callcenter/knowledge/feedback", async (request) => {
        const {params} = await request.json();
        expect.step(`feedback ${params.article_id} ${params.helpful}`);
        return {helpful_count: 1, unhelpful_count: 0};
    });
}

async function mountDesk() {
    await mountView({
        type: "form",
        resModel: "cc.call",
        resId: 1,
        arch: `<form><field name="linkedid"/><widget name="cc_knowledge_panel"/></form>`,
    });
}

describe.current.tags("desktop");

test("shows the most read articles before anything is typed", async () => {
    mockKnowledgeBase();
    await mountDesk();
    expect(".o_cc_kb_result").toHaveCount(1);
    expect(".o_cc_kb_result a").toHaveText(ARTICLE.name);
});

test("searches as the agent types and highlights the matches", async () => {
    mockKnowledgeBase();
    await mountDesk();
    await contains(".o_cc_kb_query").edit("refund", {confirm: false});
    await advanceTime(250);
    await animationFrame();
    expect.verifySteps(["search refund"]);
    expect(".o_cc_kb_result mark").toHaveCount(2);
    await contains(".o_cc_kb_query").edit("nothing like it", {confirm: false});
    await advanceTime(250);
    await animationFrame();
    expect.verifySteps(["search nothing like it"]);
    expect(".o_cc_kb_empty").toHaveCount(1);
});

test("opens an article and records the agent's verdict", async () => {
    mockKnowledgeBase();
    await mountDesk();
    await contains(".o_cc_kb_result a").click();
    expect(".o_cc_kb_title").toHaveText(ARTICLE.name);
    expect(".o_cc_kb_body b").toHaveText("bank statement");
    await contains(".o_cc_kb_helpful").click();
    expect.verifySteps(["feedback 7 true"]);
    expect(".o_cc_kb_thanks").toHaveCount(1);
    await contains(".o_cc_kb_back").click();
    expect(".o_cc_kb_query").toHaveCount(1);
});
