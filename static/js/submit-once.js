// Disables a submit button once clicked, so a double click sends one request (the server is
// idempotent anyway).
(function () {
  "use strict";
  document.querySelectorAll("button[data-once]").forEach(function (button) {
    button.form.addEventListener("submit", function () {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();
