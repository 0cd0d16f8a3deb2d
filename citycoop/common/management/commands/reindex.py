from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from citycoop.search.index import reindex_all


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the records. Writes made through citycoop (imports and "
        "`citycoop generate` included) keep it current on their own; run this after a "
        "restore from a backup made by an older citycoop, or after loading data by other "
        "means."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        count = reindex_all()
        self.stdout.write(self.style.SUCCESS(
            f"Indexed {count} records for search in {time.perf_counter() - started:.1f} s."))
