// Hex dump formatting and parsing for the memory viewer.
import { padHex } from "./u64";

export interface HexRow {
  address: bigint;
  hex: string[]; // two-digit byte strings, "" past the end of the data
  ascii: string;
}

/** Splits bytes starting at base into rows of `width` bytes. */
export function hexRows(base: bigint, bytes: Uint8Array, width = 16): HexRow[] {
  const rows: HexRow[] = [];
  for (let off = 0; off < bytes.length; off += width) {
    const hex: string[] = [];
    let ascii = "";
    for (let i = 0; i < width; i++) {
      const at = off + i;
      if (at < bytes.length) {
        const b = bytes[at];
        hex.push(padHex(b, 2));
        ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
      } else {
        hex.push("");
      }
    }
    rows.push({ address: base + BigInt(off), hex, ascii });
  }
  return rows;
}

/** Parses "90 90 cc", "9090cc" or "0x90,0x90" into bytes; throws a readable error. */
export function parseHexBytes(text: string): Uint8Array {
  const cleaned = text.replace(/0x/gi, " ").replace(/[,;]/g, " ").trim();
  if (cleaned === "") return new Uint8Array();
  const tokens = cleaned.split(/\s+/);
  const out: number[] = [];
  for (const token of tokens) {
    if (!/^[0-9a-fA-F]+$/.test(token)) throw new SyntaxError(`"${token}" is not hex`);
    const t = token.length % 2 === 1 ? "0" + token : token;
    for (let i = 0; i < t.length; i += 2) out.push(parseInt(t.slice(i, i + 2), 16));
  }
  return Uint8Array.from(out);
}

/** Formats bytes as "90 90 cc". */
export function bytesToHex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => padHex(b, 2)).join(" ");
}

/** Decodes base64 (as the API sends byte buffers) into bytes. */
export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
