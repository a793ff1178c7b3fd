// Place search on a map (regions/search.py): a box in the map's corner, results as text, a
// choice flies the map to the place. A map asks for it with data-search-url (the staff's
// scoped endpoint, or the public one); basemap.js attaches it to every map that does.
(function () {
  "use strict";
  var config = (window.GridgovBasemap && window.GridgovBasemap.config) || {};
  var T = config.search || {};

  function attach(map) {
    var el = map.getContainer();
    var url = el.dataset.searchUrl;
    if (!url || el.gridgovSearch) return null;
    var control = L.control({ position: "topright" });
    var form, input, list, status, timer = null, ticket = 0, results = [];

    function clear() {
      results = [];
      list.replaceChildren();
      list.hidden = true;
      status.textContent = "";
    }
    function go(place) {
      if (place.bbox) {
        var b = place.bbox;
        map.flyToBounds([[b[1], b[0]], [b[3], b[2]]], { maxZoom: 17, padding: [16, 16], duration: 0.6 });
      }
      input.value = place.name;
      clear();
      el.dataset.searchChosen = place.code;
    }
    function show(places) {
      results = places;
      list.replaceChildren();
      places.forEach(function (place) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.appendChild(GridgovText.el(place.name, "span", "map-search-name"));
        button.appendChild(GridgovText.el(
          [place.kind_label, place.context].filter(Boolean).join(" · "), "span", "map-search-where"));
        button.addEventListener("click", function () { go(place); });
        item.appendChild(button);
        list.appendChild(item);
      });
      list.hidden = !places.length;
      status.textContent = places.length ? "" : (T.none || "");
      el.dataset.searchResults = String(places.length);
    }
    function ask() {
      var q = input.value.trim();
      if (!q) { clear(); return; }
      var mine = ++ticket;
      fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (mine === ticket) show(data.results || []); })
        .catch(function () { if (mine === ticket) show([]); });
    }

    control.onAdd = function () {
      var box = L.DomUtil.create("div", "leaflet-bar map-search");
      form = L.DomUtil.create("form", "", box);
      form.setAttribute("role", "search");
      input = L.DomUtil.create("input", "", form);
      input.type = "search";
      input.name = "q";
      input.autocomplete = "off";
      input.maxLength = 50;
      input.placeholder = T.placeholder || "";
      input.setAttribute("aria-label", T.label || T.placeholder || "");
      status = L.DomUtil.create("p", "map-search-status", box);
      status.setAttribute("aria-live", "polite");
      list = L.DomUtil.create("ul", "map-search-results", box);
      list.hidden = true;
      // typing, clicking and scrolling here are not map gestures
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      input.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(ask, 250);
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { input.value = ""; clear(); }
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (results.length) go(results[0]); else ask();
      });
      return box;
    };
    control.addTo(map);
    el.gridgovSearch = { input: input, ask: ask };
    return control;
  }

  window.GridgovMapSearch = { attach: attach };
})();
