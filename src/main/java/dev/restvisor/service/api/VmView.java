package dev.restvisor.service.api;

import dev.restvisor.service.runtime.ManagedVm;
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
                           @Schema(description = "Unclaimed port and MMIO accesses the service answered (all ones) or dropped while it drove the VM.") long unclaimedAccesses) {
    }

    static VmView from(ManagedVm m) {
        var vm = m.vm();
        return new VmView(m.id(), m.name(), m.state().name().toLowerCase(), m.createdAt(), VmDefinition.from(m.spec()),
                vm.vcpus().stream().map(VcpuView::from).toList(),
                vm.memory().slots().stream().map(KvmMemoryRegion::from).toList(),
                new Counters(U64.of(vm.instructionsRetired()), U64.of(vm.memory().totalSize()), Math.round(m.instructionsPerSecond()),
                        Math.round(m.exitsPerSecond()), m.exitCounts(), m.unclaimedAccesses()), m.exitStatus());
    }
}
