// Pick a point on a Leaflet map: from the phone's GPS (navigator.geolocation) or by a tap on
// the map, the marker draggable to correct it. Shared by the grid worker's app and the
// resident portal. The shapes given (grids, counties) on the deployment's base map
// (basemap.js; none on an isolated network without one: then the shapes are the map).
(function () {
  "use strict";

  function text(texts, key, values) {
    var s = (texts && texts[key]) || key;
    Object.keys(values || {}).forEach(function (k) { s = s.replace("{" + k + "}", values[k]); });
    return s;
  }

  // Ray casting over a GeoJSON Polygon / MultiPolygon (holes included).
  function inRing(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function inPolygon(rings, x, y) {
    if (!rings.length || !inRing(rings[0], x, y)) return false;
    for (var k = 1; k < rings.length; k++) if (inRing(rings[k], x, y)) return false;
    return true;
  }
  function contains(geometry, lng, lat) {
    if (!geometry) return false;
    if (geometry.type === "Polygon") return inPolygon(geometry.coordinates, lng, lat);
    if (geometry.type === "MultiPolygon") {
      return geometry.coordinates.some(function (p) { return inPolygon(p, lng, lat); });
    }
    return false;
  }
  function containing(shapes, lng, lat) {
    for (var i = 0; i < (shapes || []).length; i++) {
      if (contains(shapes[i].geometry, lng, lat)) return shapes[i];
    }
    return null;
  }

  function baseMap(el, shapes) {
    var map = L.map(el, { attributionControl: true });
    GridgovBasemap.add(map);
    var drawn = (shapes || []).filter(function (s) { return s.geometry; });
    if (drawn.length) {
      var layer = L.geoJSON(
        { type: "FeatureCollection", features: drawn.map(function (s) {
          return { type: "Feature", geometry: s.geometry, properties: { name: s.name } };
        }) },
        {
          style: { color: "#0b5cad", weight: 2, fillOpacity: 0.08 },
          onEachFeature: function (f, l) { if (f.properties.name) l.bindTooltip(GridgovText.el(f.properties.name)); },
        }
      ).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [12, 12] });
    } else {
      map.setView([22.58, 113.08], 10); // Jiangmen
    }
    return map;
  }

  function attach(options) {
    var el = options.el, lngInput = options.lng, latInput = options.lat;
    var status = options.status, texts = options.texts || {};
    var map = baseMap(el, options.shapes);
    var marker = null;
    // Taps on the drawn shapes bubble up to the map (Leaflet's bubblingMouseEvents).

    function say(message) { if (status) status.textContent = message; }
    function set(lng, lat, source, accuracy) {
      lngInput.value = lng.toFixed(6);
      latInput.value = lat.toFixed(6);
      var at = [lat, lng];
      if (marker) marker.setLatLng(at);
      else {
        marker = L.marker(at, { draggable: !options.readonly }).addTo(map);
        marker.on("dragend", function () { var p = marker.getLatLng(); set(p.lng, p.lat, "map"); });
      }
      if (source === "gps") map.setView(at, Math.max(map.getZoom() || 0, 16));
      if (source === "gps") say(text(texts, "gps_ok", { m: Math.round(accuracy || 0) }));
      if (source === "map") say(text(texts, "map_point"));
      if (options.onChange) options.onChange({ lng: lng, lat: lat, source: source });
    }
    function choose(latlng, source) { if (!options.readonly) set(latlng.lng, latlng.lat, source); }
    map.on("click", function (e) { choose(e.latlng, "map"); });

    function locate() {
      if (!navigator.geolocation) { say(text(texts, "gps_none")); return; }
      say(text(texts, "gps_wait"));
      navigator.geolocation.getCurrentPosition(
        function (pos) { set(pos.coords.longitude, pos.coords.latitude, "gps", pos.coords.accuracy); },
        function (err) { say(text(texts, "gps_fail", { why: err.message || err.code })); },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    }
    if (options.gpsButton) options.gpsButton.addEventListener("click", locate);

    var lng0 = parseFloat(lngInput.value), lat0 = parseFloat(latInput.value);
    if (isFinite(lng0) && isFinite(lat0)) set(lng0, lat0, "given");
    else if (options.autoGps) locate();
    // Typed coordinates move the marker too.
    [lngInput, latInput].forEach(function (input) {
      input.addEventListener("change", function () {
        var x = parseFloat(lngInput.value), y = parseFloat(latInput.value);
        if (isFinite(x) && isFinite(y)) set(x, y, "typed");
      });
    });
    var picker = {
      map: map,
      locate: locate,
      set: set,
      clear: function () {
        if (marker) { map.removeLayer(marker); marker = null; }
        lngInput.value = ""; latInput.value = "";
      },
    };
    el.gridgovPicker = picker; // for scripts that need the map (and browser tests)
    return picker;
  }

  window.GridgovPointPicker = { attach: attach, containing: containing, contains: contains };
})();
