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

    @Test
    void walksThroughAnMmioPageDirectoryExitAndResumeForFetchDataAndStrings() {
        String vm = vmWithRam(0x100000);
        writeMemory(vm, PML4, le64(PDPT | P | RW));
        writeMemory(vm, PDPT, le64(0x200000L | P | RW)); // the PDPT points at the directory in MMIO
        long[] pt = new long[9];
        pt[1] = 0x1000 | P | RW;            // code, identity
        pt[5] = 0x50000 | P | RW;           // data at 0x5000 -> 0x50000
        pt[7] = MMIO_DATA | P | RW;         // string source in MMIO
        pt[8] = 0x8000 | P | RW;            // string destination, identity
        writeMemory(vm, PT, le64(pt));
        writeMemory(vm, 0x50008, le64(0x1122334455667788L));
        writeMemory(vm, 0x1000, new byte[] {
            0x48, (byte) 0x8B, 0x04, 0x25, 0x08, 0x50, 0x00, 0x00, // mov rax, [0x5008]
            (byte) 0xBE, 0x00, 0x70, 0x00, 0x00,                   // mov esi, 0x7000
            (byte) 0xBF, 0x00, (byte) 0x80, 0x00, 0x00,            // mov edi, 0x8000
            (byte) 0xB9, 0x02, 0x00, 0x00, 0x00,                   // mov ecx, 2
            (byte) 0xFC,                                           // cld
            (byte) 0xF3, 0x48, (byte) 0xA5,                        // rep movsq
            (byte) 0xF4});                                         // hlt
        Map<String, Object> code64 = Map.ofEntries(Map.entry("base", "0x0"), Map.entry("limit", 0xffffffff),
                Map.entry("selector", 8), Map.entry("type", 11), Map.entry("present", 1), Map.entry("dpl", 0),
                Map.entry("db", 0), Map.entry("s", 1), Map.entry("l", 1), Map.entry("g", 1), Map.entry("avl", 0),
                Map.entry("unusable", 0));
        json().body(Map.of("cs", code64, "cr0", "0x80000011", "cr3", "0x10000", "cr4", "0x20", "efer", "0x500"))
                .put(vcpu(vm) + "/sregs").then().statusCode(200);
        json().body(Map.of("rip", "0x1000", "rsp", "0x9000")).put(vcpu(vm) + "/regs").then().statusCode(200);

        Map<Long, Long> mmio = new HashMap<>(Map.of(PD, 0x12000L | P | RW, MMIO_DATA, 0xaaaaL, MMIO_DATA + 8, 0xbbbbL));
        List<String> exits = new ArrayList<>();
        List<String> ripAtExit = new ArrayList<>();
        Object answer = Map.of();
        for (int i = 0; i < 20; i++) {
            JsonPath r = run(vm, answer);
            answer = Map.of();
            if (!r.getString("exit_reason").equals("KVM_EXIT_MMIO")) {
                exits.add(r.getString("exit_reason"));
                break;
            }
            long pa = Long.decode(r.getString("mmio.phys_addr"));
            int len = r.getInt("mmio.len");
            ripAtExit.add(reg(vm, "rip"));
            if (r.getInt("mmio.is_write") == 1) {
                long v = le64(r.getString("mmio.data"));
                exits.add("write " + Long.toHexString(pa) + "/" + len + " " + Long.toHexString(v));
                mmio.put(pa, v);
            } else {
                exits.add("read " + Long.toHexString(pa) + "/" + len);
                answer = Map.of("mmio", Map.of("data", Base64.getEncoder().encodeToString(le64(mmio.get(pa)))));
            }
        }
        assertEquals(List.of(
                "read 200000/8",           // fetch walk of 0x1000
                "write 200000/8 12023",    // ... sets the directory entry's accessed flag
                "read 200000/8",           // walk for the load from 0x5008 (the fetch walk's read is replayed)
                "read 200000/8",           // rep movsq: walk for the source page
                "read 300000/8",           // the first source element
                "read 200000/8",           // walk for the destination page
                "read 300008/8",           // the second source element
                "KVM_EXIT_HLT"), exits);
        assertEquals(List.of("0x1000", "0x1000", "0x1000", "0x1018", "0x1018", "0x1018", "0x1018"), ripAtExit);
        assertEquals("0x1122334455667788", reg(vm, "rax"));
        assertEquals("0x0", reg(vm, "rcx"));
        assertArrayEquals(le64(0xaaaa, 0xbbbb), io.restassured.RestAssured.given().get("/vms/" + vm + "/memory?address=0x8000&length=16")
                .then().statusCode(200).extract().asByteArray());
        assertEquals(0x1000 | P | RW | A, entry(vm, PT + 8), "the code PTE in RAM: accessed");
        assertEquals(0x8000 | P | RW | A | 0x40, entry(vm, PT + 64), "the destination PTE: accessed and dirty");
        assertEquals(PDPT | P | RW | A, entry(vm, PML4));
    }
}
