package dev.restvisor.service.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** kvm_dirty_log. */
@Schema(description = "kvm_dirty_log: the request names a slot, the response carries its bitmap (read and cleared).")
public record DirtyLog(
        @Schema(description = "Slot number (0-31).", minimum = "0", maximum = "31", requiredMode = Schema.RequiredMode.REQUIRED) Integer slot,
        @Schema(description = "One bit per 4 KiB page, bit 0 of byte 0 = the slot's first page, base64; absent in a request.", format = "byte") byte[] dirtyBitmap,
        @Schema(description = "Number of dirty pages in the bitmap (extension); absent in a request.") Long dirtyPages) {
}
