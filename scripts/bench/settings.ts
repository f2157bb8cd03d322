/** Load shapes of the benchmark; `--quick` shortens them for a smoke check of the benchmark itself. */
export interface BenchSettings {
  /** Repetitions of every timed measurement; figures are medians over them. */
  trials: number;
  /** (1), (2) connections (engine VUs, vegeta workers, wrk connections) and duration at full speed. */
  flatOutVus: number;
  flatOutSeconds: number;
  /** (3) arrival rate in iterations/s of browse-catalog (two requests each), its duration and VUs. */
  loadRate: number;
  loadSeconds: number;
  loadVus: number;
  /** (4) the two VU counts whose peak RSS difference gives the memory per VU, at a low arrival rate. */
  memoryVus: readonly [number, number];
  memoryRate: number;
  memorySeconds: number;
  /** (5) arrival rate, duration and pre-allocated VUs of the empty-iteration schedule. */
  lagRate: number;
  lagSeconds: number;
  lagVus: number;
  /** (6) start-up runs per trial. */
  startupRepeats: number;
  /** (e) latency injected into the demo target. */
  injectedLatencyMs: number;
}

export const defaultSettings: BenchSettings = {
  trials: 3,
  flatOutVus: 32,
  flatOutSeconds: 10,
  loadRate: 100,
  loadSeconds: 15,
  loadVus: 40,
  memoryVus: [10, 210],
  memoryRate: 20,
  memorySeconds: 6,
  lagRate: 500,
  lagSeconds: 10,
  lagVus: 20,
  startupRepeats: 5,
  injectedLatencyMs: 50,
};

export const quickSettings: BenchSettings = { ...defaultSettings, trials: 1, flatOutSeconds: 4, loadSeconds: 6, memorySeconds: 3, lagSeconds: 5, startupRepeats: 3 };
