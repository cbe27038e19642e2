import base64
import io
import zipfile

from odoo.exceptions import UserError

from .common import KnowledgeCase

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def make_docx(paragraphs):
    """A minimal .docx: ``paragraphs`` are (style, text) pairs."""
    body = "".join(
        f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>'
        if style
        else f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
        for style, text in paragraphs
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


class TestImport(KnowledgeCase):
    def run_import(self, data, filename):
        wizard = (
            self.env["cc.knowledge.import"]
            .with_user(self.editor)
            .create({"file": base64.b64encode(data), "filename": filename, "category_id": self.category.id})
        )
        action = wizard.action_import()
        return self.Article.browse(action["res_id"])

    def test_import_html_is_sanitized(self):
        html = (
            "<html><head><title>退货政策</title><script>alert(1)</script></head>"
            "<body><h1>退货政策</h1><p onclick='x()'>七天无理由退货</p><script>evil()</script></body></html>"
        )
        article = self.run_import(html.encode(), "policy.html")
        self.assertEqual(article.name, "退货政策")
        self.assertEqual(article.state, "draft")
        self.assertIn("七天无理由退货", article.body)
        self.assertNotIn("script", article.body)
        self.assertNotIn("onclick", article.body)
        self.assertEqual(article.category_id, self.category)

    def test_import_gb18030_html(self):
        article = self.run_import("<p>发票补开</p>".encode("gb18030"), "fapiao.htm")
        self.assertIn("发票补开", article.body)
        self.assertEqual(article.name, "fapiao")

    def test_import_docx(self):
        data = make_docx(
            [("Title", "Refund &amp; return"), ("Heading1", "Steps"), (None, "Check the &lt;order&gt;")]
        )
        article = self.run_import(data, "refund.docx")
        self.assertEqual(article.name, "Refund & return")
        self.assertIn("<h3>Steps</h3>", article.body)
        self.assertIn("<p>Check the &lt;order&gt;</p>", article.body)

    def test_bad_files_raise_user_errors(self):
        with self.assertRaises(UserError):
            self.run_import(b"\x00\x01\x02binary", "blob.bin")
        with self.assertRaises(UserError):
            self.run_import(b"PK\x03\x04 not really a zip", "broken.docx")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("content.xml", "<x/>")
        with self.assertRaises(UserError):
            self.run_import(buffer.getvalue(), "calc.docx")
        with self.assertRaises(UserError):
            self.run_import(b"<html><body>  </body></html>", "empty.html")
