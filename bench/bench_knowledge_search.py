"""Knowledge search latency at the call desk: ``cc.knowledge.article.cc_search`` over 100,000 articles.

Articles mix Chinese and English (titles and bodies drawn from a Zipf-weighted vocabulary of real call-center
words and generated ones) and are bulk-loaded with COPY into a database with callcenter_knowledge installed.
Queries are what agents type: one or two Chinese words, English words and prefixes, mixed, and fragments of
titles. Each is run as an agent (record rules apply) through the same method as the jsonrpc route.

Usage: python bench/bench_knowledge_search.py [--db kb_bench] [--articles 100000] [--queries 400]
The database is created (callcenter_knowledge, no demo data) when missing and topped up to --articles.
Prints p50/p95/p99 latencies; no asserts.
"""

import argparse
import io
import random
import statistics
import time

from benchlib import addons_path, ensure_database

BENCH_ROOT_CATEGORY = "Bench (generated)"
AGENT_LOGIN = "kb_bench_agent"

ZH_WORDS = (
    "退货 退款 换货 发票 物流 快递 签收 订单 支付 优惠券 积分 会员 保修 维修 安装 账户 密码 地址 电话 投诉 "
    "催单 缺货 预售 价格 保价 赠品 运费 包装 破损 质量 售后 客服 短信 验证码 银行卡 分期 余额 提现 充值 "
    "开票 抬头 税号 合同 延保 上门 预约 取消 修改 查询 审核 处理 时效 赔偿 补发 拒收 自提 门店 配送 工单"
).split()
EN_WORDS = (
    "refund return exchange invoice shipping delivery order payment coupon points member warranty repair "
    "install account password address phone complaint backorder preorder price gift freight package damaged "
    "quality support message code card instalment balance withdraw topup contract visit appointment cancel "
    "change status review process deadline compensation resend reject pickup store courier ticket"
).split()
ZH_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下"
    "过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都"
    "两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重"
    "新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想"
    "已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知"
    "较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"
)
EN_SYLLABLES = "ka to ri mo na lu be sa fe di po gu ve ly cor pan tel mis ran gen ber lot".split()


def vocabulary(rng):
    """Real words first (the most frequent), then generated ones: a long tail as in a real knowledge base."""
    zh = list(ZH_WORDS) + ["".join(rng.sample(ZH_CHARS, rng.choice((2, 2, 3)))) for _i in range(3000)]
    en = list(EN_WORDS) + [
        "".join(rng.choice(EN_SYLLABLES) for _j in range(rng.choice((2, 3, 3, 4)))) for _i in range(3000)
    ]
    return zh, en


def zipf_weights(size):
    return [1.0 / (rank + 10) for rank in range(size)]


class Generator:
    def __init__(self, rng):
        self.rng = rng
        self.zh, self.en = vocabulary(rng)
        self.zh_weights = zipf_weights(len(self.zh))
        self.en_weights = zipf_weights(len(self.en))

    def words(self, language, count):
        if language == "zh":
            return self.rng.choices(self.zh, self.zh_weights, k=count)
        return self.rng.choices(self.en, self.en_weights, k=count)

    def sentence(self, language):
        words = self.words(language, self.rng.randint(6, 14))
        if language == "zh":
            return "".join(words) + "。"
        return " ".join(words).capitalize() + "."

    def article(self):
        language = self.rng.choices(("zh", "en", "mixed"), (5, 3, 2))[0]
        title_language = "en" if language == "en" else "zh"
        title_words = self.words(title_language, self.rng.randint(3, 6))
        title = ("" if title_language == "zh" else " ").join(title_words)
        paragraphs = []
        for _i in range(self.rng.randint(2, 5)):
            sentence_language = self.rng.choice(("zh", "en")) if language == "mixed" else language
            paragraphs.append(
                " ".join(self.sentence(sentence_language) for _j in range(self.rng.randint(2, 4)))
            )
        return title, paragraphs

    def queries(self, count, titles):
        kinds = (
            lambda: self.words("zh", 1)[0],
            lambda: " ".join(self.words("zh", 2)),
            lambda: self.words("en", 1)[0],
            lambda: " ".join(self.words("en", 2)),
            lambda: self.words("en", 1)[0][:4],
            lambda: f"{self.words('en', 1)[0]} {self.words('zh', 1)[0]}",
            lambda: self.rng.choice(titles)[:4],
        )
        return [self.rng.choice(kinds)() for _i in range(count)]


def bench_categories(env):
    Category = env["cc.knowledge.category"]
    root = Category.search([("name", "=", BENCH_ROOT_CATEGORY), ("parent_id", "=", False)], limit=1)
    if not root:
        root = Category.create({"name": BENCH_ROOT_CATEGORY})
        Category.create([{"name": f"Bench {i:02d}", "parent_id": root.id} for i in range(40)])
    return root, root.child_ids


def copy_articles(env, generator, categories, count, textsearch):
    """COPY ``count`` generated articles (stored computed columns filled here, as the ORM would)."""
    from markupsafe import escape  # noqa: PLC0415

    columns = (
        "name body body_text search_text search_tokens title_tokens state category_id view_count "
        "helpful_count unhelpful_count sequence active author_id create_uid write_uid create_date write_date"
    ).split()
    buffer = io.StringIO()
    rng = generator.rng
    for _i in range(count):
        title, paragraphs = generator.article()
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        body_text = "\n\n".join(paragraphs)
        search_text = f"{title}\n{body_text}"
        state = "published" if rng.random() < 0.9 else "draft"
        row = (
            title,
            body,
            body_text,
            search_text,
            textsearch.document_tokens(search_text),
            textsearch.document_tokens(title),
            state,
            rng.choice(categories).id,
            int(rng.paretovariate(1.2)) - 1,
            rng.randint(0, 20),
            rng.randint(0, 5),
            10,
            "t",
            1,
            1,
            1,
            "now",
            "now",
        )
        buffer.write("\t".join(copy_escape(value) for value in row) + "\n")
    buffer.seek(0)
    env.cr.copy_from(buffer, "cc_knowledge_article", columns=columns)


def copy_escape(value):
    """A value in COPY's text format."""
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def fill(registry, target, seed):
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    from odoo.addons.callcenter_knowledge.lib import textsearch  # noqa: PLC0415

    generator = Generator(random.Random(seed))
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        root, categories = bench_categories(env)
        cr.execute("SELECT count(*) FROM cc_knowledge_article WHERE category_id = ANY(%s)", [categories.ids])
        missing = target - cr.fetchone()[0]
        started = time.perf_counter()
        while missing > 0:
            batch = min(missing, 10000)
            copy_articles(env, generator, categories, batch, textsearch)
            missing -= batch
            print(f"  loaded {target - missing} articles ({time.perf_counter() - started:.0f} s)", flush=True)
        cr.execute("SELECT title FROM (SELECT name AS title FROM cc_knowledge_article LIMIT 5000) t")
        titles = [row[0] for row in cr.fetchall()]
    vacuum(registry.db_name)
    return generator, titles


def vacuum(db):
    """Merge the GIN indexes' pending lists (a bulk load leaves them long) and refresh the statistics."""
    import psycopg2  # noqa: PLC0415

    conn = psycopg2.connect(dbname=db)
    try:
        conn.autocommit = True  # VACUUM cannot run in a transaction
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE cc_knowledge_article")
    finally:
        conn.close()


def agent_uid(registry):
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        user = env["res.users"].search([("login", "=", AGENT_LOGIN)], limit=1)
        if not user:
            user = env["res.users"].create(
                {
                    "name": "Bench Agent",
                    "login": AGENT_LOGIN,
                    "group_ids": [(6, 0, [env.ref("callcenter_cti.group_cc_agent").id])],
                }
            )
        return user.id


def run_queries(registry, uid, queries):
    from odoo import api  # noqa: PLC0415

    timings, hits = [], []
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        Article = env["cc.knowledge.article"]
        for query in queries[:20]:  # warm the caches and the connection
            Article.cc_search(query, limit=10)
        for query in queries:
            env.invalidate_all()
            started = time.perf_counter()
            results = Article.cc_search(query, limit=10)
            timings.append((time.perf_counter() - started) * 1000)
            hits.append(len(results))
        cr.rollback()
    return timings, hits


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="kb_bench")
    parser.add_argument("--articles", type=int, default=100000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--addons-path", default=None, help="default: this repository's addons and Odoo's")
    args = parser.parse_args()
    path = args.addons_path or addons_path()
    ensure_database(args.db, path, "callcenter_knowledge")

    from odoo.tools import config  # noqa: PLC0415

    config.parse_config([f"--addons-path={path}", "--log-level", "warn"], setup_logging=True)
    from odoo.modules.registry import Registry  # noqa: PLC0415

    registry = Registry(args.db)
    generator, titles = fill(registry, args.articles, args.seed)
    uid = agent_uid(registry)
    queries = generator.queries(args.queries, titles)
    timings, hits = run_queries(registry, uid, queries)
    print(f"bench_knowledge_search: {args.articles} articles, {len(queries)} queries as an agent, limit 10")
    p50, p95, p99 = (percentile(timings, f) for f in (0.5, 0.95, 0.99))
    print(
        f"bench_knowledge_search: p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, "
        f"max {max(timings):.1f} ms, mean {statistics.mean(timings):.1f} ms"
    )
    print(
        f"bench_knowledge_search: {sum(1 for h in hits if h) / len(hits):.0%} of queries found something, "
        f"{statistics.mean(hits):.1f} results on average"
    )


if __name__ == "__main__":
    main()
