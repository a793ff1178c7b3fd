// Small behaviours of the workbenches: "select all on this page" for bulk actions.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target.closest("[data-select-all]");
    if (!box || !box.form) return;
    var name = box.getAttribute("data-select-all");
    box.form.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (c) {
      c.checked = box.checked;
    });
  });
})();
