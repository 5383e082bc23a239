// Nothing typed on a step of a draft is lost:
// - every 15 seconds after a change the step is sent to the autosave address (the general step is
//   saved; the other steps are kept as typed and given back at the next visit), and once more,
//   with sendBeacon, when the page is left;
// - a click on another step's tab with unsaved changes saves this step first (the server then
//   opens that step, or shows this one again with what needs fixing);
// - leaving the page otherwise with unsaved changes asks first;
// - the form carries the version it was filled from (hidden "version"): each autosave brings the
//   new one back; one refused as saved meanwhile by someone else keeps the old, so the Save button
//   shows what changed.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-form]");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave-url");
  var nav = document.querySelector("[data-step-current]");
  var step = nav ? nav.getAttribute("data-step-current") : "general";
  var status = document.querySelector("[data-autosave-status]");
  var dirty = false;
  var leaving = false;
  var busy = false;
  var timer = null;

  function say(attribute, time) {
    if (!status) { return; }
    status.textContent = (status.getAttribute(attribute) || "").replace("%(time)s", time || "");
  }
  function field(name, value) {
    var input = form.querySelector("input[name='" + name + "']");
    if (input) { input.value = value; }
  }
  function payload() {
    var data = new FormData(form);
    data.set("autosave_step", step);
    return data;
  }
  function changed() {
    dirty = true;
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(save, 15000);
  }
  function save() {
    if (!dirty || busy || !url || !window.fetch) { return; }
    busy = true;
    dirty = false;
    var data = payload();
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken"), "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.status === 401) { dirty = true; say("data-login-text"); return null; }
      return response.json().then(function (body) {
        if (body.saved) {
          say(body.kept ? "data-kept-text" : "data-saved-text", body.saved_at);
          // The version (and values) this page now stands on: the next save is checked against it.
          if (body.version) { field("version", body.version); }
          if (body.loaded) { field("loaded", body.loaded); }
        } else if (body.conflict) {
          // Saved meanwhile by someone else: keep the version this page was filled from, so that
          // saving with the button shows what changed (nothing typed here is lost).
          dirty = true;
          say("data-conflict-text");
        } else {
          dirty = true;
          say("data-failed-text");
        }
      });
    }).catch(function () { dirty = true; }).then(function () { busy = false; });
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { leaving = true; });

  document.querySelectorAll("[data-step-link]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!dirty) { return; }
      event.preventDefault();
      var goto = form.querySelector("input[name='goto']");
      if (!goto) {
        goto = document.createElement("input");
        goto.type = "hidden";
        goto.name = "goto";
        form.appendChild(goto);
      }
      goto.value = link.getAttribute("data-step-link");
      say("data-leave-text");
      leaving = true;
      form.submit();
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty && !leaving) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  window.addEventListener("pagehide", function () {
    if (dirty && !leaving && url && navigator.sendBeacon) { navigator.sendBeacon(url, payload()); }
  });
})();
