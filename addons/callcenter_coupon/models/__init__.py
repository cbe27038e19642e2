from . import cc_call, loyalty_card, loyalty_program, res_company, res_partner, sale_order
