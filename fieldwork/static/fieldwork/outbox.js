// The phone's outbox: reports and on-site actions are written to IndexedDB first (photos as
// Blobs), then sent to the REST API; what cannot be sent now stays there, survives a reload
// or a closed app, and is sent when the network returns (the "online" event, a retry with
// backoff, every start of the app). Each entry carries the client_id the server keys its
// idempotency on, so sending one twice never makes two cases (R24.1).
(function () {
  "use strict";
  var DB_NAME = "gridgov-field";
  var STORE = "outbox";
  var MAX_DELAY = 5 * 60 * 1000;
  var SEND_TIMEOUT = 60 * 1000;

  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var store = request.result.createObjectStore(STORE, { keyPath: "id" });
          store.createIndex("user", "user");
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }

  function run(mode, work) {
    return db().then(function (database) {
      return new Promise(function (resolve, reject) {
        var tx = database.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function put(item) { return run("readwrite", function (s) { return s.put(item); }); }
  function remove(id) { return run("readwrite", function (s) { return s.delete(id); }); }
  function get(id) { return run("readonly", function (s) { return s.get(id); }); }
  function all(user) {
    return run("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return (items || [])
        .filter(function (it) { return user === undefined || it.user === user; })
        .sort(function (a, b) { return a.createdAt - b.createdAt; });
    });
  }

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent("outbox:" + name, { detail: detail || {} }));
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function body(item) {
    var data = new FormData();
    item.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
    (item.photos || []).forEach(function (p) { data.append("photos", p.blob, p.name); });
    return data;
  }

  function errorText(answer) {
    var parts = [];
    if (answer && answer.detail) parts.push(String(answer.detail));
    var errors = (answer && answer.errors) || {};
    Object.keys(errors).forEach(function (field) {
      [].concat(errors[field]).forEach(function (m) {
        if (parts.indexOf(String(m)) < 0) parts.push(String(m));
      });
    });
    return parts.join(";");
  }

  // sent | failed (the server refused: resending cannot help) | auth (sign in again) | retry
  // | conflict (409: the server holds another report under this client_id; resending the
  // same can never succeed, so it waits for the worker: send it as a new report, or delete)
  function outcome(status, answer) {
    if (status >= 200 && status < 300) return "sent";
    if (status === 401) return "auth";
    if (status === 409) return "conflict";
    if (status === 403 && /csrf/i.test((answer && answer.detail) || "")) return "auth";
    if (status === 408 || status === 429 || status >= 500) return "retry";
    return "failed";
  }

  function post(item) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, SEND_TIMEOUT) : null;
    return fetch(item.url, {
      method: "POST",
      body: body(item),
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      signal: controller ? controller.signal : undefined,
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        return { status: response.status, answer: answer };
      });
    }).finally(function () { if (timer) clearTimeout(timer); });
  }

  function delay(attempts) {
    var base = Math.min(MAX_DELAY, 2000 * Math.pow(2, Math.max(0, attempts - 1)));
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  var timer = null;
  var currentUser = null;
  function schedule(ms) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { timer = null; flush(); }, ms);
  }

  // Send one entry; resolves with {outcome, answer, error}. The entry leaves the outbox only
  // when the server has it; otherwise it is updated with what happened.
  function deliver(item) {
    emit("sending", { item: item });
    return post(item).then(function (result) {
      var kind = outcome(result.status, result.answer);
      if (kind === "sent") {
        return remove(item.id).then(function () {
          emit("sent", { item: item, answer: result.answer });
          return { outcome: kind, answer: result.answer };
        });
      }
      if (kind === "retry") return later(item, "HTTP " + result.status);
      item.status = kind;
      item.error = errorText(result.answer) || "HTTP " + result.status;
      item.conflict = kind === "conflict" ? (result.answer && result.answer.case) || {} : null;
      return put(item).then(function () {
        emit(kind, { item: item, answer: result.answer });
        return { outcome: kind, answer: result.answer, error: item.error };
      });
    }, function (error) {
      return later(item, (error && error.message) || "network");
    });
  }

  function later(item, why) {
    item.attempts = (item.attempts || 0) + 1;
    item.status = "pending";
    item.error = why;
    var wait = delay(item.attempts);
    item.nextAt = Date.now() + wait;
    return put(item).then(function () {
      schedule(wait);
      emit("retry", { item: item });
      return { outcome: "retry", error: why };
    });
  }

  var flushing = null;
  // Send every entry of the signed-in worker that is due (force: due or not), oldest first;
  // stop at the first network failure (the next ones would fail the same way).
  function flush(force) {
    if (flushing) return flushing;
    if (currentUser === null || !navigator.onLine) return Promise.resolve();
    var work = function () {
      return all(currentUser).then(function (items) {
        var due = items.filter(function (it) {
          return (it.status === "pending" || it.status === "auth") &&
            (force || !it.nextAt || it.nextAt <= Date.now());
        });
        return due.reduce(function (chain, it) {
          return chain.then(function (stop) {
            if (stop) return true;
            return deliver(it).then(function (r) { return r.outcome === "retry"; });
          });
        }, Promise.resolve(false));
      });
    };
    var locked = navigator.locks
      ? navigator.locks.request("gridgov-outbox", work) // one sender across the app's tabs
      : work();
    flushing = locked.catch(function () {}).then(function () {
      flushing = null;
      emit("changed");
    });
    return flushing;
  }

  function enqueue(item) {
    item.status = "pending";
    item.attempts = item.attempts || 0;
    item.nextAt = 0;
    item.createdAt = item.createdAt || Date.now();
    return put(item).then(function () { emit("changed"); return item; });
  }

  // A report the server refused as a conflict, queued again under a new client_id (the
  // worker's choice: it is another report than the one stored under the old key).
  function renew(item, id) {
    var copy = Object.assign({}, item, {
      id: id,
      fields: item.fields.map(function (pair) {
        return pair[0] === "client_id" ? ["client_id", id] : pair;
      }),
      attempts: 0,
      error: "",
      conflict: null,
    });
    return remove(item.id).then(function () { return enqueue(copy); }).then(function () {
      return flush(true);
    });
  }

  function start(user) {
    currentUser = user;
    window.addEventListener("online", function () { flush(true); });
    return flush(true);
  }

  window.GridgovOutbox = {
    start: start,
    enqueue: enqueue,
    renew: renew,
    deliver: deliver,
    flush: flush,
    all: all,
    get: get,
    remove: function (id) { return remove(id).then(function () { emit("changed"); }); },
  };
})();
