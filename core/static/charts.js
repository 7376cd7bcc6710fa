/* Draws every chart of a page from its JSON block: <div data-figure="ID"> and
   <script type="application/json" id="ID">{plotly figure}</script>. No inline
   script (strict CSP). plotly.js (the cartesian bundle, 1.5 MB, about 450 KB
   compressed, served by us, cached for a year) and its
   stylesheet are loaded only on pages that have a chart; their URLs come from this
   script tag's data-plotly-js / data-plotly-css attributes. */
(function () {
  "use strict";
  var self = document.currentScript;

  function loadPlotly(ready) {
    if (window.Plotly) {
      ready();
      return;
    }
    if (!document.getElementById("plotly.js-style-global")) {
      // plotly.js injects no <style> (blocked by the CSP) when this link exists.
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.id = "plotly.js-style-global";
      link.className = "no-inline-styles";
      link.href = self.getAttribute("data-plotly-css");
      document.head.appendChild(link);
    }
    var script = document.createElement("script");
    script.src = self.getAttribute("data-plotly-js");
    script.onload = ready;
    document.head.appendChild(script);
  }

  function draw() {
    var targets = document.querySelectorAll("[data-figure]");
    if (!targets.length) {
      return;
    }
    loadPlotly(function () {
      Array.prototype.forEach.call(targets, function (target) {
        var source = document.getElementById(target.getAttribute("data-figure"));
        if (!source || target.getAttribute("data-drawn")) {
          return;
        }
        var figure = JSON.parse(source.textContent);
        window.Plotly.newPlot(target, figure.data, figure.layout, {
          displaylogo: false,
          displayModeBar: false,
          responsive: true,
          locale: document.documentElement.lang || "fr"
        }).then(function () {
          target.setAttribute("data-drawn", "true");
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
