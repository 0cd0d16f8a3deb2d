"""Meetings remember where their participants were last told they are. Meetings already
published count as announced where they are, so the first publication after this migration
tells nobody of a change that is not one."""

from django.db import migrations, models


def announce_published(apps, schema_editor):
    Meeting = apps.get_model("matchmaking", "Meeting")
    for meeting in (Meeting.objects.filter(published=True).exclude(status="cancelled")
                    .iterator()):
        meeting.announced = {"slot": meeting.slot, "starts_at": meeting.starts_at.isoformat(),
                             "ends_at": meeting.ends_at.isoformat(), "table": meeting.table}
        meeting.save(update_fields=["announced"])


def forget_announced(apps, schema_editor):
    apps.get_model("matchmaking", "Meeting").objects.update(announced=None)


class Migration(migrations.Migration):

    dependencies = [
        ("matchmaking", "0002_follow_up_sent_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="announced",
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name="as last announced"),
        ),
        migrations.RunPython(announce_published, forget_announced),
    ]
