"""Distances on the Earth's surface, in kilometres."""

import math

EARTH_RADIUS_KM = 6371.0088  # the mean radius


def great_circle_km(lat1, lon1, lat2, lon2) -> float:
    """The great-circle distance between two points, in km (the spherical law of cosines,
    as the events list's SQL computes it)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    cosine = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(
        math.radians(lon2 - lon1)
    )
    return EARTH_RADIUS_KM * math.acos(max(-1.0, min(1.0, cosine)))
