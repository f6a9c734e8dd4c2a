"""Content shipped with the bot (data files, not code): regions and polyclinics."""

from bot.content.places import (
    ContentError,
    Polyclinic,
    Region,
    polyclinic,
    polyclinics,
    region,
    regions,
)

__all__ = ["ContentError", "Polyclinic", "Region", "polyclinic", "polyclinics", "region", "regions"]
