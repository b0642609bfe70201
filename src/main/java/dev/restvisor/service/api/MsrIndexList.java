package dev.restvisor.service.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** KVM_GET_MSR_INDEX_LIST. */
@Schema(description = "KVM_GET_MSR_INDEX_LIST: the MSRs the vcpus implement.")
public record MsrIndexList(@Schema(description = "Number of indices.") int nmsrs,
                           @Schema(description = "MSR indices (u32 numbers), ascending.") long[] indices) {
}
