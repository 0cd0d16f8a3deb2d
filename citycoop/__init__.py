"""citycoop: software for international city-to-city cooperation programmes."""

__version__ = "0.1.0"
