package dev.restvisor.core.vm;

import dev.restvisor.core.devices.uart16550.ComPort;
import java.util.List;

/**
 * The built-in devices of a VM's definition. A bare VM has none; every device claims its ports so
 * they never exit to an API client.
 *
 * @param serial 16550A UARTs to create
 * @param pic the 8259A pair at 0x20/0xA0 (with ELCR 0x4D0), wired to every vcpu's INTR
 * @param pit the 8254 at 0x40-0x43 with port 0x61, channel 0 on IRQ 0
 * @param rtc the MC146818 at 0x70/0x71 on IRQ 8
 * @param debugExitPort a port whose write ends the VM with a status, or -1
 * @param postCodes record POST codes written to port 0x80
 * @param debugConsole bytes written to port 0xE9 go to the console stream
 * @param systemControl port 0x92 (fast A20, reset) and the i8042 reset command on 0x64
 * @param acpi the ACPI PM1a event and control blocks at 0x600/0x604 (SCI on IRQ 9), through which a guest powers off
 */
public record PlatformSpec(List<ComPort> serial, boolean pic, boolean pit, boolean rtc, int debugExitPort, boolean postCodes,
                           boolean debugConsole, boolean systemControl, boolean acpi) {
    public static final PlatformSpec NONE = new PlatformSpec(List.of(), false, false, false, -1, false, false, false, false);

    public PlatformSpec {
        serial = List.copyOf(serial);
    }

    /** A spec from the definition's names: serial ports as "com1" .. "com4". */
    public static PlatformSpec of(List<String> serialNames, boolean pic, boolean pit, boolean rtc, int debugExitPort,
                                  boolean postCodes, boolean debugConsole, boolean systemControl, boolean acpi) {
        List<ComPort> ports = new java.util.ArrayList<>();
        for (int i = 0; i < serialNames.size(); i++) {
            String name = serialNames.get(i);
            ComPort port = null;
            for (ComPort p : ComPort.values()) {
                if (p.name().equalsIgnoreCase(name)) {
                    port = p;
                }
            }
            if (port == null) {
                throw new VmError(VmError.Errno.EINVAL, "devices.serial[" + i + "]", "serial ports are com1, com2, com3 and com4, got " + name);
            }
            if (ports.contains(port)) {
                throw new VmError(VmError.Errno.EINVAL, "devices.serial[" + i + "]", name + " is listed twice");
            }
            ports.add(port);
        }
        if (debugExitPort > 0xffff) {
            throw new VmError(VmError.Errno.EINVAL, "devices.debug_exit.port", "a port is 0 to 0xffff");
        }
        return new PlatformSpec(ports, pic, pit, rtc, debugExitPort, postCodes, debugConsole, systemControl, acpi);
    }

    /** The serial ports by their definition names ("com1" ...). */
    public List<String> serialNames() {
        return serial.stream().map(p -> p.name().toLowerCase()).toList();
    }
}
