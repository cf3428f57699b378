// The review queue by keyboard (the Bank page): j/k or the arrows move between the
// lines, c confirms the first suggestion, 1-5 that suggestion, x sets the line aside
// (not a customer payment), i types the invoices, h opens the line's history.
// Keys typed into a field are the field's. Without JavaScript every action is a form.
(function () {
  "use strict";
  function lines() { return Array.prototype.slice.call(document.querySelectorAll(".bank-line")); }
  function current() {
    var el = document.activeElement;
    return el && el.closest ? el.closest(".bank-line") : null;
  }
  function go(step) {
    var all = lines();
    if (!all.length) { return; }
    var at = all.indexOf(current());
    var next = all[Math.max(0, Math.min(all.length - 1, at < 0 ? 0 : at + step))];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }
  function press(line, selector) {
    var button = line.querySelector(selector);
    if (button) { button.closest("form").requestSubmit(button); }
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) {
      if (event.key === "Escape") { target.blur(); var l = target.closest(".bank-line"); if (l) { l.focus(); } }
      return;
    }
    var line = current();
    var key = event.key;
    if (key === "j" || key === "ArrowDown") { go(1); event.preventDefault(); return; }
    if (key === "k" || key === "ArrowUp") { go(-1); event.preventDefault(); return; }
    if (!line) { return; }
    if (key === "c" || key === "Enter" && target === line) { press(line, '.pick-form button[data-key="1"]'); event.preventDefault(); }
    else if (/^[1-5]$/.test(key)) { press(line, '.pick-form button[data-key="' + key + '"]'); event.preventDefault(); }
    else if (key === "x") { press(line, '.reject-form button'); event.preventDefault(); }
    else if (key === "i") { var field = line.querySelector(".invoices-input"); if (field) { field.focus(); event.preventDefault(); } }
    else if (key === "h") { var link = line.querySelector(".history-link"); if (link) { window.location.href = link.href; } }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var first = lines()[0];
    if (first && (!document.activeElement || document.activeElement === document.body)) { first.focus({ preventScroll: true }); }
  });
})();
