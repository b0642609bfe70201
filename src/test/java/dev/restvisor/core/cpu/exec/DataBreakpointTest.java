package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.DescriptorTable;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.io.IoBus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static dev.restvisor.core.cpu.exec.FlatMachine.CODE;
import static dev.restvisor.core.cpu.exec.FlatMachine.CODE_SEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guest's own breakpoints in DR0-DR3 (SDM Vol. 3A 18.2-18.3): data breakpoints (R/W 01 write, 11 read or
 * write; LEN 1, 2, 4, 8) are traps after the instruction, or after the iteration of a repeated string
 * instruction, that touched their range; instruction breakpoints are faults that RF suppresses once. A single step
 * (TF, or the client's) of a repeated string instruction ends after each iteration. The #DB handler records the pushed EIP, the pushed EFLAGS.RF and DR6.B0-B3 of each hit, sets RF in the image and
 * returns.
 */
class DataBreakpointTest {
    private static final long RECORDER = 0x5800, RECORDS = 0x7000;
    private static final int W = 1, RW = 3, LEN1 = 0, LEN2 = 1, LEN8 = 2, LEN4 = 3;

    /** One #DB as the handler saw it. */
    record Hit(long eip, long dr6, boolean rf) {
        @Override
        public String toString() {
            return "eip+" + Long.toHexString(eip - CODE) + ((dr6 & 0xf) != 0 ? " B" + Long.numberOfTrailingZeros(dr6) : "")
                    + ((dr6 & DebugRegisters.DR6_BS) != 0 ? " BS" : "") + (rf ? " RF" : "");
        }
    }

    private static FlatMachine machine() {
        FlatMachine m = new FlatMachine();
        int[] recorder = {
            0x50,                                      // push eax
            0x43,                                      // inc ebx
            0x8B, 0x44, 0x24, 0x0C,                    // mov eax, [esp+12]     pushed EFLAGS
            0x89, 0x04, 0x9D, 0x00, 0x70, 0x00, 0x00,  // mov [ebx*4+0x7000], eax
            0x8B, 0x44, 0x24, 0x04,                    // mov eax, [esp+4]      pushed EIP
            0x89, 0x04, 0x9D, 0x00, 0x72, 0x00, 0x00,  // mov [ebx*4+0x7200], eax
            0x0F, 0x21, 0xF0,                          // mov eax, dr6
            0x89, 0x04, 0x9D, 0x00, 0x71, 0x00, 0x00,  // mov [ebx*4+0x7100], eax
            0x81, 0x4C, 0x24, 0x0C, 0x00, 0x00, 0x01, 0x00, // or dword [esp+12], RF
            0x58,                                      // pop eax
            0xCF};                                     // iret
        for (int i = 0; i < recorder.length; i++) {
            m.ram.write8(RECORDER + i, recorder[i]);
        }
        m.gate(1, CODE_SEL, RECORDER, 0x8e);
        return m;
    }

    /** Arms breakpoint {@code n} at {@code address} with the R/W and LEN fields given (SDM Figure 18-1). */
    private static void breakpoint(FlatMachine m, int n, long address, int rw, int len) {
        m.state.dr[n] = address;
        m.state.dr7 |= (1L << (2 * n)) | ((long) (rw | len << 2) << (16 + 4 * n));
    }

    private static List<Hit> run(FlatMachine m) {
        assertEquals(ExitReason.HLT, m.run().reason);
        List<Hit> hits = new ArrayList<>();
        for (int i = 1; i <= m.state.gpr[3]; i++) {
            hits.add(new Hit(m.ram.read32(RECORDS + 0x200 + 4 * i) & 0xffffffffL, m.ram.read32(RECORDS + 0x100 + 4 * i) & (0xf | DebugRegisters.DR6_BS),
                    (m.ram.read32(RECORDS + 4 * i) & Rflags.RF) != 0));
        }
        return hits;
    }

    @Test
    void loadsAndStoresOfEachLength() {
        FlatMachine m = machine().code(
                0x8B, 0x05, 0x00, 0x60, 0x00, 0x00,        // +0  mov eax, [0x6000]    read: not a write breakpoint
                0x89, 0x05, 0x03, 0x60, 0x00, 0x00,        // +6  mov [0x6003], eax    writes 0x6003: B0
                0x88, 0x05, 0x0A, 0x60, 0x00, 0x00,        // +c  mov [0x600a], al     outside 0x6008-0x6009
                0x66, 0x8B, 0x05, 0x07, 0x60, 0x00, 0x00,  // +12 mov ax, [0x6007]     reads 0x6008: B1
                0x66, 0x89, 0x05, 0x16, 0x60, 0x00, 0x00,  // +19 mov [0x6016], ax     inside 0x6010-0x6017: B2
                0x8B, 0x05, 0x1D, 0x60, 0x00, 0x00,        // +20 mov eax, [0x601d]    reads 0x6020: B3
                0x88, 0x05, 0x21, 0x60, 0x00, 0x00,        // +26 mov [0x6021], al     past the 1-byte range
                0xF4);                                     // +2c hlt
        breakpoint(m, 0, 0x6000, W, LEN4);
        breakpoint(m, 1, 0x6009, RW, LEN2);   // aligned down: 0x6008-0x6009
        breakpoint(m, 2, 0x6010, RW, LEN8);
        breakpoint(m, 3, 0x6020, RW, LEN1);
        assertEquals("[eip+c B0, eip+19 B1, eip+20 B2, eip+26 B3]", run(m).toString());
    }

    /** Reported as exception exits: a #DB handler's frame would lie on the breakpoint's own stack slot. */
    @Test
    void pushAndPop() {
        FlatMachine m = new FlatMachine(GuestFault.DB).code(
                0x50,   // +0 push eax   writes 0x7ffc
                0x59,   // +1 pop ecx    reads 0x7ffc
                0xF4);  // +2 hlt
        breakpoint(m, 1, 0x7ffc, RW, LEN4);
        for (long eip : new long[] {CODE + 1, CODE + 2}) {
            CpuExit e = m.run();
            assertEquals(ExitReason.EXCEPTION, e.reason);
            assertEquals(GuestFault.DB, e.exceptionVector);
            assertEquals(eip, m.state.rip, "a trap: after the access");
            assertEquals(2, m.state.dr6 & 0xf, "DR6.B1");
        }
        assertEquals(ExitReason.HLT, m.run().reason);
    }

    @Test
    void everyIterationOfARepeatedStringInstructionIsChecked() {
        FlatMachine m = machine().code(
                0xBF, 0x00, 0x60, 0x00, 0x00,   // +0  mov edi, 0x6000
                0xB9, 0x08, 0x00, 0x00, 0x00,   // +5  mov ecx, 8
                0xB8, 0x11, 0x11, 0x11, 0x11,   // +a  mov eax, 0x11111111
                0xF3, 0xAB,                     // +f  rep stosd          the 4th of 8 stores hits: RIP stays here
                0xBE, 0x00, 0x60, 0x00, 0x00,   // +11 mov esi, 0x6000
                0xBF, 0x00, 0x61, 0x00, 0x00,   // +16 mov edi, 0x6100
                0xB9, 0x04, 0x00, 0x00, 0x00,   // +1b mov ecx, 4
                0xF3, 0xA5,                     // +20 rep movsd          the last read hits: a trap after it
                0xF4);                          // +22 hlt
        breakpoint(m, 0, 0x600c, W, LEN4);
        breakpoint(m, 2, 0x6100 + 12, W, LEN4);
        assertEquals("[eip+f B0 RF, eip+22 B2]", run(m).toString());
        assertEquals(0, m.state.gpr[1]);
        for (int i = 0; i < 8; i++) {
            assertEquals(0x11111111, m.ram.read32(0x6000 + 4 * i), "element " + i + " stored once the string resumed");
        }
        assertEquals(0x11111111, m.ram.read32(0x610c));
    }

    @Test
    void singleStepTrapsAfterEachIterationOfARepeatedStringInstruction() {
        FlatMachine m = machine().code(
                0xBF, 0x00, 0x60, 0x00, 0x00,               // +0  mov edi, 0x6000
                0xB9, 0x03, 0x00, 0x00, 0x00,               // +5  mov ecx, 3
                0x9C,                                       // +a  pushfd
                0x81, 0x0C, 0x24, 0x00, 0x01, 0x00, 0x00,   // +b  or dword [esp], TF
                0x9D,                                       // +12 popfd            TF from the next instruction on
                0xF3, 0xAA,                                 // +13 rep stosb        a trap after each of 3 iterations
                0x9C,                                       // +15 pushfd
                0x81, 0x24, 0x24, 0xFF, 0xFE, 0xFF, 0xFF,   // +16 and dword [esp], ~TF
                0x9D,                                       // +1d popfd            still traced: TF was set at its start
                0xF4);                                      // +1e hlt
        m.state.rflags &= ~Rflags.RF;
        assertEquals("[eip+13 BS RF, eip+13 BS RF, eip+15 BS, eip+16 BS, eip+1d BS, eip+1e BS]", run(m).toString());
        assertEquals(0x6003, m.state.gpr[7]);
    }

    @Test
    void clientSingleStepWalksARepeatedStringInstructionOneIterationAtATime() {
        FlatMachine m = machine().code(
                0xBF, 0x00, 0x60, 0x00, 0x00,   // +0 mov edi, 0x6000
                0xB9, 0x03, 0x00, 0x00, 0x00,   // +5 mov ecx, 3
                0xF3, 0xAA,                     // +a rep stosb
                0xF4);                          // +c hlt
        m.cpu = new Cpu(m.state, m.memory, new IoBus(), new CpuConfig(() -> 0, false, 0));
        m.cpu.setDebug(true, true, null);
        List<String> stops = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            CpuExit e = m.cpu.run(10_000);
            assertEquals(ExitReason.DEBUG, e.reason);
            stops.add("+" + Long.toHexString(e.debugPc - CODE) + " ecx=" + m.state.gpr[1]);
        }
        assertEquals(List.of("+5 ecx=0", "+a ecx=3", "+a ecx=2", "+a ecx=1", "+c ecx=0"), stops);
    }

    @Test
    void instructionBreakpointIsAFaultThatRfSuppressesOnce() {
        FlatMachine m = machine().code(
                0x90,               // +0 nop
                0x90,               // +1 nop          instruction breakpoint
                0x41,               // +2 inc ecx
                0x83, 0xF9, 0x02,   // +3 cmp ecx, 2
                0x75, 0xF9,         // +6 jne +1       once more through the breakpoint
                0xF4);              // +8 hlt
        breakpoint(m, 0, CODE + 1, 0, 0);
        assertEquals("[eip+1 B0, eip+1 B0]", run(m).toString(), "reported before each execution, not again after IRET with RF");
    }

    @Test
    void stringInstructionResumedAfterADataBreakpointIsNotReportedAgainByItsInstructionBreakpoint() {
        FlatMachine m = machine().code(
                0xBF, 0x00, 0x60, 0x00, 0x00,   // +0 mov edi, 0x6000
                0xB9, 0x08, 0x00, 0x00, 0x00,   // +5 mov ecx, 8
                0xF3, 0xAB,                     // +a rep stosd   instruction breakpoint, and a data breakpoint
                0xF4);                          // +c hlt
        breakpoint(m, 0, CODE + 0xa, 0, 0);
        breakpoint(m, 1, 0x6008, W, LEN4);
        m.state.rflags &= ~Rflags.RF;
        assertEquals("[eip+a B0, eip+a B1 RF]", run(m).toString());
        assertEquals(0x6020, m.state.gpr[7]);
    }

    /**
     * A single-step trap whose delivery needs an MMIO answer (the IDT lies outside RAM) stays pending across the
     * exit: the next run delivers it before anything else, and the stepped instruction does not run twice.
     */
    @Test
    void singleStepTrapWaitsForItsIdtReadAnswer() {
        FlatMachine m = new FlatMachine();
        long idt = 0x500000;
        m.state.idt = new DescriptorTable(idt, 32 * 8 - 1);
        // inc ecx (stepped), then inc ecx again: the trap comes between them
        m.code(0x41, 0x41, 0xF4);
        m.state.rflags |= Rflags.TF;
        long gate = (FlatMachine.handler(1) & 0xffff) | ((long) CODE_SEL << 16) | (0x8eL << 40)
                | ((FlatMachine.handler(1) & 0xffff0000L) << 32);
        CpuExit e = m.run();
        int answered = 0;
        while (e.reason == ExitReason.MMIO && !e.mmioWrite) {
            long offset = e.mmioPhysAddr - (idt + 8);
            byte[] data = new byte[e.mmioLen];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (gate >>> (8 * (offset + i)));
            }
            m.cpu.completeMmioRead(data);
            answered++;
            e = m.run();
        }
        assertEquals(ExitReason.HLT, e.reason);
        assertTrue(answered > 0, "the gate was read through MMIO exits");
        // the handler for vector 1 ran once, on the trap after the first INC only
        assertEquals("[1]", java.util.Arrays.toString(m.marks.toByteArray()));
        assertEquals(1, m.state.gpr[1]);
        assertEquals(CODE + 1, m.stack(0));
        assertEquals(DebugRegisters.DR6_BS, m.state.dr6 & DebugRegisters.DR6_BS);
    }
}
