// Reveal one protected value in place (R22.1); without JavaScript the form posts normally
// and the page comes back with the value shown once.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form.reveal-form");
  if (!form) return;
  event.preventDefault();
  const target = document.getElementById(form.dataset.revealTarget);
  const response = await fetch(form.action, {
    method: "POST",
    body: new FormData(form),
    headers: { "HX-Request": "true" },
    credentials: "same-origin",
  });
  if (target) target.outerHTML = await response.text();
  if (response.ok) form.remove();
});
