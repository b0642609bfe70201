package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Decoder;
import dev.restvisor.core.cpu.decode.Op;
import dev.restvisor.core.cpu.jit.BlockCompiler;
import dev.restvisor.core.cpu.jit.CompiledBlock;
import dev.restvisor.core.cpu.jit.JumpCache;
import dev.restvisor.core.cpu.mmu.Mmu;
import dev.restvisor.core.cpu.mmu.Translation;
import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;
import dev.restvisor.core.io.InterruptController;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.memory.GuestMemory;

import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One vcpu's execution engine: the facade the VM layer drives. Not thread-safe except for
 * {@link #requestStop()}, which any thread may call.
 */
public final class Cpu {
    /**
     * Instructions with interrupts enabled after which other threads' interrupt requests are seen. The poll falls due
     * up to {@link #MAX_BLOCK} instructions early, so that it never leaves a block too little room to run.
     */
    private static final int POLL_PERIOD = 1024;
    /** The most instructions one compiled block holds (a JVM method stays well below the JIT's size limit). */
    private static final int MAX_BLOCK = 32;
    /**
     * The most instructions a chain of blocks (a loop block included) runs before the run loop takes over again: it
     * sees stop requests and keeps the chain's count well inside an int.
     */
    private static final int MAX_CHAIN = 1 << 16;
    private final CpuState state;
    private final Interpreter x;
    private final CodeCache code;
    /** The current code page's translation (see {@link #fetchAddress}); fetchPage -1 when none. */
    private long fetchPage = -1;
    private Segment fetchCs;
    private int fetchAccess;
    private int fetchMode;
    private int fetchGeneration;
    private long fetchFrame;
    private long fetchLimit;
    private long fetchCsBase;
    /**
     * Only fast forms ran since the last full {@link #fetchAddress}: none of them changes CS, SS, CR0, CR3, CR4,
     * EFER, RFLAGS.VM or A20, nor flushes the TLB, so the mode, the fetch privilege and the code page's
     * translation are still those of the last fetch and only the page and the limit need comparing. Cleared
     * by every generic instruction, fault, interrupt delivery and at run entry (external state writes, slot
     * layout and A20 changes from other threads happen between runs).
     */
    private boolean fetchSettled;
    // (Interpreter.settledMode follows fetchSettled: see settle() and unsettle())
    private volatile boolean stopRequested;
    private InterruptController interruptController = InterruptController.NONE;
    private LongSupplier timerHorizon = () -> Long.MAX_VALUE;
    private boolean requestInterruptWindow;
    private boolean debugEnabled;
    private boolean singleStep;
    private long[] breakpoints = new long[0];
    /** RIP of the breakpoint just reported, so that resuming executes that instruction. */
    private long resumeFromBreakpoint = -1;
    private long retired;
    /** A #DB trap of a retired instruction whose delivery waits for an MMIO answer ({@link #debugTrap}). */
    private boolean pendingTrap;
    private boolean pendingSingleStep;
    private long pendingHits;
    /** False runs every instruction through the generic executors (a test compares the two paths). */
    boolean fastForms = true;
    /** Compiles hot straight-line runs of fast forms ({@code core.cpu.jit}); its blocks live in {@link #code}. */
    private final BlockCompiler compiler = new BlockCompiler(MethodHandles.lookup());
    /**
     * Runs of a block head's {@link InterpretedBlock} after which its block is compiled, or of the head itself when
     * this is below {@link #interpretThreshold} (a test compiles at once with 1, or never with
     * {@link Integer#MAX_VALUE}). A block costs its class, which the JVM first interprets and then compiles on
     * the same few cores: only code that will run much longer pays that back (a Linux boot to its prompt took
     * 29.5 s with 40, 21.4 s with 1000, 20.9 s with 8000).
     */
    int compileThreshold = 2000;
    /**
     * Runs of a block head after which it takes an {@link InterpretedBlock} (until {@link #compileThreshold} more
     * runs compile it): the run loop's per-instruction work is left out of code that runs more than a few times.
     */
    int interpretThreshold = 8;
    /** Blocks the run loop entered, for chains that reach them where no link leads. */
    private final JumpCache jumps = new JumpCache();
    /** The last block of a chain that ended without an exit: the block found next is linked to it. */
    private CompiledBlock chainEnd;
    /**
     * The next instruction starts a straight-line run, where a compiled block may start: after a branch, a generic
     * instruction, a fault, an interrupt or a block.
     */
    private boolean blockHead = true;
    /**
     * How many instructions beyond its first a block may run in this step without passing a check of the run
     * loop (instruction budget, interrupt poll), or -1 when no block may run (debug features, an interrupt
     * window or shadow, completion data waiting for the instruction that asked for it).
     */
    private long blockRoom = -1;
    /** Compiled blocks entered (a test checks that compiled code ran). */
    long blocksRun;
    /** Instructions beyond its first that the block of the last step retired or, when it stopped, began. */
    private int blockExtra;
    /** The last unexpected host exception turned into a guest #UD or SHUTDOWN (a core bug; for tests). */
    RuntimeException lastHostError;

    public Cpu(CpuState state, GuestMemory memory, IoBus io, CpuConfig config) {
        this.state = state;
        this.x = new Interpreter(state, memory, io, config);
        this.code = new CodeCache(memory);
    }

    public CpuState state() {
        return state;
    }

    /**
     * Runs until an exit, at most {@code maxInstructions} instructions and no further than the timer horizon
     * ({@link #setTimerHorizon}; then {@link ExitReason#INTR}).
     * Before returning, lazy flags are folded into {@code state.rflags}. A pending IN or MMIO read
     * must have been completed first ({@link #completeIo}, {@link #completeMmioRead}); if it was
     * not, the instruction is retried and exits the same way again.
     */
    public CpuExit run(long maxInstructions) {
        CpuExit exit = x.exit;
        unsettle();
        blockHead = true;
        x.loadFlags();
        x.shutdown = false;
        // external state writes flush through stateChanged(); only a changed slot layout is checked here (O(slots)):
        // it drops decoded code and the TLB, whose entries hold slot objects (a re-flagged slot is a new object)
        if (code.checkLayout()) {
            x.slotsChanged();
        }
        x.dataBreakpointsArmed = DebugRegisters.dataBreakpointsArmed(state);
        x.timersTouched = false;
        long budget = Math.min(maxInstructions, timerHorizon.getAsLong());
        // The interrupt sources are polled when they may have changed, not before every instruction (the
        // controller's query takes its lock): at entry (queued vectors, timers advanced between runs), after an
        // instruction that reached a device (EOI, mask writes, device IRQs), after a delivery (another one may
        // be pending), and every POLL_PERIOD instructions for lines raised by other threads. A poll is only
        // consumed while an interrupt could be taken (IF = 1, no shadow), so one owed while IF = 0 happens
        // right after STI, POPF or IRET enable interrupts.
        boolean poll = true;
        int untilPoll = POLL_PERIOD;
        try {
            if (pendingTrap) {
                // before anything else: the trap belongs to the instruction that retired last
                if (debugTrap(pendingSingleStep, pendingHits) || x.exitPending) {
                    return finish(exit.reason);
                }
                if (x.shutdown) {
                    return finish(ExitReason.SHUTDOWN);
                }
            }
            while (true) {
                if (stopRequested) {
                    stopRequested = false;
                    return finish(ExitReason.INTR);
                }
                boolean shadow = state.interruptShadow;
                state.interruptShadow = false;
                if (!shadow && (state.rflags & Rflags.IF) != 0
                        && (poll || x.deviceAccessed || requestInterruptWindow || --untilPoll < MAX_BLOCK)) {
                    poll = false;
                    x.deviceAccessed = false;
                    untilPoll = POLL_PERIOD;
                    int vector = state.pendingInterrupt();
                    if (vector >= 0) {
                        state.clearInterrupt(vector);
                        if (external(vector)) {
                            return finish(exit.reason);
                        }
                        poll = true;
                    } else if (interruptController.hasInterrupt()) {
                        if (external(interruptController.acknowledge())) {
                            return finish(exit.reason);
                        }
                        poll = true;
                    } else if (requestInterruptWindow) {
                        return finish(ExitReason.IRQ_WINDOW_OPEN);
                    }
                    if (x.shutdown) {
                        return finish(ExitReason.SHUTDOWN);
                    }
                }
                if (state.halted) {
                    state.interruptShadow = shadow;
                    return finish(ExitReason.HLT);
                }
                if (budget-- <= 0) {
                    state.interruptShadow = shadow;
                    return finish(ExitReason.INTR);
                }
                if (debugEnabled && breakpoints.length > 0 && state.rip != resumeFromBreakpoint
                        && (state.rflags & Rflags.RF) == 0 && isBreakpoint()) {
                    state.interruptShadow = shadow;
                    resumeFromBreakpoint = state.rip;
                    exit.debugException = GuestFault.BP;
                    exit.debugPc = linearRip();
                    exit.debugDr6 = 0;
                    return finish(ExitReason.DEBUG);
                }
                resumeFromBreakpoint = -1;
                boolean interruptible = (state.rflags & Rflags.IF) != 0;
                blockRoom = blockHead && !shadow && blocksAllowed() ? interruptible ? Math.min(budget, untilPoll) : budget
                        : -1;
                boolean stop = step();
                if (blockExtra != 0) {
                    // the block's later instructions are iterations of this loop that checked nothing: each would
                    // have taken one from the budget and, with IF = 1, from the poll countdown (blockRoom kept both
                    // from running out)
                    budget -= blockExtra;
                    if (interruptible) {
                        untilPoll -= blockExtra;
                    }
                    blockExtra = 0;
                }
                if (x.timersTouched) {
                    // a device write may have started or moved a timer: the run ends at its deadline
                    x.timersTouched = false;
                    budget = Math.min(budget, timerHorizon.getAsLong());
                }
                if (stop) {
                    return finish(exit.reason);
                }
                if (x.shutdown) {
                    return finish(ExitReason.SHUTDOWN);
                }
                if (debugEnabled && singleStep) {
                    exit.debugException = GuestFault.DB;
                    exit.debugPc = linearRip();
                    exit.debugDr6 = 0xffff4ff0L;
                    return finish(ExitReason.DEBUG);
                }
            }
        } finally {
            // the API may change the state before the next run
            unsettle();
            x.syncFlags();
        }
    }

    private CpuExit finish(ExitReason reason) {
        x.exit.reason = reason;
        x.exitPending = false;
        return x.exit;
    }

    /**
     * Executes one instruction; a guest fault is delivered here.
     *
     * @return true when the run must return with the exit in {@code x.exit}
     */
    private boolean step() {
        Interpreter x = this.x;
        DecodedInstruction d;
        long start = state.rip;
        boolean trap = (state.rflags & Rflags.TF) != 0;
        boolean resume = (state.rflags & Rflags.RF) != 0;
        x.dataBreakpointHits = 0;
        try {
            if ((state.dr7 & 0xff) != 0) {
                DebugRegisters.checkInstructionBreakpoint(state, linearRip());
            }
            int mode;
            long pa;
            long off;
            long lin;
            if (fetchSettled && ((off = fetchMode == 64 ? start : start & 0xffffffffL)) <= fetchLimit
                    && (lin = fetchMode == 64 ? off : (fetchCsBase + off) & 0xffffffffL) >>> 12 == fetchPage) {
                mode = fetchMode;
                pa = fetchFrame | (lin & 0xfff);
            } else {
                mode = x.codeSize();
                pa = fetchAddress(start, mode);
            }
            CompiledBlock previous = chainEnd;
            chainEnd = null;
            if (blockRoom >= 0) {
                CompiledBlock b = block(pa, start, mode);
                if (b != null) {
                    Segment cs = state.seg[SegmentRegister.CS];
                    if (previous != null) {
                        // the chain before ended where this block starts (in another code page, or with no room)
                        link(previous, b, pa, cs, x.mode());
                    }
                    jumps.put(b, cs, x.mode(), pa & ~0xfffL);
                    return runBlock(b);
                }
            }
            d = code.lookup(pa, mode);
            if (d != null) {
                long last = (start + d.length - 1) & 0xffffffffL;
                if (mode != 64 && last > fetchLimit) {
                    // the whole instruction must lie inside CS (SDM Vol. 3A 5.3): the exact check, which faults
                    x.linear(SegmentRegister.CS, last, 1, Segmentation.FETCH);
                }
            } else {
                d = new DecodedInstruction();
                x.insn = d;
                int r = Decoder.decode(x, start, mode, d);
                if (r != Decoder.OK) {
                    throw new GuestFault(r, r == Decoder.GP ? 0 : -1);
                }
                if (fastForms) {
                    FastPath.classify(d);
                }
                code.put(pa, d);
            }
            long next = start + d.length;
            x.nextRip = mode == 64 ? next : next & 0xffffffffL;
            if (d.hasMemory) {
                x.ea = d.effectiveAddress(state.gpr, x.nextRip);
            }
            if (resume) {
                // RF suppresses instruction breakpoints for one instruction only: cleared at its start, after the
                // breakpoint check (SDM Vol. 3A 18.3.1.1); an interrupted string instruction sets it again
                state.rflags &= ~Rflags.RF;
            }
            if (d.fastForm != FastPath.NONE) {
                FastPath.execute(x, d);
            } else {
                unsettle();
                // x.insn is set for the generic executors only: a reference store per instruction costs a GC
                // write barrier, and the fast forms never look at it
                x.insn = d;
                if (d.lock || (d.op == Op.XCHG && d.hasMemory)) {
                    // LOCK (and XCHG with memory, which is always locked) is atomic across the vcpus sharing this
                    // memory: locked instructions of all vcpus serialize on it (SDM Vol. 3A 9.1.2.2)
                    synchronized (x.memory) {
                        execute(x, d);
                    }
                } else {
                    execute(x, d);
                }
            }
            state.rip = x.nextRip;
            x.retired();
            retired++;
            // a block ends with its page, and none starts with an instruction that crosses into the next one: the
            // instruction after either starts a run
            blockHead = d.fastForm == FastPath.NONE || FastPath.endsBlock(d.fastForm) || (start ^ (start + d.length)) >>> 12 != 0;
            if (d.op == Op.MOVDR) {
                x.dataBreakpointsArmed = DebugRegisters.dataBreakpointsArmed(state);
            }
            if ((x.dataBreakpointHits != 0 || trap) && !x.shutdown) {
                return debugTrap(trap, x.dataBreakpointHits) || x.exitPending;
            }
            return x.exitPending;
        } catch (ExitSignal e) {
            state.rip = start;
            if (resume) {
                state.rflags |= Rflags.RF;
            }
            x.mmioReads.rewind();
            return true;
        } catch (GuestFault f) {
            state.rip = start;
            if (resume) {
                state.rflags |= Rflags.RF;
            }
            // the instruction runs again if the delivery stops for an MMIO exit: its answered reads are kept
            x.mmioReads.rewind();
            return fault(f);
        } catch (RuntimeException e) {
            // an unexpected host exception inside an instruction must not escape: the guest sees #UD
            lastHostError = e;
            state.rip = start;
            x.mmioReads.retire();
            return fault(GuestFault.ud());
        }
    }

    /**
     * Delivers the #DB trap of a retired instruction: a single step, data breakpoint hits, or both in one #DB (SDM
     * Vol. 3A 18.2.3). When its delivery waits for an MMIO answer (an IDT, GDT or stack outside RAM), the trap stays
     * pending and the next run delivers it before anything else, as the instruction must not run again.
     *
     * @return true when the run must return
     */
    private boolean debugTrap(boolean singleStep, long hits) {
        // the trap is delivered through the IDT: CS, SS and the privilege level may change
        unsettle();
        blockHead = true;
        try {
            if (hits != 0) {
                if (singleStep) {
                    state.dr6 |= DebugRegisters.DR6_BS;
                }
                DebugRegisters.dataTrap(x, hits);
            } else {
                DebugRegisters.singleStepTrap(x);
            }
        } catch (GuestFault f) {
            // the instruction has retired: a fault while delivering the trap keeps the new RIP
            pendingTrap = false;
            return fault(f);
        } catch (ExitSignal e) {
            pendingTrap = true;
            pendingSingleStep = singleStep;
            pendingHits = hits;
            x.mmioReads.rewind();
            return true;
        }
        if (pendingTrap) {
            // its answered reads are used up
            pendingTrap = false;
            x.mmioReads.retire();
        }
        return false;
    }

    /** No debug feature is active and no exit's completion waits: compiled blocks may run. */
    private boolean blocksAllowed() {
        return !debugEnabled && !requestInterruptWindow && (state.rflags & (Rflags.TF | Rflags.RF)) == 0
                && (state.dr7 & 0xff) == 0 && !x.dataBreakpointsArmed && x.completionIdle();
    }

    /**
     * The block to run for the instruction at {@code start} (physical address {@code pa}), compiling it when its
     * head has become hot; null when there is none, or it was compiled for another RIP, mode or stack size, holds more
     * instructions than {@link #blockRoom} allows, or (outside 64-bit mode) reaches beyond the CS limit.
     */
    private CompiledBlock block(long pa, long start, int mode) {
        CompiledBlock b = code.block(pa);
        // a block made for another RIP (its page is also mapped at another linear address), mode or stack size
        // gives way to one for this context at once: the head is warm already
        boolean other = b != null && (b.rip() != start || b.mode() != mode
                || b.stackSize() != 0 && b.stackSize() != x.stackSize());
        boolean hot = !other && b instanceof InterpretedBlock t && t.hot();
        if (other || hot || b == null && code.warm(pa, Math.min(interpretThreshold, compileThreshold))) {
            try {
                b = compile(pa, start, mode, !hot && interpretThreshold < compileThreshold);
            } catch (IllegalStateException e) {
                // a block the compiler could not load (a core bug): the run stays interpreted
                lastHostError = e;
            }
        }
        return b != null && b.rip() == start && b.mode() == mode && b.size() - 1 <= blockRoom
                && (b.stackSize() == 0 || b.stackSize() == x.stackSize())
                && (mode == 64 || b.lastByte() <= fetchLimit) ? b : null;
    }

    /**
     * Compiles the run of fast forms at a block head (or makes its {@link InterpretedBlock}): up to the first branch
     * other than Jcc (included), the first generic instruction or the end of the page (excluded), at most
     * {@link #MAX_BLOCK} instructions; a Jcc on the way is an exit of the block when taken. Instructions not yet run
     * are decoded from the page and cached like the interpreter's.
     */
    private CompiledBlock compile(long pa, long start, int mode, boolean interpreted) {
        List<DecodedInstruction> run = new ArrayList<>();
        long p = pa;
        long rip = start;
        while (run.size() < MAX_BLOCK) {
            DecodedInstruction d = code.lookup(p, mode);
            if (d == null) {
                d = decodeInPage(p, rip, mode);
                if (d == null) {
                    break;
                }
                code.put(p, d);
            }
            if (d.fastForm == FastPath.NONE) {
                break;
            }
            run.add(d);
            p += d.length;
            if (FastPath.endsBlock(d.fastForm) && d.fastForm != FastPath.JCC || (p & 0xfff) == 0) {
                break;
            }
            rip = mode == 64 ? rip + d.length : (rip + d.length) & 0xffffffffL;
        }
        if (run.isEmpty()) {
            return null;
        }
        boolean stack = run.stream().anyMatch(d -> FastPath.usesStack(d.fastForm));
        CompiledBlock b = interpreted
                ? new InterpretedBlock(run.toArray(new DecodedInstruction[0]), start, mode, compileThreshold)
                : compiler.compile(run, start, mode, stack ? x.stackSize() : 0);
        // in place of the interpreted block, if there is one
        code.putBlock(pa, b);
        return b;
    }

    /** Decodes the instruction at {@code pa} (RIP {@code rip}) from its page; null when it is invalid or crosses the page. */
    private DecodedInstruction decodeInPage(long pa, long rip, int mode) {
        long end = (pa | 0xfff) + 1;
        DecodedInstruction d = new DecodedInstruction();
        int r = Decoder.decode(offset -> pa + (offset - rip) < end ? (int) x.readPhys(pa + (offset - rip), 1) : 0,
                rip, mode, d);
        if (r != Decoder.OK || pa + d.length > end) {
            return null;
        }
        if (fastForms) {
            FastPath.classify(d);
        }
        return d;
    }

    /**
     * Runs a compiled block, which begins in the state the interpreter would have before its first instruction and
     * ends in the state after its last retired one, and then the blocks that follow it (linked ones in any code page,
     * others in the same code page) for as long as nothing needs the run loop: the next instruction is a block head
     * (the one before ended a block), and the loop would check nothing a fast form can change, except what ends the
     * chain here (an exit, a device access, which is followed by an interrupt poll, a stop request, and the room left
     * in {@link #blockRoom}, at most {@link #MAX_CHAIN}).
     * A fault or an exit is then handled as {@link #step}'s.
     */
    private boolean runBlock(CompiledBlock first) {
        blockHead = true;
        // a device access before the block (left from a stretch with IF = 0) must not stop it, nor be forgotten
        boolean deviceAccessed = x.deviceAccessed;
        x.deviceAccessed = false;
        long room = Math.min(blockRoom, MAX_CHAIN);
        int done = 0;
        CompiledBlock b = first;
        try {
            while (true) {
                blocksRun++;
                done += b.run(x, room - done);
                if (x.exitPending || x.deviceAccessed || stopRequested) {
                    break;
                }
                CompiledBlock next = nextBlock(b, room - done);
                if (next == null) {
                    chainEnd = b;
                    break;
                }
                b = next;
            }
        } catch (ExitSignal e) {
            blockStopped(b, done);
            x.deviceAccessed |= deviceAccessed;
            x.mmioReads.rewind();
            return true;
        } catch (GuestFault f) {
            blockStopped(b, done);
            x.deviceAccessed |= deviceAccessed;
            x.mmioReads.rewind();
            return fault(f);
        } catch (RuntimeException e) {
            lastHostError = e;
            blockStopped(b, done);
            x.deviceAccessed |= deviceAccessed;
            x.mmioReads.retire();
            return fault(GuestFault.ud());
        }
        x.deviceAccessed |= deviceAccessed;
        retired += done;
        blockExtra = done - 1;
        x.retired();
        return x.exitPending;
    }

    /**
     * The block at {@code state.rip} after block {@code from}, when it holds at most {@code room + 1} instructions:
     * the one {@code from} is linked to under the current CS and mode word, in any code page the TLB still maps as
     * when it was linked ({@link CompiledBlock#linked}), else the one the run loop last entered there under the same
     * checks ({@link JumpCache}), else the one the code cache holds in the code page of the settled fetch, which is
     * then linked; null when none.
     * A fast form changes none of what the link depends on, and a link is made only after {@link #block}'s checks.
     */
    private CompiledBlock nextBlock(CompiledBlock from, long room) {
        long start = state.rip;
        Segment cs = state.seg[SegmentRegister.CS];
        int mode = x.mode();
        long lin = linear(start, from.mode(), cs);
        int access = Mmu.FETCH | mode & Mmu.USER;
        CompiledBlock b = from.linked(start, lin, cs, mode, x.mmu, access);
        if (b == null) {
            b = jumps.find(start, lin, cs, mode, x.mmu, access);
        }
        if (b != null) {
            return b.size() - 1 <= room ? b : null;
        }
        long off = fetchMode == 64 ? start : start & 0xffffffffL;
        if (!fetchSettled || off > fetchLimit || lin >>> 12 != fetchPage) {
            return null;
        }
        blockRoom = room;
        b = block(fetchFrame | (lin & 0xfff), start, fetchMode);
        if (b != null) {
            link(from, b, fetchFrame, cs, mode);
        }
        return b;
    }

    /** The linear address of a RIP in code segment {@code cs}, in code of size {@code codeSize}. */
    private static long linear(long rip, int codeSize, Segment cs) {
        return codeSize == 64 ? rip : (cs.base() + (rip & 0xffffffffL)) & 0xffffffffL;
    }

    /**
     * Links block {@code from} to {@code to}, found in physical frame {@code frame} under CS {@code cs} and mode word
     * {@code mode}; a link within {@code from}'s own linear page needs no frame.
     */
    private static void link(CompiledBlock from, CompiledBlock to, long frame, Segment cs, int mode) {
        boolean samePage = linear(from.rip(), from.mode(), cs) >>> 12 == linear(to.rip(), to.mode(), cs) >>> 12;
        from.link(to, cs, mode, samePage ? -1 : frame & ~0xfffL);
    }

    /**
     * A block stopped at an instruction that faulted or asked for an exit (its RIP is stored): those before it
     * retired, after the {@code done} of the blocks before it.
     */
    private void blockStopped(CompiledBlock b, int done) {
        int k = b.retiredBefore(state.rip);
        retired += done + k;
        blockExtra = done + k;
    }

    /**
     * The physical address of the instruction at {@code start}. The translation of the current code page
     * is kept: it stays right while CS is the same descriptor (base, limit, type; CS.L and the mode bits
     * that change with it), the fetch is of the same privilege and the MMU has not flushed or invalidated
     * anything since ({@link Mmu#generation}, which also covers CR0/CR3/CR4/EFER and A20 changes). The
     * same linear page then passes the same checks: a 64-bit canonical check holds for a whole page,
     * and only the CS limit is compared per instruction.
     */
    private long fetchAddress(long start, int mode) {
        Segment cs = state.seg[SegmentRegister.CS];
        long off = mode == 64 ? start : start & 0xffffffffL;
        long lin = mode == 64 ? off : (cs.base() + off) & 0xffffffffL;
        int access = Mmu.FETCH | x.userAccess();
        if (lin >>> 12 == fetchPage && cs == fetchCs && access == fetchAccess && mode == fetchMode
                && x.mmu.generation() == fetchGeneration && off <= fetchLimit) {
            settle();
            return fetchFrame | (lin & 0xfff);
        }
        long pa = x.translateFetch(x.linear(SegmentRegister.CS, off, 1, Segmentation.FETCH));
        settle();
        fetchCsBase = cs.base();
        fetchPage = lin >>> 12;
        fetchCs = cs;
        fetchAccess = access;
        fetchMode = mode;
        fetchGeneration = x.mmu.generation();
        fetchFrame = pa & ~0xfffL;
        // an expand-down CS (only possible through KVM_SET_SREGS) keeps the exact check for every fetch
        fetchLimit = mode == 64 ? Long.MAX_VALUE
                : state.protectedMode() && !state.virtual8086() && cs.expandDown() ? -1 : cs.limit() & 0xffffffffL;
        return pa;
    }

    /**
     * The fetch translation and the mode word are about to be kept ({@link #fetchSettled},
     * {@link Interpreter#settledMode}): nothing that changes them runs until {@link #unsettle}.
     */
    private void settle() {
        fetchSettled = true;
        x.settledMode = x.currentMode();
    }

    /** A generic instruction, a fault, an interrupt or a trap may change the mode, the privilege or CS. */
    private void unsettle() {
        fetchSettled = false;
        x.settledMode = -1;
    }

    /**
     * Delivers or reports a fault; true when the run must return: an exception exit, or an MMIO exit the delivery
     * waits for (RIP is then on the faulting instruction, which raises the fault again when the run resumes).
     */
    private boolean fault(GuestFault f) {
        unsettle();
        blockHead = true;
        x.exitPending = false;
        if (!Interrupts.exceptionExit(x, f)) {
            try {
                Interrupts.deliver(x, f.vector, Interrupts.EXCEPTION, f.errorCode);
            } catch (ExitSignal e) {
                x.mmioReads.rewind();
                return true;
            } catch (GuestFault second) {
                x.shutdown();
            } catch (RuntimeException e) {
                lastHostError = e;
                x.shutdown();
            }
        }
        x.mmioReads.retire();
        return x.exitPending;
    }

    /**
     * Delivers an external interrupt; true when the run must return: a fault in its delivery is reported as an
     * exception exit, or the delivery waits for an MMIO answer.
     */
    private boolean external(int vector) {
        unsettle();
        blockHead = true;
        state.halted = false;
        try {
            Interrupts.deliver(x, vector, Interrupts.EXTERNAL, -1);
        } catch (ExitSignal e) {
            // the delivery waits for an MMIO answer: the interrupt is taken again when the run resumes
            state.queueInterrupt(vector);
            x.mmioReads.rewind();
            return true;
        } catch (GuestFault f) {
            fault(f);
        } catch (RuntimeException e) {
            lastHostError = e;
            x.shutdown();
        }
        return x.exitPending;
    }

    private static void execute(Interpreter x, DecodedInstruction d) {
        switch (d.op.family) {
            case ALU -> Alu.execute(x, d);
            case SHIFT -> Shifts.execute(x, d);
            case BIT -> Bits.execute(x, d);
            case MULDIV -> MulDiv.execute(x, d);
            case BCD -> Bcd.execute(x, d);
            case STRING -> Strings.execute(x, d);
            case STACK -> Stack.execute(x, d);
            case BRANCH -> Branch.execute(x, d);
            case DATA -> DataMove.execute(x, d);
            case FLAGCTL -> DataMove.flagControl(x, d);
            case IO -> PortIo.execute(x, d);
            case NOP -> { }
            case SYSTEM -> {
                if (d.op == Op.HLT) {
                    halt(x);
                } else {
                    SystemOps.execute(x, d);
                }
            }
            case X87 -> X87Executor.execute(x, d);
            case SSE -> SseExecutor.execute(x, d);
            default -> throw GuestFault.ud();
        }
    }

    /** HLT (CPL 0 only): the run returns a HLT exit with RIP after the instruction. */
    private static void halt(Interpreter x) {
        if (x.state.cpl() != 0) {
            throw GuestFault.gp(0);
        }
        x.state.halted = true;
        x.exit.reason = ExitReason.HLT;
        x.exit.instructionLength = x.insn.length;
        x.exitPending = true;
    }

    private long linearRip() {
        return state.mode64() ? state.rip : (state.seg[1].base() + state.rip) & 0xffffffffL;
    }

    private boolean isBreakpoint() {
        long lin = linearRip();
        for (long b : breakpoints) {
            if (b == lin) {
                return true;
            }
        }
        return false;
    }

    /** Makes a running {@link #run} return {@link ExitReason#INTR} at the next instruction boundary. */
    public void requestStop() {
        stopRequested = true;
    }

    /** Supplies the {@code count * size} bytes of the pending IN/INS; the next run finishes that instruction. */
    public void completeIo(byte[] data) {
        x.completeIo(data);
    }

    /** Supplies the bytes of the pending MMIO read; the next run finishes that instruction. */
    public void completeMmioRead(byte[] data) {
        x.completeMmioRead(data);
    }

    /** KVM_DEBUG_GUEST: single-step and execution breakpoints (linear addresses); null or empty for none. */
    public void setDebug(boolean enabled, boolean singleStep, long[] breakpoints) {
        this.debugEnabled = enabled;
        this.singleStep = singleStep;
        x.clientSingleStep = enabled && singleStep;
        this.breakpoints = breakpoints == null ? new long[0] : breakpoints.clone();
        this.resumeFromBreakpoint = -1;
    }

    /** kvm_run.request_interrupt_window. */
    public void setRequestInterruptWindow(boolean request) {
        this.requestInterruptWindow = request;
    }

    /** The INTR source: the PIC when the VM has one. */
    public void setInterruptController(InterruptController controller) {
        this.interruptController = controller == null ? InterruptController.NONE : controller;
    }

    /**
     * With the deterministic clock, how many instructions may retire before the next timer deadline (at least 1,
     * Long.MAX_VALUE when none): a run ends there, as if its budget ran out, so that the caller advances the timers
     * at that exact instruction. It is read at run entry and after every device access.
     */
    public void setTimerHorizon(LongSupplier instructionsToNextDeadline) {
        this.timerHorizon = instructionsToNextDeadline;
    }

    /** kvm_run.ready_for_interrupt_injection: IF = 1, no interrupt shadow, nothing queued. */
    public boolean readyForInterruptInjection() {
        return (state.rflags & Rflags.IF) != 0 && !state.interruptShadow && state.pendingInterrupt() < 0;
    }

    public long instructionsRetired() {
        return retired;
    }

    /** The A20 gate (PC port 92h / keyboard controller): off makes physical address bit 20 read as 0. */
    public void setA20(boolean enabled) {
        x.mmu.setA20(enabled);
    }

    /** KVM_GET_MSR_INDEX_LIST: every MSR index RDMSR/WRMSR and the API accept, ascending. */
    public static int[] msrIndexList() {
        return MsrAccess.indexList();
    }

    /** KVM_GET_MSRS for one index (host-initiated read); empty when the MSR is not implemented. */
    public java.util.OptionalLong readMsr(int index) {
        try {
            return java.util.OptionalLong.of(MsrAccess.read(state, x.config, index));
        } catch (GuestFault f) {
            return java.util.OptionalLong.empty();
        }
    }

    /** KVM_SET_MSRS for one index (host-initiated write); false when not implemented or the value is invalid. */
    public boolean writeMsr(int index, long value) {
        try {
            if (MsrAccess.write(state, x.config, index, value, true)) {
                x.mmu.flushAll();
            }
            return true;
        } catch (GuestFault f) {
            return false;
        }
    }

    /**
     * Tells the core that its state was written from outside (KVM_SET_SREGS and friends): cached
     * translations are dropped and, in PAE mode, the PDPTEs are reloaded from CR3 as a
     * MOV to CR3 would.
     */
    public void stateChanged() {
        x.mmu.flushAll();
        code.flush();
    }

    /**
     * Forgets a #DB trap whose delivery waited for an MMIO answer: the state was replaced by one from another
     * point of the run (a snapshot), where that trap never happened. A register write keeps it, as KVM keeps a
     * pending exception across KVM_SET_REGS.
     */
    public void discardPendingTrap() {
        pendingTrap = false;
        x.mmioReads.retire();
    }

    /** KVM_TRANSLATE under the current paging mode; touches no accessed/dirty bits. */
    public Translation translate(long linearAddress) {
        return x.mmu.debugTranslate(linearAddress);
    }
}
