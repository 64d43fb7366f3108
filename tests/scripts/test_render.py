"""render_text(): whitelisted variables only, visible gaps, and nothing a text can execute."""

import pytest
from django.utils import translation

from scripts.graph import render_text

VALUES = {
    "customer.honorific": "张先生",
    "customer.name": "张建国",
    "agent.name": "王静",
    "hospital.name": "惠民市第一人民医院",
    "patient.department": "心内科",
    "patient.doctor": "周建国",
    "patient.discharged_on": "11月10日",
    "case.product": "电子血压计",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_it_fills_in_the_known_variables():
    text = "{customer.honorific}您好！我是{hospital.name}的回访专员{agent.name}。"
    assert render_text(text, VALUES) == "张先生您好！我是惠民市第一人民医院的回访专员王静。"


def test_a_variable_may_appear_twice():
    assert render_text("{agent.name}/{agent.name}", VALUES) == "王静/王静"


def test_a_text_without_variables_is_unchanged():
    assert render_text("谢谢您的配合，再见！", VALUES) == "谢谢您的配合，再见！"


def test_missing_data_shows_a_visible_placeholder():
    text = "您是{patient.discharged_on}从{patient.department}出院的"
    assert render_text(text, {}) == "您是[discharge date?]从[patient's department?]出院的"


@pytest.mark.parametrize("empty", [None, ""])
def test_an_empty_value_counts_as_missing(empty):
    assert (
        render_text("{patient.doctor}医生", {"patient.doctor": empty}) == "[attending doctor?]医生"
    )


def test_an_unknown_variable_shows_itself_marked_unknown():
    assert render_text("{patient.diagnosis}", VALUES) == "[unknown variable: patient.diagnosis]"


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("{customer.__class__}", "[unknown variable: customer.__class__]"),
        ("{0.__globals__}", "[unknown variable: 0.__globals__]"),
        (
            "{customer.name.__class__.__mro__}",
            "[unknown variable: customer.name.__class__.__mro__]",
        ),
        ("{customer.name!r}", "[unknown variable: customer.name!r]"),
        ("{customer.name:>30}", "[unknown variable: customer.name:>30]"),
        ("{}", "{}"),
        ("{{customer.name}}", "{张建国}"),
        ("%(customer.name)s", "%(customer.name)s"),
    ],
)
def test_nothing_but_a_whitelisted_name_is_ever_looked_up(text, rendered):
    assert render_text(text, VALUES) == rendered


def test_a_value_is_inserted_once_never_read_again_as_a_placeholder():
    values = {**VALUES, "customer.name": "{agent.name}{0.__globals__}"}
    assert render_text("您是{customer.name}吗", values) == "您是{agent.name}{0.__globals__}吗"


def test_the_result_is_plain_text_escaping_is_left_to_the_template():
    values = {**VALUES, "case.product": "<b>血压计</b>"}
    assert render_text("{case.product}", values) == "<b>血压计</b>"


def test_it_never_crashes_on_a_text_that_is_not_a_string():
    assert render_text(None, VALUES) == ""
