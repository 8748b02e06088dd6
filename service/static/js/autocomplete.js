/* Autocomplete for any <input data-autocomplete="/api/autocomplete">, as an ARIA 1.2 combobox.
 *
 * Without JavaScript the input is a plain field of a GET form, and the server answers the form.
 * With it, suggestions from the URL in data-autocomplete appear under the field; arrow keys move,
 * Enter or a click picks one, Escape closes. What picking does depends on data-autocomplete-pick:
 *   "navigate" (default): go to the term's page;
 *   "check": tick the checkbox whose value is the term's IRI inside the element named by
 *            data-autocomplete-target, adding one (named by data-autocomplete-name, default "finding")
 *            when missing, then clear the field.
 * In "check" mode only terms offered as checkboxes are suggested: those inside the element named by
 * data-autocomplete-allow, else by data-autocomplete-target.
 */
(function () {
  "use strict";

  var BASE = "https://w3id.org/hipback/";
  var counter = 0;

  function normalise(raw) {
    var list = Array.isArray(raw) ? raw : raw.results || raw.suggestions || raw.items || raw.terms || [];
    return list.map(function (item) {
      if (typeof item === "string") return { label: item, iri: "", page: "", kind: "" };
      var iri = item.iri || item.id || item["@id"] || "";
      var page = item.page || item.html || "";
      if (!page && iri.indexOf(BASE) === 0) page = "/term/" + iri.slice(BASE.length) + ".html";
      return {
        label: item.label || item.prefLabel || item.name || iri,
        matched: (item.matched && typeof item.matched === "object" ? item.matched.text : item.matched) || "",
        iri: iri,
        page: page,
        kind: item.kind || item.type || (item.red_flag ? "red flag" : "")
      };
    });
  }

  function attach(input) {
    var id = "ac-list-" + (++counter);
    var wrap = document.createElement("div");
    wrap.className = "ac-wrap";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "ac-list";
    list.setAttribute("role", "listbox");
    var labelId = input.labels && input.labels[0] ? input.labels[0].id || (input.labels[0].id = id + "-label") : null;
    if (labelId) list.setAttribute("aria-labelledby", labelId);
    list.hidden = true;
    wrap.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    input.setAttribute("autocomplete", "off");

    var items = [];
    var active = -1;
    var timer = null;
    var pending = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.children;
      for (var i = 0; i < options.length; i++) options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render() {
      list.innerHTML = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = item.label;
        if (item.matched && item.matched.toLowerCase() !== item.label.toLowerCase()) {
          li.appendChild(document.createTextNode(" (" + item.matched + ")"));
        }
        if (item.kind) {
          var kind = document.createElement("span");
          kind.className = "ac-kind";
          kind.textContent = item.kind;
          li.appendChild(kind);
        }
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          pick(i);
        });
        list.appendChild(li);
      });
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight(-1);
      } else {
        close();
      }
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (q.length < 2) {
        items = [];
        close();
        return;
      }
      var url = new URL(input.getAttribute("data-autocomplete"), window.location.href);
      url.searchParams.set("q", q);
      url.searchParams.set("limit", input.getAttribute("data-autocomplete-pick") === "check" ? "40" : "10");
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(url, { headers: { Accept: "application/json" }, signal: pending.signal })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (data) {
          if (input.value.trim() !== q) return;
          items = normalise(data).filter(allowed).slice(0, 10);
          render();
        })
        .catch(function () { /* aborted or offline: the form still works */ });
    }

    // In "check" mode only the terms the target offers as checkboxes can be picked (findings, for triage).
    function allowed(item) {
      if ((input.getAttribute("data-autocomplete-pick") || "navigate") !== "check") return true;
      var source = document.getElementById(input.getAttribute("data-autocomplete-allow") ||
                                            input.getAttribute("data-autocomplete-target"));
      if (!source) return false;
      var boxes = source.querySelectorAll("input[type=checkbox]");
      for (var i = 0; i < boxes.length; i++) if (boxes[i].value === item.iri) return true;
      return false;
    }

    function pick(index) {
      var item = items[index];
      if (!item) return;
      var mode = input.getAttribute("data-autocomplete-pick") || "navigate";
      close();
      if (mode === "check") {
        checkFinding(input, item);
        input.value = "";
        input.focus();
      } else if (item.page) {
        window.location.assign(item.page);
      } else {
        input.value = item.label;
        if (input.form) input.form.submit();
      }
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && items.length) { render(); highlight(0); event.preventDefault(); }
        return;
      }
      if (event.key === "ArrowDown") { highlight(Math.min(active + 1, items.length - 1)); event.preventDefault(); }
      else if (event.key === "ArrowUp") { highlight(Math.max(active - 1, 0)); event.preventDefault(); }
      else if (event.key === "Enter" && active >= 0) { pick(active); event.preventDefault(); }
      else if (event.key === "Escape") { close(); event.preventDefault(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  // Tick (or add) the checkbox for a picked finding in the target fieldset of the triage form.
  function checkFinding(input, item) {
    var target = document.getElementById(input.getAttribute("data-autocomplete-target"));
    if (!target || !item.iri) return;
    var boxes = target.querySelectorAll("input[type=checkbox]");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].value === item.iri) {
        boxes[i].checked = true;
        var details = boxes[i].closest("details");
        if (details) details.open = true;
        announce(input, item.label + " added");
        return;
      }
    }
    var list = target.querySelector("[data-picked]") || target;
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.name = input.getAttribute("data-autocomplete-name") || "finding";
    box.value = item.iri;
    box.checked = true;
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + (box.name === "absent" ? "no " : "") + item.label));
    var li = document.createElement("li");
    li.appendChild(label);
    list.appendChild(li);
    announce(input, item.label + " added");
  }

  function announce(input, text) {
    var region = document.getElementById(input.getAttribute("data-autocomplete-status"));
    if (region) region.textContent = text;
  }

  document.querySelectorAll("input[data-autocomplete]").forEach(attach);
})();
