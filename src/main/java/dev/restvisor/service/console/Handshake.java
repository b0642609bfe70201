package dev.restvisor.service.console;

import dev.restvisor.core.vm.PlatformSpec;
import dev.restvisor.core.vm.VmError;
import dev.restvisor.service.runtime.ManagedVm;
import dev.restvisor.service.runtime.SerialHub;
import dev.restvisor.service.runtime.VmRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriTemplate;

/**
 * Checks a stream's VM (and serial port) before the WebSocket upgrade, so a wrong address is an
 * ordinary problem response instead of a socket that opens and dies.
 */
final class Handshake implements HandshakeInterceptor {
    static final String VM_ID = "vmId";
    static final String PORT = "port";
    static final String AFTER = "after";
    private static final UriTemplate PATH = new UriTemplate("/vms/{id}/{stream}");

    private final VmRegistry registry;
    private final boolean console;

    Handshake(VmRegistry registry, boolean console) {
        this.registry = registry;
        this.console = console;
    }

    /** The serial hub a console stream names: a COM port (default com1) or "e9" for the debug console. */
    static SerialHub serialHub(ManagedVm vm, String port) {
        if ("e9".equalsIgnoreCase(port)) {
            return vm.debugConsole();
        }
        var spec = PlatformSpec.of(java.util.List.of(port), false, false, false, -1, false, false, false, false);
        SerialHub hub = vm.serial(spec.serial().getFirst());
        if (hub == null) {
            throw new VmError(VmError.Errno.ENOENT, "port", "VM " + vm.id() + " has no UART on " + port
                    + "; its definition lists " + vm.spec().devices().serialNames());
        }
        return hub;
    }

    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
                                   Map<String, Object> attributes) {
        Map<String, String> vars = PATH.match(request.getURI().getPath());
        var query = UriComponentsBuilder.fromUri(request.getURI()).build().getQueryParams();
        try {
            ManagedVm vm = registry.get(vars.get("id"));
            attributes.put(VM_ID, vm.id());
            if (console) {
                String port = query.getFirst(PORT) == null ? "com1" : query.getFirst(PORT);
                serialHub(vm, port);
                attributes.put(PORT, port);
            } else {
                String after = query.getFirst(AFTER);
                attributes.put(AFTER, after == null ? 0L : Long.parseLong(after));
            }
            return true;
        } catch (VmError e) {
            refuse(response, e.errno() == VmError.Errno.ENOENT ? HttpStatus.NOT_FOUND : HttpStatus.BAD_REQUEST, e.getMessage(), e.field());
            return false;
        } catch (NumberFormatException e) {
            refuse(response, HttpStatus.BAD_REQUEST, "after must be an event sequence number", AFTER);
            return false;
        }
    }

    private static void refuse(ServerHttpResponse response, HttpStatus status, String detail, String field) {
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        String type = status == HttpStatus.NOT_FOUND ? "not-found" : "invalid-argument";
        String body = "{\"type\":\"https://restvisor.dev/problems/" + type + "\",\"title\":\"" + status.getReasonPhrase()
                + "\",\"status\":" + status.value() + ",\"detail\":\"" + detail.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\"" + (field == null ? "" : ",\"field\":\"" + field + "\"") + "}";
        try {
            response.getBody().write(body.getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException ignored) {
            // the client went away during the handshake
        }
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Exception exception) {
    }
}
