// The grid worker's app: service worker, network banner, the outbox list, and the forms
// (report, verify, settle, check) that go through the outbox instead of a plain POST.
(function () {
  "use strict";
  var root = document.getElementById("field-app");
  if (!root) return;
  var user = Number(root.dataset.user);
  var scope = root.dataset.scope;
  var texts = JSON.parse((document.getElementById("field-text") || {}).textContent || "{}");
  var Outbox = window.GridgovOutbox;

  function t(key, values) {
    var s = texts[key] || key;
    Object.keys(values || {}).forEach(function (k) { s = s.split("{" + k + "}").join(values[k]); });
    return s;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  // --- installable app: the service worker; pages of another account are not kept ----------
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: scope }).catch(function () {});
  }
  try {
    var last = localStorage.getItem("gridgov-field-user");
    if (last && last !== String(user) && window.caches) caches.delete("gridgov-m-pages");
    localStorage.setItem("gridgov-field-user", String(user));
  } catch (e) { /* private mode: nothing kept anyway */ }
  document.querySelectorAll("form[data-logout]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.caches || form.dataset.cleared) return;
      event.preventDefault();
      caches.delete("gridgov-m-pages").finally(function () {
        form.dataset.cleared = "1";
        form.submit();
      });
    });
  });

  // --- network banner ------------------------------------------------------------------------
  var banner = document.querySelector("[data-offline-banner]");
  function network() {
    if (banner) banner.hidden = navigator.onLine;
    // Messages in a page copy are from the day it was cached: not news when offline.
    if (!navigator.onLine) {
      document.querySelectorAll(".messages").forEach(function (m) { m.hidden = true; });
    }
  }
  window.addEventListener("online", network);
  window.addEventListener("offline", network);
  network();

  // --- the outbox list -----------------------------------------------------------------------
  var box = document.querySelector("[data-outbox]");
  var list = document.querySelector("[data-outbox-list]");
  var count = document.querySelector("[data-outbox-count]");
  var sending = {};

  function when(ms) {
    var d = new Date(ms);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function renderOutbox() {
    if (!box || !Outbox) return Promise.resolve();
    return Outbox.all(user).then(function (items) {
      box.hidden = items.length === 0;
      if (count) count.textContent = items.length ? String(items.length) : "";
      list.innerHTML = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "outbox-item outbox-" + item.status;
        li.dataset.id = item.id;
        var title = document.createElement("strong");
        title.textContent = item.title;
        var state = document.createElement("span");
        state.className = "outbox-state";
        var line = t(item.kind) + " · " + when(item.createdAt) + " · ";
        if (sending[item.id]) line += t("sending");
        else if (item.status === "failed") line += t("failed") + ":" + (item.error || "");
        else if (item.status === "conflict") {
          line += t("conflict", { code: (item.conflict && item.conflict.tracking_code) || "" });
        }
        else if (item.status === "auth") line += t("auth");
        else if (item.attempts) line += t("retry", { n: item.attempts, when: when(item.nextAt) });
        else line += t("pending");
        state.textContent = line;
        li.appendChild(title);
        li.appendChild(state);
        if (item.status === "auth") {
          var login = document.createElement("a");
          login.href = root.dataset.login;
          login.textContent = t("login");
          li.appendChild(login);
        }
        if (item.status === "conflict") {
          var renew = document.createElement("button");
          renew.type = "button";
          renew.className = "linkbutton";
          renew.dataset.outboxRenew = "";
          renew.textContent = t("send_as_new");
          renew.addEventListener("click", function () { Outbox.renew(item, uuid()); });
          li.appendChild(renew);
        }
        if (item.status === "failed" || item.status === "conflict") {
          var discard = document.createElement("button");
          discard.type = "button";
          discard.className = "linkbutton";
          discard.textContent = t("discard");
          discard.addEventListener("click", function () {
            if (window.confirm(t("discard_confirm"))) Outbox.remove(item.id);
          });
          li.appendChild(discard);
        }
        list.appendChild(li);
      });
    });
  }

  var sendNow = document.querySelector("[data-outbox-send]");
  if (sendNow) sendNow.addEventListener("click", function () { Outbox.flush(true); });

  ["changed", "retry", "failed", "auth", "conflict"].forEach(function (name) {
    document.addEventListener("outbox:" + name, renderOutbox);
  });
  document.addEventListener("outbox:sending", function (e) {
    sending[e.detail.item.id] = true;
    renderOutbox();
  });
  document.addEventListener("outbox:sent", function (e) {
    delete sending[e.detail.item.id];
    renderOutbox();
    // the task lists (htmx) reload to show the new state
    document.body.dispatchEvent(new CustomEvent("outbox-sent"));
  });
  ["retry", "failed", "auth", "conflict"].forEach(function (name) {
    document.addEventListener("outbox:" + name, function (e) { delete sending[e.detail.item.id]; });
  });

  // --- forms ----------------------------------------------------------------------------------
  function field(form, name) { return form.querySelector('[name="' + name + '"]'); }
  function checked(form, name) {
    var el = form.querySelector('[name="' + name + '"]:checked');
    return el ? el.value : "";
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-error-for]").forEach(function (el) {
      el.hidden = true;
      el.textContent = "";
    });
  }

  function showError(form, name, message) {
    var el = form.querySelector('[data-error-for="' + name + '"]') ||
      form.querySelector('[data-error-for="general"]');
    if (!el) return;
    el.textContent = el.hidden || !el.textContent ? message : el.textContent + ";" + message;
    el.hidden = false;
  }

  // Field messages; the involved persons' come per person ([{field: [messages]}, {}, …]).
  function messagesOf(value) {
    if (Array.isArray(value)) {
      return value.map(function (item, n) {
        if (item && typeof item === "object" && !Array.isArray(item)) {
          var inner = messagesOf(Object.keys(item).map(function (k) { return item[k]; }));
          return inner ? t("involved_item", { n: n + 1, message: inner }) : "";
        }
        return messagesOf(item);
      }).filter(Boolean).join(";");
    }
    return value && typeof value === "object" ? messagesOf(Object.keys(value).map(function (k) { return value[k]; })) : String(value || "");
  }

  function showAnswer(form, answer) {
    var errors = (answer && answer.errors) || {};
    var fields = Object.keys(errors);
    fields.forEach(function (name) { showError(form, name, messagesOf(errors[name])); });
    if (!fields.length) showError(form, "general", (answer && answer.detail) || t("failed"));
  }

  function validate(form, kind) {
    var problems = [];
    var text = function (name) { var el = field(form, name); return el ? el.value.trim() : ""; };
    if (kind === "report") {
      if (!text("lng") || !text("lat")) problems.push(["lng", t("need_point")]);
      if (!checked(form, "matter")) problems.push(["matter", t("need_matter")]);
      if (!text("description")) problems.push(["description", t("need_description")]);
      var settled = form.querySelector("[data-settled]");
      if (settled && settled.checked && !text("settle_note")) {
        problems.push(["settle_note", t("need_settle_note")]);
      }
    } else if (kind === "verify" || kind === "check") {
      var name = kind === "verify" ? "valid" : "passed";
      var choice = checked(form, name);
      if (!choice) problems.push([name, t("need_choice")]);
      if (choice === "false" && !text("note")) problems.push(["note", t("need_note")]);
    } else if (kind === "settle" && !text("note")) {
      problems.push(["note", t("need_settle_note")]);
    }
    return problems;
  }

  function titleOf(form, kind) {
    if (kind === "report") {
      var matter = form.querySelector('[name="matter"]:checked');
      var name = matter ? matter.closest("label").querySelector("span").textContent : "";
      var description = (field(form, "description").value || "").trim();
      return name + " · " + description.slice(0, 20);
    }
    return form.dataset.title || "";
  }

  // The involved persons' rows (involved-<n>-<key>) go to the API as one JSON list, the
  // shape every channel sends (cases/involved.py); a row with nothing typed is no person.
  // A registry resident is named by its number (resident) instead of name, phone and ID.
  var INVOLVED_FIELD = /^involved-(\d+)-(name|role|phone|id_number|resident)$/;

  function fieldsOf(form, kind) {
    var fields = [];
    var persons = {};
    var settled = form.querySelector("[data-settled]");
    new FormData(form).forEach(function (value, name) {
      if (typeof value !== "string") return; // photos come from the photo list
      if (name === "csrfmiddlewaretoken" || name === "settled") return;
      // settle_note closes the case at once: only when "settled on the spot" is ticked
      if (name === "settle_note" && !(settled && settled.checked)) return;
      var row = INVOLVED_FIELD.exec(name);
      if (row) {
        if (value.trim()) (persons[row[1]] = persons[row[1]] || {})[row[2]] = value.trim();
        return;
      }
      fields.push([name, value]);
    });
    var list = Object.keys(persons).sort().map(function (n) { return persons[n]; })
      .filter(function (p) { return Object.keys(p).some(function (k) { return k !== "role"; }); });
    if (list.length) fields.push(["involved", JSON.stringify(list)]);
    return fields;
  }

  function wire(form) {
    var kind = form.dataset.outboxForm;
    var status = form.querySelector("[data-form-status]");
    var submit = form.querySelector("[data-submit]");
    var idInput = form.querySelector("[data-client-id]");
    var photoInput = form.querySelector("[data-photo-input]");
    var photos = photoInput && window.GridgovPhotos
      ? GridgovPhotos.attach(photoInput, form.querySelector("[data-thumbs]"), {
        texts: texts,
        onError: function (name) { showError(form, "photos", t("photo_bad", { name: name })); },
      })
      : null;
    // A fresh key for every new form: a page served from the phone's cache must not reuse
    // the key written into it when it was cached.
    idInput.value = uuid();

    function say(message) { if (status) status.textContent = message; }

    function reset() {
      form.reset();
      if (photos) photos.clear();
      idInput.value = uuid();
      form.dispatchEvent(new CustomEvent("field:reset"));
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      var problems = validate(form, kind);
      if (problems.length) {
        problems.forEach(function (p) { showError(form, p[0], p[1]); });
        return;
      }
      submit.disabled = true;
      say(t("photo_busy"));
      var item;  // the answer's handler below removes a refused item from the outbox
      (photos ? photos.ready() : Promise.resolve()).then(function () {
        item = {
          id: idInput.value,
          user: user,
          kind: kind,
          url: form.dataset.api,
          title: titleOf(form, kind),
          fields: fieldsOf(form, kind),
          photos: photos ? photos.items().map(function (p) { return { name: p.name, blob: p.blob }; }) : [],
        };
        return Outbox.enqueue(item).then(function () {
          if (!navigator.onLine) return { outcome: "queued" };
          say(t("sending"));
          return Outbox.deliver(item);
        });
      }).then(function (result) {
        submit.disabled = false;
        var answer = result.answer || {};
        if (result.outcome === "sent") {
          var code = answer.tracking_code || "";
          var state = (texts.states || {})[answer.state] || answer.state || "";
          say(kind === "report"
            ? t("sent_report", { code: code, state: state })
            : t("sent_action", { code: code, state: state }));
          reset();
          if (kind !== "report") setTimeout(function () { window.location.href = scope; }, 800);
        } else if (result.outcome === "failed") {
          // The server refused it: the worker corrects the form (kept as typed) and sends again.
          Outbox.remove(item.id);
          say("");
          showAnswer(form, answer);
        } else if (result.outcome === "conflict") {
          // Another report is stored under this key (named in the answer): the form stays as
          // typed, under a new key, so sending it again is a new report.
          Outbox.remove(item.id);
          idInput.value = uuid();
          say("");
          showAnswer(form, answer);
        } else if (result.outcome === "auth") {
          say(t("auth"));
          reset();
        } else {
          say(result.outcome === "queued" ? t("queued") : t("queued_retry"));
          reset();
        }
      }).catch(function (error) {
        submit.disabled = false;
        say(String((error && error.message) || error));
      });
    });
    return { form: form, reset: reset };
  }

  document.querySelectorAll("form[data-outbox-form]").forEach(function (form) {
    var wired = wire(form);
    if (form.dataset.outboxForm === "report") reportPage(form, wired);
    else casePage(form);
  });

  // --- the report form: place, matter, settle box ----------------------------------------------
  function reportPage(form) {
    var shapesEl = document.getElementById("grid-shapes");
    var shapes = shapesEl ? JSON.parse(shapesEl.textContent) : [];
    var status = form.querySelector("[data-gps-status]");
    var options = Array.prototype.slice.call(form.querySelectorAll(".matter-option"));
    var search = form.querySelector("[data-matter-search]");
    var noMatch = form.querySelector("[data-no-match]");
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
      if (noMatch) noMatch.hidden = shown > 0;
    }
    if (search) search.addEventListener("input", filter);

    var settleBox = form.querySelector("[data-settle-box]");
    var settled = form.querySelector("[data-settled]");
    var settleNote = form.querySelector("[data-settle-note]");
    function settleState() {
      var matter = form.querySelector('[name="matter"]:checked');
      var allowed = !!(matter && matter.hasAttribute("data-settle"));
      settleBox.hidden = !allowed;
      if (!allowed) settled.checked = false;
      settleNote.hidden = !settled.checked;
    }
    form.addEventListener("change", function (e) {
      if (e.target.name === "matter" || e.target === settled) settleState();
    });
    form.addEventListener("field:reset", function () {
      search.value = "";
      filter();
      settleState();
      if (picker) { picker.clear(); picker.locate(); }
    });
    settleState();

    var picker = null;
    var mapEl = document.getElementById("pick-map");
    if (mapEl && window.L && window.GridgovPointPicker) {
      picker = GridgovPointPicker.attach({
        el: mapEl,
        lng: form.querySelector("[data-lng]"),
        lat: form.querySelector("[data-lat]"),
        shapes: shapes,
        status: status,
        gpsButton: form.querySelector("[data-gps]"),
        autoGps: true,
        texts: texts,
        onChange: function (p) {
          var grid = GridgovPointPicker.containing(shapes, p.lng, p.lat);
          county = grid ? grid.code.slice(0, 6) : null;
          if (!grid && shapes.length && status) status.textContent += " · " + t("outside");
          filter();
        },
      });
    }
  }

  // --- a case page: its map, and a note required only for "no" -------------------------------
  function casePage(form) {
    form.addEventListener("change", function () {
      var no = form.querySelector("[data-needs-note]:checked");
      var note = field(form, "note");
      if (note) note.required = !!no;
    });
  }
  var caseMap = document.getElementById("case-map");
  var pointEl = document.getElementById("case-point");
  if (caseMap && pointEl && window.L) {
    var point = JSON.parse(pointEl.textContent);
    var gridEl = document.getElementById("case-grid");
    var grid = gridEl ? JSON.parse(gridEl.textContent) : null;
    var map = L.map(caseMap, { attributionControl: true });
    if (window.GridgovBasemap) GridgovBasemap.add(map);
    if (grid) {
      var layer = L.geoJSON(grid, { style: { color: "#0b5cad", weight: 2, fillOpacity: 0.08 } }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    } else {
      map.setView([point.lat, point.lng], 16);
    }
    L.marker([point.lat, point.lng]).addTo(map);
  }

  // --- start: send what is due, show what waits ------------------------------------------------
  renderOutbox();
  if (Outbox) Outbox.start(user);
})();
