package dev.restvisor.service.api;

import static dev.restvisor.service.api.RealModeGuestTest.reg;
import static dev.restvisor.service.api.RealModeGuestTest.run;
import static dev.restvisor.service.api.RealModeGuestTest.vcpu;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.restassured.path.json.JsonPath;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * 4-level paging with the page directory in physical memory no slot backs: every walk through it, for an
 * instruction fetch and for data, reads the directory entry with a KVM_EXIT_MMIO that the client answers, and
 * the walk's accessed-flag update is an MMIO write of the entry. The client is the directory's memory: it
 * answers reads with what was last written there. The instruction runs again from its start after each exit,
 * so its effects happen once, after the last answer.
 */
class MmioPageWalkTest extends ApiTest {
    private static final long PML4 = 0x10000, PDPT = 0x11000, PT = 0x12000;
    /** The page directory and a data page, both outside RAM (which ends at 1 MiB). */
    private static final long PD = 0x200000, MMIO_DATA = 0x300000;
    private static final long P = 1, RW = 2, A = 0x20;

    private static byte[] le64(long... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    private static long le64(String base64) {
        return ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static long entry(String vm, long pa) {
        byte[] b = io.restassured.RestAssured.given().get("/vms/" + vm + "/memory?address=0x" + Long.toHexString(pa) + "&length=8")
                .then().statusCode(200).extract().asByteArray();
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** A 64-bit vcpu at 0x1000 with RSP 0x9000; RAM pages 1, 2 (GDT), 3 (IDT), 5 (to 0x50000), 8; 7 is MMIO. */
    private static String vm(byte[] code) {
        String vm = vmWithRam(0x100000);
        writeMemory(vm, PML4, le64(PDPT | P | RW));
        writeMemory(vm, PDPT, le64(PD | P | RW)); // the PDPT points at the directory in MMIO
        long[] pt = new long[9];
        pt[1] = 0x1000 | P | RW;            // code, identity
        pt[2] = 0x2000 | P | RW;            // GDT
        pt[3] = 0x3000 | P | RW;            // IDT
        pt[5] = 0x50000 | P | RW;           // data at 0x5000 -> 0x50000
        pt[7] = MMIO_DATA | P | RW;         // string source in MMIO
        pt[8] = 0x8000 | P | RW;            // stack and string destination, identity
        writeMemory(vm, PT, le64(pt));
        writeMemory(vm, 0x1000, code);
        Map<String, Object> code64 = Map.ofEntries(Map.entry("base", "0x0"), Map.entry("limit", 0xffffffffL),
                Map.entry("selector", 8), Map.entry("type", 11), Map.entry("present", 1), Map.entry("dpl", 0),
                Map.entry("db", 0), Map.entry("s", 1), Map.entry("l", 1), Map.entry("g", 1), Map.entry("avl", 0),
                Map.entry("unusable", 0));
        json().body(Map.of("cs", code64, "cr0", "0x80000011", "cr3", "0x10000", "cr4", "0x20", "efer", "0x500",
                        "gdt", Map.of("base", "0x2000", "limit", 0xff), "idt", Map.of("base", "0x3000", "limit", 0xfff)))
                .put(vcpu(vm) + "/sregs").then().statusCode(200);
        json().body(Map.of("rip", "0x1000", "rsp", "0x9000")).put(vcpu(vm) + "/regs").then().statusCode(200);
        return vm;
    }

    /**
     * Runs the vcpu as the device model of the MMIO range until another exit than KVM_EXIT_MMIO: reads are
     * answered from {@code mmio}, writes stored there. Returns the exits, each with RIP at the time.
     */
    private static List<String> runAnswering(String vm, Map<Long, Long> mmio) {
        List<String> exits = new ArrayList<>();
        Object answer = Map.of();
        for (int i = 0; i < 20; i++) {
            JsonPath r = run(vm, answer);
            answer = Map.of();
            if (!r.getString("exit_reason").equals("KVM_EXIT_MMIO")) {
                exits.add(r.getString("exit_reason"));
                return exits;
            }
            long pa = Long.decode(r.getString("mmio.phys_addr"));
            if (r.getInt("mmio.is_write") == 1) {
                long v = le64(r.getString("mmio.data"));
                exits.add("write " + Long.toHexString(pa) + "/" + r.getInt("mmio.len") + " " + Long.toHexString(v) + " at " + reg(vm, "rip"));
                mmio.put(pa, v);
            } else {
                exits.add("read " + Long.toHexString(pa) + "/" + r.getInt("mmio.len") + " at " + reg(vm, "rip"));
                answer = Map.of("mmio", Map.of("data", Base64.getEncoder().encodeToString(le64(mmio.get(pa)))));
            }
        }
        throw new AssertionError("no other exit after " + exits);
    }

    @Test
    void walksThroughAnMmioPageDirectoryExitAndResumeForFetchDataAndStrings() {
        String vm = vm(new byte[] {
            0x48, (byte) 0x8B, 0x04, 0x25, 0x08, 0x50, 0x00, 0x00, // mov rax, [0x5008]
            (byte) 0xBE, 0x00, 0x70, 0x00, 0x00,                   // mov esi, 0x7000
            (byte) 0xBF, 0x00, (byte) 0x80, 0x00, 0x00,            // mov edi, 0x8000
            (byte) 0xB9, 0x02, 0x00, 0x00, 0x00,                   // mov ecx, 2
            (byte) 0xFC,                                           // cld
            (byte) 0xF3, 0x48, (byte) 0xA5,                        // rep movsq
            (byte) 0xF4});                                         // hlt
        writeMemory(vm, 0x50008, le64(0x1122334455667788L));
        Map<Long, Long> mmio = new HashMap<>(Map.of(PD, PT | P | RW, MMIO_DATA, 0xaaaaL, MMIO_DATA + 8, 0xbbbbL));
        assertEquals(List.of(
                "read 200000/8 at 0x1000",          // fetch walk of 0x1000
                "write 200000/8 12023 at 0x1000",   // ... sets the directory entry's accessed flag
                "read 200000/8 at 0x1000",          // walk for the load from 0x5008 (the fetch walk's read is replayed)
                "read 200000/8 at 0x1018",          // rep movsq: walk for the source page
                "read 300000/8 at 0x1018",          // the first source element
                "read 200000/8 at 0x1018",          // walk for the destination page
                "read 300008/8 at 0x1018",          // the second source element
                "KVM_EXIT_HLT"), runAnswering(vm, mmio));
        assertEquals("0x1122334455667788", reg(vm, "rax"));
        assertEquals("0x0", reg(vm, "rcx"));
        assertArrayEquals(le64(0xaaaa, 0xbbbb), io.restassured.RestAssured.given().get("/vms/" + vm + "/memory?address=0x8000&length=16")
                .then().statusCode(200).extract().asByteArray());
        assertEquals(0x1000 | P | RW | A, entry(vm, PT + 8), "the code PTE in RAM: accessed");
        assertEquals(0x8000 | P | RW | A | 0x40, entry(vm, PT + 64), "the destination PTE: accessed and dirty");
        assertEquals(PDPT | P | RW | A, entry(vm, PML4));
    }

    /** The #UD of UD2 is delivered through an IDT, a GDT and a stack whose pages are mapped through the MMIO directory. */
    @Test
    void faultDeliveryWalksThroughTheMmioDirectoryAndIsRaisedAgainAfterEachAnswer() {
        String vm = vm(new byte[] {0x0F, 0x0B});                                 // ud2
        writeMemory(vm, 0x2008, le64(0x00209a0000000000L));                      // 64-bit code segment 0x08
        writeMemory(vm, 0x3000 + 6 * 16, le64(0x1100L | 8L << 16 | 0x8eL << 40, 0)); // #UD: interrupt gate to 0x1100
        writeMemory(vm, 0x1100, new byte[] {(byte) 0xF4});                       // hlt
        Map<Long, Long> mmio = new HashMap<>(Map.of(PD, PT | P | RW | A));
        assertEquals(List.of(
                "read 200000/8 at 0x1000",   // fetch walk
                "read 200000/8 at 0x1000",   // the GDT's page (the IDT's walk replays the fetch walk's answer)
                "read 200000/8 at 0x1000",   // the stack's page
                "KVM_EXIT_HLT"), runAnswering(vm, mmio));
        assertEquals("0x1101", reg(vm, "rip"));
        assertEquals("0x8fd8", reg(vm, "rsp"), "one 64-bit frame: SS, RSP, RFLAGS, CS, RIP");
        assertEquals(0x1000, entry(vm, 0x8fd8), "the pushed RIP is the UD2's");
    }
}
