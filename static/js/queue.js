/* The queue page: reassigning asks first, saying how many calls move from whom to whom
   (the form's data-confirm-one / data-confirm-many, with {count}, {from} and {to}). */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-reassign]");
    if (!form) return;
    const chosen = Array.from(form.querySelectorAll("input[name=entries]:checked"));
    const select = form.querySelector("select[name=to_agent]");
    // Nothing chosen: the server says what is missing.
    if (!chosen.length || !select || !select.value) return;
    const to = select.options[select.selectedIndex].text;
    const from = Array.from(new Set(chosen.map(function (box) { return box.dataset.agent; })));
    const template = chosen.length === 1 ? form.dataset.confirmOne : form.dataset.confirmMany;
    const question = template
      .replace("{count}", String(chosen.length))
      .replace("{from}", from.join(form.dataset.separator || ", "))
      .replace("{to}", to);
    if (!window.confirm(question)) event.preventDefault();
  });
})();
