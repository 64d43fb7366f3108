/* What the pages did in inline handlers, here so that the Content-Security-Policy needs no
   inline script: a select that submits its form on change, a box that ticks all the boxes
   it names, a form that asks before it is sent. */
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
})();
