/* The figure pages' drawings, from data the page embeds as JSON:
 * - <canvas data-chart="ID">: a Chart.js chart of {type, labels, datasets} in element ID;
 * - <div data-outline="ID" data-basemap="URL">: a Leaflet map of the GeoJSON in element ID.
 * No code comes with the data; nothing is loaded from another host. */
(function () {
  "use strict";

  var COLOR = "#b23a2b";
  var FILL = "rgba(178, 58, 43, 0.55)";

  function embedded(id) {
    var source = id && document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function drawChart(canvas) {
    var spec = embedded(canvas.getAttribute("data-chart"));
    if (!spec || typeof Chart === "undefined") { return; }
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d) {
          return { label: d.label, data: d.data, borderColor: COLOR, backgroundColor: FILL,
                   pointRadius: spec.labels.length > 60 ? 0 : 2 };
        }),
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function drawOutline(box) {
    var feature = embedded(box.getAttribute("data-outline"));
    if (!feature || typeof L === "undefined") { return; }
    var map = L.map(box, { scrollWheelZoom: false });
    var basemap = box.getAttribute("data-basemap");
    if (basemap) {
      L.tileLayer(basemap, { maxZoom: 19, attribution: box.getAttribute("data-attribution") || "" })
        .addTo(map);
    }
    var shape = L.geoJSON(feature, { style: { color: COLOR, weight: 2, fillOpacity: 0.15 } })
      .addTo(map);
    map.fitBounds(shape.getBounds(), { padding: [12, 12] });
    L.control.scale({ imperial: false }).addTo(map);
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), drawChart);
    Array.prototype.forEach.call(document.querySelectorAll("[data-outline]"), drawOutline);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
