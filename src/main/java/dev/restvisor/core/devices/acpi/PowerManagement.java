package dev.restvisor.core.devices.acpi;

import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.io.PortIoDevice;

/**
 * The PM1a event block (PM1_STS and PM1_EN, 16 bits each) and the PM1a control block (PM1_CNT) of ACPI fixed
 * hardware (ACPI 6.5 4.8.3.1 and 4.8.3.2). No fixed event is ever raised here, so the SCI stays low; SCI_EN
 * reads as 1 because the machine is always in ACPI mode (the FADT has no SMI command port). Writing SLP_EN with
 * the SLP_TYP of S5 (the value the DSDT's \_S5 package gives) turns the machine off; other sleep types are
 * not supported and are ignored, as a platform without them would.
 */
public final class PowerManagement {
    /** Where the FADT places the blocks: PM1a_EVT_BLK (4 bytes) and PM1a_CNT_BLK (2 bytes). */
    public static final int EVENT_BLOCK = 0x600, CONTROL_BLOCK = 0x604;
    public static final int EVENT_BLOCK_LENGTH = 4, CONTROL_BLOCK_LENGTH = 2;
    /** The SCI's ISA interrupt, as the FADT says. */
    public static final int SCI_IRQ = 9;
    /** SLP_TYPa of \_S5 in the DSDT. */
    public static final int SLEEP_TYPE_S5 = 5;

    static final int SCI_EN = 1, SLP_EN = 1 << 13, SLP_TYP_SHIFT = 10, SLP_TYP_MASK = 7 << SLP_TYP_SHIFT;
    /** PM1_STS bits software can clear (write 1): the fixed events and WAK_STS. */
    static final int STATUS_WRITE_CLEAR = 0x8F31;
    /** PM1_EN bits: TMR, GBL, PWRBTN, SLPBTN, RTC, PCIEXP_WAKE_DIS. */
    static final int ENABLE_BITS = 0x4721;

    private final Runnable powerOff;
    private int status;
    private int enable;
    private int control = SCI_EN;

    public PowerManagement(Runnable powerOff) {
        this.powerOff = powerOff;
    }

    public void claim(IoBus bus) {
        bus.claimPorts(EVENT_BLOCK, EVENT_BLOCK_LENGTH, new EventBlock(), "acpi-pm1a-evt");
        bus.claimPorts(CONTROL_BLOCK, CONTROL_BLOCK_LENGTH, new ControlBlock(), "acpi-pm1a-cnt");
    }

    public synchronized PowerManagementState state() {
        return new PowerManagementState(status, enable, control);
    }

    public synchronized void restore(PowerManagementState s) {
        status = s.status() & 0xFFFF;
        enable = s.enable() & ENABLE_BITS;
        control = s.control() & 0xFFFF | SCI_EN;
    }

    private synchronized int readEvent(int offset, int size) {
        long both = (status & 0xFFFFL) | (long) enable << 16;
        return (int) (both >>> (8 * offset)) & (int) ((1L << (8 * size)) - 1);
    }

    private synchronized void writeEvent(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            int b = value >>> (8 * i) & 0xFF;
            int at = offset + i;
            if (at < 2) {
                status &= ~(b << (8 * at) & STATUS_WRITE_CLEAR);
            } else {
                int shift = 8 * (at - 2);
                enable = (enable & ~(0xFF << shift) | b << shift) & ENABLE_BITS;
            }
        }
    }

    private synchronized int readControl(int offset, int size) {
        return control >>> (8 * offset) & (size == 1 ? 0xFF : 0xFFFF);
    }

    private void writeControl(int offset, int size, int value) {
        boolean off;
        synchronized (this) {
            int shifted = (size == 1 ? value & 0xFF : value & 0xFFFF) << (8 * offset);
            int mask = (size == 1 ? 0xFF : 0xFFFF) << (8 * offset);
            int written = control & ~mask | shifted;
            // SLP_EN is write-only and reads as 0; SCI_EN is owned by the hardware (always ACPI mode)
            control = written & ~SLP_EN & 0xFFFF | SCI_EN;
            off = (written & SLP_EN) != 0 && (written & SLP_TYP_MASK) >> SLP_TYP_SHIFT == SLEEP_TYPE_S5;
        }
        if (off) {
            powerOff.run();
        }
    }

    private final class EventBlock implements PortIoDevice {
        @Override
        public int read(int offset, int size) {
            return readEvent(offset, size);
        }

        @Override
        public void write(int offset, int size, int value) {
            writeEvent(offset, size, value);
        }
    }

    private final class ControlBlock implements PortIoDevice {
        @Override
        public int read(int offset, int size) {
            return readControl(offset, size);
        }

        @Override
        public void write(int offset, int size, int value) {
            writeControl(offset, size, value);
        }
    }
}
