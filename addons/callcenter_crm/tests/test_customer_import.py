from odoo.tests import tagged

from .common import CallCenterCrmCase

OPTIONS = {
    "import_skip_records": [],
    "import_set_empty_fields": [],
    "fallback_values": {},
    "name_create_enabled_fields": {},
    "encoding": "utf-8",
    "separator": ",",
    "quoting": '"',
    "date_format": "",
    "datetime_format": "",
    "float_thousand_separator": ",",
    "float_decimal_separator": ".",
    "advanced": True,
    "has_headers": True,
    "keep_matches": False,
    "limit": 2000,
    "skip": 0,
    "tracking_disable": True,
}
FIELDS = ["name", "cc_phone_ids/kind", "cc_phone_ids/number"]
GOOD_ROWS = [
    "赵敏,mobile,13700137001",
    ",home,021-66668888",
    "钱程,work,+86 139 0013 9001",
]
BAD_ROWS = [
    "孙悟空,mobile,12345",
    "周杰,mobile,139-2223-9222",
]


@tagged("post_install", "-at_install")
class TestCustomerImport(CallCenterCrmCase):
    def _import(self, rows, dryrun=False):
        data = "\n".join(["Name,Kind,Number", *rows]).encode()
        wizard = self.env["base_import.import"].create(
            {"res_model": "res.partner", "file": data, "file_type": "text/csv"}
        )
        return wizard.execute_import(FIELDS, ["Name", "Kind", "Number"], dict(OPTIONS), dryrun=dryrun)

    def test_good_rows_import_every_number(self):
        result = self._import(GOOD_ROWS)
        self.assertFalse(result["messages"])
        zhao, qian = self.Partner.browse(result["ids"])
        self.assertEqual(zhao.cc_phone_ids.mapped("number_e164"), ["+8613700137001", "+862166668888"])
        self.assertEqual(self.Partner._cc_find_by_number("13900139001"), qian.ids)

    def test_bad_and_duplicate_numbers_reported_per_row(self):
        result = self._import(GOOD_ROWS + BAD_ROWS, dryrun=True)
        self.assertFalse(result["ids"], "nothing is imported while errors remain")
        # load() first reports the error of the whole batch, then retries row by row: one error per bad row.
        errors = {m["rows"]["from"]: m["message"] for m in result["messages"][1:]}
        self.assertEqual(set(errors), {3, 4}, "only the bad rows are flagged")
        self.assertIn("12345 is not a valid phone number", errors[3])
        self.assertIn("139-2223-9222 already belongs to the customer 李娜", errors[4])
        # The user drops the flagged rows: the good ones import.
        self.assertEqual(len(self._import(GOOD_ROWS)["ids"]), 2)

    def test_duplicate_inside_the_file(self):
        result = self._import([*GOOD_ROWS, "吴用,mobile,0086 137 0013 7001"], dryrun=True)
        messages = result["messages"][1:]
        self.assertEqual(len(messages), 1)
        self.assertIn("already belongs to the customer 赵敏", messages[0]["message"])
        self.assertEqual(messages[0]["rows"]["from"], 3)
