// How far a run is and how long the rest may take: engine × scenario pairs done, and an
// estimate from the mean time of the pairs measured so far (skipped pairs take no time).

export class Progress {
  private measured = 0;
  private skipped = 0;
  private readonly started = performance.now();

  constructor(private readonly pairs: number) {}

  done(): void {
    this.measured++;
  }

  skip(): void {
    this.skipped++;
  }

  /** `; 22/220 engine × scenario pairs done, about 3 min left …`, or '' before any pair was measured or when the run is short. */
  eta(): string {
    const left = this.pairs - this.measured - this.skipped;
    if (this.measured === 0 || left <= 0) return '';
    const seconds = (((performance.now() - this.started) / this.measured) * left) / 1000;
    if (seconds < 10) return '';
    return `; ${this.measured + this.skipped}/${this.pairs} engine × scenario pairs done, about ${formatDuration(seconds)} left at the pace so far`;
  }
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
