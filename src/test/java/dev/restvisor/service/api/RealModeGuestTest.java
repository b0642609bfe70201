package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real-mode guest programs driven through HTTP alone: the client is the device model. Each exit is
 * checked against what the instruction that caused it does (SDM Vol. 2).
 */
class RealModeGuestTest extends ApiTest {
    static final long CODE = 0x1000;

    /** A VM with 512 KiB of RAM at 0 (so 0x90000 and up is MMIO), code at 0000:1000, SS:SP = 0000:8000. */
    static String realModeVm(byte[] code, int ramFlags) {
        String vm = createVm(Map.of("name", "real", "vcpus", 1, "memory_regions",
                List.of(Map.of("slot", 0, "flags", ramFlags, "guest_phys_addr", "0x0", "memory_size", "0x80000"))));
        writeMemory(vm, CODE, code);
        Map<String, Object> seg = realSegment(0, 3);
        json().body(Map.of("cs", realSegment(0, 11), "ds", seg, "es", seg, "ss", seg)).put(vcpu(vm) + "/sregs").then().statusCode(200);
        json().body(Map.of("rip", "0x1000", "rsp", "0x8000")).put(vcpu(vm) + "/regs").then().statusCode(200);
        return vm;
    }

    static Map<String, Object> realSegment(int selector, int type) {
        return Map.ofEntries(Map.entry("base", "0x" + Integer.toHexString(selector << 4)), Map.entry("limit", 0xffff),
                Map.entry("selector", selector), Map.entry("type", type), Map.entry("present", 1), Map.entry("dpl", 0),
                Map.entry("db", 0), Map.entry("s", 1), Map.entry("l", 0), Map.entry("g", 0), Map.entry("avl", 0),
                Map.entry("unusable", 0));
    }

    static String vcpu(String vm) {
        return "/vms/" + vm + "/vcpus/0";
    }

    static JsonPath run(String vm, Object body) {
        return json().body(body).post(vcpu(vm) + "/run").then().statusCode(200)
                .body("exit_type", equalTo("KVM_EXIT_TYPE_VM_EXIT")).extract().jsonPath();
    }

    static JsonPath run(String vm) {
        return run(vm, Map.of());
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    static String reg(String vm, String name) {
        return given().get(vcpu(vm) + "/regs").then().statusCode(200).extract().path(name);
    }

    @Test
    void ioStringIoMmioHltAndShutdownExits() {
        Guest g = new Guest()
                .op(0xBA, 0xF8, 0x03)             // mov dx, 0x3f8
                .op(0xB0, 0x41)                   // mov al, 'A'
                .op(0xEE)                         // out dx, al
                .op(0xE4, 0x60)                   // in al, 0x60
                .op(0xA2, 0x00, 0x20)             // mov [0x2000], al
                .op(0xBE, 0x00, 0x30)             // mov si, 0x3000
                .op(0xB9, 0x05, 0x00)             // mov cx, 5
                .op(0xFC)                         // cld
                .op(0xF3, 0x6E)                   // rep outsb
                .op(0xBF, 0x00, 0x31)             // mov di, 0x3100
                .op(0xB9, 0x03, 0x00)             // mov cx, 3
                .op(0xF3, 0x6C)                   // rep insb
                .op(0xB8, 0x00, 0x90)             // mov ax, 0x9000
                .op(0x8E, 0xC0)                   // mov es, ax
                .op(0x26, 0xA1, 0x10, 0x00)       // mov ax, [es:0x10]
                .op(0x26, 0xA3, 0x20, 0x00)       // mov [es:0x20], ax
                .op(0xF4)                         // hlt
                .op(0x0F, 0x01, 0x1E, 0x00, 0x21) // lidt [0x2100]   (limit 0: every vector is outside the IVT)
                .op(0xCC);                        // int3  -> #GP -> #DF -> triple fault
        String vm = realModeVm(g.bytes(), 0);
        writeMemory(vm, 0x3000, "hello".getBytes(StandardCharsets.US_ASCII));

        JsonPath out = run(vm);
        assertExit(out, "KVM_EXIT_IO");
        assertEq(out, "io.direction", "KVM_EXIT_IO_OUT");
        assertEq(out, "io.port", 0x3f8);
        assertEq(out, "io.size", 1);
        assertEq(out, "io.count", 1);
        assertEq(out, "io.value", 0x41);
        assertEq(out, "instruction_length", 1);

        JsonPath in = run(vm);
        assertExit(in, "KVM_EXIT_IO");
        assertEq(in, "io.direction", "KVM_EXIT_IO_IN");
        assertEq(in, "io.port", 0x60);
        assertEq(in, "instruction_length", 2);
        assertEq(reg(vm, "rip"), "0x1006"); // IN has not completed yet: RIP still points at it

        JsonPath outs = run(vm, Map.of("io", Map.of("value", 0x5a)));
        assertExit(outs, "KVM_EXIT_IO");
        assertEq(outs, "io.string", 1);
        assertEq(outs, "io.rep", 1);
        assertEq(outs, "io.count", 5);
        assertEq(outs, "io.data", b64("hello"));
        assertArrayEquals(new byte[] {0x5a}, given().get("/vms/" + vm + "/memory?address=0x2000&length=1").then().extract().asByteArray());

        JsonPath ins = run(vm);
        assertExit(ins, "KVM_EXIT_IO");
        assertEq(ins, "io.direction", "KVM_EXIT_IO_IN");
        assertEq(ins, "io.string", 1);
        assertEq(ins, "io.count", 3);
        problem(json().body(Map.of("io", Map.of("data", b64("xy")))).post(vcpu(vm) + "/run").then(), 400, "invalid-argument");

        JsonPath mmioRead = run(vm, Map.of("io", Map.of("data", b64("xyz"))));
        assertExit(mmioRead, "KVM_EXIT_MMIO");
        assertEq(mmioRead, "mmio.phys_addr", "0x90010");
        assertEq(mmioRead, "mmio.len", 2);
        assertEq(mmioRead, "mmio.is_write", 0);
        assertArrayEquals("xyz".getBytes(StandardCharsets.US_ASCII),
                given().get("/vms/" + vm + "/memory?address=0x3100&length=3").then().extract().asByteArray());
        assertEq(reg(vm, "rcx"), "0x0");

        JsonPath mmioWrite = run(vm, Map.of("mmio", Map.of("data", Base64.getEncoder().encodeToString(new byte[] {0x34, 0x12})),
                "mmio_completed", 1));
        assertExit(mmioWrite, "KVM_EXIT_MMIO");
        assertEq(mmioWrite, "mmio.phys_addr", "0x90020");
        assertEq(mmioWrite, "mmio.is_write", 1);
        assertEq(mmioWrite, "mmio.data", Base64.getEncoder().encodeToString(new byte[] {0x34, 0x12}));
        assertEq(reg(vm, "rax"), "0x1234");

        assertExit(run(vm), "KVM_EXIT_HLT");
        assertExit(run(vm), "KVM_EXIT_SHUTDOWN");
    }

    @Test
    void injectedInterruptRunsTheIvtHandler() {
        // IVT[0x20] = 0000:1800; the handler reports itself on port 0x44 and returns.
        Guest handler = new Guest()
                .op(0xB0, 0x99)                   // mov al, 0x99
                .op(0xE6, 0x44)                   // out 0x44, al
                .op(0xCF);                        // iret
        Guest main = new Guest()
                .op(0xFB)                         // sti
                .op(0xEB, 0xFE);                  // jmp $
        String vm = realModeVm(main.bytes(), 0);
        writeMemory(vm, 0x1800, handler.bytes());
        writeMemory(vm, 0x20 * 4, new byte[] {0x00, 0x18, 0x00, 0x00});

        JsonPath spin = run(vm, Map.of("max_instructions", "100"));
        assertExit(spin, "KVM_EXIT_INTR");
        assertEq(spin, "ready_for_interrupt_injection", 1);
        assertEq(spin, "if_flag", 1);
        json().body(Map.of("irq", 0x20)).post(vcpu(vm) + "/interrupt").then().statusCode(204);
        given().get(vcpu(vm) + "/sregs").then().body("interrupt_bitmap[0]", equalTo("0x100000000"));

        JsonPath handled = run(vm);
        assertExit(handled, "KVM_EXIT_IO");
        assertEq(handled, "io.port", 0x44);
        assertEq(handled, "io.value", 0x99);
        assertEq(reg(vm, "rsp"), "0x7ffa"); // FLAGS, CS, IP pushed
        given().get(vcpu(vm) + "/sregs").then().body("interrupt_bitmap[0]", equalTo("0x0"));
        assertEq(run(vm, Map.of("max_instructions", "10")).getString("exit_reason"), "KVM_EXIT_INTR");
        assertEq(reg(vm, "rip"), "0x1001"); // back in the jmp $ loop
    }

    @Test
    void interruptWindowOpensOneInstructionAfterSti() {
        Guest g = new Guest()
                .op(0xFA)                         // cli          0x1000
                .op(0xB9, 0x10, 0x00)             // mov cx, 16   0x1001
                .op(0xE2, 0xFE)                   // loop $       0x1004
                .op(0xFB)                         // sti          0x1006
                .op(0x90)                         // nop          0x1007  (in the STI shadow)
                .op(0xF4);                        // hlt          0x1008
        String vm = realModeVm(g.bytes(), 0);
        JsonPath w = run(vm, Map.of("request_interrupt_window", 1));
        assertExit(w, "KVM_EXIT_IRQ_WINDOW_OPEN");
        assertEq(w, "ready_for_interrupt_injection", 1);
        assertEq(w, "if_flag", 1);
        assertEq(reg(vm, "rip"), "0x1008");
        assertEq(reg(vm, "rcx"), "0x0");
    }

    @Test
    void singleStepAndBreakpointsStopAtExactRips() {
        Guest g = new Guest()
                .op(0x90)                         // nop        0x1000
                .op(0x40)                         // inc ax     0x1001
                .op(0x40)                         // inc ax     0x1002
                .op(0x40)                         // inc ax     0x1003
                .op(0xF4);                        // hlt        0x1004
        String vm = realModeVm(g.bytes(), 0);
        json().body(Map.of("enabled", 1, "singlestep", 1)).put(vcpu(vm) + "/debug").then().statusCode(200).body("singlestep", equalTo(1));
        for (String pc : List.of("0x1001", "0x1002")) {
            JsonPath step = run(vm);
            assertExit(step, "KVM_EXIT_DEBUG");
            assertEq(step, "debug.exception", 1);
            assertEq(step, "debug.pc", pc);
            assertEq(reg(vm, "rip"), pc);
            assertEq(reg(vm, "rflags"), "0x2"); // TF never shows
        }
        json().body(Map.of("enabled", 1, "singlestep", 0, "breakpoints", List.of(Map.of("address", "0x1004"))))
                .put(vcpu(vm) + "/debug").then().statusCode(200).body("breakpoints[0].address", equalTo("0x1004"));
        JsonPath bp = run(vm);
        assertExit(bp, "KVM_EXIT_DEBUG");
        assertEq(bp, "debug.pc", "0x1004");
        assertEq(reg(vm, "rax"), "0x3");
        assertExit(run(vm), "KVM_EXIT_HLT"); // resuming from a breakpoint executes the instruction there
        json().body(Map.of("enabled", 0)).put(vcpu(vm) + "/debug").then().statusCode(200).body("enabled", equalTo(0));
    }

    @Test
    void dirtyLogMatchesThePagesTheGuestWrote() {
        Guest g = new Guest()
                .op(0xB0, 0x11)                   // mov al, 0x11
                .op(0xA2, 0x00, 0x50)             // mov [0x5000], al
                .op(0xA2, 0xFF, 0x7F)             // mov [0x7fff], al
                .op(0xB8, 0x00, 0x40)             // mov ax, 0x4000
                .op(0x8E, 0xC0)                   // mov es, ax
                .op(0x26, 0xC7, 0x06, 0xFE, 0x0F, 0x22, 0x22) // mov word [es:0x0ffe], 0x2222  (0x40ffe, one page)
                .op(0xF4);                        // hlt
        String vm = realModeVm(g.bytes(), 1);
        json().body(Map.of("slot", 0)).post("/vms/" + vm + "/dirty-log").then().statusCode(200); // clear the loader's writes
        assertExit(run(vm), "KVM_EXIT_HLT");
        byte[] bitmap = Base64.getDecoder().decode(json().body(Map.of("slot", 0)).post("/vms/" + vm + "/dirty-log")
                .then().statusCode(200).body("dirty_pages", equalTo(3)).extract().<String>path("dirty_bitmap"));
        byte[] expected = new byte[0x80000 / 4096 / 8];
        for (int page : new int[] {0x5, 0x7, 0x40}) {
            expected[page / 8] |= (byte) (1 << (page % 8));
        }
        assertArrayEquals(expected, bitmap);
    }

    @Test
    void concurrentRunIsRefused() throws Exception {
        Guest g = new Guest().op(0xEB, 0xFE);     // jmp $
        String vm = realModeVm(g.bytes(), 0);
        var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> run(vm, Map.of("timeout_ms", 1500)));
        Thread.sleep(300);
        problem(json().body(Map.of()).post(vcpu(vm) + "/run").then(), 409, "busy");
        problem(json().body(Map.of("rax", "0x1")).put(vcpu(vm) + "/regs").then(), 409, "busy");
        assertExit(first.get(), "KVM_EXIT_INTR");
    }

    @Test
    void immediateExitAndEmulated() {
        Guest g = new Guest()
                .op(0xE4, 0x60)                   // in al, 0x60
                .op(0xF4);                        // hlt
        String vm = realModeVm(g.bytes(), 0);
        assertExit(run(vm), "KVM_EXIT_IO");
        JsonPath immediate = run(vm, Map.of("immediate_exit", 1));
        assertExit(immediate, "KVM_EXIT_INTR");
        assertEq(reg(vm, "rip"), "0x1000");
        JsonPath again = run(vm);  // nothing supplied: the IN exits again
        assertExit(again, "KVM_EXIT_IO");
        assertExit(run(vm, Map.of("emulated", 1)), "KVM_EXIT_HLT"); // the client emulated the IN: it is skipped
        assertEq(reg(vm, "rip"), "0x1003");
    }

    @Test
    void disassemblyAroundRip() {
        String vm = realModeVm(new Guest()
                .op(0xB0, 0x41)                   // mov al, 0x41
                .op(0xE6, 0x10)                   // out 0x10, al
                .op(0xF4)                         // hlt
                .bytes(), 0);
        JsonPath listing = given().get(vcpu(vm) + "/disassembly?count=3").then().statusCode(200).extract().jsonPath();
        assertEq(listing.getList("address"), List.of("0x1000", "0x1002", "0x1004"));
        assertEq(listing.getList("bytes"), List.of("b041", "e610", "f4"));
        assertEq(listing.getList("text"), List.of("mov al,0x41", "out 0x10,al", "hlt"));
        given().get(vcpu(vm) + "/disassembly?address=0x1004&count=1").then().statusCode(200).body("[0].text", equalTo("hlt"));
        // 16-bit code wraps at the end of the segment, as IP does
        given().get(vcpu(vm) + "/disassembly?address=0xffff&count=2").then().statusCode(200)
                .body("[0].address", equalTo("0xffff")).body("[1].address", equalTo("0x1"));
        problem(given().get(vcpu(vm) + "/disassembly?count=0").then(), 400, "invalid-argument").body("field", equalTo("count"));
    }

    @Test
    void invalidEntryStateIsFailEntry() {
        String vm = realModeVm(new Guest().op(0xF4).bytes(), 0);
        json().body(Map.of("cr0", "0x80000010")).put(vcpu(vm) + "/sregs").then().statusCode(200);
        JsonPath r = run(vm);
        assertExit(r, "KVM_EXIT_FAIL_ENTRY");
        assertEq(r, "fail_entry.hardware_entry_failure_reason", "0x80000021");
    }

    static void assertExit(JsonPath r, String reason) {
        assertEq(r, "exit_reason", reason);
    }

    static void assertEq(JsonPath r, String path, Object expected) {
        org.junit.jupiter.api.Assertions.assertEquals(expected, r.get(path), path + " in " + r.prettify());
    }

    static void assertEq(Object actual, Object expected) {
        org.junit.jupiter.api.Assertions.assertEquals(expected, actual);
    }
}
