/* The relationship graph on a term page: Cytoscape (vendor/cytoscape) draws the elements that
 * /graph/<term>.json returns into <div id="graph" data-graph="...">; clicking a node opens its page.
 * From the keyboard: Tab to the graph, arrow keys move between nodes (announced in #graph-status),
 * Enter opens the selected node's page. */
(function () {
  "use strict";

  var container = document.getElementById("graph");
  if (!container || typeof window.cytoscape === "undefined") return;

  var COLOURS = {
    condition: "#1d4f91", red_flag: "#9b1c1c", finding: "#b8860b", care: "#1e6634",
    location: "#6b4c9a", mechanism: "#5f6b7a", rule: "#0f766e", urgency: "#c2410c", other: "#9aa5b1"
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
                  levelWidth: function () { return 1; }, minNodeSpacing: 50, animate: false,
                  spacingFactor: data.nodes.length < 8 ? 1.6 : data.nodes.length < 16 ? 1.3 : 1 }
      });
      if (cy.zoom() > 1.25) {  // a small graph: keep labels at a readable size instead of filling the box
        cy.zoom(1.25);
        cy.center();
      }
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
      keyboard(cy);
      container.setAttribute("data-nodes", String(cy.nodes().length));
      window.hipbackGraph = cy;
    })
    .catch(function (error) {
      container.textContent = "The graph could not be drawn (" + error.message + "); the relations above list the same links.";
    });

  function keyboard(cy) {
    var status = document.getElementById("graph-status");
    var order = cy.nodes().sort(function (a, b) {
      if (a.data("center") !== b.data("center")) return a.data("center") ? -1 : 1;
      return a.data("label").localeCompare(b.data("label"));
    });
    var position = -1;
    container.tabIndex = 0;
    function select(index) {
      position = (index + order.length) % order.length;
      cy.nodes().removeClass("keyboard");
      var node = order[position];
      node.addClass("keyboard");
      var edges = node.connectedEdges().map(function (e) { return e.data("label"); });
      status.textContent = node.data("label") + " (" + node.data("kind").replace("_", " ") + ")" +
        (node.data("center") ? "" : ": " + edges.join(", ")) + ". " + (position + 1) + " of " + order.length + ".";
    }
    container.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight" || event.key === "ArrowDown") { select(position + 1); event.preventDefault(); }
      else if (event.key === "ArrowLeft" || event.key === "ArrowUp") { select(position - 1); event.preventDefault(); }
      else if (event.key === "Enter" && position >= 0) {
        var node = order[position];
        if (!node.data("center")) window.location.assign(node.data("page"));
        event.preventDefault();
      }
    });
    container.addEventListener("focus", function () { if (position < 0) select(0); });
    cy.style().selector("node.keyboard").style({ "border-width": 4, "border-color": "#c2410c" }).update();
  }
})();
