"""Who may record a call's outcome, as record_outcome itself judges it: the claim token the
claim service signed when it handed the call (services/leases.py), the same rule for the
call screen and the API. Refused submits write nothing; late ones are kept and flagged."""

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied

from followups.models import CallAttempt, FollowUpTask, QueueEntry, QueueEntryStatus, TaskStatus
from followups.services import leases
from followups.services.leases import release_expired_leases
from tests import calls
from tests.calls import record
from tests.clock import at
from tests.factories import CustomerFactory, listed

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(plan):
    return listed(plan, CustomerFactory(name="张三", phone="+8613812345678"))


def claim(agent, now) -> tuple[QueueEntry, str]:
    """The entry the claim service hands the agent, and the token it signs for the claim."""
    handed = calls.handed(agent, now)
    return handed, leases.claim_token(handed, agent)


def untouched(entry: QueueEntry, holder) -> None:
    """Nothing written: no attempt, the follow-up still to call, the call still held."""
    assert not CallAttempt.objects.exists()
    task = FollowUpTask.objects.get(pk=entry.task_id)
    assert (task.status, task.attempts, task.outcome_counts) == (TaskStatus.PENDING, 0, {})
    entry = QueueEntry.objects.get(pk=entry.pk)
    assert (entry.status, entry.claimed_by, entry.calls_made) == (
        QueueEntryStatus.CLAIMED,
        holder,
        0,
    )


def test_the_agent_the_call_was_handed_to_records_it_with_the_claim_s_token(entry, me):
    handed, token = claim(me, at(10, 40))

    result = record(handed, me, token=token)

    assert result.created is True
    assert (result.attempt.agent, result.attempt.after_lease_lost) == (me, False)
    entry.refresh_from_db()
    assert entry.status == QueueEntryStatus.DONE


def test_the_token_names_the_entry_the_agent_and_the_claim(entry, me):
    handed, token = claim(me, at(10, 40))

    assert leases.handed(entry, me, token) == leases.Handed(entry.pk, me.pk, at(10, 40))


def test_only_the_holder_of_a_claim_is_given_a_token(entry, me, colleague):
    handed, _token = claim(me, at(10, 40))

    with pytest.raises(leases.NotHanded):
        leases.claim_token(handed, colleague)
    not_claimed = listed(entry.task.case.plan, CustomerFactory(name="李梅", phone="+8613998765432"))
    with pytest.raises(leases.NotHanded):
        leases.claim_token(not_claimed, me)


def test_another_agent_s_token_is_refused_and_writes_nothing(entry, me, colleague):
    handed, token = claim(me, at(10, 40))

    with pytest.raises(PermissionDenied):
        record(handed, colleague, token=token)

    untouched(entry, me)


def test_a_token_for_another_entry_is_refused_and_writes_nothing(plan, entry, me, colleague):
    handed, _token = claim(me, at(10, 40))
    listed(plan, CustomerFactory(name="李梅", phone="+8613998765432"))
    _other, others_token = claim(colleague, at(10, 41))  # the colleague's own call

    with pytest.raises(PermissionDenied):
        record(handed, colleague, token=others_token)

    untouched(entry, me)


def forged(entry, agent) -> list[str]:
    real = leases.claim_token(entry, agent)
    return [
        "forged",
        real[:-2] + ("aa" if not real.endswith("aa") else "bb"),  # a tampered signature
        # Signed, but not by the claim service (another salt: the call screen's ticket).
        signing.dumps([entry.pk, agent.pk, at(10, 40).isoformat()], salt="followups.other"),
        # The claim service's salt, but not a claim: garbled inside.
        signing.dumps([entry.pk, agent.pk], salt=leases.CLAIM_TOKEN_SALT),
        signing.dumps({"entry": entry.pk}, salt=leases.CLAIM_TOKEN_SALT),
        signing.dumps([entry.pk, agent.pk, "yesterday"], salt=leases.CLAIM_TOKEN_SALT),
    ]


@pytest.mark.parametrize("which", range(6))
def test_a_forged_or_garbled_token_is_refused_and_writes_nothing(entry, me, which):
    handed, _token = claim(me, at(10, 40))

    with pytest.raises(PermissionDenied):
        record(handed, me, token=forged(handed, me)[which])

    untouched(entry, me)


def test_without_a_token_even_the_holder_is_refused_and_nothing_is_written(entry, me):
    handed, _token = claim(me, at(10, 40))

    for token in ("", None):
        with pytest.raises(leases.NotHanded):
            record(handed, me, token=token)

    untouched(entry, me)


def test_a_late_submit_with_the_claim_s_token_after_the_lease_ran_out_is_kept_and_flagged(
    entry, me
):
    handed, token = claim(me, at(10, 40))
    assert release_expired_leases(now=at(10, 56)) == 1  # the lease ran out at 10:55

    result = record(handed, me, token=token, ended_at=at(10, 58), now=at(11, 0))

    assert (result.created, result.attempt.after_lease_lost) == (True, True)
    assert FollowUpTask.objects.get(pk=entry.task_id).status == TaskStatus.DONE


def test_a_late_submit_after_a_colleague_took_the_call_is_kept_flagged_and_leaves_it_to_them(
    entry, me, colleague
):
    handed, token = claim(me, at(10, 40))
    assert claim(colleague, at(10, 56))[0].pk == entry.pk

    result = record(handed, me, token=token, ended_at=at(10, 57), now=at(10, 58))

    assert result.attempt.after_lease_lost is True
    entry.refresh_from_db()
    assert (entry.status, entry.claimed_by) == (QueueEntryStatus.CLAIMED, colleague)


def test_the_token_of_an_earlier_claim_of_the_same_call_still_serves_its_agent(entry, me):
    _handed, earlier = claim(me, at(10, 40))
    release_expired_leases(now=at(10, 56))
    handed, _now_held = claim(me, at(15, 0))  # the same call, claimed again

    result = record(
        handed, me, token=earlier, started_at=at(15, 0), ended_at=at(15, 3), now=at(15, 4)
    )

    assert (result.attempt.agent, result.attempt.after_lease_lost) == (me, False)


def test_a_replay_returns_the_first_result_before_the_token_matters(entry, me):
    handed, token = claim(me, at(10, 40))
    first = record(handed, me, token=token)

    again = record(handed, me, token="", now=at(10, 50))

    assert (again.created, again.attempt.pk) == (False, first.attempt.pk)
    assert CallAttempt.objects.count() == 1
