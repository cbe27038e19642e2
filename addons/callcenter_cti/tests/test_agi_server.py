"""The FastAGI server over real TCP, driven by a minimal AGI client playing Asterisk (pure: no database)."""

import asyncio
import threading
import time

from odoo.tests import BaseCase

from ..cti import agi_routing as ar
from ..cti.agi_client import agi_request
from .test_agi_routing import NOW, make_directory

LOGGER = "odoo.addons.callcenter_cti.cti.agi_routing"
# What is sent when nothing is known: the variables with a value (an unset channel variable is the default).
DEFAULTS_SENT = {name: value for name, value in ar.SAFE_DEFAULTS.items() if value}


class TestAgiServer(BaseCase):
    def serve(self, directory, **options):
        """Runs the test body ``scenario(port)`` against a real server on a free loopback port."""
        options.setdefault("clock", lambda: NOW)

        async def run(scenario):
            app = ar.RoutingApplication(lambda: directory, **options)
            server = await ar.start_server(app, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            try:
                return await scenario(port)
            finally:
                server.close()
                await server.wait_closed()
                app.close()

        return lambda scenario: asyncio.run(run(scenario))

    def test_whole_request(self):
        run = self.serve(make_directory())
        variables = run(lambda port: agi_request(port, "4008001234", "13700137000"))
        expected = ar.decide({"agi_arg_1": "4008001234", "agi_arg_2": "13700137000"}, make_directory(), NOW)
        self.assertEqual(variables, {k: v for k, v in expected.items() if v}, "every variable with a value")
        self.assertEqual(list(variables), [n for n in ar.VARIABLES if n in variables], "in contract order")
        self.assertEqual(DEFAULTS_SENT, {"CC_BLACKLISTED": "0", "CC_OPEN": "1", "CC_VIP": "0"})
        self.assertEqual(variables["CC_QUEUE"], "sales")
        self.assertEqual(variables["CC_TARGET_AGENT"], "PJSIP/8003")
        self.assertEqual(variables["CC_TARGET_NAME"], "Zhang Min")
        self.assertEqual(variables["CC_OPEN"], "1")

    def test_blacklisted_note_is_quoted(self):
        directory = make_directory(blacklist={"+8613500135000": ar.BlacklistEntry('says "hi" \\ bye')})
        variables = self.serve(directory)(lambda port: agi_request(port, "5000", "13500135000"))
        self.assertEqual(variables["CC_BLACKLISTED"], "1")
        self.assertEqual(variables["CC_BLACKLIST_NOTE"], 'says "hi" \\ bye')

    def test_concurrent_requests(self):
        async def many(port):
            return await asyncio.gather(*(agi_request(port, "5000", f"1380013{i:04d}") for i in range(50)))

        results = self.serve(make_directory())(many)
        self.assertEqual(len(results), 50)
        self.assertTrue(all(r["CC_QUEUE"] == "support" for r in results))

    def test_blocking_directory_answers_defaults_within_deadline(self):
        release = threading.Event()
        self.addCleanup(release.set)

        def blocked(e164):
            release.wait(10)
            return {"vip": True}

        directory = make_directory(profile=blocked)

        async def timed(port):
            started = time.monotonic()
            variables = await agi_request(port, "4008001234", "13700137000")
            return variables, time.monotonic() - started

        with self.assertLogs(LOGGER, "WARNING") as logs:
            variables, elapsed = self.serve(directory, deadline=0.2)(timed)
        self.assertEqual(variables, DEFAULTS_SENT, "the defaults, never silence")
        self.assertLess(elapsed, 0.2 + 0.5)
        self.assertGreaterEqual(elapsed, 0.2)
        self.assertIn("defaults answered", logs.output[0])

    def test_failing_directory_answers_defaults(self):
        class Broken(ar.Directory):
            def did(self, raw):
                raise RuntimeError("snapshot corrupt")

        with self.assertLogs(LOGGER, "ERROR"):
            variables = self.serve(Broken())(lambda port: agi_request(port, "5000", "13700137000"))
        self.assertEqual(variables, DEFAULTS_SENT)

    def test_no_snapshot_yet_answers_defaults(self):
        variables = self.serve(None)(lambda port: agi_request(port, "5000", "13700137000"))
        self.assertEqual(variables, DEFAULTS_SENT)

    def test_caller_hangs_up_midway(self):
        async def scenario(port):
            partial = await agi_request(port, "5000", "13700137000", hangup_after=3)
            full = await agi_request(port, "5000", "13700137000")  # the server still serves
            return partial, full

        partial, full = self.serve(make_directory())(scenario)
        self.assertEqual(len(partial), 3)
        self.assertEqual(full["CC_QUEUE"], "support")

    def test_garbage_and_silent_peers(self):
        async def scenario(port):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"not an agi environment\n\n")
            await writer.drain()
            self.assertEqual(await reader.read(), b"", "no route: the connection is closed")
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"agi_network_script: route\n")  # then closes before the blank line
            writer.close()
            return await agi_request(port, "4008001234", "")

        with self.assertLogs(LOGGER, "WARNING"):
            variables = self.serve(make_directory())(scenario)
        self.assertEqual(variables["CC_QUEUE"], "sales", "anonymous caller: the DID's settings")

    def test_unknown_script(self):
        with self.assertLogs(LOGGER, "WARNING"):
            variables = self.serve(make_directory())(lambda port: agi_request(port, "5000", "1", script="x"))
        self.assertEqual(variables, {})
