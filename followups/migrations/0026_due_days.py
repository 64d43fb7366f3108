"""The follow-up rate's counts of each settled due day (issue 18; models/report_days.DueDay,
services/due_days.py), and on PostgreSQL the triggers that delete a day's row in the
statement that changes what it counts: a task due that day (inserted, deleted, a counted
field updated; its due date moved: both days), its case's person, patient or kind, its patient's department or
date of death, whether its person has a phone number.
Each trigger takes a shared advisory lock (18, the day's number since 2000-01-01) on the
days it drops, which the count takes exclusively (services/due_days.py), and refuses to run
under an isolation level other than READ COMMITTED, where it could miss a row.

Nothing is filled here: the morning build counts the settled days, and until then the
reports count the tasks as before."""

from django.db import migrations, models

FORGET = """
CREATE FUNCTION followups_due_days_forget(days date[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- Each statement sees what committed before it (READ COMMITTED): the DELETE, the
    -- row a count committed while this waited for its lock. A transaction's first
    -- snapshot (REPEATABLE READ, SERIALIZABLE) would not, and leave that row standing.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'the due days (migration 0026) are kept under READ COMMITTED only, '
            'not %', current_setting('transaction_isolation');
    END IF;
    PERFORM pg_advisory_xact_lock_shared(18, day - date '2000-01-01')
    FROM (SELECT DISTINCT unnest(days) AS day ORDER BY 1) AS changed;
    DELETE FROM followups_dueday WHERE day = ANY(days);
END $$;

CREATE FUNCTION followups_task_forgets_due_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM followups_due_days_forget(ARRAY(SELECT due_date FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM followups_due_days_forget(ARRAY(SELECT due_date FROM old_rows));
    ELSE  -- the days of the tasks whose counted fields changed, before and after
        PERFORM followups_due_days_forget(ARRAY(
            SELECT unnest(ARRAY[o.due_date, n.due_date])
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.due_date, o.status, o.attempts, o.reached, o.last_agent_id,
                    o.last_disposition, o.case_id)
                IS DISTINCT FROM (n.due_date, n.status, n.attempts, n.reached,
                    n.last_agent_id, n.last_disposition, n.case_id)));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER due_days_task_insert AFTER INSERT ON followups_followuptask
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION followups_task_forgets_due_days();
CREATE TRIGGER due_days_task_update AFTER UPDATE ON followups_followuptask
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION followups_task_forgets_due_days();
CREATE TRIGGER due_days_task_delete AFTER DELETE ON followups_followuptask
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION followups_task_forgets_due_days();

CREATE FUNCTION followups_case_forgets_due_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM followups_due_days_forget(ARRAY(
        SELECT t.due_date
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        JOIN followups_followuptask t ON t.case_id = o.id
        WHERE (o.customer_id, o.patient_id, o.kind)
            IS DISTINCT FROM (n.customer_id, n.patient_id, n.kind)));
    RETURN NULL;
END $$;

CREATE TRIGGER due_days_case_update AFTER UPDATE ON followups_case
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION followups_case_forgets_due_days();

CREATE FUNCTION followups_patient_forgets_due_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM followups_due_days_forget(ARRAY(
        SELECT t.due_date
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        JOIN followups_case c ON c.patient_id = o.id
        JOIN followups_followuptask t ON t.case_id = c.id
        WHERE (o.department_id, o.died_on) IS DISTINCT FROM (n.department_id, n.died_on)));
    RETURN NULL;
END $$;

CREATE TRIGGER due_days_patient_update AFTER UPDATE ON followups_patient
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION followups_patient_forgets_due_days();

CREATE FUNCTION followups_customer_forgets_due_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM followups_due_days_forget(ARRAY(
        SELECT t.due_date
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        JOIN followups_case c ON c.customer_id = o.id
        JOIN followups_followuptask t ON t.case_id = c.id
        WHERE (o.phone = '') IS DISTINCT FROM (n.phone = '')));
    RETURN NULL;
END $$;

CREATE TRIGGER due_days_customer_update AFTER UPDATE ON followups_customer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION followups_customer_forgets_due_days();
"""

FORGET_NO_MORE = """
DROP TRIGGER due_days_customer_update ON followups_customer;
DROP FUNCTION followups_customer_forgets_due_days();
DROP TRIGGER due_days_patient_update ON followups_patient;
DROP FUNCTION followups_patient_forgets_due_days();
DROP TRIGGER due_days_case_update ON followups_case;
DROP FUNCTION followups_case_forgets_due_days();
DROP TRIGGER due_days_task_delete ON followups_followuptask;
DROP TRIGGER due_days_task_update ON followups_followuptask;
DROP TRIGGER due_days_task_insert ON followups_followuptask;
DROP FUNCTION followups_task_forgets_due_days();
DROP FUNCTION followups_due_days_forget(date[]);
"""


def _on_postgresql(statements: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statements, params=None)  # its % are its own

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0025_report_days"),
    ]

    operations = [
        migrations.CreateModel(
            name="DueDay",
            fields=[
                (
                    "day",
                    models.DateField(primary_key=True, serialize=False, verbose_name="due day"),
                ),
                (
                    "agents",
                    models.JSONField(default=list, verbose_name="by agent of the last call"),
                ),
                (
                    "departments",
                    models.JSONField(default=list, verbose_name="by department and case kind"),
                ),
                ("outcomes", models.JSONField(default=list, verbose_name="by outcome")),
                ("people_due", models.BinaryField(default=bytes, verbose_name="people due")),
                ("people_called", models.BinaryField(default=bytes, verbose_name="people called")),
                (
                    "people_reached",
                    models.BinaryField(default=bytes, verbose_name="people reached"),
                ),
                ("counted_at", models.DateTimeField(verbose_name="counted at")),
            ],
            options={
                "verbose_name": "due day",
                "verbose_name_plural": "due days",
            },
        ),
        migrations.RunPython(_on_postgresql(FORGET), _on_postgresql(FORGET_NO_MORE)),
    ]
