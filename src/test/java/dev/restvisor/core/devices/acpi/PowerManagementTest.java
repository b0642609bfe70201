package dev.restvisor.core.devices.acpi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.restvisor.core.io.IoBus;
import org.junit.jupiter.api.Test;

/** PM1a registers as ACPI 6.5 4.8.3 defines them, driven through the port bus as a guest does. */
class PowerManagementTest {
    private int offs;
    private final PowerManagement pm = new PowerManagement(() -> offs++);
    private final IoBus bus = new IoBus();

    PowerManagementTest() {
        pm.claim(bus);
    }

    @Test
    void onlySleepEnableWithTheS5TypeTurnsTheMachineOff() {
        assertEquals(PowerManagement.SCI_EN, bus.readPort(0x604, 2), "always in ACPI mode");
        bus.writePort(0x604, 2, 3 << 10 | 1 << 13); // S3: not supported here, ignored
        assertEquals(0, offs);
        bus.writePort(0x604, 2, 5 << 10);            // the type alone does nothing
        assertEquals(0, offs);
        assertEquals(5 << 10 | 1, bus.readPort(0x604, 2));
        bus.writePort(0x605, 1, (5 << 10 | 1 << 13) >> 8); // SLP_TYP and SLP_EN in the high byte, as a byte write
        assertEquals(1, offs);
        assertEquals(0, bus.readPort(0x604, 2) & 1 << 13, "SLP_EN reads as 0");
    }

    @Test
    void statusBitsClearOnWritingOneAndEnableBitsReadBack() {
        pm.restore(new PowerManagementState(0x8001, 0, 1));      // WAK_STS and TMR_STS set
        assertEquals(0x8001, bus.readPort(0x600, 2));
        bus.writePort(0x600, 2, 0x0001);
        assertEquals(0x8000, bus.readPort(0x600, 2));
        bus.writePort(0x602, 2, 0xFFFF);
        assertEquals(PowerManagement.ENABLE_BITS, bus.readPort(0x602, 2), "only the defined enable bits stick");
        assertEquals(PowerManagement.ENABLE_BITS << 16 | 0x8000, bus.readPort(0x600, 4));
        assertEquals(new PowerManagementState(0x8000, PowerManagement.ENABLE_BITS, 1), pm.state());
    }
}
