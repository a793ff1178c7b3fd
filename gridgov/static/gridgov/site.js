// Small behaviours shared by every page (no framework: htmx does the partial updates). The
// Content-Security-Policy forbids inline handlers (onclick=, onchange=): they live here.
(function () {
  // Confirm buttons that change state irreversibly: <button data-confirm="确定退回？">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // A choice that applies at once: <select data-autosubmit> sends its form when changed.
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) {
      if (field.form.requestSubmit) field.form.requestSubmit(); else field.form.submit();
    }
  });

  // <button data-print>: print the page (the grid's public notice board).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
