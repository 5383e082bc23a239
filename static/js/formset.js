// Adds and removes rows of a Django formset without a round trip. Without JavaScript, the
// "Add a row" button saves and comes back with one more row, and rows are removed by their box.
(function () {
  "use strict";
  document.querySelectorAll("form[data-formset]").forEach(function (form) {
    var add = form.querySelector("[data-formset-add]");
    var template = form.querySelector("template[data-formset-empty]");
    var rows = form.querySelector("[data-formset-rows]");
    if (!add || !template || !rows) { return; }
    var prefix = add.getAttribute("data-prefix");
    var total = form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    add.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
    form.addEventListener("change", function (event) {
      var box = event.target;
      if (!box.matches("[data-formset-delete]")) { return; }
      var row = box.closest("[data-formset-row]");
      if (row) { row.classList.toggle("opacity-50", box.checked); }
    });
  });
})();
