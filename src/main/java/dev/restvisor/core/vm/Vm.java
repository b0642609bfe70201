package dev.restvisor.core.vm;

import dev.restvisor.core.boot.BootException;
import dev.restvisor.core.boot.FlatImageLoader;
import dev.restvisor.core.boot.LinuxLoader;
import dev.restvisor.core.cpu.exec.Cpu;
import dev.restvisor.core.cpu.exec.CpuConfig;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.io.Clock;
import dev.restvisor.core.io.InterruptController;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemoryQuota;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One virtual machine (KVM_CREATE_VM): guest memory, the I/O bus, the clock and up to
 * {@link #MAX_VCPUS} vcpus. A bare VM has no memory, no vcpus and no devices.
 */
public final class Vm {
    /** KVM_CAP_MAX_VCPUS of this implementation. */
    public static final int MAX_VCPUS = 64;

    private final GuestMemory memory;
    private final IoBus io = new IoBus();
    private final Vcpu[] vcpus = new Vcpu[MAX_VCPUS];
    private final Clock clock;
    private final VirtualClock virtualClock;
    private final boolean cpuidExits;
    private final int exceptionExitVectors;
    private final java.util.List<dev.restvisor.core.io.TimedDevice> timers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile InterruptController interruptController = InterruptController.NONE;
    private final List<StatefulPart<?>> parts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Platform platform;

    /**
     * @param realTime use the host's monotonic clock instead of the deterministic instruction clock
     */
    public Vm(MemoryQuota quota, boolean realTime, boolean cpuidExits, int exceptionExitVectors) {
        this.memory = new GuestMemory(quota);
        this.cpuidExits = cpuidExits;
        this.exceptionExitVectors = exceptionExitVectors;
        this.virtualClock = new VirtualClock(this::instructionsRetired);
        if (realTime) {
            long epoch = System.nanoTime();
            this.clock = () -> System.nanoTime() - epoch;
        } else {
            this.clock = virtualClock;
        }
    }

    /** KVM_GET_MSR_INDEX_LIST: the MSRs every vcpu implements. */
    public static int[] msrIndexList() {
        return Cpu.msrIndexList();
    }

    public GuestMemory memory() {
        return memory;
    }

    public IoBus io() {
        return io;
    }

    public Clock clock() {
        return clock;
    }

    /** The deterministic clock; advanced across halts even when the VM reads real time. */
    public VirtualClock virtualClock() {
        return virtualClock;
    }

    /** KVM_CREATE_VCPU. */
    public synchronized Vcpu createVcpu(int id) {
        if (id < 0 || id >= MAX_VCPUS) {
            throw new VmError(VmError.Errno.EINVAL, "vcpu", "vcpu id must be between 0 and " + (MAX_VCPUS - 1));
        }
        if (vcpus[id] != null) {
            throw new VmError(VmError.Errno.EEXIST, "vcpu", "vcpu " + id + " already exists");
        }
        Cpu cpu = new Cpu(new CpuState(), memory, io, new CpuConfig(clock, cpuidExits, exceptionExitVectors));
        cpu.setInterruptController(interruptController);
        cpu.setTimerHorizon(this::instructionsToNextTimer);
        Vcpu vcpu = new Vcpu(id, cpu, this::advanceTimers);
        vcpus[id] = vcpu;
        return vcpu;
    }

    /** The vcpu with this id; ENOENT when absent. */
    public Vcpu vcpu(int id) {
        Vcpu v = id >= 0 && id < MAX_VCPUS ? vcpus[id] : null;
        if (v == null) {
            throw new VmError(VmError.Errno.ENOENT, "vcpu", "vcpu " + id + " does not exist");
        }
        return v;
    }

    public synchronized List<Vcpu> vcpus() {
        List<Vcpu> list = new ArrayList<>();
        for (Vcpu v : vcpus) {
            if (v != null) {
                list.add(v);
            }
        }
        return list;
    }

    /** Instructions retired by all vcpus together. */
    public long instructionsRetired() {
        long total = 0;
        for (Vcpu v : vcpus) {
            if (v != null) {
                total += v.instructionsRetired();
            }
        }
        return total;
    }

    /**
     * Loads a flat image and puts vcpu 0 at its entry ({@link FlatImageLoader}); nothing is written
     * when the image does not fit.
     */
    public void loadFlatImage(byte[] image, long loadAddress, FlatImageLoader.Entry entry, long entryPoint) {
        try {
            vcpu(0).modify(s -> FlatImageLoader.load(memory, s, image, loadAddress, entry, entryPoint));
        } catch (BootException e) {
            throw bootError(e);
        }
    }

    /**
     * Direct-boots a Linux bzImage ({@link LinuxLoader}) into memory and vcpu 0; {@code path} null picks the
     * fastest entry the kernel allows. A platform with ACPI hardware gets ACPI tables describing it. Nothing is
     * written when the kernel, initrd or command line is refused.
     */
    public LinuxLoader.Layout loadLinux(byte[] kernel, byte[] initrd, String cmdline, LinuxLoader.EntryPath path) {
        LinuxLoader.Layout[] layout = new LinuxLoader.Layout[1];
        try {
            vcpu(0).modify(s -> layout[0] = LinuxLoader.load(memory, s, kernel, initrd, cmdline, path,
                    platform == null ? null : platform.acpiHardware()));
        } catch (BootException e) {
            throw bootError(e);
        }
        return layout[0];
    }

    private static VmError bootError(BootException e) {
        return new VmError(VmError.Errno.EINVAL, e.field().equals("memory_regions") ? e.field() : "boot." + e.field(), e.getMessage());
    }

    /** Creates the built-in devices of a definition on this VM (once, before any vcpu runs). */
    public synchronized Platform attachPlatform(PlatformSpec spec, PlatformListener listener) {
        if (platform != null) {
            throw new IllegalStateException("the platform is already attached");
        }
        platform = new Platform(this, spec, listener);
        return platform;
    }

    /** The built-in devices, or null for a bare VM. */
    public Platform platform() {
        return platform;
    }

    /** Puts every built-in device back in its power-on state. */
    public void resetDevices() {
        if (platform != null) {
            platform.reset();
        }
    }

    /** Adds a device that the run loop advances with the clock. */
    public void addTimedDevice(dev.restvisor.core.io.TimedDevice device) {
        timers.add(device);
    }

    /** Connects every vcpu's INTR to this controller (the PIC). */
    public synchronized void setInterruptController(InterruptController controller) {
        this.interruptController = controller;
        for (Vcpu v : vcpus) {
            if (v != null) {
                v.cpu().setInterruptController(controller);
            }
        }
    }

    public InterruptController interruptController() {
        return interruptController;
    }

    /** Brings every timed device up to the current clock reading. */
    public void advanceTimers() {
        if (timers.isEmpty()) {
            return;
        }
        long now = clock.nanos();
        for (var t : timers) {
            t.advanceTo(now);
        }
    }

    /** The earliest clock reading at which a timed device changes state, or Long.MAX_VALUE. */
    public long nextTimerDeadline() {
        long next = Long.MAX_VALUE;
        for (var t : timers) {
            next = Math.min(next, t.nextDeadlineNanos());
        }
        return next;
    }

    /**
     * With the deterministic clock, how many instructions a vcpu may retire before the next timer deadline
     * (at least 1); Long.MAX_VALUE with real time or no deadline. A vcpu stops there and advances the timers, so
     * each timer interrupt arrives at the same instruction in every run, however a client cuts its runs.
     */
    private long instructionsToNextTimer() {
        if (realTime()) {
            return Long.MAX_VALUE;
        }
        long deadline = nextTimerDeadline();
        return deadline == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(1, deadline - clock.nanos());
    }

    /** Whether the realtime host clock drives this VM (else the deterministic instruction clock). */
    public boolean realTime() {
        return clock != virtualClock;
    }

    /** Registers a part whose state snapshots keep; its name must be unique within the VM. */
    public void addStatefulPart(StatefulPart<?> part) {
        for (StatefulPart<?> p : parts) {
            if (p.name().equals(part.name())) {
                throw new IllegalArgumentException("a stateful part named " + part.name() + " is already registered");
            }
        }
        parts.add(part);
    }

    public List<StatefulPart<?>> statefulParts() {
        return List.copyOf(parts);
    }

    /**
     * Takes ownership of every vcpu: one that runs is asked to stop at its next instruction boundary
     * and is taken when its run returns. While the hold is open no vcpu runs and no request reads or
     * writes vcpu state, so guest memory and state records can be captured or restored consistently.
     *
     * @throws VmError EBUSY when some vcpu could not be had within {@code timeoutMillis}
     */
    public VcpuHold holdVcpus(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        List<Vcpu> held = new ArrayList<>();
        List<Vcpu> all = vcpus();
        all.forEach(v -> v.wantHold(true));
        try {
            for (Vcpu v : all) {
                while (!v.tryAcquire()) {
                    if (v.status() == Vcpu.Status.RUNNING) {
                        v.requestStop();
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw new VmError(VmError.Errno.EBUSY, null,
                                "vcpu " + v.id() + " did not stop within " + timeoutMillis + " ms");
                    }
                    Thread.onSpinWait();
                    Thread.sleep(0, 100_000);
                }
                held.add(v);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            held.forEach(Vcpu::release);
            throw new VmError(VmError.Errno.EBUSY, null, "interrupted while waiting for the vcpus to stop");
        } catch (RuntimeException e) {
            held.forEach(Vcpu::release);
            throw e;
        } finally {
            all.forEach(v -> v.wantHold(false));
        }
        return new VcpuHold(held);
    }

    /** Every vcpu of a VM owned by one thread; {@link #close()} gives them back. */
    public final class VcpuHold implements AutoCloseable {
        private final List<Vcpu> held;

        private VcpuHold(List<Vcpu> held) {
            this.held = held;
        }

        /** The vcpus, the clock and every stateful part. */
        public VmState capture() {
            Map<String, Record> captured = new LinkedHashMap<>();
            for (StatefulPart<?> p : parts) {
                captured.put(p.name(), p.capture().get());
            }
            return new VmState(held.stream().map(Vcpu::capture).toList(), virtualClock.nanos(), instructionsRetired(),
                    captured);
        }

        /**
         * Puts back vcpus, clock and parts. The VM must have exactly the snapshot's vcpus and parts
         * (same ids, same names), which a VM made from the snapshot's definition has.
         */
        public void restore(VmState s) {
            List<Integer> have = held.stream().map(Vcpu::id).toList();
            List<Integer> want = s.vcpus().stream().map(VcpuState::id).toList();
            if (!have.equals(want)) {
                throw new VmError(VmError.Errno.EINVAL, "vcpus", "the snapshot holds vcpus " + want + ", the VM has " + have);
            }
            for (String name : s.parts().keySet()) {
                if (parts.stream().noneMatch(p -> p.name().equals(name))) {
                    throw new VmError(VmError.Errno.EINVAL, "devices", "the snapshot holds state of " + name + ", which this VM does not have");
                }
            }
            for (StatefulPart<?> p : parts) {
                Record r = s.parts().get(p.name());
                if (r == null) {
                    throw new VmError(VmError.Errno.EINVAL, "devices", "the snapshot holds no state of " + p.name() + ", which this VM has");
                }
            }
            for (int i = 0; i < held.size(); i++) {
                held.get(i).restore(s.vcpus().get(i));
            }
            for (StatefulPart<?> p : parts) {
                p.restoreUnchecked(s.parts().get(p.name()));
            }
            virtualClock.restoreSkipped(s.clockNanos() - instructionsRetired());
        }

        @Override
        public void close() {
            held.forEach(Vcpu::release);
        }
    }

    /** Frees guest memory; the caller has stopped every vcpu. */
    public void close() {
        memory.clear();
    }
}
