"""The `heating_hotspots` source: hotspot areas of heating complaints (all the data,
default parameters) as a FeatureCollection, cached in-process by the analysis."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Connection

from geoapp.maps.sources import Query, source


@source("heating_hotspots")
def heating_hotspots(conn: Connection, q: Query) -> dict[str, Any]:
    """A few areas, sent whole whatever the viewport; popups list their figures."""
    from geoapp.analysis.hotspot_export import complaints_args, hotspot_properties
    from geoapp.analysis.hotspots import cached_hotspots

    result = cached_hotspots(conn)
    features = []
    for h in result.hotspots:
        props = hotspot_properties(h)
        props["microdistricts"] = ", ".join(h.microdistricts)
        props["seasons"] = ", ".join(h.seasons)
        props["complaints_url"] = "/complaints?" + urlencode(
            complaints_args(result.params.category, h))
        features.append({"type": "Feature", "geometry": h.geometry, "properties": props})
    return {"kind": "polygons", "type": "FeatureCollection", "features": features}
