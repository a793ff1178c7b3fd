// What a split, merge or redraw does to people and open cases, shown before it is submitted
// (R8.1 动态调整, R10.2). The editor asks the server for the change's preview (the grid-change
// API's change-preview: nothing is written), shows the open cases that move and where, each
// worker of a retired grid with a choice of successor (default: the one holding most of the old
// area) or "end", the grids left without a leader to accept as vacant, and whatever would break.
// Changing a choice asks again; "confirm" hands the choices to the editor, which submits.
// Everything from the server is written as text.
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, name) { return values[name] === undefined ? "" : String(values[name]); });
  }

  // options: form, request(body) → Promise<{ok, body}>, body (the change as the preview takes
  // it), T (texts), onConfirm(choices), onRefused(body)
  function review(options) {
    var form = options.form;
    var T = options.T;
    var box = form.querySelector(".change-impact");
    if (!box) {
      box = el("section", "change-impact");
      box.setAttribute("aria-live", "polite");
      var buttons = form.querySelectorAll(".form-buttons");
      form.insertBefore(box, buttons[buttons.length - 1]);
    }
    var workers = {};
    var accepted = {};

    function choices() {
      return {
        workers: workers,
        accept_vacant: Object.keys(accepted).filter(function (c) { return accepted[c]; }),
      };
    }
    function ask() {
      var body = Object.assign({}, options.body, choices());
      box.hidden = false;
      box.textContent = T.checking;
      return options.request(body).then(function (answer) {
        if (!answer.ok) { close(); options.onRefused(answer.body); return; }
        render(answer.body);
      });
    }
    function close() { box.hidden = true; box.textContent = ""; form.dataset.impact = ""; }

    function render(preview) {
      box.textContent = "";
      box.appendChild(el("h3", "", T.title));
      var names = {};
      preview.successors.forEach(function (s) { names[s.code] = s.code + " " + s.name; });

      // open cases
      var cases = preview.cases;
      var caseLine = el("p", "impact-cases");
      if (!cases.open) caseLine.textContent = T.noCases;
      else {
        var parts = Object.keys(cases.by_successor).filter(function (c) { return cases.by_successor[c].moving; })
          .map(function (c) { return fill(T.casesTo, { n: cases.by_successor[c].moving, grid: names[c] || c }); });
        caseLine.textContent = fill(T.cases, { open: cases.open, moving: cases.moving, staying: cases.staying }) +
          (parts.length ? " " + parts.join(T.separator) : "");
      }
      box.appendChild(caseLine);
      if (cases.without_point) {
        box.appendChild(el("p", "impact-cases-without-point muted", fill(T.withoutPoint, { n: cases.without_point })));
      }

      // workers
      if (!preview.workers.length) box.appendChild(el("p", "impact-no-workers", T.noWorkers));
      else {
        var table = el("table", "list impact-workers");
        var head = el("tr");
        [T.worker, T.kind, T.fromGrid, T.toGrid].forEach(function (h) { head.appendChild(el("th", "", h)); });
        table.appendChild(el("thead")).appendChild(head);
        var tbody = table.appendChild(el("tbody"));
        preview.workers.forEach(function (w) {
          var tr = el("tr");
          tr.dataset.assignment = String(w.assignment);
          tr.appendChild(el("td", "", w.name));
          tr.appendChild(el("td", "", w.kind_label));
          tr.appendChild(el("td", "", w.from_grid));
          var td = el("td");
          var select = el("select");
          select.name = "worker-" + w.assignment;
          select.setAttribute("aria-label", fill(T.destinationOf, { name: w.name }));
          w.choices.forEach(function (code) {
            var label = code === "end" ? T.endAssignment : (names[code] || code) + (code === w.default ? " " + T.byDefault : "");
            var option = el("option", "", label);
            option.value = code;
            select.appendChild(option);
          });
          select.value = w.destination;
          select.addEventListener("change", function () {
            if (select.value === w.default) delete workers[w.assignment]; else workers[w.assignment] = select.value;
            ask();
          });
          td.appendChild(select);
          tr.appendChild(td);
          tbody.appendChild(tr);
        });
        box.appendChild(table);
      }

      // grids left without a leader
      var mustAccept = [];
      preview.vacant.forEach(function (v) {
        var p = el("p", "impact-vacant");
        p.dataset.code = v.code;
        if (v.needs_acceptance) {
          var label = el("label");
          var check = el("input");
          check.type = "checkbox";
          check.name = "accept-" + v.code;
          check.checked = !!accepted[v.code];
          check.addEventListener("change", function () { accepted[v.code] = check.checked; update(); });
          label.appendChild(check);
          label.appendChild(document.createTextNode(" " + fill(T.acceptVacant, { grid: names[v.code] || v.code })));
          p.appendChild(label);
          mustAccept.push(check);
        } else {
          p.textContent = fill(T.stillVacant, { grid: names[v.code] || v.code });
          p.className += " muted";
        }
        box.appendChild(p);
      });

      // what would break
      if (preview.problems.length) {
        var ul = el("ul", "impact-problems error");
        preview.problems.forEach(function (p) { ul.appendChild(el("li", "", p.message)); });
        box.appendChild(ul);
      }

      var actions = el("div", "form-buttons");
      var confirm = el("button", "", T.confirm);
      confirm.type = "button";
      confirm.dataset.action = "confirm-change";
      var back = el("button", "secondary", T.back);
      back.type = "button";
      back.addEventListener("click", close);
      confirm.addEventListener("click", function () { close(); options.onConfirm(choices()); });
      actions.appendChild(confirm);
      actions.appendChild(back);
      box.appendChild(actions);

      function update() {
        var open = mustAccept.filter(function (c) { return !c.checked; }).length;
        confirm.disabled = preview.problems.length > 0 || open > 0;
        form.dataset.impact = confirm.disabled ? "blocked" : "ready";
      }
      update();
    }

    return ask();
  }

  window.GridChangeImpact = { review: review };
})();
