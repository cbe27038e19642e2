from . import cc_partner_phone
from . import res_company
from . import res_partner
from . import cc_call
