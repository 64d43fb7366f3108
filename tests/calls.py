"""Claim a call, then record its outcome, through the real services as the call screen and
the API use them: claim_next_call hands the call, the claim token (services/leases.py)
proves it, record_outcome takes the outcome."""

import datetime as dt

from followups.models import QueueEntry
from followups.services.claims import claim_next_call
from followups.services.leases import claim_token
from followups.services.outcomes import record_outcome
from tests.clock import at

# `token=OWN_CLAIM`: the claim token of the agent's claim of the entry as it stands now.
OWN_CLAIM = object()


def handed(agent, now: dt.datetime) -> QueueEntry:
    """The entry the claim service hands `agent` at `now`; there must be one."""
    claim = claim_next_call(agent=agent, now=now)
    assert claim.entry is not None, (now, claim.reason, claim.message)
    return claim.entry


def record(
    entry,
    agent,
    *,
    key: str = "k-1",
    disposition: str = "complete",
    started_at: dt.datetime | None = None,
    ended_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
    token=OWN_CLAIM,
    **fields,
):
    """record_outcome for the call on `entry` as `agent`: by default a call from 10:40 to
    10:43 on Monday, sent at 10:44, with the claim token the claim service gave the agent
    (`token` another one, or None or "" for none)."""
    if token is OWN_CLAIM:
        token = claim_token(QueueEntry.objects.get(pk=entry.pk), agent)
    return record_outcome(
        agent=agent,
        entry=entry,
        idempotency_key=key,
        disposition=disposition,
        started_at=started_at or at(10, 40),
        ended_at=ended_at or at(10, 43),
        now=now or at(10, 44),
        claim_token=token,
        **fields,
    )


def call(agent, now: dt.datetime, disposition: str, *, minutes: int = 2, **fields) -> QueueEntry:
    """Claim the next call at `now` and record its outcome `minutes` later; the entry."""
    entry = handed(agent, now)
    ended = now + dt.timedelta(minutes=minutes)
    key = f"{agent.pk}-{now.isoformat()}"
    record(
        entry,
        agent,
        key=key,
        disposition=disposition,
        started_at=now,
        ended_at=ended,
        now=ended,
        **fields,
    )
    return entry


def statuses(*rows) -> tuple[str, ...]:
    """The status of each of the rows (entries, follow-ups, cases) as stored now."""
    for row in rows:
        row.refresh_from_db()
    return tuple(row.status for row in rows)
