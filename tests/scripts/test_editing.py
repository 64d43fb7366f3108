"""The editor's node-level changes to a draft, each saved at once."""

import pytest
from django.core.exceptions import ValidationError

from scripts import services as script_service
from scripts.graph import RATING_LEVELS, validate

from .conftest import node_in

pytestmark = pytest.mark.django_db


def ids(version) -> list[str]:
    version.refresh_from_db()
    return [item["id"] for item in version.graph["nodes"]]


def test_a_node_is_added_after_the_one_named_with_a_fresh_id(draft, supervisor):
    script_service.add_node(version=draft, kind="statement", after="q_medication", actor=supervisor)
    script_service.add_node(version=draft, kind="statement", after="q_medication", actor=supervisor)
    order = ids(draft)
    position = order.index("q_medication")
    assert order[position + 1 : position + 3] == ["s_2", "s_1"]
    assert node_in(draft.graph, "s_1") == {"id": "s_1", "kind": "statement", "text": "", "next": ""}


def test_a_new_rating_question_has_its_four_levels(draft, supervisor):
    script_service.add_node(version=draft, kind="question", answer_type="rating", actor=supervisor)
    draft.refresh_from_db()
    question = draft.graph["nodes"][-1]
    assert question["id"] == "q_1"
    assert [option["value"] for option in question["options"]] == list(RATING_LEVELS)


def test_a_node_is_updated_field_by_field(draft, supervisor):
    script_service.update_node(
        version=draft,
        node_id="q_recovery",
        changes={"text": "最近身体怎么样？", "outcome_field": "", "medical": False},
        actor=supervisor,
    )
    draft.refresh_from_db()
    node = node_in(draft.graph, "q_recovery")
    assert node["text"] == "最近身体怎么样？"
    assert "medical" not in node
    assert "outcome_field" not in node


def test_a_question_turned_into_free_text_loses_its_options(draft, supervisor):
    script_service.update_node(
        version=draft, node_id="q_recovery", changes={"answer_type": "text"}, actor=supervisor
    )
    draft.refresh_from_db()
    node = node_in(draft.graph, "q_recovery")
    assert "options" not in node
    assert node["next"] == ""


def test_an_unknown_field_is_refused(draft, supervisor):
    with pytest.raises(ValidationError):
        script_service.update_node(
            version=draft, node_id="greet", changes={"id": "x"}, actor=supervisor
        )


def test_removing_a_node_leaves_visible_broken_links(draft, supervisor):
    script_service.remove_node(version=draft, node_id="s_care_advice", actor=supervisor)
    assert "s_care_advice" not in ids(draft)
    assert [(e.node_id, e.field) for e in validate(draft.graph)] == [
        ("q_symptom", "options.0.next")
    ]


def test_a_node_moves_up_and_down_the_list(draft, supervisor):
    script_service.move_node(version=draft, node_id="identity", by=-1, actor=supervisor)
    assert ids(draft)[:2] == ["identity", "greet"]
    script_service.move_node(version=draft, node_id="identity", by=-1, actor=supervisor)
    assert ids(draft)[:2] == ["identity", "greet"]


def test_an_answer_is_connected_to_a_node(draft, supervisor):
    script_service.connect_option(
        version=draft, node_id="q_recovery", position=2, target="s_urgent", actor=supervisor
    )
    draft.refresh_from_db()
    assert node_in(draft.graph, "q_recovery")["options"][2]["next"] == "s_urgent"


def test_a_connection_to_a_missing_node_is_refused(draft, supervisor):
    with pytest.raises(ValidationError):
        script_service.connect_option(
            version=draft, node_id="greet", position=None, target="nowhere", actor=supervisor
        )
    draft.refresh_from_db()
    assert node_in(draft.graph, "greet")["next"] == "identity"


def test_answers_are_added_renamed_and_removed(draft, supervisor):
    script_service.add_option(
        version=draft, node_id="q_recovery", value="unsure", label="说不好", actor=supervisor
    )
    script_service.update_option(
        version=draft, node_id="q_recovery", position=3, label="不好说", actor=supervisor
    )
    draft.refresh_from_db()
    assert node_in(draft.graph, "q_recovery")["options"][3] == {
        "value": "unsure",
        "label": "不好说",
        "next": "",
    }
    script_service.remove_option(version=draft, node_id="q_recovery", position=3, actor=supervisor)
    draft.refresh_from_db()
    assert len(node_in(draft.graph, "q_recovery")["options"]) == 3


def test_an_answer_given_no_value_gets_one_made_for_it(draft, supervisor):
    # q_recovery has three answers: the fourth, given none, is opt4, the fifth opt5.
    for label in ("说不好", "没感觉"):
        script_service.add_option(
            version=draft, node_id="q_recovery", value="  ", label=label, actor=supervisor
        )
    draft.refresh_from_db()
    options = node_in(draft.graph, "q_recovery")["options"]
    assert [(o["value"], o["label"]) for o in options[3:]] == [
        ("opt4", "说不好"),
        ("opt5", "没感觉"),
    ]


def test_a_made_value_skips_one_already_typed(draft, supervisor):
    script_service.add_option(
        version=draft, node_id="q_recovery", value="opt4", label="说不好", actor=supervisor
    )
    script_service.add_option(
        version=draft, node_id="q_recovery", value="", label="没感觉", actor=supervisor
    )
    draft.refresh_from_db()
    values = [o["value"] for o in node_in(draft.graph, "q_recovery")["options"]]
    assert values[3:] == ["opt4", "opt5"]


def test_an_answer_without_a_label_is_refused(draft, supervisor):
    with pytest.raises(ValidationError):
        script_service.add_option(
            version=draft, node_id="q_recovery", value="x", label=" ", actor=supervisor
        )


def test_a_duplicate_answer_value_is_refused(draft, supervisor):
    with pytest.raises(ValidationError):
        script_service.add_option(
            version=draft, node_id="q_recovery", value="good", label="好", actor=supervisor
        )


def test_objection_handlers_are_added_changed_and_removed(draft, supervisor):
    script_service.add_objection(
        version=draft, label="在开车", text="那我晚点再打", action="end", actor=supervisor
    )
    draft.refresh_from_db()
    assert draft.graph["objections"][-1] == {
        "id": "obj_1",
        "label": "在开车",
        "text": "那我晚点再打",
        "action": "end",
        "disposition": "callback",
    }
    script_service.update_objection(
        version=draft, objection_id="obj_1", changes={"do_not_call": "on"}, actor=supervisor
    )
    draft.refresh_from_db()
    assert draft.graph["objections"][-1]["do_not_call"] is True
    script_service.update_objection(
        version=draft,
        objection_id="obj_1",
        changes={"action": "jump", "target": "q_note"},
        actor=supervisor,
    )
    draft.refresh_from_db()
    assert draft.graph["objections"][-1] == {
        "id": "obj_1",
        "label": "在开车",
        "text": "那我晚点再打",
        "action": "jump",
        "target": "q_note",
    }
    script_service.remove_objection(version=draft, objection_id="obj_1", actor=supervisor)
    draft.refresh_from_db()
    assert [item["id"] for item in draft.graph["objections"]] == [
        "busy",
        "how_number",
        "scam",
        "complained",
        "dnc",
    ]


def test_a_draft_saved_whole_must_have_the_shape_of_a_graph(draft, supervisor):
    with pytest.raises(script_service.InvalidScript):
        script_service.save_draft(
            version=draft, graph={"schema": 9, "nodes": "x"}, actor=supervisor
        )
    unfinished = {"schema": 1, "start": "a", "nodes": [{"id": "a", "kind": "statement"}]}
    script_service.save_draft(version=draft, graph=unfinished, actor=supervisor)
    draft.refresh_from_db()
    assert draft.graph == unfinished
