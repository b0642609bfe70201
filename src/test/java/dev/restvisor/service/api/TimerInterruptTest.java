package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The interrupt path of the built-in devices: the 8254 PIT raises IRQ 0, the 8259A PIC turns it
 * into a vector, the vcpu takes it through the IVT. The guest waits in HLT between ticks, so the
 * service idles it and the virtual clock jumps from deadline to deadline: 50 ticks at 100 Hz take
 * half a second of virtual time but only a few thousand instructions.
 */
class TimerInterruptTest extends ApiTest {
    static final int TICKS = 50;

    static byte[] tickingGuest() {
        return new Guest(0x1000)
                .op(0xFA)                               // cli
                .op(0xB0, 0x11).op(0xE6, 0x20)          // ICW1: edge, cascade, ICW4 follows
                .op(0xB0, 0x20).op(0xE6, 0x21)          // ICW2: vectors 0x20-0x27
                .op(0xB0, 0x04).op(0xE6, 0x21)          // ICW3: slave on IRQ 2
                .op(0xB0, 0x01).op(0xE6, 0x21)          // ICW4: 8086 mode
                .op(0xB0, 0xFE).op(0xE6, 0x21)          // OCW1: only IRQ 0 unmasked
                .imm16Store(0x80, "tick")               // mov word [0x80], tick   (IVT[0x20].offset)
                .op(0xC7, 0x06, 0x82, 0x00, 0x00, 0x00) // mov word [0x82], 0      (IVT[0x20].segment)
                .op(0xB0, 0x34).op(0xE6, 0x43)          // PIT channel 0, lobyte/hibyte, mode 2
                .op(0xB0, 0x9C).op(0xE6, 0x40)          // count 11932 = 0x2E9C: 100 Hz
                .op(0xB0, 0x2E).op(0xE6, 0x40)
                .op(0xFB)                               // sti
                .label("wait")
                .op(0xF4)                               // hlt
                .op(0x83, 0x3E, 0x00, 0x05, TICKS)      // cmp word [0x500], TICKS
                .rel8(0x72, "wait")                     // jb wait
                .op(0xB0, 0x00).op(0xE6, 0xF4)          // out 0xf4, 0   (debug exit)
                .op(0xF4)                               // hlt
                .label("tick")
                .op(0x50)                               // push ax
                .op(0x52)                               // push dx
                .op(0xFF, 0x06, 0x00, 0x05)             // inc word [0x500]
                .op(0xBA, 0xF8, 0x03)                   // mov dx, 0x3f8
                .op(0xB0, 0x2E)                         // mov al, '.'
                .op(0xEE)                               // out dx, al
                .op(0xB0, 0x20).op(0xE6, 0x20)          // non-specific EOI
                .op(0x5A)                               // pop dx
                .op(0x58)                               // pop ax
                .op(0xCF)                               // iret
                .bytes();
    }

    @Test
    void pitTicksReachTheGuestThroughThePic() throws Exception {
        String vm = createVm(Map.of("name", "ticks", "vcpus", 1,
                "memory_regions", List.of(Map.of("slot", 0, "guest_phys_addr", "0x0", "memory_size", "0x80000")),
                "devices", Map.of("serial", List.of("com1"), "pic", true, "pit", true, "debug_exit", Map.of("port", 0xf4))));
        writeMemory(vm, 0x1000, tickingGuest());
        Map<String, Object> code = RealModeGuestTest.realSegment(0, 11);
        Map<String, Object> data = RealModeGuestTest.realSegment(0, 3);
        json().body(Map.of("cs", code, "ds", data, "es", data, "ss", data)).put("/vms/" + vm + "/vcpus/0/sregs").then().statusCode(200);
        json().body(Map.of("rip", "0x1000", "rsp", "0x8000")).put("/vms/" + vm + "/vcpus/0/regs").then().statusCode(200);
        ServiceDrivenTest.Collector console = new ServiceDrivenTest.Collector();
        var ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(java.net.URI.create("ws://localhost:" + port + "/vms/" + vm + "/console"), console).join();
        json().body(Map.of("action", "start")).post("/vms/" + vm + "/actions").then().statusCode(200);
        long deadline = System.currentTimeMillis() + 20_000;
        while (!"stopped".equals(given().get("/vms/" + vm).then().extract().path("state")) && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        given().get("/vms/" + vm).then().body("state", equalTo("stopped")).body("exit_status", equalTo(0));
        assertEquals(".".repeat(TICKS), console.awaitContaining(".".repeat(TICKS), 5_000));
        long retired = Long.decode(given().get("/vms/" + vm).then().extract().<String>path("counters.instructions_retired"));
        assertTrue(retired < 10_000, "a halted vcpu must not spin: " + retired + " instructions for " + TICKS + " ticks");
        ws.abort();
    }
}
