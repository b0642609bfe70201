package dev.restvisor.service.api;

import static dev.restvisor.service.api.RealModeGuestTest.realSegment;
import static dev.restvisor.service.api.RealModeGuestTest.reg;
import static dev.restvisor.service.api.RealModeGuestTest.run;
import static dev.restvisor.service.api.RealModeGuestTest.vcpu;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * exception_exits and a fault during event delivery (SDM Vol. 3A 6.15, Table 6-5): the exception that results,
 * a double fault here, is reported as KVM_EXIT_EXCEPTION with the faulting instruction's state when the
 * definition lists its vector, and is delivered (here: escalates to a triple fault) when it does not.
 */
class ExceptionExitTest extends ApiTest {
    /** lidt [0x2100] (limit 0: every vector lies outside the IVT); int3: #GP delivering #BP, #DF delivering #GP. */
    private static final byte[] CODE = {0x0F, 0x01, 0x1E, 0x00, 0x21, (byte) 0xCC};

    private static String vm(List<Integer> exceptionExits) {
        String vm = createVm(Map.of("name", "df", "vcpus", 1, "exception_exits", exceptionExits, "memory_regions",
                List.of(Map.of("slot", 0, "guest_phys_addr", "0x0", "memory_size", "0x80000"))));
        writeMemory(vm, 0x1000, CODE);
        Map<String, Object> seg = realSegment(0, 3);
        json().body(Map.of("cs", realSegment(0, 11), "ds", seg, "es", seg, "ss", seg)).put(vcpu(vm) + "/sregs").then().statusCode(200);
        json().body(Map.of("rip", "0x1000", "rsp", "0x8000")).put(vcpu(vm) + "/regs").then().statusCode(200);
        return vm;
    }

    @Test
    void doubleFaultDuringDeliveryIsReportedWhenListed() {
        String vm = vm(List.of(8));
        JsonPath r = run(vm);
        assertEquals("KVM_EXIT_EXCEPTION", r.getString("exit_reason"));
        assertEquals(8, r.getInt("ex.exception"));
        assertEquals(0, r.getInt("ex.error_code"));
        assertEquals("0x1005", reg(vm, "rip"), "RIP on the INT3");
        assertEquals("0x8000", reg(vm, "rsp"), "nothing pushed");
    }

    @Test
    void generalProtectionDuringDeliveryIsReportedWhenListed() {
        String vm = vm(List.of(13));
        JsonPath r = run(vm);
        assertEquals("KVM_EXIT_EXCEPTION", r.getString("exit_reason"));
        assertEquals(13, r.getInt("ex.exception"));
        assertEquals(3 * 8 + 2, r.getInt("ex.error_code"), "the IVT entry of vector 3, IDT bit set");
    }

    @Test
    void unlistedDoubleFaultEscalatesToShutdown() {
        assertEquals("KVM_EXIT_SHUTDOWN", run(vm(List.of())).getString("exit_reason"));
    }
}
