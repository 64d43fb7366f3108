"""The claim of the next call as a database function, `huifang_claim(…)`.

Until now the claim was a statement PREPAREd on each database connection and run with
`EXECUTE`: tied to the session, it failed (SQLSTATE 26000) behind a transaction-mode
pooler such as PgBouncer or after `DISCARD ALL`, and could not be sent by psycopg 3 in one
message. A PL/pgSQL function keeps what the prepared statement gave, without the session:

- the plan of each statement inside is made once per server session and kept
  (`plan_cache_mode = force_generic_plan` is set on the function: planning anew would
  cost more than running); a pooler handing the next transaction another session, or a
  `DISCARD ALL`, only makes the server plan again;
- the agent's advisory lock is taken inside, first thing, so that two requests of one
  agent are answered one after the other (each statement of the function reads a fresh
  snapshot: the second sees the claim the first committed);
- the caller sends one plain `SELECT … FROM huifang_claim(…)`, whatever the driver.

What it does (the rules are followups/services/claims.py's, which judges the groups of
customers inside or outside their hours and passes them in): the call the agent already
holds under a live lease, its lease renewed; else the first that may be called now of the
agent's own waiting entries, their own with a run-out lease, then (with `p_pool`) the
team pool's waiting and run-out entries — each locked with SKIP LOCKED so that concurrent
claims pass each other, taken under a new lease. It returns the entry, its task, case and
customer as rows of their tables (read after the take, in the function's own snapshot),
whether it was already held, the patient's department and the script version to use.

Parameters: agent, day, now, lease until, pool allowed, closed groups, callbacks-only
groups (a group is "plan id|timezone"), calls a day to one person.
"""

from django.db import migrations

# ruff: noqa: S608 (the statements are the code's own text, nothing from outside)

GROUP = "(COALESCE(c.plan_id, 0)::text || '|' || cu.timezone)"
CALLBACK_DUE = "(t.kind = 'callback' AND t.callback_at <= p_now)"


def candidate(*, own: bool, expired: bool) -> str:
    """The first entry of one kind that may be called now, locked, into v_id."""
    available = (
        "e.status = 'claimed' AND e.lease_expires_at < p_now" if expired else "e.status = 'waiting'"
    )
    visible = (
        "e.assigned_agent_id = p_agent"
        if own
        else "(e.assigned_agent_id IS NULL OR e.assigned_agent_id <> p_agent)"
    )
    # Values are written into the statement, not passed: the partial index on waiting
    # entries is used only when the planner sees the value itself.
    return f"""
    SELECT e.id INTO v_id FROM followups_queueentry e
      JOIN followups_followuptask t ON t.id = e.task_id
      JOIN followups_case c ON c.id = t.case_id
      JOIN followups_customer cu ON cu.id = c.customer_id
     WHERE e.call_list_id = v_list AND {available} AND {visible}
       AND t.status = 'pending' AND c.status = 'open' AND NOT cu.do_not_call
       -- one person, one conversation: nobody else is on a call with them now
       AND NOT EXISTS (SELECT 1 FROM followups_queueentry h
                        WHERE h.customer_id = e.customer_id AND h.id <> e.id
                          AND h.status = 'claimed' AND h.lease_expires_at >= p_now)
       -- the day's limit of calls to a person; a callback they booked is kept all the same
       AND (e.calls_made < p_calls_a_day OR (t.kind = 'callback' AND t.callback_at IS NOT NULL))
       AND ({CALLBACK_DUE} OR ((t.kind <> 'callback' OR t.callback_at IS NULL)
            AND (t.earliest_at IS NULL OR t.earliest_at <= p_now)))
       AND (cardinality(p_closed) = 0 OR NOT {GROUP} = ANY(p_closed))
       AND (cardinality(p_callbacks_only) = 0 OR NOT {GROUP} = ANY(p_callbacks_only)
            OR {CALLBACK_DUE})
     ORDER BY e.priority, e.id LIMIT 1 FOR UPDATE OF e SKIP LOCKED;"""


def searches() -> str:
    """Own waiting, own run out, then (pool allowed) the pool's waiting and run out."""
    steps = []
    for own in (True, False):
        for expired in (False, True):
            guard = "v_id IS NULL" + ("" if own else " AND p_pool")
            steps.append(f"  IF {guard} THEN{candidate(own=own, expired=expired)}\n  END IF;")
    return "\n".join(steps)


CREATE = f"""
CREATE OR REPLACE FUNCTION huifang_claim(
    p_agent integer, p_day date, p_now timestamptz, p_lease_until timestamptz,
    p_pool boolean, p_closed text[], p_callbacks_only text[], p_calls_a_day integer)
RETURNS TABLE (entry followups_queueentry, task followups_followuptask,
               "case" followups_case, customer followups_customer, was_held boolean,
               department_name varchar, script_version bigint)
LANGUAGE plpgsql VOLATILE ROWS 1
SET plan_cache_mode = force_generic_plan
AS $function$
DECLARE
  v_list bigint;
  v_id bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(4817001, p_agent);
  UPDATE followups_queueentry e SET lease_expires_at = p_lease_until
   WHERE e.id = (SELECT h.id FROM followups_queueentry h
                  WHERE h.claimed_by_id = p_agent AND h.status = 'claimed'
                    AND h.lease_expires_at >= p_now ORDER BY h.id LIMIT 1)
  RETURNING e.* INTO entry;
  was_held := FOUND;
  IF NOT was_held THEN
    SELECT l.id INTO v_list FROM followups_calllist l WHERE l.day = p_day;
    IF v_list IS NULL THEN
      RETURN;
    END IF;
{searches()}
    IF v_id IS NULL THEN
      RETURN;
    END IF;
    UPDATE followups_queueentry e SET status = 'claimed', claimed_by_id = p_agent,
           claimed_at = p_now, lease_expires_at = p_lease_until
     WHERE e.id = v_id
    RETURNING e.* INTO entry;
  END IF;
  SELECT t.* INTO task FROM followups_followuptask t WHERE t.id = (entry).task_id;
  SELECT c.* INTO "case" FROM followups_case c WHERE c.id = (task).case_id;
  SELECT cu.* INTO customer FROM followups_customer cu WHERE cu.id = ("case").customer_id;
  SELECT d.name INTO department_name FROM followups_patient p
    JOIN followups_department d ON d.id = p.department_id WHERE p.id = ("case").patient_id;
  -- The step's own script, else the case kind's: the first published version.
  SELECT COALESCE(
    (SELECT v.id FROM followups_scriptversion v JOIN followups_planstep s
         ON s.script_id = v.script_id
      WHERE s.id = (task).step_id AND v.status = 'published' ORDER BY v.id LIMIT 1),
    (SELECT v.id FROM followups_scriptversion v JOIN followups_callscript k
         ON k.id = v.script_id
      WHERE k.case_kind = ("case").kind AND v.status = 'published' ORDER BY v.id LIMIT 1))
    INTO script_version;
  RETURN NEXT;
END
$function$;
"""

DROP = (
    "DROP FUNCTION IF EXISTS huifang_claim("
    "integer, date, timestamptz, timestamptz, boolean, text[], text[], integer)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("followups", "0013_one_entry_per_person_constraints")]

    operations = [migrations.RunPython(create, drop)]
