from odoo.tests import BaseCase

from ..lib import textsearch


class TestTextSearch(BaseCase):
    def test_terms_split_chinese_and_latin(self):
        self.assertEqual(textsearch.terms("Refund 退货 refund!"), [("word", "refund"), ("cjk", "退货")])

    def test_document_tokens_hold_chinese_bigrams(self):
        tokens = textsearch.document_tokens("如何办理退货手续 Refund").split()
        self.assertIn("退货", tokens)
        self.assertIn("退", tokens)
        self.assertIn("refund", tokens)
        self.assertEqual(textsearch.cjk_grams("退货手续"), ["退货", "货手", "手续"])

    def test_highlight_escapes_html(self):
        found = textsearch.terms("refund")
        html = textsearch.highlight('<script>alert("refund")</script>', found)
        self.assertEqual(str(html), "&lt;script&gt;alert(&#34;<mark>refund</mark>&#34;)&lt;/script&gt;")

    def test_short_latin_words_highlight_whole_words_only(self):
        html = textsearch.highlight("a card", textsearch.terms("a"))
        self.assertEqual(str(html), "<mark>a</mark> card")

    def test_snippet_centres_on_the_match(self):
        text = "x" * 300 + " 退货 " + "y" * 300
        snippet = str(textsearch.snippet(text, textsearch.terms("退货")))
        self.assertIn("<mark>退货</mark>", snippet)
        self.assertTrue(snippet.startswith("…") and snippet.endswith("…"))
        self.assertLess(len(snippet), 200)
