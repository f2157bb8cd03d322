"use strict";
// A hand-written CommonJS scenario for the runner's end-to-end tests. Its options come from
// __ENV.OPTIONS; BASE is the test server; SETUP_THROW, ABORT_AT and SUMMARY_FILE switch behaviours.
var http = require("k6/http");
var k6 = require("k6");
var exec = require("k6/execution");

exports.options = JSON.parse(__ENV.OPTIONS || "{}");

exports.setup = function () {
  if (__ENV.SETUP_THROW) {
    throw new Error("setup exploded");
  }
  return { base: __ENV.BASE };
};

exports.default = function (data) {
  var res = http.get(data.base + "/hit", { tags: { endpoint: "hit" } });
  k6.check(res, {
    "status is 200": function (r) {
      return r.status === 200;
    },
  });
  if (__ENV.ABORT_AT && exec.scenario.iterationInTest >= Number(__ENV.ABORT_AT)) {
    exec.test.abort("enough");
  }
};

exports.teardown = function (data) {
  http.get(data.base + "/teardown");
};

if (__ENV.SUMMARY_FILE) {
  exports.handleSummary = function (summary) {
    var out = {};
    out[__ENV.SUMMARY_FILE] = JSON.stringify({ iterations: summary.metrics.iterations.values.count });
    return out;
  };
}
