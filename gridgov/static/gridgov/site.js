// Small behaviours shared by every page (no framework: htmx does the partial updates).
(function () {
  // Confirm buttons that change state irreversibly: <button data-confirm="确定退回？">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
