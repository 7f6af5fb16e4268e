/**
 * Object ids from hex in one pass, validating as it decodes: a transaction of a million
 * refs parses a million ids, and a regex test followed by a parseInt per byte showed up in
 * its profile.
 */

/** Nibble value of each char code below 128, -1 for anything that is not a hex digit. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i;
  NIBBLE[97 + i] = 10 + i;
}

/** `size` bytes from `hex` (either case), or undefined unless it is exactly 2·size hex digits. */
export function oidFromHex(hex: string, size: number): Uint8Array | undefined {
  if (hex.length !== size * 2) return undefined;
  return oidFromHexInto(hex, new Uint8Array(size));
}

/** oidFromHex into `out` (hex must be 2·out.length digits long); undefined on a non-hex digit. */
export function oidFromHexInto(hex: string, out: Uint8Array): Uint8Array | undefined {
  const size = out.length;
  for (let i = 0; i < size; i++) {
    const a = hex.charCodeAt(2 * i);
    const b = hex.charCodeAt(2 * i + 1);
    const hi = a < 128 ? NIBBLE[a] : -1;
    const lo = b < 128 ? NIBBLE[b] : -1;
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Whether `s` is exactly `length` hex digits (either case). */
export function isHex(s: string, length: number): boolean {
  if (s.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || NIBBLE[c] < 0) return false;
  }
  return true;
}

/**
 * Decode the 2·size hex digits at src[start…] (either case; bytes, as read from input) into
 * out[at, at + size). False on a non-hex digit; out may then hold part of the id.
 */
export function oidFromHexBytesAt(src: Uint8Array, start: number, size: number, out: Uint8Array, at: number): boolean {
  for (let i = 0; i < size; i++) {
    const a = src[start + 2 * i];
    const b = src[start + 2 * i + 1];
    const hi = a < 128 ? NIBBLE[a] : -1;
    const lo = b < 128 ? NIBBLE[b] : -1;
    if (hi < 0 || lo < 0) return false;
    out[at + i] = (hi << 4) | lo;
  }
  return true;
}
