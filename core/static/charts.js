/* Draws every chart of a page from its JSON block: <div data-figure="ID"> and
   <script type="application/json" id="ID">{plotly figure}</script>. No inline
   script (strict CSP). plotly.js and its stylesheet, served by us and cached for a
   year, are loaded only on pages that have a chart: plotly's *basic* bundle
   (scatter, bar, pie: 1.2 MB, about 330 KB compressed) when it draws every trace
   of the page, else the *cartesian* one (heatmap too: 1.5 MB, about 450 KB).
   Their URLs and the basic bundle's traces come from this script tag's data-
   attributes. */
(function () {
  "use strict";
  var self = document.currentScript;
  var figures = {};

  function figureOf(target) {
    var id = target.getAttribute("data-figure");
    if (!(id in figures)) {
      var source = document.getElementById(id);
      figures[id] = source ? JSON.parse(source.textContent) : null;
    }
    return figures[id];
  }

  /* The smallest bundle that draws every chart of the page. */
  function bundleFor(targets) {
    var basic = (self.getAttribute("data-plotly-basic-traces") || "").split(" ");
    var cartesian = targets.some(function (target) {
      var figure = figureOf(target);
      return ((figure && figure.data) || []).some(function (trace) {
        return basic.indexOf(trace.type || "scatter") < 0;
      });
    });
    return self.getAttribute(cartesian ? "data-plotly-js-cartesian" : "data-plotly-js");
  }

  var plotlyUrl = null;

  /* The bytes fetched once the page has loaded and the browser is idle (a
     prefetch: nothing parsed nor run), so that a chart scrolled to is drawn
     without waiting for the network. */
  function prefetch() {
    [plotlyUrl, self.getAttribute("data-plotly-css")].forEach(function (url) {
      var link = document.createElement("link");
      link.rel = "prefetch";
      link.href = url;
      document.head.appendChild(link);
    });
  }

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
    script.src = plotlyUrl;
    script.onload = ready;
    document.head.appendChild(script);
  }

  function drawOne(target) {
    var figure = figureOf(target);
    if (!figure || target.getAttribute("data-drawn")) {
      return;
    }
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

  /* plotly.js is heavy to run on a phone (its start and each chart block the
     page for a while): it runs when the first chart comes on screen, and each
     chart is drawn as it comes on screen (at once where IntersectionObserver is
     missing or the page is printed); its bytes are fetched beforehand. */
  function draw() {
    var targets = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
    if (!targets.length) {
      return;
    }
    plotlyUrl = bundleFor(targets);
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
    });
    targets.forEach(function (target) {
      observer.observe(target);
    });
    var idle = window.requestIdleCallback || function (callback) {
      setTimeout(callback, 200);
    };
    if (document.readyState === "complete") {
      idle(prefetch);
    } else {
      window.addEventListener("load", function () {
        idle(prefetch);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
