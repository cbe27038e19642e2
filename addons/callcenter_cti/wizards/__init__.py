from . import cc_call_transfer_wizard
from . import cc_report_export_wizard
