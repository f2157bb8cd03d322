/** Load shapes of the benchmark; `--quick` shortens them for a smoke check of the benchmark itself. */
export interface BenchSettings {
  /** Repetitions of every timed measurement; figures are medians over them. */
  trials: number;
  /** (a) arrival rate in iterations/s of browse-catalog (two requests each), its duration and VUs. */
  loadRate: number;
  loadSeconds: number;
  loadVus: number;
  /** (b) connections (k6 VUs, wrk connections) and duration of the full-speed comparison. */
  flatOutConnections: number;
  flatOutSeconds: number;
  /** (e) latency injected into the demo target. */
  injectedLatencyMs: number;
  /** (f) the two VU counts whose peak RSS difference gives the memory per VU. */
  memoryVus: readonly [number, number];
  memorySeconds: number;
}

export const defaultSettings: BenchSettings = {
  trials: 3,
  loadRate: 100,
  loadSeconds: 15,
  loadVus: 40,
  flatOutConnections: 32,
  flatOutSeconds: 10,
  injectedLatencyMs: 50,
  memoryVus: [10, 110],
  memorySeconds: 6,
};

export const quickSettings: BenchSettings = { ...defaultSettings, trials: 1, loadSeconds: 6, flatOutSeconds: 4, memorySeconds: 3 };
