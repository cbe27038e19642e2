{
    "name": "Call Center CRM",
    "summary": "Customers with E.164 numbers, service records, work orders with SLAs, phone orders, portal",
    "version": "19.0.1.0.0",
    "category": "Productivity/Call Center",
    "license": "LGPL-3",
    "author": "Odoo Call Center",
    "website": "https://github.com/odoo-callcenter/odoo-callcenter",
    "depends": [
        "callcenter_cti",
        "contacts",
        "sale_management",
        "portal",
        "base_import",
        "phone_validation",
        "resource",
    ],
    "external_dependencies": {"python": ["phonenumbers"]},
}
