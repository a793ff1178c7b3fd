// A proposal's page: the phone's GPS point inside the proposal's grid, on the base map.
(function () {
  "use strict";
  var el = document.getElementById("proposal-map");
  var data = document.getElementById("proposal-location");
  if (!el || !data || typeof L === "undefined") return;
  var location = JSON.parse(data.textContent);
  var map = L.map(el, { attributionControl: true });
  if (window.GridgovBasemap) GridgovBasemap.add(map);
  var point = [location.point[1], location.point[0]];
  var grid = location.grid
    ? L.geoJSON(location.grid, { style: { color: "#0b5cad", weight: 2, fillOpacity: 0.08 } })
    : null;
  var bounds = L.latLngBounds([point, point]);
  if (grid) bounds.extend(grid.getBounds());
  map.fitBounds(bounds.pad(0.2), { maxZoom: 17 });
  if (grid) grid.addTo(map);
  L.circleMarker(point, { radius: 8, color: "#ffffff", weight: 2, fillColor: "#c62828", fillOpacity: 1 }).addTo(map);
})();
