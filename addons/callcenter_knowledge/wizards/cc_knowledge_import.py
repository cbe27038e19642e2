import base64
import binascii
import io
import os
import re
import zipfile

from lxml import etree, html
from markupsafe import Markup, escape

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import html_sanitize

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
MAX_BYTES = 20 * 1024 * 1024
# how an HTML file without an .html name is recognised
HTML_START = re.compile(rb"<(!doctype|html|head|body|p|div|h[1-6]|table)[\s>]", re.IGNORECASE)


class CcKnowledgeImport(models.TransientModel):
    _name = "cc.knowledge.import"
    _description = "Import Knowledge Articles"

    file = fields.Binary(required=True, attachment=False)
    filename = fields.Char()
    category_id = fields.Many2one("cc.knowledge.category")
    tag_ids = fields.Many2many("cc.knowledge.tag", string="Tags")

    def action_import(self):
        self.ensure_one()
        article = self._cc_import()
        return {
            "type": "ir.actions.act_window",
            "res_model": "cc.knowledge.article",
            "res_id": article.id,
            "view_mode": "form",
            "target": "current",
        }

    def _cc_import(self):
        """A draft article from the uploaded .docx or .html file."""
        data = self._cc_data()
        name = os.path.splitext(os.path.basename(self.filename or ""))[0]
        if zipfile.is_zipfile(io.BytesIO(data)):
            title, body = self._cc_parse_docx(data)
        elif (self.filename or "").lower().endswith((".html", ".htm")) or HTML_START.search(data[:4096]):
            title, body = self._cc_parse_html(data)
        else:
            raise UserError(self.env._("Only Word (.docx) and HTML files can be imported."))
        return self.env["cc.knowledge.article"].create(
            {
                "name": title or name or self.env._("Imported article"),
                "body": body,
                "category_id": self.category_id.id,
                "tag_ids": [fields.Command.set(self.tag_ids.ids)],
            }
        )

    def _cc_data(self):
        try:
            data = base64.b64decode(self.file or b"", validate=True)
        except (binascii.Error, ValueError) as error:
            raise UserError(self.env._("The file could not be read.")) from error
        if not data.strip():
            raise UserError(self.env._("The file is empty."))
        if len(data) > MAX_BYTES:
            raise UserError(self.env._("The file is larger than 20 MB."))
        return data

    def _cc_parse_html(self, data):
        text = self._cc_decode(data)
        try:
            tree = html.document_fromstring(text)
        except (etree.ParserError, ValueError) as error:
            raise UserError(self.env._("The HTML file could not be parsed.")) from error
        title = tree.findtext(".//title") or ""
        if not title.strip():
            heading = tree.find(".//h1")
            title = heading.text_content() if heading is not None else ""
        body = tree.find(".//body")
        content = html.tostring(body if body is not None else tree, encoding="unicode")
        body_html = html_sanitize(content, strip_style=True, strip_classes=True)
        if not body_html or not html.fromstring(body_html).text_content().strip():
            raise UserError(self.env._("The HTML file has no text to import."))
        return " ".join(title.split()), body_html

    def _cc_decode(self, data):
        # Chinese HTML exported from older tools is often GB18030 rather than UTF-8
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise UserError(self.env._("The HTML file is neither UTF-8 nor GB18030 text."))

    def _cc_parse_docx(self, data):
        """Paragraphs of word/document.xml (stdlib zip + lxml: python-docx is not required)."""
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                xml = archive.read("word/document.xml")
            root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as error:
            raise UserError(self.env._("This is not a Word (.docx) document.")) from error
        title, blocks = "", []
        for paragraph in root.iter(f"{W}p"):
            text = "".join(
                (node.text or "") if node.tag == f"{W}t" else " "
                for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br")
            ).strip()
            if not text:
                continue
            style = paragraph.find(f"{W}pPr/{W}pStyle")
            style = (style.get(f"{W}val") or "") if style is not None else ""
            if not title and style.lower() in ("title", "heading1"):
                title = text
                continue
            tag = "h3" if style.lower().startswith("heading") else "p"
            blocks.append(Markup("<%s>%s</%s>") % (Markup(tag), escape(text), Markup(tag)))
        if not blocks and not title:
            raise UserError(self.env._("The Word document has no text to import."))
        return title, Markup("").join(blocks)
