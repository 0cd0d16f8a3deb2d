from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "citycoop.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # Imported here, not at module level: the receiver needs the models loaded.
        from citycoop.common.services import record_changed

        from .index import on_record_changed

        record_changed.connect(on_record_changed, dispatch_uid="search.on_record_changed")
