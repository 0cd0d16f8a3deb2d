"""The World Cities 2015-2016 demo portfolio and its loader."""

from pathlib import Path

DEMO_FIXTURE = Path(__file__).resolve().parent / "world_cities_2016.yaml"
DEMO_PROGRAMME = "world-cities-2015-2016"  # the key of the programme the demo is about


def demo_loaded() -> bool:
    """Whether the demo's programme is in the database (loaded before, maybe edited since)."""
    from citycoop.registry.models import Programme

    return Programme.objects.filter(slug=DEMO_PROGRAMME).exists()
