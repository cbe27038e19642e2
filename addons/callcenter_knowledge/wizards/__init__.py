from . import cc_knowledge_import
from . import cc_knowledge_send_back
