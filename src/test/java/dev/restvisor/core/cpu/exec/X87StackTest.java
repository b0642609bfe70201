package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Disassembler;
import dev.restvisor.core.cpu.fpu.X87Math;
import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.FpuState;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemorySlot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The x87 register stack, tags, exception responses, #MF and the instruction/operand pointers, on small
 * instruction sequences in 64-bit mode (SDM Vol. 1 8.1, 8.5, 8.6). X87DifferentialTest covers the arithmetic
 * against the host; these hold where no host is available.
 */
class X87StackTest {
    private static final long CODE = 0x10000;
    private static final long DATA = 0x20000;
    private final LongModeMachine machine = new LongModeMachine(GuestFault.UD, GuestFault.GP, GuestFault.MF,
            GuestFault.NM);
    private final GuestMemory memory = machine.memory;
    private final MemorySlot ram = machine.ram;
    private final CpuState s = machine.s;
    private final FpuState f = s.fpu;
    private final Cpu cpu = machine.cpu;
    private long next;

    @BeforeEach
    void setUp() {
        machine.enterLongMode(ControlRegisters.CR0_NE | ControlRegisters.CR0_MP, ControlRegisters.CR4_OSFXSR);
        s.gpr[3] = DATA;
        s.rip = CODE;
        next = CODE;
        cpu.stateChanged();
        run("db e3"); // FNINIT
    }

    /** Places the instruction at the next code address and runs it; returns the exit. */
    private CpuExit run(String hex) {
        String[] p = hex.trim().split("\\s+");
        byte[] b = new byte[p.length];
        for (int i = 0; i < p.length; i++) {
            b[i] = (byte) Integer.parseInt(p[i], 16);
        }
        CpuExit exit = machine.step(next, b);
        next += b.length;
        return exit;
    }

    private int top() {
        return f.fsw >>> 11 & 7;
    }

    private int tag(int st) {
        return f.ftw >>> (2 * ((top() + st) & 7)) & 3;
    }

    private long mantissa(int st) {
        return f.stMantissa[(top() + st) & 7];
    }

    private int exponent(int st) {
        return f.stExponent[(top() + st) & 7];
    }

    @Test
    void pushesTagByClassAndPopsToEmpty() {
        run("d9 e8"); // FLD1
        run("d9 ee"); // FLDZ
        assertEquals(6, top());
        assertEquals(1, tag(0), "zero");
        assertEquals(0, tag(1), "valid");
        ram.write64(DATA, 0x7ff0000000000000L);
        run("dd 03"); // FLD m64 +inf
        assertEquals(2, tag(0), "special");
        run("dd d8"); // FSTP ST(0)
        assertEquals(6, top());
        assertEquals(0x1fff, f.ftw, "physical 7 valid (00), 6 zero (01), the rest empty");
    }

    @Test
    void maskedStackOverflowPushesTheIndefiniteWithC1() {
        for (int i = 0; i < 8; i++) {
            run("d9 e8");
        }
        assertEquals(0, f.fsw & 0x7f);
        run("d9 e8"); // the ninth push
        assertEquals(X87Math.IE | X87Math.SF, f.fsw & 0x7f);
        assertEquals(0x200, f.fsw & 0x200, "C1 = 1: overflow");
        assertEquals(0xffff, exponent(0));
        assertEquals(0xc000000000000000L, mantissa(0));
        assertEquals(0, f.fsw & 0x80, "masked: no ES");
    }

    @Test
    void maskedStackUnderflowWritesTheIndefiniteWithC1Clear() {
        run("d8 c1"); // FADD ST(0), ST(1) on an empty stack
        assertEquals(X87Math.IE | X87Math.SF, f.fsw & 0x7f);
        assertEquals(0, f.fsw & 0x200, "C1 = 0: underflow");
        assertEquals(2, tag(0));
        assertEquals(0xffff, exponent(0));
    }

    @Test
    void unmaskedStackOverflowLeavesTheStackAndRaisesMfAtTheNextWaitingInstruction() {
        ram.write16(DATA, 0x37e); // IM clear
        run("d9 2b"); // FLDCW [rbx]
        for (int i = 0; i < 8; i++) {
            run("d9 e8");
        }
        long before = mantissa(0);
        run("d9 ee"); // FLDZ: overflow, unmasked
        assertEquals(0, top(), "no push");
        assertEquals(before, mantissa(0));
        assertEquals(0x80c1 | 0x200, f.fsw & 0x82ff, "B, ES, SF, IE and C1");
        CpuExit e = run("df e0"); // FNSTSW AX does not wait
        assertNotEquals(ExitReason.EXCEPTION, e.reason);
        assertEquals(f.fsw, s.gpr[0] & 0xffff);
        e = run("9b"); // FWAIT
        assertEquals(ExitReason.EXCEPTION, e.reason);
        assertEquals(GuestFault.MF, e.exceptionVector);
        e = run("d8 c1"); // any waiting x87 instruction
        assertEquals(GuestFault.MF, e.exceptionVector);
        run("db e2"); // FNCLEX
        assertEquals(0, f.fsw & 0x80ff);
        e = run("9b");
        assertNotEquals(ExitReason.EXCEPTION, e.reason);
    }

    @Test
    void unmaskedDivideByZeroKeepsTheOperandsAndSetsTheSummary() {
        ram.write16(DATA, 0x37b); // ZM clear
        run("d9 2b");
        run("d9 e8"); // 1
        run("d9 ee"); // 0
        run("d8 f9"); // FDIVR: ST0 = ST1 / ST0 = 1/0
        assertEquals(1, tag(0), "ST0 still zero");
        assertEquals(X87Math.ZE | 0x80, f.fsw & 0xff);
        assertEquals(0x8000, f.fsw & 0x8000);
        ram.write16(DATA, 0x37f);
        CpuExit e = run("d9 2b"); // FLDCW waits: #MF first
        assertEquals(GuestFault.MF, e.exceptionVector);
    }

    @Test
    void fldcwUnmaskingAPendingFlagSetsTheSummary() {
        run("d9 e8");
        run("d9 ee");
        run("d8 f9"); // masked 1/0: ZE flag only
        assertEquals(X87Math.ZE, f.fsw & 0xff);
        assertEquals(0x7fff, exponent(0) & 0x7fff, "infinity");
        ram.write16(DATA, 0x37b);
        run("d9 2b");
        assertEquals(0x8080, f.fsw & 0x8080);
    }

    @Test
    void pointersAndOpcodeOfTheLastNonControlInstruction() {
        ram.write32(DATA, 0x3f800000); // 1.0f
        run("d9 03"); // FLD DWORD PTR [rbx] at CODE + 2 (after FNINIT)
        assertEquals(CODE + 2, f.fip);
        assertEquals(DATA, f.fdp);
        assertEquals(0x103, f.fop);
        run("d9 3b"); // FNSTCW: a control instruction leaves them
        assertEquals(CODE + 2, f.fip);
        assertEquals(0x103, f.fop);
        run("d8 c0"); // FADD ST(0), ST(0): register form keeps FDP
        assertEquals(CODE + 6, f.fip);
        assertEquals(0x0c0, f.fop);
        assertEquals(DATA, f.fdp);
        assertEquals(0x4000, exponent(0));
    }

    @Test
    void storesRoundAndPopOrLeaveTheStackOnAnUnmaskedException() {
        ram.write64(DATA, 0x3fd5555555555555L); // 1/3 as a double
        run("dd 03");
        run("d9 1b"); // FSTP DWORD PTR [rbx]
        assertEquals(0x3eaaaaab, ram.read32(DATA), "1/3 rounded to nearest single");
        assertEquals(X87Math.PE, f.fsw & 0x3f);
        assertEquals(0x200, f.fsw & 0x200, "rounded up");
        assertEquals(0, top(), "popped");
        ram.write16(DATA + 8, 0x377); // OM clear
        run("d9 6b 08");
        ram.write64(DATA, 0x7fefffffffffffffL); // DBL_MAX
        run("dd 03");
        ram.write32(DATA, 0x12345678);
        run("d9 1b"); // FSTP to single overflows, unmasked: no store, no pop
        assertEquals(0x12345678, ram.read32(DATA));
        assertEquals(7, top());
        assertEquals(X87Math.OE, f.fsw & X87Math.OE);
    }

    @Test
    void fcomiSetsZfPfCfAndFucomiIsQuietOnQNaN() {
        run("d9 e8"); // 1
        run("d9 ee"); // 0 = ST0, 1 = ST1
        run("db f1"); // FCOMI ST0, ST1: 0 < 1 -> CF
        assertEquals(1, s.rflags & 0x45);
        ram.write64(DATA, 0x7ff8000000000000L);
        run("dd 03"); // QNaN
        run("db e9"); // FUCOMI ST0, ST1: unordered, quiet
        assertEquals(0x45, s.rflags & 0x45);
        assertEquals(0, f.fsw & X87Math.IE);
        run("db f1"); // FCOMI: unordered, IE
        assertEquals(X87Math.IE, f.fsw & X87Math.IE);
    }

    @Test
    void fxsaveStoresTheAbridgedTagsAndFxrstorReclassifies() {
        run("d9 e8");
        run("d9 ee");
        run("0f ae 03"); // FXSAVE [rbx]
        assertEquals(0xc0, ram.read8(DATA + 4), "physical 6 and 7 in use");
        run("db e3");
        run("0f ae 0b"); // FXRSTOR [rbx]
        assertEquals(0x1fff, f.ftw, "physical 7 valid (00), 6 zero (01), recomputed from the contents");
    }

    @Test
    void disassemblesTheX87Forms() {
        String[][] cases = {{"d8 c1", "fadd st,st(1)"}, {"dc e9", "fsub st(1),st"}, {"de f9", "fdivp st(1),st"},
            {"dd 03", "fld QWORD PTR [rbx]"}, {"df e0", "fnstsw ax"}, {"d9 ee", "fldz"}, {"da 03", "fiadd DWORD PTR [rbx]"},
            {"db 2b", "fld TBYTE PTR [rbx]"}, {"df 33", "fbstp TBYTE PTR [rbx]"}, {"db f1", "fcomi st,st(1)"},
            {"da c9", "fcmove st,st(1)"}, {"d9 33", "fnstenv [rbx]"}, {"d9 fe", "fsin"}, {"de d9", "fcompp"},
            {"d9 d1", "(bad)"}};
        for (String[] c : cases) {
            String[] p = c[0].split(" ");
            byte[] b = new byte[16];
            for (int i = 0; i < p.length; i++) {
                b[i] = (byte) Integer.parseInt(p[i], 16);
            }
            assertEquals(c[1], Disassembler.disassemble(o -> b[(int) o] & 0xff, 0, 64, new DecodedInstruction()), c[0]);
        }
    }
}
