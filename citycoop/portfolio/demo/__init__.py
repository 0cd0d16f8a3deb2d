"""The World Cities 2015-2016 demo portfolio and its loader."""

from pathlib import Path

DEMO_FIXTURE = Path(__file__).resolve().parent / "world_cities_2016.yaml"
