// The grid editor of one village (R8.1 动态调整): split a grid along a drawn line, merge
// adjacent grids, move shared borders. Plain Leaflet: the page draws the line, the handles and
// the previews; the server cuts, checks coverage and files the change (grid-change API).
//
// Borders shared by neighbours are the same vertices in both polygons. Moving a vertex moves
// it in every grid of the village that has it, and the redraw sends all grids it touched in
// one change; vertices nobody moved go back exactly as they came (full precision), so shared
// borders with untouched grids stay exact.
(function () {
  "use strict";
  var root = document.getElementById("grid-editor");
  if (!root || typeof L === "undefined") return;
  var data = JSON.parse(document.getElementById("editor-data").textContent);
  var T = JSON.parse(document.getElementById("editor-text").textContent);
  var el = document.getElementById("editor-map");
  var resultBox = document.getElementById("editor-result");
  var hint = document.getElementById("editor-hint");
  var PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#bab0ac", "#e15759", "#ff9da7"];
  var vacant = {};
  data.vacant.forEach(function (code) { vacant[code] = true; });

  var map = L.map(el, { doubleClickZoom: false, maxZoom: 21, zoomSnap: 0.25 });
  GridgovBasemap.add(map);

  // --- geometry helpers: polygons as [[ring, ...], ...], rings as open lists of [lng, lat]
  function parse(geometry) {
    if (!geometry) return [];
    var polys = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return polys.map(function (rings) {
      return rings.map(function (ring) {
        var open = ring.slice(0, ring.length - 1); // GeoJSON rings repeat the first point
        return open.map(function (p) { return [p[0], p[1]]; });
      });
    });
  }
  function toGeoJSON(polys) {
    var closed = polys.map(function (rings) {
      return rings.map(function (ring) { return ring.concat([ring[0]]).map(function (p) { return [p[0], p[1]]; }); });
    });
    return closed.length === 1 ? { type: "Polygon", coordinates: closed[0] } : { type: "MultiPolygon", coordinates: closed };
  }
  function latLngs(polys) {
    return polys.map(function (rings) {
      return rings.map(function (ring) { return ring.map(function (p) { return [p[1], p[0]]; }); });
    });
  }
  function key(p) { return p[0].toFixed(8) + "," + p[1].toFixed(8); } // ~1 mm: "the same vertex"

  // --- layers -----------------------------------------------------------------------------
  // The view first: a path added before the map has one meets a renderer without bounds.
  var viewOf = data.village.geometry || (data.grids[0] && data.grids[0].geometry);
  var startBounds = viewOf ? L.geoJSON(viewOf).getBounds() : null;
  if (startBounds && startBounds.isValid()) map.fitBounds(startBounds, { padding: [12, 12] });
  else map.setView([22.58, 113.08], 12);
  if (data.village.geometry) {
    L.geoJSON(data.village.geometry, { interactive: false, style: { color: "#1d2733", weight: 3, dashArray: "6 4", fill: false } }).addTo(map);
  }
  data.neighbours.forEach(function (n) {
    L.geoJSON(n.geometry, { interactive: false, style: { color: "#8a96a3", weight: 1, fillColor: "#d8dee6", fillOpacity: 0.25 } })
      .bindTooltip(GridgovText.el(n.name)).addTo(map);
  });
  var grids = data.grids.map(function (g, i) {
    var grid = { code: g.code, name: g.name, households: g.households, area_m2: g.area_m2, polys: parse(g.geometry), color: PALETTE[i % PALETTE.length] };
    grid.original = JSON.stringify(grid.polys);
    grid.layer = L.polygon(latLngs(grid.polys), styleOf(grid)).addTo(map);
    grid.layer.bindTooltip(GridgovText.join([g.name, g.code]), { sticky: true });
    grid.layer.on("click", function (event) { onGridClick(grid, event); });
    return grid;
  });
  var byCode = {};
  grids.forEach(function (g) { byCode[g.code] = g; });
  if (!data.village.geometry && grids.length) {
    map.fitBounds(L.featureGroup(grids.map(function (g) { return g.layer; })).getBounds(), { padding: [12, 12] });
  }

  function styleOf(grid) {
    var chosen = grid === selected || (mode === "merge" && mergeSet[grid.code]);
    return {
      color: chosen ? "#0b5cad" : (vacant[grid.code] ? "#c62828" : "#ffffff"),
      weight: chosen ? 4 : (vacant[grid.code] ? 3 : 1.5),
      fillColor: grid.color,
      fillOpacity: chosen ? 0.55 : 0.35,
      dashArray: vacant[grid.code] && !chosen ? "5 4" : null,
    };
  }
  function restyle() { grids.forEach(function (g) { g.layer.setStyle(styleOf(g)); }); renderTable(); }

  // --- the grid table -----------------------------------------------------------------------
  var tbody = document.querySelector("#editor-grids tbody");
  function renderTable() {
    tbody.innerHTML = "";
    grids.forEach(function (g) {
      var tr = document.createElement("tr");
      tr.dataset.code = g.code;
      if (g === selected || (mode === "merge" && mergeSet[g.code])) tr.className = "selected";
      var link = document.createElement("a");
      link.href = data.pages.grid.replace("000000000000000", g.code);
      link.textContent = g.code;
      var name = document.createElement("button");
      name.type = "button"; name.className = "linkbutton pick"; name.textContent = g.name;
      name.addEventListener("click", function () { onGridClick(g); });
      var cells = [link, name, String(g.households), (g.area_m2 / 1e6).toFixed(3)];
      cells.forEach(function (content, i) {
        var td = document.createElement("td");
        if (i >= 2) td.className = "num";
        if (typeof content === "string") td.textContent = content; else td.appendChild(content);
        if (i === 1 && vacant[g.code]) {
          var badge = document.createElement("span"); badge.className = "badge red"; badge.textContent = T.vacant;
          td.appendChild(document.createTextNode(" ")); td.appendChild(badge);
        }
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
  }

  // --- modes ----------------------------------------------------------------------------------
  var mode = "";
  var selected = null;
  var forms = {};
  document.querySelectorAll(".mode-panel").forEach(function (f) { forms[f.dataset.mode] = f; });
  document.querySelectorAll("button.mode").forEach(function (b) {
    b.addEventListener("click", function () { setMode(b.dataset.mode); });
  });

  function setMode(next) {
    if (mode === "redraw") resetRedraw();
    clearLine(); clearPreview(); clearProblems();
    mode = next;
    mergeSet = {};
    if (mode === "merge" && selected) mergeSet[selected.code] = true;
    Object.keys(forms).forEach(function (m) { forms[m].hidden = m !== mode; });
    document.querySelectorAll("button.mode").forEach(function (b) { b.classList.toggle("current", b.dataset.mode === mode); b.setAttribute("aria-pressed", b.dataset.mode === mode ? "true" : "false"); });
    if (mode === "redraw" && selected) showHandles();
    updateMerge(); updateHint(); restyle();
  }
  function updateHint() {
    if (!selected && mode !== "merge") hint.textContent = T.pickGrid;
    else if (selected) hint.textContent = T.selectedGrid.replace("%s", selected.name + " " + selected.code);
    else hint.textContent = "";
  }

  function onGridClick(grid, event) {
    if (mode === "split" && selected && event) return; // clicks draw the line (map handler)
    // this click picks a grid: it is no point of a cutting line, nor anything else on the map
    if (event) L.DomEvent.stopPropagation(event);
    if (mode === "merge") {
      if (mergeSet[grid.code]) delete mergeSet[grid.code]; else mergeSet[grid.code] = true;
      if (!selected) selected = grid;
      updateMerge(); restyle();
      return;
    }
    if (mode === "redraw" && selected !== grid) { hideHandles(); }
    selected = grid;
    if (mode === "redraw") showHandles();
    if (mode === "split") { clearLine(); clearPreview(); }
    updateHint(); restyle();
  }

  // --- split: draw a line, preview, submit ----------------------------------------------------
  var linePoints = [];
  var lineLayer = L.polyline([], { color: "#c62828", weight: 3, dashArray: "8 6", interactive: false }).addTo(map);
  var lineDots = L.layerGroup().addTo(map);
  var previewLayer = L.layerGroup().addTo(map);
  var splitForm = forms.split;
  var lineInput = splitForm.querySelector("input[name=line]");
  var partsList = document.getElementById("split-parts");

  map.on("click", function (event) {
    if (mode !== "split" || !selected || lineInput.value) return;
    linePoints.push([event.latlng.lng, event.latlng.lat]);
    drawLine();
  });
  map.on("dblclick", function () { if (mode === "split" && linePoints.length >= 2) finishLine(); });
  function drawLine() {
    lineLayer.setLatLngs(linePoints.map(function (p) { return [p[1], p[0]]; }));
    lineDots.clearLayers();
    linePoints.forEach(function (p) {
      L.circleMarker([p[1], p[0]], { radius: 4, color: "#c62828", fillOpacity: 1, interactive: false }).addTo(lineDots);
    });
    el.dataset.linePoints = String(linePoints.length);
  }
  function clearLine() { linePoints = []; lineInput.value = ""; drawLine(); }
  function clearPreview() {
    previewLayer.clearLayers(); partsList.innerHTML = "";
    splitForm.querySelector("[data-action=submit-split]").disabled = true;
  }
  splitForm.querySelector("[data-action=undo-point]").addEventListener("click", function () {
    if (lineInput.value) return;
    linePoints.pop(); drawLine();
  });
  splitForm.querySelector("[data-action=clear-line]").addEventListener("click", function () { clearLine(); clearPreview(); clearProblems(); });
  splitForm.querySelector("[data-action=finish-line]").addEventListener("click", finishLine);

  function finishLine() {
    if (!selected) { show("error", T.pickGrid); return; }
    if (linePoints.length < 2) { show("error", T.lineTooShort); return; }
    var line = { type: "LineString", coordinates: linePoints };
    lineInput.value = JSON.stringify(line);
    previewSplit(line);
  }

  function previewSplit(line) {
    clearPreview(); clearProblems();
    show("working", T.previewing);
    api("POST", selected.code + "/split-preview/", { line: line }, splitForm).then(function (answer) {
      if (!answer.ok) { lineInput.value = ""; refused(answer.body); return; }
      show("", "");
      answer.body.forEach(function (part, i) {
        var label = "①②③④⑤⑥⑦⑧⑨⑩".charAt(i) || String(i + 1);
        L.geoJSON(part.geometry, { style: { color: "#0b5cad", weight: 2, fillColor: PALETTE[(i + 3) % PALETTE.length], fillOpacity: 0.6, className: "split-part" } })
          .bindTooltip(GridgovText.el(label + " " + (part.area_m2 / 1e6).toFixed(3) + " km²"), { permanent: true, direction: "center", className: "part-label" })
          .addTo(previewLayer);
        var li = document.createElement("li");
        li.className = "part";
        li.innerHTML = "<span class='part-area'></span> <label><span></span><input name='part-name' maxlength='100'></label>";
        li.querySelector(".part-area").textContent = label + " " + T.area + " " + (part.area_m2 / 1e6).toFixed(3) + " km² · " + T.households + " " + part.households;
        li.querySelector("label span").textContent = T.partName;
        partsList.appendChild(li);
      });
      el.dataset.parts = String(answer.body.length);
      splitForm.querySelector("[data-action=submit-split]").disabled = false;
    });
  }

  splitForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!selected || !lineInput.value) return;
    var names = Array.prototype.map.call(partsList.querySelectorAll("input[name=part-name]"), function (i) { return i.value.trim(); });
    submit(selected.code + "/split/", { line: JSON.parse(lineInput.value), names: names, reason: splitForm.reason.value }, splitForm);
  });

  // --- merge -----------------------------------------------------------------------------------
  var mergeSet = {};
  var mergeForm = forms.merge;
  function mergeCodes() { return grids.filter(function (g) { return mergeSet[g.code]; }).map(function (g) { return g.code; }); }
  function updateMerge() {
    var codes = mergeCodes();
    document.getElementById("merge-selection").textContent = codes.length ? T.selected.replace("%s", codes.join("、")) : "";
    mergeForm.querySelector("[data-action=submit-merge]").disabled = codes.length < 2;
  }
  mergeForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var codes = mergeCodes();
    if (codes.length < 2) return;
    submit(codes[0] + "/merge/", { codes: codes.slice(1), name: mergeForm.name.value, reason: mergeForm.reason.value }, mergeForm);
  });

  // --- redraw: vertex handles moving shared vertices ---------------------------------------------
  var handles = L.layerGroup().addTo(map);
  var redrawForm = forms.redraw;
  var changed = {};

  function occurrences() {
    // every vertex of every grid of the village, by position
    var index = {};
    grids.forEach(function (g) {
      g.polys.forEach(function (rings) {
        rings.forEach(function (ring) {
          ring.forEach(function (p, i) {
            var k = key(p);
            (index[k] = index[k] || []).push({ grid: g, ring: ring, i: i });
          });
        });
      });
    });
    return index;
  }
  function vertexIcon(cls) { return L.divIcon({ className: cls, iconSize: cls === "vertex-handle" ? [14, 14] : [10, 10] }); }

  function showHandles() {
    hideHandles();
    if (!selected) return;
    var index = occurrences();
    selected.polys.forEach(function (rings) {
      rings.forEach(function (ring) {
        ring.forEach(function (p) { addVertexHandle(index[key(p)] || []); });
        ring.forEach(function (p, i) { addMidHandle(ring, i); });
      });
    });
  }
  function hideHandles() { handles.clearLayers(); }

  function moveAll(points, latlng) {
    points.forEach(function (p) { p[0] = latlng.lng; p[1] = latlng.lat; });
  }
  function redrawLayers(gridSet) {
    Object.keys(gridSet).forEach(function (code) { byCode[code].layer.setLatLngs(latLngs(byCode[code].polys)); });
  }
  function addVertexHandle(occ) {
    if (!occ.length) return;
    var first = occ[0].ring[occ[0].i];
    var points = occ.map(function (o) { return o.ring[o.i]; });
    var touched = {};
    occ.forEach(function (o) { touched[o.grid.code] = true; });
    var marker = L.marker([first[1], first[0]], { draggable: true, icon: vertexIcon("vertex-handle"), keyboard: false, title: Object.keys(touched).join(" ") });
    marker.on("drag", function (event) {
      moveAll(points, event.target.getLatLng());
      redrawLayers(touched);
    });
    marker.on("dragend", function () {
      Object.keys(touched).forEach(function (c) { changed[c] = true; });
      afterEdit();
    });
    marker.on("contextmenu", function () {
      var ok = occ.every(function (o) { return o.ring.length > 3; });
      if (!ok) { show("error", T.cannotDelete); return; }
      // remove from the highest index down, ring by ring
      occ.slice().sort(function (a, b) { return b.i - a.i; }).forEach(function (o) { o.ring.splice(o.i, 1); });
      Object.keys(touched).forEach(function (c) { changed[c] = true; });
      redrawLayers(touched);
      afterEdit();
    });
    marker.addTo(handles);
  }
  function addMidHandle(ring, i) {
    var a = ring[i], b = ring[(i + 1) % ring.length];
    var mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    var marker = L.marker([mid[1], mid[0]], { draggable: true, icon: vertexIcon("midpoint-handle"), keyboard: false });
    var inserted = null;
    var touched = {};
    marker.on("dragstart", function () {
      // insert the new vertex into this edge in every grid that has the edge (a shared border)
      var ka = key(a), kb = key(b);
      inserted = [];
      grids.forEach(function (g) {
        g.polys.forEach(function (rings) {
          rings.forEach(function (r) {
            for (var j = 0; j < r.length; j++) {
              var p = r[j], q = r[(j + 1) % r.length];
              var kp = key(p), kq = key(q);
              if ((kp === ka && kq === kb) || (kp === kb && kq === ka)) {
                var point = [mid[0], mid[1]];
                r.splice(j + 1, 0, point);
                inserted.push(point);
                touched[g.code] = true;
                break;
              }
            }
          });
        });
      });
    });
    marker.on("drag", function (event) {
      if (!inserted) return;
      moveAll(inserted, event.target.getLatLng());
      redrawLayers(touched);
    });
    marker.on("dragend", function () {
      Object.keys(touched).forEach(function (c) { changed[c] = true; });
      afterEdit();
    });
    marker.addTo(handles);
  }
  function afterEdit() {
    var codes = Object.keys(changed).sort();
    document.getElementById("redraw-changed").textContent = codes.length ? T.willChange.replace("%s", codes.join("、")) : "";
    redrawForm.querySelector("[data-action=submit-redraw]").disabled = !codes.length;
    el.dataset.changed = codes.join(",");
    window.setTimeout(showHandles, 0); // positions and edges changed: new handles
  }
  function resetRedraw() {
    grids.forEach(function (g) {
      if (changed[g.code]) { g.polys = JSON.parse(g.original); g.layer.setLatLngs(latLngs(g.polys)); }
    });
    changed = {};
    hideHandles();
    document.getElementById("redraw-changed").textContent = "";
    redrawForm.querySelector("[data-action=submit-redraw]").disabled = true;
  }
  redrawForm.querySelector("[data-action=reset-redraw]").addEventListener("click", function () {
    resetRedraw(); clearProblems(); show("", ""); if (selected) showHandles();
  });
  redrawForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var codes = Object.keys(changed);
    if (!codes.length) { show("error", T.noChange); return; }
    // the URL names one grid of the change: the selected one if it moved, else any that did
    var anchor = changed[selected && selected.code] ? selected.code : codes[0];
    var geometries = {};
    codes.forEach(function (c) { geometries[c] = toGeoJSON(byCode[c].polys); });
    submit(anchor + "/redraw/", { geometries: geometries, reason: redrawForm.reason.value }, redrawForm);
  });

  // --- talking to the API, showing answers and refusals ----------------------------------------
  function api(method, path, body, form) {
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    return fetch(data.api.grid + path, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return { detail: response.statusText }; })
        .then(function (json) { return { ok: response.ok, status: response.status, body: json }; });
    }, function () { return { ok: false, status: 0, body: { detail: T.networkError } }; });
  }
  function submit(path, body, form) {
    // First what the change does to people and open cases (grid-change-impact.js), then,
    // confirmed with the administrator's choices, the change itself (R8.1, R10.2).
    var anchor = path.split("/")[0];
    var preview = { kind: path.split("/")[1] };
    Object.keys(body).forEach(function (k) { if (k !== "reason") preview[k] = body[k]; });
    clearProblems();
    show("", "");
    window.GridChangeImpact.review({
      form: form,
      T: T.impact,
      body: preview,
      request: function (b) { return api("POST", anchor + "/change-preview/", b, form); },
      onRefused: refused,
      onConfirm: function (choices) { send(path, Object.assign({}, body, choices), form); },
    });
  }
  function send(path, body, form) {
    clearProblems();
    show("working", T.working);
    var buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach(function (b) { b.disabled = true; });
    api("POST", path, body, form).then(function (answer) {
      if (!answer.ok) {
        buttons.forEach(function (b) { b.disabled = false; });
        refused(answer.body);
        return;
      }
      var codes = answer.body.grids.map(function (g) { return g.code + " " + g.name; });
      // Reload with the saved state (exact geometries from the server), and say what happened.
      try { window.sessionStorage.setItem("gridEditorMessage", T.saved.replace("%s", codes.join("、"))); } catch (e) { /* private mode */ }
      window.location.href = window.location.pathname + "?grid=" + encodeURIComponent(answer.body.grids[0].code);
    });
  }

  var problemLayer = L.layerGroup().addTo(map);
  function clearProblems() { problemLayer.clearLayers(); }
  function refused(body) {
    var problems = body.problems || [];
    var lines = [];
    var bounds = null;
    problems.forEach(function (p) {
      var text = (T.kinds[p.kind] || p.kind) + " " + p.codes.join("、") + (p.area_m2 ? " · " + p.area_m2.toLocaleString() + " m²" : "");
      lines.push(text);
      if (p.geometry) {
        var shape = L.geoJSON(p.geometry, { interactive: false, style: { color: "#c62828", weight: 3, fillColor: "#c62828", fillOpacity: 0.45, className: "problem-shape" } }).addTo(problemLayer);
        bounds = bounds ? bounds.extend(shape.getBounds()) : shape.getBounds();
      }
      if (p.point) {
        var marker = L.marker([p.point[1], p.point[0]], { icon: L.divIcon({ className: "problem-marker", iconSize: [22, 22] }), title: text })
          .bindPopup(GridgovText.el(text)).addTo(problemLayer);
        var ll = marker.getLatLng();
        bounds = bounds ? bounds.extend(ll) : L.latLngBounds(ll, ll);
      }
    });
    // an invalid polygon names its place in the message ("… at 113.07,22.60")
    var where = /(-?\d+\.\d+),\s*(-?\d+\.\d+)/.exec(body.detail || "");
    if (!problems.length && where) {
      var at = L.latLng(parseFloat(where[2]), parseFloat(where[1]));
      L.marker(at, { icon: L.divIcon({ className: "problem-marker", iconSize: [22, 22] }) }).bindPopup(GridgovText.el(body.detail)).addTo(problemLayer);
      bounds = L.latLngBounds(at, at);
    }
    if (bounds && bounds.isValid()) map.fitBounds(bounds.pad(0.5), { maxZoom: 18 });
    el.dataset.problems = String(problemLayer.getLayers().length);
    show("error", T.refused + " " + (body.detail || ""), lines);
  }
  function show(kind, message, items) {
    resultBox.className = kind ? "editor-result " + kind : "";
    resultBox.textContent = message || "";
    if (items && items.length) {
      var ul = document.createElement("ul");
      items.forEach(function (t) { var li = document.createElement("li"); li.textContent = t; ul.appendChild(li); });
      resultBox.appendChild(ul);
    }
  }

  // --- start ---------------------------------------------------------------------------------
  try {
    var flash = window.sessionStorage.getItem("gridEditorMessage");
    if (flash) { window.sessionStorage.removeItem("gridEditorMessage"); show("ok", flash); }
  } catch (e) { /* private mode */ }
  selected = byCode[root.dataset.selected] || null;
  renderTable();
  setMode(root.dataset.mode && forms[root.dataset.mode] ? root.dataset.mode : "");
  window.addEventListener("resize", function () { map.invalidateSize(); });
  // for the browser tests and the curious: the map and the state
  window.gridEditor = { map: map, grids: grids, setMode: setMode, select: function (code) { onGridClick(byCode[code]); } };
  el.dataset.ready = "1";
})();
