package dev.restvisor.service.runtime;

import dev.restvisor.core.devices.uart16550.ComPort;
import dev.restvisor.core.devices.uart16550.Uart16550;
import dev.restvisor.core.vm.PlatformListener;
import dev.restvisor.core.vm.Vcpu;
import dev.restvisor.core.vm.Vm;
import dev.restvisor.core.vm.VmError;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * A live VM with its identity, definition, event log and lifecycle: created, running (the service
 * drives its vcpus), paused, stopped, or shut down by a triple fault.
 */
public final class ManagedVm implements VmRunner.Owner, PlatformListener {

    /** The lifecycle state shown by {@code GET /vms/{id}}. */
    public enum State {
        CREATED, RUNNING, PAUSED, STOPPED, SHUTDOWN
    }

    private final String id;
    private volatile VmSpec spec;
    private final Vm vm;
    private final Instant createdAt;
    private final VmEventLog events = new VmEventLog();
    private final VmRunner runner;
    private final Runnable boot;
    private final Map<ComPort, SerialHub> serial = new EnumMap<>(ComPort.class);
    private final SerialHub debugConsole = new SerialHub(null, () -> { });
    private volatile State state = State.CREATED;
    private volatile Integer exitStatus;

    /**
     * Builds the VM's devices from its definition.
     *
     * @param boot loads the definition's boot source into memory and vcpu 0
     */
    ManagedVm(String id, VmSpec spec, Vm vm, Instant createdAt, java.util.function.Consumer<ManagedVm> boot) {
        this.id = id;
        this.spec = spec;
        this.vm = vm;
        this.createdAt = createdAt;
        this.boot = () -> boot.accept(this);
        this.runner = new VmRunner(vm, events, this);
        var platform = vm.attachPlatform(spec.devices(), this);
        for (Map.Entry<ComPort, Uart16550> e : platform.uarts().entrySet()) {
            serial.put(e.getKey(), new SerialHub(e.getValue(), this::kick));
        }
    }

    /** The serial hub of a COM port, or null when the VM has no UART there. */
    public SerialHub serial(ComPort port) {
        return serial.get(port);
    }

    /** The bytes written to the 0xE9 debug console. */
    public SerialHub debugConsole() {
        return debugConsole;
    }

    /** The status the guest wrote to the debug-exit port, or null. */
    public Integer exitStatus() {
        return exitStatus;
    }

    private long sampledInstructions;
    private long sampledExits;
    private long sampledAt = System.nanoTime();
    private volatile double instructionsPerSecond;
    private volatile double exitsPerSecond;

    /** Guest instructions retired per second over the last sampling period. */
    public double instructionsPerSecond() {
        return instructionsPerSecond;
    }

    /** Exits (of every reason, handled by the service or returned to a client) per second over the last period. */
    public double exitsPerSecond() {
        return exitsPerSecond;
    }

    /** Exits of every vcpu by kvm.h name. */
    public Map<String, Long> exitCounts() {
        Map<String, Long> total = new java.util.TreeMap<>();
        for (Vcpu v : vm.vcpus()) {
            v.exitCounts().forEach((k, n) -> total.merge(k, n, Long::sum));
        }
        return total;
    }

    /** Updates the rates and, while the VM runs, reports them as a counters event. */
    synchronized void sampleCounters() {
        long now = System.nanoTime();
        long retired = vm.instructionsRetired();
        long exits = exitCounts().values().stream().mapToLong(Long::longValue).sum();
        double seconds = (now - sampledAt) / 1e9;
        if (seconds > 0) {
            instructionsPerSecond = (retired - sampledInstructions) / seconds;
            exitsPerSecond = (exits - sampledExits) / seconds;
        }
        sampledAt = now;
        sampledInstructions = retired;
        sampledExits = exits;
        if (state == State.RUNNING) {
            events.publish("counters", -1, Map.of("instructions_retired", retired, "instructions_per_second", Math.round(instructionsPerSecond),
                    "exits_per_second", Math.round(exitsPerSecond), "exits", exitCounts(), "unclaimed_accesses", unclaimedAccesses(),
                    "console_viewer_bytes_dropped", consoleViewerBytesDropped(), "bad_frames", badFrames()));
        }
    }

    void pumpSerial() {
        serial.values().forEach(SerialHub::pump);
        debugConsole.pump();
    }

    /** The console ports with their hubs: COM ports by name ("com1"), then "e9". */
    public Map<String, SerialHub> consoles() {
        Map<String, SerialHub> out = new java.util.LinkedHashMap<>();
        serial.forEach((port, hub) -> out.put(port.name().toLowerCase(), hub));
        out.put("e9", debugConsole);
        return out;
    }

    private Map<String, Long> consoleViewerBytesDropped() {
        Map<String, Long> out = new java.util.TreeMap<>();
        consoles().forEach((port, hub) -> out.put(port, hub.viewerBytesDropped()));
        return out;
    }

    private final java.util.concurrent.atomic.AtomicLong badFrames = new java.util.concurrent.atomic.AtomicLong();

    /** Counts a WebSocket frame of this VM's streams that was ignored because it made no sense there. */
    public void badFrame() {
        badFrames.incrementAndGet();
    }

    /** WebSocket frames ignored so far, console and events streams together. */
    public long badFrames() {
        return badFrames.get();
    }

    @Override
    public void serialOutput(ComPort port, int value) {
        SerialHub hub = port == null ? debugConsole : serial.get(port);
        hub.output(value);
    }

    @Override
    public void debugExit(int status) {
        exitStatus = status;
        runner.halt();
        events.publish("debug_exit", -1, Map.of("status", status));
        stopped("the guest wrote " + status + " to the debug-exit port");
    }

    @Override
    public void postCode(int code) {
        events.publish("post_code", -1, Map.of("code", code));
    }

    @Override
    public void powerOff() {
        events.publish("power_off", -1, Map.of("detail", "the guest entered ACPI S5 (soft-off)"));
        stopped("the guest powered off (ACPI S5)");
    }

    @Override
    public void resetRequested() {
        Thread.ofPlatform().daemon().start(() -> {
            synchronized (this) {
                if (state == State.RUNNING) {
                    reset();
                }
            }
        });
    }

    @Override
    public void interruptRaised() {
        runner.kick();
    }

    public String id() {
        return id;
    }

    public String name() {
        return spec.name();
    }

    public VmSpec spec() {
        return spec;
    }

    /** Replaces the boot source; the next start or reset loads it. */
    void setBoot(VmSpec.Boot boot) {
        spec = spec.withBoot(boot);
    }

    public Vm vm() {
        return vm;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public State state() {
        return state;
    }

    public VmEventLog events() {
        return events;
    }

    /** Unclaimed port and MMIO accesses answered by the service while it drove the VM. */
    public long unclaimedAccesses() {
        return runner.unclaimedAccesses();
    }

    /** True while the service drives the vcpus: KVM_RUN and state writes from clients are refused. */
    public boolean serviceDriven() {
        return state == State.RUNNING;
    }

    /** The lifecycle actions of {@code POST /vms/{id}/actions}. */
    public enum Action {
        START, PAUSE, RESUME, RESET, STOP
    }

    public synchronized void perform(Action action) {
        switch (action) {
            case START -> start();
            case PAUSE -> {
                require(State.RUNNING, "pause");
                runner.pause();
                transition(State.PAUSED, "paused by request");
            }
            case RESUME -> {
                require(State.PAUSED, "resume");
                transition(State.RUNNING, "resumed");
                runner.resume();
            }
            case RESET -> reset();
            case STOP -> {
                if (state == State.CREATED || state == State.STOPPED) {
                    throw conflict("stop", "it is not running");
                }
                runner.stop();
                transition(State.STOPPED, "stopped by request");
            }
        }
    }

    private void start() {
        if (state == State.RUNNING || state == State.PAUSED) {
            throw conflict("start", "it is already " + state.name().toLowerCase() + "; use resume, reset or stop");
        }
        if (vm.vcpus().isEmpty()) {
            throw new VmError(VmError.Errno.EINVAL, "action", "the VM has no vcpus to run: create one first (PUT /vms/{id}/vcpus/0)");
        }
        if (state != State.CREATED) {
            resetVcpus();
        }
        boot.run();
        transition(State.RUNNING, "started");
        runner.start(id);
    }

    private void reset() {
        if (state == State.CREATED) {
            throw conflict("reset", "it was never started");
        }
        boolean wasRunning = state == State.RUNNING;
        runner.stop();
        resetVcpus();
        boot.run();
        events.publish("lifecycle", -1, Map.of("state", "reset"));
        if (wasRunning || state == State.PAUSED) {
            transition(State.RUNNING, "running after reset");
            runner.start(id);
            if (!wasRunning) {
                runner.pause();
                transition(State.PAUSED, "paused after reset");
            }
        }
    }

    private void resetVcpus() {
        for (Vcpu v : vm.vcpus()) {
            v.modify(s -> s.reset());
        }
        vm.resetDevices();
    }

    /**
     * Before a snapshot is restored into this VM: a running VM is paused; any other gets its vcpu
     * threads started parked. Afterwards the VM is paused and {@code resume} runs the restored state.
     */
    synchronized void pauseForRestore() {
        switch (state) {
            case RUNNING -> runner.pause();
            case PAUSED -> { }
            default -> {
                runner.stop();
                runner.startPaused(id);
            }
        }
        transition(State.PAUSED, "restored from a snapshot");
    }

    /** Deletes: stops the vcpu threads. */
    synchronized void shutdownRunner() {
        runner.stop();
        state = State.STOPPED;
    }

    /** Console input arrived: halted vcpus look at their interrupt lines again. */
    public void kick() {
        runner.kick();
    }

    /**
     * The guest paused the VM (breakpoint, single-step, exception exit); called by the last vcpu
     * thread to park, so every vcpu is already released. The transition runs on its own thread:
     * a vcpu thread never waits for this VM's lock, which a stop holds while it joins the vcpu
     * threads. It is skipped when a request changed the VM in between (stopped, or paused and
     * resumed).
     */
    @Override
    public void paused(String reason) {
        Thread.ofPlatform().daemon().start(() -> {
            synchronized (this) {
                if (state == State.RUNNING && runner.pauseRequested()) {
                    transition(State.PAUSED, reason);
                }
            }
        });
    }

    @Override
    public void shutdown() {
        Thread.ofPlatform().daemon().start(() -> {
            synchronized (this) {
                if (state != State.RUNNING) {
                    return;
                }
                if (spec.onShutdown() == VmSpec.OnShutdown.RESET) {
                    reset();
                } else {
                    runner.stop();
                    transition(State.SHUTDOWN, "triple fault (SHUTDOWN)");
                }
            }
        });
    }

    @Override
    public void stopped(String reason) {
        Thread.ofPlatform().daemon().start(() -> {
            synchronized (this) {
                runner.stop();
                transition(State.STOPPED, reason);
            }
        });
    }

    private void transition(State next, String reason) {
        state = next;
        events.publish("lifecycle", -1, Map.of("state", next.name().toLowerCase(), "reason", reason));
    }

    private void require(State expected, String action) {
        if (state != expected) {
            throw conflict(action, "it is " + state.name().toLowerCase());
        }
    }

    private VmError conflict(String action, String why) {
        return new VmError(VmError.Errno.EBUSY, "action", "cannot " + action + " VM " + id + ": " + why);
    }
}
