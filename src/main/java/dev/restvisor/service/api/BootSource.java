package dev.restvisor.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.restvisor.service.runtime.VmSpec;
import io.swagger.v3.oas.annotations.media.Schema;

/** A boot source: what {@code start} loads into guest memory and vcpu 0. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "A boot source, loaded by the start action (and again by reset). `flat`: an uploaded image loaded unchanged at "
        + "load_address and entered in real mode (CS=0, IP=entry_point) or in the 32-bit Multiboot state (protected32: flat CS=0x08, "
        + "data 0x10, paging off, EFLAGS=0x2, EIP=entry_point).")
public record BootSource(
        @Schema(description = "The loader: `flat` (`linux` is reserved for the Linux boot protocol and refused until it is implemented).", allowableValues = {"flat", "linux"}, requiredMode = Schema.RequiredMode.REQUIRED) String kind,
        @Schema(description = "flat: the id of an uploaded image (POST /images).") String image,
        @Schema(description = "flat: guest physical address of the first byte (u64); default 0x100000.") U64 loadAddress,
        @Schema(description = "flat: `protected32` (default) or `real`.", allowableValues = {"protected32", "real"}) String entry,
        @Schema(description = "flat: where execution starts (u64); default load_address (a real-mode entry point must be at most 0xffff).") U64 entryPoint) {

    VmSpec.Boot toSpec() {
        if (kind == null) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "boot.kind", "boot.kind is required: flat");
        }
        if (!kind.equals("flat")) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "boot.kind",
                    "boot.kind " + kind + " is not supported: this service boots flat images (kind flat)");
        }
        if (image == null) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "boot.image", "boot.image is required for kind flat");
        }
        VmSpec.Boot.Entry mode = switch (entry == null ? "protected32" : entry) {
            case "protected32" -> VmSpec.Boot.Entry.PROTECTED32;
            case "real" -> VmSpec.Boot.Entry.REAL;
            default -> throw new ApiException(ProblemType.INVALID_ARGUMENT, "boot.entry", "boot.entry must be protected32 or real");
        };
        long load = loadAddress == null ? 0x100000 : loadAddress.value();
        return new VmSpec.Boot(VmSpec.Boot.Kind.FLAT, image, load, mode, entryPoint == null ? load : entryPoint.value(), null, null);
    }

    static BootSource from(VmSpec.Boot b) {
        return b == null ? null : new BootSource(b.kind().name().toLowerCase(), b.image(), U64.of(b.loadAddress()),
                b.entry().name().toLowerCase(), U64.of(b.entryPoint()));
    }
}
