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

// The title's length while typing: a title longer than allowed is refused by the server, never cut.
(function () {
  "use strict";
  document.querySelectorAll("input[data-max-chars]").forEach(function (input) {
    var output = document.getElementById(input.id + "-counter");
    if (!output) { return; }
    (input.closest(".mb-3") || input.parentNode).appendChild(output);
    var max = parseInt(input.getAttribute("data-max-chars"), 10);
    var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (described.indexOf(output.id) === -1) { described.push(output.id); }
    input.setAttribute("aria-describedby", described.join(" "));
    function update() {
      var count = input.value.length;
      var over = count > max;
      var template = output.getAttribute(over ? "data-template-over" : "data-template-chars");
      output.textContent = template.replace("%(count)s", count).replace("%(max)s", max);
      output.classList.toggle("text-danger", over);
    }
    input.addEventListener("input", update);
    update();
  });
})();
