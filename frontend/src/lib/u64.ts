// u64 quantities travel as hex strings ("0xffffffff81000000") because a JS number cannot hold
// every u64 (API-CONTRACT.md, Conventions). Here they are bigint.

export const U64_MAX = (1n << 64n) - 1n;

/** Parses a hex ("0x1f", "1fh"), decimal ("31") string or a number into a u64; throws on anything else. */
export function parseU64(input: string | number | bigint): bigint {
  if (typeof input === "bigint") return checkRange(input, String(input));
  if (typeof input === "number") {
    if (!Number.isSafeInteger(input)) throw new RangeError(`${input} is not an exact integer`);
    return checkRange(BigInt(input), String(input));
  }
  const text = input.trim().replace(/_/g, "").toLowerCase();
  let value: bigint;
  if (/^0x[0-9a-f]+$/.test(text)) value = BigInt(text);
  else if (/^[0-9a-f]+h$/.test(text)) value = BigInt("0x" + text.slice(0, -1));
  else if (/^[0-9]+$/.test(text)) value = BigInt(text);
  else throw new SyntaxError(`"${input}" is not a number: write hex as 0x1f or decimal as 31`);
  return checkRange(value, input);
}

function checkRange(v: bigint, shown: string): bigint {
  if (v < 0n || v > U64_MAX) throw new RangeError(`${shown} does not fit in 64 bits`);
  return v;
}

/** Like parseU64 but returns null instead of throwing. */
export function tryParseU64(input: string | number | bigint | undefined | null): bigint | null {
  if (input === undefined || input === null) return null;
  try {
    return parseU64(input);
  } catch {
    return null;
  }
}

/** The wire form: "0x" and lower-case hex digits without padding. */
export function toHex(v: bigint | number): string {
  return "0x" + BigInt(v).toString(16);
}

/** Hex padded to a width in hex digits, without prefix: pad(0x1f, 4) = "001f". */
export function padHex(v: bigint | number, digits: number): string {
  return BigInt(v).toString(16).padStart(digits, "0");
}

/** Adds with u64 wrap-around. */
export function addU64(a: bigint, b: bigint): bigint {
  return (a + b) & U64_MAX;
}
