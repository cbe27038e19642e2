from . import test_textsearch
from . import test_workflow
from . import test_access
from . import test_search
from . import test_import
from . import test_feedback_version
from . import test_controller
from . import test_knowledge_panel_js
