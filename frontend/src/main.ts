// Entry point: loads what the service offers, then routes #/ (VM list) and #/vms/<id> (VM view).
import "./styles.css";
import { loadCapabilities } from "./api/capabilities";
import { http } from "./api/client";
import { errorText } from "./lib/problem";
import { h, notice, replace } from "./ui/dom";
import { vmList } from "./ui/vmList";
import { vmView } from "./ui/vmView";

const app = document.getElementById("app")!;
const service = document.getElementById("service")!;
let current: { dispose: () => void } | null = null;

async function main() {
  const caps = await loadCapabilities();
  try {
    const v = await http.get<{ api_version?: number }>("/api-version");
    service.textContent = `KVM API ${v.api_version}`;
  } catch (e) {
    service.textContent = errorText(e);
  }
  const nav = (hash: string) => {
    if (location.hash === hash) route();
    else location.hash = hash;
  };
  const route = () => {
    current?.dispose();
    const m = /^#\/vms\/([^/]+)$/.exec(location.hash);
    const view = m ? vmView(decodeURIComponent(m[1]), caps, nav) : vmList(caps, nav);
    current = view;
    replace(app, view.el);
  };
  window.addEventListener("hashchange", route);
  route();
}

main().catch((e) => replace(app, h("div", notice(`The console failed to start: ${errorText(e)}`, "error"))));
