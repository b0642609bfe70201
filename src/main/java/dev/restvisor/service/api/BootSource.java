package dev.restvisor.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.restvisor.service.runtime.VmSpec;
import io.swagger.v3.oas.annotations.media.Schema;

/** A boot source: what {@code start} loads into guest memory and vcpu 0. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "A boot source, loaded by the start action (and again by reset). `flat`: an uploaded image loaded unchanged at "
        + "load_address and entered in real mode (CS=0, IP=entry_point) or in the 32-bit Multiboot state (protected32: flat CS=0x08, "
        + "data 0x10, paging off, EFLAGS=0x2, EIP=entry_point). `linux`: an uploaded bzImage booted directly by the Linux x86 boot "
        + "protocol (no firmware): boot_params at 0x7000 with the e820 map of the memory regions, the command line at 0x20000, the "
        + "initrd as high as possible below initrd_addr_max, a GDT with __BOOT_CS=0x10 and __BOOT_DS=0x18, an identity map of the "
        + "first 4 GiB, RSI = boot_params. Linux needs a memory region at address 0 and enough RAM for the kernel from 16 MiB "
        + "(about 64 MiB for Debian 12's kernel) plus the initrd.")
public record BootSource(
        @Schema(description = "The loader: `flat` or `linux`.", allowableValues = {"flat", "linux"}, requiredMode = Schema.RequiredMode.REQUIRED) String kind,
        @Schema(description = "flat: the id of an uploaded image (POST /images).") String image,
        @Schema(description = "flat: guest physical address of the first byte (u64); default 0x100000.") U64 loadAddress,
        @Schema(description = "flat: `protected32` (default) or `real`.", allowableValues = {"protected32", "real"}) String entry,
        @Schema(description = "flat: where execution starts (u64); default load_address (a real-mode entry point must be at most 0xffff).") U64 entryPoint,
        @Schema(description = "linux: the id of an uploaded bzImage (boot protocol 2.10 or later).") String kernel,
        @Schema(description = "linux: the id of an uploaded initrd or initramfs (optional).") String initrd,
        @Schema(description = "linux: the kernel command line, at most the kernel's cmdline_size bytes (2047 for current kernels). "
                + "Default `console=ttyS0`. For the fastest boot on the built-in devices (with `acpi` among them, so poweroff works): `console=ttyS0 pci=off "
                + "tsc=reliable cryptomgr.notests mitigations=off 8250.nr_uarts=1`.") String cmdline,
        @Schema(description = "linux: how the kernel is entered. `vmlinux64`: the xz- or gzip-compressed payload is unpacked by the "
                + "service and the vmlinux is entered at startup_64 in 64-bit mode (the fastest: the guest skips its own "
                + "decompressor); `bzimage64`: the bzImage's 64-bit entry (load address + 0x200); `bzimage32`: the 32-bit entry "
                + "(code32_start, protected mode, paging off). Default: the first of these the kernel allows.",
                allowableValues = {"vmlinux64", "bzimage64", "bzimage32"}) String linuxEntry) {

    static final String DEFAULT_CMDLINE = "console=ttyS0";

    VmSpec.Boot toSpec() {
        if (kind == null) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "boot.kind", "boot.kind is required: flat or linux");
        }
        return switch (kind) {
            case "flat" -> flat();
            case "linux" -> linux();
            default -> throw new ApiException(ProblemType.INVALID_ARGUMENT, "boot.kind", "boot.kind must be flat or linux, got " + kind);
        };
    }

    private VmSpec.Boot flat() {
        refuse(kernel, "kernel", "flat");
        refuse(initrd, "initrd", "flat");
        refuse(cmdline, "cmdline", "flat");
        refuse(linuxEntry, "linux_entry", "flat");
        if (image == null) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "boot.image", "boot.image is required for kind flat");
        }
        VmSpec.Boot.Entry mode = switch (entry == null ? "protected32" : entry) {
            case "protected32" -> VmSpec.Boot.Entry.PROTECTED32;
            case "real" -> VmSpec.Boot.Entry.REAL;
            default -> throw new ApiException(ProblemType.INVALID_ARGUMENT, "boot.entry", "boot.entry must be protected32 or real");
        };
        long load = loadAddress == null ? 0x100000 : loadAddress.value();
        return new VmSpec.Boot(VmSpec.Boot.Kind.FLAT, image, load, mode, entryPoint == null ? load : entryPoint.value(), null, null, null);
    }

    private VmSpec.Boot linux() {
        refuse(image, "image", "linux (the kernel is named by boot.kernel)");
        refuse(loadAddress, "load_address", "linux (the kernel header decides)");
        refuse(entry, "entry", "linux (see boot.linux_entry)");
        refuse(entryPoint, "entry_point", "linux (the kernel header decides)");
        if (kernel == null) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "boot.kernel", "boot.kernel (the id of an uploaded bzImage) is required for kind linux");
        }
        VmSpec.Boot.LinuxEntry path = linuxEntry == null ? null : switch (linuxEntry) {
            case "vmlinux64" -> VmSpec.Boot.LinuxEntry.VMLINUX_64;
            case "bzimage64" -> VmSpec.Boot.LinuxEntry.BZIMAGE_64;
            case "bzimage32" -> VmSpec.Boot.LinuxEntry.BZIMAGE_32;
            default -> throw new ApiException(ProblemType.INVALID_ARGUMENT, "boot.linux_entry",
                    "boot.linux_entry must be vmlinux64, bzimage64 or bzimage32, got " + linuxEntry);
        };
        return VmSpec.Boot.linux(kernel, initrd, cmdline == null ? DEFAULT_CMDLINE : cmdline, path);
    }

    private static void refuse(Object value, String field, String kind) {
        if (value != null) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "boot." + field, "boot." + field + " does not apply to kind " + kind);
        }
    }

    static BootSource from(VmSpec.Boot b) {
        if (b == null) {
            return null;
        }
        if (b.kind() == VmSpec.Boot.Kind.LINUX) {
            return new BootSource("linux", null, null, null, null, b.image(), b.initrdImage(), b.cmdline(),
                    b.linuxEntry() == null ? null : b.linuxEntry().name().toLowerCase().replace("_", ""));
        }
        return new BootSource("flat", b.image(), U64.of(b.loadAddress()), b.entry().name().toLowerCase(), U64.of(b.entryPoint()),
                null, null, null, null);
    }
}
