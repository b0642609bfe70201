package dev.restvisor.core.devices.cmos;

import dev.restvisor.core.io.Clock;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.io.IrqLine;
import dev.restvisor.core.io.PortIoDevice;
import dev.restvisor.core.io.TickRate;
import dev.restvisor.core.io.TimedDevice;

/**
 * MC146818 RTC at index port 0x70 (bit 7: NMI disable, bits 0-6: register) and data port 0x71.
 * Registers 0-9 are the time and alarm, 10-13 are A-D, 14-127 are NVRAM.
 */
public final class Mc146818 implements PortIoDevice, TimedDevice {

    public static final int BASE = 0x70;
    public static final int IRQ = 8;
    public static final int RAM_SIZE = 128;

    public static final int SECONDS = 0x00;
    public static final int SECONDS_ALARM = 0x01;
    public static final int MINUTES = 0x02;
    public static final int MINUTES_ALARM = 0x03;
    public static final int HOURS = 0x04;
    public static final int HOURS_ALARM = 0x05;
    public static final int DAY_OF_WEEK = 0x06;
    public static final int DAY_OF_MONTH = 0x07;
    public static final int MONTH = 0x08;
    public static final int YEAR = 0x09;
    public static final int REG_A = 0x0A;
    public static final int REG_B = 0x0B;
    public static final int REG_C = 0x0C;
    public static final int REG_D = 0x0D;

    public static final int A_UIP = 0x80;
    public static final int B_SET = 0x80;
    public static final int B_PIE = 0x40;
    public static final int B_AIE = 0x20;
    public static final int B_UIE = 0x10;
    public static final int B_DM_BINARY = 0x04;
    public static final int B_24H = 0x02;
    public static final int C_IRQF = 0x80;
    public static final int C_PF = 0x40;
    public static final int C_AF = 0x20;
    public static final int C_UF = 0x10;
    public static final int D_VRT = 0x80;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** UIP rises 244 us before each update cycle (datasheet, "Update Cycle"). */
    private static final long UIP_NANOS = 244_000;
    private static final TickRate TIME_BASE = new TickRate(32_768);
    private static final int[] TIME_REGISTERS = {SECONDS, MINUTES, HOURS, DAY_OF_WEEK, DAY_OF_MONTH, MONTH, YEAR};

    private final Clock clock;
    private final IrqLine irq;
    private final byte[] ram = new byte[RAM_SIZE];
    private int index;
    private boolean nmiMasked;
    private long baseSeconds;
    private long baseNanos;
    private int flags;
    private long eventsDoneNanos;
    private boolean irqLevel;

    /**
     * An RTC showing {@code epochSeconds} (Unix time, 1970 or later) at clock time zero, in BCD
     * and 24 hour mode with the 32.768 kHz divider running and a 976.5625 us periodic rate, as a
     * PC BIOS leaves it.
     */
    public Mc146818(Clock clock, IrqLine irq, long epochSeconds) {
        if (epochSeconds < 0) {
            throw new IllegalArgumentException("epochSeconds before 1970: " + epochSeconds);
        }
        this.clock = clock;
        this.irq = irq;
        this.baseSeconds = epochSeconds;
        this.eventsDoneNanos = clock.nanos();
        ram[REG_A] = 0x26;
        ram[REG_B] = B_24H;
    }

    public void claim(IoBus bus) {
        bus.claimPorts(BASE, 2, this, "cmos");
    }

    /** Bit 7 of the last index written: the chipset's NMI mask, for the VM to consult. */
    public synchronized boolean nmiMasked() {
        return nmiMasked;
    }

    /** NVRAM byte {@code i} (14-127), for the VM to preset memory-size or boot bytes. */
    public synchronized void setNvram(int i, int value) {
        if (i <= REG_D || i >= RAM_SIZE) {
            throw new IllegalArgumentException("not an NVRAM byte: " + i);
        }
        ram[i] = (byte) value;
    }

    // ---- ports ----

    @Override
    public synchronized int read(int offset, int size) {
        if (offset == 0) {
            return 0xFF; // the index port is write-only
        }
        return readRegister(index);
    }

    @Override
    public synchronized void write(int offset, int size, int value) {
        if (offset == 0) {
            index = value & 0x7F;
            nmiMasked = (value & 0x80) != 0;
        } else {
            writeRegister(index, value & 0xFF);
        }
    }

    private int readRegister(int r) {
        long now = clock.nanos();
        return switch (r) {
            case SECONDS, MINUTES, HOURS, DAY_OF_WEEK, DAY_OF_MONTH, MONTH, YEAR ->
                    setMode() ? ram[r] & 0xFF : encode(r, CivilTime.fromEpochSeconds(secondsAt(now)));
            case REG_A -> (ram[REG_A] & 0x7F) | (updateInProgress(now) ? A_UIP : 0);
            case REG_C -> {
                advance(now);
                int value = flags | (irqf() ? C_IRQF : 0);
                flags = 0; // reading C clears every flag and the IRQ (datasheet, "Register C")
                updateIrq();
                yield value;
            }
            case REG_D -> D_VRT;
            default -> ram[r] & 0xFF;
        };
    }

    private void writeRegister(int r, int value) {
        long now = clock.nanos();
        advance(now);
        switch (r) {
            case SECONDS, MINUTES, HOURS, DAY_OF_WEEK, DAY_OF_MONTH, MONTH, YEAR -> {
                if (!setMode()) {
                    freezeTime(now);
                }
                ram[r] = (byte) value;
                if (!setMode()) {
                    startTime(now);
                }
            }
            case REG_A -> ram[REG_A] = (byte) (value & 0x7F);
            case REG_B -> {
                boolean wasSet = setMode();
                if (!wasSet && (value & B_SET) != 0) {
                    freezeTime(now);
                }
                // SET stops updates and clears UIE (datasheet, "Register B").
                ram[REG_B] = (byte) ((value & B_SET) != 0 ? value & ~B_UIE : value);
                if (wasSet && (value & B_SET) == 0) {
                    startTime(now);
                }
            }
            case REG_C, REG_D -> { } // read-only
            default -> ram[r] = (byte) value;
        }
        updateIrq();
    }

    private boolean setMode() {
        return (ram[REG_B] & B_SET) != 0;
    }

    private long secondsAt(long now) {
        return baseSeconds + Math.floorDiv(now - baseNanos, NANOS_PER_SECOND);
    }

    private boolean updateInProgress(long now) {
        return !setMode() && Math.floorMod(now - baseNanos, NANOS_PER_SECOND) >= NANOS_PER_SECOND - UIP_NANOS;
    }

    /** Copies the running time into registers 0-9 so the guest reads and edits a stable copy. */
    private void freezeTime(long now) {
        CivilTime t = CivilTime.fromEpochSeconds(secondsAt(now));
        for (int r : TIME_REGISTERS) {
            ram[r] = (byte) encode(r, t);
        }
    }

    /** Restarts the clock from registers 0-9; the next update is a full second away. */
    private void startTime(long now) {
        int yy = decode(ram[YEAR] & 0xFF);
        CivilTime t = new CivilTime(yy < 70 ? 2000 + yy : 1900 + yy, decode(ram[MONTH] & 0xFF),
                decode(ram[DAY_OF_MONTH] & 0xFF), decodeHours(ram[HOURS] & 0xFF), decode(ram[MINUTES] & 0xFF),
                decode(ram[SECONDS] & 0xFF), 1);
        baseSeconds = Math.max(0, t.toEpochSeconds());
        baseNanos = now;
    }

    // ---- register formats ----

    private boolean binary() {
        return (ram[REG_B] & B_DM_BINARY) != 0;
    }

    private int encodeValue(int v) {
        return binary() ? v : (v / 10) << 4 | v % 10;
    }

    private int decode(int v) {
        return binary() ? v : (v >> 4) * 10 + (v & 0x0F);
    }

    private int encode(int r, CivilTime t) {
        return switch (r) {
            case SECONDS -> encodeValue(t.second());
            case MINUTES -> encodeValue(t.minute());
            case HOURS -> encodeHours(t.hour());
            case DAY_OF_WEEK -> encodeValue(t.dayOfWeek());
            case DAY_OF_MONTH -> encodeValue(t.day());
            case MONTH -> encodeValue(t.month());
            default -> encodeValue(t.year() % 100);
        };
    }

    /** In 12 hour mode the hour is 1-12 with bit 7 set for PM (datasheet table 3). */
    private int encodeHours(int hour) {
        if ((ram[REG_B] & B_24H) != 0) {
            return encodeValue(hour);
        }
        int h12 = hour % 12 == 0 ? 12 : hour % 12;
        return encodeValue(h12) | (hour >= 12 ? 0x80 : 0);
    }

    private int decodeHours(int v) {
        if ((ram[REG_B] & B_24H) != 0) {
            return decode(v);
        }
        return decode(v & 0x7F) % 12 + ((v & 0x80) != 0 ? 12 : 0);
    }

    // ---- interrupts ----

    /** Periodic rate from register A RS3-RS0 in 32.768 kHz ticks; rates 1 and 2 repeat 8 and 9. */
    private long periodTicks() {
        int rate = ram[REG_A] & 0x0F;
        if (rate == 0) {
            return 0;
        }
        return rate <= 2 ? 1L << (rate + 6) : 1L << (rate - 1);
    }

    /** Raises PF, UF and AF for every period boundary and update cycle in (eventsDone, now]. */
    private void advance(long now) {
        if (now <= eventsDoneNanos) {
            return;
        }
        long period = periodTicks();
        if (period != 0 && TIME_BASE.ticksAt(now) / period > TIME_BASE.ticksAt(eventsDoneNanos) / period) {
            flags |= C_PF;
        }
        if (!setMode() && secondsAt(now) > secondsAt(eventsDoneNanos)) {
            flags |= C_UF;
            if (alarmMatches(CivilTime.fromEpochSeconds(secondsAt(now)))) {
                flags |= C_AF;
            }
        }
        eventsDoneNanos = now;
        updateIrq();
    }

    /** An alarm byte with bits 7-6 set matches any value (datasheet, "Alarm"). */
    private boolean alarmMatches(CivilTime t) {
        return alarmByteMatches(ram[SECONDS_ALARM], encode(SECONDS, t))
                && alarmByteMatches(ram[MINUTES_ALARM], encode(MINUTES, t))
                && alarmByteMatches(ram[HOURS_ALARM], encode(HOURS, t));
    }

    private static boolean alarmByteMatches(byte alarm, int value) {
        return (alarm & 0xC0) == 0xC0 || (alarm & 0xFF) == value;
    }

    private boolean irqf() {
        int enabled = ram[REG_B] & (B_PIE | B_AIE | B_UIE);
        return (flags & enabled) != 0; // PF/AF/UF sit at the same bit positions as PIE/AIE/UIE
    }

    private void updateIrq() {
        boolean level = irqf();
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    @Override
    public synchronized long nextDeadlineNanos() {
        long next = Long.MAX_VALUE;
        long period = periodTicks();
        if ((ram[REG_B] & B_PIE) != 0 && period != 0) {
            long tick = (TIME_BASE.ticksAt(eventsDoneNanos) / period + 1) * period;
            next = TIME_BASE.nanosAt(tick);
        }
        if ((ram[REG_B] & (B_AIE | B_UIE)) != 0 && !setMode()) {
            long second = Math.floorDiv(eventsDoneNanos - baseNanos, NANOS_PER_SECOND) + 1;
            next = Math.min(next, baseNanos + second * NANOS_PER_SECOND);
        }
        return next;
    }

    @Override
    public synchronized void advanceTo(long nanos) {
        advance(nanos);
    }

    // ---- snapshots ----

    public synchronized CmosState state() {
        return new CmosState(index, nmiMasked, ram, baseSeconds, baseNanos, flags, eventsDoneNanos);
    }

    public synchronized void restore(CmosState s) {
        index = s.index() & 0x7F;
        nmiMasked = s.nmiMasked();
        System.arraycopy(s.ram(), 0, ram, 0, RAM_SIZE);
        baseSeconds = s.baseSeconds();
        baseNanos = s.baseNanos();
        flags = s.flags() & (C_PF | C_AF | C_UF);
        eventsDoneNanos = s.eventsDoneNanos();
        irqLevel = !irqf();
        updateIrq();
    }

    public static Mc146818 fromState(CmosState s, Clock clock, IrqLine irq) {
        Mc146818 rtc = new Mc146818(clock, irq, 0);
        rtc.restore(s);
        return rtc;
    }
}
