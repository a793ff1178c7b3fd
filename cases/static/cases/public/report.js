// The resident's report form: the place on the map (tap or GPS) tells which county's list of
// matters applies; photos are shrunk before upload; one click, one submission.
(function () {
  "use strict";
  var form = document.getElementById("portal-report");
  if (!form) return;
  var outlines = JSON.parse(document.getElementById("county-outlines").textContent);
  var choices = JSON.parse(document.getElementById("county-choices").textContent);
  var texts = JSON.parse(document.getElementById("picker-text").textContent);
  var options = Array.prototype.slice.call(form.querySelectorAll(".matter-option[data-county]"));
  var unsure = form.querySelector("[data-unsure]");
  var search = form.querySelector("[data-matter-search]");
  var noMatch = form.querySelector("[data-no-match]");
  var place = form.querySelector("[data-place]");
  var county = null;

  function filter() {
    var words = (search.value || "").trim().toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    options.forEach(function (label) {
      var hay = (label.dataset.search || "").toLowerCase();
      var ok = words.every(function (w) { return hay.indexOf(w) >= 0; }) &&
        (!county || label.dataset.county === county);
      label.hidden = !ok && !label.querySelector("input").checked;
      if (!label.hidden) shown += 1;
    });
    // "不确定" only where the county's list has a catch-all entry
    var generic = county ? (choices[county] || {}).generic : Object.keys(choices).some(function (c) { return choices[c].generic; });
    unsure.hidden = !generic;
    if (noMatch) noMatch.hidden = shown > 0;
  }
  search.addEventListener("input", filter);

  function locate(p) {
    var outline = GridgovPointPicker.containing(outlines, p.lng, p.lat);
    county = outline ? outline.code : null;
    filter();
    var url = form.dataset.locate + "?lng=" + p.lng.toFixed(6) + "&lat=" + p.lat.toFixed(6);
    fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (grid) {
      if (!grid) { place.textContent = texts.outside; return; }
      county = grid.county ? grid.county.code : county;
      place.textContent = [grid.county && grid.county.name, grid.township && grid.township.name,
        grid.village && grid.village.name, grid.name].filter(Boolean).join(" / ");
      filter();
    }).catch(function () {});
  }

  if (window.L && window.GridgovPointPicker) {
    GridgovPointPicker.attach({
      el: document.getElementById("portal-map"),
      lng: form.querySelector("[data-lng]"),
      lat: form.querySelector("[data-lat]"),
      shapes: outlines,
      status: place,
      gpsButton: form.querySelector("[data-gps]"),
      autoGps: false,
      texts: texts,
      onChange: locate,
    });
  }
  var photos = window.GridgovPhotos
    ? GridgovPhotos.attach(form.querySelector("[data-photo-input]"),
      form.querySelector("[data-thumbs]"), { replaceInput: true })
    : null;
  var sent = false;
  form.addEventListener("submit", function (event) {
    // One click, one submission (a second one would get the same case: same client_id).
    event.preventDefault();
    if (sent || !form.reportValidity()) return;
    sent = true;
    form.querySelector("[data-submit]").disabled = true;
    // the shrunk photos, not the camera's originals
    (photos ? photos.ready() : Promise.resolve()).then(function () { form.submit(); });
  });
  filter();
})();
