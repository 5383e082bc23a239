// The bidding page: each choice is saved as it is made (the row's form posted with fetch), and the
// row's status says so; without JavaScript the row's "Save" button posts the same form.
(function () {
  "use strict";
  document.querySelectorAll("form[data-bid-form]").forEach(function (form) {
    var status = form.querySelector("[data-bid-status]");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.hidden = true; }
    form.addEventListener("change", function (event) {
      if (event.target.name !== "kind") { return; }
      var data = new FormData(form);
      status.textContent = form.dataset.saving;
      fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken"), "X-Requested-With": "fetch" }
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        status.textContent = result.ok ? result.body.message : result.body.error;
        status.classList.toggle("text-danger", !result.ok);
      }).catch(function () {
        status.textContent = form.dataset.failed;
        status.classList.add("text-danger");
        if (button) { button.hidden = false; }
      });
    });
  });
})();
