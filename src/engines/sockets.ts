// Listening TCP sockets of a process group, from /proc (Linux): used to prove every
// engine listener is bound to 127.0.0.1.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { groupPids } from './process.ts';

export interface ListeningSocket {
  pid: number;
  address: string;
  port: number;
}

function ipv4(hex: string): string {
  // /proc/net/tcp stores the address as a little-endian 32-bit word
  return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}

function ipv6(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

function listeners(file: string, v6: boolean): Map<string, { address: string; port: number }> {
  const result = new Map<string, { address: string; port: number }>();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return result;
  }
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '0A') continue; // 0A = LISTEN
    const [addr, port] = f[1]!.split(':');
    result.set(f[9]!, { address: v6 ? ipv6(addr!) : ipv4(addr!), port: parseInt(port!, 16) });
  }
  return result;
}

/** Every listening TCP socket held by a process of the group `pgid`. */
export function listeningSockets(pgid: number): ListeningSocket[] {
  const found: ListeningSocket[] = [];
  for (const pid of groupPids(pgid)) {
    const table = new Map([...listeners(`/proc/${pid}/net/tcp`, false), ...listeners(`/proc/${pid}/net/tcp6`, true)]);
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        const socket = m && table.get(m[1]!);
        if (socket) found.push({ pid, ...socket });
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return found;
}
