from . import cc_call_transfer_wizard
