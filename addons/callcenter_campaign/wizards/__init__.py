from . import cc_campaign_import
from . import cc_campaign_result
