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

  function drawOne(target) {
    var source = document.getElementById(target.getAttribute("data-figure"));
    if (!source || target.getAttribute("data-drawn")) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    var lang = document.documentElement.lang || "fr";
    figure.layout = figure.layout || {};
    if (!figure.layout.separators) {
      /* Decimal mark then thousands: "16,7" and "1 234" on French pages. */
      figure.layout.separators = lang.indexOf("fr") === 0 ? ", " : ".,";
    }
    window.Plotly.newPlot(target, figure.data, figure.layout, {
      displaylogo: false,
      displayModeBar: false,
      responsive: true,
      locale: lang
    }).then(function () {
      target.setAttribute("data-drawn", "true");
    });
  }

  /* Charts are drawn one per task (the page stays responsive between them). */
  var queue = [];
  var queued = false;
  function drawSoon(targets) {
    Array.prototype.push.apply(queue, targets);
    if (queued) {
      return;
    }
    queued = true;
    loadPlotly(function next() {
      var target = queue.shift();
      if (!target) {
        queued = false;
        return;
      }
      drawOne(target);
      setTimeout(next, 0);
    });
  }

  /* plotly.js is big to parse on a phone: it is fetched when the first chart
     comes near the screen, and each chart is drawn as it comes near the screen
     (at once where IntersectionObserver is missing or the page is printed). */
  function draw() {
    var targets = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
    if (!targets.length) {
      return;
    }
    if (!("IntersectionObserver" in window) || window.matchMedia("print").matches) {
      drawSoon(targets);
      return;
    }
    // Printing from the browser: draw what has not come into view yet.
    window.addEventListener("beforeprint", function () {
      drawSoon(targets);
    });
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          drawSoon([entry.target]);
        }
      });
    }, { rootMargin: "300px 0px" });
    targets.forEach(function (target) {
      observer.observe(target);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
