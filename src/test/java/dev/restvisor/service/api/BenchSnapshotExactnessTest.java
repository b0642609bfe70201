package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import dev.restvisor.core.cpu.exec.SharedBench;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 6, exactness: a ../shared/bench guest (the long-mode "int" workload, built small) boots as a
 * flat image in the Multiboot 32-bit state on a VM with the built-in COM1 UART and the debug-exit
 * port 0xF4, with the virtual clock. A snapshot taken in the middle of its workload, restored into
 * the same VM, restored after a restart of the service on the same H2 file, and cloned (before and
 * after the restart), each runs to the end with console output equal, byte for byte, to an
 * uninterrupted run. The second output line is the RDTSC difference around the workload, which
 * the snapshot cuts in two, so the restored clock is checked too.
 *
 * <p>The snapshot point is found without any timing: a breakpoint on the entry point pauses the
 * started VM at its first instruction, then one KVM_RUN with an instruction budget of half the
 * uninterrupted run's instructions takes it into the middle of the workload (the guest prints only
 * at the end, so the console is still empty there).
 */
class BenchSnapshotExactnessTest {
    private static final String SIZES = "-DINT_CRC_PASSES=2 -DINT_HASH_PASSES=20 -DINT_GCD_PAIRS=20000";
    private static final long WAIT_MS = 60_000;

    private static ServiceDrivenTest.Collector console(String vm, List<WebSocket> sockets) {
        ServiceDrivenTest.Collector c = new ServiceDrivenTest.Collector();
        sockets.add(HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + io.restassured.RestAssured.port + "/vms/" + vm + "/console"), c).join());
        return c;
    }

    private static String state(String vm) {
        return given().get("/vms/" + vm).then().statusCode(200).extract().path("state");
    }

    private static void awaitState(String vm, String expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!expected.equals(state(vm)) && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        assertEquals(expected, state(vm));
    }

    private static void action(String vm, String action) {
        ApiTest.json().body(Map.of("action", action)).post("/vms/" + vm + "/actions").then().statusCode(200);
    }

    /**
     * Resumes a paused VM, waits for its debug exit (status 0), and asserts its console: the
     * viewer's whole stream, scrollback included, must be exactly {@code expected}.
     */
    private static void resumeToEnd(String vm, ServiceDrivenTest.Collector console, String expected, String what)
            throws InterruptedException {
        action(vm, "resume");
        awaitState(vm, "stopped");
        given().get("/vms/" + vm).then().body("exit_status", equalTo(0));
        assertEquals(expected, console.awaitContaining(expected, 5_000), what);
    }

    private static void cloneAndRun(String vm, String sid, String name, String reference, List<WebSocket> sockets)
            throws InterruptedException {
        String clone = ApiTest.json().body(Map.of("name", name)).post("/vms/" + vm + "/snapshots/" + sid + "/clone")
                .then().statusCode(201).body("state", equalTo("paused")).extract().path("id");
        resumeToEnd(clone, console(clone, sockets), reference, "cloned (" + name + ")");
    }

    @Test
    void snapshotMidRunRestoresAndClonesByteForByte(@TempDir Path dir) throws Exception {
        Path bench = SharedBench.build("bench-exactness", SIZES);
        byte[] image = Files.readAllBytes(bench.resolve("out/guest/int.bin"));
        String nativeChecksum = SharedBench.run(bench, List.of("./out/native/int")).lines().findFirst().orElseThrow();

        String vm;
        String sid;
        String reference;
        List<WebSocket> sockets = new java.util.ArrayList<>();
        ConfigurableApplicationContext first = RestartTest.start(dir);
        try {
            String imageId = given().contentType("application/octet-stream").body(image).post("/images?name=int.bin")
                    .then().statusCode(201).extract().path("id");
            Map<String, Object> definition = Map.of("name", "bench-int", "vcpus", 1, "clock", "virtual",
                    "memory_regions", List.of(Map.of("slot", 0, "guest_phys_addr", "0x0", "memory_size", "0x1000000")),
                    "devices", Map.of("serial", List.of("com1"), "debug_exit", Map.of("port", 0xf4)),
                    "boot", Map.of("kind", "flat", "image", imageId, "load_address", "0x100000", "entry", "protected32",
                            "entry_point", "0x100000"));

            // the uninterrupted run
            String ref = ApiTest.createVm(definition);
            ServiceDrivenTest.Collector refConsole = console(ref, sockets);
            action(ref, "start");
            awaitState(ref, "stopped");
            given().get("/vms/" + ref).then().body("exit_status", equalTo(0));
            reference = refConsole.awaitMatching("(?s).*tsc_delta=\\d+\n", 5_000);
            assertTrue(reference.startsWith(nativeChecksum + "\n"), "checksum line as the native build's [" + nativeChecksum + "]: " + reference);
            assertTrue(reference.matches("int: checksum=0x[0-9a-f]{16}\nint: tsc_delta=\\d+\n"), reference);
            long total = Long.decode(given().get("/vms/" + ref).then().extract().<String>path("counters.instructions_retired"));

            // the interrupted run: paused at the entry point, then half the workload by KVM_RUN, snapshot, resume
            vm = ApiTest.createVm(definition);
            ApiTest.json().body(Map.of("enabled", 1, "breakpoints", List.of(Map.of("address", "0x100000"))))
                    .put("/vms/" + vm + "/vcpus/0/debug").then().statusCode(200);
            ServiceDrivenTest.Collector vmConsole = console(vm, sockets);
            action(vm, "start");
            awaitState(vm, "paused");
            given().get("/vms/" + vm + "/vcpus/0/regs").then().statusCode(200).body("rip", equalTo("0x100000"));
            ApiTest.json().body(Map.of("enabled", 0)).put("/vms/" + vm + "/vcpus/0/debug").then().statusCode(200);
            ApiTest.json().body(Map.of("max_instructions", "0x" + Long.toHexString(total / 2), "timeout_ms", 60_000))
                    .post("/vms/" + vm + "/vcpus/0/run").then().statusCode(200).body("exit_reason", equalTo("KVM_EXIT_INTR"));
            assertEquals("", vmConsole.awaitContaining("", 0), "the snapshot is taken before the guest prints anything");
            sid = SnapshotApiTest.snapshot(vm, "mid-run", null);
            resumeToEnd(vm, vmConsole, reference, "the run the snapshot was taken from");

            SnapshotApiTest.restore(vm, sid);
            resumeToEnd(vm, vmConsole, reference.repeat(2), "restored into the same VM");
            SnapshotApiTest.restore(vm, sid);
            resumeToEnd(vm, vmConsole, reference.repeat(3), "restored into the same VM a second time");
            cloneAndRun(vm, sid, "bench-clone", reference, sockets);
        } finally {
            sockets.forEach(WebSocket::abort);
            sockets.clear();
            first.close();
        }

        ConfigurableApplicationContext second = RestartTest.start(dir);
        try {
            assertEquals("stopped", state(vm));
            ServiceDrivenTest.Collector afterRestart = console(vm, sockets);
            SnapshotApiTest.restore(vm, sid);
            resumeToEnd(vm, afterRestart, reference, "restored after a restart of the service");
            cloneAndRun(vm, sid, "bench-clone-after-restart", reference, sockets);
        } finally {
            sockets.forEach(WebSocket::abort);
            second.close();
        }
    }
}
