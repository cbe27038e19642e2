from odoo.tests import HttpCase, tagged

from odoo.addons.callcenter_cti.tests.common import run_hoot_suite


@tagged("post_install", "-at_install")
class TestKnowledgePanelJs(HttpCase):
    """The call desk's knowledge panel (Hoot tests, real headless Chromium)."""

    def test_knowledge_panel_hoot_suite(self):
        run_hoot_suite(self, "@callcenter_knowledge")
