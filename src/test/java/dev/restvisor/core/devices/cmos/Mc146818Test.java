package dev.restvisor.core.devices.cmos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.restvisor.core.devices.FakeClock;
import dev.restvisor.core.devices.IrqProbe;
import dev.restvisor.core.io.IoBus;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Mc146818Test {

    private static final long SECOND = 1_000_000_000L;
    /** Thursday 2026-12-03 22:21:15 UTC. */
    private static final long EPOCH = LocalDateTime.of(2026, 12, 3, 22, 21, 15).toEpochSecond(ZoneOffset.UTC);

    private final FakeClock clock = new FakeClock(0);
    private final IrqProbe irq = new IrqProbe();
    private final IoBus bus = new IoBus();
    private Mc146818 rtc;

    @BeforeEach
    void setUp() {
        rtc = new Mc146818(clock, irq, EPOCH);
        rtc.claim(bus);
    }

    private int read(int register) {
        bus.writePort(0x70, 1, register);
        return bus.readPort(0x71, 1);
    }

    private void write(int register, int value) {
        bus.writePort(0x70, 1, register);
        bus.writePort(0x71, 1, value);
    }

    @Test
    void readsTheEpochInBcd24Hour() {
        assertEquals(0x15, read(Mc146818.SECONDS));
        assertEquals(0x21, read(Mc146818.MINUTES));
        assertEquals(0x22, read(Mc146818.HOURS));
        assertEquals(5, read(Mc146818.DAY_OF_WEEK), "Thursday; Sunday is 1");
        assertEquals(0x03, read(Mc146818.DAY_OF_MONTH));
        assertEquals(0x12, read(Mc146818.MONTH));
        assertEquals(0x26, read(Mc146818.YEAR));
        assertEquals(0x26, read(Mc146818.REG_A), "32.768 kHz divider, 1024 Hz periodic rate");
        assertEquals(Mc146818.D_VRT, read(Mc146818.REG_D));
    }

    @Test
    void timeFollowsTheClockAcrossMidnight() {
        clock.set((2 * 3600 - 21 * 60 - 15 + 3) * SECOND); // 00:00:03 on Friday the 4th
        assertEquals(0x03, read(Mc146818.SECONDS));
        assertEquals(0x00, read(Mc146818.MINUTES));
        assertEquals(0x00, read(Mc146818.HOURS));
        assertEquals(6, read(Mc146818.DAY_OF_WEEK));
        assertEquals(0x04, read(Mc146818.DAY_OF_MONTH));
    }

    @Test
    void binaryAnd12HourFormats() {
        write(Mc146818.REG_B, Mc146818.B_DM_BINARY);
        assertEquals(0x80 | 10, read(Mc146818.HOURS), "10 PM");
        assertEquals(21, read(Mc146818.MINUTES));
        assertEquals(26, read(Mc146818.YEAR));
        write(Mc146818.REG_B, 0);
        assertEquals(0x80 | 0x10, read(Mc146818.HOURS), "BCD 12 hour");
    }

    @Test
    void setBitFreezesAndLoadsTheTime() {
        write(Mc146818.REG_B, Mc146818.B_SET | Mc146818.B_24H);
        clock.advance(5 * SECOND);
        assertEquals(0x15, read(Mc146818.SECONDS), "no updates while SET");
        write(Mc146818.YEAR, 0x24);
        write(Mc146818.MONTH, 0x02);
        write(Mc146818.DAY_OF_MONTH, 0x28);
        write(Mc146818.HOURS, 0x23);
        write(Mc146818.MINUTES, 0x59);
        write(Mc146818.SECONDS, 0x59);
        write(Mc146818.REG_B, Mc146818.B_24H);
        clock.advance(SECOND);
        assertEquals(0x29, read(Mc146818.DAY_OF_MONTH), "2024 is a leap year");
        assertEquals(0x02, read(Mc146818.MONTH));
        assertEquals(0x00, read(Mc146818.HOURS));
        assertEquals(5, read(Mc146818.DAY_OF_WEEK), "29 Feb 2024 was a Thursday");
    }

    @Test
    void writingOneTimeRegisterKeepsTheOthers() {
        write(Mc146818.MINUTES, 0x45);
        assertEquals(0x45, read(Mc146818.MINUTES));
        assertEquals(0x22, read(Mc146818.HOURS));
        assertEquals(0x15, read(Mc146818.SECONDS));
    }

    @Test
    void updateInProgressPrecedesEachSecond() {
        clock.set(SECOND / 2);
        assertEquals(0, read(Mc146818.REG_A) & Mc146818.A_UIP);
        clock.set(SECOND - 100_000);
        assertEquals(Mc146818.A_UIP, read(Mc146818.REG_A) & Mc146818.A_UIP);
    }

    @Test
    void periodicInterrupt() {
        write(Mc146818.REG_A, 0x26); // rate 6: 976.5625 us
        assertEquals(Long.MAX_VALUE, rtc.nextDeadlineNanos());
        write(Mc146818.REG_B, Mc146818.B_24H | Mc146818.B_PIE);
        assertEquals(976_563, rtc.nextDeadlineNanos());
        clock.set(rtc.nextDeadlineNanos());
        rtc.advanceTo(clock.nanos());
        assertTrue(irq.level());
        assertEquals(Mc146818.C_IRQF | Mc146818.C_PF, read(Mc146818.REG_C));
        assertFalse(irq.level(), "reading C acknowledges");
        assertEquals(0, read(Mc146818.REG_C));
        assertEquals(1_953_125, rtc.nextDeadlineNanos());
        write(Mc146818.REG_A, 0x2F); // rate 15: 500 ms
        assertEquals(SECOND / 2, rtc.nextDeadlineNanos());
    }

    @Test
    void periodicFlagIsSetEvenWithoutPie() {
        clock.set(SECOND / 100);
        assertEquals(Mc146818.C_PF, read(Mc146818.REG_C));
        assertFalse(irq.level());
    }

    @Test
    void updateEndedInterruptEverySecond() {
        write(Mc146818.REG_A, 0x20); // no periodic rate
        write(Mc146818.REG_B, Mc146818.B_24H | Mc146818.B_UIE);
        assertEquals(SECOND, rtc.nextDeadlineNanos());
        clock.set(SECOND);
        rtc.advanceTo(clock.nanos());
        assertTrue(irq.level());
        assertEquals(Mc146818.C_IRQF | Mc146818.C_UF, read(Mc146818.REG_C));
        assertEquals(2 * SECOND, rtc.nextDeadlineNanos());
        write(Mc146818.REG_B, Mc146818.B_SET | Mc146818.B_24H | Mc146818.B_UIE);
        assertEquals(Mc146818.B_SET | Mc146818.B_24H, read(Mc146818.REG_B), "SET clears UIE");
    }

    @Test
    void alarmWithDontCareHours() {
        write(Mc146818.REG_A, 0x20);
        write(Mc146818.SECONDS_ALARM, 0x17);
        write(Mc146818.MINUTES_ALARM, 0x21);
        write(Mc146818.HOURS_ALARM, 0xC0);
        write(Mc146818.REG_B, Mc146818.B_24H | Mc146818.B_AIE);
        clock.set(SECOND);
        rtc.advanceTo(clock.nanos());
        assertFalse(irq.level(), "22:21:16 does not match");
        clock.set(2 * SECOND);
        rtc.advanceTo(clock.nanos());
        assertTrue(irq.level());
        assertEquals(Mc146818.C_IRQF | Mc146818.C_AF | Mc146818.C_UF, read(Mc146818.REG_C));
    }

    @Test
    void nvramAndNmiMask() {
        for (int r = 0x0E; r < Mc146818.RAM_SIZE; r++) {
            write(r, r ^ 0x5A);
        }
        for (int r = 0x0E; r < Mc146818.RAM_SIZE; r++) {
            assertEquals(r ^ 0x5A, read(r));
        }
        assertFalse(rtc.nmiMasked());
        bus.writePort(0x70, 1, 0x80 | 0x20);
        assertTrue(rtc.nmiMasked());
        assertEquals(0x20 ^ 0x5A, bus.readPort(0x71, 1), "bit 7 is not part of the index");
        rtc.setNvram(0x15, 0x80);
        assertEquals(0x80, read(0x15));
        assertThrows(IllegalArgumentException.class, () -> rtc.setNvram(Mc146818.REG_B, 0));
    }

    @Test
    void registersCAndDAreReadOnly() {
        write(Mc146818.REG_D, 0);
        assertEquals(Mc146818.D_VRT, read(Mc146818.REG_D));
        write(Mc146818.REG_C, 0xF0);
        assertEquals(0, read(Mc146818.REG_C));
    }

    @Test
    void stateRoundTripsAndKeepsTime() {
        write(0x40, 0x99);
        write(Mc146818.REG_B, Mc146818.B_24H | Mc146818.B_PIE);
        clock.set(10 * SECOND + SECOND / 3);
        rtc.advanceTo(clock.nanos());
        CmosState s = rtc.state();
        IrqProbe irq2 = new IrqProbe();
        Mc146818 copy = Mc146818.fromState(s, clock, irq2);
        assertEquals(s, copy.state());
        assertTrue(irq2.level(), "pending PF with PIE drives IRQ 8");
        IoBus bus2 = new IoBus();
        copy.claim(bus2);
        bus2.writePort(0x70, 1, Mc146818.SECONDS);
        assertEquals(0x25, bus2.readPort(0x71, 1));
        bus2.writePort(0x70, 1, 0x40);
        assertEquals(0x99, bus2.readPort(0x71, 1));
    }
}
