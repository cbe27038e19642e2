{
    "name": "Call Center Knowledge Base",
    "summary": "Knowledge base for agents: category tree, review and publish, fast search beside the call",
    "version": "19.0.1.0.0",
    "category": "Productivity/Call Center",
    "license": "LGPL-3",
    "author": "Odoo Call Center",
    "website": "https://github.com/odoo-callcenter/odoo-callcenter",
    "depends": ["callcenter_cti", "mail"],
    "external_dependencies": {"python": []},
    "data": [],
    "installable": True,
}
