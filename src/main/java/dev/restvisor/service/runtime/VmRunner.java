package dev.restvisor.service.runtime;

import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.vm.RunRequest;
import dev.restvisor.core.vm.RunResult;
import dev.restvisor.core.vm.Vcpu;
import dev.restvisor.core.vm.VcpuExit;
import dev.restvisor.core.vm.Vm;
import dev.restvisor.core.vm.VmError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a VM without an API client: one platform thread per vcpu runs it in slices and handles
 * every exit itself. Unclaimed port and MMIO reads return all ones and writes are dropped (both
 * counted and reported); HLT idles until an interrupt the vcpu can take, jumping the virtual
 * clock to the next timer deadline while every vcpu halts; a debug event or a reported exception
 * pauses the VM; SHUTDOWN stops or resets it as the definition says. A vcpu thread never dies
 * of an exception: an unexpected failure stops the VM and is reported as an event.
 */
final class VmRunner {
    private static final Logger LOG = LoggerFactory.getLogger(VmRunner.class);
    /** Instructions per run slice: small enough that pause and stop are prompt. */
    private static final long SLICE_INSTRUCTIONS = 5_000_000;
    private static final long SLICE_NANOS = 50_000_000;
    /** Longest sleep of a halted vcpu before it looks again (input may arrive from the console). */
    private static final long IDLE_POLL_NANOS = 2_000_000;

    /** What the runner asks the VM owner to do when the guest decides it. */
    interface Owner {
        void paused(String reason);

        void shutdown();

        void stopped(String reason);
    }

    private final Vm vm;
    private final VmEventLog events;
    private final Owner owner;
    private final List<Thread> threads = new ArrayList<>();
    private final Object gate = new Object();
    private final AtomicInteger halted = new AtomicInteger();
    private final AtomicInteger parked = new AtomicInteger();
    private final AtomicLong unclaimedAccesses = new AtomicLong();
    private volatile boolean stopping;
    private volatile boolean pauseRequested;
    /**
     * Why the guest paused the VM (a debug event, an exception exit), reported to the owner by the
     * last vcpu thread to park, so that "paused" is never visible while a vcpu is still held.
     */
    private final java.util.concurrent.atomic.AtomicReference<String> guestPause = new java.util.concurrent.atomic.AtomicReference<>();

    VmRunner(Vm vm, VmEventLog events, Owner owner) {
        this.vm = vm;
        this.events = events;
        this.owner = owner;
    }

    long unclaimedAccesses() {
        return unclaimedAccesses.get();
    }

    synchronized void start(String vmId) {
        startThreads(vmId, false);
    }

    /** Starts the vcpu threads parked, as a restored snapshot leaves a VM: {@link #resume()} lets them run. */
    synchronized void startPaused(String vmId) {
        startThreads(vmId, true);
    }

    private void startThreads(String vmId, boolean paused) {
        stopping = false;
        pauseRequested = paused;
        for (Vcpu v : vm.vcpus()) {
            threads.add(Thread.ofPlatform().name("vcpu-" + vmId + "-" + v.id()).daemon().start(() -> loop(v)));
        }
    }

    boolean running() {
        return !threads.isEmpty() && !pauseRequested;
    }

    /** True while a pause (by request or by the guest) holds the vcpu threads. */
    boolean pauseRequested() {
        return pauseRequested;
    }

    /**
     * Stops every vcpu at its next slice boundary and waits until every vcpu thread has parked,
     * that is, has left its run and released its vcpu: when this returns, the vcpu resources
     * answer at once instead of 409.
     */
    void pause() {
        pauseRequested = true;
        vm.vcpus().forEach(Vcpu::requestStop);
        synchronized (gate) {
            gate.notifyAll();
        }
        awaitParked();
    }

    /**
     * Waits until every live vcpu thread is parked. A slice ends within one instruction of the stop
     * request, so this is short; the bound only guards against a vcpu thread stuck in the host.
     */
    void awaitParked() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (pauseRequested && !stopping && parked.get() < liveThreads() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            sleepNanos(100_000);
        }
    }

    void resume() {
        synchronized (gate) {
            pauseRequested = false;
            guestPause.set(null);
            gate.notifyAll();
        }
    }

    /**
     * Makes every vcpu leave its run at the next instruction boundary and its thread end, without
     * waiting (callable from a vcpu thread, e.g. when the guest writes the debug-exit port).
     */
    void halt() {
        stopping = true;
        vm.vcpus().forEach(Vcpu::requestStop);
        synchronized (gate) {
            gate.notifyAll();
        }
    }

    /** Ends every vcpu thread and waits for it. */
    void stop() {
        List<Thread> toJoin;
        synchronized (this) {
            stopping = true;
            toJoin = new ArrayList<>(threads);
            threads.clear();
        }
        vm.vcpus().forEach(Vcpu::requestStop);
        synchronized (gate) {
            gate.notifyAll();
        }
        if (toJoin.contains(Thread.currentThread())) {
            return;
        }
        for (Thread t : toJoin) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Wakes halted vcpus so they look at their interrupt lines again (console input arrived). */
    void kick() {
        synchronized (gate) {
            gate.notifyAll();
        }
    }

    private int liveThreads() {
        int n = 0;
        synchronized (this) {
            for (Thread t : threads) {
                if (t.isAlive()) {
                    n++;
                }
            }
        }
        return n;
    }

    private void loop(Vcpu v) {
        byte[] ioData = null;
        byte[] mmioData = null;
        try {
            while (!stopping) {
                if (pauseRequested) {
                    park();
                    continue;
                }
                RunResult r = runSlice(v, ioData, mmioData);
                ioData = null;
                mmioData = null;
                if (r == null) {
                    continue;
                }
                switch (r.exit()) {
                    case VcpuExit.Io io -> {
                        unclaimed(v, "port", io.port(), io.in(), io.size() * io.count());
                        if (io.in()) {
                            ioData = allOnes(io.size() * io.count());
                        }
                    }
                    case VcpuExit.Mmio m -> {
                        unclaimed(v, "mmio", m.physAddr(), !m.isWrite(), m.len());
                        if (!m.isWrite()) {
                            mmioData = allOnes(m.len());
                        }
                    }
                    case VcpuExit.Hlt h -> idle(v);
                    case VcpuExit.Debug d -> {
                        events.publish("debug", v.id(), Map.of("pc", hex(d.pc()), "exception", d.exception()));
                        pauseFromGuest("debug event at " + hex(d.pc()));
                    }
                    case VcpuExit.Exception x -> {
                        events.publish("exception", v.id(), Map.of("exception", x.exception(), "error_code", x.errorCode()));
                        pauseFromGuest("guest exception " + x.exception());
                    }
                    case VcpuExit.Cpuid c -> {
                        events.publish("cpuid", v.id(), Map.of("function", c.function(), "index", c.index()));
                        pauseFromGuest("CPUID exit: the definition asks for CPUID exits, which only an API client can answer");
                    }
                    case VcpuExit.Shutdown s -> {
                        events.publish("shutdown", v.id(), Map.of());
                        owner.shutdown();
                        return;
                    }
                    case VcpuExit.FailEntry f -> {
                        events.publish("fail_entry", v.id(), Map.of("reason", f.reason()));
                        owner.stopped("vcpu " + v.id() + " cannot be entered: " + f.reason());
                        return;
                    }
                    case VcpuExit.IrqWindowOpen w -> { }
                    case VcpuExit.Intr i -> { }
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("vcpu {} failed", v.id(), e);
            events.publish("error", v.id(), Map.of("detail", "the vcpu thread stopped on an internal error; the VM was stopped"));
            owner.stopped("internal error in vcpu " + v.id());
        }
    }

    /** One KVM_RUN slice; null when the API held the vcpu for a moment (it is tried again). */
    private RunResult runSlice(Vcpu v, byte[] ioData, byte[] mmioData) {
        try {
            return v.run(new RunRequest(false, ioData, mmioData, false, false, SLICE_INSTRUCTIONS, SLICE_NANOS));
        } catch (VmError e) {
            if (e.errno() != VmError.Errno.EBUSY) {
                throw e;
            }
            sleepNanos(100_000);
            return null;
        }
    }

    /**
     * The guest stopped on a debug event or a reported exception: every vcpu stops, and the owner
     * hears of it from the last thread to park (this one, or another vcpu's).
     */
    private void pauseFromGuest(String reason) {
        guestPause.compareAndSet(null, reason);
        pauseRequested = true;
        vm.vcpus().forEach(Vcpu::requestStop);
        synchronized (gate) {
            gate.notifyAll();
        }
    }

    private void park() {
        parked.incrementAndGet();
        if (guestPause.get() != null && parked.get() >= liveThreads()) {
            String reason = guestPause.getAndSet(null);
            if (reason != null) {
                owner.paused(reason);
            }
        }
        try {
            synchronized (gate) {
                while (pauseRequested && !stopping) {
                    gate.wait();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        } finally {
            parked.decrementAndGet();
        }
    }

    /**
     * HLT: wait for an interrupt the vcpu can take. With IF = 0 only a reset, pause or stop ends
     * the wait, as on hardware (no NMI source exists here).
     */
    private void idle(Vcpu v) {
        halted.incrementAndGet();
        try {
            while (!stopping && !pauseRequested) {
                vm.advanceTimers();
                if (canTakeInterrupt(v)) {
                    return;
                }
                long deadline = vm.nextTimerDeadline();
                boolean interruptible = interruptsEnabled(v);
                if (interruptible && !vm.realTime() && deadline != Long.MAX_VALUE && halted.get() == vm.vcpus().size()) {
                    vm.virtualClock().advanceTo(deadline);
                    continue;
                }
                long wait = IDLE_POLL_NANOS;
                if (interruptible && vm.realTime() && deadline != Long.MAX_VALUE) {
                    wait = Math.max(0, Math.min(wait, deadline - vm.clock().nanos()));
                }
                synchronized (gate) {
                    if (!stopping && !pauseRequested && wait > 0) {
                        gate.wait(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        } finally {
            halted.decrementAndGet();
        }
    }

    private boolean interruptsEnabled(Vcpu v) {
        Boolean enabled = inspect(v, s -> (s.rflags & Rflags.IF) != 0);
        return enabled != null && enabled;
    }

    private boolean canTakeInterrupt(Vcpu v) {
        if (!interruptsEnabled(v)) {
            return false;
        }
        Boolean queued = inspect(v, s -> s.pendingInterrupt() >= 0);
        return (queued != null && queued) || vm.interruptController().hasInterrupt();
    }

    private static <T> T inspect(Vcpu v, java.util.function.Function<dev.restvisor.core.cpu.state.CpuState, T> reader) {
        try {
            return v.inspect(reader);
        } catch (VmError busy) {
            return null;
        }
    }

    private void unclaimed(Vcpu v, String space, long address, boolean read, int bytes) {
        unclaimedAccesses.incrementAndGet();
        events.publish("unclaimed_" + space, v.id(), Map.of("address", hex(address), "access", read ? "read" : "write", "bytes", bytes));
    }

    private static byte[] allOnes(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 0xff);
        return b;
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
