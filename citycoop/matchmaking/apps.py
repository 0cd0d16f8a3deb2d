from django.apps import AppConfig


class MatchmakingConfig(AppConfig):
    name = "citycoop.matchmaking"
    verbose_name = "Matchmaking"
