from . import cc_service_record_step_wizard
from . import cc_work_order_move_wizard
from . import cc_service_record_export_wizard
