from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "citycoop.discussions"
    verbose_name = "Discussions"
