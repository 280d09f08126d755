/* Draws each chart on the page from the figure JSON beside it, with the plotly.js the app
   serves itself. Without script the table on the page holds the same figures. */
(function () {
  "use strict";

  function draw() {
    if (!window.Plotly) {
      return;
    }
    // Only the chart canvases: data-figure also marks figures in the text for the tests, and
    // one chart's bad figure must not stop the others from drawing.
    var charts = document.querySelectorAll(".report-chart-canvas[data-figure]");
    Array.prototype.forEach.call(charts, function (el) {
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source || source.type !== "application/json") {
        return;
      }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(el, figure.data, figure.layout, {
        displayModeBar: false, // its buttons are unlabelled for screen readers; the table is the data
        responsive: true, // follows the width of the page, down to a phone's
        scrollZoom: false
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
