package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.CpuidModel;
import dev.restvisor.core.cpu.state.Msrs;
import dev.restvisor.core.cpu.state.SegmentRegister;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemoryQuota;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MSR index list, host MSR access (KVM_GET/SET_MSRS) and the built-in CPUID model. */
class MsrCpuidTest {
    private final CpuState state = new CpuState();
    private final long[] now = {1000};
    private final Cpu cpu = new Cpu(state, new GuestMemory(MemoryQuota.UNLIMITED), new IoBus(),
            new CpuConfig(() -> now[0], false, 0));

    @Test
    void indexListIsSortedAndEveryIndexReadsBack() {
        int[] list = Cpu.msrIndexList();
        int[] sorted = Arrays.stream(list).boxed().sorted(Integer::compareUnsigned).mapToInt(i -> i).toArray();
        assertArrayEquals(sorted, list);
        assertEquals(22 + 16 + 8, list.length);
        for (int index : list) {
            assertTrue(cpu.readMsr(index).isPresent(), Integer.toHexString(index));
        }
        assertFalse(cpu.readMsr(0x12345).isPresent());
        assertFalse(cpu.writeMsr(0x12345, 0));
    }

    private static void assertArrayEquals(int[] a, int[] b) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b);
    }

    @Test
    void writesReadBackAndInvalidValuesAreRefused() {
        assertTrue(cpu.writeMsr(Msrs.IA32_LSTAR, 0xffffffff81000000L));
        assertEquals(0xffffffff81000000L, cpu.readMsr(Msrs.IA32_LSTAR).getAsLong());
        assertFalse(cpu.writeMsr(Msrs.IA32_LSTAR, 0x0000800000000000L), "non-canonical");
        assertTrue(cpu.writeMsr(Msrs.IA32_MTRR_PHYSBASE0 + 3, 0xfc000800L));
        assertEquals(0xfc000800L, cpu.readMsr(Msrs.IA32_MTRR_PHYSBASE0 + 3).getAsLong());
        assertFalse(cpu.writeMsr(Msrs.IA32_PAT, 0x0202020202020202L), "memory type 2 is reserved");
        assertTrue(cpu.writeMsr(Msrs.IA32_GS_BASE, 0x1234000));
        assertEquals(0x1234000, state.seg[SegmentRegister.GS].base());
        long efer = ControlRegisters.EFER_LME | ControlRegisters.EFER_LMA | ControlRegisters.EFER_SCE;
        assertTrue(cpu.writeMsr(Msrs.IA32_EFER, efer));
        assertEquals(efer, state.efer);
        assertFalse(cpu.writeMsr(Msrs.IA32_EFER, 1L << 20));
        // Linux's early_init_intel writes 0 and reads the microcode revision back (none loaded: 0)
        assertTrue(cpu.writeMsr(Msrs.IA32_BIOS_SIGN_ID, 0));
        assertEquals(0, cpu.readMsr(Msrs.IA32_BIOS_SIGN_ID).getAsLong());
    }

    @Test
    void tscFollowsTheClockAndKeepsWrites() {
        assertEquals(1000, cpu.readMsr(Msrs.IA32_TSC).getAsLong());
        assertTrue(cpu.writeMsr(Msrs.IA32_TSC, 5000));
        now[0] = 1500;
        assertEquals(5500, cpu.readMsr(Msrs.IA32_TSC).getAsLong());
    }

    @Test
    void cpuidModelClaimsTheImplementedFeatures() {
        CpuidModel m = state.cpuid;
        CpuidModel.Entry vendor = m.lookup(0, 0);
        byte[] name = new byte[12];
        for (int i = 0; i < 4; i++) {
            name[i] = (byte) (vendor.ebx() >>> (8 * i));
            name[4 + i] = (byte) (vendor.edx() >>> (8 * i));
            name[8 + i] = (byte) (vendor.ecx() >>> (8 * i));
        }
        assertEquals("GenuineIntel", new String(name));
        int edx1 = m.lookup(1, 0).edx();
        assertTrue((edx1 & CpuidModel.EDX1_SSE2) != 0);
        assertEquals(CpuidModel.EDX1_FPU, edx1 & CpuidModel.EDX1_FPU, "the x87 FPU is implemented");
        assertTrue((m.lookup(0x80000001, 0).edx() & CpuidModel.EDX81_LM) != 0);
        assertEquals(m.lookup(7, 0), m.lookup(0x40, 0), "beyond the last basic leaf: the last basic leaf");
        assertEquals(52, m.lookup(0x80000008, 0).eax() & 0xff);
    }
}
