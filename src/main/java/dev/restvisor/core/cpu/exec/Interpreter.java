package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Decoder;
import dev.restvisor.core.cpu.fpu.SseMath;
import dev.restvisor.core.cpu.fpu.X87Unit;
import dev.restvisor.core.cpu.mmu.Mmu;
import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.io.MmioDevice;
import dev.restvisor.core.io.PortIoDevice;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemorySlot;

import static dev.restvisor.core.cpu.decode.DecodedInstruction.AH;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_FAR;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_IMM;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_MEM;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_ONE;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_REG;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_REL;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_SREG;

/**
 * The execution context of one vcpu: registers, lazy flags, the memory access path (effective address
 * to linear to physical to slot, MMIO device or MMIO exit), port I/O, and the per-instruction step.
 * Executors are static functions over this object, grouped by family. Not thread-safe.
 */
public final class Interpreter implements Decoder.ByteSource {
    public final CpuState state;
    public final GuestMemory memory;
    public final IoBus io;
    public final CpuConfig config;
    public final LazyFlags flags = new LazyFlags();
    public final CpuExit exit = new CpuExit();
    public final Mmu mmu;
    /** The x87 register stack and arithmetic of this vcpu (no per-instruction allocation). */
    public final X87Unit x87;
    /** The MXCSR arithmetic and operand buffers of this vcpu's SSE instructions (no per-instruction allocation). */
    final SseMath sse = new SseMath();

    /** RIP after the current instruction; branches overwrite it. */
    public long nextRip;
    /** Effective address (segment offset) of the current instruction's memory operand. */
    public long ea;
    /** The instruction being decoded or run by a generic executor (not kept up to date for fast forms). */
    DecodedInstruction insn = new DecodedInstruction();

    /** Scratch registers for POPA, so that it allocates nothing. */
    final long[] scratch = new long[8];

    /** An exit to report once the current instruction has completed (OUT, MMIO write, HLT). */
    boolean exitPending;
    /** Triple fault: the run loop reports SHUTDOWN. */
    boolean shutdown;
    /** The current run touched a port or MMIO device, which may have changed the interrupt request lines. */
    boolean deviceAccessed;
    /** A port or MMIO device was touched since the run loop last read its timer horizon: a timer may have moved. */
    boolean timersTouched;
    /** DR7 enables a data breakpoint: data accesses are checked against DR0-DR3. */
    boolean dataBreakpointsArmed;
    /** DR6 B0-B3 bits of data breakpoints hit by the current instruction (a trap after it retires). */
    long dataBreakpointHits;
    /** The client single-steps this vcpu (KVM_GUESTDBG_SINGLESTEP). */
    boolean clientSingleStep;

    /** Data of a completed IN/INS exit, consumed by the re-executed instruction. */
    private byte[] pendingIn;
    private int pendingInPos;
    /** The answered MMIO reads of the current instruction; also the MMU's access to tables outside RAM. */
    final MmioReads mmioReads = new MmioReads(this);

    private MemorySlot lastSlot;

    private static final int IO_EXIT_MAX = 4096;

    public Interpreter(CpuState state, GuestMemory memory, IoBus io, CpuConfig config) {
        this.state = state;
        this.memory = memory;
        this.io = io;
        this.config = config;
        this.mmu = new Mmu(state, memory, mmioReads);
        this.x87 = new X87Unit(state.fpu);
        this.exit.ioData = new byte[IO_EXIT_MAX];
        flags.setAll(state.rflags);
    }

    // ---------------------------------------------------------------- RFLAGS

    /** RFLAGS with the lazy status flags folded in. */
    public long getRflags() {
        return (state.rflags & ~Rflags.STATUS) | flags.status() | Rflags.FIXED1;
    }

    /** Replaces RFLAGS (status flags included); the caller has applied the privilege rules. */
    public void setRflags(long value) {
        state.rflags = (value & ~(Rflags.STATUS | 0x8028L)) | Rflags.FIXED1;
        flags.setAll(value);
    }

    /** Folds the lazy flags into {@code state.rflags} (before a run returns). */
    void syncFlags() {
        state.rflags = getRflags();
    }

    /** Reloads the lazy flags from {@code state.rflags} (after the API changed it). */
    void loadFlags() {
        flags.setAll(state.rflags);
    }

    // ---------------------------------------------------------------- registers

    public static long mask(int size) {
        return size == 8 ? -1L : (1L << (size << 3)) - 1;
    }

    /** A general register of the given width; 16-19 are AH, CH, DH, BH. */
    public long reg(int r, int size) {
        if (r >= AH) {
            return (state.gpr[r - AH] >>> 8) & 0xff;
        }
        long v = state.gpr[r];
        return switch (size) {
            case 1 -> v & 0xff;
            case 2 -> v & 0xffff;
            case 4 -> v & 0xffffffffL;
            default -> v;
        };
    }

    /** Writes a register; 32-bit writes zero the upper half (SDM Vol. 1 3.4.1.1), 8/16-bit writes merge. */
    public void setReg(int r, int size, long v) {
        long[] g = state.gpr;
        switch (size) {
            case 1 -> {
                if (r >= AH) {
                    g[r - AH] = (g[r - AH] & ~0xff00L) | ((v & 0xff) << 8);
                } else {
                    g[r] = (g[r] & ~0xffL) | (v & 0xff);
                }
            }
            case 2 -> g[r] = (g[r] & ~0xffffL) | (v & 0xffff);
            case 4 -> g[r] = v & 0xffffffffL;
            default -> g[r] = v;
        }
    }

    // ---------------------------------------------------------------- operands

    /** Operand {@code i} of the current instruction, zero-extended (immediates sign-extended). */
    public long readOp(DecodedInstruction d, int i) {
        return switch (d.kind[i]) {
            case K_REG -> reg(d.reg[i], d.size[i]);
            case K_MEM -> read(d.memorySegment, ea, d.size[i]);
            case K_IMM -> d.reg[i] == 0 ? d.imm : d.imm2;
            case K_ONE -> 1;
            case K_SREG -> state.seg[d.reg[i]].selector();
            case K_REL, K_FAR -> d.imm;
            default -> throw new IllegalStateException("operand kind " + d.kind[i]);
        };
    }

    public void writeOp(DecodedInstruction d, int i, long v) {
        switch (d.kind[i]) {
            case K_REG -> setReg(d.reg[i], d.size[i], v);
            case K_MEM -> write(d.memorySegment, ea, d.size[i], v);
            default -> throw new IllegalStateException("operand kind " + d.kind[i]);
        }
    }

    // ---------------------------------------------------------------- modes

    /** Code size of the current CS: 16, 32 or 64. */
    public int codeSize() {
        Segment cs = state.seg[SegmentRegister.CS];
        if (state.longMode() && cs.l() != 0) {
            return 64;
        }
        if (state.virtual8086()) {
            return 16;
        }
        return cs.db() != 0 ? 32 : 16;
    }

    /** Stack address size from SS.B (8 in 64-bit mode). */
    public int stackSize() {
        return mode() >>> 16;
    }

    /** Mode word bits: 64-bit mode; segment type checks apply (protected mode outside virtual-8086 mode). */
    static final int MODE_64 = 1 << 8, MODE_CHECKS = 1 << 9;

    /**
     * The mode word (see {@link #currentMode}) while only fast forms run, which change none of its inputs, or -1.
     * {@link Cpu} sets it once per settled fetch and clears it before every generic instruction, fault, interrupt
     * or trap delivery and at run entry and exit; while it is -1 the word is computed from the state at each use.
     */
    int settledMode = -1;

    /** The mode word: {@link Mmu#USER} at CPL 3, {@link #MODE_64}, {@link #MODE_CHECKS}, the stack size in bits 16+. */
    int mode() {
        int m = settledMode;
        return m >= 0 ? m : currentMode();
    }

    /** The mode word computed from CR0, EFER, RFLAGS.VM, CS and SS. */
    int currentMode() {
        CpuState s = state;
        boolean mode64 = s.mode64();
        int stack = mode64 ? 8 : s.seg[SegmentRegister.SS].db() != 0 ? 4 : 2;
        return (s.cpl() == 3 ? Mmu.USER : 0) | (mode64 ? MODE_64 : 0)
                | (s.protectedMode() && !s.virtual8086() ? MODE_CHECKS : 0) | stack << 16;
    }

    // ---------------------------------------------------------------- memory

    /** Segment offset to linear address with the segment checks ({@link Segmentation}, SDM Vol. 3A 5.3). */
    public long linear(int sreg, long offset, int size, int access) {
        return linear(mode(), sreg, offset, size, access);
    }

    private long linear(int mode, int sreg, long offset, int size, int access) {
        Segment seg = state.seg[sreg];
        if ((mode & MODE_64) != 0) {
            return Segmentation.linear64(seg, sreg, offset, size);
        }
        return Segmentation.linear(seg, sreg == SegmentRegister.SS, offset, size, access, (mode & MODE_CHECKS) != 0);
    }

    /** A data read through a segment at the current privilege level. */
    public long read(int sreg, long offset, int size) {
        int m = mode();
        long lin = linear(m, sreg, offset, size, Segmentation.READ);
        if (dataBreakpointsArmed) {
            dataBreakpointHits |= DebugRegisters.dataHits(state, lin, size, false);
        }
        return readAccess(lin, size, m & Mmu.USER);
    }

    public void write(int sreg, long offset, int size, long v) {
        int m = mode();
        long lin = linear(m, sreg, offset, size, Segmentation.WRITE);
        if (dataBreakpointsArmed) {
            dataBreakpointHits |= DebugRegisters.dataHits(state, lin, size, true);
        }
        writeAccess(lin, size, v, Mmu.WRITE | m & Mmu.USER);
    }

    /**
     * {@link #read} for compiled 64-bit code, which runs only with no data breakpoint armed: an access that stays
     * inside one page and hits a TLB entry for RAM is a single load here; every other takes {@link #read}. (A
     * canonical address whose access stays inside its page ends at a canonical address.)
     */
    public long readIn64(int sreg, long offset, int size) {
        long lin = sreg >= SegmentRegister.FS ? state.seg[sreg].base() + offset : offset;
        int e;
        if ((lin & 0xfff) <= 0xff8 && lin << 16 >> 16 == lin && (e = mmu.ramEntry(lin, mode() & Mmu.USER)) >= 0) {
            return mmu.slot(e).read64(mmu.slotOffset(e) + (lin & 0xfff)) & -1L >>> 64 - 8 * size;
        }
        return read(sreg, offset, size);
    }

    /** {@link #write} for compiled 64-bit code, as {@link #readIn64}. */
    public void writeIn64(int sreg, long offset, int size, long v) {
        long lin = sreg >= SegmentRegister.FS ? state.seg[sreg].base() + offset : offset;
        int e;
        if ((lin & 0xfff) <= 0x1000 - size && lin << 16 >> 16 == lin
                && (e = mmu.ramEntry(lin, Mmu.WRITE | mode() & Mmu.USER)) >= 0) {
            mmu.slot(e).write(mmu.slotOffset(e) + (lin & 0xfff), size, v);
            return;
        }
        write(sreg, offset, size, v);
    }

    /** A supervisor (implicit) read of a linear address: descriptor tables, IDT, TSS. */
    public long readLinear(long lin, int size) {
        return readAccess(lin, size, 0);
    }

    /** A supervisor (implicit) write of a linear address. */
    public void writeLinear(long lin, int size, long v) {
        writeAccess(lin, size, v, Mmu.WRITE);
    }

    int userAccess() {
        return mode() & Mmu.USER;
    }

    private long readAccess(long lin, int size, int access) {
        if ((lin & 0xfff) <= 0x1000 - size) {
            // within one page and mapped to RAM by the TLB: straight to the slot's storage
            int e = mmu.ramEntry(lin, access);
            if (e >= 0) {
                MemorySlot s = mmu.slot(e);
                long off = mmu.slotOffset(e) + (lin & 0xfff);
                // eight bytes that stay inside the page are one load and a mask, instead of a switch on the size
                // that mispredicts as the sizes of consecutive accesses vary
                return (lin & 0xfff) <= 0xff8 ? s.read64(off) & (-1L >>> (64 - 8 * size)) : s.read(off, size);
            }
        } else if (pagingOn()) {
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= readPhys(translate(lin + i, access), 1) << (8 * i);
            }
            return v;
        }
        return readPhys(translate(lin, access), size);
    }

    private void writeAccess(long lin, int size, long v, int access) {
        if ((lin & 0xfff) <= 0x1000 - size) {
            int e = mmu.ramEntry(lin, access);
            if (e >= 0) {
                mmu.slot(e).write(mmu.slotOffset(e) + (lin & 0xfff), size, v);
                return;
            }
        } else if (pagingOn()) {
            // translate both pages first so that a #PF on the second page leaves memory untouched
            long first = translate(lin, access);
            long second = translate((lin | 0xfff) + 1, access);
            int n = (int) (0x1000 - (lin & 0xfff));
            for (int i = 0; i < size; i++) {
                writePhys(i < n ? first + i : second + i - n, 1, v >>> (8 * i));
            }
            return;
        }
        writePhys(translate(lin, access), size, v);
    }

    private boolean pagingOn() {
        return (state.cr0 & ControlRegisters.CR0_PG) != 0;
    }

    /** Linear to physical through the MMU; a #PF comes back as a negative result (see {@link Mmu#translate}). */
    private long translate(long lin, int access) {
        long pa = mmu.translate(lin, access);
        if (pa < 0) {
            throw GuestFault.pf((int) pa & 0x1f);
        }
        return pa;
    }

    public long readPhys(long pa, int size) {
        MemorySlot s = lastSlot;
        if (s == null || !s.contains(pa) || !s.contains(pa + size - 1)) {
            s = memory.slotAt(pa);
            if (s == null || !s.contains(pa + size - 1)) {
                return readPhysSlow(pa, size);
            }
            lastSlot = s;
        }
        return s.read(pa - s.base(), size);
    }

    public void writePhys(long pa, int size, long v) {
        MemorySlot s = lastSlot;
        if (s == null || !s.contains(pa) || !s.contains(pa + size - 1) || s.readOnly()) {
            s = memory.slotAt(pa);
            if (s == null || !s.contains(pa + size - 1) || s.readOnly()) {
                writePhysSlow(pa, size, v);
                return;
            }
            lastSlot = s;
        }
        s.write(pa - s.base(), size, v);
    }

    private long readPhysSlow(long pa, int size) {
        MemorySlot s = memory.slotAt(pa);
        if (s != null) {
            // straddles the end of a slot: byte by byte
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= readPhys(pa + i, 1) << (8 * i);
            }
            return v;
        }
        IoBus.Range<MmioDevice> r = io.mmioDevice(pa);
        if (r != null) {
            deviceAccess();
            return r.device().read(pa - r.base(), size) & mask(size);
        }
        return mmioReads.read(pa, size);
    }

    private void writePhysSlow(long pa, int size, long v) {
        MemorySlot s = memory.slotAt(pa);
        if (s != null && !s.readOnly()) {
            for (int i = 0; i < size; i++) {
                writePhys(pa + i, 1, v >>> (8 * i));
            }
            return;
        }
        IoBus.Range<MmioDevice> r = io.mmioDevice(pa);
        if (r != null) {
            deviceAccess();
            r.device().write(pa - r.base(), size, v);
            return;
        }
        exit.reason = ExitReason.MMIO;
        exit.mmioPhysAddr = pa;
        exit.mmioLen = size;
        exit.mmioWrite = true;
        for (int i = 0; i < 8; i++) {
            exit.mmioData[i] = i < size ? (byte) (v >>> (8 * i)) : 0;
        }
        exitPending = true;
    }

    /** The physical address of an instruction fetch at a linear address (paging, A20). */
    long translateFetch(long lin) {
        return translate(lin, Mmu.FETCH | userAccess());
    }

    /** Instruction fetch for the decoder: CS-relative, limit-checked. */
    @Override
    public int fetch(long offset) {
        if (insn.mode != 64) {
            offset &= 0xffffffffL;
        }
        int m = mode();
        return (int) readAccess(linear(m, SegmentRegister.CS, offset, 1, Segmentation.FETCH), 1, Mmu.FETCH | m & Mmu.USER);
    }

    // ---------------------------------------------------------------- stack

    public void push(int size, long v) {
        int ss = stackSize();
        long sp = (state.gpr[4] - size) & mask(ss);
        write(SegmentRegister.SS, sp, size, v);
        setReg(4, ss, sp);
    }

    public long pop(int size) {
        int ss = stackSize();
        long sp = state.gpr[4] & mask(ss);
        long v = read(SegmentRegister.SS, sp, size);
        setReg(4, ss, sp + size);
        return v;
    }

    /** Reads the stack {@code depth} bytes above rSP without popping. */
    public long peek(int size, long depth) {
        int ss = stackSize();
        return read(SegmentRegister.SS, (state.gpr[4] + depth) & mask(ss), size);
    }

    // ---------------------------------------------------------------- segments

    /** Loads a segment register the real-mode/virtual-8086 way: base = selector * 16, attributes kept. */
    public void setSegmentReal(int sreg, int selector) {
        Segment old = state.seg[sreg];
        selector &= 0xffff;
        state.seg[sreg] = new Segment(selector, (long) selector << 4, old.limit(), old.type(), 1, old.dpl(),
                old.db(), 1, 0, old.g(), old.avl(), 0);
    }

    // ---------------------------------------------------------------- port I/O

    /** A built-in device is being read or written. */
    private void deviceAccess() {
        deviceAccessed = true;
        timersTouched = true;
    }

    /** One element of IN/INS: a claimed port reads its device; otherwise the client supplies it via an exit. */
    long portIn(int port, int size, boolean string, long count) {
        PortIoDevice dev = io.portDevice(port);
        if (dev != null) {
            deviceAccess();
            return io.readPort(port, size) & mask(size);
        }
        if (pendingIn != null && pendingInPos + size <= pendingIn.length) {
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= (pendingIn[pendingInPos++] & 0xffL) << (8 * i);
            }
            return v;
        }
        pendingIn = null;
        exit.reason = ExitReason.IO;
        exit.ioIn = true;
        exit.ioPort = port & 0xffff;
        exit.ioSize = size;
        exit.ioString = string;
        exit.ioRep = string && count > 1;
        exit.ioCount = (int) Math.max(1, Math.min(count, IO_EXIT_MAX / size));
        exit.ioStringDown = (state.rflags & Rflags.DF) != 0;
        exit.instructionLength = insn.length;
        throw ExitSignal.INSTANCE;
    }

    /**
     * One element of OUT/OUTS. An unclaimed port collects the bytes into the pending IO exit.
     *
     * @return false when the exit buffer is full and the string instruction must stop here
     */
    boolean portOut(int port, int size, long v, boolean string) {
        PortIoDevice dev = io.portDevice(port);
        if (dev != null) {
            deviceAccess();
            io.writePort(port, size, (int) v);
            return true;
        }
        if (exitPending) {
            if (exit.reason != ExitReason.IO || exit.ioIn || exit.ioPort != (port & 0xffff) || exit.ioSize != size
                    || (exit.ioCount + 1) * size > IO_EXIT_MAX) {
                return false;
            }
        } else {
            exit.reason = ExitReason.IO;
            exit.ioIn = false;
            exit.ioPort = port & 0xffff;
            exit.ioSize = size;
            exit.ioCount = 0;
            exit.ioString = string;
            exit.ioRep = string && insn.rep != DecodedInstruction.REP_NONE;
            exit.ioStringDown = (state.rflags & Rflags.DF) != 0;
            exit.instructionLength = insn.length;
            exitPending = true;
        }
        int off = exit.ioCount * size;
        for (int i = 0; i < size; i++) {
            exit.ioData[off + i] = (byte) (v >>> (8 * i));
        }
        exit.ioCount++;
        return true;
    }

    /** True when another OUTS element can join the pending exit. */
    boolean outputRoom(int size) {
        return !exitPending || (exit.reason == ExitReason.IO && !exit.ioIn && (exit.ioCount + 1) * size <= IO_EXIT_MAX);
    }

    void completeIo(byte[] data) {
        pendingIn = data.clone();
        pendingInPos = 0;
    }

    void completeMmioRead(byte[] data) {
        mmioReads.complete(data);
    }

    /** No completion data of an IN or MMIO exit waits for the instruction that asked for it. */
    boolean completionIdle() {
        return pendingIn == null && mmioReads.idle();
    }

    /** The memory slots changed: cached slot references are dropped. */
    void slotsChanged() {
        lastSlot = null;
        mmu.flushTranslations();
    }

    /** Forgets pending completion data once the instruction that consumed it has retired. */
    void retired() {
        if (pendingIn != null) {
            pendingIn = null;
        }
        mmioReads.retire();
    }

    /** Triple fault (SDM Vol. 3A 6.15, interrupt 8): the run loop returns SHUTDOWN. */
    public void shutdown() {
        shutdown = true;
    }
}
