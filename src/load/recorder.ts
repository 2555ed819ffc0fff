// What both load loops share: a measurement window after the warm-up, and a histogram
// of the latencies (with errors counted) of the checks sent inside it.

import { LatencyHistogram, type HistogramSummary } from '../stats/histogram.ts';

export class WindowRecorder {
  readonly start = performance.now();
  readonly measureFrom: number;
  readonly end: number;
  private readonly histogram = new LatencyHistogram();
  completed = 0;
  errors = 0;
  /** Index of the next check, across all clients. */
  next = 0;

  constructor(warmupMs: number, durationMs: number) {
    this.measureFrom = this.start + warmupMs;
    this.end = this.measureFrom + durationMs;
  }

  /** Records a check whose latency counts from `from` (its send time, or its intended send time). */
  record(from: number, done: number, ok: boolean): void {
    if (from < this.measureFrom) return;
    this.histogram.recordMs(done - from);
    this.completed++;
    if (!ok) this.errors++;
  }

  finish(): HistogramSummary {
    const summary = this.histogram.summary();
    this.histogram.destroy();
    return summary;
  }
}
