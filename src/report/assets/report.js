// Runs in the browser (inlined into report.html, allowed by its hash in the CSP): draws each
// chart spec from the JSON block with Chart.js, without animation so a screenshot or a test
// sees the final picture, wires the engine filter, then marks the document as ready.
(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('chart-data').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 11;

  const ms = (v) => (v < 1 ? `${+(v * 1000).toPrecision(3)} µs` : v < 1000 ? `${+v.toPrecision(3)} ms` : `${+(v / 1000).toPrecision(3)} s`);
  // Log axes: label 1, 2 and 5 of each decade, or only the decades when the axis spans more
  // than three, so the labels fit.
  const logTick = (format) => (value, _index, ticks) => {
    const v = Number(value);
    const lead = v / 10 ** Math.floor(Math.log10(v));
    const first = ticks[0]?.value ?? v;
    const last = ticks[ticks.length - 1]?.value ?? v;
    const leads = Math.log10(last / first) > 3 ? [1] : [1, 2, 5];
    return leads.some((d) => Math.abs(lead - d) < 1e-6) ? format(v) : '';
  };
  const valueAxis = (axis) => {
    const format = axis.unit === 'ms' ? ms : (v) => String(v);
    return {
      type: axis.log ? 'logarithmic' : 'linear',
      ...(axis.log ? {} : { beginAtZero: true }),
      ...(axis.max !== undefined ? { min: 0, max: axis.max } : {}),
      title: { display: true, text: axis.title },
      ticks: axis.log ? { callback: logTick(format), autoSkip: false, maxRotation: 0 } : {},
    };
  };
  const categoryAxis = { ticks: { autoSkip: false, maxRotation: 40, minRotation: 0 } };
  const tooltipNotes = (spec) => (spec.notes ? { callbacks: { afterLabel: (item) => spec.notes[item.dataIndex] ?? '' } } : {});

  const configs = {
    hbar: (spec) => ({
      type: 'bar',
      data: { labels: spec.labels, datasets: spec.series.map((s) => ({ label: s.label, data: s.values, backgroundColor: s.colors ?? s.color, borderColor: s.color, borderWidth: 0 })) },
      options: { indexAxis: 'y', scales: { x: valueAxis(spec.axis), y: categoryAxis }, plugins: { legend: { display: spec.series.length > 1 }, tooltip: tooltipNotes(spec) } },
    }),
    bar: (spec) => ({
      type: 'bar',
      data: { labels: spec.labels, datasets: spec.series.map((s) => ({ label: s.label, data: s.values, backgroundColor: s.colors ?? s.color })) },
      options: { scales: { x: categoryAxis, y: valueAxis(spec.axis) }, plugins: { legend: { position: 'bottom' }, tooltip: tooltipNotes(spec) } },
    }),
    distribution: (spec) => ({
      type: 'line',
      data: {
        datasets: spec.series.map((s) => ({
          label: s.label,
          engine: s.engine,
          data: s.values.map((y, i) => ({ x: spec.xs[i], y })),
          borderColor: s.color,
          backgroundColor: s.color,
          borderDash: s.dash ?? [],
          fill: false,
          tension: 0.2,
          pointRadius: 0,
          borderWidth: 1.5,
        })),
      },
      options: {
        interaction: { mode: 'nearest', intersect: false },
        scales: { x: { ...valueAxis(spec.axis), type: 'logarithmic' }, y: { beginAtZero: true, title: { display: true, text: '% of samples' } } },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 18, boxHeight: 2 } }, tooltip: { callbacks: { title: (items) => (items[0] ? ms(items[0].parsed.x) : '') } } },
      },
    }),
  };

  const charts = [];
  for (const spec of data.charts) {
    const canvas = document.getElementById(spec.id);
    if (canvas) charts.push(new Chart(canvas, configs[spec.kind](spec)));
  }

  // Filter: hides rows of the filterable tables and the engine's series in the charts that are
  // not of the checked engines, and the groups and charts not of the chosen scenario.
  const boxes = [...document.querySelectorAll('#engine-filter input[type="checkbox"]')];
  const scenarioChoice = document.getElementById('scenario-filter');
  const apply = () => {
    const shown = new Set(boxes.filter((b) => b.checked).map((b) => b.value));
    const scenario = scenarioChoice ? scenarioChoice.value : '';
    const inScenario = (el) => scenario === '' || el.dataset.scenario === undefined || el.dataset.scenario === scenario;
    for (const row of document.querySelectorAll('table.filterable tr[data-engine], table.filterable tr.group')) {
      row.hidden = !inScenario(row) || (row.dataset.engine !== undefined && !shown.has(row.dataset.engine));
    }
    for (const figure of document.querySelectorAll('figure[data-scenario]')) figure.hidden = !inScenario(figure);
    for (const chart of charts) {
      let changed = false;
      chart.data.datasets.forEach((d, i) => {
        if (d.engine === undefined) return;
        const visible = shown.has(d.engine);
        if (chart.isDatasetVisible(i) !== visible) {
          chart.setDatasetVisibility(i, visible);
          changed = true;
        }
      });
      if (changed) chart.update();
    }
  };
  for (const b of boxes) b.addEventListener('change', apply);
  if (scenarioChoice) scenarioChoice.addEventListener('change', apply);
  for (const button of document.querySelectorAll('#engine-filter button[data-family]')) {
    button.addEventListener('click', () => {
      const family = button.dataset.family;
      for (const b of boxes) b.checked = family === '*' || b.dataset.family === family;
      apply();
    });
  }

  document.body.dataset.charts = String(charts.length);
  document.body.dataset.ready = 'true';
})();
