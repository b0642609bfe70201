package dev.restvisor.service.api;

import dev.restvisor.core.memory.MemorySlot;
import io.swagger.v3.oas.annotations.media.Schema;

/** kvm_userspace_memory_region as KVM_SET_MEMORY_REGION takes it; the service allocates the RAM. */
@Schema(description = "kvm_memory_region. The service allocates the backing RAM (there is no userspace_addr).")
public record KvmMemoryRegion(
        @Schema(description = "Slot number (0-31). In a PUT it comes from the path and may be omitted from the body; if present it must match.", minimum = "0", maximum = "31") Integer slot,
        @Schema(description = "Flags: 1 = KVM_MEM_LOG_DIRTY_PAGES, 2 = KVM_MEM_READONLY (guest writes become MMIO exits). Only flags may change on a live slot, and not READONLY.", minimum = "0", maximum = "3") Integer flags,
        @Schema(description = "First guest physical address (u64), a multiple of 4096.", requiredMode = Schema.RequiredMode.REQUIRED) U64 guestPhysAddr,
        @Schema(description = "Size in bytes (u64), a multiple of 4096; 0 deletes the slot.", requiredMode = Schema.RequiredMode.REQUIRED) U64 memorySize) {

    static KvmMemoryRegion from(MemorySlot s) {
        return new KvmMemoryRegion(s.slot(), s.flags(), U64.of(s.base()), U64.of(s.size()));
    }
}
