/* Draws each campaign's figure from its JSON block (no inline script: strict CSP). */
(function () {
  "use strict";
  function draw() {
    document.querySelectorAll(".sat-chart[data-figure]").forEach(function (node) {
      var source = document.getElementById(node.getAttribute("data-figure"));
      if (!source || !window.Plotly) { return; }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(node, figure.data, figure.layout, {
        responsive: true, displaylogo: false, displayModeBar: false
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
