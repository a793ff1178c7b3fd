// The base map under every map of the site (gridgov/maps.py chooses it; the page carries the
// choice as JSON in #gridgov-maps): the deployment's tile server, or a PMTiles archive served
// by this site (vector tiles drawn by protomaps-leaflet, raster ones by pmtiles' Leaflet
// layer), or nothing but the shapes. Government networks are isolated: nothing from outside.
(function () {
  "use strict";
  var source = document.getElementById("gridgov-maps");
  var config = source ? JSON.parse(source.textContent) : {};
  var base = config.basemap || { kind: "none" };

  // Leaflet's attribution control reads HTML: a configured attribution is shown as text.
  function asText(value) {
    var span = document.createElement("span");
    span.textContent = value || "";
    return span.innerHTML;
  }

  function level(name) { return function (zoom, feature) { return feature.props.level === name; }; }

  // The demo archive's layers (regions/basemap.py): boundaries (polygons by level) and places
  // (one label point per region). An archive of another schema draws what matches.
  function vectorRules(P) {
    var county = level("county"), township = level("township"), village = level("village");
    return {
      paint: [
        { dataLayer: "boundaries", filter: county, symbolizer: new P.PolygonSymbolizer({ fill: "#f4f1ea" }) },
        { dataLayer: "boundaries", filter: village, minzoom: 11, symbolizer: new P.LineSymbolizer({ color: "#c9c1b1", width: 0.7 }) },
        { dataLayer: "boundaries", filter: township, minzoom: 9, symbolizer: new P.LineSymbolizer({ color: "#a3977f", width: 1.2, dash: [5, 3] }) },
        { dataLayer: "boundaries", filter: county, symbolizer: new P.LineSymbolizer({ color: "#7a6e5b", width: 2 }) },
      ],
      label: [
        { dataLayer: "places", filter: county, maxzoom: 11, symbolizer: new P.CenteredTextSymbolizer({ labelProps: ["name"], font: "600 15px sans-serif", fill: "#3b342a", stroke: "#ffffff", width: 3 }) },
        { dataLayer: "places", filter: township, minzoom: 10, maxzoom: 13, symbolizer: new P.CenteredTextSymbolizer({ labelProps: ["name"], font: "600 13px sans-serif", fill: "#4f4536", stroke: "#ffffff", width: 2.5 }) },
        { dataLayer: "places", filter: village, minzoom: 12, symbolizer: new P.CenteredTextSymbolizer({ labelProps: ["name"], font: "12px sans-serif", fill: "#5d5445", stroke: "#ffffff", width: 2 }) },
      ],
    };
  }

  // Add the base layer to a Leaflet map; returns the layer (or null: shapes only).
  function add(map) {
    var layer = null;
    var attribution = asText(base.attribution);
    if (base.kind === "tiles") {
      layer = L.tileLayer(base.url, { attribution: attribution, maxZoom: 21, maxNativeZoom: 19 });
    } else if (base.kind === "pmtiles" && base.tiles === "vector" && window.protomapsL) {
      var rules = vectorRules(window.protomapsL);
      layer = window.protomapsL.leafletLayer({
        url: base.url,
        maxDataZoom: base.maxzoom,
        paintRules: rules.paint,
        labelRules: rules.label,
        backgroundColor: "#e8eef2",
        attribution: attribution,
        maxZoom: 21,
      });
    } else if (base.kind === "pmtiles" && base.tiles === "raster" && window.pmtiles) {
      layer = window.pmtiles.leafletRasterLayer(new window.pmtiles.PMTiles(base.url), {
        attribution: attribution, maxNativeZoom: base.maxzoom, maxZoom: 21,
      });
    }
    if (layer) {
      layer.addTo(map);
      map.getContainer().dataset.basemap = base.kind + (base.tiles ? "-" + base.tiles : "");
    }
    // a map with data-search-url gets the place search too (map-search.js)
    if (window.GridgovMapSearch) window.GridgovMapSearch.attach(map);
    return layer;
  }

  window.GridgovBasemap = { add: add, config: config };
})();
