// Failures to write the run's own files (disk full, I/O error, a folder that became
// read-only during the run). Not an engine's fault and not bad input: the CLI stops the
// engines, says which file and why, and exits with OUTPUT_ERROR_EXIT_CODE.

/** sysexits.h EX_IOERR. */
export const OUTPUT_ERROR_EXIT_CODE = 74;

const EXPLAINED: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  EFBIG: 'file too large',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder',
  ENOENT: 'the folder no longer exists',
};

export class OutputError extends Error {
  constructor(
    readonly file: string,
    readonly code: string | undefined,
  ) {
    super(`cannot write ${file}: ${(code && EXPLAINED[code]) ?? 'write failed'}${code ? ` (${code})` : ''}`);
    this.name = 'OutputError';
  }
}

/** Runs a write; a file-system failure becomes an OutputError naming `file`. */
export function writing<T>(file: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (error instanceof OutputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw error;
    throw new OutputError(file, code);
  }
}
