from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "citycoop.common"
    label = "common"
    verbose_name = "Common"
