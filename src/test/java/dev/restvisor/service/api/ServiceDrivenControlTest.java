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
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The service-driven run loop under the control of a client: breakpoints and single-step pause a
 * started VM and leave its vcpus to the API, a pause hands every vcpu over before it returns,
 * SHUTDOWN resets or stops as the definition says, the real-time clock delivers PIT interrupts,
 * and fast console input reaches an echoing guest without losing a byte. Every guest is real
 * code running in the core; no assertion depends on how fast it runs.
 */
class ServiceDrivenControlTest extends ApiTest {
    private static final long WAIT_MS = 30_000;

    /** Where the breakpoint guest's {@code mov al, bl} sits (after a 1000-iteration LOOP). */
    static final int BP_ADDRESS = 0x1007;
    /** The address vcpu 1 spins at in the two-vcpu VMs. */
    static final int SPIN_ADDRESS = 0x3000;

    /**
     * Counts CX down from 1000, then prints BL ('A') on COM1 and writes 7 to the debug-exit port.
     * A breakpoint on {@link #BP_ADDRESS} stops it with BL loaded but not yet printed.
     */
    static byte[] breakpointGuest() {
        byte[] code = new Guest(0x1000)
                .op(0xB9, 0xE8, 0x03)             // 0x1000 mov cx, 1000
                .label("count")
                .rel8(0xE2, "count")              // 0x1003 loop count
                .op(0xB3, 0x41)                   // 0x1005 mov bl, 'A'
                .op(0x88, 0xD8)                   // 0x1007 mov al, bl      <- BP_ADDRESS
                .call16("putc")                   // 0x1009 call putc
                .op(0xB0, 0x07)                   // mov al, 7
                .op(0xE6, 0xF4)                   // out 0xf4, al
                .op(0xF4)                         // hlt
                .putc()                           // putc: AL to COM1 (Guest.putc)
                .bytes();
        assertEquals(0x88, code[BP_ADDRESS - 0x1000] & 0xff);
        return code;
    }

    /** A real-mode VM with COM1, the debug-exit port, {@code code} at 0x1000 on vcpu 0 and, with two vcpus, vcpu 1 spinning. */
    static String realModeVm(byte[] code, int vcpus) {
        String vm = createVm(Map.of("name", "control", "vcpus", vcpus,
                "memory_regions", List.of(Map.of("slot", 0, "guest_phys_addr", "0x0", "memory_size", "0x80000")),
                "devices", Map.of("serial", List.of("com1"), "pic", true, "debug_exit", Map.of("port", 0xf4))));
        writeMemory(vm, 0x1000, code);
        writeMemory(vm, SPIN_ADDRESS, new byte[] {(byte) 0xEB, (byte) 0xFE}); // jmp $
        Map<String, Object> cs = RealModeGuestTest.realSegment(0, 11);
        Map<String, Object> data = RealModeGuestTest.realSegment(0, 3);
        for (int n = 0; n < vcpus; n++) {
            json().body(Map.of("cs", cs, "ds", data, "es", data, "ss", data)).put(vcpuPath(vm, n) + "/sregs").then().statusCode(200);
            json().body(Map.of("rip", n == 0 ? "0x1000" : "0x" + Integer.toHexString(SPIN_ADDRESS), "rsp", n == 0 ? "0x8000" : "0x7000"))
                    .put(vcpuPath(vm, n) + "/regs").then().statusCode(200);
        }
        return vm;
    }

    static String vcpuPath(String vm, int n) {
        return "/vms/" + vm + "/vcpus/" + n;
    }

    static void action(String vm, String action) {
        json().body(Map.of("action", action)).post("/vms/" + vm + "/actions").then().statusCode(200);
    }

    static String state(String vm) {
        return given().get("/vms/" + vm).then().statusCode(200).extract().path("state");
    }

    static void awaitState(String vm, String expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!expected.equals(state(vm)) && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        assertEquals(expected, state(vm));
    }

    static long reg(String vm, int n, String name) {
        return Long.decode(given().get(vcpuPath(vm, n) + "/regs").then().statusCode(200).extract().<String>path(name));
    }

    WebSocket connect(String path, ServiceDrivenTest.Collector collector) {
        return HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://localhost:" + port + path), collector).join();
    }

    /** Waits for a text frame (an event) that contains every fragment. */
    static String awaitEvent(ServiceDrivenTest.Collector events, String... fragments) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            String e = events.text.poll(100, TimeUnit.MILLISECONDS);
            if (e != null && java.util.Arrays.stream(fragments).allMatch(e::contains)) {
                return e;
            }
        }
        throw new AssertionError("no event with " + String.join(", ", fragments));
    }

    @Test
    void breakpointPausesTheVmItsVcpusCanBeChangedAndResumeContinues() throws Exception {
        String vm = realModeVm(breakpointGuest(), 2);
        json().body(Map.of("enabled", 1, "breakpoints", List.of(Map.of("enabled", 1, "address", "0x" + Integer.toHexString(BP_ADDRESS)))))
                .put(vcpuPath(vm, 0) + "/debug").then().statusCode(200);
        ServiceDrivenTest.Collector console = new ServiceDrivenTest.Collector();
        ServiceDrivenTest.Collector events = new ServiceDrivenTest.Collector();
        WebSocket consoleWs = connect("/vms/" + vm + "/console", console);
        WebSocket eventsWs = connect("/vms/" + vm + "/events?after=0", events);
        action(vm, "start");

        awaitEvent(events, "\"type\":\"debug\"", "\"vcpu\":0", "\"pc\":\"0x1007\"");
        awaitEvent(events, "\"type\":\"lifecycle\"", "\"state\":\"paused\"", "debug event at 0x1007");
        // "paused" is only reported once every vcpu thread has let go, so vcpu 1, which was spinning, answers at once
        assertEquals("paused", state(vm));
        assertEquals(SPIN_ADDRESS, reg(vm, 1, "rip"));
        json().body(Map.of("rdi", "0x1234")).put(vcpuPath(vm, 1) + "/regs").then().statusCode(200).body("rdi", equalTo("0x1234"));

        given().get(vcpuPath(vm, 0) + "/regs").then().statusCode(200)
                .body("rip", equalTo("0x1007")).body("rcx", equalTo("0x0")).body("rbx", equalTo("0x41"));
        json().body(Map.of("rbx", "0x5a")).put(vcpuPath(vm, 0) + "/regs").then().statusCode(200).body("rbx", equalTo("0x5a"));
        assertEquals("", console.awaitContaining("", 0), "nothing printed before the breakpoint");

        action(vm, "resume");
        awaitState(vm, "stopped");
        given().get("/vms/" + vm).then().body("exit_status", equalTo(7));
        assertEquals("Z", console.awaitContaining("Z", 5_000), "the guest printed the BL the client wrote");
        consoleWs.abort();
        eventsWs.abort();
    }

    /**
     * A software breakpoint as a debugger plants one: the client writes INT3 (0xCC) over the first
     * byte of an instruction, and the definition reports #BP as an exit (exception_exits [3]). The
     * started VM pauses there; the client puts the original byte back, points RIP at it, resumes.
     */
    @Test
    void softwareBreakpointPausesTheVmAndTheClientResumesPastIt() throws Exception {
        String vm = createVm(Map.of("name", "sw-bp", "vcpus", 1, "exception_exits", List.of(3),
                "memory_regions", List.of(Map.of("slot", 0, "guest_phys_addr", "0x0", "memory_size", "0x80000")),
                "devices", Map.of("serial", List.of("com1"), "debug_exit", Map.of("port", 0xf4))));
        byte[] code = breakpointGuest();
        writeMemory(vm, 0x1000, code);
        writeMemory(vm, BP_ADDRESS, new byte[] {(byte) 0xCC});
        Map<String, Object> cs = RealModeGuestTest.realSegment(0, 11);
        Map<String, Object> data = RealModeGuestTest.realSegment(0, 3);
        json().body(Map.of("cs", cs, "ds", data, "es", data, "ss", data)).put(vcpuPath(vm, 0) + "/sregs").then().statusCode(200);
        json().body(Map.of("rip", "0x1000", "rsp", "0x8000")).put(vcpuPath(vm, 0) + "/regs").then().statusCode(200);
        ServiceDrivenTest.Collector console = new ServiceDrivenTest.Collector();
        ServiceDrivenTest.Collector events = new ServiceDrivenTest.Collector();
        WebSocket consoleWs = connect("/vms/" + vm + "/console", console);
        WebSocket eventsWs = connect("/vms/" + vm + "/events?after=0", events);
        action(vm, "start");
        awaitEvent(events, "\"type\":\"exception\"", "\"exception\":3");
        awaitState(vm, "paused");
        assertEquals(BP_ADDRESS, reg(vm, 0, "rip"), "RIP stays at the INT3, as on a #BP intercept");
        writeMemory(vm, BP_ADDRESS, new byte[] {code[BP_ADDRESS - 0x1000]});
        json().body(Map.of("rip", "0x" + Integer.toHexString(BP_ADDRESS), "rbx", "0x42")).put(vcpuPath(vm, 0) + "/regs").then().statusCode(200);
        action(vm, "resume");
        awaitState(vm, "stopped");
        given().get("/vms/" + vm).then().body("exit_status", equalTo(7));
        assertEquals("B", console.awaitContaining("B", 5_000));
        consoleWs.abort();
        eventsWs.abort();
    }

    @Test
    void singleStepPausesAfterEveryInstruction() throws Exception {
        String vm = realModeVm(breakpointGuest(), 1);
        json().body(Map.of("enabled", 1, "breakpoints", List.of(Map.of("address", "0x" + Integer.toHexString(BP_ADDRESS)))))
                .put(vcpuPath(vm, 0) + "/debug").then().statusCode(200);
        ServiceDrivenTest.Collector console = new ServiceDrivenTest.Collector();
        WebSocket consoleWs = connect("/vms/" + vm + "/console", console);
        action(vm, "start");
        awaitState(vm, "paused");
        assertEquals(BP_ADDRESS, reg(vm, 0, "rip"));

        json().body(Map.of("enabled", 1, "singlestep", 1)).put(vcpuPath(vm, 0) + "/debug").then().statusCode(200)
                .body("singlestep", equalTo(1));
        action(vm, "resume");
        awaitState(vm, "paused");
        assertEquals(0x1009, reg(vm, 0, "rip"), "one step: past mov al, bl");
        assertEquals(0x41, reg(vm, 0, "rax") & 0xff);
        long sp = reg(vm, 0, "rsp");

        action(vm, "resume");
        awaitState(vm, "paused");
        long putc = reg(vm, 0, "rip");
        assertTrue(putc > 0x1009 && putc < 0x1030, "one step: into putc, at 0x" + Long.toHexString(putc));
        assertEquals(sp - 2, reg(vm, 0, "rsp"), "the CALL pushed its return address");

        json().body(Map.of("enabled", 0)).put(vcpuPath(vm, 0) + "/debug").then().statusCode(200);
        action(vm, "resume");
        awaitState(vm, "stopped");
        assertEquals("A", console.awaitContaining("A", 5_000));
        consoleWs.abort();
    }

    /**
     * Pause returns only after every vcpu thread has released its vcpu: the registers of both
     * vcpus are readable and writable straight after it, every time.
     */
    @Test
    void pauseHandsEveryVcpuOverBeforeItReturns() throws Exception {
        String vm = realModeVm(ServiceDrivenTest.echoGuest(), 2);
        action(vm, "start");
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            action(vm, "pause");
            for (int n = 0; n < 2; n++) {
                int get = given().get(vcpuPath(vm, n) + "/regs").statusCode();
                int put = json().body(Map.of("rbp", i)).put(vcpuPath(vm, n) + "/regs").statusCode();
                if (get != 200 || put != 200) {
                    failures.add("round " + i + " vcpu " + n + ": GET " + get + ", PUT " + put);
                }
            }
            action(vm, "resume");
        }
        action(vm, "stop");
        assertEquals(List.of(), failures);
    }

    /** Prints a banner on COM1, then triple-faults: INT3 through an IDT of limit 0 (#GP, #DF, SHUTDOWN). */
    static byte[] tripleFaultGuest() {
        return new Guest(0x1000)
                .op(0x31, 0xC0)                   // xor ax, ax
                .op(0x8E, 0xD8)                   // mov ds, ax
                .op(0x8E, 0xD0)                   // mov ss, ax
                .op(0xBC, 0x00, 0x80)             // mov sp, 0x8000
                .imm16(0xBE, "msg")               // mov si, msg
                .label("next")
                .op(0xAC)                         // lodsb
                .op(0x84, 0xC0)                   // test al, al
                .rel8(0x74, "crash")              // jz crash
                .op(0x88, 0xC4)                   // mov ah, al
                .op(0xBA, 0xFD, 0x03)             // mov dx, 0x3fd
                .label("tx")
                .op(0xEC)                         // in al, dx
                .op(0xA8, 0x20)                   // test al, 0x20
                .rel8(0x74, "tx")                 // jz tx
                .op(0x88, 0xE0)                   // mov al, ah
                .op(0xBA, 0xF8, 0x03)             // mov dx, 0x3f8
                .op(0xEE)                         // out dx, al
                .rel8(0xEB, "next")               // jmp next
                .label("crash")
                .op(0x0F, 0x01, 0x1E, 0x00, 0x06) // lidt [0x600]   (six zero bytes: limit 0)
                .op(0xCC)                         // int3
                .op(0xF4)                         // hlt (never reached)
                .label("msg")
                .ascii("boot\r\n").op(0)
                .bytes();
    }

    private String shutdownVm(String onShutdown) {
        String image = given().contentType("application/octet-stream").body(tripleFaultGuest()).post("/images?name=triple-fault")
                .then().extract().path("id");
        return createVm(Map.of("name", "shutdown-" + onShutdown, "vcpus", 1, "on_shutdown", onShutdown,
                "memory_regions", List.of(Map.of("slot", 0, "guest_phys_addr", "0x0", "memory_size", "0x80000")),
                "devices", Map.of("serial", List.of("com1")),
                "boot", Map.of("kind", "flat", "image", image, "load_address", "0x1000", "entry", "real", "entry_point", "0x1000")));
    }

    @Test
    void shutdownWithOnShutdownResetBootsAgain() throws Exception {
        String vm = shutdownVm("reset");
        ServiceDrivenTest.Collector console = new ServiceDrivenTest.Collector();
        ServiceDrivenTest.Collector events = new ServiceDrivenTest.Collector();
        WebSocket consoleWs = connect("/vms/" + vm + "/console", console);
        WebSocket eventsWs = connect("/vms/" + vm + "/events?after=0", events);
        action(vm, "start");
        awaitEvent(events, "\"type\":\"shutdown\"");
        awaitEvent(events, "\"type\":\"lifecycle\"", "\"state\":\"reset\"");
        String out = console.awaitMatching("(?s)(boot\r\n){3}.*", WAIT_MS);
        assertTrue(out.startsWith("boot\r\nboot\r\nboot\r\n"), "the banner again after every reset: " + out);
        assertTrue(out.matches("(boot\r\n)*(b|bo|boo|boot|boot\r)?"), out);
        String s = state(vm);
        assertTrue(s.equals("running"), "a reset VM runs on, not " + s);
        action(vm, "stop");
        consoleWs.abort();
        eventsWs.abort();
    }

    @Test
    void shutdownWithOnShutdownStopStops() throws Exception {
        String vm = shutdownVm("stop");
        ServiceDrivenTest.Collector console = new ServiceDrivenTest.Collector();
        WebSocket consoleWs = connect("/vms/" + vm + "/console", console);
        action(vm, "start");
        awaitState(vm, "shutdown");
        assertEquals("boot\r\n", console.awaitContaining("boot\r\n", 5_000));
        problem(json().body(Map.of("action", "resume")).post("/vms/" + vm + "/actions").then(), 409, "busy");
        // start boots it again from the boot source
        action(vm, "start");
        awaitState(vm, "shutdown");
        assertEquals("boot\r\nboot\r\n", console.awaitContaining("boot\r\nboot\r\n", 5_000));
        consoleWs.abort();
    }

    /**
     * With the real-time clock the PIT's IRQ 0 reaches the guest through the PIC; the guest counts
     * the ticks and prints a dot for each. The test waits for them, however long they take.
     */
    @Test
    void realTimeClockDeliversTimerInterrupts() throws Exception {
        String vm = createVm(Map.of("name", "realtime-ticks", "vcpus", 1, "clock", "realtime",
                "memory_regions", List.of(Map.of("slot", 0, "guest_phys_addr", "0x0", "memory_size", "0x80000")),
                "devices", Map.of("serial", List.of("com1"), "pic", true, "pit", true, "debug_exit", Map.of("port", 0xf4))));
        given().get("/vms/" + vm).then().body("definition.clock", equalTo("realtime"));
        writeMemory(vm, 0x1000, TimerInterruptTest.tickingGuest());
        Map<String, Object> cs = RealModeGuestTest.realSegment(0, 11);
        Map<String, Object> data = RealModeGuestTest.realSegment(0, 3);
        json().body(Map.of("cs", cs, "ds", data, "es", data, "ss", data)).put(vcpuPath(vm, 0) + "/sregs").then().statusCode(200);
        json().body(Map.of("rip", "0x1000", "rsp", "0x8000")).put(vcpuPath(vm, 0) + "/regs").then().statusCode(200);
        ServiceDrivenTest.Collector console = new ServiceDrivenTest.Collector();
        WebSocket ws = connect("/vms/" + vm + "/console", console);
        action(vm, "start");
        String dots = ".".repeat(TimerInterruptTest.TICKS);
        assertEquals(dots, console.awaitContaining(dots, WAIT_MS));
        awaitState(vm, "stopped");
        given().get("/vms/" + vm).then().body("exit_status", equalTo(0));
        ws.abort();
    }

    /**
     * 20 KiB typed into the demo monitor in 7-byte frames, far faster than its UART's 16-byte FIFO
     * drains: the console's input queue feeds the UART only as its receiver has room, so every
     * byte is echoed, in order, and every line is answered.
     */
    @Test
    void fastConsoleInputLosesNothing() throws Exception {
        Map<String, Object> definition = given().get("/templates/demo").then().statusCode(200).extract().path("definition");
        String vm = createVm(definition);
        ServiceDrivenTest.Collector out = new ServiceDrivenTest.Collector();
        WebSocket ws = connect("/vms/" + vm + "/console", out);
        action(vm, "start");
        String banner = out.awaitContaining("demo> ", WAIT_MS);
        assertTrue(banner.endsWith("demo> "), banner);

        Random random = new Random(42);
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-+=/";
        StringBuilder typed = new StringBuilder();
        StringBuilder expected = new StringBuilder(banner);
        while (typed.length() < 20 * 1024) {
            StringBuilder text = new StringBuilder();
            text.append(alphabet.charAt(random.nextInt(52)));
            for (int i = 0, n = 20 + random.nextInt(38); i < n; i++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            typed.append("echo ").append(text).append('\r');
            expected.append("echo ").append(text).append("\r\n").append(text).append("\r\ndemo> ");
        }
        byte[] input = typed.toString().getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < input.length; i += 7) {
            ws.sendBinary(ByteBuffer.wrap(input, i, Math.min(7, input.length - i)), true).join();
        }
        String got = out.awaitContaining(expected.substring(expected.length() - 200), 120_000);
        if (!got.equals(expected.toString())) {
            int k = 0;
            while (k < Math.min(got.length(), expected.length()) && got.charAt(k) == expected.charAt(k)) {
                k++;
            }
            throw new AssertionError("the console output differs from byte " + k + " of " + expected.length() + " (got "
                    + got.length() + "): expected [" + expected.substring(k, Math.min(expected.length(), k + 60)) + "] got ["
                    + got.substring(k, Math.min(got.length(), k + 60)) + "]");
        }
        ws.sendBinary(ByteBuffer.wrap("exit\r".getBytes(StandardCharsets.US_ASCII)), true).join();
        awaitState(vm, "stopped");
        ws.abort();
    }
}
