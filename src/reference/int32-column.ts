// The reference store's columns and hash tables: Int32Arrays over SharedArrayBuffers. V8 counts
// an ordinary ArrayBuffer as external memory and starts a full collection of the whole heap for
// every ~64 MB of them allocated; a bulk load of 10^6 relationships allocates ~150 MB of rows and
// tables, and each of those collections re-marks the caller's heap (the relationships being
// loaded: ~250 ms each at 10^6, three per load). A shared buffer is not counted (V8 leaves shared
// memory out of its per-isolate accounting), reads and writes the same, and Node still reports it
// in process.memoryUsage().arrayBuffers. It is never handed to another thread.

export type Int32Column = Int32Array<SharedArrayBuffer>;

/** A zeroed column of `length` integers. */
export function int32Column(length: number): Int32Column {
  return new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}

/** A zeroed column of `length` doubles, on a shared buffer too (the decision log's). */
export function float64Column(length: number): Float64Array<SharedArrayBuffer> {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

/** `column` when it holds `needed` integers, else a copy grown geometrically (1.5x) to at least `needed`. */
export function grown(column: Int32Column, needed: number): Int32Column {
  if (needed <= column.length) return column;
  const next = int32Column(Math.max(needed, Math.ceil(column.length * 1.5) + 64));
  next.set(column);
  return next;
}

/** A copy of `column` holding exactly `length` integers, or `column` when it holds that many already. */
export function resized(column: Int32Column, length: number): Int32Column {
  if (length <= column.length) return column;
  const next = int32Column(length);
  next.set(column);
  return next;
}

/** Below this many integers a column is an ordinary Int32Array: far cheaper to make (~50 ns against ~0.5 µs), and too small to matter to the collector. */
const SHARED_FROM = 1 << 16;

/** A zeroed column for one call's work: ordinary when small (a single write), shared when large (a bulk load). */
export function scratchColumn(length: number): Int32Array {
  return length < SHARED_FROM ? new Int32Array(length) : int32Column(length);
}
