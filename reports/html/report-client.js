// Draws report.html's charts with uPlot (inlined before this script). Plain ES2017, no modules: the
// page is opened from disk, offline, in whatever browser a person or a CI artifact viewer has.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("bulwark-chart-data").textContent);
  var palette = ["#0969da", "#cf222e", "#1a7f37", "#8250df", "#bf8700", "#1b7c83", "#e16f24", "#6e7781"];
  // Red is kept for what crosses a limit: the limit line and the seconds above it.
  var percentileColours = { p50: "#1a7f37", p90: "#0969da", p95: "#8250df", p99: "#e16f24", max: "#6e7781" };
  var aboveLimitColour = "#d1242f";
  var phaseFill = {
    fault: "rgba(207,34,46,0.14)",
    drill: "rgba(9,105,218,0.12)",
    load: "rgba(26,127,55,0.10)",
    rollout: "rgba(191,135,0,0.14)",
    rollback: "rgba(130,80,223,0.14)",
    recovery: "rgba(27,124,131,0.10)",
    other: "rgba(120,120,120,0.14)",
  };
  var charts = [];

  function shadePhases(phases) {
    return function (u) {
      var ctx = u.ctx;
      var ratio = window.devicePixelRatio || 1;
      ctx.save();
      phases.forEach(function (phase) {
        var left = Math.max(u.valToPos(phase.start, "x", true), u.bbox.left);
        var right = Math.min(u.valToPos(phase.end, "x", true), u.bbox.left + u.bbox.width);
        if (!(right > left)) return;
        ctx.fillStyle = phaseFill[phase.kind] || phaseFill.other;
        ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
        ctx.fillStyle = "#57606a";
        ctx.font = 11 * ratio + "px system-ui, sans-serif";
        ctx.fillText(phase.name, left + 4 * ratio, u.bbox.top + 13 * ratio);
      });
      ctx.restore();
    };
  }

  function hasValues(column) {
    for (var i = 0; i < column.length; i++) if (column[i] !== null && column[i] !== undefined) return true;
    return false;
  }

  function chartWidth(element) {
    return Math.max(320, element.clientWidth || 620);
  }

  function draw(element, series, columns, phases, valueSuffix, afterDraw) {
    if (columns[0].length === 0 || !columns.slice(1).some(hasValues)) {
      element.textContent = "no data";
      element.className += " empty";
      return;
    }
    var first = columns[0][0];
    var last = columns[0][columns[0].length - 1];
    phases.forEach(function (phase) {
      if (phase.end >= first - 60 && phase.start <= last + 60) {
        first = Math.min(first, phase.start);
        last = Math.max(last, phase.end);
      }
    });
    var options = {
      width: chartWidth(element),
      height: 230,
      tzDate: function (seconds) {
        return uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC");
      },
      scales: {
        x: {
          time: true,
          range: function () {
            return first === last ? [first - 1, last + 1] : [first, last];
          },
        },
        y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.08 : 1]; } },
      },
      axes: [{}, { size: 64, values: function (u, ticks) { return ticks.map(function (tick) { return tick + valueSuffix; }); } }],
      series: [{ label: "time (UTC)" }].concat(
        series.map(function (entry) {
          return Object.assign({ width: 1.5, spanGaps: false }, entry);
        }),
      ),
      hooks: { drawClear: [shadePhases(phases)], draw: afterDraw ? [afterDraw] : [] },
      cursor: { drag: { x: true, y: false } },
    };
    var chart = new uPlot(options, columns, element);
    charts.push({ element: element, chart: chart });
    element.setAttribute("data-drawn", "true");
    return chart;
  }

  function timeText(seconds) {
    return new Date(seconds * 1000).toISOString().slice(11, 19);
  }

  /** The seconds whose value is above the limit: [{time, value}]. */
  function aboveLimit(time, values, limit) {
    var points = [];
    for (var i = 0; i < time.length; i++) if (values[i] !== null && values[i] !== undefined && values[i] > limit) points.push({ time: time[i], value: values[i] });
    return points;
  }

  /**
   * Where the marks were drawn, in canvas pixels, on the chart element (data-marks) for anyone checking
   * the page, and as text under the chart for people.
   */
  function describeMarks(element, chart, points, name, limit) {
    element.setAttribute("data-marks", JSON.stringify(points.map(function (point) {
      return { time: point.time, value: point.value, x: Math.round(chart.valToPos(point.time, "x", true)), y: Math.round(chart.valToPos(point.value, "y", true)) };
    })));
    var caption = document.querySelector('.marked[data-marked-for="' + element.getAttribute("data-endpoint-name") + '"]');
    if (!caption) return;
    if (points.length === 0) {
      caption.textContent = "No second's " + name + " was above the " + limit + " ms limit.";
      return;
    }
    var listed = points.slice(0, 8).map(function (point) { return timeText(point.time) + " (" + Math.round(point.value) + " ms)"; }).join(", ");
    caption.textContent = points.length + " second" + (points.length === 1 ? "" : "s") + " with " + name + " above the " + limit + " ms limit (red points): " + listed + (points.length > 8 ? ", …" : "") + ".";
  }

  function stepCharts(element, step) {
    var series = step.series;
    var kind = element.getAttribute("data-chart");
    var endpoints = series.endpoints;
    var time = series.time;
    if (kind === "p95") {
      draw(element, endpoints.map(function (endpoint, i) { return { label: endpoint.name, stroke: palette[i % palette.length] }; }),
        [time].concat(endpoints.map(function (endpoint) { return endpoint.latencyMs.p95; })), step.phases, " ms");
    } else if (kind === "rate") {
      draw(element, endpoints.map(function (endpoint, i) { return { label: endpoint.name, stroke: palette[i % palette.length] }; }),
        [time].concat(endpoints.map(function (endpoint) { return endpoint.requests; })), step.phases, "/s");
    } else if (kind === "errors") {
      draw(element, endpoints.map(function (endpoint, i) { return { label: endpoint.name, stroke: palette[i % palette.length] }; }),
        [time].concat(endpoints.map(function (endpoint) { return endpoint.failures; })), step.phases, "/s");
    } else if (kind === "vus") {
      draw(element, [{ label: "VUs", stroke: "#0969da" }, { label: "dropped iterations", stroke: "#cf222e" }],
        [time, series.overall.vus, series.overall.droppedIterations], step.phases, "");
    } else if (kind === "endpoint-latency") {
      var endpoint = endpoints[Number(element.getAttribute("data-endpoint"))];
      var names = ["p50", "p90", "p95", "p99", "max"];
      var seriesOptions = names.map(function (name) { return { label: name, stroke: percentileColours[name], dash: name === "max" ? [4, 4] : undefined }; });
      var columns = [time].concat(names.map(function (name) { return endpoint.latencyMs[name]; }));
      var limit = (step.latencyLimits[endpoint.name] || {}).p95;
      var marked = [];
      if (limit !== undefined) {
        marked = aboveLimit(time, endpoint.latencyMs.p95, limit);
        var markedSet = {};
        marked.forEach(function (point) { markedSet[point.time] = true; });
        seriesOptions.push({ label: "p95 limit", stroke: aboveLimitColour, width: 1, dash: [8, 4], points: { show: false } });
        columns.push(time.map(function () { return limit; }));
        seriesOptions.push({
          label: "p95 above limit",
          stroke: aboveLimitColour,
          width: 0,
          paths: function () { return null; },
          points: { show: true, space: 0, size: 9, width: 1, stroke: aboveLimitColour, fill: aboveLimitColour },
        });
        columns.push(time.map(function (second, i) { return markedSet[second] ? endpoint.latencyMs.p95[i] : null; }));
      }
      draw(element, seriesOptions, columns, step.phases, " ms", limit === undefined ? undefined : function (u) { describeMarks(element, u, marked, "p95", limit); });
    }
  }

  document.querySelectorAll(".chart[data-step]").forEach(function (element) {
    var step = data.steps[Number(element.getAttribute("data-step"))];
    if (!step) return;
    if (element.getAttribute("data-chart") === "extra") {
      var extra = step.extra[Number(element.getAttribute("data-extra"))];
      var stepped = uPlot.paths.stepped({ align: 1 });
      if (extra) draw(element, extra.series.map(function (entry, i) { return { label: entry.name, stroke: palette[i % palette.length], paths: stepped, spanGaps: true }; }),
        [extra.time].concat(extra.series.map(function (entry) { return entry.values; })), step.phases, "");
    } else if (step.series) stepCharts(element, step);
  });

  document.querySelectorAll(".chart[data-timeline]").forEach(function (element) {
    var timeline = data.replicas[Number(element.getAttribute("data-timeline"))];
    var stepped = uPlot.paths.stepped({ align: 1 });
    draw(element, [
      { label: "desired", stroke: "#8250df", paths: stepped },
      { label: "ready", stroke: "#1a7f37", paths: stepped, width: 2 },
    ], [timeline.time, timeline.desired, timeline.ready], timeline.phases, "");
  });

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts.forEach(function (entry) {
        entry.chart.setSize({ width: chartWidth(entry.element), height: 230 });
      });
    }, 100);
  });
})();
