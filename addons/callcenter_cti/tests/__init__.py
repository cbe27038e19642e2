# Database-free tests: also runnable in seconds with `python tools/pure_tests.py`.
PURE_TEST_MODULES = (
    "test_transcript",
    "test_replay_server",
    "test_ami_client",
    "test_journal",
    "test_callstate",
    "test_callstate_robustness",
    "test_event_filter",
    "test_agi_routing",
    "test_agi_server",
    "test_pipeline",
    "test_command_channels",
    "test_bridge_health",
    "test_sound",
    "test_blacklist_mirror",
    "test_ivr",
)

from . import test_transcript  # noqa: E402
from . import test_replay_server  # noqa: E402
from . import test_ami_client  # noqa: E402
from . import test_journal  # noqa: E402
from . import test_cti_calls  # noqa: E402
from . import test_callstate  # noqa: E402
from . import test_callstate_robustness  # noqa: E402
from . import test_event_filter  # noqa: E402
from . import test_agi_routing  # noqa: E402
from . import test_agi_server  # noqa: E402
from . import test_agi_directory  # noqa: E402
from . import test_pipeline  # noqa: E402
from . import test_call_export  # noqa: E402
from . import test_screen_pop_websocket  # noqa: E402
from . import test_recording_access  # noqa: E402
from . import test_recording_housekeeping  # noqa: E402
from . import test_supervisor_actions  # noqa: E402
from . import test_desk_tour  # noqa: E402
from . import test_agent_desk  # noqa: E402
from . import test_command_channels  # noqa: E402
from . import test_reports  # noqa: E402
from . import test_wallboard  # noqa: E402
from . import test_bridge_health  # noqa: E402
from . import test_operations  # noqa: E402
from . import test_multi_site  # noqa: E402
from . import test_sound  # noqa: E402
from . import test_prompts  # noqa: E402
from . import test_blacklist_mirror  # noqa: E402
from . import test_ivr  # noqa: E402
from . import test_ivr_menus  # noqa: E402
