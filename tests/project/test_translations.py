"""Words with two meanings get two translations (msgctxt), and the catalogue is complete."""

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext

from scripts import graph as script_graph


def test_the_chinese_catalogue_has_nothing_left_untranslated():
    catalogue = polib.pofile(str(settings.BASE_DIR / "locale/zh_Hans/LC_MESSAGES/django.po"))
    assert [e.msgid for e in catalogue.untranslated_entries() + catalogue.fuzzy_entries()] == []


def test_a_number_to_type_and_an_escalations_number_differ_in_chinese():
    with translation.override("zh-hans"):
        assert str(script_graph.ANSWER_TYPE_LABELS["number"]) == "数字"
        assert pgettext("an escalation's number", "Number") == "编号"


@pytest.mark.django_db
def test_the_users_page_heads_its_names_of_people_in_chinese(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("config:users"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<th>姓名</th>" in html
