package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.DescriptorTable;
import dev.restvisor.core.cpu.state.Rflags;
import org.junit.jupiter.api.Test;

import static dev.restvisor.core.cpu.exec.FlatMachine.CODE;
import static dev.restvisor.core.cpu.exec.FlatMachine.CODE_SEL;
import static dev.restvisor.core.cpu.exec.FlatMachine.HOLE;
import static dev.restvisor.core.cpu.exec.FlatMachine.handler;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A fault while an exception is being delivered, class by class of SDM Vol. 3A 6.15 Table 6-5: benign first
 * events let the second fault be delivered serially, contributory + contributory and #PF + (#PF or contributory)
 * give #DF, contributory + #PF delivers the #PF, and a fault while delivering #DF shuts the vcpu down. Where the
 * VM asks for exception exits, the exception that results is reported with the faulting instruction's state.
 */
class DoubleFaultTest {
    /** Not present, otherwise a 32-bit interrupt gate. */
    private static final int ABSENT = 0x0e;

    /** mov ax, 0x1238; mov ds, ax: #GP(0x1238), the selector is beyond the GDT limit. Faults at CODE + 4. */
    private static FlatMachine generalProtection(FlatMachine m) {
        return m.code(0x66, 0xB8, 0x38, 0x12, 0x8E, 0xD8);
    }

    /** mov eax, [HOLE]: #PF(0) at CODE, with paging on. */
    private static FlatMachine pageFault(FlatMachine m) {
        return m.paging().code(0xA1, (int) HOLE & 0xff, (int) (HOLE >> 8) & 0xff, 0, 0);
    }

    private static void assertDelivered(FlatMachine m, int vector, long errorCode) {
        assertEquals(ExitReason.HLT, m.run().reason);
        assertArrayEquals(new byte[] {(byte) vector}, m.marks.toByteArray(), "the handler that ran");
        assertEquals(errorCode, m.stack(0), "the error code pushed");
    }

    @Test
    void contributoryDuringContributoryIsDoubleFault() {
        FlatMachine m = generalProtection(new FlatMachine());
        m.gate(13, CODE_SEL, handler(13), ABSENT); // #GP -> #NP(gate 13) -> #DF
        assertDelivered(m, 8, 0);
    }

    @Test
    void pageFaultDuringPageFaultIsDoubleFault() {
        FlatMachine m = pageFault(new FlatMachine());
        // the IDT is moved so that gate 14 lies in the not-present page and gate 8 just below it
        m.state.idt = new DescriptorTable(HOLE - 14 * 8, 32 * 8 - 1);
        m.ram.write64(HOLE - 6 * 8, m.ram.read64(FlatMachine.IDT + 8 * 8));
        assertDelivered(m, 8, 0);
        assertEquals(HOLE, m.state.cr2);
    }

    @Test
    void contributoryDuringPageFaultIsDoubleFault() {
        FlatMachine m = pageFault(new FlatMachine());
        m.gate(14, CODE_SEL, handler(14), ABSENT);
        assertDelivered(m, 8, 0);
    }

    @Test
    void pageFaultDuringContributoryIsDeliveredSerially() {
        FlatMachine m = generalProtection(new FlatMachine()).paging();
        // the #GP gate's code selector 0x100 has its descriptor at GDT + 0x100, in the not-present page
        m.gate(13, 0x100, handler(13), 0x8e);
        assertDelivered(m, 14, 0);
        assertEquals(HOLE, m.state.cr2);
    }

    @Test
    void anyFaultDuringABenignExceptionIsDeliveredSerially() {
        FlatMachine m = new FlatMachine().code(0x0F, 0x0B); // ud2
        m.gate(6, CODE_SEL, handler(6), ABSENT);
        assertDelivered(m, 11, 6 * 8 + 2 + 1); // #NP: IDT, external event
    }

    @Test
    void faultDeliveringIntNIsAFaultOfThatInstruction() {
        FlatMachine m = new FlatMachine().code(0x90, 0xCD, 0x1F); // nop; int 0x1f
        m.gate(0x1f, CODE_SEL, handler(0x1f), ABSENT);
        assertDelivered(m, 11, 0x1f * 8 + 2); // #NP: IDT, not external
        assertEquals(CODE + 1, m.stack(4), "the pushed EIP is the INT instruction's");
    }

    @Test
    void faultDuringDoubleFaultIsTripleFault() {
        FlatMachine m = generalProtection(new FlatMachine());
        m.gate(13, CODE_SEL, handler(13), ABSENT);
        m.gate(8, CODE_SEL, handler(8), ABSENT);
        assertEquals(ExitReason.SHUTDOWN, m.run().reason);
        assertEquals(0, m.marks.size());
    }

    @Test
    void doubleFaultFromDeliveryIsAnExceptionExitWhenAsked() {
        FlatMachine m = generalProtection(new FlatMachine(8));
        m.gate(13, CODE_SEL, handler(13), ABSENT);
        CpuExit e = m.run();
        assertEquals(ExitReason.EXCEPTION, e.reason);
        assertEquals(8, e.exceptionVector);
        assertEquals(0, e.exceptionErrorCode);
        assertEquals(CODE + 4, m.state.rip, "RIP on the faulting instruction");
        assertEquals(FlatMachine.STACK, m.state.gpr[4], "nothing pushed");
        assertEquals(0, m.marks.size());
    }

    @Test
    void seriallyDeliveredFaultIsAnExceptionExitWhenAsked() {
        FlatMachine m = new FlatMachine(11).code(0x0F, 0x0B);
        m.gate(6, CODE_SEL, handler(6), ABSENT);
        CpuExit e = m.run();
        assertEquals(ExitReason.EXCEPTION, e.reason);
        assertEquals(11, e.exceptionVector);
        assertEquals(6 * 8 + 3, e.exceptionErrorCode);
        assertEquals(CODE, m.state.rip);
    }

    @Test
    void singleStepTrapIsAnExceptionExitWhenAsked() {
        FlatMachine m = new FlatMachine(1).code(0x90, 0x90); // nop; nop
        m.state.rflags |= Rflags.TF;
        CpuExit e = m.run();
        assertEquals(ExitReason.EXCEPTION, e.reason);
        assertEquals(1, e.exceptionVector);
        assertEquals(CODE + 1, m.state.rip, "a trap: after the instruction");
    }

    @Test
    void faultDuringExternalInterruptDeliveryIsDeliveredSerially() {
        FlatMachine m = new FlatMachine().code(0x90, 0xF4); // nop; hlt
        m.state.rflags |= Rflags.IF;
        m.state.queueInterrupt(0x20);
        assertEquals(ExitReason.HLT, m.run().reason);
        assertArrayEquals(new byte[] {13}, m.marks.toByteArray(), "vector 0x20 is beyond the IDT limit: #GP");
        assertEquals(0x20 * 8 + 2 + 1, m.stack(0));
    }
}
