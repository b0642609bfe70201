package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.restvisor.core.cpu.exec.SharedBench;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 4: a ../shared/bench guest (the long-mode "int" workload, built small) writes its checksum to
 * the console through the built-in UART with interrupts on. The service drives the VM (actions/start)
 * with the built-in 8259A pair and 8254 PIT; IRQ 0 ticks at about 10 kHz of virtual time all through
 * the workload and the printing, and the guest's handler counts the ticks and sends the EOI.
 *
 * <p>The bench's own entry (boot64.asm) runs CLI and never enables interrupts, so the image is linked
 * here from the bench's objects with another entry, src/test/resources/guests/bench-irq64.asm: the
 * same mode switch, plus the IDT, PIC and PIT set-up and STI before it calls the bench's kmain(). The
 * workload, its output routine and its exit are the bench's own object code, none of which touches IF,
 * so every instruction from the STI to the exit port runs with IF=1 and may be interrupted. The
 * checksum must still equal the native build's, and the tick count must match the virtual time the
 * run took (one nanosecond per retired instruction).
 */
class BenchInterruptsTest extends ApiTest {
    private static final String SIZES = "-DINT_CRC_PASSES=2 -DINT_HASH_PASSES=20 -DINT_GCD_PAIRS=20000";
    /** Where bench-irq64.asm keeps its tick count (u64). */
    private static final long TICKS = 0x100008;
    /** The PIT divisor bench-irq64.asm programs, and the 8254's input clock. */
    private static final double TICK_NANOS = 119 / 1_193_182.0 * 1e9;

    private String vm;
    private WebSocket socket;

    @AfterEach
    void deleteVm() {
        if (socket != null) {
            socket.abort();
        }
        if (vm != null) {
            given().delete("/vms/" + vm).then().statusCode(204);
        }
    }

    /** The bench's int workload linked behind bench-irq64.asm, as a flat image for 0x100000. */
    private static byte[] interruptibleImage(Path bench) throws Exception {
        Path stub = Path.of("src/test/resources/guests/bench-irq64.asm").toAbsolutePath();
        SharedBench.run(bench, List.of("nasm", "-f", "elf64", "-o", "out/obj64/boot-irq.o", stub.toString()));
        SharedBench.run(bench, List.of("ld", "-m", "elf_x86_64", "-nostdlib", "-static", "--build-id=none", "-z", "noexecstack",
                "--no-warn-rwx-segments", "-T", "src/guest.ld", "-o", "out/guest/int-irq.elf", "out/obj64/boot-irq.o",
                "out/obj64/guest_rt.o", "out/obj64/common.o", "out/obj64/int.o"));
        SharedBench.run(bench, List.of("objcopy", "-O", "binary", "out/guest/int-irq.elf", "out/guest/int-irq.bin"));
        return Files.readAllBytes(bench.resolve("out/guest/int-irq.bin"));
    }

    @Test
    void theChecksumReachesTheConsoleWhileTimerInterruptsAreDelivered() throws Exception {
        Path bench = SharedBench.build("bench-irq", SIZES);
        byte[] image = interruptibleImage(bench);
        String nativeChecksum = SharedBench.run(bench, List.of("./out/native/int")).lines().findFirst().orElseThrow();

        String imageId = given().contentType("application/octet-stream").body(image).post("/images?name=int-irq.bin")
                .then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(200), equalTo(201))).extract().path("id");
        vm = createVm(Map.of("name", "bench-int-irq", "vcpus", 1, "clock", "virtual",
                "memory_regions", List.of(Map.of("slot", 0, "guest_phys_addr", "0x0", "memory_size", "0x1000000")),
                "devices", Map.of("serial", List.of("com1"), "pic", true, "pit", true, "debug_exit", Map.of("port", 0xf4)),
                "boot", Map.of("kind", "flat", "image", imageId, "load_address", "0x100000", "entry", "protected32",
                        "entry_point", "0x100000")));
        ServiceDrivenTest.Collector console = new ServiceDrivenTest.Collector();
        socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + port + "/vms/" + vm + "/console"), console).join();
        json().body(Map.of("action", "start")).post("/vms/" + vm + "/actions").then().statusCode(200);

        long deadline = System.currentTimeMillis() + 120_000;
        while (!"stopped".equals(given().get("/vms/" + vm).then().extract().path("state")) && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        given().get("/vms/" + vm).then().body("state", equalTo("stopped")).body("exit_status", equalTo(0));
        String output = console.awaitMatching("(?s).*tsc_delta=\\d+\n", 10_000);
        assertEquals(nativeChecksum, output.lines().findFirst().orElseThrow(), "checksum line as the native build's: " + output);

        byte[] raw = given().get("/vms/" + vm + "/memory?address=0x" + Long.toHexString(TICKS) + "&length=8")
                .then().statusCode(200).extract().asByteArray();
        long ticks = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long instructions = Long.decode(given().get("/vms/" + vm).then().extract().<String>path("counters.instructions_retired"));
        long expected = (long) (instructions / TICK_NANOS);
        long rflags = Long.decode(given().get("/vms/" + vm + "/vcpus/0/regs").then().statusCode(200).extract().<String>path("rflags"));
        assertTrue((rflags & 0x200) != 0, "IF was clear when the guest wrote its exit status: rflags " + Long.toHexString(rflags));
        assertTrue(ticks > 0, "no timer interrupt was delivered");
        assertTrue(Math.abs(ticks - expected) <= 2 + expected / 100,
                ticks + " ticks in " + instructions + " instructions of virtual time; about " + expected + " expected");
    }
}
