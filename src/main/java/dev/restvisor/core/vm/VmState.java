package dev.restvisor.core.vm;

import java.util.List;
import java.util.Map;

/**
 * A VM's state outside guest memory at one instruction boundary of every vcpu: what a snapshot
 * stores besides the pages.
 *
 * @param clockNanos the deterministic clock reading ({@link VirtualClock#nanos()})
 * @param instructionsRetired instructions retired by all vcpus together when captured
 * @param parts each {@link StatefulPart}'s state record by part name
 */
public record VmState(List<VcpuState> vcpus, long clockNanos, long instructionsRetired, Map<String, Record> parts) {

    public VmState {
        vcpus = List.copyOf(vcpus);
        parts = Map.copyOf(parts);
    }
}
