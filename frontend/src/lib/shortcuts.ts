// Keyboard shortcuts of the VM view. F5 run/resume, F6 pause, F10 step over, F11 step;
// plain-letter alternatives for browsers that reserve function keys.

export type Command = "run" | "pause" | "step" | "stepOver";

const table: Record<string, Command> = {
  F5: "run",
  F6: "pause",
  F10: "stepOver",
  F11: "step",
};

const letters: Record<string, Command> = { r: "run", p: "pause", s: "step", o: "stepOver" };

export interface KeyLike {
  key: string;
  altKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  target?: unknown;
}

/** The command for a key event, or null. Letters need Alt; nothing fires while typing into a field or the terminal. */
export function commandFor(e: KeyLike, typing: boolean): Command | null {
  if (typing) return table[e.key] ?? null;
  if (table[e.key]) return table[e.key];
  if (e.altKey && !e.ctrlKey && !e.metaKey) return letters[e.key.toLowerCase()] ?? null;
  return null;
}

export const shortcutHelp = "F5 run · F6 pause · F11 step · F10 over";
export const shortcutTitle = "Keyboard: F5 run/resume, F6 pause, F11 step, F10 step over; Alt+R, Alt+P, Alt+S, Alt+O do the same";
