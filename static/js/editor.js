// The task page's code editor. The server renders a plain form (file names and text areas with
// Save and Submit) that works without JavaScript; this script turns it into tabs around one Ace
// editor that keeps the text areas current, saves by itself shortly after each change and on
// Ctrl+S, and warns before leaving with unsaved work. Submitting stays with htmx and the form.
(function () {
  "use strict";

  var AUTOSAVE_DELAY_MS = 2000;
  var SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

  function modeFor(name) {
    if (/\.java$/i.test(name)) return "ace/mode/java";
    if (/\.py$/i.test(name)) return "ace/mode/python";
    return "ace/mode/text";
  }

  function globToRegExp(pattern) {
    var escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp("^" + escaped + "$");
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text) node.textContent = text;
    return node;
  }

  function start(form) {
    if (!window.ace) return;
    window.ace.config.set("useStrictCSP", true);
    window.ace.config.set("loadWorkerFromBlob", false);

    var patterns = (form.dataset.patterns || "").split(",").filter(Boolean).map(globToRegExp);
    var container = form.querySelector(".editor-files");
    var state = form.closest(".workbench").querySelector("#editor-state");
    var saveButton = form.querySelector("#editor-save");
    var baseInput = form.querySelector("input[name=base]");
    // After a conflict, only an explicit Save may replace what another window saved.
    var conflict = false;
    var files = [];
    var current = -1;
    var lastSaved = null;
    var saving = false;
    var timer = null;

    // Files as the server knows them: a name input and a text area in the (now hidden) form.
    form.querySelectorAll("[data-editor-new]").forEach(function (block) { block.remove(); });
    form.querySelectorAll("[data-editor-file]").forEach(function (block) {
      files.push({ block: block, nameInput: block.querySelector("input[name=name]"), textarea: block.querySelector("textarea") });
    });
    container.classList.add("enhanced");
    form.closest(".workbench").classList.add("has-editor");
    container.querySelector(".editor-help").remove();

    var toolbar = element("div", { "class": "editor-toolbar" });
    var tabs = element("div", { "class": "editor-tabs", role: "tablist", "aria-label": "Files" });
    var addButton = element("button", { type: "button" }, "Add file");
    var renameButton = element("button", { type: "button" }, "Rename");
    var deleteButton = element("button", { type: "button" }, "Delete");
    var tools = element("div", { "class": "editor-file-tools" });
    tools.append(addButton, renameButton, deleteButton);
    var starters = document.getElementById("starter-files");
    var startOverButton = element("button", { type: "button" }, "Start over");
    if (starters) tools.append(startOverButton);
    toolbar.append(tabs, tools);
    var surface = element("div", { "class": "code-editor", id: "code-editor-surface", role: "tabpanel" });
    var empty = element("p", { "class": "editor-empty muted" }, "No files yet. Use \u201cAdd file\u201d to start.");
    var keys = element("p", { "class": "help editor-keys", id: "editor-keys" },
      "Ctrl+S saves (it also saves by itself), Ctrl+F finds, Esc then Tab leaves the editor.");
    form.insertBefore(toolbar, container);
    form.insertBefore(surface, container);
    form.insertBefore(empty, container);
    form.insertBefore(keys, container);

    var editor = window.ace.edit(surface, {
      fontSize: "14px",
      tabSize: 4,
      useSoftTabs: true,
      showPrintMargin: true,
      printMarginColumn: 100,
      useWorker: false,
      enableKeyboardAccessibility: true,
      wrap: false,
    });
    var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");
    function applyTheme() { editor.setTheme(dark && dark.matches ? "ace/theme/github_dark" : "ace/theme/textmate"); }
    applyTheme();
    if (dark && dark.addEventListener) dark.addEventListener("change", applyTheme);

    function snapshot() {
      return JSON.stringify(files.map(function (file) { return [file.nameInput.value, file.textarea.value]; }));
    }

    function setState(text, kind) {
      state.textContent = text;
      state.dataset.state = kind;
    }

    function dirty() { return snapshot() !== lastSaved; }

    function markChanged() {
      if (!dirty() || conflict) { return; }
      setState("Unsaved changes", "dirty");
      window.clearTimeout(timer);
      timer = window.setTimeout(save, AUTOSAVE_DELAY_MS);
    }

    function save(explicit) {
      window.clearTimeout(timer);
      if (conflict && explicit !== true) return;
      conflict = false;
      if (saving) { timer = window.setTimeout(save, 500); return; }
      var sent = snapshot();
      if (sent === lastSaved) { setSavedText(); return; }
      saving = true;
      setState("Saving\u2026", "saving");
      fetch(form.action, {
        method: "POST",
        headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
      }).then(function (response) {
        return response.json().catch(function () { return { error: problemFor(response.status), retry: response.status >= 500 }; });
      }).then(function (answer) {
        saving = false;
        if (answer.conflict) {
          conflict = true;
          baseInput.value = answer.saved_at;
        }
        if (answer.error) {
          setState("Not saved: " + answer.error, "error");
          if (answer.retry) timer = window.setTimeout(save, 10000);
          return;
        }
        lastSaved = sent;
        baseInput.value = answer.saved_at;
        savedAt = new Date(answer.saved_at);
        if (dirty()) { markChanged(); } else { setSavedText(); }
      }).catch(function () {
        saving = false;
        setState("Not saved: the server cannot be reached. Trying again soon.", "error");
        timer = window.setTimeout(save, 10000);
      });
    }

    var savedAt = form.dataset.savedAt ? new Date(form.dataset.savedAt) : null;
    function setSavedText() {
      if (savedAt && !isNaN(savedAt)) {
        setState("Saved " + savedAt.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" }), "saved");
      } else {
        setState(files.length ? "Starter files" : "", "saved");
      }
    }

    function problemFor(status) {
      if (status === 403) return "this page has expired or you were logged out. Reload the page (your last saved state comes back) or log in again in another tab.";
      if (status === 404) return "this task is no longer available.";
      if (status === 413) return "your files are too large.";
      if (status === 503) return "the server is briefly unavailable. Your work stays here; saving tries again by itself.";
      return "the server answered with an error (" + status + ").";
    }

    // htmx leaves failed requests unswapped; say what happened where the result would appear.
    function submitFailed(text) {
      var result = document.getElementById("editor-result");
      result.replaceChildren(element("div", { "class": "form-error", role: "alert" }, text));
    }
    document.body.addEventListener("htmx:responseError", function (event) {
      if (event.detail.elt && event.detail.elt.id === "editor-submit") {
        submitFailed("Not submitted: " + problemFor(event.detail.xhr.status) + " Your files are kept in the editor.");
      }
    });
    document.body.addEventListener("htmx:sendError", function (event) {
      if (event.detail.elt && event.detail.elt.id === "editor-submit") {
        submitFailed("Not submitted: the server cannot be reached. Check your connection and try again.");
      }
    });

    function sessionFor(file) {
      if (!file.session) {
        file.session = window.ace.createEditSession(file.textarea.value, modeFor(file.nameInput.value));
        file.session.setUndoManager(new window.ace.UndoManager());
        file.session.on("change", function () {
          file.textarea.value = file.session.getValue();
          markChanged();
        });
      }
      return file.session;
    }

    function render() {
      tabs.replaceChildren();
      files.forEach(function (file, index) {
        var selected = index === current;
        var tab = element("button", {
          type: "button", role: "tab", id: "editor-tab-" + index, "aria-selected": String(selected),
          "aria-controls": "code-editor-surface", tabindex: selected ? "0" : "-1",
        }, file.nameInput.value);
        tab.addEventListener("click", function () { select(index); });
        tab.addEventListener("keydown", function (event) {
          var step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
          if (step) {
            event.preventDefault();
            select((index + step + files.length) % files.length);
            tabs.children[current].focus();
          }
        });
        tabs.append(tab);
      });
      var has = files.length > 0;
      surface.hidden = !has;
      empty.hidden = has;
      renameButton.disabled = !has;
      deleteButton.disabled = !has;
      if (has) surface.setAttribute("aria-labelledby", "editor-tab-" + current);
    }

    function select(index) {
      current = index;
      if (index >= 0) {
        editor.setSession(sessionFor(files[index]));
        var input = editor.textInput.getElement();
        input.setAttribute("aria-label", "Contents of " + files[index].nameInput.value);
        input.setAttribute("aria-describedby", "editor-keys");
      }
      render();
    }

    function problemWith(name, except) {
      if (!SAFE_NAME.test(name)) return "Use letters, digits, dots, dashes and underscores, starting with a letter or digit.";
      if (patterns.length && !patterns.some(function (pattern) { return pattern.test(name); })) {
        return "This task takes " + form.dataset.patterns.split(",").join(", ") + ".";
      }
      var taken = files.some(function (file) { return file !== except && file.nameInput.value.toLowerCase() === name.toLowerCase(); });
      return taken ? "There already is a file named " + name + "." : null;
    }

    function askName(question, suggestion, except) {
      var name = suggestion;
      for (;;) {
        name = window.prompt(question, name);
        if (name === null) return null;
        name = name.trim();
        var problem = problemWith(name, except);
        if (!problem) return name;
        question = problem + "\nFile name:";
      }
    }

    addButton.addEventListener("click", function () {
      var suggestion = form.dataset.patterns && /^\*\.\w+$/.test(form.dataset.patterns) ? "Main" + form.dataset.patterns.slice(1) : "";
      var name = askName("Name of the new file:", suggestion, null);
      if (name === null) return;
      var index = files.length;
      addFile(name, "");
      select(index);
      editor.focus();
      markChanged();
    });

    renameButton.addEventListener("click", function () {
      var file = files[current];
      var name = askName("New name for " + file.nameInput.value + ":", file.nameInput.value, file);
      if (name === null || name === file.nameInput.value) return;
      file.nameInput.value = name;
      sessionFor(file).setMode(modeFor(name));
      select(current);
      markChanged();
    });

    deleteButton.addEventListener("click", function () {
      var file = files[current];
      if (!window.confirm("Delete " + file.nameInput.value + "? Its contents are lost once saved.")) return;
      file.block.remove();
      files.splice(current, 1);
      select(Math.min(current, files.length - 1));
      markChanged();
    });

    function addFile(name, contents) {
      var block = element("div", { "data-editor-file": "" });
      var nameInput = element("input", { type: "hidden", name: "name", value: name });
      var textarea = element("textarea", { name: "contents", hidden: "" });
      textarea.value = contents;
      block.append(nameInput, textarea);
      container.append(block);
      files.push({ block: block, nameInput: nameInput, textarea: textarea });
    }

    startOverButton.addEventListener("click", function () {
      if (!window.confirm("Replace all your files with the task's starter files? What you have not submitted is lost.")) return;
      files.forEach(function (file) { file.block.remove(); });
      files = [];
      starters.content.querySelectorAll("textarea").forEach(function (starter) {
        addFile(starter.dataset.name, starter.value);
      });
      select(files.length ? 0 : -1);
      markChanged();
    });

    form.addEventListener("submit", function (event) {
      // Save goes through fetch; Submit is htmx's (it calls preventDefault itself).
      if (event.submitter === saveButton) {
        event.preventDefault();
        save(true);
      }
    });

    editor.commands.addCommand({
      name: "save", bindKey: { win: "Ctrl-S", mac: "Command-S" },
      exec: function () { save(true); },
    });
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); save(true); }
    });

    // A submit saves the files on the server too. The answer replaces the Submit button, so
    // this listens where the answer lands rather than on the button.
    var submitted = null;
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      if (event.detail.elt && event.detail.elt.id === "editor-submit") submitted = snapshot();
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (!event.detail.target || event.detail.target.id !== "editor-result" || submitted === null) return;
      var savedHeader = event.detail.xhr && event.detail.xhr.getResponseHeader("X-Inloop-Saved-At");
      if (savedHeader) {
        lastSaved = submitted;
        conflict = false;
        baseInput.value = savedHeader;
        savedAt = new Date(savedHeader);
        if (dirty()) { markChanged(); } else { window.clearTimeout(timer); setSavedText(); }
      }
      submitted = null;
    });

    window.addEventListener("beforeunload", function (event) {
      if (dirty()) { event.preventDefault(); event.returnValue = ""; }
    });

    lastSaved = snapshot();
    select(files.length ? 0 : -1);
    setSavedText();
    form.dataset.editorReady = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-editor]");
    if (form) start(form);
  });
})();
