/* The SPARQL console: replaces the plain query form in #yasgui with YASGUI (vendor/yasgui), pointed at this
 * service's own endpoint, and makes each saved query one click away (buttons with data-saved-query).
 * Autocompleters that would call services on the internet are left out: deployments may be offline. */
(function () {
  "use strict";

  var container = document.getElementById("yasgui");
  if (!container || typeof window.Yasgui === "undefined") return;
  var Yasgui = window.Yasgui.default || window.Yasgui;

  var saved = {};
  var data = document.getElementById("saved-queries");
  if (data) {
    JSON.parse(data.textContent).forEach(function (q) { saved[q.name] = q; });
  }

  var endpoint = container.getAttribute("data-endpoint");
  var initial = container.querySelector("textarea");
  var initialQuery = initial ? initial.value : "";
  container.innerHTML = "";

  // Only the completers that work offline: prefixes (bundled list) and the query's own variables.
  if (Yasgui.Yasqe && Yasgui.Yasqe.defaults) {
    Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters.filter(function (name) {
      return name === "prefixes" || name === "variables";
    });
  }

  var yasgui = new Yasgui(container, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: endpoint }]; },
      keys: []
    },
    persistenceId: "hipback-console",
    populateFromUrl: true,
    yasqe: { value: initialQuery }
  });
  window.hipbackConsole = yasgui;

  var tab = yasgui.getTab();
  if (tab && !tab.getYasqe().getValue().trim() && initialQuery) tab.setQuery(initialQuery);

  function runSaved(name) {
    var query = saved[name];
    if (!query) return;
    var current = yasgui.getTab();
    current.setEndpoint(endpoint);
    current.setQuery(query.sparql);
    current.setName(query.title || query.name);
    current.getYasqe().query();
    document.getElementById("editor-heading").scrollIntoView({ behavior: "smooth" });
  }

  document.querySelectorAll("[data-saved-query]").forEach(function (button) {
    button.addEventListener("click", function () { runSaved(button.getAttribute("data-saved-query")); });
  });
})();
