// Casebook's small layer of behaviour on top of htmx. No inline scripts (CSP).
(function () {
  "use strict";

  // Lets CSS hide controls that only a page without JavaScript needs (.no-js-only).
  document.documentElement.classList.add("js");

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

  // Tabs inside a component: buttons with aria-controls show one panel at a time. A panel
  // marked data-lazy-panel is a placeholder: opening it fires "tab-open", on which htmx loads
  // the real panel in its place; focus then moves into it, as it does for a rendered panel.
  var focusOnLoad = null; // id of the lazy panel whose first field takes focus when it arrives

  function firstField(panel) {
    return panel && panel.querySelector("textarea, input:not([type=hidden]), select");
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest("[data-tab]");
    if (!tab) return;
    event.preventDefault(); // a tab may be a link (its no-JavaScript fallback)
    var list = tab.closest("[role=tablist]");
    list.querySelectorAll("[data-tab]").forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      other.tabIndex = selected ? 0 : -1;
      var panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !selected;
    });
    var panel = document.getElementById(tab.getAttribute("aria-controls"));
    focusOnLoad = null;
    if (panel && panel.hasAttribute("data-lazy-panel")) {
      focusOnLoad = panel.id;
      panel.dispatchEvent(new CustomEvent("tab-open"));
      return;
    }
    var first = firstField(panel);
    if (first) first.focus();
  });

  // A tab panel swapped in (a lazy panel arriving, or a form re-rendered) shows only while its
  // tab is selected: another tab may have been chosen while it loaded.
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = event.detail.elt;
    if (!panel.matches || !panel.matches("[role=tabpanel]")) return;
    var tab = document.getElementById(panel.getAttribute("aria-labelledby"));
    if (tab && tab.hasAttribute("data-tab")) panel.hidden = tab.getAttribute("aria-selected") !== "true";
    if (focusOnLoad !== panel.id) return;
    focusOnLoad = null;
    var active = document.activeElement;
    var first = firstField(panel);
    if (!panel.hidden && first && (active === tab || active === document.body || !active)) first.focus();
  });

  // Arrow keys, Home and End move between tabs (only the selected tab is in the Tab order).
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest("[role=tab][data-tab]");
    if (!tab || ["ArrowLeft", "ArrowRight", "Home", "End"].indexOf(event.key) < 0) return;
    var tabs = Array.prototype.slice.call(tab.closest("[role=tablist]").querySelectorAll("[role=tab][data-tab]"));
    var i = tabs.indexOf(tab);
    var next = {ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: tabs.length - 1}[event.key];
    next = tabs[(next + tabs.length) % tabs.length];
    event.preventDefault();
    next.click();
    next.focus();
    focusOnLoad = null; // moving along the tabs keeps focus on them
  });

  // Publisher uploads: refuse a file over the limit before sending it, show progress, and
  // show a 413 from the server inside the form as well as at the top of the page.
  function uploadError(form, message) {
    var box = form.querySelector("[data-upload-error]");
    if (!box) return;
    box.textContent = message || "";
    box.hidden = !message;
  }

  function tooLarge(form) {
    var input = form.querySelector("input[type=file][data-max-bytes]");
    if (!input) return null;
    var max = Number(input.dataset.maxBytes);
    var total = 0;
    for (var i = 0; i < input.files.length; i++) total += input.files[i].size;
    if (total <= max) return null;
    return "The files are too large: together they must stay under " + Math.floor(max / 1048576) + " MB. Nothing was sent.";
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-upload-form")) uploadError(form, tooLarge(form));
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form.hasAttribute || !form.hasAttribute("data-upload-form")) return;
    var message = tooLarge(form);
    uploadError(form, message);
    if (message) event.preventDefault();
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.detail.elt;
    var bar = form.querySelector && form.querySelector(".upload-progress");
    if (!bar || !event.detail.lengthComputable) return;
    bar.hidden = false;
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.hasAttribute || !form.hasAttribute("data-upload-form")) return;
    var bar = form.querySelector(".upload-progress");
    if (bar) bar.hidden = true;
    if (event.detail.xhr && event.detail.xhr.status === 413) {
      uploadError(form, "The upload is too large for Casebook's limit; nothing was saved. Try fewer or smaller files.");
    }
  });

  // Escape in an inline editor cancels it: its Cancel link puts the field back.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var editor = event.target.closest("[data-inline-edit]");
    var cancel = editor && editor.querySelector("[data-cancel]");
    if (!cancel) return;
    event.preventDefault();
    cancel.click();
  });

  // After a swap, move focus to an element that asks for it (e.g. an inline editor).
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.elt.querySelector && event.detail.elt.querySelector("[data-autofocus]");
    if (target) target.focus();
  });

  // Copy buttons: data-copy names the input whose value goes to the clipboard.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var input = document.querySelector(button.dataset.copy);
    if (!input) return;
    input.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });

  // Read-only fields meant for copying select their whole value on focus.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
  });
})();

// Global search (templates/search/_box.html): "/" focuses the box from anywhere but a text
// field; the dropdown htmx fills is a WAI-ARIA listbox the arrow keys move through, Enter
// opens the active option (or, with none active, submits the form to /search), Escape closes.
(function () {
  "use strict";

  function box() { return document.getElementById("global-search-input"); }
  function list() { return document.getElementById("search-suggestions"); }
  function options() { var l = list(); return l ? Array.prototype.slice.call(l.querySelectorAll("[role=option]")) : []; }

  function isTextField(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && !/^(button|submit|checkbox|radio|reset|file|image)$/i.test(el.type));
  }

  function setOpen(open) {
    var input = box(), l = list();
    if (!input || !l) return;
    l.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) setActive(null);
  }

  function setActive(option) {
    var input = box();
    options().forEach(function (o) {
      var on = o === option;
      o.classList.toggle("active", on);
      o.setAttribute("aria-selected", on ? "true" : "false");
    });
    if (!input) return;
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTextField(document.activeElement) || !box()) return;
    event.preventDefault();
    box().focus();
    box().select();
  });

  document.addEventListener("keydown", function (event) {
    var input = box();
    if (!input || event.target !== input) return;
    var all = options(), active = list().querySelector("[role=option].active");
    var index = all.indexOf(active);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) return;
      event.preventDefault();
      setOpen(true);
      var step = event.key === "ArrowDown" ? 1 : -1;
      setActive(all[(index + step + all.length) % all.length] || all[0]);
    } else if (event.key === "Enter" && active && !list().hidden) {
      event.preventDefault();
      setOpen(false);
      active.click();
    } else if (event.key === "Escape") {
      if (!list().hidden) { event.preventDefault(); setOpen(false); }
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== list()) return;
    setOpen(options().length > 0 && box() && box().value.trim() !== "" && document.activeElement === box());
  });

  // Options are links: a mouse press must not blur the box (closing the list) before the click.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest("#search-suggestions")) event.preventDefault();
  });

  document.addEventListener("focusout", function (event) {
    if (event.target === box()) setOpen(false);
  });

  document.addEventListener("focusin", function (event) {
    if (event.target === box() && options().length && box().value.trim()) setOpen(true);
  });
})();
