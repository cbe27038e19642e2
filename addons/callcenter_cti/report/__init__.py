from . import cc_report_mixin
from . import cc_report_call
from . import cc_report_agent_kpi
from . import cc_report_queue
from . import cc_report_abandoned
from . import cc_report_satisfaction
