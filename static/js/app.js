// Casebook's small layer of behaviour on top of htmx. No inline scripts (CSP).
(function () {
  "use strict";

  function showError(message) {
    var box = document.getElementById("flash-messages");
    if (!box) return;
    var div = document.createElement("div");
    div.className = "flash flash-error";
    div.setAttribute("role", "alert");
    div.textContent = message;
    box.replaceChildren(div);
  }

  // A request that never reached the server (network down) still tells the user.
  document.addEventListener("htmx:sendError", function () {
    showError("Could not reach Casebook. Check your connection and try again; nothing was saved.");
  });

  // Tabs inside a component: buttons with aria-controls show one panel at a time.
  document.addEventListener("click", function (event) {
    var tab = event.target.closest("[data-tab]");
    if (!tab) return;
    var list = tab.closest("[role=tablist]");
    list.querySelectorAll("[data-tab]").forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      other.tabIndex = selected ? 0 : -1;
      var panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !selected;
    });
    var panel = document.getElementById(tab.getAttribute("aria-controls"));
    var first = panel && panel.querySelector("textarea, input:not([type=hidden]), select");
    if (first) first.focus();
  });

  // Type-ahead choice: fill the hidden id and the visible label, then any linked field.
  document.addEventListener("click", function (event) {
    var choice = event.target.closest("[data-choose]");
    if (!choice) return;
    event.preventDefault();
    var box = choice.closest(".typeahead");
    box.querySelector("input[type=hidden]").value = choice.dataset.id;
    var search = box.querySelector("input[type=search]");
    search.value = choice.dataset.label;
    box.querySelector(".typeahead-results").replaceChildren();
    if (choice.dataset.accountId) {
      var account = document.getElementById(box.dataset.fills);
      if (account) {
        account.querySelector("input[type=hidden]").value = choice.dataset.accountId;
        account.querySelector("input[type=search]").value = choice.dataset.accountLabel;
      }
    }
    search.focus();
  });

  // Clearing a type-ahead's text clears its chosen id, so a stale id is never submitted.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.type !== "search" || !input.closest(".typeahead")) return;
    if (input.value.trim() === "") input.closest(".typeahead").querySelector("input[type=hidden]").value = "";
  });

  // Escape closes open type-ahead results.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll(".typeahead-results").forEach(function (r) { r.replaceChildren(); });
  });

  // After a swap, move focus to an element that asks for it (e.g. an inline editor).
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.elt.querySelector && event.detail.elt.querySelector("[data-autofocus]");
    if (target) target.focus();
  });
})();
