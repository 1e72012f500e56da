// The parcel card's map: the parcel (bold), its neighbours (thin) and the zones
// around it (coloured by kind), from the GeoJSON embedded in the page.
(function () {
  "use strict";
  var box = document.getElementById("parcel-map");
  var source = document.getElementById("parcel-map-data");
  if (!box || !source || !window.L) { return; }
  var data = JSON.parse(source.textContent);
  var zoneColors = { state_needs: "#d7191c", water_protection: "#2b83ba", green: "#1a9641",
                     road_reserve: "#8c6d31", utility_corridor: "#f4a300", heritage: "#984ea3" };
  var map = L.map(box, { scrollWheelZoom: false });
  L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
  function style(f) {
    var p = f.properties;
    if (p.role === "zone") {
      var c = zoneColors[p.kind] || "#999";
      return { color: c, weight: 1, fillColor: c, fillOpacity: 0.15, dashArray: "4 3" };
    }
    if (p.role === "parcel") { return { color: "#b23a2b", weight: 3, fillOpacity: 0.25 }; }
    return { color: "#555", weight: 1, fillOpacity: 0.05 };
  }
  var order = { zone: 0, neighbour: 1, parcel: 2 };
  data.features.sort(function (a, b) { return order[a.properties.role] - order[b.properties.role]; });
  var layer = L.geoJSON(data, {
    style: style,
    onEachFeature: function (f, shape) {
      var tip = document.createElement("span");
      tip.textContent = f.properties.label + " (" + f.properties.kind_name + ")";
      shape.bindTooltip(tip);
    },
  }).addTo(map);
  var own = data.features.filter(function (f) { return f.properties.role === "parcel"; });
  var bounds = own.length ? L.geoJSON(own).getBounds() : layer.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.6)); } else { map.setView([42.9, 71.375], 12); }
  L.control.scale({ imperial: false }).addTo(map);
  document.body.setAttribute("data-parcel-map", "drawn");
}());
