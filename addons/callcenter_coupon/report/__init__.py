from . import cc_coupon_report
