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
