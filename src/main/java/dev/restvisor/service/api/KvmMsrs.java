package dev.restvisor.service.api;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** kvm_msrs: MSR entries for KVM_GET_MSRS / KVM_SET_MSRS. */
@Schema(description = "kvm_msrs.")
public record KvmMsrs(
        @Schema(description = "In a response: entries read (GET) or processed (PUT); processing stops at the first MSR that cannot be read or written, as the ioctl does.") Integer nmsrs,
        @Schema(description = "The entries; in a PUT request every entry needs index and data.") List<Entry> entries) {

    /** kvm_msr_entry. */
    @Schema(description = "kvm_msr_entry.")
    public record Entry(@Schema(description = "MSR index (u32).", minimum = "0", maximum = "4294967295", requiredMode = Schema.RequiredMode.REQUIRED) Long index,
                        @Schema(description = "MSR value (u64).", requiredMode = Schema.RequiredMode.REQUIRED) U64 data) {
    }
}
