"""The people search: who finds whom, masked numbers, pagination, the audit of a phone
search, and the query kept out of every URL."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from followups.models import AuditAction, AuditEvent
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def search(client, user, q, **params):
    """The search as the form makes it: the query posted, then the results' page it leads to
    (with `params`: another page)."""
    client.force_login(user)
    landed = client.post(reverse("people:search"), {"q": q})
    assert landed.status_code == 302
    return client.get(f"{landed.url}&{urlencode(params)}" if params else landed.url)


def test_it_finds_by_the_last_four_digits_and_shows_the_number_masked(client, supervisor, wang):
    response = search(client, supervisor, "5678")
    text = response.content.decode()
    assert response.status_code == 200
    assert "王小明" in text
    assert "138****5678" in text
    assert "13812345678" not in text
    assert reverse("people:detail", args=[wang.pk]) in text


def test_it_audits_a_phone_search_by_ids_and_counts_never_the_number(client, supervisor, wang):
    search(client, supervisor, "138 1234 5678")
    event = AuditEvent.objects.get(action=AuditAction.READ_LIST)
    assert event.actor == supervisor
    assert event.detail["resource"] == "people_search"
    assert event.detail["ids"] == [wang.pk]
    assert event.detail["total"] == 1
    assert "5678" not in str(event.detail)


def test_a_search_by_name_is_not_audited(client, supervisor, wang):
    search(client, supervisor, "王小明")
    assert not AuditEvent.objects.exists()


def test_an_agent_finds_only_the_people_on_their_lists_or_called(client, agent, wang, stranger):
    assert "王小明" in search(client, agent, "王").content.decode()
    response = search(client, agent, "赵六")
    assert reverse("people:detail", args=[stranger.pk]) not in response.content.decode()
    assert "0 people found" in response.content.decode()


def test_another_agent_does_not_find_him(client, other_agent, wang):
    response = search(client, other_agent, "王小明")
    text = response.content.decode()
    assert response.status_code == 200 and "0 people found" in text
    assert reverse("people:detail", args=[wang.pk]) not in text


def test_a_supervisor_finds_everyone(client, supervisor, stranger):
    # The query is echoed in the top bar's search box: look for the result's link.
    text = search(client, supervisor, "赵六").content.decode()
    assert "1 person found" in text
    assert reverse("people:detail", args=[stranger.pk]) in text


def test_results_are_paginated(client, supervisor):
    for n in range(30):
        CustomerFactory(name=f"李{n:02d}")
    first = search(client, supervisor, "李").content.decode()
    second = search(client, supervisor, "李", page=2).content.decode()
    assert "30 people found" in first
    assert "李00" in first and "李25" not in first
    assert "李25" in second and "Page 2 of 2" in second


def test_the_top_bar_has_the_search_box_for_who_may_search(client, agent, supervisor, admin_user):
    for user in (agent, supervisor, admin_user):
        client.force_login(user)
        assert 'id="people-search"' in client.get(reverse("people:search")).content.decode()


def test_a_department_head_may_not_search_people(client, wang):
    """A department head reads their departments' outcomes, never the people search."""
    head = UserFactory(username="head-a", role="department_head")
    client.force_login(head)
    assert client.get(reverse("people:search"), {"q": "王小明"}).status_code == 403
    assert client.post(reverse("people:search"), {"q": "王小明"}).status_code == 403
    assert client.get(reverse("people:detail", args=[wang.pk])).status_code == 403
    home = client.get(reverse("supervisor:calls"))
    assert home.status_code == 200 and 'id="people-search"' not in home.content.decode()


def test_nobody_found_says_what_to_try(client, supervisor, wang):
    text = search(client, supervisor, "没有这个人").content.decode()
    assert "0 people found" in text and "last four digits" in text
    assert 'id="people-results"' not in text


def test_the_name_or_number_searched_for_stands_in_no_url(client, supervisor, wang):
    """Not in the results' address (the browser's history, the access logs), nor in the
    pager's links; the search box still shows it."""
    client.force_login(supervisor)
    for query in ("13812345678", "王小明"):
        landed = client.post(reverse("people:search"), {"q": query})
        assert landed.status_code == 302
        address = parse_qs(urlsplit(landed.url).query)
        assert list(address) == ["s"] and query not in address["s"][0]
        text = client.get(landed.url).content.decode()
        assert "1 person found" in text and f'value="{query}"' in text
        assert "q=" not in text  # no link (pager, top bar) carries it


def test_the_same_search_again_lands_on_the_same_address(client, supervisor, wang):
    client.force_login(supervisor)
    first = client.post(reverse("people:search"), {"q": "王小明"}).url
    client.post(reverse("people:search"), {"q": "赵六"})
    assert client.post(reverse("people:search"), {"q": " 王小明 "}).url == first


def test_an_old_link_with_the_query_is_moved_to_a_kept_search(client, supervisor, wang):
    client.force_login(supervisor)
    moved = client.get(reverse("people:search"), {"q": "王小明"})
    assert moved.status_code == 302 and list(parse_qs(urlsplit(moved.url).query)) == ["s"]
    assert "1 person found" in client.get(moved.url).content.decode()


def test_a_search_no_longer_kept_asks_to_search_again(client, supervisor, wang):
    """The session keeps its newest searches; another session (or user) has none of them."""
    client.force_login(supervisor)
    first = client.post(reverse("people:search"), {"q": "王小明"}).url
    for n in range(20):
        client.post(reverse("people:search"), {"q": f"李{n}"})
    text = client.get(first, follow=True).content.decode()
    assert "This search is no longer kept: search again." in text and "王小明" not in text
    latest = client.post(reverse("people:search"), {"q": "王小明"}).url
    client.force_login(UserFactory(username="sup-2", role="supervisor"))
    text = client.get(latest, follow=True).content.decode()
    assert "This search is no longer kept: search again." in text and "王小明" not in text


def test_an_empty_search_goes_back_to_the_empty_page(client, supervisor):
    client.force_login(supervisor)
    landed = client.post(reverse("people:search"), {"q": "   "})
    assert landed.url == reverse("people:search")
