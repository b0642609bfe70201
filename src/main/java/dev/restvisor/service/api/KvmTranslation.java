package dev.restvisor.service.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** kvm_translation. */
@Schema(description = "kvm_translation. writeable and usermode are the real permissions of the walk (R/W and U/S ANDed over every level), not KVM's constants.")
public record KvmTranslation(
        @Schema(description = "Linear address to translate (u64).", requiredMode = Schema.RequiredMode.REQUIRED) U64 linearAddress,
        @Schema(description = "The guest physical address (u64); absent in a request.") U64 physicalAddress,
        @Schema(description = "1 when the address is mapped.") Integer valid,
        @Schema(description = "1 when every level of the walk allows writes (always 1 without paging).") Integer writeable,
        @Schema(description = "1 when every level allows user-mode access (always 1 without paging).") Integer usermode) {
}
