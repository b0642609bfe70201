package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A VM the service drives itself (actions/start) with a built-in 16550A on COM1: the console
 * WebSocket carries the guest's output and the user's input, the debug-exit port ends the VM.
 */
class ServiceDrivenTest extends ApiTest {

    /** Prints a banner on COM1 (polling LSR.THRE), echoes every byte until 'q', then writes 7 to port 0xF4. */
    static byte[] echoGuest() {
        return new Guest(0x1000)
                .imm16(0xBE, "msg")               // mov si, msg
                .label("next")
                .op(0xAC)                         // lodsb
                .op(0x84, 0xC0)                   // test al, al
                .rel8(0x74, "echo")               // jz echo
                .call16("putc")                   // call putc
                .rel8(0xEB, "next")               // jmp next
                .label("echo")
                .op(0xBA, 0xFD, 0x03)             // mov dx, 0x3fd  (LSR)
                .label("rx")
                .op(0xEC)                         // in al, dx
                .op(0xA8, 0x01)                   // test al, 1     (DR)
                .rel8(0x74, "rx")                 // jz rx
                .op(0xBA, 0xF8, 0x03)             // mov dx, 0x3f8  (RBR)
                .op(0xEC)                         // in al, dx
                .op(0x3C, 0x71)                   // cmp al, 'q'
                .rel8(0x74, "quit")               // je quit
                .call16("putc")                   // call putc
                .rel8(0xEB, "echo")               // jmp echo
                .label("quit")
                .op(0xB0, 0x07)                   // mov al, 7
                .op(0xE6, 0xF4)                   // out 0xf4, al
                .op(0xF4)                         // hlt
                .putc()                           // putc: AL to COM1 (Guest.putc)
                .label("msg")
                .ascii("Restvisor echo\r\n").op(0)
                .bytes();
    }

    static String echoVm() {
        String vm = createVm(Map.of("name", "echo", "vcpus", 1,
                "memory_regions", List.of(Map.of("slot", 0, "guest_phys_addr", "0x0", "memory_size", "0x80000")),
                "devices", Map.of("serial", List.of("com1"), "pic", true, "debug_exit", Map.of("port", 0xf4))));
        writeMemory(vm, 0x1000, echoGuest());
        Map<String, Object> code = RealModeGuestTest.realSegment(0, 11);
        Map<String, Object> data = RealModeGuestTest.realSegment(0, 3);
        json().body(Map.of("cs", code, "ds", data, "es", data, "ss", data)).put("/vms/" + vm + "/vcpus/0/sregs").then().statusCode(200);
        json().body(Map.of("rip", "0x1000", "rsp", "0x8000")).put("/vms/" + vm + "/vcpus/0/regs").then().statusCode(200);
        return vm;
    }

    /** A WebSocket client that collects what arrives. */
    static final class Collector implements WebSocket.Listener {
        final LinkedBlockingQueue<String> text = new LinkedBlockingQueue<>();
        final StringBuilder bytes = new StringBuilder();
        /** The close frame's code and reason, "1000 bye", once the server closed the stream. */
        final java.util.concurrent.CompletableFuture<String> closed = new java.util.concurrent.CompletableFuture<>();

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            synchronized (bytes) {
                bytes.append(new String(b, StandardCharsets.ISO_8859_1));
                bytes.notifyAll();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.add(data.toString());
            ws.request(1);
            return null;
        }

        String awaitMatching(String regex, long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            synchronized (bytes) {
                while (!bytes.toString().matches(regex) && System.currentTimeMillis() < deadline) {
                    bytes.wait(Math.max(1, deadline - System.currentTimeMillis()));
                }
                return bytes.toString();
            }
        }

        String awaitContaining(String expected, long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            synchronized (bytes) {
                while (!bytes.toString().contains(expected) && System.currentTimeMillis() < deadline) {
                    bytes.wait(Math.max(1, deadline - System.currentTimeMillis()));
                }
                return bytes.toString();
            }
        }
    }

    WebSocket connect(String path, Collector collector) {
        return HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://localhost:" + port + path), collector).join();
    }

    @Test
    void consoleShowsTheBannerEchoesInputAndDebugExitStopsTheVm() throws Exception {
        String vm = echoVm();
        Collector console = new Collector();
        WebSocket ws = connect("/vms/" + vm + "/console?port=com1", console);
        json().body(Map.of("action", "start")).post("/vms/" + vm + "/actions").then().statusCode(200).body("state", equalTo("running"));
        assertTrue(console.awaitContaining("Restvisor echo\r\n", 10_000).contains("Restvisor echo\r\n"));
        problem(given().get("/vms/" + vm + "/vcpus/0/regs").then(), 409, "busy");

        ws.sendBinary(ByteBuffer.wrap("hello, world".getBytes(StandardCharsets.US_ASCII)), true).join();
        assertTrue(console.awaitContaining("hello, world", 10_000).endsWith("hello, world"));

        // a second viewer gets the scrollback first
        Collector late = new Collector();
        WebSocket ws2 = connect("/vms/" + vm + "/console", late);
        assertTrue(late.awaitContaining("Restvisor echo\r\nhello, world", 5_000).startsWith("Restvisor echo\r\nhello, world"));

        ws.sendText("q", true).join();
        long deadline = System.currentTimeMillis() + 10_000;
        while (!"stopped".equals(given().get("/vms/" + vm).then().extract().path("state")) && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        given().get("/vms/" + vm).then().body("state", equalTo("stopped")).body("exit_status", equalTo(7));
        ws.abort();
        ws2.abort();
    }

    @Test
    void pauseInspectResume() throws Exception {
        String vm = echoVm();
        json().body(Map.of("action", "start")).post("/vms/" + vm + "/actions").then().statusCode(200);
        json().body(Map.of("action", "pause")).post("/vms/" + vm + "/actions").then().statusCode(200).body("state", equalTo("paused"));
        String rip = given().get("/vms/" + vm + "/vcpus/0/regs").then().statusCode(200).extract().path("rip");
        long ip = Long.decode(rip);
        assertTrue(ip >= 0x1000 && ip < 0x1000 + echoGuest().length, rip);
        problem(json().body(Map.of("action", "pause")).post("/vms/" + vm + "/actions").then(), 409, "busy");
        json().body(Map.of("action", "resume")).post("/vms/" + vm + "/actions").then().statusCode(200).body("state", equalTo("running"));
        json().body(Map.of("action", "stop")).post("/vms/" + vm + "/actions").then().statusCode(200).body("state", equalTo("stopped"));
        problem(json().body(Map.of("action", "fly")).post("/vms/" + vm + "/actions").then(), 400, "invalid-argument").body("field", equalTo("action"));
        given().delete("/vms/" + vm).then().statusCode(204);
    }

    @Test
    void eventsStreamReportsLifecycle() throws Exception {
        String vm = echoVm();
        Collector events = new Collector();
        WebSocket ws = connect("/vms/" + vm + "/events?after=0", events);
        json().body(Map.of("action", "start")).post("/vms/" + vm + "/actions").then().statusCode(200);
        String first = events.text.poll(10, TimeUnit.SECONDS);
        assertTrue(first != null && first.contains("\"type\":\"lifecycle\"") && first.contains("\"state\":\"running\""), first);
        assertTrue(first.matches(".*\"seq\":\\d+.*"), first);
        json().body(Map.of("action", "stop")).post("/vms/" + vm + "/actions").then().statusCode(200);
        ws.abort();
    }

    @Test
    void streamsOfUnknownVmsAreRefused() {
        assertEquals(404, handshakeStatus("/vms/nope/console"));
        assertEquals(404, handshakeStatus("/vms/nope/events"));
        String vm = echoVm();
        assertEquals(404, handshakeStatus("/vms/" + vm + "/console?port=com2"));
        assertEquals(400, handshakeStatus("/vms/" + vm + "/console?port=lpt1"));
        assertEquals(400, handshakeStatus("/vms/" + vm + "/events?after=x"));
    }

    private int handshakeStatus(String path) {
        Throwable failure = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + port + path), new Collector()).handle((ok, err) -> err).join();
        Throwable cause = failure == null ? null : failure.getCause();
        return cause instanceof java.net.http.WebSocketHandshakeException h ? h.getResponse().statusCode() : -1;
    }
}
