import {useState} from "@odoo/owl";
import {patch} from "@web/core/utils/patch";
import {CallBar} from "@callcenter_cti/desk/screen_pop";
import {KnowledgePanel} from "./knowledge_panel";

// The knowledge base beside the call: a toggle in the agent's call bar, open while the customer talks.
CallBar.components = {...CallBar.components, KnowledgePanel};

patch(CallBar.prototype, {
    setup() {
        super.setup(...arguments);
        this.knowledge = useState({open: false});
    },

    toggleKnowledge() {
        this.knowledge.open = !this.knowledge.open;
    },
});
