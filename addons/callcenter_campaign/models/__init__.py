from . import cc_campaign_outcome
from . import cc_campaign
from . import cc_campaign_target
from . import cc_campaign_attempt
from . import cc_cti_sink
