// The case page's mini-map: the case's point inside its grid, on the deployment's base map
// (basemap.js).
(function () {
  "use strict";
  var el = document.getElementById("case-map");
  var data = document.getElementById("case-location");
  if (!el || !data || typeof L === "undefined") return;
  var location = JSON.parse(data.textContent);
  var map = L.map(el, { attributionControl: true });
  GridgovBasemap.add(map);
  var point = [location.point[1], location.point[0]];
  var grid = location.grid
    ? L.geoJSON(location.grid, { style: { color: "#0b5cad", weight: 2, fillOpacity: 0.08 } })
    : null;
  var bounds = L.latLngBounds([point, point]);
  if (grid) bounds.extend(grid.getBounds());
  // The view first: vector layers need one before they can be drawn.
  map.fitBounds(bounds.pad(0.2), { maxZoom: 17 });
  if (grid) grid.addTo(map);
  L.circleMarker(point, { radius: 8, color: "#ffffff", weight: 2, fillColor: "#c62828", fillOpacity: 1 }).addTo(map);
})();
