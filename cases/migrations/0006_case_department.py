"""Cases keep their item's department: added, filled in one UPDATE from the items, then required.

The column takes its foreign-key constraint only after the backfill: an UPDATE of a column that
already had PostgreSQL's deferred constraint would queue a check per row, and the ALTER TABLE
that follows in the same transaction would refuse to run with those checks pending.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def backfill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Every case takes its item's department, in one statement (no loop over the rows)."""
    quote = schema_editor.quote_name
    case = quote(apps.get_model("cases", "Case")._meta.db_table)
    item = quote(apps.get_model("catalog", "ServiceItem")._meta.db_table)
    # UPDATE ... FROM: PostgreSQL and SQLite (3.33 onward) both join the items once.
    schema_editor.execute(
        f"UPDATE {case} SET department_id = item.department_id "  # noqa: S608
        f"FROM {item} AS item WHERE item.id = {case}.item_id"
    )


def analyze(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Fresh planner statistics: SQLite rebuilt the table to make the column required and lost
    its statistics with the old one, which makes it pick the center's index for a department's
    lights (1.3–2.5 s instead of 12–34 ms on two million cases). Seconds on either database."""
    case = schema_editor.quote_name(apps.get_model("cases", "Case")._meta.db_table)
    schema_editor.execute(f"ANALYZE {case}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_case_concluded_index"),
        ("catalog", "0007_certificates_auto_approval_bundles"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="department",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="catalog.department",
                verbose_name="department",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="case",
            name="department",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="catalog.department",
                verbose_name="department",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["department", "status", "promised_due"], name="case_department_idx"
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True),
    ]
