// The console map: the jurisdiction's grids coloured by open cases, case markers clustered at
// low zoom and coloured by deadline (normal / amber / red) or, before dispatch, as pending.
// The base map is the deployment's (basemap.js: a tile server, a PMTiles archive, or none).
(function () {
  "use strict";
  var el = document.getElementById("console-map");
  if (!el || typeof L === "undefined") return;
  var status = document.getElementById("map-status");
  var filters = document.getElementById("filters");
  var caseUrl = el.dataset.caseUrl; // ".../cases/0/"
  var map = L.map(el, { preferCanvas: true, attributionControl: true, maxZoom: 19 });
  GridgovBasemap.add(map);
  map.setView([22.58, 113.08], 9);
  el.gridgovMap = map; // for browser tests and the curious

  var COLORS = { normal: "#1a7f37", amber: "#e0a100", red: "#c62828", pending: "#0b5cad", none: "#0b5cad" };
  var PRE_DISPATCH = { reported: 1, verified: 1, accepted: 1, returned: 1 };
  var SEVERITY = { red: 3, amber: 2, normal: 1, none: 0 };

  function colorOf(state, deadline) {
    if (deadline === "red" || deadline === "amber") return COLORS[deadline];
    return PRE_DISPATCH[state] ? COLORS.pending : COLORS.normal;
  }

  function gridFill(n, max) {
    if (!n) return { fillColor: "#ffffff", fillOpacity: 0.05 };
    var share = Math.min(1, n / Math.max(1, max));
    return { fillColor: "#c62828", fillOpacity: 0.12 + 0.5 * share };
  }

  var gridLayer = null;
  var gridCounts = {};
  function styleGrids(counts) {
    if (!gridLayer) return;
    gridCounts = counts || {};
    var max = 0;
    Object.keys(gridCounts).forEach(function (k) { max = Math.max(max, gridCounts[k]); });
    gridLayer.setStyle(function (feature) {
      var fill = gridFill(gridCounts[feature.properties.code] || 0, max);
      return { color: "#0b5cad", weight: 1, opacity: 0.6, fillColor: fill.fillColor, fillOpacity: fill.fillOpacity };
    });
  }

  var clusters = L.markerClusterGroup({
    maxClusterRadius: 50,
    disableClusteringAtZoom: 16,
    showCoverageOnHover: false,
    chunkedLoading: true,
    iconCreateFunction: function (cluster) {
      var worst = 0;
      cluster.getAllChildMarkers().forEach(function (m) { worst = Math.max(worst, SEVERITY[m.options.deadline] || 0); });
      var level = worst === 3 ? "red" : worst === 2 ? "amber" : "normal";
      var n = cluster.getChildCount();
      return L.divIcon({
        html: "<div><span>" + n + "</span></div>",
        className: "marker-cluster case-cluster case-cluster-" + level,
        iconSize: L.point(40, 40),
      });
    },
  });
  map.addLayer(clusters);

  function queueParams() {
    // The map shows what the list shows: the chosen queue and filters (all its pages).
    var data = filters ? new FormData(filters) : new FormData();
    var query = new URLSearchParams();
    data.forEach(function (value, key) { if (value !== "") query.append(key, value); });
    return query;
  }

  var loading = 0;
  function loadCases() {
    var ticket = ++loading;
    var url = el.dataset.casesUrl + "?" + queueParams().toString();
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (ticket !== loading) return;
        clusters.clearLayers();
        var markers = data.cases.map(function (row) {
          var marker = L.circleMarker([row[2], row[1]], {
            radius: 7, weight: 2, color: "#ffffff", fillOpacity: 0.95,
            fillColor: colorOf(row[3], row[4]), deadline: row[4] || "none",
          });
          marker.bindTooltip(GridgovText.el(row[5]));
          marker.on("click", function () { window.location.href = caseUrl.replace("/0/", "/" + row[0] + "/"); });
          return marker;
        });
        clusters.addLayers(markers);
        el.dataset.markers = String(markers.length);
        if (status) status.textContent = data.truncated ? "(" + markers.length + "+)" : "";
        styleGrids(data.counts);
        el.dispatchEvent(new CustomEvent("cases:loaded", { detail: { count: markers.length } }));
      });
  }

  fetch(el.dataset.gridsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      gridLayer = L.geoJSON(data, {
        onEachFeature: function (feature, layer) {
          layer.bindTooltip(function () {
            var n = gridCounts[feature.properties.code] || 0;
            return GridgovText.join([feature.properties.name, n], " · ");
          }, { sticky: true });
        },
      }).addTo(map);
      gridLayer.bringToBack();
      el.dataset.grids = String(data.features.length);
      if (data.features.length) map.fitBounds(gridLayer.getBounds(), { padding: [10, 10] });
      styleGrids(data.counts);
      return loadCases();
    });

  // The list was redrawn (filters, tabs, a bulk action): redraw the markers the same way.
  // htmx settles the list and each out-of-band piece (the queue counts) with the same
  // detail.target: only the event on the list itself asks for the markers, once.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "case-list") loadCases();
  });
  window.addEventListener("resize", function () { map.invalidateSize(); });
})();
