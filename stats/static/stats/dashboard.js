// The leaders' dashboard and the big screen: fetch the figures (JSON), fill the numbers and draw
// the ECharts charts; fetch again every data-refresh seconds. No inline script (the site's CSP).
(function () {
  "use strict";
  var root = document.getElementById("stats");
  if (!root || typeof echarts === "undefined") {
    return;
  }
  var url = root.getAttribute("data-url");
  var refreshSeconds = parseInt(root.getAttribute("data-refresh") || "0", 10);
  var dark = root.getAttribute("data-theme") === "dark";
  var labels = JSON.parse(document.getElementById("stats-labels").textContent);
  var status = document.getElementById("stats-status");
  var charts = {};

  function chart(name) {
    var element = document.querySelector('[data-chart="' + name + '"]');
    if (!element) {
      return null;
    }
    if (!charts[name]) {
      charts[name] = echarts.init(element, dark ? "dark" : null);
    }
    return charts[name];
  }

  function text(value, suffix) {
    if (value === null || value === undefined) {
      return "—";
    }
    return String(value) + (suffix || "");
  }

  function fill(data) {
    var fields = document.querySelectorAll("[data-figure]");
    fields.forEach(function (field) {
      var path = field.getAttribute("data-figure").split(".");
      var value = data;
      for (var i = 0; i < path.length && value !== null && value !== undefined; i += 1) {
        value = value[path[i]];
      }
      field.textContent = text(value, field.getAttribute("data-suffix"));
    });
  }

  var base = {
    backgroundColor: "transparent",
    tooltip: { trigger: "axis" },
    grid: { left: 48, right: 16, top: 36, bottom: 40, containLabel: true },
  };

  function merge(option) {
    var result = {};
    Object.keys(base).forEach(function (key) {
      result[key] = base[key];
    });
    Object.keys(option).forEach(function (key) {
      result[key] = option[key];
    });
    return result;
  }

  function pie(name, slices) {
    var target = chart(name);
    if (!target) {
      return;
    }
    target.setOption(
      merge({
        tooltip: { trigger: "item" },
        legend: { bottom: 0, type: "scroll" },
        series: [
          {
            type: "pie",
            radius: ["35%", "65%"],
            stillShowZeroSum: false,
            data: slices.map(function (slice) {
              return { name: slice.label, value: slice.count };
            }),
          },
        ],
      }),
      true
    );
  }

  // Names (departments, items, states) are all shown, cut short; dates and hours as fit.
  function bars(name, names, series, horizontal, dense) {
    var target = chart(name);
    if (!target) {
      return;
    }
    var categories = {
      type: "category",
      data: names,
      axisLabel: dense ? { interval: "auto" } : { interval: 0, width: 120, overflow: "truncate" },
    };
    var values = { type: "value" };
    target.setOption(
      merge({
        legend: series.length > 1 ? { top: 0 } : undefined,
        xAxis: horizontal ? values : categories,
        yAxis: horizontal ? categories : values,
        series: series,
      }),
      true
    );
  }

  function trend(name, points, kind) {
    bars(
      name,
      points.map(function (point) {
        return point.label;
      }),
      [
        {
          name: labels.received,
          type: kind,
          data: points.map(function (point) {
            return point.received;
          }),
        },
        {
          name: labels.concluded,
          type: kind,
          data: points.map(function (point) {
            return point.concluded;
          }),
        },
      ],
      false,
      true
    );
  }

  function counts(name, slices, horizontal) {
    var ordered = horizontal ? slices.slice().reverse() : slices;
    bars(
      name,
      ordered.map(function (slice) {
        return slice.label;
      }),
      [
        {
          name: labels.cases,
          type: "bar",
          data: ordered.map(function (slice) {
            return slice.count;
          }),
        },
      ],
      horizontal
    );
  }

  function draw(data) {
    fill(data);
    pie("channel", data.cases.by_channel);
    counts("department", data.cases.by_department, false);
    counts("item", data.cases.by_item, true);
    counts("state", data.cases.by_state, false);
    bars(
      "on-time",
      data.on_time.by_department.map(function (row) {
        return row.label;
      }),
      [
        {
          name: labels.on_time_rate,
          type: "bar",
          data: data.on_time.by_department.map(function (row) {
            return row.rate;
          }),
        },
      ],
      false
    );
    pie(
      "satisfaction",
      data.satisfaction.levels.map(function (level) {
        return { label: level.label, count: level.count };
      })
    );
    trend("daily", data.trends.daily, "line");
    trend("monthly", data.trends.monthly, "bar");
    trend("yearly", data.trends.yearly, "bar");
    bars(
      "peak",
      data.peak_hours.map(function (count, hour) {
        return hour + ":00";
      }),
      [{ name: labels.tickets, type: "bar", data: data.peak_hours }],
      false,
      true
    );
    root.setAttribute("data-loaded", data.at);
  }

  function load() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        draw(data);
        if (status) {
          status.textContent = "";
        }
      })
      .catch(function () {
        if (status) {
          status.textContent = labels.offline;
        }
      });
  }

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (name) {
      charts[name].resize();
    });
  });
  load();
  if (refreshSeconds > 0) {
    window.setInterval(load, refreshSeconds * 1000);
  }
})();
