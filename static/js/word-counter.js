// Shows the number of words of the abstract while typing (the server enforces the limit).
(function () {
  "use strict";
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }
  document.querySelectorAll("textarea[data-max-words]").forEach(function (area) {
    var output = document.getElementById("abstract-counter");
    if (!output) { return; }
    // Under the abstract's own help text, where the eye is while typing.
    (area.closest(".mb-3") || area.parentNode).appendChild(output);
    var max = parseInt(area.getAttribute("data-max-words"), 10);
    // Keep the help text and the errors Django names in aria-describedby; add the counter after them.
    var described = (area.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (described.indexOf(output.id) === -1) { described.push(output.id); }
    area.setAttribute("aria-describedby", described.join(" "));
    function update() {
      var text = area.value.trim();
      var count = text ? text.split(/\s+/).length : 0;
      var over = count > max;
      var template = output.getAttribute(over ? "data-template-over" : "data-template-words");
      output.textContent = format(template, { count: count, max: max });
      output.classList.toggle("text-danger", over);
    }
    area.addEventListener("input", update);
    update();
  });
})();

// The length of every capped text while typing (data-max-chars, set by the forms' TextCaps): a
// longer text is refused by the server, never cut. The title's counter is in the page and always
// shown; any other field's appears beside it once its text nears the cap. Rows a formset adds
// later are counted too (one listener for the whole page).
(function () {
  "use strict";
  var NEAR = 0.8;
  function fill(template, count, max) {
    return template.replace("%(count)s", count).replace("%(max)s", max);
  }
  function counter(field) {
    var id = field.id + "-counter";
    var output = document.getElementById(id);
    if (output && !output.hasAttribute("data-counter-placed")) {
      (field.closest(".mb-3") || field.parentNode).appendChild(output);
      output.setAttribute("data-counter-placed", "");
    } else if (!output) {
      output = document.createElement("p");
      output.id = id;
      output.className = "small text-body-secondary";
      output.setAttribute("aria-live", "polite");
      output.setAttribute("data-counter-placed", "");
      output.setAttribute("data-shown-near-cap", "");
      (field.closest(".mb-3") || field.parentNode).appendChild(output);
    }
    var described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (described.indexOf(id) === -1) { described.push(id); }
    field.setAttribute("aria-describedby", described.join(" "));
    return output;
  }
  function update(field) {
    if (!field.id) { return; }
    var max = parseInt(field.getAttribute("data-max-chars"), 10);
    var count = field.value.length;
    var output = document.getElementById(field.id + "-counter");
    var nearOnly = !output || output.hasAttribute("data-shown-near-cap");
    if (nearOnly && count < max * NEAR) {
      if (output) { output.hidden = true; }
      return;
    }
    output = counter(field);
    var over = count > max;
    var source = output.hasAttribute("data-template-chars") ? output : field;
    var template = source.getAttribute(over ? "data-template-over" : "data-template-chars");
    output.textContent = fill(template, count, max);
    output.classList.toggle("text-danger", over);
    output.hidden = false;
  }
  document.querySelectorAll("input[data-max-chars], textarea[data-max-chars]").forEach(update);
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.matches && field.matches("input[data-max-chars], textarea[data-max-chars]")) { update(field); }
  });
})();
