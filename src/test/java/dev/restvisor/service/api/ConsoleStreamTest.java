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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.restvisor.service.runtime.ViewerBuffer;
import dev.restvisor.service.runtime.VmRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The WebSocket streams with real guest code: several console viewers, the scrollback a late
 * viewer gets, a slow viewer beside a fast one, a viewer that stops reading for longer than
 * Tomcat's blocking-send timeout, resuming the events stream, bad frames, and the streams of a
 * deleted VM.
 */
class ConsoleStreamTest extends ApiTest {
    @Autowired
    private VmRegistry registry;
    private final List<String> created = new ArrayList<>();

    /** The Spring context (and its guest-RAM quota) is shared with the other API tests: give the memory back. */
    @AfterEach
    void deleteVms() {
        created.forEach(id -> given().delete("/vms/" + id).then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(204), equalTo(404))));
    }

    private String remember(String vm) {
        created.add(vm);
        return vm;
    }

    /** Where the counting guest reads its stop flag: nonzero ends the VM after one pass. */
    private static final int STOP_FLAG = 0x500;
    /** One pass of the counting guest: "0000\n" to "FFFF\n". */
    private static final String PASS = pass();
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    private static String pass() {
        StringBuilder s = new StringBuilder(65536 * 5);
        for (int i = 0; i < 65536; i++) {
            s.append(String.format("%04X\n", i));
        }
        return s.toString();
    }

    /**
     * Prints BX as four hex digits and a newline on COM1 (polling LSR.THRE) for BX = 0..FFFF, then
     * again from 0 forever, or, when the byte at {@link #STOP_FLAG} is set, writes 0 to port 0xF4.
     */
    static byte[] countingGuest() {
        return new Guest(0x1000)
                .op(0x31, 0xDB)                   // xor bx, bx
                .label("line")
                .op(0xB1, 0x0C).call16("hex")     // mov cl, 12; call hex
                .op(0xB1, 0x08).call16("hex")     // mov cl, 8; call hex
                .op(0xB1, 0x04).call16("hex")     // mov cl, 4; call hex
                .op(0xB1, 0x00).call16("hex")     // mov cl, 0; call hex
                .op(0xB0, 0x0A).call16("putc")    // mov al, '\n'; call putc
                .op(0x43)                         // inc bx
                .rel8(0x75, "line")               // jnz line
                .op(0x80, 0x3E, STOP_FLAG & 0xff, STOP_FLAG >> 8, 0x00) // cmp byte [STOP_FLAG], 0
                .rel8(0x74, "line")               // je line
                .op(0xB0, 0x00)                   // mov al, 0
                .op(0xE6, 0xF4)                   // out 0xf4, al
                .op(0xF4)                         // hlt
                .label("hex")
                .op(0x89, 0xD8)                   // mov ax, bx
                .op(0xD3, 0xE8)                   // shr ax, cl
                .op(0x24, 0x0F)                   // and al, 0x0f
                .op(0x04, 0x30)                   // add al, '0'
                .op(0x3C, 0x39)                   // cmp al, '9'
                .rel8(0x76, "putc")               // jbe putc
                .op(0x04, 0x07)                   // add al, 'A' - '9' - 1
                .putc()                           // putc: AL to COM1 (Guest.putc)
                .bytes();
    }

    private String countingVm(boolean onePass) {
        String vm = remember(createVm(Map.of("name", "counter", "vcpus", 1,
                "memory_regions", List.of(Map.of("slot", 0, "guest_phys_addr", "0x0", "memory_size", "0x80000")),
                "devices", Map.of("serial", List.of("com1"), "pic", true, "debug_exit", Map.of("port", 0xf4)))));
        writeMemory(vm, 0x1000, countingGuest());
        writeMemory(vm, STOP_FLAG, new byte[] {(byte) (onePass ? 1 : 0)});
        Map<String, Object> code = RealModeGuestTest.realSegment(0, 11);
        Map<String, Object> data = RealModeGuestTest.realSegment(0, 3);
        json().body(Map.of("cs", code, "ds", data, "es", data, "ss", data)).put("/vms/" + vm + "/vcpus/0/sregs").then().statusCode(200);
        json().body(Map.of("rip", "0x1000", "rsp", "0x8000")).put("/vms/" + vm + "/vcpus/0/regs").then().statusCode(200);
        return vm;
    }

    private WebSocket connect(String path, WebSocket.Listener listener) {
        return HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://localhost:" + port + path), listener).join();
    }

    private static void action(String vm, String action) {
        json().body(Map.of("action", action)).post("/vms/" + vm + "/actions").then().statusCode(200);
    }

    private static void awaitState(String vm, String state) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!state.equals(given().get("/vms/" + vm).then().extract().path("state")) && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        given().get("/vms/" + vm).then().body("state", equalTo(state));
    }

    /** Waits until the collector holds {@code length} bytes (or the deadline passes) and returns them. */
    private static String awaitLength(ServiceDrivenTest.Collector c, long length, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (c.bytes) {
            while (c.bytes.length() < length && System.currentTimeMillis() < deadline) {
                c.bytes.wait(Math.max(1, deadline - System.currentTimeMillis()));
            }
            return c.bytes.toString();
        }
    }

    private static long com1(String vm, String field) {
        return consoleCounter(vm, "com1", field);
    }

    private static long consoleCounter(String vm, String port, String field) {
        Number n = given().get("/vms/" + vm).then().statusCode(200).extract().path("counters.consoles.find { it.port == '" + port + "' }." + field);
        return n.longValue();
    }

    private static long bytesWritten(String vm) {
        String hex = given().get("/vms/" + vm).then().statusCode(200).extract().path("counters.consoles.find { it.port == 'com1' }.bytes_written");
        return Long.decode(hex);
    }

    private static long instructions(String vm) {
        return Long.decode(given().get("/vms/" + vm).then().statusCode(200).extract().<String>path("counters.instructions_retired"));
    }

    /** True when {@code s} is the counting guest's output from its start, passes repeated. */
    private static boolean countingFromStart(String s) {
        for (int at = 0; at < s.length(); at += PASS.length()) {
            int n = Math.min(PASS.length(), s.length() - at);
            if (!s.regionMatches(at, PASS, 0, n)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void severalViewersGetTheSameBytesAndALateViewerGetsTheScrollback() throws Exception {
        String vm = countingVm(true);
        List<ServiceDrivenTest.Collector> viewers = new ArrayList<>();
        List<WebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ServiceDrivenTest.Collector c = new ServiceDrivenTest.Collector();
            viewers.add(c);
            sockets.add(connect("/vms/" + vm + "/console" + (i == 0 ? "" : "?port=com1"), c));
        }
        action(vm, "start");
        awaitState(vm, "stopped");
        given().get("/vms/" + vm).then().body("exit_status", equalTo(0));
        assertEquals(PASS.length(), bytesWritten(vm));
        for (ServiceDrivenTest.Collector c : viewers) {
            String got = awaitLength(c, PASS.length(), 60_000);
            assertEquals(PASS.length(), got.length());
            assertTrue(PASS.equals(got), "a viewer got different bytes");
        }

        // 320 KiB were written: a viewer that comes now gets the last 256 KiB, the scrollback
        ServiceDrivenTest.Collector late = new ServiceDrivenTest.Collector();
        sockets.add(connect("/vms/" + vm + "/console", late));
        String replay = awaitLength(late, 256 * 1024, 60_000);
        assertEquals(256 * 1024, replay.length());
        assertTrue(PASS.endsWith(replay), "the scrollback is not the end of the output");
        assertEquals(0, com1(vm, "viewer_bytes_dropped"));
        sockets.forEach(WebSocket::abort);
    }

    /** A viewer that never asks for a frame: the client stops reading its socket. */
    private static final class Stalled implements WebSocket.Listener {
        @Override
        public void onOpen(WebSocket ws) {
            // no ws.request(n): no demand, so the client reads nothing and TCP pushes back
        }
    }

    @Test
    void aSlowViewerLosesItsOwnExcessAndHoldsUpNeitherTheFastViewerNorTheVcpu() throws Exception {
        String vm = countingVm(false);
        ServiceDrivenTest.Collector fast = new ServiceDrivenTest.Collector();
        WebSocket fastSocket = connect("/vms/" + vm + "/console", fast);
        WebSocket slowSocket = connect("/vms/" + vm + "/console", new Stalled());
        action(vm, "start");

        // the slow viewer's buffer overflows: its own drop count shows it
        long deadline = System.currentTimeMillis() + 120_000;
        List<Map<String, Object>> viewers = List.of();
        while (System.currentTimeMillis() < deadline) {
            viewers = given().get("/vms/" + vm).then().extract().path("counters.consoles.find { it.port == 'com1' }.viewers");
            if (viewers.stream().anyMatch(v -> ((Number) v.get("bytes_dropped")).longValue() > 0)) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        assertTrue(viewers.stream().anyMatch(v -> ((Number) v.get("bytes_dropped")).longValue() > 0), viewers.toString());
        assertTrue(viewers.stream().anyMatch(v -> ((Number) v.get("bytes_dropped")).longValue() == 0), viewers.toString());
        assertTrue(com1(vm, "viewer_bytes_dropped") > 0);

        // the vcpu keeps running while the slow viewer reads nothing
        long before = instructions(vm);
        long later = before;
        deadline = System.currentTimeMillis() + 30_000;
        while (later <= before && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
            later = instructions(vm);
        }
        assertTrue(later > before, before + " -> " + later);
        given().get("/vms/" + vm).then().body("state", equalTo("running"));

        // the fast viewer got every byte the guest wrote, in order
        action(vm, "pause");
        long written = bytesWritten(vm);
        assertTrue(written > ViewerBufferSize.LIMIT, "wrote " + written);
        String got = awaitLength(fast, written, 60_000);
        assertEquals(written, got.length());
        assertTrue(countingFromStart(got), "the fast viewer's bytes are not the guest's output");
        action(vm, "stop");
        fastSocket.abort();
        slowSocket.abort();
    }

    /** Polls the VM's com1 viewers until one has dropped bytes (its buffer is full: its send is blocked); returns its id. */
    private static String awaitDroppingViewer(String vm) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            List<Map<String, Object>> viewers = given().get("/vms/" + vm).then().extract().path("counters.consoles.find { it.port == 'com1' }.viewers");
            for (Map<String, Object> v : viewers) {
                if (((Number) v.get("bytes_dropped")).longValue() > 0) {
                    return (String) v.get("id");
                }
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new AssertionError("no viewer of " + vm + " dropped bytes");
    }

    private static Map<String, Object> viewer(String vm, String id) {
        return given().get("/vms/" + vm).then().statusCode(200).extract().path("counters.consoles.find { it.port == 'com1' }.viewers.find { it.id == '" + id + "' }");
    }

    private static long number(Map<String, Object> viewer, String field) {
        return ((Number) viewer.get(field)).longValue();
    }

    /** A viewer that reads nothing until {@link #open} is called, then everything; it counts the bytes it got. */
    private static final class Gate implements WebSocket.Listener {
        final java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.CompletableFuture<String> closed = new java.util.concurrent.CompletableFuture<>();
        private volatile WebSocket ws;

        @Override
        public void onOpen(WebSocket webSocket) {
            ws = webSocket;
        }

        void open() {
            ws.request(Long.MAX_VALUE);
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            received.addAndGet(data.remaining());
            return null;
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete("error " + error);
        }
    }

    /**
     * Tomcat ends a blocking send that waits longer than 20 s (its BLOCKING_SEND_TIMEOUT default) by closing
     * the session. A viewer that stops reading for longer than that, with its send blocked all the while, must
     * stay connected, lose only its own excess, and get the guest's output again once it reads.
     */
    @Test
    void aViewerThatStopsReadingLongerThanTheSendTimeoutStaysConnectedAndResumes() throws Exception {
        String vm = countingVm(false);
        Gate gate = new Gate();
        WebSocket ws = connect("/vms/" + vm + "/console", gate);
        action(vm, "start");
        String id = awaitDroppingViewer(vm);
        action(vm, "pause");
        TimeUnit.SECONDS.sleep(25);
        Map<String, Object> stalled = viewer(vm, id);
        assertTrue(stalled != null && !gate.closed.isDone(), "the viewer was closed while it did not read: " + gate.closed.getNow(""));
        assertTrue(number(stalled, "bytes_dropped") > 0, stalled.toString());
        // everything it was handed before the resume, with at most one 64 KiB frame being sent
        long handed = number(stalled, "bytes_sent") + number(stalled, "bytes_queued") + 64 * 1024;

        gate.open();
        action(vm, "resume");
        long deadline = System.currentTimeMillis() + 60_000;
        while (gate.received.get() <= handed && !gate.closed.isDone() && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertTrue(gate.received.get() > handed, "got " + gate.received.get() + " bytes, no more than the " + handed
                + " handed to it before the resume; closed: " + gate.closed.getNow("no"));
        assertTrue(viewer(vm, id) != null, "still attached");
        action(vm, "stop");
        ws.abort();
    }

    /** A viewer whose connection goes away while its send is blocked is detached, and its sending thread ends. */
    @Test
    void aViewerThatGoesAwayWhileItsSendIsBlockedIsDetached() throws Exception {
        String vm = countingVm(false);
        WebSocket ws = connect("/vms/" + vm + "/console", new Gate());
        action(vm, "start");
        awaitDroppingViewer(vm);
        List<ViewerBuffer> buffers = registry.get(vm).consoles().get("com1").viewers();
        ws.abort();
        long deadline = System.currentTimeMillis() + 30_000;
        while (!(buffers.getFirst().stopped() && registry.get(vm).consoles().get("com1").viewers().isEmpty())
                && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertTrue(buffers.getFirst().stopped(), "the sending thread is still alive");
        assertEquals(List.of(), registry.get(vm).consoles().get("com1").viewers());
        action(vm, "stop");
    }

    /**
     * DELETE /vms/{id} closes the console viewers (a reading one, one on e9, and one whose send is blocked
     * because it reads nothing) and the events subscriber with 4404 and a reason, and every viewer's sending
     * thread ends.
     */
    @Test
    void deletingTheVmClosesItsStreamsAndEndsTheirSenders() throws Exception {
        String vm = countingVm(false);
        ServiceDrivenTest.Collector console = new ServiceDrivenTest.Collector();
        ServiceDrivenTest.Collector debug = new ServiceDrivenTest.Collector();
        ServiceDrivenTest.Collector events = new ServiceDrivenTest.Collector();
        Gate stalled = new Gate();
        List<WebSocket> sockets = List.of(connect("/vms/" + vm + "/console", console), connect("/vms/" + vm + "/console?port=e9", debug),
                connect("/vms/" + vm + "/events", events), connect("/vms/" + vm + "/console", stalled));
        action(vm, "start");
        awaitDroppingViewer(vm);
        List<ViewerBuffer> buffers = new ArrayList<>();
        registry.get(vm).consoles().values().forEach(hub -> buffers.addAll(hub.viewers()));
        assertEquals(3, buffers.size());

        given().delete("/vms/" + vm).then().statusCode(204);
        String reason = "4404 VM " + vm + " was deleted";
        assertEquals(reason, console.closed.get(10, TimeUnit.SECONDS));
        assertEquals(reason, debug.closed.get(10, TimeUnit.SECONDS));
        assertEquals(reason, events.closed.get(10, TimeUnit.SECONDS));
        long deadline = System.currentTimeMillis() + 10_000;
        while (!buffers.stream().allMatch(ViewerBuffer::stopped) && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertTrue(buffers.stream().allMatch(ViewerBuffer::stopped), "a viewer's sending thread is still alive");
        assertTrue(buffers.stream().allMatch(b -> b.bytesQueued() == 0), "a viewer's buffer still holds bytes");
        problem(given().get("/vms/" + vm).then(), 404, "not-found");
        sockets.forEach(WebSocket::abort);
    }

    /** The per-viewer limit, as the service documents it. */
    private static final class ViewerBufferSize {
        static final long LIMIT = ViewerBuffer.LIMIT;
    }

    private static long seq(String event) {
        Matcher m = SEQ.matcher(event);
        assertTrue(m.find(), event);
        return Long.parseLong(m.group(1));
    }

    /** Reads events until one contains {@code marker}; returns them all. */
    private static List<String> eventsUntil(ServiceDrivenTest.Collector c, String marker) throws InterruptedException {
        List<String> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            String e = c.text.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            if (e == null) {
                break;
            }
            out.add(e);
            if (e.contains(marker)) {
                return out;
            }
        }
        throw new AssertionError("no event with " + marker + " in " + out);
    }

    @Test
    void theEventsStreamResumesAfterASequenceNumber() throws Exception {
        String vm = remember(ServiceDrivenTest.echoVm());
        ServiceDrivenTest.Collector first = new ServiceDrivenTest.Collector();
        WebSocket ws = connect("/vms/" + vm + "/events", first);
        action(vm, "start");
        List<String> seen = eventsUntil(first, "\"state\":\"running\"");
        long resumeAt = seq(seen.getLast());
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();

        // events while nobody listens
        action(vm, "pause");
        action(vm, "resume");
        action(vm, "pause");
        ServiceDrivenTest.Collector everything = new ServiceDrivenTest.Collector();
        WebSocket all = connect("/vms/" + vm + "/events?after=0", everything);
        List<String> history = new ArrayList<>();
        for (String marker : List.of("\"state\":\"running\"", "\"state\":\"paused\"", "\"state\":\"running\"", "\"state\":\"paused\"")) {
            history.addAll(eventsUntil(everything, marker));
        }
        long lastSeq = seq(history.getLast());

        ServiceDrivenTest.Collector resumed = new ServiceDrivenTest.Collector();
        WebSocket again = connect("/vms/" + vm + "/events?after=" + resumeAt, resumed);
        List<String> later = new ArrayList<>();
        while (later.isEmpty() || seq(later.getLast()) < lastSeq) {
            String e = resumed.text.poll(30, TimeUnit.SECONDS);
            assertTrue(e != null, "the resumed stream stopped at " + later);
            later.add(e);
        }
        List<Long> expected = history.stream().map(ConsoleStreamTest::seq).filter(s -> s > resumeAt).toList();
        assertEquals(expected, later.stream().map(ConsoleStreamTest::seq).toList());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(resumeAt + 1 + i, expected.get(i));
        }
        assertEquals(history.stream().filter(e -> seq(e) > resumeAt).toList(), later);
        assertTrue(later.stream().anyMatch(e -> e.contains("\"state\":\"paused\"")));
        action(vm, "stop");
        all.abort();
        again.abort();
    }

    @Test
    void badFramesAreIgnoredAndCountedAndTheSessionsGoOn() throws Exception {
        String vm = remember(ServiceDrivenTest.echoVm());
        ServiceDrivenTest.Collector events = new ServiceDrivenTest.Collector();
        WebSocket ews = connect("/vms/" + vm + "/events", events);
        ews.sendText("{not json", true).join();
        ews.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).join();
        ews.sendText("{\"action\":\"stop\"}", true).join();

        ServiceDrivenTest.Collector console = new ServiceDrivenTest.Collector();
        WebSocket cws = connect("/vms/" + vm + "/console", console);
        action(vm, "start");
        assertTrue(eventsUntil(events, "\"state\":\"running\"").getLast().contains("lifecycle"));
        assertTrue(console.awaitContaining("Restvisor echo\r\n", 30_000).contains("Restvisor echo\r\n"));
        given().get("/vms/" + vm).then().body("counters.bad_frames", equalTo(3)).body("state", equalTo("running"));

        // the console: text frames are input (UTF-8), empty frames and anything sent to the output-only e9 console are not
        cws.sendText("typed é", true).join();
        String typed = new String("typed é".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertTrue(console.awaitContaining(typed, 30_000).endsWith(typed), "the text frame's UTF-8 bytes are echoed");
        cws.sendBinary(ByteBuffer.allocate(0), true).join();
        cws.sendText("", true).join();
        ServiceDrivenTest.Collector debug = new ServiceDrivenTest.Collector();
        WebSocket dws = connect("/vms/" + vm + "/console?port=e9", debug);
        dws.sendBinary(ByteBuffer.wrap(new byte[] {'x'}), true).join();
        dws.sendText("y", true).join();
        long deadline = System.currentTimeMillis() + 30_000;
        while (consoleCounter(vm, "e9", "bad_frames") < 2 && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertEquals(2, consoleCounter(vm, "com1", "bad_frames"));
        assertEquals(2, consoleCounter(vm, "e9", "bad_frames"));
        assertEquals(0, consoleCounter(vm, "e9", "input_refused"));
        given().get("/vms/" + vm).then().body("counters.bad_frames", equalTo(7));
        assertTrue(debug.text.isEmpty() && !debug.closed.isDone() && !dws.isInputClosed(), "the e9 session goes on without a word");

        // more input than the queue takes, in one frame: refused with a reason, counted, and the session goes on
        byte[] paste = new byte[(1 << 20) + 1];
        java.util.Arrays.fill(paste, (byte) 'x');
        cws.sendBinary(ByteBuffer.wrap(paste), true).join();
        String refusal = console.text.poll(30, TimeUnit.SECONDS);
        assertTrue(refusal != null && refusal.contains("input queue is full"), refusal);
        assertEquals(1, com1(vm, "input_refused"));
        cws.sendBinary(ByteBuffer.wrap("still here".getBytes(StandardCharsets.US_ASCII)), true).join();
        assertTrue(console.awaitContaining("still here", 30_000).endsWith("still here"));

        // and the events stream still delivers
        action(vm, "pause");
        assertTrue(eventsUntil(events, "\"state\":\"paused\"").getLast().contains("lifecycle"));
        action(vm, "stop");
        ews.abort();
        cws.abort();
        dws.abort();
    }
}
