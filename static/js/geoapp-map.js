/* geoapp map client: draws the catalog's layers on a folium-built Leaflet map,
 * loading each layer's data by viewport and zoom from the app's JSON endpoints.
 * Every user-supplied string reaches the page through textContent, never HTML. */
(function () {
  "use strict";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; }
      else if (key === "className") { node.className = attrs[key]; }
      else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  /* Natural breaks (Fisher-Jenks): the classes that minimise the squared deviations
   * within them, by dynamic programming over the sorted values (a city has tens of
   * areas, so O(classes * n^2) is nothing). Unlike quantiles, an outlier such as a
   * microdistrict with a hundred times the usual rate gets a class of its own.
   * Returns each class's lower bound from the second class on, for classOf. */
  function naturalBreaks(values, classes) {
    var x = values.filter(function (v) { return v !== null && !isNaN(v); })
      .sort(function (a, b) { return a - b; });
    var distinct = x.filter(function (v, i) { return i === 0 || v !== x[i - 1]; }).length;
    var k = Math.min(classes, distinct), n = x.length;
    if (k < 2) { return []; }
    var sum = [0], sq = [0];
    x.forEach(function (v, i) { sum.push(sum[i] + v); sq.push(sq[i] + v * v); });
    function cost(i, j) {  // squared deviations of x[i..j]
      var s = sum[j + 1] - sum[i], m = j - i + 1;
      return sq[j + 1] - sq[i] - s * s / m;
    }
    var best = [], start = [];
    for (var c = 0; c < k; c++) {
      best.push(new Array(n).fill(Infinity));
      start.push(new Array(n).fill(0));
      for (var j = c; j < n; j++) {
        if (c === 0) { best[0][j] = cost(0, j); continue; }
        for (var i = c; i <= j; i++) {
          var total = best[c - 1][i - 1] + cost(i, j);
          if (total < best[c][j]) { best[c][j] = total; start[c][j] = i; }
        }
      }
    }
    var breaks = [], end = n - 1;
    for (c = k - 1; c > 0; c--) { breaks.unshift(x[start[c][end]]); end = start[c][end] - 1; }
    return breaks.filter(function (v, i, all) { return all.indexOf(v) === i; });
  }

  function classOf(value, breaks) {
    var i = 0;
    while (i < breaks.length && value >= breaks[i]) { i++; }
    return i;
  }

  /* A property as a popup shows it: a code by its name, a date as dd.mm.yyyy, a
   * number in the reader's locale, nothing as a dash. */
  function popupValue(value, names, popup, locale) {
    if (value === null || value === undefined || value === "") { return "\u2014"; }
    if (names && Object.prototype.hasOwnProperty.call(names, value)) { return names[value]; }
    if (value === true) { return popup.yes; }
    if (value === false) { return popup.no; }
    if (typeof value === "number") {
      return value.toLocaleString(locale, { maximumFractionDigits: Number.isInteger(value) ? 0 : 4 });
    }
    return shownDate(String(value));
  }

  /* An ISO date (or a time's date part) as dd.mm.yyyy, as the pages write dates. */
  function numberLocale(language) {
    // Kazakh writes numbers as Russian does ("2 200", "151,2"); browsers without
    // Kazakh locale data would fall back to "2,200" and "151.2" for kk-KZ.
    return { ru: "ru-RU", kk: "ru-RU" }[language] || "en-GB";
  }

  /* A figure such as a rate as the pages write it: "151,2" in Russian and Kazakh. */
  function decimal(value, language) {
    return Number(value).toLocaleString(numberLocale(language), { maximumFractionDigits: 1 });
  }

  function shownDate(text) {
    var date = /^(\d{4})-(\d{2})-(\d{2})(T|\s|$)/.exec(text);
    return date ? date[3] + "." + date[2] + "." + date[1] : text;
  }

  /* The popup's link with the feature's properties filled in; only a path within the
   * app is followed (a `*_url` property is a link the server built, put in as it is). */
  function popupHref(template, props) {
    var href = template.replace(/\{(\w+)\}/g, function (whole, name) {
      var value = props[name];
      if (value === null || value === undefined) { return ""; }
      return /_url$/.test(name) ? String(value) : encodeURIComponent(value);
    });
    return /^\/(?![\/\\])/.test(href) ? href : null;
  }

  function featurePopup(popup, props, locale) {
    var names = popup.names || {};
    var heading = popupValue(props[popup.heading], names[popup.heading], popup, locale);
    var href = popup.link ? popupHref(popup.link, props) : null;
    var rows = popup.fields.map(function (field) {
      return el("div", { className: "popup-field", "data-field": field[0] }, [
        el("span", { className: "popup-label", text: field[1] + ": " }),
        el("span", { className: "popup-value", text: popupValue(props[field[0]], names[field[0]], popup, locale) }),
      ]);
    });
    var title = href ? el("a", { href: href, text: heading }) : el("span", { text: heading });
    return el("div", { className: "feature-popup" },
              [el("strong", { className: "popup-heading", title: popup.headingTitle }, [title])].concat(rows));
  }

  function GeoappMap(map, config) {
    this.map = map;
    this.config = config;
    this.t = config.i18n || {};
    this.filters = config.filters || {};
    this.overlays = {};
    this.requests = {};
    this.loaded = 0;
    this.week = (config.weeks && config.weeks.length) ? config.weeks[config.weeks.length - 1][0] : null;
    this.legendBox = null;
  }

  /* Leaflet's and the full-screen button's own titles are English ("Zoom in"): the
   * page's language, for the tooltip and for a screen reader. */
  GeoappMap.prototype.nameControls = function () {
    var words = this.config.controls || {};
    var box = this.map.getContainer();
    [[".leaflet-control-zoom-in", words.zoomIn], [".leaflet-control-zoom-out", words.zoomOut],
     [".leaflet-control-zoom-fullscreen", words.fullScreen],
     [".leaflet-control-layers-toggle", words.layers]].forEach(function (pair) {
      var node = box.querySelector(pair[0]);
      if (node && pair[1]) {
        node.setAttribute("title", pair[1]);
        node.setAttribute("aria-label", pair[1]);
      }
    });
  };

  GeoappMap.prototype.setup = function () {
    var self = this;
    // Areas below the heat and the points, so a click on a point is the point's.
    this.map.createPane("geoapp-areas").style.zIndex = 350;
    this.map.createPane("geoapp-points").style.zIndex = 450;
    var control = L.control.layers(null, null, { collapsed: false, position: "topright" });
    this.config.layers.forEach(function (layer) {
      var group = L.layerGroup();
      group.geoappLayer = layer;
      self.overlays[layer.id] = group;
      control.addOverlay(group, layer.title);
      if (layer.visible) { group.addTo(self.map); }
    });
    control.addTo(this.map);
    L.control.scale({ imperial: false }).addTo(this.map);  // metres and kilometres only
    this.nameControls();
    this.map.on("overlayadd", function (e) {
      if (e.layer.geoappLayer) { self.load(e.layer.geoappLayer); self.renderLegend(); }
    });
    this.map.on("overlayremove", function () { self.renderLegend(); });
    this.map.on("moveend", function () { self.refresh(); });
    if (this.config.weeks && this.config.weeks.length) { this.addTimeSlider(); }
    if (this.config.searchUrl) { this.addSearch(); }
    this.bindFilterForm();
    this.refresh();
  };

  GeoappMap.prototype.query = function (layer) {
    var b = this.map.getBounds();
    var params = new URLSearchParams();
    params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
      .map(function (v) { return v.toFixed(5); }).join(","));
    params.set("zoom", String(this.map.getZoom()));
    params.set("lang", this.config.language);
    if (layer.followsFilters) {
      var filters = this.filters;
      Object.keys(filters).forEach(function (k) { if (filters[k]) { params.set(k, filters[k]); } });
    }
    if (layer.timeStep === "week" && this.week) { params.set("week", this.week); }
    return layer.url + "?" + params.toString();
  };

  GeoappMap.prototype.refresh = function () {
    var self = this;
    this.config.layers.forEach(function (layer) {
      if (self.map.hasLayer(self.overlays[layer.id])) { self.load(layer); }
    });
  };

  GeoappMap.prototype.load = function (layer) {
    var self = this;
    var group = this.overlays[layer.id];
    var zoom = this.map.getZoom();
    if (zoom < layer.minZoom || zoom > layer.maxZoom) { group.clearLayers(); return; }
    if (this.requests[layer.id]) { this.requests[layer.id].abort(); }
    var controller = new AbortController();
    this.requests[layer.id] = controller;
    fetch(this.query(layer), { signal: controller.signal, credentials: "same-origin",
                               headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          return response.json().then(function (body) { throw new Error(body.error || response.status); });
        }
        return response.json();
      })
      .then(function (data) {
        group.clearLayers();
        self.draw(layer, group, data);
        self.loaded += 1;
        document.body.setAttribute("data-layers-loaded", String(self.loaded));
        document.body.setAttribute("data-layer-" + layer.id, "drawn");
        self.showError("");
        var notDrawn = data.not_drawn || 0;
        if (layer.kind === "choropleth" || notDrawn !== (layer.notDrawn || 0)) {
          layer.notDrawn = notDrawn;
          self.renderLegend();
        }
      })
      .catch(function (err) {
        if (err.name !== "AbortError") { self.showError(layer.title + ": " + err.message); }
      });
  };

  GeoappMap.prototype.showError = function (message) {
    var box = document.getElementById("map-error");
    if (box) { box.textContent = message; box.hidden = !message; }
  };

  GeoappMap.prototype.draw = function (layer, group, data) {
    if (data.kind === "heat") { this.drawHeat(layer, group, data); }
    else if (data.kind === "clusters") { this.drawClusters(layer, group, data); }
    else if (data.kind === "points") { this.drawPoints(layer, group, data); }
    else if (data.kind === "choropleth") { this.drawChoropleth(layer, group, data); }
    else if (data.kind === "hexbins") { this.drawHexbins(layer, group, data); }
    else if (data.type === "FeatureCollection") { this.drawPolygons(layer, group, data); }
  };

  GeoappMap.prototype.drawHeat = function (layer, group, data) {
    if (!data.points.length) { return; }
    var max = data.max || 1;
    var options = { radius: layer.style.radius || 18, blur: layer.style.blur || 15,
                    maxZoom: layer.style.max_zoom || 16, max: 1 };
    if (layer.style.gradient) { options.gradient = layer.style.gradient; }
    var points = data.points.map(function (p) { return [p[0], p[1], Math.sqrt(p[2] / max)]; });
    group.addLayer(L.heatLayer(points, options));
  };

  GeoappMap.prototype.drawClusters = function (layer, group, data) {
    var self = this;
    data.clusters.forEach(function (c) {
      var size = Math.round(18 + 10 * Math.log10(c[2] + 1));
      var icon = L.divIcon({ className: "geoapp-cluster", iconSize: [size, size],
                             html: "<span>" + String(c[2]) + "</span>" });
      var marker = L.marker([c[0], c[1]], { icon: icon, title: String(c[2]) });
      marker.on("click", function () { self.map.setView([c[0], c[1]], Math.min(self.map.getZoom() + 2, 18)); });
      group.addLayer(marker);
    });
  };

  GeoappMap.prototype.popupFor = function (p) {
    var t = this.t;
    var link = el("a", { href: this.config.complaintUrl + encodeURIComponent(p.ticket), text: t.open || "Open" });
    return el("div", { className: "complaint-popup" }, [
      el("strong", { text: p.ticket }),
      el("div", { text: (t.categories && t.categories[p.category]) || p.category }),
      el("div", { text: ((t.statuses && t.statuses[p.status]) || p.status) + " · " + shownDate(p.received_at) }),
      el("div", { className: "address", text: p.address || "" }),
      el("p", { className: "excerpt", text: p.excerpt || "" }),
      link,
    ]);
  };

  GeoappMap.prototype.drawPoints = function (layer, group, data) {
    var self = this;
    var cluster = L.markerClusterGroup({ maxClusterRadius: 40, showCoverageOnHover: false,
                                         disableClusteringAtZoom: 18 });
    data.points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], { radius: 6, color: layer.style.color || "#b23a2b",
                                                    weight: 1, fillOpacity: 0.8,
                                                    className: "complaint-marker",
                                                    pane: "geoapp-points" });
      marker.bindPopup(function () { return self.popupFor(p); });
      cluster.addLayer(marker);
    });
    group.addLayer(cluster);
  };

  GeoappMap.prototype.drawChoropleth = function (layer, group, data) {
    var self = this;
    var prop = layer.style.property || "rate";
    var colors = layer.style.colors || ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
    var breaks = naturalBreaks(data.features.map(function (f) { return f.properties[prop]; }), colors.length);
    layer.breaks = breaks;
    layer.colors = colors;
    var geo = L.geoJSON(data, {
      pane: "geoapp-areas",
      style: function (f) {
        var v = f.properties[prop];
        return { color: "#555", weight: 1, fillOpacity: layer.style.opacity || 0.5,
                 fillColor: v === null ? "#ccc" : colors[classOf(v, breaks)] };
      },
      onEachFeature: function (f, shape) {
        var pr = f.properties;
        var value = pr[prop] === null || pr[prop] === undefined ? (self.t.suppressed || "—")
          : decimal(pr[prop], self.config.language);
        var unit = prop === "rate" && self.t.rate && pr[prop] !== null ? " " + self.t.rate : "";
        shape.bindTooltip(el("span", { text: pr.name + ": " + value + unit }));
        if (self.config.microdistrictUrl) {
          shape.on("click", function () { window.location.href = self.config.microdistrictUrl + pr.id; });
        }
        if (pr.label) {
          group.addLayer(L.marker(pr.label, { interactive: false, icon: L.divIcon({
            className: "geoapp-label", iconSize: null,
            html: "" }) }).on("add", function (e) {
              var icon = e.target.getElement();
              if (icon) { icon.textContent = pr.name; }
            }));
        }
      },
    });
    group.addLayer(geo);
  };

  GeoappMap.prototype.drawPolygons = function (layer, group, data) {
    var style = layer.style || {};
    var locale = numberLocale(this.config.language);
    var byValue = style.colors_by || {};
    var key = style.property;
    var geo = L.geoJSON(data, {
      pane: "geoapp-areas",
      style: function (f) {
        var color = (key && byValue[f.properties[key]]) || style.color || "#3367d6";
        return { color: color, weight: style.weight || 1.5, fillOpacity: style.opacity || 0.3, fillColor: color };
      },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 5, color: style.color || "#3367d6" });
      },
      onEachFeature: function (f, shape) {
        if (layer.popup) {
          shape.bindPopup(function () { return featurePopup(layer.popup, f.properties, locale); });
          return;
        }
        var rows = Object.keys(f.properties).filter(function (k) { return k !== "id"; }).map(function (k) {
          return el("div", { text: k + ": " + f.properties[k] });
        });
        shape.bindPopup(el("div", { className: "feature-popup" }, rows));
      },
    });
    group.addLayer(geo);
  };

  GeoappMap.prototype.renderLegend = function () {
    var self = this;
    if (!this.legendControl) {
      this.legendControl = L.control({ position: "bottomright" });
      this.legendControl.onAdd = function () {
        self.legendBox = el("div", { className: "geoapp-legend", id: "map-legend" });
        return self.legendBox;
      };
      this.legendControl.addTo(this.map);
    }
    var box = this.legendBox;
    box.textContent = "";
    this.config.layers.forEach(function (layer) {
      if (!self.map.hasLayer(self.overlays[layer.id])) { return; }
      var section = el("div", { className: "legend-layer" }, [el("strong", { text: layer.title })]);
      if (layer.kind === "choropleth" && layer.breaks) {
        var bounds = [0].concat(layer.breaks);
        var shown = function (v) { return decimal(v, self.config.language); };
        bounds.forEach(function (lo, i) {
          var hi = bounds[i + 1];
          section.appendChild(el("div", { className: "legend-row" }, [
            el("i", { style: "background:" + layer.colors[i] }),
            el("span", { text: hi === undefined ? "≥ " + shown(lo) : shown(lo) + " – " + shown(hi) }),
          ]));
        });
      }
      if (layer.legend) { section.appendChild(el("div", { className: "legend-note", text: layer.legend })); }
      if (layer.notDrawn && self.t.notDrawn) {
        var count = layer.notDrawn.toLocaleString(numberLocale(self.config.language));
        section.appendChild(el("div", { className: "legend-note not-drawn",
                                         text: self.t.notDrawn.replace("{n}", count) }));
      }
      box.appendChild(section);
    });
  };

  GeoappMap.prototype.addTimeSlider = function () {
    var self = this;
    var weeks = this.config.weeks;
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var label = el("span", { className: "week-label", id: "week-label" });
      var range = el("input", { type: "range", min: "0", max: String(weeks.length - 1),
                                value: String(weeks.length - 1), id: "week-slider",
                                "aria-label": self.t.week || "Week" });
      var play = el("button", { type: "button", className: "play", text: "▶", title: self.t.play || "Play" });
      var timer = null;
      function show(i) {
        self.week = weeks[i][0];
        label.textContent = (self.t.week || "Week") + " " + weeks[i][0] + " (" + weeks[i][1] + ")";
      }
      range.addEventListener("input", function () {
        show(Number(range.value));
        self.config.layers.forEach(function (layer) {
          if (layer.timeStep === "week" && !self.map.hasLayer(self.overlays[layer.id])) {
            self.overlays[layer.id].addTo(self.map);
          }
        });
        self.refresh();
      });
      play.addEventListener("click", function () {
        if (timer) { clearInterval(timer); timer = null; play.textContent = "▶"; return; }
        play.textContent = "❚❚";
        timer = setInterval(function () {
          range.value = String((Number(range.value) + 1) % weeks.length);
          range.dispatchEvent(new Event("input"));
        }, 900);
      });
      show(weeks.length - 1);
      var box = el("div", { className: "geoapp-timeslider" }, [play, range, label]);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(this.map);
  };

  GeoappMap.prototype.addSearch = function () {
    var self = this;
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var input = el("input", { type: "search", id: "map-search",
                                placeholder: self.t.search || "Address or ticket" });
      var results = el("ul", { className: "search-results" });
      var form = el("form", { className: "geoapp-search" }, [input, results]);
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        fetch(self.config.searchUrl + "?q=" + encodeURIComponent(input.value),
              { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) {
            // an expired session (401) or a refused query: its message, not stale results
            if (!r.ok) { return r.json().then(function (body) { throw new Error(body.error || r.status); }); }
            return r.json();
          })
          .catch(function (err) { return { results: [], error: err.message }; })
          .then(function (data) {
            results.textContent = "";
            if (data.error) { results.appendChild(el("li", { className: "error", text: data.error })); return; }
            (data.results || []).forEach(function (hit) {
              var item = el("li", { text: hit.label });
              item.addEventListener("click", function () {
                if (hit.url) { window.location.href = hit.url; return; }
                self.map.setView([hit.lat, hit.lon], 17);
              });
              results.appendChild(item);
            });
            if (!(data.results || []).length) { results.appendChild(el("li", { text: self.t.nothing || "Nothing found" })); }
          });
      });
      L.DomEvent.disableClickPropagation(form);
      return form;
    };
    control.addTo(this.map);
  };

  GeoappMap.prototype.bindFilterForm = function () {
    var self = this;
    var form = document.getElementById("map-filters");
    if (!form) { return; }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var data = new FormData(form);
      var filters = {};
      data.forEach(function (value, key) { if (value && key !== "csrf_token") { filters[key] = String(value); } });
      self.filters = filters;
      var params = new URLSearchParams(filters);
      history.replaceState(null, "", window.location.pathname + (params.toString() ? "?" + params : ""));
      self.refresh();
    });
  };

  /* Public open map: hexagon aggregates coloured by fixed count classes; withheld
   * (suppressed) cells drawn grey. Text reaches the page through textContent only. */
  GeoappMap.prototype.drawHexbins = function (layer, group, data) {
    var t = this.t || {};
    var style = layer.style || {};
    var prop = style.property || "complaints";
    var breaks = style.breaks || [10, 25, 50, 100];
    var colors = style.colors || ["#fff3b0", "#fdc46a", "#f4894a", "#d8452f", "#8f1d21"];
    group.addLayer(L.geoJSON(data, {
      pane: "geoapp-areas",
      style: function (f) {
        var v = f.properties[prop];
        if (v === null || v === undefined) {
          return { color: "#888", weight: 0.5, fillColor: "#bbb", fillOpacity: 0.35,
                   dashArray: "2 3", className: "hexbin withheld" };
        }
        var i = 0;
        while (i < breaks.length && v >= breaks[i]) { i++; }
        return { color: "#666", weight: 0.5, fillColor: colors[Math.min(i, colors.length - 1)],
                 fillOpacity: style.opacity || 0.6, className: "hexbin" };
      },
      onEachFeature: function (f, shape) {
        var v = f.properties[prop];
        var label = document.createElement("span");
        label.textContent = (t.complaints || "Complaints") + ": " +
          (v === null || v === undefined ? (t.suppressed || "—") : String(v));
        shape.bindTooltip(label);
      },
    }));
  };

  window.GeoappMap = {
    start: function (map, config) {
      var instance = new GeoappMap(map, config);
      instance.setup();
      window.geoappMap = instance;
      return instance;
    },
  };
})();
