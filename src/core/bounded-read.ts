// Reading a file the user named, bounded: a regular file only (not /dev/zero, a pipe or a
// socket, which never end or block), and at most `maxBytes` (a file that grows while read,
// or reports size 0 as /proc files do, is cut off just past the limit and refused).

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export class BoundedReadError extends Error {
  constructor(
    /** Why, in words that fit after the file's name: `is a folder, not a file`. */
    readonly problem: string,
    readonly fix: string,
  ) {
    super(problem);
    this.name = 'BoundedReadError';
  }
}

/** The file's text (UTF-8); throws BoundedReadError when it is missing, not regular, or larger than `maxBytes`. */
export function readBoundedFile(file: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BoundedReadError('does not exist', 'check the path');
    if (code === 'EISDIR') throw new BoundedReadError('is a folder, not a file', 'name a file');
    throw new BoundedReadError(`cannot be read (${code ?? 'error'})`, 'check the path and its permissions');
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new BoundedReadError('is a folder, not a file', 'name a file');
    if (!stat.isFile()) throw new BoundedReadError('is not a regular file (a device, pipe or socket)', 'name a regular file');
    const tooLarge = (size: number) => new BoundedReadError(`is ${size} bytes or more, over the limit of ${maxBytes} bytes`, 'split or trim it');
    if (stat.size > maxBytes) throw tooLarge(stat.size);
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) throw tooLarge(length);
        break;
      }
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
