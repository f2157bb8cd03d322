export { createMetricStreamCollector, aggregateK6Json, timeSeriesFileName, type MetricStreamCollector, type CollectorOptions } from "./collector.ts";
export { PerSecondAggregator } from "./per-second-aggregator.ts";
export { K6JsonLineReader, type SampleSink } from "./k6-json-lines.ts";
export { timeSeriesSchema, type TimeSeries, type Series } from "./timeseries-schema.ts";
