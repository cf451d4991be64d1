// Type-ahead pickers (.typeahead: templates/_macros/forms.html, the case team and predefined team
// rows) as WAI-ARIA comboboxes. The search input (role=combobox) owns a listbox that htmx fills
// with [data-choose] options; arrows move through them (aria-activedescendant), Enter or a click
// picks one into the hidden id, Escape closes the list and keeps the choice, a click or focus
// elsewhere closes it. A choice stands until the text is edited, and does not reopen the list.
(function () {
  "use strict";

  function boxOf(el) { return el && el.closest ? el.closest(".typeahead") : null; }
  function inputOf(box) { return box.querySelector("input[role=combobox]"); }
  function idInputOf(box) { return box.querySelector("input[type=hidden]"); }
  function listOf(box) { return box.querySelector(".typeahead-results"); }
  function optionsOf(box) { return Array.prototype.slice.call(listOf(box).querySelectorAll("[role=option]")); }
  function isOpen(box) { return !listOf(box).hidden && listOf(box).childElementCount > 0; }

  function setActive(box, option) {
    var input = inputOf(box);
    optionsOf(box).forEach(function (o) {
      var on = o === option;
      o.classList.toggle("active", on);
      o.setAttribute("aria-selected", on ? "true" : "false");
    });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function setOpen(box, open) {
    var list = listOf(box);
    open = open && list.childElementCount > 0;
    list.hidden = !open;
    inputOf(box).setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) setActive(box, null);
  }

  function closeAll(except) {
    document.querySelectorAll(".typeahead").forEach(function (box) {
      if (box !== except && inputOf(box)) setOpen(box, false);
    });
  }

  // A choice stands while the text is the chosen label; the list then stays shut on focus.
  function hasChoice(box) {
    var input = inputOf(box);
    return idInputOf(box).value !== "" && input.dataset.chosenLabel === input.value;
  }

  function choose(box, option) {
    var input = inputOf(box);
    idInputOf(box).value = option.dataset.id;
    input.value = option.dataset.label;
    input.dataset.chosenLabel = option.dataset.label;
    setOpen(box, false);
    box.dispatchEvent(new CustomEvent("typeahead:chosen", { bubbles: true, detail: { option: option } }));
    input.focus();
  }

  // Options get ids (for aria-activedescendant) and the list opens only for the focused input.
  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!list.classList || !list.classList.contains("typeahead-results")) return;
    var box = boxOf(list), input = inputOf(box);
    optionsOf(box).forEach(function (o, i) {
      o.id = list.id + "-option-" + i;
      o.tabIndex = -1;
      o.setAttribute("aria-selected", "false");
    });
    // A search that answers after a pick (or after focus moved on) leaves the list shut,
    // unless ArrowDown asked for it.
    var asked = box.dataset.askedOpen === "true";
    delete box.dataset.askedOpen;
    setOpen(box, document.activeElement === input && (asked || !hasChoice(box)));
  });

  // Focusing a picker that already holds a choice does not search again (that reopened the
  // list over the fields beside it); ArrowDown (the "open-list" event) always may.
  document.addEventListener("htmx:confirm", function (event) {
    var input = event.detail.elt, box = boxOf(input);
    if (!box || input !== inputOf(box) || event.detail.triggeringEvent == null) return;
    if (event.detail.triggeringEvent.type === "focus" && hasChoice(box)) event.preventDefault();
  });

  document.addEventListener("input", function (event) {
    var box = boxOf(event.target);
    if (!box || event.target !== inputOf(box)) return;
    // Edited text is a new search: the old choice no longer stands.
    if (event.target.value !== event.target.dataset.chosenLabel) idInputOf(box).value = "";
  });

  document.addEventListener("keydown", function (event) {
    var box = boxOf(event.target);
    if (!box || event.target !== inputOf(box)) return;
    var options = optionsOf(box), active = listOf(box).querySelector("[role=option].active");
    var index = options.indexOf(active);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!isOpen(box)) {
        if (options.length) { setOpen(box, true); } else { box.dataset.askedOpen = "true"; event.target.dispatchEvent(new CustomEvent("open-list")); return; }
      }
      var step = event.key === "ArrowDown" ? 1 : -1;
      setActive(box, options[(index + step + options.length) % options.length] || options[0]);
    } else if (event.key === "Enter" && active && isOpen(box)) {
      event.preventDefault(); // pick, do not submit the form
      choose(box, active);
    } else if (event.key === "Escape") {
      // A search input's own Escape empties it, and with it the choice: keep the choice.
      event.preventDefault();
      if (isOpen(box)) event.stopPropagation();
      setOpen(box, false);
    } else if (event.key === "Tab") {
      setOpen(box, false);
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest(".typeahead [data-choose]");
    if (option) {
      event.preventDefault();
      choose(boxOf(option), option);
      return;
    }
    closeAll(boxOf(event.target));
  });

  // Pressing an option must not blur the input first (which would close the list).
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest(".typeahead-results")) event.preventDefault();
  });

  document.addEventListener("focusin", function (event) {
    closeAll(boxOf(event.target));
    var box = boxOf(event.target);
    if (box && event.target === inputOf(box) && optionsOf(box).length && !hasChoice(box)) setOpen(box, true);
  });

  // A contact's choice fills the account picker named by data-fills with the contact's company.
  document.addEventListener("typeahead:chosen", function (event) {
    var option = event.detail.option, box = event.target;
    var linked = box.dataset.fills && document.getElementById(box.dataset.fills);
    if (!linked || !option.dataset.accountId) return;
    var input = inputOf(linked), idInput = idInputOf(linked);
    if (idInput.value === option.dataset.accountId) return;
    var before = input.dataset.chosenLabel && idInput.value ? input.value : "";
    idInput.value = option.dataset.accountId;
    input.value = option.dataset.accountLabel;
    input.dataset.chosenLabel = option.dataset.accountLabel;
    say(box, (before ? "Account changed to " : "Account set to ") + option.dataset.accountLabel + ", the contact's company.");
    showWiden();
  });

  function say(box, message) {
    var notice = document.getElementById(box.id + "-notice");
    if (notice) notice.textContent = message;
  }

  // A picker with data-narrow-by searches within the other picker's choice (a contact within
  // the chosen account) until its "Search all" button widens it.
  function narrowingOf(input) {
    var other = input.dataset.narrowBy && document.getElementById(input.dataset.narrowBy);
    if (!other || !inputOf(other) || !hasChoice(other)) return null;
    return other;
  }

  function showWiden() {
    document.querySelectorAll("[data-widen-for]").forEach(function (line) {
      var input = inputOf(document.getElementById(line.dataset.widenFor));
      line.hidden = !narrowingOf(input);
    });
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var input = event.detail.elt, box = boxOf(input);
    if (!box || input !== inputOf(box)) return;
    var other = narrowingOf(input);
    var widen = document.querySelector("[data-widen='" + box.id + "']");
    if (other && !(widen && widen.getAttribute("aria-pressed") === "true")) {
      event.detail.parameters.account_id = idInputOf(other).value;
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-widen]");
    if (!button) return;
    var pressed = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", pressed ? "true" : "false");
    // Focus sets off the search again (from the button, the input is not focused yet).
    inputOf(document.getElementById(button.dataset.widen)).focus();
  });

  document.addEventListener("typeahead:chosen", showWiden);
  document.addEventListener("input", function (event) { if (boxOf(event.target)) showWiden(); });

  // A picker rendered with a choice (a form shown again) starts with that choice standing.
  function markChosen(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(".typeahead").forEach(function (box) {
      var input = inputOf(box);
      if (input && idInputOf(box).value !== "" && input.dataset.chosenLabel === undefined) input.dataset.chosenLabel = input.value;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { markChosen(document); showWiden(); });
  document.addEventListener("htmx:load", function (event) { markChosen(event.detail.elt); showWiden(); });
})();
