// Small behaviours of the workbenches: "select all on this page" for bulk actions, and the
// console's queue tabs (radio buttons: the one chosen is the one highlighted).
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
  document.addEventListener("change", function (event) {
    var radio = event.target.closest(".queue-tabs input[type=radio]");
    if (!radio) return;
    radio.closest(".queue-tabs").querySelectorAll("label.tab").forEach(function (tab) {
      var chosen = tab.contains(radio);
      tab.classList.toggle("current", chosen);
      if (chosen) tab.setAttribute("aria-current", "true"); else tab.removeAttribute("aria-current");
    });
  });
})();
