package dev.restvisor.service.runtime;

import dev.restvisor.core.vm.PlatformSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What a VM is made of, as the definition of {@code POST /vms} states it. Every member is optional;
 * a VM with only a name is bare.
 *
 * @param vcpus how many vcpus there are
 * @param exceptionExits guest exception vectors reported as KVM_EXIT_EXCEPTION instead of delivered
 * @param devices the built-in devices
 * @param boot what {@code start} loads, or null
 * @param vcpuIds the ids of the vcpus, ascending, when they are not 0..vcpus-1 (KVM_CREATE_VCPU of other ids on
 *                the live VM); empty when they are
 */
public record VmSpec(String name, List<Region> memoryRegions, int vcpus, boolean realtimeClock, boolean cpuidExits,
                     List<Integer> exceptionExits, OnShutdown onShutdown, PlatformSpec devices, Boot boot,
                     List<Integer> vcpuIds) {

    /** One memory region of the definition. */
    public record Region(int slot, int flags, long guestPhysAddr, long memorySize) {
    }

    /** What SHUTDOWN does to a VM the service drives. */
    public enum OnShutdown {
        STOP, RESET
    }

    /**
     * A boot source: a flat image entered in real or 32-bit protected mode, or a Linux bzImage ({@code image})
     * with an optional initrd and a command line, entered through {@code linuxEntry} (null: the fastest the
     * kernel allows).
     */
    public record Boot(Kind kind, String image, long loadAddress, Entry entry, long entryPoint,
                       String initrdImage, String cmdline, LinuxEntry linuxEntry) {
        /** The loader a boot source uses. */
        public enum Kind {
            FLAT, LINUX
        }

        /** How a flat image is entered: real mode at 0000:entry_point, or the Multiboot 32-bit state. */
        public enum Entry {
            REAL, PROTECTED32
        }

        /** How a Linux kernel is entered, named as LinuxLoader.EntryPath; automatic when null. */
        public enum LinuxEntry {
            VMLINUX_64, BZIMAGE_64, BZIMAGE_32
        }

        /** A Linux boot source. */
        public static Boot linux(String kernel, String initrd, String cmdline, LinuxEntry entry) {
            return new Boot(Kind.LINUX, kernel, 0, null, 0, initrd, cmdline, entry);
        }
    }

    public VmSpec {
        memoryRegions = memoryRegions == null ? List.of() : List.copyOf(memoryRegions);
        exceptionExits = exceptionExits == null ? List.of() : List.copyOf(exceptionExits);
        onShutdown = onShutdown == null ? OnShutdown.STOP : onShutdown;
        devices = devices == null ? PlatformSpec.NONE : devices;
        vcpuIds = vcpuIds == null ? List.of() : List.copyOf(vcpuIds);
    }

    /** The ids of the vcpus to create, ascending. */
    public List<Integer> vcpuIdList() {
        return vcpuIds.isEmpty() ? IntStream.range(0, vcpus).boxed().toList() : vcpuIds;
    }

    /** The same definition with vcpu {@code id} added (KVM_CREATE_VCPU on the live VM). */
    public VmSpec withVcpu(int id) {
        List<Integer> ids = new ArrayList<>(vcpuIdList());
        ids.add(id);
        ids.sort(null);
        boolean dense = ids.get(ids.size() - 1) == ids.size() - 1;
        return new VmSpec(name, memoryRegions, ids.size(), realtimeClock, cpuidExits, exceptionExits, onShutdown, devices, boot,
                dense ? List.of() : ids);
    }

    public boolean hasBootSource() {
        return boot != null;
    }

    /** The same definition with other memory regions (KVM_SET_MEMORY_REGION on the live VM). */
    public VmSpec withMemoryRegions(List<Region> next) {
        return new VmSpec(name, next, vcpus, realtimeClock, cpuidExits, exceptionExits, onShutdown, devices, boot, vcpuIds);
    }

    public VmSpec withBoot(Boot next) {
        return new VmSpec(name, memoryRegions, vcpus, realtimeClock, cpuidExits, exceptionExits, onShutdown, devices, next, vcpuIds);
    }

    /** The same definition under another name (a clone). */
    public VmSpec withName(String next) {
        return new VmSpec(next, memoryRegions, vcpus, realtimeClock, cpuidExits, exceptionExits, onShutdown, devices, boot, vcpuIds);
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
