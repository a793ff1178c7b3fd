// Maps of the grid management pages: a region with its children and grids (vacant grids
// highlighted), one grid among its neighbours, and the problems of a coverage report.
// The base map is the deployment's (basemap.js).
(function () {
  "use strict";
  if (typeof L === "undefined") return;
  var PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#bab0ac", "#e15759", "#ff9da7"];

  function baseMap(el) {
    var map = L.map(el, { preferCanvas: true, maxZoom: 20 });
    GridgovBasemap.add(map);
    map.setView([22.58, 113.08], 9);
    el.gridgovMap = map; // for browser tests and the curious
    window.addEventListener("resize", function () { map.invalidateSize(); });
    return map;
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) { return r.json(); });
  }
  function fit(map, layer) {
    var bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
  }

  // --- a region: children and grids ---------------------------------------------------------
  var regionEl = document.getElementById("region-map");
  if (regionEl) {
    var map = baseMap(regionEl);
    getJSON(regionEl.dataset.url).then(function (data) {
      var layers = data.layers;
      var vacant = {};
      data.vacant.forEach(function (c) { vacant[c] = true; });
      var outline = L.geoJSON(layers.outline, { interactive: false, style: { color: "#1d2733", weight: 3, fill: false } }).addTo(map);
      var hasGrids = layers.grids.features.length > 0;
      var children = L.geoJSON(layers.children, {
        style: { color: "#1d2733", weight: hasGrids ? 2 : 1.5, fillColor: "#0b5cad", fillOpacity: hasGrids ? 0 : 0.12 },
        onEachFeature: function (f, layer) {
          layer.bindTooltip(GridgovText.el(f.properties.name), { sticky: true });
          if (!hasGrids) layer.on("click", function () { window.location.href = regionEl.dataset.regionUrl.replace("/44/", "/" + f.properties.code + "/"); });
        },
      }).addTo(map);
      var index = 0;
      var grids = L.geoJSON(layers.grids, {
        style: function (f) {
          var isVacant = vacant[f.properties.code];
          return {
            color: isVacant ? "#c62828" : "#ffffff",
            weight: isVacant ? 2.5 : 1,
            fillColor: isVacant ? "#c62828" : PALETTE[(index++) % PALETTE.length],
            fillOpacity: isVacant ? 0.55 : 0.45,
          };
        },
        onEachFeature: function (f, layer) {
          var label = f.properties.name + " " + f.properties.code + (vacant[f.properties.code] ? " · " + (regionEl.dataset.vacantLabel || "") : "");
          layer.bindTooltip(GridgovText.el(label), { sticky: true });
          layer.on("click", function () { window.location.href = regionEl.dataset.gridUrl.replace("000000000000000", f.properties.code); });
        },
      }).addTo(map);
      grids.bringToFront();
      fit(map, hasGrids ? grids : (layers.outline.features.length ? outline : children));
      regionEl.dataset.grids = String(layers.grids.features.length);
      regionEl.dataset.vacant = String(data.vacant.length);
      regionEl.dataset.children = String(layers.children.features.length);
      // a row of the table lights up its place on the map
      document.querySelectorAll("tr[data-code]").forEach(function (row) {
        row.addEventListener("mouseenter", function () { highlight(row.dataset.code, true); });
        row.addEventListener("mouseleave", function () { highlight(row.dataset.code, false); });
      });
      function highlight(code, on) {
        [grids, children].forEach(function (group) {
          group.eachLayer(function (layer) {
            if (layer.feature.properties.code === code) layer.setStyle({ weight: on ? 4 : 1, color: on ? "#0b5cad" : (vacant[code] ? "#c62828" : (group === grids ? "#ffffff" : "#1d2733")) });
          });
        });
      }
    });
  }

  // --- one grid -------------------------------------------------------------------------------
  var gridEl = document.getElementById("grid-map");
  if (gridEl) {
    var gmap = baseMap(gridEl);
    var gdata = JSON.parse(document.getElementById("grid-map-data").textContent);
    if (gdata.village) L.geoJSON(gdata.village, { interactive: false, style: { color: "#1d2733", weight: 2, dashArray: "6 4", fill: false } }).addTo(gmap);
    gdata.neighbours.forEach(function (n) {
      if (!n.geometry) return;
      L.geoJSON(n.geometry, { style: { color: "#8a96a3", weight: 1, fillColor: "#d8dee6", fillOpacity: 0.3 } })
        .bindTooltip(GridgovText.join([n.name, n.code]), { sticky: true })
        .on("click", function () { window.location.href = gridEl.dataset.gridUrl.replace("000000000000000", n.code); })
        .addTo(gmap);
    });
    if (gdata.grid.geometry) {
      var own = L.geoJSON(gdata.grid.geometry, { style: { color: "#0b5cad", weight: 3, fillColor: "#0b5cad", fillOpacity: 0.35 } }).addTo(gmap);
      fit(gmap, own);
    }
  }

  // --- a coverage report ----------------------------------------------------------------------
  var covEl = document.getElementById("coverage-map");
  if (covEl) {
    var cmap = baseMap(covEl);
    var problemLayer = L.layerGroup().addTo(cmap);
    var markers = [];
    var context = null;
    getJSON(covEl.dataset.url).then(function (data) {
      var layers = data.layers;
      context = L.featureGroup([
        L.geoJSON(layers.grids, { interactive: false, style: { color: "#8a96a3", weight: 0.6, fillOpacity: 0 } }),
        L.geoJSON(layers.children, { interactive: false, style: { color: "#5b6775", weight: 1.2, fillOpacity: 0 } }),
        L.geoJSON(layers.outline, { interactive: false, style: { color: "#1d2733", weight: 2.5, fill: false } }),
      ]).addTo(cmap);
      drawProblems();
    });

    function drawProblems() {
      var script = document.getElementById("coverage-problems");
      problemLayer.clearLayers();
      markers = [];
      if (!script) return;
      var problems = JSON.parse(script.textContent);
      var bounds = null;
      problems.forEach(function (p, i) {
        var color = p.severity === "error" ? "#c62828" : "#e0a100";
        if (p.geometry) {
          var shape = L.geoJSON(p.geometry, { style: { color: color, weight: 3, fillColor: color, fillOpacity: 0.45, className: "problem-shape" } }).addTo(problemLayer);
          bounds = bounds ? bounds.extend(shape.getBounds()) : shape.getBounds();
        }
        if (p.point) {
          var marker = L.marker([p.point[1], p.point[0]], {
            icon: L.divIcon({ className: "problem-marker " + p.severity, iconSize: [20, 20] }),
            title: p.codes.join(" "),
          }).bindPopup(GridgovText.el(p.message + (p.area_m2 ? " · " + p.area_m2.toLocaleString() + " m²" : ""))).addTo(problemLayer);
          markers[i] = marker;
          var ll = marker.getLatLng();
          bounds = bounds ? bounds.extend(ll) : L.latLngBounds(ll, ll);
        }
      });
      covEl.dataset.problems = String(problems.length);
      if (bounds && bounds.isValid()) cmap.fitBounds(bounds.pad(0.2), { maxZoom: 17 });
      else if (context && context.getBounds().isValid()) cmap.fitBounds(context.getBounds());
    }
    document.body.addEventListener("htmx:afterSettle", function (event) {
      if (event.detail && event.detail.target && event.detail.target.id === "coverage-result") drawProblems();
    });
    document.addEventListener("click", function (event) {
      var button = event.target.closest("button.locate");
      if (!button) return;
      var marker = markers[parseInt(button.dataset.index, 10)];
      if (!marker) return;
      cmap.setView(marker.getLatLng(), 17);
      marker.openPopup();
      covEl.scrollIntoView({ behavior: "smooth", block: "nearest" });
    });
  }
})();
