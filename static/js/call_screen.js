/* The agent's console: keyboard shortcuts (N next call, 1–9 answer, Backspace back one
   step, O objections, Ctrl+Enter record), the outcome fields the script's answers tell,
   focus where the agent's hands are, the escalation in sight when opened, the list's
   rows that open their call, and the draft of a held call (what the agent entered, kept in
   this tab through a reload or a session that ended). Everything else is htmx. */
(function () {
  "use strict";

  function typingIn(element) {
    if (!element) return false;
    if (element.isContentEditable) return true;
    if (element.tagName === "TEXTAREA" || element.tagName === "SELECT") return true;
    return element.tagName === "INPUT" && !["button", "submit", "checkbox", "radio"].includes(element.type);
  }

  function click(selector) {
    const target = document.querySelector(selector);
    if (!target || target.disabled) return false;
    // A key pressed the instant new content arrives may come before htmx has wired it.
    if (window.htmx) window.htmx.process(target);
    target.click();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.isComposing) return;
    const form = document.getElementById("outcome-form");
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && form) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (event.ctrlKey || event.metaKey) return;
    // Keys in an open menu (put back's reasons) are the menu's: arrows, Enter, Escape.
    if (event.target.closest && event.target.closest(".dropdown-menu.show")) return;
    if (typingIn(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const key = event.key;
    let done = false;
    if (key === "n" || key === "N") {
      done = click("#next-call-button");
    } else if (/^[1-9]$/.test(key)) {
      done = click('#script-runner [data-answer-key="' + key + '"]');
      if (!done) {
        // A step that takes a typed answer has no keys: say so, and put the cursor in its
        // box (the digit, meant as an answer key, is not typed into it).
        const typed = document.querySelector("#script-runner #free-answer");
        const hint = document.getElementById("runner-hint");
        if (typed) {
          if (hint) hint.hidden = false;
          typed.focus();
          done = true;
        }
      }
    } else if (key === "Backspace") {
      done = click("#script-back");
    } else if (key === "o" || key === "O") {
      const first = document.querySelector("#objections .objection");
      if (first) {
        document.getElementById("objections").classList.add("objections-open");
        first.focus();
        done = true;
      }
    }
    if (done) event.preventDefault();
  });

  // What the answers so far tell the outcome (satisfaction, intent, a callback, a red
  // flag, the disposition of the closing): set a field when its suggestion changes, clear
  // it when the suggestion goes away (Backspace) unless the agent changed it meanwhile.
  // Each follow-up's runner suggests on its own: the lead's fills the call's fields, the
  // others' their own "for each follow-up" choice (the server says which in the prefill).
  let suggested = {}; // task id → what its runner suggested last

  function suggestionOf(runner) {
    try {
      return JSON.parse(runner.dataset.prefill || "{}");
    } catch (error) {
      return {};
    }
  }

  function applySuggestion(runner) {
    const form = document.getElementById("outcome-form");
    const task = runner.dataset.task || "";
    const before = suggested[task] || {};
    const next = suggestionOf(runner);
    suggested[task] = next;
    if (!form) return;
    const names = new Set(Object.keys(before).concat(Object.keys(next)));
    names.forEach(function (name) {
      const field = form.elements.namedItem(name);
      if (!field) return;
      if (field.type === "checkbox") {
        // A box the script ticks (never call again), unticked again if the agent steps
        // back past the handler that ticked it.
        if (name in next && !(name in before)) {
          field.checked = true;
          field.classList.add("suggested");
        } else if (!(name in next) && name in before && field.checked) {
          field.checked = false;
          field.classList.remove("suggested");
        } else {
          return;
        }
      } else if (name in next && next[name] !== before[name]) {
        field.value = next[name];
        field.classList.add("suggested");
      } else if (!(name in next) && field.value === before[name]) {
        field.value = name === "escalation_severity" ? "normal" : "";
        field.classList.remove("suggested");
      } else {
        return;
      }
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
    const escalation = document.getElementById("escalation");
    if (escalation && next.escalation_category) escalation.open = true;
  }

  // Focus stays on the runner (not on an answer, which would look chosen), so the keys
  // work at once; a typed answer gets the cursor.
  function focusRunner(runner) {
    const target = runner.querySelector("#free-answer") || runner;
    target.focus({ preventScroll: true });
  }

  function showLatestStep(root) {
    const steps = root.querySelector && root.querySelector("#path-so-far ol");
    if (steps) steps.scrollTop = steps.scrollHeight;
  }

  document.addEventListener("htmx:load", function (event) {
    const loaded = event.detail.elt;
    showLatestStep(loaded.parentNode || loaded);
    if (loaded.id === "script-runner") {
      // The runner moved one step, or another follow-up's runner opened: the form is the
      // same, follow the suggestions of that runner.
      applySuggestion(loaded);
      focusRunner(loaded);
      saveDraft();
      return;
    }
    if (recording && document.getElementById("after-call")) {
      dropDraft(recording); // recorded: nothing of the call is kept in the tab
      recording = null;
    }
    const runner = loaded.querySelector && loaded.querySelector("#script-runner");
    if (runner) {
      // A new call screen: the form holds what it holds; remember, do not overwrite.
      suggested = {};
      suggested[runner.dataset.task || ""] = suggestionOf(runner);
      focusRunner(runner);
      restoreDraft();
    }
    const autofocus = loaded.querySelector && loaded.querySelector("[autofocus]");
    if (autofocus && !runner) autofocus.focus();
  });

  // --- The draft of a held call -------------------------------------------------------------
  // What the agent entered on the call screen (the outcome form's fields, each follow-up's
  // script path, which runner was open, the escalation opened) is saved at each change in
  // this tab's sessionStorage, under the agent, the call and its claim (#call-header's
  // data-draft): a reload, or the login after a session that ended, opens the same call
  // with all of it back, the runner asked again for its screen at the saved path. Kept in
  // this tab only (not sent anywhere, gone when the tab closes); dropped once the outcome is
  // recorded, when the call is put back, on logging out, when another call (or another
  // claim of this one) opens in the tab, and once the call screen's ticket would have expired
  // (#call-header's data-draft-max-age, in seconds: each draft carries its own end, as the
  // login page, which has no header, reads it too).
  const DRAFT_PREFIX = "huifang.call-draft.";
  const NOT_KEPT = ["csrfmiddlewaretoken", "ticket", "record_without_answers"];
  let recording = null; // the draft of the call whose outcome is being sent

  function drafts() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null; // storage refused: nothing is kept
    }
  }

  function draftKey() {
    const header = document.getElementById("call-header");
    return header && header.dataset.draft ? DRAFT_PREFIX + header.dataset.draft : null;
  }

  function draftMaxAge() {
    const header = document.getElementById("call-header");
    const seconds = Number(header && header.dataset.draftMaxAge);
    return seconds > 0 ? seconds * 1000 : 0;
  }

  function storedDrafts() {
    const store = drafts();
    const keys = [];
    if (!store) return keys;
    for (let index = 0; index < store.length; index += 1) {
      const key = store.key(index);
      if (key && key.indexOf(DRAFT_PREFIX) === 0) keys.push(key);
    }
    return keys;
  }

  function readDraft(key) {
    const store = drafts();
    try {
      const draft = JSON.parse((store && store.getItem(key)) || "null");
      if (draft && Date.now() < draft.expires) return draft;
    } catch (error) {
      /* unreadable: dropped below */
    }
    dropDraft(key);
    return null;
  }

  function dropDraft(key) {
    const store = drafts();
    if (store && key) store.removeItem(key);
  }

  function saveDraft() {
    const key = draftKey();
    const form = document.getElementById("outcome-form");
    const store = drafts();
    const maxAge = draftMaxAge();
    if (!key || !form || !store || !maxAge) return;
    const fields = {};
    const marked = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      const name = field.name;
      if (!name || NOT_KEPT.includes(name) || name.indexOf("path_") === 0) return;
      fields[name] = field.type === "checkbox" ? field.checked : field.value;
      if (field.classList.contains("suggested")) marked.push(name);
    });
    const paths = {};
    document.querySelectorAll(".call-path").forEach(function (input) {
      paths[input.name] = input.value;
    });
    const runner = document.getElementById("script-runner");
    const escalation = document.getElementById("escalation");
    const draft = {
      expires: Date.now() + maxAge,
      task: runner ? runner.dataset.task || "" : "",
      paths: paths,
      fields: fields,
      marked: marked,
      suggested: suggested,
      escalation: Boolean(escalation && escalation.open),
    };
    try {
      store.setItem(key, JSON.stringify(draft));
    } catch (error) {
      /* storage full or refused: the screen works on, unsaved */
    }
  }

  function restoreDraft() {
    const key = draftKey();
    if (!key) return;
    // One call at a time: drafts of other calls, claims or agents are not kept.
    storedDrafts().forEach(function (other) {
      if (other !== key) dropDraft(other);
    });
    const draft = readDraft(key);
    const form = document.getElementById("outcome-form");
    if (!draft || !form) return;
    Object.keys(draft.fields || {}).forEach(function (name) {
      const field = form.elements.namedItem(name);
      if (!field) return;
      if (field.type === "checkbox") field.checked = Boolean(draft.fields[name]);
      else field.value = draft.fields[name];
      field.classList.toggle("suggested", (draft.marked || []).includes(name));
    });
    const escalation = document.getElementById("escalation");
    if (escalation && draft.escalation) escalation.open = true;
    suggested = draft.suggested || {};
    // Each follow-up's path back in the page, then the runner that was open asked for its
    // screen there (its tab: the step endpoint replays the path; the form is kept as is).
    let moved = false;
    Object.keys(draft.paths || {}).forEach(function (name) {
      const input = document.querySelector('.call-path[name="' + CSS.escape(name) + '"]');
      if (input && input.value !== draft.paths[name]) {
        input.value = draft.paths[name];
        moved = true;
      }
    });
    const runner = document.getElementById("script-runner");
    const saved = document.getElementById("call-task-" + draft.task);
    const open = saved ? draft.task : runner && runner.dataset.task;
    const tab = open && document.getElementById("call-task-" + open);
    if (tab && (moved || (runner && runner.dataset.task !== open))) {
      if (window.htmx) window.htmx.process(tab);
      tab.click();
    }
    const told = document.getElementById("draft-restored");
    if (told) told.hidden = false;
  }

  function keepsDraft(target) {
    return target && target.form && target.form.id === "outcome-form";
  }
  document.addEventListener("input", function (event) {
    if (keepsDraft(event.target)) saveDraft();
  });
  document.addEventListener("change", function (event) {
    if (keepsDraft(event.target)) saveDraft();
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "outcome-form") recording = draftKey();
  });
  document.addEventListener("submit", function (event) {
    const form = event.target;
    // Leaving the call (put back) or the app (log out): nothing of a call is kept.
    if (form.id === "put-back-menu") dropDraft(draftKey());
    if (/\/logout\/?$/.test(form.getAttribute("action") || "")) storedDrafts().forEach(dropDraft);
  });
  // The login page says when a draft of a call waits in this tab (the session ended).
  document.addEventListener("DOMContentLoaded", function () {
    const kept = document.getElementById("draft-kept");
    if (kept && storedDrafts().some(readDraft)) kept.hidden = false;
  });

  // The escalation's fields, once opened, come into view above the outcome's sticky
  // button (their scroll margin leaves it room): the description is never under it.
  document.addEventListener(
    "toggle",
    function (event) {
      const details = event.target;
      if (details.id === "escalation") saveDraft();
      if (!details.open || details.id !== "escalation") return;
      const description = details.querySelector("textarea");
      if (description) description.scrollIntoView({ block: "nearest" });
    },
    true
  );

  // A call of the list that may not be made yet ("Call from 15:00", disabled) is offered
  // once its time has come: the server says in how many seconds, so the computer's own
  // clock does not matter. (A day-long wait is left to the next visit.)
  function offerLater(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("form.call-later[data-callable-in]").forEach(function (form) {
      const seconds = Number(form.dataset.callableIn);
      if (!(seconds > 0) || seconds > 12 * 3600) return;
      form.removeAttribute("data-callable-in");
      window.setTimeout(function () {
        const button = form.querySelector("button");
        const wrapper = button.parentElement;
        button.disabled = false;
        button.textContent = button.dataset.nowLabel;
        button.classList.replace("btn-outline-secondary", "btn-outline-primary");
        button.setAttribute("data-row-action", "");
        wrapper.removeAttribute("title");
        wrapper.removeAttribute("tabindex");
        const row = form.closest("tr");
        if (row) row.classList.add("row-link");
      }, seconds * 1000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { offerLater(document); });
  document.addEventListener("htmx:load", function (event) { offerLater(event.detail.elt); });

  // A row of the agent's list opens its call: a click anywhere on it does what its button
  // does (back to the call, or call now).
  document.addEventListener("click", function (event) {
    const row = event.target.closest("#my-list tr.row-link");
    if (!row || event.target.closest("a, button, input, select, form")) return;
    const action = row.querySelector("[data-row-action]");
    if (action) action.click();
  });

  // A refusal the console marks as a fragment (a call that is no longer yours) is shown
  // where the agent looked, not dropped as an error.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const xhr = event.detail.xhr;
    if (xhr.status === 403 && xhr.getResponseHeader("X-Agent-Fragment") === "1") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
