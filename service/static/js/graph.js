/* The relationship graph on a term page: Cytoscape (vendor/cytoscape) draws the elements that
 * /graph/<term>.json returns into <div id="graph" data-graph="...">; clicking a node opens its page. */
(function () {
  "use strict";

  var container = document.getElementById("graph");
  if (!container || typeof window.cytoscape === "undefined") return;

  var COLOURS = {
    condition: "#1d4f91", red_flag: "#9b1c1c", finding: "#b8860b", care: "#1e6634",
    location: "#6b4c9a", mechanism: "#5f6b7a", other: "#9aa5b1"
  };

  fetch(container.getAttribute("data-graph"), { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error("graph data: HTTP " + response.status);
      return response.json();
    })
    .then(function (data) {
      container.innerHTML = "";
      var cy = window.cytoscape({
        container: container,
        elements: { nodes: data.nodes, edges: data.edges },
        wheelSensitivity: 0.3,
        minZoom: 0.3,
        maxZoom: 2.5,
        style: [
          { selector: "node", style: {
            "background-color": function (n) { return COLOURS[n.data("kind")] || COLOURS.other; },
            "label": "data(label)", "color": "#1b1f24", "font-size": 11, "text-wrap": "wrap",
            "text-max-width": 120, "text-valign": "bottom", "text-margin-y": 4, "width": 18, "height": 18,
            "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 1
          } },
          { selector: "node[?center]", style: {
            "width": 30, "height": 30, "font-weight": "bold", "font-size": 13, "border-width": 3, "border-color": "#c2410c"
          } },
          { selector: "edge", style: {
            "width": 1.5, "line-color": "#9aa5b1", "target-arrow-color": "#9aa5b1", "target-arrow-shape": "triangle",
            "curve-style": "bezier", "label": "data(label)", "font-size": 9, "color": "#4a5360",
            "text-rotation": "autorotate", "text-background-color": "#fbfcfd", "text-background-opacity": 0.9
          } },
          { selector: "edge[kind = 'hierarchy']", style: { "line-style": "dashed" } },
          { selector: "node:active, node.hover", style: { "overlay-opacity": 0.15, "overlay-color": "#0b4f8a" } }
        ],
        layout: { name: "concentric", concentric: function (n) { return n.data("center") ? 2 : 1; },
                  levelWidth: function () { return 1; }, minNodeSpacing: 40, animate: false }
      });
      cy.on("tap", "node", function (event) {
        var page = event.target.data("page");
        if (page && !event.target.data("center")) window.location.assign(page);
      });
      cy.on("mouseover", "node", function (event) {
        event.target.addClass("hover");
        container.style.cursor = event.target.data("center") ? "default" : "pointer";
      });
      cy.on("mouseout", "node", function (event) {
        event.target.removeClass("hover");
        container.style.cursor = "";
      });
      container.setAttribute("data-nodes", String(cy.nodes().length));
      window.hipbackGraph = cy;
    })
    .catch(function (error) {
      container.textContent = "The graph could not be drawn (" + error.message + "); the relations above list the same links.";
    });
})();
