// Which endpoints this service offers, read from its live OpenAPI document (/v3/api-docs),
// so that a panel whose endpoint is not there yet says so instead of calling it and failing.
import { http } from "./client";

export type Feature =
  | "actions"
  | "snapshots"
  | "images"
  | "templates"
  | "disassembly"
  | "console"
  | "events"
  | "bootSource";

/** The path (as written in the OpenAPI document) that a feature needs. */
export const featurePaths: Record<Feature, string> = {
  actions: "/vms/{id}/actions",
  snapshots: "/vms/{id}/snapshots",
  images: "/images",
  templates: "/templates",
  disassembly: "/vms/{id}/vcpus/{n}/disassembly",
  console: "/vms/{id}/console",
  events: "/vms/{id}/events",
  bootSource: "/vms/{id}/boot-source",
};

export class Capabilities {
  constructor(private readonly paths: Set<string>, readonly known: boolean) {}

  has(f: Feature): boolean {
    // WebSockets are not in an OpenAPI document: the console and events streams are
    // assumed present when the service describes the actions that drive a VM.
    if (f === "console" || f === "events") return !this.known || this.hasPath(featurePaths.actions) || this.hasPath(featurePaths[f]);
    return !this.known || this.hasPath(featurePaths[f]);
  }

  hasPath(p: string): boolean {
    return this.paths.has(p) || [...this.paths].some((x) => normalise(x) === normalise(p));
  }

  /** "Snapshots need POST /vms/{id}/snapshots, which this service does not offer yet." */
  missing(f: Feature, what: string): string {
    return `${what} needs ${featurePaths[f]}, which this service does not offer yet.`;
  }
}

function normalise(p: string): string {
  return p.replace(/\{[^}]+\}/g, "{}");
}

export async function loadCapabilities(): Promise<Capabilities> {
  try {
    const doc = await http.get<{ paths?: Record<string, unknown> }>("/v3/api-docs");
    return new Capabilities(new Set(Object.keys(doc.paths ?? {})), true);
  } catch {
    // No document: assume everything and let each call report its own problem.
    return new Capabilities(new Set(), false);
  }
}
