"""The person's name opens their page (people:detail) wherever the agent meets them: a row
of the list (waiting or done), the call screen (in a new tab, the call stays open) and
"my callbacks"; and the page opens for the agent."""

import pytest
from django.urls import reverse

from followups.models import QueueEntryStatus, TaskKind
from tests.agent.conftest import at, html_of, listed_entry, when
from tests.factories import CallAttemptFactory

pytestmark = pytest.mark.django_db


def person_url(entry) -> str:
    return reverse("people:detail", args=[entry.task.case.customer_id])


def row_of(html: str, marker: str) -> str:
    return html[html.index(marker) :].split("</tr>")[0]


def test_each_row_of_my_list_links_the_persons_page(client, as_agent, agent, plan, version):
    waiting = listed_entry(plan, agent, name="张三", phone="+8613812345678")
    done = listed_entry(plan, agent, name="李梅", phone="+8613998765432")
    CallAttemptFactory(task=done.task, queue_entry=done, agent=agent, started_at=at(10, 35))
    done.status = QueueEntryStatus.DONE
    done.save()

    with when(at(10, 45)):
        html = html_of(client.get(reverse("agent:home")))

    assert f'<a href="{person_url(waiting)}"' in row_of(html, f'data-entry="{waiting.pk}"')
    assert f'<a href="{person_url(done)}"' in row_of(html, f'data-entry="{done.pk}"')
    assert ">张先生</a>" in row_of(html, f'data-entry="{waiting.pk}"')


def test_the_call_screen_opens_the_persons_page_in_a_new_tab(client, as_agent, held):
    with when(at(10, 41)):
        html = html_of(client.get(reverse("agent:call", args=[held.pk])))

    header = html[html.index('id="customer-name"') :].split("</h1>")[0]
    assert f'href="{person_url(held)}" target="_blank" rel="noopener"' in header
    assert "张三" in header


def test_my_callbacks_link_the_persons_page(client, as_agent, agent, plan):
    entry = listed_entry(plan, agent)
    CallAttemptFactory(task=entry.task, agent=agent, disposition="callback", started_at=at(9))
    entry.task.kind, entry.task.callback_at = TaskKind.CALLBACK, at(16, 0)
    entry.task.save()

    with when(at(10, 45)):
        html = html_of(client.get(reverse("agent:callbacks")))

    assert f'<a href="{person_url(entry)}"' in row_of(html, f'data-task="{entry.task_id}"')


def test_the_agent_may_open_the_page_of_a_person_on_their_list(client, as_agent, agent, plan):
    entry = listed_entry(plan, agent)

    with when(at(10, 45)):
        html = html_of(client.get(person_url(entry)))

    assert 'id="person-name">张三' in html
