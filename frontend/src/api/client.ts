// The one place that talks HTTP: JSON in and out, problem+json turned into ApiError.
import { ApiError, type Problem } from "../lib/problem";

export interface RequestOptions {
  body?: unknown;
  raw?: BodyInit; // sent as application/octet-stream
  query?: Record<string, string | number | (string | number)[] | undefined>;
  accept?: "json" | "bytes";
  signal?: AbortSignal;
}

export function buildPath(path: string, query?: RequestOptions["query"]): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const url = buildPath(path, opts.query);
  const headers: Record<string, string> = {
    Accept: opts.accept === "bytes" ? "application/octet-stream, application/problem+json" : "application/json, application/problem+json",
  };
  let body: BodyInit | undefined;
  if (opts.raw !== undefined) {
    headers["Content-Type"] = "application/octet-stream";
    body = opts.raw;
  } else if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body, signal: opts.signal });
  } catch (e) {
    if ((e as Error)?.name === "AbortError") throw e;
    throw new ApiError(0, null, method, path);
  }
  if (!res.ok) {
    let problem: Problem | null = null;
    try {
      const text = await res.text();
      problem = text ? (JSON.parse(text) as Problem) : null;
    } catch {
      problem = null;
    }
    throw new ApiError(res.status, problem, method, path);
  }
  if (opts.accept === "bytes") return new Uint8Array(await res.arrayBuffer()) as T;
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const http = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>("GET", path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("POST", path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("PUT", path, { ...opts, body }),
  del: <T>(path: string, opts?: RequestOptions) => request<T>("DELETE", path, opts),
};
