from . import test_pacing
from . import test_campaign
from . import test_import
from . import test_preview
from . import test_notification
