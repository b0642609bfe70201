package dev.restvisor.service.api;

import static org.hamcrest.Matchers.equalTo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * KVM_TRANSLATE under each paging mode, with page tables written through guest memory and the
 * mode set through sregs. Expected values follow the walks of SDM Vol. 3A 4.3 (32-bit), 4.4 (PAE)
 * and 4.5 (4-level); writeable and usermode are the AND of R/W and U/S over the levels.
 */
class TranslateTest extends ApiTest {
    private static final long P = 1, RW = 2, US = 4, PS = 0x80;

    private static void entry32(String vm, long table, int index, long value) {
        writeMemory(vm, table + 4L * index, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) value).array());
    }

    private static void entry64(String vm, long table, int index, long value) {
        writeMemory(vm, table + 8L * index, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
    }

    private static void expect(String vm, String linear, String physical, int valid, int writeable, int usermode) {
        var r = json().body(Map.of("linear_address", linear)).post("/vms/" + vm + "/vcpus/0/translate").then().statusCode(200)
                .body("linear_address", equalTo(linear)).body("valid", equalTo(valid));
        if (valid == 1) {
            r.body("physical_address", equalTo(physical)).body("writeable", equalTo(writeable)).body("usermode", equalTo(usermode));
        }
    }

    @Test
    void withoutPagingLinearIsPhysical() {
        String vm = vmWithRam(0x100000);
        expect(vm, "0x12345", "0x12345", 1, 1, 1);
    }

    @Test
    void thirtyTwoBitPagingWith4KAnd4MPages() {
        String vm = vmWithRam(0x100000);
        entry32(vm, 0x10000, 1, 0x11000 | P | RW | US);
        entry32(vm, 0x11000, 1, 0x55000 | P);
        entry32(vm, 0x10000, 2, 0x00C00000L | PS | P | RW | US);
        json().body(Map.of("cr0", "0x80000011", "cr3", "0x10000", "cr4", "0x10")).put("/vms/" + vm + "/vcpus/0/sregs").then().statusCode(200);
        expect(vm, "0x401123", "0x55123", 1, 0, 0);
        expect(vm, "0x812345", "0xc12345", 1, 1, 1);
        expect(vm, "0x1000000", null, 0, 0, 0);
        expect(vm, "0x402000", null, 0, 0, 0);
    }

    @Test
    void paePagingWith4KAnd2MPages() {
        String vm = vmWithRam(0x100000);
        entry64(vm, 0x20000, 0, 0x21000 | P);
        entry64(vm, 0x21000, 2, 0x22000 | P | RW | US);
        entry64(vm, 0x22000, 3, 0x77000 | P | RW);
        entry64(vm, 0x21000, 3, 0x00600000L | PS | P | RW | US);
        json().body(Map.of("cr0", "0x80000011", "cr3", "0x20000", "cr4", "0x20")).put("/vms/" + vm + "/vcpus/0/sregs").then().statusCode(200);
        expect(vm, "0x403456", "0x77456", 1, 1, 0);
        expect(vm, "0x654321", "0x654321", 1, 1, 1);
        expect(vm, "0x40000000", null, 0, 0, 0);
    }

    @Test
    void fourLevelPagingWith4KAnd1GPages() {
        String vm = vmWithRam(0x100000);
        entry64(vm, 0x30000, 0x100, 0x31000 | P | RW | US);
        entry64(vm, 0x31000, 0, 0x32000 | P | RW | US);
        entry64(vm, 0x32000, 1, 0x33000 | P | RW | US);
        entry64(vm, 0x33000, 1, 0x88000 | P | US);
        entry64(vm, 0x30000, 0, 0x34000 | P | RW | US);
        entry64(vm, 0x34000, 1, 0x40000000L | PS | P | RW);
        json().body(Map.of("cr0", "0x80000011", "cr3", "0x30000", "cr4", "0x20", "efer", "0x500"))
                .put("/vms/" + vm + "/vcpus/0/sregs").then().statusCode(200);
        expect(vm, "0xffff800000201abc", "0x88abc", 1, 0, 1);
        expect(vm, "0x40001234", "0x40001234", 1, 1, 0);
        expect(vm, "0xffff800000401000", null, 0, 0, 0);
        expect(vm, "0x8000000000", null, 0, 0, 0);
    }
}
