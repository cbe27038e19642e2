{
    "name": "Call Center Campaigns",
    "summary": "Outbound campaigns: Excel lists, preview, progressive and predictive dialing",
    "version": "19.0.1.0.0",
    "category": "Productivity/Call Center",
    "license": "LGPL-3",
    "author": "Odoo Call Center",
    "website": "https://github.com/odoo-callcenter/odoo-callcenter",
    "depends": ["callcenter_crm", "base_import", "resource", "sms"],
    "external_dependencies": {"python": ["xlsxwriter"]},
}
