// What both load loops share: a measurement window after the warm-up, and a histogram
// of the latencies (with errors counted) of the checks sent inside it.

import { LatencyHistogram, type HistogramSummary } from '../stats/histogram.ts';

export class WindowRecorder {
  readonly start = performance.now();
  readonly measureFrom: number;
  readonly end: number;
  private readonly histogram = new LatencyHistogram();
  /** Open loop only: latency from the actual send time, what tools without a schedule (wrk 4, ab) report. */
  private readonly serviceHistogram = new LatencyHistogram();
  completed = 0;
  errors = 0;
  /** Index of the next check, across all clients. */
  next = 0;

  constructor(warmupMs: number, durationMs: number) {
    this.measureFrom = this.start + warmupMs;
    this.end = this.measureFrom + durationMs;
  }

  /**
   * Records a check whose latency counts from `from` (its send time, or its intended send
   * time); `sent`, when given, is the actual send time, for the service-time histogram.
   */
  record(from: number, done: number, ok: boolean, sent?: number): void {
    if (from < this.measureFrom) return;
    this.histogram.recordMs(done - from);
    if (sent !== undefined) this.serviceHistogram.recordMs(done - sent);
    this.completed++;
    if (!ok) this.errors++;
  }

  /** A check the open loop never sent (the window ended first): its latency is at least the wait so far; not served. */
  recordUnsent(intended: number, now: number): void {
    if (intended >= this.measureFrom) this.histogram.recordMs(now - intended);
  }

  /** Both summaries (the service time only where checks recorded their send time); frees the histograms. */
  finish(): { latency: HistogramSummary; serviceTime?: HistogramSummary } {
    const latency = this.histogram.summary();
    const serviceTime = this.serviceHistogram.count > 0 ? this.serviceHistogram.summary() : undefined;
    this.histogram.destroy();
    this.serviceHistogram.destroy();
    return { latency, ...(serviceTime ? { serviceTime } : {}) };
  }
}
