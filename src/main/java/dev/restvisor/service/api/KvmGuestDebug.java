package dev.restvisor.service.api;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** kvm_guest_debug in the shape of the API v3 era (enabled, singlestep, breakpoints). */
@Schema(description = "kvm_guest_debug: execution breakpoints and single-step. At least 4 breakpoints are honoured as kvm.h "
        + "promises; up to 16 are accepted (extension). The flags a debugger sets never show in guest RFLAGS.")
public record KvmGuestDebug(
        @Schema(description = "1 enables debugging; 0 disables single-step and every breakpoint.", minimum = "0", maximum = "1", requiredMode = Schema.RequiredMode.REQUIRED) Integer enabled,
        @Schema(description = "1 exits with KVM_EXIT_DEBUG after every instruction.", minimum = "0", maximum = "1") Integer singlestep,
        @Schema(description = "Execution breakpoints on guest linear addresses (at most 16); KVM_EXIT_DEBUG before the instruction there runs.") List<Breakpoint> breakpoints) {

    /** One execution breakpoint. */
    @Schema(description = "One execution breakpoint.")
    public record Breakpoint(@Schema(description = "1 when armed.", minimum = "0", maximum = "1") Integer enabled,
                             @Schema(description = "Guest linear address (u64).", requiredMode = Schema.RequiredMode.REQUIRED) U64 address) {
    }
}
