{
    "name": "Call Center E-Coupons",
    "summary": "E-coupons on Odoo loyalty: issue during a call, check, redeem on phone orders, report",
    "version": "19.0.1.0.0",
    "category": "Productivity/Call Center",
    "license": "LGPL-3",
    "author": "Odoo Call Center",
    "website": "https://github.com/odoo-callcenter/odoo-callcenter",
    "depends": ["callcenter_crm", "loyalty", "sale_loyalty"],
    "external_dependencies": {"python": []},
}
