/* The supervisor's charts: each shows the figures of the table beside it (the table stays
   the reference), from the specs the page carries in #huifang-charts (json_script). */
(function () {
  "use strict";
  const source = document.getElementById("huifang-charts");
  if (!source || !window.Chart) return;
  const specs = JSON.parse(source.textContent);
  specs.forEach(function (spec) {
    const canvas = document.getElementById(spec.id);
    if (!canvas) return;
    const box = canvas.parentNode;
    if (box.dataset.height) box.style.height = box.dataset.height;
    const axis = spec.horizontal ? "x" : "y";
    const scales = {};
    if (spec.type !== "doughnut") {
      scales[axis] = {beginAtZero: true, stacked: !!spec.stacked};
      scales[axis === "y" ? "x" : "y"] = {stacked: !!spec.stacked};
      if (spec.percent) {
        scales[axis].max = 100;
        scales[axis].ticks = {callback: function (value) { return value + " %"; }};
      }
    }
    new window.Chart(canvas, {
      type: spec.type,
      data: spec.data,
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {legend: {display: spec.type === "doughnut" || spec.data.datasets.length > 1}}
      }
    });
  });
})();
