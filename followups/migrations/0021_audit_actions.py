"""New audit actions: a call put back on the list; people and cases added, changed or closed in the app."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0020_plan_rules_and_recurring_steps'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('reveal_phone', 'Revealed a phone number'), ('export', 'Exported data'), ('publish_script', 'Published a script'), ('retire_script', 'Retired a script'), ('change_plan', 'Changed a follow-up plan'), ('change_policy', 'Changed a calling policy'), ('import', 'Imported patients'), ('change_user', 'Changed a user or role'), ('change_team', 'Changed a team or duty roster'), ('change_schedule', 'Changed the list build time'), ('change_holidays', 'Changed holiday overrides'), ('review_call', 'Reviewed a call'), ('reassign', 'Reassigned queue entries'), ('reopen_case', 'Sent a case back for another call'), ('escalation', 'Changed an escalation'), ('do_not_call', 'Put a customer on the do-not-call list'), ('wrong_number', "Held a person's calls: wrong number"), ('number_fixed', 'Fixed a number: held calls resumed'), ('callback_moves', "Moved a person's calls with their callback"), ('deceased', "Stopped a person's calls: deceased"), ('read_list', "Read a list of people's records"), ('put_back', 'Put a call back on the list'), ('add_person', 'Added a person'), ('change_person', "Changed a person's details"), ('open_case', 'Opened a case'), ('change_case', 'Changed a case'), ('close_case', 'Closed a case')], max_length=20, verbose_name='action'),
        ),
    ]
