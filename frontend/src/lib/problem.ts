// Readable messages from RFC 9457 problem responses (and from failures that are not problems).

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  field?: string;
  [k: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    readonly method: string,
    readonly path: string,
  ) {
    super(problemMessage(status, problem, method, path));
    this.name = "ApiError";
  }
}

/** "PUT /vms/1/regs: rip: not a number (400)" — the detail first, the title only when there is no detail. */
export function problemMessage(status: number, problem: Problem | null, method: string, path: string): string {
  const what = `${method} ${path}`;
  if (status === 0) return `${what}: the service cannot be reached`;
  if (!problem) return `${what} failed with HTTP ${status}`;
  const text = problem.detail || problem.title || `HTTP ${status}`;
  const field = problem.field && !text.includes(String(problem.field)) ? `${problem.field}: ` : "";
  return `${field}${text} (${status})`;
}

/** Any thrown value as a message for the UI. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
