from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("matchmaking", "0001_profiles_requests_meetings_follow_ups"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="sent_at",
            field=models.DateTimeField(blank=True, help_text="When the question was emailed to the rater.", null=True, verbose_name="sent at"),
        ),
    ]
