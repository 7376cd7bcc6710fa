/* Draws every indicator chart of the page from its JSON block (strict CSP: no
   inline script). Each chart is a <div data-kpi-figure="ID"> whose figure sits in
   <script type="application/json" id="ID">. */
(function () {
  "use strict";

  function draw() {
    if (!window.Plotly) {
      return;
    }
    var targets = document.querySelectorAll("[data-kpi-figure]");
    Array.prototype.forEach.call(targets, function (target) {
      var source = document.getElementById(target.getAttribute("data-kpi-figure"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(target, figure.data, figure.layout, {
        displaylogo: false,
        responsive: true,
        locale: document.documentElement.lang || "fr"
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
