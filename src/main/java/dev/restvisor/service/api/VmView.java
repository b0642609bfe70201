package dev.restvisor.service.api;

import dev.restvisor.service.runtime.ManagedVm;
import dev.restvisor.service.runtime.SerialHub;
import dev.restvisor.service.runtime.ViewerBuffer;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/** A VM as {@code GET /vms/{id}} shows it. */
@Schema(description = "A VM.")
public record VmView(
        @Schema(description = "The VM's id (a UUID).") String id,
        @Schema(description = "The VM's name, or null.") String name,
        @Schema(description = "Lifecycle state.", allowableValues = {"created", "running", "paused", "stopped", "shutdown"}) String state,
        @Schema(description = "When the VM was created (RFC 3339).") Instant createdAt,
        @Schema(description = "The definition it was created from.") VmDefinition definition,
        @Schema(description = "The vcpus that exist now.") List<VcpuView> vcpus,
        @Schema(description = "Live memory regions.") List<KvmMemoryRegion> memoryRegions,
        @Schema(description = "Counters.") Counters counters,
        @Schema(description = "The status the guest wrote to the debug-exit port, once it has.") Integer exitStatus) {

    /** Counters of a VM. */
    @Schema(description = "Counters of a VM.")
    public record Counters(@Schema(description = "Guest instructions retired by all vcpus (u64).") U64 instructionsRetired,
                           @Schema(description = "Bytes of guest RAM allocated (u64).") U64 memoryBytes,
                           @Schema(description = "Guest instructions retired per second over the last second.") long instructionsPerSecond,
                           @Schema(description = "Exits per second over the last second (handled by the service or returned to a client).") long exitsPerSecond,
                           @Schema(description = "Exits so far by kvm.h exit name, all vcpus together.") java.util.Map<String, Long> exits,
                           @Schema(description = "Unclaimed port and MMIO accesses the service answered (all ones) or dropped while it drove the VM.") long unclaimedAccesses,
                           @Schema(description = "The console streams (WebSocket /vms/{id}/console?port=): one entry per COM port of the definition, then e9.") List<ConsoleCounters> consoles,
                           @Schema(description = "WebSocket frames of this VM's streams that were ignored because they mean nothing there (any frame sent to /events, which takes no input).") long badFrames) {
    }

    /** One console port's stream counters. */
    @Schema(description = "One console port's stream: bytes the guest wrote, and what slow viewers lost.")
    public record ConsoleCounters(@Schema(description = "The port as ?port= names it.", example = "com1") String port,
                                  @Schema(description = "Bytes the guest wrote to the port (u64).") U64 bytesWritten,
                                  @Schema(description = "Bytes dropped for viewers that read slower than the guest wrote, every viewer ever attached together: each viewer has its own buffer of "
                                          + ViewerBuffer.LIMIT + " bytes, and output that does not fit is dropped for that viewer alone.") long viewerBytesDropped,
                                  @Schema(description = "Input frames refused because the input queue was full (the viewer is told with a text frame).") long inputRefused,
                                  @Schema(description = "The viewers attached now.") List<ViewerCounters> viewers) {
        static ConsoleCounters of(String port, SerialHub hub) {
            return new ConsoleCounters(port, U64.of(hub.bytesWritten()), hub.viewerBytesDropped(), hub.inputRefused(),
                    hub.viewers().stream().map(v -> new ViewerCounters(v.id(), v.bytesSent(), v.bytesDropped(), v.bytesQueued())).toList());
        }
    }

    /** One attached console viewer. */
    @Schema(description = "One attached console viewer (a WebSocket session).")
    public record ViewerCounters(@Schema(description = "The viewer's session id.") String id,
                                 @Schema(description = "Bytes sent to it, scrollback included.") long bytesSent,
                                 @Schema(description = "Bytes dropped for it because its buffer was full.") long bytesDropped,
                                 @Schema(description = "Bytes waiting in its buffer.") long bytesQueued) {
    }

    static VmView from(ManagedVm m) {
        var vm = m.vm();
        return new VmView(m.id(), m.name(), m.state().name().toLowerCase(), m.createdAt(), VmDefinition.from(m.spec()),
                vm.vcpus().stream().map(VcpuView::from).toList(),
                vm.memory().slots().stream().map(KvmMemoryRegion::from).toList(),
                new Counters(U64.of(vm.instructionsRetired()), U64.of(vm.memory().totalSize()), Math.round(m.instructionsPerSecond()),
                        Math.round(m.exitsPerSecond()), m.exitCounts(), m.unclaimedAccesses(),
                        m.consoles().entrySet().stream().map(e -> ConsoleCounters.of(e.getKey(), e.getValue())).toList(), m.badFrames()),
                m.exitStatus());
    }
}
