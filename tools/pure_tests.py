"""Run the database-free tests (protocol core, number normalisation, replay server) in seconds.

Usage: python tools/pure_tests.py [module ...]   e.g. callcenter_cti.tests.test_callstate
Without arguments it runs every test module listed in PURE_TEST_MODULES of each addon's tests/__init__.py.
The full suite (bin/test) runs these same tests inside Odoo's test runner as well.
"""

import os
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _setup_odoo():
    import odoo.init
    from odoo.modules import initialize_sys_path
    from odoo.tools import config

    odoo_addons = os.path.join(os.path.dirname(os.path.dirname(odoo.init.__file__)), "addons")
    paths = [os.path.join(ROOT, "addons")] + [p for p in [odoo_addons] if os.path.isdir(p)]
    config._parse_config(["--addons-path=" + ",".join(paths)])
    initialize_sys_path()


def _default_modules():
    import importlib

    names = []
    for addon in sorted(os.listdir(os.path.join(ROOT, "addons"))):
        if os.path.isfile(os.path.join(ROOT, "addons", addon, "tests", "__init__.py")):
            tests = importlib.import_module(f"odoo.addons.{addon}.tests")
            names += [f"{addon}.tests.{m}" for m in getattr(tests, "PURE_TEST_MODULES", ())]
    return names


def main(argv):
    _setup_odoo()
    names = argv or _default_modules()
    suite = unittest.defaultTestLoader.loadTestsFromNames([f"odoo.addons.{n}" for n in names])
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    failed = len(result.failures) + len(result.errors)
    print(f"pure: {result.testsRun - failed} passed, {failed} failed")
    return 0 if result.wasSuccessful() and result.testsRun else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
