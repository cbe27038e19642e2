"""The bridge's health and metrics endpoint, served by a real asyncio server and read over TCP."""

import asyncio
import json
import types

from odoo.tests import BaseCase

from ..service import health


def leased(name, active=None, takeovers=0):
    return types.SimpleNamespace(server={"id": 1, "name": name}, active=active, takeovers=takeovers)


def active_bridge(connected=True, backlog=0):
    return types.SimpleNamespace(
        client=types.SimpleNamespace(stats={"connected": connected, "events": 42, "reconnects": 1}),
        pipeline=types.SimpleNamespace(backlog=backlog, stats={"apply_errors": 0}),
        db_errors=0,
        commands=types.SimpleNamespace(stats={"sent": 3, "failed": 1}),
    )


async def fetch(port, path):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.0\r\n\r\n".encode())
    data = await reader.read()
    writer.close()
    head, _sep, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), body.decode()


class TestBridgeHealth(BaseCase):
    def serve_and_fetch(self, bridges, *paths):
        async def scenario():
            server = health.HealthServer(bridges, [], port=0)
            task = asyncio.create_task(server.run())
            while server.listener is None:
                await asyncio.sleep(0.01)
            port = server.listener.sockets[0].getsockname()[1]
            pages = [await fetch(port, path) for path in paths]
            server.stop()
            await task
            return pages

        return asyncio.run(scenario())

    def test_active_and_linked_is_healthy(self):
        [(status, body)] = self.serve_and_fetch([leased("Main", active_bridge())], "/health")
        self.assertEqual(status, "HTTP/1.0 200 OK")
        [server] = json.loads(body)["servers"]
        self.assertEqual((server["role"], server["events"], server["commands_failed"]), ("active", 42, 1))

    def test_standby_is_healthy_and_a_lost_link_is_not(self):
        bridges = [leased("Standby"), leased("Broken", active_bridge(connected=False))]
        [(status, body)] = self.serve_and_fetch(bridges, "/health")
        self.assertEqual(status, "HTTP/1.0 503 Service Unavailable")
        self.assertEqual([s["healthy"] for s in json.loads(body)["servers"]], [True, False])

    def test_prometheus_metrics(self):
        bridges = [leased('Site "A"', active_bridge(backlog=7), takeovers=2)]
        [(status, body), (missing, _body)] = self.serve_and_fetch(bridges, "/metrics", "/nothing")
        self.assertEqual(status, "HTTP/1.0 200 OK")
        self.assertIn('cti_journal_backlog{server="Site \\"A\\""} 7', body)
        self.assertIn('cti_takeovers_total{server="Site \\"A\\""} 2', body)
        self.assertIn("# TYPE cti_ami_events_total counter", body)
        self.assertEqual(missing, "HTTP/1.0 404 Not Found")

    def test_percentile(self):
        self.assertEqual(health.percentile([0.003, 0.001, 0.002], 0.99), 0.003)
        self.assertIsNone(health.percentile([], 0.99))
