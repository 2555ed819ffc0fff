// The `ipaddress` parameter type (OpenFGA's): an IPv4 or IPv6 address, and `in_cidr`, whether
// it lies in a CIDR range. Shared by the reference engine and adapters that evaluate it host-side.

import { BlockList, isIP } from 'node:net';

/** An address as CEL sees a value of type `ipaddress`. */
export class IpAddress {
  constructor(readonly address: string) {}
  toString(): string {
    return this.address;
  }
}

/** Reads an address; throws when the text is not one. */
export function parseIpAddress(value: unknown): IpAddress {
  if (value instanceof IpAddress) return value;
  if (typeof value === 'string' && isIP(value) !== 0) return new IpAddress(value);
  throw new Error(`expected an IP address such as "192.168.0.1", got ${JSON.stringify(value)}`);
}

const ranges = new Map<string, BlockList>();

/** Whether `address` is in `cidr` (`10.0.0.0/8`, `2001:db8::/32`); throws on a malformed range. */
export function inCidr(address: IpAddress | string, cidr: string): boolean {
  let range = ranges.get(cidr);
  if (!range) {
    const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
    const family = match ? isIP(match[1]!) : 0;
    const prefix = match ? Number(match[2]) : NaN;
    if (!match || family === 0 || prefix > (family === 4 ? 32 : 128)) throw new Error(`'${cidr}' is not a CIDR range such as "10.0.0.0/8"`);
    range = new BlockList();
    range.addSubnet(match[1]!, prefix, family === 4 ? 'ipv4' : 'ipv6');
    if (ranges.size < 1000) ranges.set(cidr, range);
  }
  const text = typeof address === 'string' ? address : address.address;
  const family = isIP(text);
  if (family === 0) throw new Error(`'${text}' is not an IP address`);
  return range.check(text, family === 4 ? 'ipv4' : 'ipv6');
}
