// The eligibility checklist follows what is typed: half a second after a change, the step's form
// is posted (nothing is saved) and the server answers the checklist the rules give for it. The
// list is announced politely to screen readers (aria-live on #checklist-items); on a phone the bar
// at the bottom of the page says how many points remain.
(function () {
  "use strict";
  var box = document.getElementById("checklist-items");
  var form = document.querySelector("form[data-draft-form]");
  if (!box || !form || !window.fetch) { return; }
  var url = box.getAttribute("data-checklist-url");
  var step = box.getAttribute("data-step");
  if (!url || !step) { return; }
  var summary = document.querySelector("[data-checklist-summary] a");
  var timer = null;
  var latest = 0;

  function refresh() {
    var data = new FormData(form);
    data.set("checklist_step", step);
    var ticket = ++latest;
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken"), "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (!response.ok) { return null; }
      var problems = parseInt(response.headers.get("X-Checklist-Problems") || "0", 10);
      return response.text().then(function (html) {
        if (ticket !== latest) { return; }  // an older answer arriving late
        box.innerHTML = html;
        if (summary) {
          var template = summary.getAttribute(
            problems === 1 ? "data-template-one" : problems ? "data-template-problems" : "data-template-none"
          );
          summary.textContent = template.replace("%(count)s", problems);
        }
      });
    }).catch(function () { /* the checklist after the next save stays right */ });
  }
  function changed() {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(refresh, 500);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // Rows added or removed by formset.js change the list too.
  form.addEventListener("click", function (event) {
    if (event.target.closest("[data-formset-add]")) { changed(); }
  });
})();
