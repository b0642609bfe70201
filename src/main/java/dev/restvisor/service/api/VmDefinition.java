package dev.restvisor.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.restvisor.service.runtime.VmSpec;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.ArrayList;
import java.util.List;

/** The body of {@code POST /vms}: every member optional; a VM with only a name is bare, as KVM_CREATE_VM gives. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "A VM definition. Every member is optional; with only a name the VM is bare (no memory, vcpus or devices), as KVM_CREATE_VM gives.")
public record VmDefinition(
        @Schema(description = "A human name, 1-100 characters.", example = "demo") String name,
        @Schema(description = "Memory regions to create, as KVM_SET_MEMORY_REGION would.") List<KvmMemoryRegion> memoryRegions,
        @Schema(description = "Number of vcpus to create, ids 0..n-1.", minimum = "0", maximum = "64") Integer vcpus,
        @Schema(description = "The time base: `virtual` (default; derived from retired instructions, so runs are reproducible) or `realtime`.", allowableValues = {"virtual", "realtime"}) String clock,
        @Schema(description = "true: CPUID exits to the client as KVM_EXIT_CPUID; false (default): the built-in CPUID model answers.") Boolean cpuidExits,
        @Schema(description = "Guest exception vectors (0-31) reported as KVM_EXIT_EXCEPTION instead of delivered to the guest (extension). "
                + "INT3 and INTO raise #BP (3) and #OF (4) and are reported with RIP at the instruction, as VMX's exception bitmap intercepts them "
                + "(so [3] turns planted INT3 bytes into software breakpoints); INT n is a software interrupt and always delivered. "
                + "When the service drives the VM (actions/start), such an exit pauses it.") List<Integer> exceptionExits,
        @Schema(description = "What SHUTDOWN (triple fault) does when the service drives the VM: `stop` (default) or `reset`.", allowableValues = {"stop", "reset"}) String onShutdown,
        @Schema(description = "Built-in devices; none when absent.") DevicesDefinition devices,
        @Schema(description = "What the start action loads; none when absent (then start runs from the vcpus' current state).") BootSource boot,
        @Schema(description = "The ids of the vcpus, ascending, when they are not 0..vcpus-1: a VM whose vcpus were created one by one "
                + "(KVM_CREATE_VCPU) with other ids is defined, and stored, this way. Absent: the ids are 0..vcpus-1. When given, "
                + "vcpus may be left out; if both are given, vcpus must equal its length.") List<Integer> vcpuIds) {

    VmSpec toSpec() {
        List<VmSpec.Region> regions = new ArrayList<>();
        if (memoryRegions != null) {
            for (int i = 0; i < memoryRegions.size(); i++) {
                KvmMemoryRegion r = memoryRegions.get(i);
                Fields f = new Fields("memory_regions[" + i + "]");
                if (r == null) {
                    throw f.missing("");
                }
                regions.add(new VmSpec.Region(f.range("slot", r.slot(), 0, 31), r.flags() == null ? 0 : r.flags(),
                        f.u64("guest_phys_addr", r.guestPhysAddr()), f.u64("memory_size", r.memorySize())));
            }
        }
        boolean realtime = switch (clock == null ? "virtual" : clock) {
            case "virtual" -> false;
            case "realtime" -> true;
            default -> throw new ApiException(ProblemType.INVALID_ARGUMENT, "clock", "clock must be \"virtual\" or \"realtime\"");
        };
        VmSpec.OnShutdown shutdown = switch (onShutdown == null ? "stop" : onShutdown) {
            case "stop" -> VmSpec.OnShutdown.STOP;
            case "reset" -> VmSpec.OnShutdown.RESET;
            default -> throw new ApiException(ProblemType.INVALID_ARGUMENT, "on_shutdown", "on_shutdown must be \"stop\" or \"reset\"");
        };
        int count = vcpus != null ? vcpus : vcpuIds != null ? vcpuIds.size() : 0;
        if (vcpuIds != null && vcpuIds.contains(null)) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "vcpu_ids", "vcpu_ids holds a null");
        }
        return new VmSpec(name, regions, count, realtime, Boolean.TRUE.equals(cpuidExits),
                exceptionExits, shutdown, devices == null ? null : devices.toSpec(), boot == null ? null : boot.toSpec(), vcpuIds);
    }

    static VmDefinition from(VmSpec s) {
        return new VmDefinition(s.name(), s.memoryRegions().stream()
                .map(r -> new KvmMemoryRegion(r.slot(), r.flags(), U64.of(r.guestPhysAddr()), U64.of(r.memorySize()))).toList(),
                s.vcpus(), s.realtimeClock() ? "realtime" : "virtual", s.cpuidExits(), s.exceptionExits(),
                s.onShutdown().name().toLowerCase(), DevicesDefinition.from(s.devices()), BootSource.from(s.boot()),
                s.vcpuIds().isEmpty() ? null : s.vcpuIds());
    }
}
