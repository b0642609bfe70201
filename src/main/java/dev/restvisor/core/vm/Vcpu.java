package dev.restvisor.core.vm;

import dev.restvisor.core.cpu.exec.Cpu;
import dev.restvisor.core.cpu.exec.CpuExit;
import dev.restvisor.core.cpu.exec.ExitReason;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Rflags;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One vcpu (KVM_CREATE_VCPU) and its state machine. Exactly one thread owns it at a time: a run,
 * or a read or write of its state. A second caller gets {@link VmError.Errno#EBUSY}.
 */
public final class Vcpu {

    /** Where the vcpu is in its life. */
    public enum Status {
        CREATED, RUNNABLE, RUNNING, PAUSED, SHUTDOWN
    }

    /** Instructions between checks of the wall-clock budget, the stop flag and the timers. */
    private static final long SLICE = 65_536;

    private final int id;
    private final Cpu cpu;
    private final Runnable timerPoll;
    private final AtomicReference<Thread> owner = new AtomicReference<>();
    private volatile boolean holdWanted;
    private volatile Status status = Status.CREATED;
    private volatile boolean stopRequested;
    private volatile GuestDebug debug = GuestDebug.OFF;
    private final java.util.concurrent.atomic.AtomicLongArray exitCounts =
            new java.util.concurrent.atomic.AtomicLongArray(ExitReason.values().length);
    private VcpuExit lastExit;
    private int lastInstructionLength;

    Vcpu(int id, Cpu cpu, Runnable timerPoll) {
        this.id = id;
        this.cpu = cpu;
        this.timerPoll = timerPoll;
    }

    public int id() {
        return id;
    }

    public Status status() {
        return status;
    }

    public Cpu cpu() {
        return cpu;
    }

    /** The exit of the previous run (null before the first), for completing an IN by value. */
    public VcpuExit lastExit() {
        return lastExit;
    }

    public long instructionsRetired() {
        return cpu.instructionsRetired();
    }

    /** Reads vcpu state under ownership; EBUSY while it runs. */
    public <T> T inspect(Function<CpuState, T> reader) {
        acquire();
        try {
            return reader.apply(cpu.state());
        } finally {
            release();
        }
    }

    /** Changes vcpu state under ownership; EBUSY while it runs. A write revives a shut-down vcpu. */
    public void modify(Consumer<CpuState> writer) {
        acquire();
        try {
            writer.accept(cpu.state());
            cpu.stateChanged();
            if (status == Status.SHUTDOWN || status == Status.CREATED) {
                status = Status.RUNNABLE;
            }
        } finally {
            release();
        }
    }

    public GuestDebug debug() {
        return debug;
    }

    /** KVM_SET_GUEST_DEBUG; EBUSY while the vcpu runs. */
    public void setDebug(GuestDebug next) {
        if (next.breakpoints().length > GuestDebug.MAX_BREAKPOINTS) {
            throw new VmError(VmError.Errno.E2BIG, "breakpoints",
                    "at most " + GuestDebug.MAX_BREAKPOINTS + " breakpoints, got " + next.breakpoints().length);
        }
        acquire();
        try {
            cpu.setDebug(next.enabled(), next.enabled() && next.singleStep(), next.enabled() ? next.breakpoints() : new long[0]);
            debug = next;
        } finally {
            release();
        }
    }

    /** KVM_GET_MSRS for one index; empty when the MSR is not implemented. EBUSY while running. */
    public java.util.OptionalLong readMsr(int index) {
        acquire();
        try {
            return cpu.readMsr(index);
        } finally {
            release();
        }
    }

    /** KVM_SET_MSRS for one index; false when not implemented or refused. EBUSY while running. */
    public boolean writeMsr(int index, long value) {
        acquire();
        try {
            return cpu.writeMsr(index, value);
        } finally {
            release();
        }
    }

    /**
     * Lists {@code count} instructions from CS offset {@code ip} (null: the current RIP) in the
     * vcpu's current code size. EBUSY while running.
     */
    public List<Disassembly.Line> disassemble(Long ip, int count, dev.restvisor.core.memory.GuestMemory memory) {
        acquire();
        try {
            return Disassembly.list(cpu, memory, ip == null ? cpu.state().rip : ip, count);
        } finally {
            release();
        }
    }

    /** KVM_TRANSLATE. EBUSY while running. */
    public dev.restvisor.core.cpu.mmu.Translation translate(long linear) {
        acquire();
        try {
            return cpu.translate(linear);
        } finally {
            release();
        }
    }

    /** Makes a current run return KVM_EXIT_INTR at the next slice boundary. */
    public void requestStop() {
        stopRequested = true;
        cpu.requestStop();
    }

    /** KVM_RUN; EBUSY while a hold of the whole VM is waiting for the vcpu, so a run loop cannot starve it. */
    public RunResult run(RunRequest request) {
        if (holdWanted) {
            throw new VmError(VmError.Errno.EBUSY, null, "vcpu " + id + " is being held for a snapshot or restore");
        }
        acquire();
        Status before = status;
        status = Status.RUNNING;
        stopRequested = false;
        try {
            VcpuExit exit = execute(request);
            lastExit = exit;
            exitCounts.incrementAndGet(reasonOf(exit).ordinal());
            status = exit instanceof VcpuExit.Shutdown ? Status.SHUTDOWN
                    : exit instanceof VcpuExit.Intr && stopRequested ? Status.PAUSED : Status.RUNNABLE;
            CpuState s = cpu.state();
            return new RunResult(exit, lastInstructionLength, cpu.readyForInterruptInjection(),
                    (s.rflags & Rflags.IF) != 0, s.cr8, s.apicBase);
        } catch (RuntimeException e) {
            status = before;
            throw e;
        } finally {
            release();
        }
    }

    private VcpuExit execute(RunRequest request) {
        String invalid = EntryChecks.check(cpu.state());
        if (invalid != null) {
            return new VcpuExit.FailEntry(0x80000021L, invalid);
        }
        complete(request);
        lastInstructionLength = 0;
        if (request.immediateExit()) {
            return new VcpuExit.Intr();
        }
        // KVM with a userspace irqchip: after KVM_EXIT_HLT the next KVM_RUN continues after the HLT;
        // whoever drives the vcpu decides how long to wait for an interrupt first.
        cpu.state().halted = false;
        cpu.setRequestInterruptWindow(request.requestInterruptWindow());
        long deadline = System.nanoTime() + request.timeoutNanos();
        long remaining = request.maxInstructions();
        while (true) {
            long before = cpu.instructionsRetired();
            CpuExit exit = cpu.run(Math.min(remaining, SLICE));
            remaining -= cpu.instructionsRetired() - before;
            timerPoll.run();
            if (exit.reason != ExitReason.INTR || stopRequested || remaining <= 0 || System.nanoTime() - deadline >= 0) {
                lastInstructionLength = exit.instructionLength;
                return convert(exit);
            }
        }
    }

    private void complete(RunRequest request) {
        boolean pending = lastExit instanceof VcpuExit.Io io && io.in() || lastExit instanceof VcpuExit.Mmio m && !m.isWrite();
        if (request.emulated() && pending) {
            // the client emulated the whole instruction: continue after it (kvm_run.emulated, API v3)
            cpu.state().rip += lastInstructionLength;
            lastExit = null;
            return;
        }
        if (request.ioData() != null) {
            if (!(lastExit instanceof VcpuExit.Io io) || !io.in() || !pending) {
                throw new VmError(VmError.Errno.EINVAL, "io", "no IN is waiting for data: the last exit was not KVM_EXIT_IO_IN");
            }
            int expected = io.size() * io.count();
            if (request.ioData().length != expected) {
                throw new VmError(VmError.Errno.EINVAL, "io",
                        "the pending IN needs " + expected + " bytes (count " + io.count() + " x size " + io.size()
                                + "), got " + request.ioData().length);
            }
            cpu.completeIo(request.ioData());
        }
        if (request.mmioData() != null) {
            if (!(lastExit instanceof VcpuExit.Mmio mmio) || mmio.isWrite() || !pending) {
                throw new VmError(VmError.Errno.EINVAL, "mmio", "no MMIO read is waiting for data: the last exit was not an MMIO read");
            }
            if (request.mmioData().length != mmio.len()) {
                throw new VmError(VmError.Errno.EINVAL, "mmio",
                        "the pending MMIO read needs " + mmio.len() + " bytes, got " + request.mmioData().length);
            }
            cpu.completeMmioRead(request.mmioData());
        }
    }

    /** Exits since the vcpu was created, by kvm.h exit name ({@code KVM_EXIT_IO} ...), reasons with none left out. */
    public java.util.Map<String, Long> exitCounts() {
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        for (ExitReason r : ExitReason.values()) {
            long n = exitCounts.get(r.ordinal());
            if (n > 0) {
                counts.put(kvmName(r), n);
            }
        }
        return counts;
    }

    /** The kvm.h name of an exit: KVM_EXIT_IO, KVM_EXIT_HLT, ... */
    public static String kvmName(VcpuExit e) {
        return kvmName(reasonOf(e));
    }

    private static String kvmName(ExitReason r) {
        return "KVM_EXIT_" + r.name();
    }

    private static ExitReason reasonOf(VcpuExit e) {
        return switch (e) {
            case VcpuExit.Io x -> ExitReason.IO;
            case VcpuExit.Mmio x -> ExitReason.MMIO;
            case VcpuExit.Hlt x -> ExitReason.HLT;
            case VcpuExit.Shutdown x -> ExitReason.SHUTDOWN;
            case VcpuExit.Debug x -> ExitReason.DEBUG;
            case VcpuExit.Exception x -> ExitReason.EXCEPTION;
            case VcpuExit.Cpuid x -> ExitReason.CPUID;
            case VcpuExit.IrqWindowOpen x -> ExitReason.IRQ_WINDOW_OPEN;
            case VcpuExit.Intr x -> ExitReason.INTR;
            case VcpuExit.FailEntry x -> ExitReason.FAIL_ENTRY;
        };
    }

    private static VcpuExit convert(CpuExit e) {
        return switch (e.reason) {
            case IO -> new VcpuExit.Io(e.ioIn, e.ioSize, e.ioPort, e.ioCount, e.ioString, e.ioStringDown, e.ioRep,
                    e.ioAddress, e.ioIn ? new byte[0] : Arrays.copyOf(e.ioData, e.ioSize * e.ioCount));
            case MMIO -> new VcpuExit.Mmio(e.mmioPhysAddr, e.mmioLen, e.mmioWrite,
                    e.mmioWrite ? Arrays.copyOf(e.mmioData, e.mmioLen) : new byte[e.mmioLen]);
            case HLT -> new VcpuExit.Hlt();
            case DEBUG -> new VcpuExit.Debug(e.debugException, e.debugPc, e.debugDr6);
            case SHUTDOWN -> new VcpuExit.Shutdown();
            case EXCEPTION -> new VcpuExit.Exception(e.exceptionVector, e.exceptionErrorCode);
            case CPUID -> new VcpuExit.Cpuid(e.cpuidFunction, e.cpuidIndex);
            case IRQ_WINDOW_OPEN -> new VcpuExit.IrqWindowOpen();
            case INTR -> new VcpuExit.Intr();
            case FAIL_ENTRY -> new VcpuExit.FailEntry(0x80000021L, e.failEntryReason);
        };
    }

    /** Marks (or unmarks) the vcpu as wanted by a hold: new runs are refused until the hold has it and lets go. */
    void wantHold(boolean wanted) {
        holdWanted = wanted;
    }

    /** Takes ownership without waiting; false while another thread runs or accesses the vcpu. */
    boolean tryAcquire() {
        return owner.compareAndSet(null, Thread.currentThread());
    }

    /** The vcpu's state for a snapshot; the caller owns the vcpu. */
    VcpuState capture() {
        return new VcpuState(id, cpu.state(), debug);
    }

    /**
     * Puts back a captured state; the caller owns the vcpu. The previous exit is forgotten, so an
     * IN or MMIO read that was waiting for data is executed again and exits again.
     */
    void restore(VcpuState s) {
        cpu.state().copyFrom(s.registers());
        cpu.stateChanged();
        cpu.discardPendingTrap();
        GuestDebug d = s.debug();
        cpu.setDebug(d.enabled(), d.enabled() && d.singleStep(), d.enabled() ? d.breakpoints() : new long[0]);
        debug = d;
        lastExit = null;
        status = Status.PAUSED;
    }

    private void acquire() {
        if (!owner.compareAndSet(null, Thread.currentThread())) {
            throw new VmError(VmError.Errno.EBUSY, null, "vcpu " + id + " is busy: it is running or being accessed by another request");
        }
    }

    void release() {
        owner.set(null);
    }
}
