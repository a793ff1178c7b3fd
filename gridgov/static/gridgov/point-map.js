// A mini-map of one point inside its grid, on the deployment's base map (basemap.js): the
// case page and a registry proposal's page. Each map is an element with
// data-point-map="<id of the json_script holding {point: [lng, lat], grid: GeoJSON|null}>".
(function () {
  "use strict";
  if (typeof L === "undefined") return;
  document.querySelectorAll("[data-point-map]").forEach(function (el) {
    var data = document.getElementById(el.getAttribute("data-point-map"));
    if (!data) return;
    var location = JSON.parse(data.textContent);
    var map = L.map(el, { attributionControl: true });
    if (window.GridgovBasemap) GridgovBasemap.add(map);
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
  });
})();
