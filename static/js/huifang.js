/* What the pages did in inline handlers, here so that the Content-Security-Policy needs no
   inline script: a select that submits its form on change, a box that ticks all the boxes
   it names, a form that asks before it is sent; a progress bar's width; and the urgent
   alerts dismissed in this tab. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    const field = event.target.closest("[data-submit-on-change]");
    if (field && field.form) field.form.submit();
  });

  document.addEventListener("click", function (event) {
    const all = event.target.closest("[data-check-all]");
    if (!all) return;
    document.querySelectorAll(all.dataset.checkAll).forEach(function (box) {
      box.checked = all.checked;
    });
  });

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  /* A progress bar's width, from its data-progress (a percentage): the policy refuses a
     style attribute, not a width set from here. Again after each htmx swap. */
  function showProgress(root) {
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { showProgress(document); });
  document.addEventListener("htmx:load", function (event) { showProgress(event.target); });

  /* The urgent escalations' line: an alert dismissed stays hidden in this tab (the poll
     brings it back otherwise); the next one takes its place, and the line goes when none
     is left. Acknowledging is the server's, for everyone. */
  const DISMISSED = "huifang.dismissedUrgent";
  function dismissed() {
    try { return JSON.parse(window.sessionStorage.getItem(DISMISSED) || "[]"); } catch (error) { return []; }
  }
  function hideDismissed(root) {
    const alert = root.querySelector ? root.querySelector("#urgent-alert") : null;
    if (!alert) return;
    const hidden = dismissed();
    alert.querySelectorAll(".urgent-item").forEach(function (item) {
      if (hidden.includes(item.dataset.escalation)) item.remove();
    });
    if (!alert.querySelector(".urgent-item")) alert.hidden = true;
  }
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-dismiss-urgent]");
    if (!button) return;
    const hidden = dismissed();
    hidden.push(button.dataset.dismissUrgent);
    try { window.sessionStorage.setItem(DISMISSED, JSON.stringify(hidden.slice(-200))); } catch (error) { /* private mode: hide once */ }
    hideDismissed(document);
  });
  document.addEventListener("htmx:afterSettle", function () { hideDismissed(document); });
})();
