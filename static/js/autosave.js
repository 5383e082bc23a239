// Saves the general step of a draft every 20 seconds after a change (POST with the CSRF token).
// The server validates; an expired session answers 401 and the page keeps what was typed.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-autosave-url");
  var status = form.querySelector("[data-autosave-status]");
  var dirty = false;
  var busy = false;
  function say(attribute, time) {
    if (!status) { return; }
    status.textContent = (status.getAttribute(attribute) || "").replace("%(time)s", time || "");
  }
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  function save() {
    if (!dirty || busy) { return; }
    busy = true;
    dirty = false;
    var data = new FormData(form);
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken"), "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.status === 401) { dirty = true; say("data-login-text"); return null; }
      return response.json().then(function (body) {
        if (body.saved) { say("data-saved-text", body.saved_at); } else { dirty = true; say("data-failed-text"); }
      });
    }).catch(function () { dirty = true; }).then(function () { busy = false; });
  }
  window.setInterval(save, 20000);
})();
