"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// scripts/engine/jsrt/testdata/src/scenario.ts
var scenario_exports = {};
__export(scenario_exports, {
  boom: () => boom,
  default: () => scenario_default,
  handleSummary: () => handleSummary,
  options: () => options,
  setup: () => setup,
  teardown: () => teardown
});
module.exports = __toCommonJS(scenario_exports);
var import_http2 = __toESM(require("k6/http"), 1);
var import_k62 = __toESM(require("k6"), 1);
var import_execution = __toESM(require("k6/execution"), 1);
var import_metrics = require("k6/metrics");

// scripts/engine/jsrt/testdata/src/lib/requests.ts
var import_http = __toESM(require("k6/http"), 1);
var import_k6 = require("k6");
function listItems(baseUrl2) {
  const response = import_http.default.get(`${baseUrl2}/items`, { tags: { endpoint: "list-items" } });
  (0, import_k6.check)(response, { "list answers 200": (r) => r.status === 200 }, { endpoint: "list-items" });
  return response.json("items") ?? [];
}
function explode(reason) {
  const detail = `exploded: ${reason}`;
  throw new Error(detail);
}

// scripts/engine/jsrt/testdata/src/scenario.ts
var baseUrl = __ENV.BASE_URL ?? "http://127.0.0.1:1";
var ordersPlaced = new import_metrics.Counter("orders_placed");
var itemLatency = new import_metrics.Trend("item_latency", true);
var options = {
  scenarios: { main: { executor: "shared-iterations", vus: 1, iterations: 1 } },
  thresholds: { http_req_duration: ["p(95)<500"] }
};
function setup() {
  return { token: "t-" + __VU };
}
function scenario_default(data) {
  (0, import_k62.group)("catalog", () => {
    const items = listItems(baseUrl);
    const first = items[0]?.id ?? 0;
    const response = import_http2.default.post(`${baseUrl}/orders`, JSON.stringify({ itemId: first }), {
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${data.token}` }
    });
    itemLatency.add(response.timings.duration, { item: String(first) });
    import_k62.default.check(response, { "order created": (r) => r.status === 201 });
    ordersPlaced.add(1);
  });
  (0, import_k62.sleep)(1e-3);
}
function boom() {
  explode(`iteration ${import_execution.default.vu.iterationInScenario}`);
}
function teardown(data) {
  console.log("teardown", data.token);
}
function handleSummary(data) {
  return { stdout: JSON.stringify(Object.keys(data)) };
}
//# sourceMappingURL=data:application/json;base64,ewogICJ2ZXJzaW9uIjogMywKICAic291cmNlcyI6IFsic3JjL3NjZW5hcmlvLnRzIiwgInNyYy9saWIvcmVxdWVzdHMudHMiXSwKICAic291cmNlc0NvbnRlbnQiOiBbImltcG9ydCBodHRwIGZyb20gXCJrNi9odHRwXCI7XG5pbXBvcnQgazYsIHsgY2hlY2ssIGdyb3VwLCBzbGVlcCB9IGZyb20gXCJrNlwiO1xuaW1wb3J0IGV4ZWMgZnJvbSBcIms2L2V4ZWN1dGlvblwiO1xuaW1wb3J0IHsgQ291bnRlciwgVHJlbmQgfSBmcm9tIFwiazYvbWV0cmljc1wiO1xuaW1wb3J0IHsgZXhwbG9kZSwgbGlzdEl0ZW1zIH0gZnJvbSBcIi4vbGliL3JlcXVlc3RzLnRzXCI7XG5cbmNvbnN0IGJhc2VVcmw6IHN0cmluZyA9IF9fRU5WLkJBU0VfVVJMID8/IFwiaHR0cDovLzEyNy4wLjAuMToxXCI7XG5jb25zdCBvcmRlcnNQbGFjZWQgPSBuZXcgQ291bnRlcihcIm9yZGVyc19wbGFjZWRcIik7XG5jb25zdCBpdGVtTGF0ZW5jeSA9IG5ldyBUcmVuZChcIml0ZW1fbGF0ZW5jeVwiLCB0cnVlKTtcblxuZXhwb3J0IGNvbnN0IG9wdGlvbnMgPSB7XG4gIHNjZW5hcmlvczogeyBtYWluOiB7IGV4ZWN1dG9yOiBcInNoYXJlZC1pdGVyYXRpb25zXCIsIHZ1czogMSwgaXRlcmF0aW9uczogMSB9IH0sXG4gIHRocmVzaG9sZHM6IHsgaHR0cF9yZXFfZHVyYXRpb246IFtcInAoOTUpPDUwMFwiXSB9LFxufTtcblxuZXhwb3J0IGZ1bmN0aW9uIHNldHVwKCk6IHsgdG9rZW46IHN0cmluZyB9IHtcbiAgcmV0dXJuIHsgdG9rZW46IFwidC1cIiArIF9fVlUgfTtcbn1cblxuZXhwb3J0IGRlZmF1bHQgZnVuY3Rpb24gKGRhdGE6IHsgdG9rZW46IHN0cmluZyB9KTogdm9pZCB7XG4gIGdyb3VwKFwiY2F0YWxvZ1wiLCAoKSA9PiB7XG4gICAgY29uc3QgaXRlbXMgPSBsaXN0SXRlbXMoYmFzZVVybCk7XG4gICAgY29uc3QgZmlyc3QgPSBpdGVtc1swXT8uaWQgPz8gMDtcbiAgICBjb25zdCByZXNwb25zZSA9IGh0dHAucG9zdChgJHtiYXNlVXJsfS9vcmRlcnNgLCBKU09OLnN0cmluZ2lmeSh7IGl0ZW1JZDogZmlyc3QgfSksIHtcbiAgICAgIGhlYWRlcnM6IHsgXCJDb250ZW50LVR5cGVcIjogXCJhcHBsaWNhdGlvbi9qc29uXCIsIEF1dGhvcml6YXRpb246IGBCZWFyZXIgJHtkYXRhLnRva2VufWAgfSxcbiAgICB9KTtcbiAgICBpdGVtTGF0ZW5jeS5hZGQocmVzcG9uc2UudGltaW5ncy5kdXJhdGlvbiwgeyBpdGVtOiBTdHJpbmcoZmlyc3QpIH0pO1xuICAgIGs2LmNoZWNrKHJlc3BvbnNlLCB7IFwib3JkZXIgY3JlYXRlZFwiOiAocikgPT4gci5zdGF0dXMgPT09IDIwMSB9KTtcbiAgICBvcmRlcnNQbGFjZWQuYWRkKDEpO1xuICB9KTtcbiAgc2xlZXAoMC4wMDEpO1xufVxuXG5leHBvcnQgZnVuY3Rpb24gYm9vbSgpOiB2b2lkIHtcbiAgZXhwbG9kZShgaXRlcmF0aW9uICR7ZXhlYy52dS5pdGVyYXRpb25JblNjZW5hcmlvfWApO1xufVxuXG5leHBvcnQgZnVuY3Rpb24gdGVhcmRvd24oZGF0YTogeyB0b2tlbjogc3RyaW5nIH0pOiB2b2lkIHtcbiAgY29uc29sZS5sb2coXCJ0ZWFyZG93blwiLCBkYXRhLnRva2VuKTtcbn1cblxuZXhwb3J0IGZ1bmN0aW9uIGhhbmRsZVN1bW1hcnkoZGF0YTogUmVjb3JkPHN0cmluZywgdW5rbm93bj4pOiBSZWNvcmQ8c3RyaW5nLCBzdHJpbmc+IHtcbiAgcmV0dXJuIHsgc3Rkb3V0OiBKU09OLnN0cmluZ2lmeShPYmplY3Qua2V5cyhkYXRhKSkgfTtcbn1cbiIsICJpbXBvcnQgaHR0cCBmcm9tIFwiazYvaHR0cFwiO1xuaW1wb3J0IHsgY2hlY2sgfSBmcm9tIFwiazZcIjtcblxuZXhwb3J0IGludGVyZmFjZSBJdGVtIHtcbiAgaWQ6IG51bWJlcjtcbn1cblxuLyoqIEZldGNoZXMgdGhlIGl0ZW0gbGlzdCBhbmQgY2hlY2tzIHRoZSBhbnN3ZXIuICovXG5leHBvcnQgZnVuY3Rpb24gbGlzdEl0ZW1zKGJhc2VVcmw6IHN0cmluZyk6IEl0ZW1bXSB7XG4gIGNvbnN0IHJlc3BvbnNlID0gaHR0cC5nZXQoYCR7YmFzZVVybH0vaXRlbXNgLCB7IHRhZ3M6IHsgZW5kcG9pbnQ6IFwibGlzdC1pdGVtc1wiIH0gfSk7XG4gIGNoZWNrKHJlc3BvbnNlLCB7IFwibGlzdCBhbnN3ZXJzIDIwMFwiOiAocikgPT4gci5zdGF0dXMgPT09IDIwMCB9LCB7IGVuZHBvaW50OiBcImxpc3QtaXRlbXNcIiB9KTtcbiAgcmV0dXJuIChyZXNwb25zZS5qc29uKFwiaXRlbXNcIikgYXMgSXRlbVtdIHwgdW5kZWZpbmVkKSA/PyBbXTtcbn1cblxuZXhwb3J0IGZ1bmN0aW9uIGV4cGxvZGUocmVhc29uOiBzdHJpbmcpOiBuZXZlciB7XG4gIGNvbnN0IGRldGFpbDogc3RyaW5nID0gYGV4cGxvZGVkOiAke3JlYXNvbn1gO1xuICB0aHJvdyBuZXcgRXJyb3IoZGV0YWlsKTtcbn1cbiJdLAogICJtYXBwaW5ncyI6ICI7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7OztBQUFBO0FBQUE7QUFBQTtBQUFBO0FBQUE7QUFBQTtBQUFBO0FBQUE7QUFBQTtBQUFBO0FBQUEsSUFBQUEsZUFBaUI7QUFDakIsSUFBQUMsYUFBd0M7QUFDeEMsdUJBQWlCO0FBQ2pCLHFCQUErQjs7O0FDSC9CLGtCQUFpQjtBQUNqQixnQkFBc0I7QUFPZixTQUFTLFVBQVVDLFVBQXlCO0FBQ2pELFFBQU0sV0FBVyxZQUFBQyxRQUFLLElBQUksR0FBR0QsUUFBTyxVQUFVLEVBQUUsTUFBTSxFQUFFLFVBQVUsYUFBYSxFQUFFLENBQUM7QUFDbEYsdUJBQU0sVUFBVSxFQUFFLG9CQUFvQixDQUFDLE1BQU0sRUFBRSxXQUFXLElBQUksR0FBRyxFQUFFLFVBQVUsYUFBYSxDQUFDO0FBQzNGLFNBQVEsU0FBUyxLQUFLLE9BQU8sS0FBNEIsQ0FBQztBQUM1RDtBQUVPLFNBQVMsUUFBUSxRQUF1QjtBQUM3QyxRQUFNLFNBQWlCLGFBQWEsTUFBTTtBQUMxQyxRQUFNLElBQUksTUFBTSxNQUFNO0FBQ3hCOzs7QURYQSxJQUFNLFVBQWtCLE1BQU0sWUFBWTtBQUMxQyxJQUFNLGVBQWUsSUFBSSx1QkFBUSxlQUFlO0FBQ2hELElBQU0sY0FBYyxJQUFJLHFCQUFNLGdCQUFnQixJQUFJO0FBRTNDLElBQU0sVUFBVTtBQUFBLEVBQ3JCLFdBQVcsRUFBRSxNQUFNLEVBQUUsVUFBVSxxQkFBcUIsS0FBSyxHQUFHLFlBQVksRUFBRSxFQUFFO0FBQUEsRUFDNUUsWUFBWSxFQUFFLG1CQUFtQixDQUFDLFdBQVcsRUFBRTtBQUNqRDtBQUVPLFNBQVMsUUFBMkI7QUFDekMsU0FBTyxFQUFFLE9BQU8sT0FBTyxLQUFLO0FBQzlCO0FBRWUsU0FBUixpQkFBa0IsTUFBK0I7QUFDdEQsd0JBQU0sV0FBVyxNQUFNO0FBQ3JCLFVBQU0sUUFBUSxVQUFVLE9BQU87QUFDL0IsVUFBTSxRQUFRLE1BQU0sQ0FBQyxHQUFHLE1BQU07QUFDOUIsVUFBTSxXQUFXLGFBQUFFLFFBQUssS0FBSyxHQUFHLE9BQU8sV0FBVyxLQUFLLFVBQVUsRUFBRSxRQUFRLE1BQU0sQ0FBQyxHQUFHO0FBQUEsTUFDakYsU0FBUyxFQUFFLGdCQUFnQixvQkFBb0IsZUFBZSxVQUFVLEtBQUssS0FBSyxHQUFHO0FBQUEsSUFDdkYsQ0FBQztBQUNELGdCQUFZLElBQUksU0FBUyxRQUFRLFVBQVUsRUFBRSxNQUFNLE9BQU8sS0FBSyxFQUFFLENBQUM7QUFDbEUsZUFBQUMsUUFBRyxNQUFNLFVBQVUsRUFBRSxpQkFBaUIsQ0FBQyxNQUFNLEVBQUUsV0FBVyxJQUFJLENBQUM7QUFDL0QsaUJBQWEsSUFBSSxDQUFDO0FBQUEsRUFDcEIsQ0FBQztBQUNELHdCQUFNLElBQUs7QUFDYjtBQUVPLFNBQVMsT0FBYTtBQUMzQixVQUFRLGFBQWEsaUJBQUFDLFFBQUssR0FBRyxtQkFBbUIsRUFBRTtBQUNwRDtBQUVPLFNBQVMsU0FBUyxNQUErQjtBQUN0RCxVQUFRLElBQUksWUFBWSxLQUFLLEtBQUs7QUFDcEM7QUFFTyxTQUFTLGNBQWMsTUFBdUQ7QUFDbkYsU0FBTyxFQUFFLFFBQVEsS0FBSyxVQUFVLE9BQU8sS0FBSyxJQUFJLENBQUMsRUFBRTtBQUNyRDsiLAogICJuYW1lcyI6IFsiaW1wb3J0X2h0dHAiLCAiaW1wb3J0X2s2IiwgImJhc2VVcmwiLCAiaHR0cCIsICJodHRwIiwgIms2IiwgImV4ZWMiXQp9Cg==
