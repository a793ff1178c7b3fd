// Draws one grid polygon with Leaflet, on the deployment's base map (basemap.js: its tile
// server, a PMTiles archive this site serves, or none: government networks are isolated).
(function () {
  var el = document.getElementById("grid-map");
  var data = document.getElementById("grid-geometry");
  if (!el || !data || typeof L === "undefined") return;
  var geometry = JSON.parse(data.textContent);
  var map = L.map(el, { attributionControl: true });
  el.gridgovMap = map; // for browser tests and the curious
  GridgovBasemap.add(map);
  if (geometry) {
    var layer = L.geoJSON(geometry, { style: { color: "#0b5cad", weight: 2, fillOpacity: 0.15 } }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [20, 20] });
  } else {
    map.setView([22.58, 113.08], 10);
  }
})();
