package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.Segment;
import org.junit.jupiter.api.Test;

import static dev.restvisor.core.cpu.exec.FlatMachine.CODE;
import static dev.restvisor.core.cpu.exec.FlatMachine.GDT;
import static dev.restvisor.core.cpu.exec.FlatMachine.STACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The 16-bit system structures of the 80286 that 32-bit protected mode keeps (SDM Vol. 3A 7.6 and 6.12): a task
 * switch into a 16-bit TSS (Figure 7-11) and back by IRET, an interrupt through a 16-bit interrupt gate and a far
 * call through a 16-bit call gate, both with 16-bit frames; and CR4.VME/PVI, which CPUID does not claim, so
 * setting them is #GP(0) as on a processor without virtual-8086 mode extensions.
 */
class LegacyTaskAndGateTest {
    private static final int TSS32_SEL = 0x18, TSS16_SEL = 0x20, CODE16_SEL = 0x28, DATA16_SEL = 0x30, CALL_GATE16_SEL = 0x38;
    private static final long TSS32 = 0x6000, TSS16 = 0x6100, OUT = 0x6800;

    private static FlatMachine machine() {
        FlatMachine m = new FlatMachine();
        m.ram.write64(GDT + TSS32_SEL, 0x00008B0000000067L | TSS32 << 16);  // busy 32-bit TSS: the current task
        m.ram.write64(GDT + TSS16_SEL, 0x000081000000002bL | TSS16 << 16);  // available 16-bit TSS
        m.ram.write64(GDT + CODE16_SEL, 0x00009A000000FFFFL);
        m.ram.write64(GDT + DATA16_SEL, 0x000092000000FFFFL);
        m.state.tr = new Segment(TSS32_SEL, TSS32, 0x67, 11, 1, 0, 0, 0, 0, 0, 0, 0);
        return m;
    }

    private static void code(FlatMachine m, long at, int... bytes) {
        for (int i = 0; i < bytes.length; i++) {
            m.ram.write8(at + i, bytes[i]);
        }
    }

    @Test
    void callIntoA16BitTaskAndIretBack() {
        FlatMachine m = machine().code(
                0x9A, 0x00, 0x00, 0x00, 0x00, TSS16_SEL, 0x00,   // call far 0x20:0     task switch (CALL)
                0xF4);                                           // hlt
        int[] tss = new int[22];
        tss[7] = 0x4100;      // IP
        tss[8] = 0x0002;      // FLAGS
        tss[9] = 0x1234;      // AX
        tss[13] = 0x7000;     // SP
        tss[17] = DATA16_SEL; // ES
        tss[18] = CODE16_SEL; // CS
        tss[19] = DATA16_SEL; // SS
        tss[20] = DATA16_SEL; // DS
        for (int i = 0; i < tss.length; i++) {
            m.ram.write16(TSS16 + 2L * i, tss[i]);
        }
        code(m, 0x4100,
                0xA3, 0x00, 0x68,         // mov [0x6800], ax
                0x9C,                     // pushf
                0x8F, 0x06, 0x02, 0x68,   // pop word [0x6802]
                0xCF);                    // iret                 NT = 1: back to the 32-bit task
        assertEquals(ExitReason.HLT, m.run().reason);
        assertEquals(CODE + 8, m.state.rip);
        assertEquals(0x1234, m.ram.read16(OUT), "AX loaded from the 16-bit TSS");
        assertEquals(0x4002, m.ram.read16(OUT + 2), "the 16-bit task runs with NT set");
        assertEquals(TSS32_SEL, m.ram.read16(TSS16), "the back link");
        assertEquals(0x4109, m.ram.read16(TSS16 + 14), "IP saved in the 16-bit TSS by the IRET");
        assertEquals(0x7000, m.ram.read16(TSS16 + 26), "SP saved");
        assertEquals(0x81, m.ram.read8(GDT + TSS16_SEL + 5), "IRET leaves the 16-bit TSS not busy");
        assertEquals(TSS32_SEL, m.state.tr.selector());
        assertNotEquals(0, m.state.cr0 & ControlRegisters.CR0_TS);
    }

    @Test
    void sixteenBitInterruptGatePushesA16BitFrame() {
        FlatMachine m = machine().code(0xCD, 0x40, 0xF4); // int 0x40; hlt
        m.state.idt = new dev.restvisor.core.cpu.state.DescriptorTable(FlatMachine.IDT, 0x41 * 8 - 1);
        m.gate(0x40, FlatMachine.CODE_SEL, 0x4200, 0x86);
        code(m, 0x4200,
                0x8B, 0x04, 0x24,                     // mov eax, [esp]       IP and CS
                0xA3, 0x00, 0x68, 0x00, 0x00,         // mov [0x6800], eax
                0x66, 0x8B, 0x44, 0x24, 0x04,         // mov ax, [esp+4]      FLAGS
                0x66, 0xA3, 0x04, 0x68, 0x00, 0x00,   // mov [0x6804], ax
                0x66, 0xCF);                          // iretw
        assertEquals(ExitReason.HLT, m.run().reason);
        assertEquals(CODE + 3, m.state.rip);
        assertEquals(STACK, m.state.gpr[4], "the 6-byte frame is popped by IRETW");
        assertEquals((FlatMachine.CODE_SEL << 16) | (CODE + 2), m.ram.read32(OUT));
        assertEquals(0x0002, m.ram.read16(OUT + 4));
    }

    @Test
    void sixteenBitCallGatePushesA16BitReturnAddress() {
        FlatMachine m = machine().code(
                0x9A, 0x00, 0x00, 0x00, 0x00, CALL_GATE16_SEL, 0x00,   // call far 0x38:0  through the call gate
                0xF4);                                                 // hlt
        m.ram.write64(GDT + CALL_GATE16_SEL, 0x0000840000000000L | FlatMachine.CODE_SEL << 16 | 0x4300);
        code(m, 0x4300,
                0x8B, 0x04, 0x24,                 // mov eax, [esp]
                0xA3, 0x00, 0x68, 0x00, 0x00,     // mov [0x6800], eax
                0x66, 0xCB);                      // retf (16-bit)
        assertEquals(ExitReason.HLT, m.run().reason);
        assertEquals(CODE + 8, m.state.rip);
        assertEquals(STACK, m.state.gpr[4]);
        assertEquals((FlatMachine.CODE_SEL << 16) | (CODE + 7), m.ram.read32(OUT), "IP and CS, a word each");
    }

    @Test
    void virtual8086ModeExtensionsAreNotClaimedAndTheirCr4BitsAreReserved() {
        for (int bit : new int[] {(int) ControlRegisters.CR4_VME, (int) ControlRegisters.CR4_PVI}) {
            FlatMachine m = new FlatMachine(GuestFault.GP).code(
                    0xB8, 0x01, 0x00, 0x00, 0x00,   // +0 mov eax, 1
                    0x0F, 0xA2,                     // +5 cpuid
                    0x89, 0xD6,                     // +7 mov esi, edx
                    0xB8, bit, 0x00, 0x00, 0x00,    // +9 mov eax, VME or PVI
                    0x0F, 0x22, 0xE0);              // +e mov cr4, eax
            CpuExit e = m.run();
            assertEquals(0, m.state.gpr[6] & 2, "CPUID.01H:EDX.VME");
            assertEquals(ExitReason.EXCEPTION, e.reason);
            assertEquals(GuestFault.GP, e.exceptionVector);
            assertEquals(0, e.exceptionErrorCode);
            assertEquals(CODE + 0xe, m.state.rip);
            assertEquals(0, m.state.cr4);
        }
    }
}
