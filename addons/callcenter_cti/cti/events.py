"""Domain events produced by the call-state machine (``callstate.CallTracker.feed``).

Plain frozen dataclasses, JSON-friendly through ``dataclasses.asdict`` (or ``to_dict`` below, which adds
the event's ``kind``). Times (``at``) are float epoch seconds stamped by the bridge on receipt. Agents are
keyed by their extension string ("8001"), calls by their Asterisk Linkedid. Pure Python, no Odoo.
"""

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class CallChanged:
    """The full snapshot of a call record after any of its fields changed (upsert keyed by linkedid)."""

    kind = "call_changed"
    call: dict


@dataclasses.dataclass(frozen=True, slots=True)
class AgentRinging:
    """An agent's phone starts ringing for a call: the screen-pop trigger."""

    kind = "agent_ringing"
    linkedid: str
    agent: str
    interface: str | None
    queue: str | None
    caller_num: str | None
    caller_name: str | None
    at: float


@dataclasses.dataclass(frozen=True, slots=True)
class AgentRingStopped:
    """The ring ended; outcome: ring_no_answer, declined, answered, answered_elsewhere, caller_abandoned,
    cancelled. The screen-pop leaves the agent's screen unless the outcome is answered."""

    kind = "agent_ring_stopped"
    linkedid: str
    agent: str
    outcome: str
    at: float


@dataclasses.dataclass(frozen=True, slots=True)
class CallAnswered:
    kind = "call_answered"
    linkedid: str
    agent: str | None
    at: float


@dataclasses.dataclass(frozen=True, slots=True)
class CallHeld:
    kind = "call_held"
    linkedid: str
    agent: str | None
    at: float


@dataclasses.dataclass(frozen=True, slots=True)
class CallResumed:
    kind = "call_resumed"
    linkedid: str
    agent: str | None
    at: float


@dataclasses.dataclass(frozen=True, slots=True)
class CallTransferred:
    """``transfer_kind`` is blind, attended or redirect (named so as not to clash with the class ``kind``)."""

    kind = "call_transferred"
    linkedid: str
    transfer_kind: str
    from_agent: str | None
    to: str | None
    at: float


@dataclasses.dataclass(frozen=True, slots=True)
class CallEnded:
    kind = "call_ended"
    linkedid: str
    disposition: str
    at: float


@dataclasses.dataclass(frozen=True, slots=True)
class SurveyScored:
    kind = "survey_scored"
    linkedid: str
    agent: str | None
    score: int
    at: float


@dataclasses.dataclass(frozen=True, slots=True)
class AgentStateChanged:
    """state: logged_out, ready, paused, ringing, on_call, wrap_up; reason: the pause reason when paused."""

    kind = "agent_state_changed"
    agent: str
    state: str
    reason: str | None
    queue: str | None
    at: float


@dataclasses.dataclass(frozen=True, slots=True)
class QueueMemberChanged:
    """A queue membership changed; status is the member's device status (not_inuse, inuse, ringing, ...)
    or "removed" when the agent left the queue."""

    kind = "queue_member_changed"
    queue: str
    agent: str
    interface: str | None
    penalty: int | None
    paused: bool
    reason: str | None
    status: str | None
    at: float


@dataclasses.dataclass(frozen=True, slots=True)
class QueueCallerCount:
    """Callers waiting in a queue after a join or leave."""

    kind = "queue_caller_count"
    queue: str
    waiting: int
    at: float


@dataclasses.dataclass(frozen=True, slots=True)
class OriginateResult:
    """Outcome of an Originate, correlated by the ActionID the bridge sent. reason: Asterisk's code
    (0 failure, 1 hangup, 3 ring timeout, 4 answered, 5 busy, 8 congestion)."""

    kind = "originate_result"
    action_id: str | None
    success: bool
    reason: int | None
    channel: str | None
    uniqueid: str | None
    linkedid: str | None
    at: float


EVENT_TYPES = {
    cls.kind: cls
    for cls in (
        CallChanged,
        AgentRinging,
        AgentRingStopped,
        CallAnswered,
        CallHeld,
        CallResumed,
        CallTransferred,
        CallEnded,
        SurveyScored,
        AgentStateChanged,
        QueueMemberChanged,
        QueueCallerCount,
        OriginateResult,
    )
}


def to_dict(event):
    """``{"kind": ..., **fields}``: the journal / bus form of an event."""
    return {"kind": event.kind, **dataclasses.asdict(event)}


def from_dict(data):
    """Inverse of ``to_dict``."""
    fields = dict(data)
    return EVENT_TYPES[fields.pop("kind")](**fields)
