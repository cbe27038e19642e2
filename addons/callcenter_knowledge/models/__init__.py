from . import cc_knowledge_category
from . import cc_knowledge_tag
from . import cc_knowledge_article
from . import cc_knowledge_version
from . import cc_knowledge_feedback
