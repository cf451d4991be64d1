// Keyboard shortcuts for the agent console. "?" lists them. They are ignored while typing in
// a field or with a modifier key held, so they never take a keystroke meant for something else.
(function () {
  "use strict";

  var script = document.currentScript;
  var urls = {
    cases: script.dataset.cases,
    accounts: script.dataset.accounts,
    newCase: script.dataset.newCase
  };
  var SHORTCUTS = [
    ["?", "Show this list"],
    ["g then c", "Go to cases"],
    ["g then a", "Go to accounts"],
    ["n", "New case"],
    ["j / k", "Move down / up a list"],
    ["Enter", "Open the highlighted row"],
    ["r", "On a case: write a post"],
    ["e", "On a case: edit it"],
    ["Esc", "Close this list"]
  ];
  var pendingG = false;
  var pendingTimer = null;
  var dialog = null;

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=''], [contenteditable=true]");
  }

  function buildDialog() {
    dialog = document.createElement("dialog");
    dialog.id = "shortcuts-dialog";
    dialog.className = "shortcuts-dialog";
    dialog.setAttribute("aria-labelledby", "shortcuts-title");
    var title = document.createElement("h2");
    title.id = "shortcuts-title";
    title.textContent = "Keyboard shortcuts";
    var list = document.createElement("dl");
    SHORTCUTS.forEach(function (pair) {
      var term = document.createElement("dt");
      pair[0].split(" ").forEach(function (word) {
        if (word === "then" || word === "/") {
          term.append(" " + word + " ");
        } else {
          var key = document.createElement("kbd");
          key.textContent = word;
          term.append(key);
        }
      });
      var detail = document.createElement("dd");
      detail.textContent = pair[1];
      list.append(term, detail);
    });
    var form = document.createElement("form");
    form.method = "dialog";
    var close = document.createElement("button");
    close.className = "button";
    close.textContent = "Close";
    form.append(close);
    dialog.append(title, list, form);
    dialog.addEventListener("close", function () {
      var back = dialog.returnFocus;
      dialog.returnFocus = null;
      if (back && document.contains(back)) back.focus();
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close(); // a click on the backdrop
    });
  }

  function showDialog() {
    if (!dialog || !document.body.contains(dialog)) {
      buildDialog();
      document.body.append(dialog);
    }
    dialog.returnFocus = document.activeElement;
    dialog.showModal();
  }

  function go(url) {
    if (url) window.location.assign(url);
  }

  // j / k: the highlighted row of the first list on the page marked data-keyboard-list.
  function moveInList(step) {
    var table = document.querySelector("[data-keyboard-list]");
    if (!table) return false;
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    if (!rows.length) return false;
    var current = rows.findIndex(function (row) { return row.classList.contains("kb-current"); });
    var next = current < 0 ? (step > 0 ? 0 : rows.length - 1)
                           : Math.min(rows.length - 1, Math.max(0, current + step));
    rows.forEach(function (row, index) {
      var on = index === next;
      row.classList.toggle("kb-current", on);
      if (on) row.setAttribute("aria-selected", "true"); else row.removeAttribute("aria-selected");
    });
    rows[next].scrollIntoView({block: "nearest"});
    return true;
  }

  function openCurrentRow() {
    var row = document.querySelector("[data-keyboard-list] tr.kb-current");
    var link = row && row.querySelector("a[href]");
    if (!link) return false;
    link.click(); // a click, so hx-boost loads it as it loads any link
    return true;
  }

  function writePost() {
    var tab = document.getElementById("pub-tab-post");
    if (!tab) return false;
    if (tab.getAttribute("aria-selected") !== "true") tab.click();
    var box = document.querySelector("#pub-post textarea");
    if (box) box.focus();
    return true;
  }

  function openEdit() {
    var link = document.querySelector("#case-header a[href$='/edit']");
    if (!link) return false;
    link.click();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || (dialog && dialog.open)) return;
    var key = event.key;
    if (pendingG) {
      pendingG = false;
      clearTimeout(pendingTimer);
      if (key === "c") { event.preventDefault(); go(urls.cases); return; }
      if (key === "a") { event.preventDefault(); go(urls.accounts); return; }
    }
    var handled = true;
    if (key === "?") showDialog();
    else if (key === "g") {
      pendingG = true;
      pendingTimer = setTimeout(function () { pendingG = false; }, 1500);
    }
    else if (key === "n") go(urls.newCase);
    else if (key === "j") handled = moveInList(1);
    else if (key === "k") handled = moveInList(-1);
    else if (key === "Enter") handled = !event.target.closest("a, button") && openCurrentRow();
    else if (key === "r") handled = writePost();
    else if (key === "e") handled = openEdit();
    else handled = false;
    if (handled) event.preventDefault();
  });
})();
