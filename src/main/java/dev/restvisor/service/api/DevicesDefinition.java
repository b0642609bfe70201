package dev.restvisor.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.restvisor.core.vm.PlatformSpec;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** The built-in devices of a VM definition. Ports they claim never exit to an API client. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "Built-in devices. A bare VM has none. Ports a device claims are handled inside the service and never exit to the client.")
public record DevicesDefinition(
        @Schema(description = "16550A UARTs: any of com1 (0x3F8, IRQ 4), com2 (0x2F8, IRQ 3), com3 (0x3E8, IRQ 4), com4 (0x2E8, IRQ 3).") List<String> serial,
        @Schema(description = "The 8259A master/slave pair (0x20, 0xA0, ELCR 0x4D0) wired to every vcpu's INTR.") Boolean pic,
        @Schema(description = "The 8254 PIT (0x40-0x43, port 0x61), channel 0 on IRQ 0.") Boolean pit,
        @Schema(description = "The MC146818 RTC/CMOS (0x70-0x71) on IRQ 8, reading the VM's clock.") Boolean rtc,
        @Schema(description = "A port whose write ends the VM with the written status.") DebugExit debugExit,
        @Schema(description = "Record POST codes written to port 0x80 as events.") Boolean postCodes,
        @Schema(description = "Port 0xE9 debug console: bytes written there join the event stream and the console's debug channel (extension).") Boolean debugConsole,
        @Schema(description = "System control port A 0x92 (fast A20, reset) and the i8042 reset command (0xFE to port 0x64) (extension).") Boolean systemControl,
        @Schema(description = "ACPI power management: the PM1a event and control blocks at 0x600 and 0x604, SCI on IRQ 9. A Linux boot "
                + "source then also gets ACPI tables (RSDP at 0xF0000, FADT, DSDT with \\_S5) so `poweroff` turns the VM off (state "
                + "stopped); without it a kernel halts its CPU where it would power off (extension).") Boolean acpi) {

    /** The debug-exit device. */
    @Schema(description = "The debug-exit device.")
    public record DebugExit(@Schema(description = "Its I/O port (0-65535).", requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = "65535") Integer port) {
    }

    PlatformSpec toSpec() {
        int exitPort = -1;
        if (debugExit != null) {
            exitPort = new Fields("devices.debug_exit").range("port", debugExit.port(), 0, 0xffff);
        }
        return PlatformSpec.of(serial == null ? List.of() : serial, isTrue(pic), isTrue(pit), isTrue(rtc), exitPort,
                isTrue(postCodes), isTrue(debugConsole), isTrue(systemControl), isTrue(acpi));
    }

    static DevicesDefinition from(PlatformSpec p) {
        return new DevicesDefinition(p.serialNames(), p.pic(), p.pit(), p.rtc(),
                p.debugExitPort() >= 0 ? new DebugExit(p.debugExitPort()) : null, p.postCodes(), p.debugConsole(), p.systemControl(), p.acpi());
    }

    private static boolean isTrue(Boolean b) {
        return Boolean.TRUE.equals(b);
    }
}
