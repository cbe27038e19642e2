from . import test_caller_lookup
from . import test_customer_import
from . import test_customer_security
from . import test_popup_fields
from . import test_routing_profiles
from . import test_desk_customer
