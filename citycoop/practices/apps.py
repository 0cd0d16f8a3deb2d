from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "citycoop.practices"
    verbose_name = "Good practices"
