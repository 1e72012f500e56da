"""Map pages assembled with folium from the layer catalog.

folium builds the Leaflet map (basemap, fullscreen) with every script and
stylesheet pointed at the app's own static files; the catalog's layers are drawn
by static/js/geoapp-map.js, which loads their data by viewport from the JSON
endpoints instead of embedding it in the page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import folium
from branca.element import MacroElement
from flask_babel import lazy_gettext as _l
from folium import plugins
from folium.elements import JSCSSMixin
from jinja2 import Template

from geoapp.maps.catalog import LayerSpec

TARAZ_CENTER = (42.900, 71.375)


class GeoappLayers(JSCSSMixin, MacroElement):
    """Our scripts and stylesheets (linked after Leaflet's own), and the call that
    starts the catalog's layers once folium has created the map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        GeoappMap.start({{ this._parent.get_name() }}, {{ this.payload }});
        {% endmacro %}
    """)

    def __init__(self, payload: str) -> None:
        super().__init__()
        self._name = "GeoappLayers"
        self.payload = payload


@dataclass(frozen=True)
class MapParts:
    header: str
    body: str
    script: str


def _local_assets(static: Callable[[str], str]) -> tuple[list, list]:
    js = [("leaflet", static("vendor/leaflet/leaflet.js"))]
    css = [("leaflet_css", static("vendor/leaflet/leaflet.css"))]
    return js, css


def safe_json(data: Any) -> str:
    """JSON that can sit inside a <script> element."""
    return (json.dumps(data, ensure_ascii=False, default=str)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def control_titles() -> dict[str, str]:
    """The map controls' titles in the reader's language (Leaflet's are English)."""
    return {"zoomIn": str(_l("Zoom in")), "zoomOut": str(_l("Zoom out")),
            "fullScreen": str(_l("Full screen")), "layers": str(_l("Layers"))}


def build_map(layers: list[LayerSpec], *, static: Callable[[str], str], language: str,
              basemap_url: str, basemap_attribution: str, data_url: Callable[[str], str],
              config: dict[str, Any], center: tuple[float, float] = TARAZ_CENTER,
              zoom: int = 12, height: str = "100%", role: str | None = None) -> MapParts:
    # No scale from folium: its scale shows feet and miles too; geoapp-map.js adds a
    # metric one.
    fmap = folium.Map(location=center, zoom_start=zoom, tiles=None, control_scale=False,
                      height=height, prefer_canvas=False)
    fmap.default_js, fmap.default_css = _local_assets(static)
    folium.TileLayer(tiles=basemap_url, attr=basemap_attribution, name="basemap",
                     max_zoom=19, control=False).add_to(fmap)
    fullscreen = plugins.Fullscreen(position="topleft")
    fullscreen.default_js = [("fullscreen_js", static("vendor/fullscreen/Control.FullScreen.js"))]
    fullscreen.default_css = [("fullscreen_css",
                               static("vendor/fullscreen/Control.FullScreen.css"))]
    fullscreen.add_to(fmap)

    layer_config = [{
        "id": spec.id, "kind": spec.kind, "title": spec.title_in(language),
        "visible": spec.visible, "minZoom": spec.min_zoom, "maxZoom": spec.max_zoom,
        "style": spec.style, "legend": spec.legend.get(language, ""),
        "timeStep": spec.time_step, "followsFilters": spec.follows_filters,
        "url": data_url(spec.id),
        "popup": spec.popup.config(language, role) if spec.popup else None,
    } for spec in layers]
    assets = GeoappLayers(safe_json({**config, "layers": layer_config, "language": language,
                                     "controls": control_titles()}))
    assets.default_js = [(name, static(name)) for name in (
        "vendor/leaflet-heat/leaflet-heat.js", "vendor/markercluster/leaflet.markercluster.js",
        "js/geoapp-map.js")]
    assets.default_css = [(name, static(name)) for name in (
        "vendor/markercluster/MarkerCluster.css",
        "vendor/markercluster/MarkerCluster.Default.css", "css/map.css")]
    assets.add_to(fmap)
    root = fmap.get_root()
    root.render()
    return MapParts(root.header.render(), root.html.render(), root.script.render())
