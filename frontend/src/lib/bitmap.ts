// Dirty bitmaps (KVM_GET_DIRTY_LOG): bit 0 of byte 0 is the first page of the slot.

export function bitSet(bitmap: Uint8Array, index: number): boolean {
  const byte = index >> 3;
  return byte < bitmap.length && (bitmap[byte] & (1 << (index & 7))) !== 0;
}

export function countBits(bitmap: Uint8Array, pages = bitmap.length * 8): number {
  let n = 0;
  for (let i = 0; i < pages; i++) if (bitSet(bitmap, i)) n++;
  return n;
}

/** Merges a newly read bitmap into an accumulated one (reads clear the log, the view keeps history). */
export function orInto(acc: Uint8Array, fresh: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.max(acc.length, fresh.length));
  out.set(acc);
  for (let i = 0; i < fresh.length; i++) out[i] |= fresh[i];
  return out;
}

/** Grid geometry: columns per row for `pages` cells so the grid is about `width` cells wide. */
export function gridShape(pages: number, maxColumns = 64): { columns: number; rows: number } {
  const columns = Math.max(1, Math.min(maxColumns, pages));
  return { columns, rows: Math.ceil(pages / columns) };
}
