"""``odoo-bin --addons-path=... cti_bridge -c odoo.conf [-d DB] [--cti-server ID,...]``

Odoo 19 command names are ``[a-z][a-z0-9_]*`` (so ``cti_bridge``, not ``cti-bridge``), and an addon's command
is found only when ``--addons-path`` comes first on the command line.
"""

import optparse

from odoo.cli.command import Command
from odoo.tools import config


class Cti_Bridge(Command):  # noqa: N801  (Odoo derives the command name from the class name)
    """Run the CTI bridge: one AMI session per active PBX server, journaled, applied exactly once."""

    name = "cti_bridge"

    def run(self, args):
        config.parser.prog = self.prog
        group = optparse.OptionGroup(config.parser, "CTI bridge options")
        group.add_option(
            "--cti-server", dest="cti_server", my_default="", help="comma-separated PBX server ids"
        )
        group.add_option("--cti-journal-dir", dest="cti_journal_dir", my_default="", help="journal directory")
        group.add_option(
            "--cti-batch-events",
            dest="cti_batch_events",
            type="int",
            my_default=5000,
            help="events per transaction",
        )
        group.add_option(
            "--cti-no-agi",
            dest="cti_no_agi",
            action="store_true",
            my_default=False,
            help="do not serve the FastAGI routing requests of the dialplan",
        )
        group.add_option(
            "--cti-agi-deadline",
            dest="cti_agi_deadline",
            type="int",
            my_default=300,
            help="milliseconds a routing answer may take before the defaults are answered",
        )
        group.add_option(
            "--cti-health",
            dest="cti_health",
            my_default="",
            help="[host:]port of the health (/health) and Prometheus (/metrics) endpoint; empty: not served",
        )
        config.parser.add_option_group(group)
        config.parse_config(args, setup_logging=True)
        # Loaded as odoo.cli.<name>, outside the addon's package: no relative import is possible, and the
        # addons path must be parsed before the addon can be imported.
        # pylint: disable-next=odoo-addons-relative-import
        from odoo.addons.callcenter_cti.service import commands  # noqa: PLC0415

        raise SystemExit(commands.run_bridge(config))
