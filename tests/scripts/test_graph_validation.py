"""validate(): each rule of a script graph, on tiny hand-made graphs, and the demo scripts."""

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from followups.demo import SCRIPTS
from followups.models import Disposition, Satisfaction
from scripts import graph as script_graph
from scripts.graph import GraphError, validate

from .conftest import minimal_graph, node_in


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def where(errors: list[GraphError]) -> list[tuple]:
    return [(error.node_id, error.field) for error in errors]


@pytest.mark.parametrize("spec", SCRIPTS, ids=lambda spec: spec.code)
def test_the_four_demo_scripts_validate_clean(spec):
    assert validate(spec.graph) == []


def test_a_minimal_graph_validates_clean():
    assert validate(minimal_graph()) == []


def test_it_refuses_an_unknown_schema_version():
    graph = minimal_graph()
    graph["schema"] = 2
    errors = validate(graph)
    assert where(errors) == [(None, "schema")]
    assert errors[0].message == "Unknown script schema 2; this version reads schema 1."


def test_it_reports_a_graph_that_is_not_an_object():
    assert where(validate(["not", "a", "graph"])) == [(None, None)]


def test_it_reports_two_nodes_with_one_id():
    graph = minimal_graph()
    graph["nodes"].append({"id": "q1", "kind": "closing", "text": "x", "disposition": "complete"})
    assert (("q1", "id")) in where(validate(graph))


def test_it_reports_a_start_that_does_not_exist():
    graph = minimal_graph()
    graph["start"] = "hello"
    assert where(validate(graph)) == [(None, "start")]


def test_it_reports_a_node_no_path_comes_to():
    graph = minimal_graph()
    graph["nodes"].append({"id": "lost", "kind": "closing", "text": "x", "disposition": "complete"})
    errors = validate(graph)
    assert where(errors) == [("lost", None)]
    assert errors[0].message == "No path from the start comes to this node."


def test_it_reports_a_dead_end():
    graph = minimal_graph()
    node_in(graph, "q1")["options"][1]["next"] = "s1"
    graph["nodes"].append({"id": "s1", "kind": "statement", "text": "好的"})
    errors = validate(graph)
    assert where(errors) == [("s1", "next")]
    assert errors[0].message == "Choose what comes next: this is a dead end."


def test_it_reports_an_answer_that_leads_nowhere():
    graph = minimal_graph()
    node_in(graph, "q1")["options"][0]["next"] = "q9"
    errors = validate(graph)
    assert where(errors) == [("q1", "options.0.next")]
    assert errors[0].message == "The answer “不错” leads to “q9”, which does not exist."


def test_it_reports_an_answer_without_a_next_node():
    graph = minimal_graph()
    node_in(graph, "q1")["options"][0]["next"] = ""
    assert where(validate(graph)) == [("q1", "options.0.next")]


def test_it_reports_a_loop_without_an_exit():
    graph = minimal_graph()
    node_in(graph, "q1")["options"][1]["next"] = "s1"
    graph["nodes"] += [
        {"id": "s1", "kind": "statement", "text": "一", "next": "s2"},
        {"id": "s2", "kind": "statement", "text": "二", "next": "s1"},
    ]
    errors = validate(graph)
    assert where(errors) == [("s1", None), ("s2", None)]
    assert errors[0].message == "This node is in a loop with no way out to a closing."


def test_a_loop_with_a_way_out_is_fine():
    graph = minimal_graph()
    # "Could you say that again?" goes back to the question, which can still close.
    node_in(graph, "q1")["options"].append({"value": "again", "label": "没听清", "next": "s1"})
    graph["nodes"].append({"id": "s1", "kind": "statement", "text": "我再说一遍", "next": "q1"})
    assert validate(graph) == []


def test_it_reports_an_unknown_variable_in_a_text_and_a_label():
    graph = minimal_graph()
    node_in(graph, "q1")["text"] = "{patient.diagnosis}恢复得怎么样？"
    node_in(graph, "q1")["options"][0]["label"] = "{customer.phone}"
    errors = validate(graph)
    assert where(errors) == [("q1", "text"), ("q1", "options.0.label")]
    assert errors[0].message == "Unknown variable {patient.diagnosis}; use one from the list."


def test_every_known_variable_is_accepted():
    graph = minimal_graph()
    node_in(graph, "q1")["text"] = "".join(f"{{{name}}}" for name in script_graph.KNOWN_VARIABLES)
    assert validate(graph) == []


@pytest.mark.parametrize(
    "values",
    [
        ["satisfied", "neutral", "dissatisfied"],
        ["satisfied", "neutral", "dissatisfied", "poor", "awful"],
        ["good", "neutral", "dissatisfied", "poor"],
    ],
)
def test_a_rating_has_exactly_the_four_levels(values):
    graph = minimal_graph()
    q1 = node_in(graph, "q1")
    q1["answer_type"] = "rating"
    q1["options"] = [{"value": value, "label": value, "next": "close_ok"} for value in values]
    assert where(validate(graph)) == [("q1", "options")]


def test_a_rating_with_the_four_levels_is_fine():
    graph = minimal_graph()
    q1 = node_in(graph, "q1")
    q1.update(answer_type="rating", outcome_field="satisfaction")
    q1["options"] = [
        {"value": value, "label": label, "next": "close_ok"}
        for value, label in script_graph.RATING_LABELS.items()
    ]
    assert validate(graph) == []


@pytest.mark.parametrize("answer_type", ["single", "multiple", "rating"])
def test_a_choice_question_needs_its_options(answer_type):
    graph = minimal_graph()
    q1 = node_in(graph, "q1")
    q1["answer_type"] = answer_type
    q1["options"] = []
    q1["next"] = "close_ok"
    assert ("q1", "options") in where(validate(graph))


@pytest.mark.parametrize("answer_type", ["text", "number", "date"])
def test_a_typed_answer_goes_on_to_its_next_node(answer_type):
    graph = minimal_graph()
    q1 = node_in(graph, "q1")
    q1["answer_type"] = answer_type
    del q1["options"]
    # close_ok was reached only through the options.
    assert where(validate(graph)) == [("q1", "next"), ("close_ok", None)]
    q1["next"] = "close_ok"
    assert validate(graph) == []


def test_a_typed_answer_has_no_options():
    graph = minimal_graph()
    node_in(graph, "q1").update(answer_type="text", next="close_ok")
    assert where(validate(graph)) == [("q1", "options")]


def test_a_multiple_choice_question_may_go_on_from_its_own_next():
    graph = minimal_graph()
    q1 = node_in(graph, "q1")
    q1.update(answer_type="multiple", next="close_ok")
    for option in q1["options"]:
        option["next"] = ""
    assert validate(graph) == []


def test_an_unknown_answer_type_is_reported():
    graph = minimal_graph()
    node_in(graph, "q1")["answer_type"] = "slider"
    assert where(validate(graph)) == [("q1", "answer_type")]


@pytest.mark.parametrize("disposition", [None, "", "hung_up"])
def test_a_closing_needs_a_valid_disposition(disposition):
    graph = minimal_graph()
    node_in(graph, "close_ok")["disposition"] = disposition
    errors = validate(graph)
    assert where(errors) == [("close_ok", "disposition")]
    assert errors[0].message == "Choose how a call that ends here is recorded."


def test_an_outcome_field_needs_matching_answer_values():
    graph = minimal_graph()
    node_in(graph, "q1")["outcome_field"] = "red_flag"
    assert where(validate(graph)) == [("q1", "options")]


def test_an_identity_check_needs_the_yes_answer():
    graph = minimal_graph()
    node_in(graph, "identity")["options"][0]["value"] = "self"
    assert ("identity", "options") in where(validate(graph))


def test_a_jump_objection_needs_a_target_that_exists():
    graph = minimal_graph()
    graph["objections"].append(
        {"id": "complained", "label": "投诉过", "text": "抱歉", "action": "jump", "target": "s9"}
    )
    errors = validate(graph)
    assert where(errors) == [(None, "objections.complained.target")]
    assert errors[0].message == "The node “s9” does not exist."


def test_an_objection_that_ends_the_call_needs_a_disposition():
    graph = minimal_graph()
    del graph["objections"][0]["disposition"]
    assert where(validate(graph)) == [(None, "objections.busy.disposition")]


@pytest.mark.parametrize(
    ("action", "flag", "valid"),
    [
        ("end", True, True),
        ("end", False, True),
        ("end", "yes", False),
        ("return", True, False),
    ],
)
def test_only_an_ending_objection_can_put_the_customer_on_do_not_call(action, flag, valid):
    graph = minimal_graph()
    graph["objections"][0].update(action=action, do_not_call=flag)
    expected = [] if valid else [(None, "objections.busy.do_not_call")]
    assert where(validate(graph)) == expected


def test_an_objection_needs_a_known_action():
    graph = minimal_graph()
    graph["objections"][0]["action"] = "shout"
    assert where(validate(graph)) == [(None, "objections.busy.action")]


def test_for_sensitive_patients_the_call_opens_with_the_identity_check():
    graph = minimal_graph()
    graph["start"] = "q1"
    errors = validate(graph)
    assert ("q1", "kind") in where(errors)
    # Without sensitive patients only the nodes the greeting no longer reaches remain.
    assert where(validate(graph, for_sensitive=False)) == [
        ("greet", None),
        ("identity", None),
        ("close_family", None),
        ("close_wrong", None),
    ]


def test_the_identity_check_may_be_the_very_first_node():
    graph = minimal_graph()
    graph["start"] = "identity"
    graph["nodes"].pop(0)
    assert validate(graph) == []


def test_a_medical_node_reachable_without_the_identity_yes_is_reported():
    graph = minimal_graph()
    # A relative answering would now hear the medical question.
    node_in(graph, "identity")["options"][1]["next"] = "q1"
    graph["nodes"].remove(node_in(graph, "close_family"))
    errors = validate(graph)
    assert where(errors) == [("q1", "medical")]
    assert where(validate(graph, for_sensitive=False)) == []


def test_a_node_that_says_patient_data_counts_as_medical():
    graph = minimal_graph()
    node_in(graph, "greet")["text"] = "您好，您是{patient.department}的患者吗？"
    assert where(validate(graph)) == [("greet", "medical")]


def test_an_objection_jumping_into_the_medical_part_is_reported():
    graph = minimal_graph()
    graph["objections"].append(
        {"id": "again", "label": "再说一遍", "text": "好的", "action": "jump", "target": "q1"}
    )
    assert where(validate(graph)) == [("q1", "medical")]


def test_an_objection_may_not_say_patient_data():
    graph = minimal_graph()
    graph["objections"][0]["text"] = "{patient.doctor}医生让我打的"
    assert where(validate(graph)) == [(None, "objections.busy.text")]


def test_errors_come_graph_wide_first_then_by_node_then_objections():
    graph = minimal_graph()
    graph["start"] = ""
    graph["objections"][0]["action"] = "?"
    node_in(graph, "close_ok")["disposition"] = "?"
    assert [error.field for error in validate(graph)] == [
        "start",
        "disposition",
        "objections.busy.action",
    ]


def test_the_dispositions_are_those_of_the_call_records():
    assert set(script_graph.DISPOSITIONS) == set(Disposition.values)
    assert set(script_graph.RATING_LEVELS) == set(Satisfaction.values)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["id", "kind", "text", "next", "options", "value", "label", "answer_type", "start"]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(
    nodes=st.lists(json_values, max_size=5),
    objections=json_values,
    start=json_values,
)
def test_validate_never_raises_on_malformed_input(nodes, objections, start):
    graph = {"schema": 1, "start": start, "nodes": nodes, "objections": objections}
    errors = validate(graph)
    assert all(isinstance(error, GraphError) for error in errors)
    script_graph.to_svg(graph)
