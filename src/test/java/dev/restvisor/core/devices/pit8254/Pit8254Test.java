package dev.restvisor.core.devices.pit8254;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.restvisor.core.devices.FakeClock;
import dev.restvisor.core.devices.IrqProbe;
import dev.restvisor.core.io.IoBus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Pit8254Test {

    private static final int CH0 = 0x40;
    private static final int CH2 = 0x42;
    private static final int CONTROL = 0x43;
    private static final int PORT_B = 0x61;
    private static final long T0 = 1000;

    private final FakeClock clock = new FakeClock(0);
    private final IrqProbe irq0 = new IrqProbe();
    private final IoBus bus = new IoBus();
    private Pit8254 pit;

    @BeforeEach
    void setUp() {
        pit = new Pit8254(clock, irq0);
        pit.claim(bus);
        at(T0);
    }

    /** Moves the clock to input-clock tick {@code tick}. */
    private void at(long tick) {
        clock.set(Pit8254.INPUT_CLOCK.nanosAt(tick));
    }

    private int in(int port) {
        return bus.readPort(port, 1);
    }

    private void out(int port, int value) {
        bus.writePort(port, 1, value);
    }

    private void writeCount(int port, int count) {
        out(port, count & 0xFF);
        out(port, count >> 8);
    }

    private int readCount(int port) {
        int lsb = in(port);
        return in(port) << 8 | lsb;
    }

    private boolean out2() {
        return (in(PORT_B) & Pit8254.PORT_B_OUT2) != 0;
    }

    private int status(int channel) {
        out(CONTROL, 0xE0 | 2 << channel); // read-back: status only
        return in(CH0 + channel);
    }

    @Test
    void mode2OnChannel0InterruptsOncePerPeriod() {
        out(CONTROL, 0x34); // counter 0, LSB then MSB, mode 2, binary
        writeCount(CH0, 100);
        // The count is loaded on the next CLK (T0 + 1); OUT rises at every reload after that.
        assertEquals(Pit8254.INPUT_CLOCK.nanosAt(T0 + 101), pit.nextDeadlineNanos());
        pit.advanceTo(Pit8254.INPUT_CLOCK.nanosAt(T0 + 100));
        assertEquals(0, irq0.risingEdges());
        pit.advanceTo(pit.nextDeadlineNanos());
        assertEquals(1, irq0.risingEdges());
        assertEquals(Pit8254.INPUT_CLOCK.nanosAt(T0 + 201), pit.nextDeadlineNanos());
        pit.advanceTo(Pit8254.INPUT_CLOCK.nanosAt(T0 + 550));
        assertEquals(2, irq0.risingEdges(), "ticks missed while not polled coalesce into one edge");
        assertEquals(Pit8254.INPUT_CLOCK.nanosAt(T0 + 601), pit.nextDeadlineNanos());
    }

    @Test
    void mode2CountsDownAndDropsOutForOneClock() {
        out(CONTROL, 0x34);
        writeCount(CH0, 100);
        at(T0 + 1 + 30);
        assertEquals(70, readCount(CH0));
        at(T0 + 1 + 99);
        assertEquals(0x34, status(0), "count 1: OUT low for one clock");
        at(T0 + 1 + 100);
        assertEquals(0x80 | 0x34, status(0));
        assertEquals(100, readCount(CH0), "reloaded");
    }

    @Test
    void counterLatchFreezesTheReadValue() {
        out(CONTROL, 0x30); // counter 0, mode 0
        writeCount(CH0, 5000);
        at(T0 + 1 + 1000);
        out(CONTROL, 0x00); // counter latch command for counter 0
        at(T0 + 1 + 2000);
        assertEquals(4000, readCount(CH0));
        assertEquals(3000, readCount(CH0), "after the latched value the live count is read");
    }

    /**
     * Linux's quick_pit_calibrate: gate 2 high, channel 2 in mode 0 with 0xFFFF, then at once LSB/MSB reads that
     * expect an MSB of 0xFF and then watch it step down by one every 256 clocks.
     */
    @Test
    void aCountReadBeforeItsFirstClockIsTheCountBeingLoaded() {
        out(PORT_B, 0x01);
        out(CONTROL, 0xB0);
        writeCount(CH2, 0xFFFF);
        assertEquals(0xFFFF, readCount(CH2), "read in the same clock as the write");
        at(T0 + 1);
        assertEquals(0xFFFF, readCount(CH2), "loaded: the loading clock does not count");
        at(T0 + 1 + 256);
        assertEquals(0xFEFF, readCount(CH2));
        // A new count written while counting: the frozen count is read until the next clock loads the new one.
        at(T0 + 1 + 300);
        writeCount(CH2, 0x1000);
        assertEquals(0xFFFF - 300, readCount(CH2));
        at(T0 + 1 + 301);
        assertEquals(0x1000, readCount(CH2));
    }

    @Test
    void readBackLatchesStatusBeforeCount() {
        out(CONTROL, 0x34);
        assertEquals(0x40 | 0x34 | 0x80, status(0), "null count until a count is loaded");
        writeCount(CH0, 0x1234);
        assertEquals(0x40 | 0x34 | 0x80, status(0), "null count until the next CLK");
        at(T0 + 1 + 4);
        out(CONTROL, 0xC2); // read-back: count and status of counter 0
        at(T0 + 1 + 20);
        assertEquals(0xB4, in(CH0));
        assertEquals(0x1234 - 4, readCount(CH0));
    }

    @Test
    void mode0OnChannel2RaisesOut2AtTerminalCount() {
        // Linux's PIT TSC calibration: gate on, speaker off, counter 2 in mode 0.
        out(PORT_B, (in(PORT_B) & ~Pit8254.PORT_B_SPEAKER) | Pit8254.PORT_B_GATE2);
        out(CONTROL, 0xB0);
        writeCount(CH2, 0x2E9C);
        assertFalse(out2());
        at(T0 + 1 + 0x2E9C - 1);
        assertFalse(out2());
        assertEquals(1, readCount(CH2));
        at(T0 + 1 + 0x2E9C);
        assertTrue(out2());
        at(T0 + 1 + 0x2E9C + 10);
        assertTrue(out2(), "OUT stays high while the counter wraps");
        assertEquals(0x10000 - 10, readCount(CH2));
    }

    @Test
    void mode0GateLowSuspendsCounting() {
        out(PORT_B, Pit8254.PORT_B_GATE2);
        out(CONTROL, 0xB0);
        writeCount(CH2, 1000);
        at(T0 + 1 + 100);
        out(PORT_B, 0);
        at(T0 + 5000);
        assertEquals(900, readCount(CH2));
        assertFalse(out2());
        out(PORT_B, Pit8254.PORT_B_GATE2);
        at(T0 + 5000 + 1 + 900);
        assertTrue(out2());
    }

    @Test
    void mode3SquareWaveOnChannel2() {
        out(PORT_B, Pit8254.PORT_B_GATE2);
        out(CONTROL, 0xB6);
        writeCount(CH2, 10);
        at(T0 + 1 + 4);
        assertTrue(out2());
        at(T0 + 1 + 5);
        assertFalse(out2());
        at(T0 + 1 + 9);
        assertFalse(out2());
        at(T0 + 1 + 10);
        assertTrue(out2());
        at(T0 + 1 + 12);
        assertEquals(6, readCount(CH2), "mode 3 counts down by two");
        at(T0 + 1 + 15);
        out(PORT_B, 0);
        assertTrue(out2(), "gate low forces OUT high in mode 3");
        at(T0 + 100);
        out(PORT_B, Pit8254.PORT_B_GATE2);
        at(T0 + 100 + 1 + 5);
        assertFalse(out2(), "gate rising restarts the count");
    }

    @Test
    void mode2NewCountTakesEffectAtTheNextPeriod() {
        out(CONTROL, 0x34);
        writeCount(CH0, 100);
        at(T0 + 1 + 150);
        pit.advanceTo(clock.nanos());
        assertEquals(1, irq0.risingEdges());
        writeCount(CH0, 10);
        assertEquals(Pit8254.INPUT_CLOCK.nanosAt(T0 + 1 + 200), pit.nextDeadlineNanos());
        at(T0 + 1 + 160);
        assertEquals(40, readCount(CH0), "the running period keeps its count");
        pit.advanceTo(Pit8254.INPUT_CLOCK.nanosAt(T0 + 1 + 200));
        assertEquals(2, irq0.risingEdges());
        assertEquals(Pit8254.INPUT_CLOCK.nanosAt(T0 + 1 + 210), pit.nextDeadlineNanos());
    }

    @Test
    void mode1IsAGateTriggeredOneShot() {
        out(CONTROL, 0xB2); // counter 2, mode 1
        writeCount(CH2, 50);
        at(T0 + 500);
        assertTrue(out2(), "waits for a trigger with OUT high");
        out(PORT_B, Pit8254.PORT_B_GATE2);
        at(T0 + 500 + 1 + 10);
        assertFalse(out2());
        at(T0 + 500 + 1 + 50);
        assertTrue(out2());
    }

    @Test
    void mode4StrobesOnceOnChannel0() {
        out(CONTROL, 0x38); // counter 0, mode 4
        writeCount(CH0, 20);
        at(T0 + 1 + 20);
        assertEquals(0x38, status(0), "OUT low for the clock at terminal count");
        at(T0 + 1 + 21);
        assertEquals(0x80 | 0x38, status(0));
        pit.advanceTo(Pit8254.INPUT_CLOCK.nanosAt(T0 + 100_000));
        assertEquals(1, irq0.risingEdges());
        assertEquals(Long.MAX_VALUE, pit.nextDeadlineNanos());
    }

    @Test
    void mode5WaitsForTheGate() {
        out(CONTROL, 0xBA); // counter 2, mode 5
        writeCount(CH2, 8);
        at(T0 + 300);
        assertTrue(out2());
        out(PORT_B, Pit8254.PORT_B_GATE2);
        at(T0 + 300 + 1 + 8);
        assertFalse(out2());
        at(T0 + 300 + 1 + 9);
        assertTrue(out2());
    }

    @Test
    void bcdCountsInDecimal() {
        out(CONTROL, 0x31); // counter 0, mode 0, BCD
        writeCount(CH0, 0x1000);
        at(T0 + 1 + 11);
        assertEquals(0x0989, readCount(CH0));
        at(T0 + 1 + 1000);
        assertEquals(0x80 | 0x31, status(0));
        at(T0 + 1 + 1001);
        assertEquals(0x9999, readCount(CH0), "BCD wraps at 10000");
    }

    @Test
    void lsbOnlyAndMsbOnlyAccess() {
        out(CONTROL, 0x10); // counter 0, LSB only, mode 0
        out(CH0, 0x80);
        at(T0 + 1 + 0x10);
        assertEquals(0x70, in(CH0));
        out(CONTROL, 0x20); // MSB only
        out(CH0, 0x02);
        at(T0 + 1 + 0x10 + 1 + 0x100);
        assertEquals(0x01, in(CH0));
    }

    @Test
    void zeroCountMeansTheMaximum() {
        out(CONTROL, 0x34);
        writeCount(CH0, 0);
        assertEquals(Pit8254.INPUT_CLOCK.nanosAt(T0 + 1 + 0x10000), pit.nextDeadlineNanos());
        at(T0 + 1 + 1);
        assertEquals(0xFFFF, readCount(CH0));
    }

    @Test
    void portBReflectsRefreshToggleAndWritableBits() {
        out(PORT_B, 0xFF);
        assertEquals(0x0F, in(PORT_B) & 0x0F);
        at(18 * 100);
        int first = in(PORT_B) & Pit8254.PORT_B_REFRESH;
        at(18 * 101);
        int second = in(PORT_B) & Pit8254.PORT_B_REFRESH;
        assertTrue(first != second, "refresh request toggles every 15 us");
        assertEquals(0xFF, in(CONTROL), "the control word register is write-only");
    }

    @Test
    void stateRoundTripsAndKeepsCounting() {
        out(CONTROL, 0x34);
        writeCount(CH0, 100);
        out(PORT_B, Pit8254.PORT_B_GATE2);
        out(CONTROL, 0xB6);
        writeCount(CH2, 10);
        at(T0 + 1 + 150);
        pit.advanceTo(clock.nanos());
        out(CONTROL, 0x00);
        PitState s = pit.state();
        IrqProbe irq2 = new IrqProbe();
        Pit8254 copy = Pit8254.fromState(s, clock, irq2);
        assertEquals(s, copy.state());
        IoBus bus2 = new IoBus();
        copy.claim(bus2);
        int lsb = bus2.readPort(CH0, 1);
        assertEquals(50, bus2.readPort(CH0, 1) << 8 | lsb, "the latch survives");
        assertEquals(Pit8254.INPUT_CLOCK.nanosAt(T0 + 1 + 200), copy.nextDeadlineNanos());
        copy.advanceTo(copy.nextDeadlineNanos());
        assertEquals(1, irq2.risingEdges());
        assertEquals(Pit8254.PORT_B_GATE2, bus2.readPort(PORT_B, 1) & 0x0F);
    }
}
