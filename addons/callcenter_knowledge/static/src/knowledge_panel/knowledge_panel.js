import {Component, markup, onWillStart, useState} from "@odoo/owl";
import {rpc} from "@web/core/network/rpc";
import {registry} from "@web/core/registry";
import {useDebounced} from "@web/core/utils/timing";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";

/**
 * The knowledge base beside the call: type while the customer talks, read the answer, say if it helped.
 * Search results come from /callcenter/knowledge/search (ranked, HTML-escaped snippets with <mark>).
 */
export class KnowledgePanel extends Component {
    static template = "callcenter_knowledge.KnowledgePanel";
    // In a form (the call desk) it gets the record; beside the call (the call bar) it stands alone.
    static props = {...standardWidgetProps, record: {type: Object, optional: true}};

    setup() {
        this.state = useState({
            query: "",
            results: [],
            article: null,
            verdict: null,
            searching: false,
        });
        this.search = useDebounced(this.search, 200);
        onWillStart(() => this.loadTop());
    }

    async loadTop() {
        const top = await rpc("/callcenter/knowledge/top", {limit: 5});
        this.state.results = top;
    }

    onInput(ev) {
        this.state.query = ev.target.value;
        this.search();
    }

    async search() {
        const query = this.state.query.trim();
        if (!query) {
            return this.loadTop();
        }
        this.state.searching = true;
        try {
            this.state.results = await rpc("/callcenter/knowledge/search", {
                query,
                limit: 8,
            });
        } finally {
            this.state.searching = false;
        }
    }

    html(text) {
        // The server escapes the article text and adds only <mark> around the matched words.
        return markup(text || "");
    }

    async open(articleId) {
        const article = await rpc("/callcenter/knowledge/open", {
            article_id: articleId,
        });
        this.state.article = {...article, body: markup(article.body || "")};
        this.state.verdict = null;
    }

    back() {
        this.state.article = null;
    }

    async feedback(helpful) {
        await rpc("/callcenter/knowledge/feedback", {
            article_id: this.state.article.id,
            helpful,
        });
        this.state.verdict = helpful ? "helpful" : "unhelpful";
    }
}

registry
    .category("view_widgets")
    .add("cc_knowledge_panel", {component: KnowledgePanel});
