"""The bridge's health and metrics endpoint (``--cti-health-port``): ``GET /health`` (JSON, 200 when every PBX
server is served as it should be, 503 otherwise) and ``GET /metrics`` (Prometheus text format).

A server is healthy when this process is its active bridge and is linked to the PBX with its journal applied
promptly, or when it stands by (another process is active). Served with asyncio alone: no web framework in the
bridge process.
"""

import asyncio
import json
import logging
import time

from ..cti import prometheus as prometheus_format

_logger = logging.getLogger(__name__)

MAX_BACKLOG = 20000  # journaled events not yet in the database: above this the bridge is lagging
MAX_EVENT_AGE = None  # a quiet PBX is no fault: the last event's age is reported, not judged


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else None


def server_health(leased, agi_service=None):
    """One PBX server's figures, as plain data."""
    bridge = leased.active
    figures = {"server": leased.server["name"], "role": "active" if bridge else "standby"}
    figures["takeovers"] = leased.takeovers
    if bridge:
        client, pipeline = bridge.client.stats, bridge.pipeline
        last = client.get("last_event_at")
        figures |= {
            "ami_connected": bool(client.get("connected")),
            "events": client.get("events", 0),
            "reconnects": client.get("reconnects", 0),
            "backlog": pipeline.backlog,
            "apply_errors": pipeline.stats["apply_errors"],
            "db_errors": bridge.db_errors,
            "last_event_age_s": round(time.time() - last, 3) if last else None,
            "commands_sent": bridge.commands.stats["sent"],
            "commands_failed": bridge.commands.stats["failed"],
        }
    if agi_service and agi_service.app:
        app = agi_service.app
        p99 = percentile(app.latencies, 0.99)
        figures |= {"agi_requests": app.stats["requests"], "agi_timeouts": app.stats["timeouts"]}
        figures["agi_p99_ms"] = round(p99 * 1000, 2) if p99 is not None else None
    figures["healthy"] = _healthy(figures)
    return figures


def _healthy(figures):
    if figures["role"] == "standby":
        return True
    return figures["ami_connected"] and figures["backlog"] <= MAX_BACKLOG


_METRICS = (
    ("cti_bridge_active", "1 when this process is the server's active bridge", "gauge", "role"),
    ("cti_ami_connected", "1 while the AMI session is up", "gauge", "ami_connected"),
    ("cti_ami_events_total", "AMI events received", "counter", "events"),
    ("cti_ami_reconnects_total", "AMI reconnections", "counter", "reconnects"),
    ("cti_journal_backlog", "journaled events not yet applied to the database", "gauge", "backlog"),
    ("cti_apply_errors_total", "failed database batches (retried)", "counter", "apply_errors"),
    ("cti_last_event_age_seconds", "seconds since the last AMI event", "gauge", "last_event_age_s"),
    ("cti_commands_sent_total", "PBX commands answered with success", "counter", "commands_sent"),
    ("cti_commands_failed_total", "PBX commands that failed", "counter", "commands_failed"),
    ("cti_takeovers_total", "times this process became the active bridge", "counter", "takeovers"),
    ("cti_agi_requests_total", "FastAGI routing requests", "counter", "agi_requests"),
    (
        "cti_agi_timeouts_total",
        "routing answers given as defaults after the deadline",
        "counter",
        "agi_timeouts",
    ),
    ("cti_agi_p99_milliseconds", "p99 of the latest routing answers", "gauge", "agi_p99_ms"),
)


def prometheus(all_figures):
    """The figures in Prometheus' text exposition format, one series per PBX server."""
    return prometheus_format.render(
        (name, help_text, kind, [({"server": f["server"]}, _value(f, key)) for f in all_figures])
        for name, help_text, kind, key in _METRICS
    )


def _value(figures, key):
    if key == "role":
        return 1 if figures["role"] == "active" else 0
    return figures.get(key)


class HealthServer:
    def __init__(self, bridges, services, host="127.0.0.1", port=8079):
        self.bridges, self.host, self.port = bridges, host, port
        self.services = {service.server["id"]: service for service in services}
        self.listener = None
        self.stopped = asyncio.Event()

    def figures(self):
        return [server_health(b, self.services.get(b.server["id"])) for b in self.bridges]

    async def run(self):
        try:
            self.listener = await asyncio.start_server(self._answer, self.host, self.port)
        except OSError as exc:  # the bridge goes on without its health endpoint
            _logger.error("health endpoint not served on %s:%s: %s", self.host, self.port, exc)
            return
        await self.stopped.wait()
        self.listener.close()
        await self.listener.wait_closed()

    def stop(self):
        self.stopped.set()

    async def _answer(self, reader, writer):
        try:
            request = await asyncio.wait_for(reader.readline(), 5)
            path = request.split(b" ")[1].decode() if request.count(b" ") >= 2 else ""
            status, kind, body = self._page(path)
            head = f"HTTP/1.0 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
            writer.write(head.encode() + body)
            await writer.drain()
        except (TimeoutError, ConnectionError) as exc:
            _logger.debug("health probe went away: %s", exc)
        except Exception:  # a bug here must not take the bridge down: the probe sees the connection drop
            _logger.exception("health endpoint failed")
        finally:
            writer.close()

    def _page(self, path):
        if path.startswith("/metrics"):
            return "200 OK", "text/plain; version=0.0.4", prometheus(self.figures()).encode()
        if path.startswith("/health"):
            figures = self.figures()
            ok = all(f["healthy"] for f in figures)
            body = json.dumps({"healthy": ok, "servers": figures}).encode()
            return ("200 OK" if ok else "503 Service Unavailable"), "application/json", body
        return "404 Not Found", "text/plain", b"not found\n"
