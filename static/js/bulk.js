// Working the case list (templates/cases/_results.html): a checkbox per row and one on the
// header for the whole page; the bulk bar (#bulk-form) shows while any row is selected and
// says how many. Without JavaScript the bar is always there and posts the ticked rows.
(function () {
  "use strict";

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("input[name=case][form=bulk-form]")); }

  function update() {
    var bar = document.getElementById("bulk-form");
    if (!bar) return;
    var boxes = rows(), chosen = boxes.filter(function (b) { return b.checked; }).length;
    boxes.forEach(function (b) { b.closest("tr").classList.toggle("selected", b.checked); });
    bar.toggleAttribute("data-empty", chosen === 0);
    bar.querySelector("[data-bulk-count]").textContent = chosen === 1 ? "1 case selected" : chosen + " cases selected";
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.checked = chosen > 0 && chosen === boxes.length;
      all.indeterminate = chosen > 0 && chosen < boxes.length;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-select-all]")) {
      rows().forEach(function (b) { b.checked = target.checked; });
      update();
    } else if (target.matches("input[name=case][form=bulk-form]")) {
      update();
    }
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("[data-bulk-clear]")) return;
    rows().forEach(function (b) { b.checked = false; });
    update();
    var all = document.querySelector("[data-select-all]");
    if (all) all.focus();
  });

  // Back from another page, the browser may restore ticks: show the bar to match.
  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("pageshow", update);
  document.addEventListener("htmx:afterSettle", update);
})();
