"""The one runner (scripts.runner): what the agent sees at a step of a script, from the graph,
the path, the person's values and the identity state alone: no request, no database. The
call screen and the editor's preview both show what it returns."""

import copy

from django.utils import translation

from scripts import runner
from scripts.graph import replay
from tests.demo_script import TO_SATISFACTION

from .conftest import demo_graph, minimal_graph, node_in

VALUES = {
    "customer.honorific": "张先生",
    "customer.name": "张建国",
    "agent.name": "王静",
    "hospital.name": "示例医院",
    "patient.department": "心内科",
    "patient.doctor": "周建国",
    "patient.discharged_on": "11月10日",
    "case.product": None,
}


def run(graph, tokens, *, sensitive=False, identity_confirmed=False, values=VALUES):
    return runner.run(
        graph, tokens, values=values, sensitive=sensitive, identity_confirmed=identity_confirmed
    )


def medical_first_graph() -> dict:
    """The minimal graph whose greeting names the patient's department: medical before the
    identity is checked."""
    graph = minimal_graph()
    node_in(graph, "greet")["text"] = "{customer.honorific}您好，这里是{patient.department}"
    return graph


# --- Where the call is --------------------------------------------------------------------


def test_the_start_node_waits_with_its_text_filled_in():
    screen = run(minimal_graph(), [])
    assert screen.steps == ()
    assert (screen.current.id, screen.current.kind, screen.current.text) == (
        "greet",
        "greeting",
        "张先生您好！我是示例医院的回访专员王静。",
    )
    assert (screen.ended, screen.can_go_back, screen.path) == (False, False, ())


def test_each_answer_becomes_a_step_with_its_label():
    screen = run(minimal_graph(), ["greet", "identity:family"])
    assert [(step.id, step.answer) for step in screen.steps] == [
        ("greet", None),
        ("identity", "家属接听"),
        ("close_family", None),
    ]
    assert screen.steps[1].text == "请问您是张建国本人吗？"


def test_a_token_that_does_not_fit_stops_the_path_there():
    screen = run(minimal_graph(), ["greet", "identity:maybe", "q1:good"])
    assert screen.path == ("greet",)
    assert screen.current.id == "identity"
    assert screen.can_go_back


def test_a_value_missing_shows_as_a_gap_not_as_nothing():
    with translation.override("en"):
        screen = run(minimal_graph(), [], values={**VALUES, "customer.honorific": None})
    assert screen.current.text == (
        "[customer's honorific (张先生)?]您好！我是示例医院的回访专员王静。"
    )


# --- The identity gate ------------------------------------------------------------------


def test_medical_text_is_shown_to_a_patient_who_is_not_sensitive():
    screen = run(medical_first_graph(), [])
    assert (screen.current.hidden, screen.current.is_medical) == (False, True)
    assert screen.current.text == "张先生您好，这里是心内科"


def test_a_sensitive_patient_hears_no_medical_text_before_the_identity_check():
    screen = run(medical_first_graph(), [], sensitive=True)
    assert (screen.current.hidden, screen.current.text) == (True, None)
    assert not screen.identity_confirmed


def test_steps_walked_before_the_identity_check_stay_hidden_after_it():
    screen = run(medical_first_graph(), ["greet", "identity:yes"], sensitive=True)
    greet, identity = screen.steps
    assert greet.text is None
    assert identity.text == "请问您是张建国本人吗？"
    # After the yes, the medical question is read out.
    assert screen.identity_confirmed
    assert (screen.current.id, screen.current.hidden, screen.current.text) == (
        "q1",
        False,
        "恢复得怎么样？",
    )


def test_a_no_at_the_identity_check_keeps_medical_text_hidden():
    graph = minimal_graph()
    node_in(graph, "identity")["options"][2]["next"] = "q1"
    screen = run(graph, ["greet", "identity:no"], sensitive=True)
    assert not screen.identity_confirmed
    assert (screen.current.id, screen.current.hidden) == ("q1", True)


def test_an_identity_confirmed_on_another_follow_up_of_the_call_opens_the_gate():
    screen = run(medical_first_graph(), [], sensitive=True, identity_confirmed=True)
    assert screen.identity_confirmed
    assert (screen.current.hidden, screen.current.text) == (False, "张先生您好，这里是心内科")


def test_objection_handlers_are_never_hidden():
    screen = run(medical_first_graph(), ["!busy"], sensitive=True)
    (handler,) = screen.steps
    assert (handler.is_objection, handler.label, handler.text) == (True, "没空", "那我改天再打")


# --- Answers, objections, the end ---------------------------------------------------------


def test_the_answers_of_a_node_are_keyed_buttons_with_their_tokens():
    current = run(minimal_graph(), ["greet"]).current
    assert current.answer_kind == "options"
    assert [(option.key, option.label, option.token) for option in current.options] == [
        (1, "是本人", "identity:yes"),
        (2, "家属接听", "identity:family"),
        (3, "不是", "identity:no"),
    ]
    assert [choice.token for choice in current.choices] == [
        "identity:yes",
        "identity:family",
        "identity:no",
    ]


def test_only_nine_answers_get_a_key():
    graph = minimal_graph()
    node_in(graph, "q1")["options"] = [
        {"value": f"v{n}", "label": f"答{n}", "next": "close_ok"} for n in range(1, 12)
    ]
    options = run(graph, ["greet", "identity:yes"]).current.options
    assert [option.key for option in options] == [1, 2, 3, 4, 5, 6, 7, 8, 9, None, None]


def test_how_each_kind_of_node_takes_its_answer():
    graph = demo_graph()
    assert run(graph, []).current.answer_kind == "go_on"
    assert run(graph, []).current.go_on_token == "greet"
    with translation.override("en"):
        at_note = run(graph, [*TO_SATISFACTION, "q_satisfaction:satisfied"]).current
    assert (at_note.id, at_note.answer_kind, at_note.answer_type) == ("q_note", "free", "text")
    # The preview, where nothing is typed, goes on with one link.
    assert [(c.label, c.token) for c in at_note.choices] == [("Answer noted, go on", "q_note")]
    ticked = demo_graph("after-sales")
    problem = next(item for item in ticked["nodes"] if item.get("answer_type") == "multiple")
    walk_there = copy.deepcopy(ticked)
    walk_there["start"] = problem["id"]
    assert run(walk_there, []).current.answer_kind == "multiple"


def test_an_objection_that_returns_is_said_and_the_call_goes_on_where_it_was():
    screen = run(demo_graph(), ["greet", "!how_number"])
    assert screen.objection_said.label == "怎么有我电话"
    assert screen.objection_said.action == "return"
    assert screen.current.id == "identity"
    tokens = [handler.token for handler in screen.objections]
    assert tokens == ["!busy", "!how_number", "!scam", "!complained", "!dnc"]


def test_a_closing_ends_the_call_with_its_disposition():
    screen = run(minimal_graph(), ["greet", "identity:yes", "q1:good"])
    assert (screen.ended, screen.current, screen.objections) == (True, None, ())
    assert (screen.final.id, screen.final.is_closing, screen.final.text) == (
        "close_ok",
        True,
        "感谢您的配合，祝您生活愉快，再见！",
    )
    assert screen.disposition == "complete"
    with translation.override("en"):
        assert str(screen.disposition_label) == "Reached: complete"


def test_an_objection_that_ends_the_call_ends_it_with_its_disposition():
    screen = run(minimal_graph(), ["greet", "!busy"])
    assert screen.ended
    assert (screen.final.is_objection, screen.disposition) == (True, "callback")


# --- What the answers tell the outcome form -----------------------------------------------


def test_a_rating_tells_the_satisfaction():
    screen = run(demo_graph(), [*TO_SATISFACTION, "q_satisfaction:neutral"])
    assert screen.prefill == {"satisfaction": "neutral"}


def test_a_red_flag_tells_an_urgent_medical_escalation():
    screen = run(demo_graph(), ["greet", "identity:yes", "s_purpose", "q_recovery:poor"])
    screen = run(demo_graph(), [*screen.path, "q_symptom:yes"])
    assert screen.prefill == {
        "escalation_category": "medical",
        "escalation_severity": "urgent",
        "escalation_description": node_in(demo_graph(), "q_symptom")["options"][1]["label"],
    }


def test_an_ending_handler_tells_its_disposition_and_may_tick_do_not_call():
    screen = run(demo_graph(), ["greet", "!dnc"])
    assert screen.prefill == {"disposition": "refused", "do_not_call": "on"}


def test_the_walk_to_the_end_tells_the_closing_disposition():
    path = [*TO_SATISFACTION, "q_satisfaction:satisfied", "q_note:希望停车方便些"]
    screen = run(demo_graph(), path)
    assert screen.prefill == {"satisfaction": "satisfied", "disposition": "complete"}


# --- The path as it is recorded, and the identity asked once a call ------------------------


def test_the_answers_recorded_are_every_step_with_the_handlers_action():
    walk = replay(minimal_graph(), ["greet", "!busy"])
    assert runner.answers_of(walk) == [
        {"node_id": "greet", "value": "", "is_objection": False},
        {"node_id": "busy", "value": "end", "is_objection": True},
    ]
    assert runner.answers_of(None) == []


def test_the_identity_prefix_goes_past_the_greetings_and_the_identity_yes():
    assert runner.identity_prefix(demo_graph()) == ["greet", "identity:yes"]


def test_a_script_that_does_not_open_with_the_identity_check_has_no_prefix():
    graph = minimal_graph()
    node_in(graph, "greet")["next"] = "q1"
    assert runner.identity_prefix(graph) == []
