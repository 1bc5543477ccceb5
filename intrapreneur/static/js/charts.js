// Draws the Plotly figures the server embeds as JSON data blocks (the CSP allows no inline
// script). Loaded only on pages with charts, after plotly.js; each chart's table has its numbers.
document.addEventListener("DOMContentLoaded", () => {
  for (const block of document.querySelectorAll("script.chart-data")) {
    const figure = JSON.parse(block.textContent);
    const target = document.getElementById(block.dataset.target);
    Plotly.newPlot(target, figure.data, figure.layout, { responsive: true, displayModeBar: false });
  }
});
