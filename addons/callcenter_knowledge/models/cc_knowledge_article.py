import logging

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, create_index, html2plaintext

from ..lib import textsearch

_logger = logging.getLogger(__name__)

REVIEWER_GROUP = "callcenter_knowledge.group_cc_knowledge_reviewer"
# candidates ranked per search: title matches, and other matches (see _cc_ranked)
POOL_TITLE = 300
POOL_BODY = 700
# a change of any of these makes a new version
VERSIONED_FIELDS = ("name", "body", "keyword")


class CcKnowledgeArticle(models.Model):
    _name = "cc.knowledge.article"
    _description = "Knowledge Article"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name, id"

    name = fields.Char(string="Title", required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    category_id = fields.Many2one("cc.knowledge.category", index=True, tracking=True)
    tag_ids = fields.Many2many("cc.knowledge.tag", string="Tags")
    keyword = fields.Char(
        string="Topics",
        help="Comma-separated topics or service-record categories this article answers; "
        "the CRM suggests the article when a record mentions one of them.",
    )
    body = fields.Html(sanitize=True)
    body_text = fields.Text(string="Plain Text", compute="_compute_body_text", store=True)
    search_text = fields.Text(compute="_compute_search_text", store=True, prefetch=False)
    search_tokens = fields.Text(compute="_compute_search_text", store=True, prefetch=False)
    title_tokens = fields.Text(compute="_compute_search_text", store=True, prefetch=False)
    state = fields.Selection(
        [("draft", "Draft"), ("review", "In Review"), ("published", "Published")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    author_id = fields.Many2one("res.users", default=lambda self: self.env.user)
    reviewer_id = fields.Many2one("res.users", readonly=True, copy=False)
    published_date = fields.Datetime(readonly=True, copy=False)
    attachment_ids = fields.Many2many("ir.attachment", string="Attachments")
    version_ids = fields.One2many("cc.knowledge.version", "article_id", string="Versions", copy=False)
    version_count = fields.Integer(compute="_compute_version_count")
    feedback_ids = fields.One2many("cc.knowledge.feedback", "article_id", copy=False)
    view_count = fields.Integer(string="Views", default=0, readonly=True, copy=False)
    helpful_count = fields.Integer(string="Helpful", default=0, readonly=True, copy=False)
    unhelpful_count = fields.Integer(string="Not Helpful", default=0, readonly=True, copy=False)

    _views_idx = models.Index("(view_count DESC)")

    @api.depends("body")
    def _compute_body_text(self):
        for article in self:
            article.body_text = html2plaintext(article.body or "", include_references=False)

    @api.depends("name", "keyword", "body_text")
    def _compute_search_text(self):
        for article in self:
            text = "\n".join(filter(None, [article.name, article.keyword, article.body_text]))
            article.search_text = text
            article.search_tokens = textsearch.document_tokens(text)
            article.title_tokens = textsearch.document_tokens(f"{article.name or ''} {article.keyword or ''}")

    def _compute_version_count(self):
        counts = dict(
            self.env["cc.knowledge.version"]._read_group(
                [("article_id", "in", self.ids)], ["article_id"], ["__count"]
            )
        )
        for article in self:
            article.version_count = counts.get(article, 0)

    def init(self):
        result = super().init()
        self._cc_create_token_indexes()
        self._cc_create_trigram_indexes()
        return result

    def _cc_create_token_indexes(self):
        """GIN indexes on the token arrays, through a function the planner knows to be costly.

        With string_to_array() itself, PostgreSQL believes a sequential scan that splits every row's tokens
        is cheap, and prefers it to the index for frequent words (up to ten times slower); a high COST makes
        it use the index, where the match is exact and the function is never run at search time. PARALLEL
        UNSAFE keeps it from starting workers for a search that reads a few hundred rows; and the state is
        not indexed, or it would AND that index in (both slower here).
        """
        cr = self.env.cr
        cr.execute(
            """CREATE OR REPLACE FUNCTION cc_knowledge_tokens(text) RETURNS text[]
               LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL UNSAFE COST 5000
               AS $$ BEGIN RETURN string_to_array($1, ' '); END $$"""
        )
        for column in ("search_tokens", "title_tokens"):
            create_index(
                cr,
                f"{self._table}_{column}_gin_idx",
                self._table,
                [f'cc_knowledge_tokens("{column}")'],
                "gin",
            )

    def _cc_create_trigram_indexes(self):
        """pg_trgm makes substring search on titles and bodies fast (Odoo only has it when installed)."""
        cr = self.env.cr
        try:
            with cr.savepoint(flush=False):
                cr.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except psycopg2.Error:
            _logger.warning("pg_trgm is not available: knowledge search falls back to sequential scans")
            return
        for column in ("name", "search_text"):
            create_index(
                cr, f"{self._table}_{column}_trgm_idx", self._table, [f'"{column}" gin_trgm_ops'], "gin"
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("state") == "published":
                self._cc_check_reviewer()
        articles = super().create(vals_list)
        articles._cc_snapshot(self.env._("Created"))
        return articles

    def write(self, vals):
        if vals.get("state") == "published":
            self._cc_check_reviewer()
        content_changed = any(name in vals for name in VERSIONED_FIELDS)
        if content_changed and "state" not in vals and not self._cc_is_reviewer():
            # an editor's change of a published text is not published until a reviewer approves it
            reopened = self.filtered(lambda a: a.state == "published")
            if reopened:
                super(CcKnowledgeArticle, reopened).write({"state": "review"})
        result = super().write(vals)
        if content_changed:
            self._cc_snapshot(self.env._("Edited"))
        return result

    def action_submit_review(self):
        for article in self.filtered(lambda a: a.state == "draft"):
            article.state = "review"
            article.message_post(body=self.env._("Submitted for review."))
        return True

    def action_publish(self):
        self._cc_check_reviewer()
        articles = self.filtered(lambda a: a.state != "published")
        articles.write(
            {"state": "published", "reviewer_id": self.env.uid, "published_date": fields.Datetime.now()}
        )
        articles._cc_snapshot(self.env._("Published"))
        for article in articles:
            article.message_post(body=self.env._("Published."))
        return True

    def action_send_back(self):
        self._cc_check_reviewer()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Back"),
            "res_model": "cc.knowledge.send.back",
            "view_mode": "form",
            "target": "new",
            "context": {"default_article_ids": self.ids},
        }

    def action_view_versions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callcenter_knowledge.cc_knowledge_version_action"
        )
        action["domain"] = [("article_id", "=", self.id)]
        return action

    def cc_send_back(self, comment):
        """Back to draft with the reviewer's comment on the chatter (the author is notified)."""
        self._cc_check_reviewer()
        if not (comment or "").strip():
            raise UserError(self.env._("Say what has to change before sending the article back."))
        for article in self:
            article.write({"state": "draft", "reviewer_id": self.env.uid})
            partners = article.author_id.partner_id.ids
            article.message_post(
                body=self.env._("Sent back for changes: %(comment)s", comment=comment),
                partner_ids=partners,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def _cc_is_reviewer(self):
        return self.env.su or self.env.user.has_group(REVIEWER_GROUP)

    def _cc_check_reviewer(self):
        if not self._cc_is_reviewer():
            raise AccessError(self.env._("Only knowledge reviewers can publish or send back articles."))

    def _cc_snapshot(self, note):
        """A version: the content as it is now, who changed it and when (create_date)."""
        last = dict(
            self.env["cc.knowledge.version"]._read_group(
                [("article_id", "in", self.ids)], ["article_id"], ["number:max"]
            )
        )
        self.env["cc.knowledge.version"].create(
            [
                {
                    "article_id": article.id,
                    "number": last.get(article, 0) + 1,
                    "name": article.name,
                    "body": article.body,
                    "keyword": article.keyword,
                    "state": article.state,
                    "note": note,
                }
                for article in self
            ]
        )

    # ------------------------------------------------------------------
    # Search (call desk)
    # ------------------------------------------------------------------

    @api.model
    def cc_search(self, query, limit=10, category_id=None, domain=None):
        """Published articles matching every term of ``query``, best first, with highlighted snippets.

        Runs with the caller's access rights (record rules included); ``domain`` narrows it further.
        Returns a list of dicts.
        """
        found = textsearch.terms(query)
        if not found:
            return []
        limit = max(1, min(int(limit or 10), 50))
        domain = [("state", "=", "published"), *(domain or [])]
        if category_id:
            domain.append(("category_id", "child_of", int(category_id)))
        rows = self._cc_ranked(found, query, domain, limit)
        articles = self.browse([row[0] for row in rows])
        return [
            {
                "id": article.id,
                "name": article.name,
                "name_html": textsearch.highlight(article.name, found),
                "snippet": textsearch.snippet(article.body_text, found),
                "category": article.category_id.complete_name or "",
                "tags": article.tag_ids.mapped("name"),
                "score": round(score, 4),
                "view_count": article.view_count,
                "helpful_count": article.helpful_count,
                "unhelpful_count": article.unhelpful_count,
            }
            for article, (_id, score) in zip(articles, rows, strict=True)
        ]

    def _cc_ranked(self, found, query, domain, limit):
        """(id, score) of the best matches.

        Every term's tokens must be in the article (exact GIN lookups, no heap recheck). The work is bounded
        whatever the term's frequency: the candidates are at most POOL_TITLE title matches and POOL_BODY
        other matches, ranked together (reading every match of a word found in most articles would not
        fit in the call desk's time budget).
        """
        self.flush_model()  # the SQL below reads stored computed columns the ORM does not know it needs
        tokens = sorted({token for kind, term in found for token in self._cc_term_tokens(kind, term)})
        pools = []
        for column, size in (("title_tokens", POOL_TITLE), ("search_tokens", POOL_BODY)):
            pool = self._search(domain)
            pool.add_where(
                SQL("cc_knowledge_tokens(%s) @> %s::text[]", SQL.identifier(pool.table, column), tokens)
            )
            pool.limit = size
            pools.append(SQL("(%s)", pool.select()))
        sql = SQL(
            """WITH pool AS (%s UNION %s)
               SELECT a.id, %s AS score FROM %s a WHERE a.id IN (SELECT id FROM pool)
               ORDER BY score DESC, a.id DESC LIMIT %s""",
            pools[0],
            pools[1],
            self._cc_score_sql(tokens, query),
            SQL.identifier(self._table),
            limit,
        )
        return self.env.execute_query(sql)

    @staticmethod
    def _cc_term_tokens(kind, term):
        return textsearch.cjk_grams(term) if kind == "cjk" else [term]

    def _cc_score_sql(self, tokens, query):
        """Title (and topic) matches first, then title similarity (pg_trgm), then views and helpfulness."""
        title = SQL(
            "(CASE WHEN string_to_array(a.title_tokens, ' ') @> %s::text[] THEN 3 ELSE 0 END)", tokens
        )
        similarity = SQL("word_similarity(%s, a.name)", query) if self.env.registry.has_trigram else SQL("0")
        return SQL(
            "(%s + %s + 0.05 * ln(1 + COALESCE(a.view_count, 0))"
            " + 0.2 * COALESCE(a.helpful_count, 0)::float"
            " / (COALESCE(a.helpful_count, 0) + COALESCE(a.unhelpful_count, 0) + 1))::float",
            title,
            similarity,
        )

    @api.model
    def _cc_suggest(self, text, limit=5, domain=None):
        """Published articles for a service record's text: topic matches first, then a full-text search.

        The hook of the CRM: it passes the record's category name and description, and may narrow the
        articles with ``domain`` (e.g. on a Many2many to its service-record categories added by the CRM).
        """
        limit = max(1, int(limit or 5))
        topic_ids = self._cc_topic_matches(text, limit, domain or [])
        rest = limit - len(topic_ids)
        found_ids = [r["id"] for r in self.cc_search(text, limit=limit, domain=domain)] if rest > 0 else []
        ids = list(dict.fromkeys(topic_ids + found_ids))[:limit]
        return self.browse(ids)

    def _cc_topic_matches(self, text, limit, domain):
        if not (text or "").strip():
            return []
        self.flush_model(["keyword", "state", "view_count"])
        query_obj = self._search([("state", "=", "published"), ("keyword", "!=", False), *domain])
        table = SQL.identifier(query_obj.table)
        # the longest topic found in the text: the most specific match
        best = SQL(
            "(SELECT max(length(btrim(topic))) FROM unnest(string_to_array(lower(%s.keyword), ',')) AS topic"
            " WHERE btrim(topic) <> '' AND strpos(%s, btrim(topic)) > 0)",
            table,
            text.lower(),
        )
        query_obj.add_where(SQL("%s IS NOT NULL", best))
        query_obj.order = SQL("%s DESC, COALESCE(%s.view_count, 0) DESC, %s.id", best, table, table)
        query_obj.limit = limit
        return [row[0] for row in self.env.execute_query(query_obj.select(SQL("%s.id", table)))]

    def cc_open(self):
        """The article for the call desk; counts a view (without touching write_date or versions)."""
        self.ensure_one()
        self.check_access("read")
        # plain SQL: agents may not write articles, and a view is no edit (no write_date, no new version)
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET view_count = COALESCE(view_count, 0) + 1 WHERE id = %s",
                SQL.identifier(self._table),
                self.id,
            )
        )
        self.invalidate_recordset(["view_count"])
        return {
            "id": self.id,
            "name": self.name,
            "body": self.body,
            "category": self.category_id.complete_name or "",
            "view_count": self.view_count,
        }

    def cc_feedback(self, helpful, comment=None):
        """The current user's verdict on the article (one per user; a new one replaces the old)."""
        self.ensure_one()
        self.check_access("read")
        feedback = self.env["cc.knowledge.feedback"]
        mine = feedback.search([("article_id", "=", self.id), ("user_id", "=", self.env.uid)], limit=1)
        vals = {"helpful": bool(helpful), "comment": comment or False}
        if mine:
            mine.write(vals)
        else:
            mine = feedback.create(dict(vals, article_id=self.id))
        self._cc_count_feedback()
        return {"helpful_count": self.helpful_count, "unhelpful_count": self.unhelpful_count}

    def _cc_count_feedback(self):
        self.env["cc.knowledge.feedback"].flush_model()
        # counters kept on the article so that lists sort by them; plain SQL as agents cannot write articles
        self.env.cr.execute(
            SQL(
                """UPDATE %s a SET
                    helpful_count = (SELECT count(*) FROM cc_knowledge_feedback f
                                      WHERE f.article_id = a.id AND f.helpful),
                    unhelpful_count = (SELECT count(*) FROM cc_knowledge_feedback f
                                        WHERE f.article_id = a.id AND NOT f.helpful)
                WHERE a.id IN %s""",
                SQL.identifier(self._table),
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["helpful_count", "unhelpful_count"])
