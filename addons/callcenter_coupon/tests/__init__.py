from . import test_check, test_concurrency, test_desk, test_desk_tour, test_issue, test_redeem, test_reports
