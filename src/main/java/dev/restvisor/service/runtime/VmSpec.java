package dev.restvisor.service.runtime;

import java.util.List;

/**
 * What a VM is made of, as the definition of {@code POST /vms} states it. Every member is optional;
 * a VM with only a name is bare.
 *
 * @param exceptionExits guest exception vectors reported as KVM_EXIT_EXCEPTION instead of delivered
 */
public record VmSpec(String name, List<Region> memoryRegions, int vcpus, boolean realtimeClock, boolean cpuidExits,
                     List<Integer> exceptionExits, OnShutdown onShutdown) {

    /** One memory region of the definition. */
    public record Region(int slot, int flags, long guestPhysAddr, long memorySize) {
    }

    /** What SHUTDOWN does to a VM the service drives. */
    public enum OnShutdown {
        STOP, RESET
    }

    public VmSpec {
        memoryRegions = memoryRegions == null ? List.of() : List.copyOf(memoryRegions);
        exceptionExits = exceptionExits == null ? List.of() : List.copyOf(exceptionExits);
        onShutdown = onShutdown == null ? OnShutdown.STOP : onShutdown;
    }

    /** The same definition under another name (a clone). */
    public VmSpec withName(String next) {
        return new VmSpec(next, memoryRegions, vcpus, realtimeClock, cpuidExits, exceptionExits, onShutdown);
    }

    /** The exception vectors as the bitmask the core takes. */
    public int exceptionExitMask() {
        int mask = 0;
        for (int v : exceptionExits) {
            mask |= 1 << v;
        }
        return mask;
    }
}
