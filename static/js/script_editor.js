/* The script editor (templates/followups/scripts/edit.html). */
(function () {
  "use strict";
  // 409 (a refused edit) carries its reason to #editor-messages; other errors are not swapped.
  htmx.config.responseHandling = [
    {code: "204", swap: false}, {code: "[23]..", swap: true},
    {code: "409", swap: true, error: false}, {code: "[45]..", swap: false, error: true},
  ];
  // The variable picker keeps the cursor in the text, inserts the variable there and saves.
  document.addEventListener("mousedown", (event) => {
    if (event.target.closest("[data-insert], .variable-toggle")) event.preventDefault();
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-insert]");
    if (!button) return;
    const area = document.getElementById(button.dataset.target);
    const start = area.selectionStart ?? area.value.length, end = area.selectionEnd ?? start;
    area.setRangeText(button.dataset.insert, start, end, "end");
    area.focus();
    area.dispatchEvent(new Event("change", {bubbles: true}));
  });
})();
