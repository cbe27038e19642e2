"""``odoo-bin --addons-path=... cti_replay -c odoo.conf -d DB [--speed N|max] [--country CC] [--export-csv
OUT] FILE...``

Replays recorded AMI transcripts through the project's replay server into the real bridge pipeline, until the
transcripts end, and prints one summary line.
"""

import optparse

from odoo.cli.command import Command
from odoo.tools import config


class Cti_Replay(Command):  # noqa: N801  (Odoo derives the command name from the class name)
    """Replay AMI transcripts through the real bridge pipeline into a database."""

    name = "cti_replay"

    def run(self, args):
        config.parser.prog = self.prog
        group = optparse.OptionGroup(config.parser, "CTI replay options")
        group.add_option("--speed", dest="cti_speed", my_default="max", help="recorded pace factor, or 'max'")
        group.add_option("--country", dest="cti_country", my_default="", help="default country for numbers")
        group.add_option("--export-csv", dest="cti_export_csv", my_default="", help="write one row per call")
        group.add_option(
            "--cti-server", dest="cti_server", my_default="", help="replay into this PBX server id"
        )
        group.add_option(
            "--loop", dest="cti_loop", action="store_true", my_default=False, help="replay forever"
        )
        config.parser.add_option_group(group)
        options, files = _split_positionals(config.parser, args)
        config.parse_config(options, setup_logging=True)
        # Loaded as odoo.cli.<name>, outside the addon's package: no relative import is possible, and the
        # addons path must be parsed before the addon can be imported.
        # pylint: disable-next=odoo-addons-relative-import
        from odoo.addons.callcenter_cti.service import commands  # noqa: PLC0415

        raise SystemExit(commands.run_replay(config, files))


def _split_positionals(parser, args):
    """Odoo's option parser refuses positional arguments: take the transcript files out first."""
    options, files, index = [], [], 0
    while index < len(args):
        arg = args[index]
        if not arg.startswith("-"):
            files.append(arg)
        else:
            options.append(arg)
            option = (
                parser.get_option(arg.split("=", 1)[0])
                if not arg.startswith("--") or "=" not in arg
                else None
            )
            if option is not None and option.takes_value() and index + 1 < len(args):
                index += 1
                options.append(args[index])
        index += 1
    return options, files
