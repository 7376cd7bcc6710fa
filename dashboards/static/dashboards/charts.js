/* Draws every figure of a dashboard page from its JSON block (strict CSP: no
   inline script). A chart is <div data-dash-figure="ID">; its figure sits in
   <script type="application/json" id="ID">. The data tables beside each chart
   are the text alternative. */
(function () {
  "use strict";

  function draw() {
    if (!window.Plotly) {
      return;
    }
    var targets = document.querySelectorAll("[data-dash-figure]");
    Array.prototype.forEach.call(targets, function (target) {
      var source = document.getElementById(target.getAttribute("data-dash-figure"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(target, figure.data, figure.layout, {
        displaylogo: false,
        responsive: true
      }).then(function () {
        target.setAttribute("data-drawn", "true");
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
