// The node index's key for an object's id text: three integers for the IntTable of its type
// (store.ts). An id of at most 8 Latin-1 characters (numeric and most generated ids) is its own
// key: its length, then its characters packed 4 to an integer; two such keys are equal exactly
// when the ids are, so finding its node reads no string (a string compare is a cache miss at 10^6
// objects). A longer id is keyed by its FNV-1a hash and a counter (0, 1, ... over the ids of the
// type that hash alike); the caller compares each candidate's text.

/** Lengths 0..8 are packed keys; this one marks a hashed key. */
const HASHED = 15;

export class NodeKey {
  a = 0;
  b = 0;
  c = 0;

  /** Makes this the key of `id`; returns whether it is exact (else `c` is the counter, set to 0). */
  of(id: string): boolean {
    const length = id.length;
    if (length <= 8) {
      let first = 0;
      let second = 0;
      let wide = 0;
      for (let i = 0; i < length; i++) {
        const code = id.charCodeAt(i);
        wide |= code;
        if (i < 4) first = (first << 8) | code;
        else second = (second << 8) | code;
      }
      if (wide < 0x100) {
        this.a = length;
        this.b = first;
        this.c = second;
        return true;
      }
    }
    let hash = 0x811c9dc5;
    for (let i = 0; i < length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
    this.a = HASHED;
    this.b = hash;
    this.c = 0;
    return false;
  }
}
