package dev.restvisor.core.devices.pit8254;

import dev.restvisor.core.io.Clock;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.io.IrqLine;
import dev.restvisor.core.io.PortIoDevice;
import dev.restvisor.core.io.TickRate;
import dev.restvisor.core.io.TimedDevice;
import java.util.ArrayList;
import java.util.List;

/**
 * The 8254 at 0x40-0x43 (counters 0-2 and the control word register). Counter 0 drives IRQ 0,
 * counter 1 is the legacy DRAM refresh timer, counter 2 is gated and read through
 * system control port B at 0x61. Counters 0 and 1 have their gates tied high as on the PC.
 */
public final class Pit8254 implements PortIoDevice, TimedDevice {

    public static final int BASE = 0x40;
    public static final int PORT_COUNT = 4;
    public static final int PORT_B = 0x61;
    public static final TickRate INPUT_CLOCK = new TickRate(1_193_182);

    public static final int PORT_B_GATE2 = 0x01;
    public static final int PORT_B_SPEAKER = 0x02;
    public static final int PORT_B_REFRESH = 0x10;
    public static final int PORT_B_OUT2 = 0x20;
    /** Bits 0-3 are writable: gate 2, speaker data, parity and channel-check enables. */
    private static final int PORT_B_WRITABLE = 0x0F;
    /** The refresh request toggles every 15.08 us: counter 1 as the PC BIOS programs it (18 clocks). */
    private static final int REFRESH_CLOCKS = 18;

    private static final int CONTROL = 3;

    private final Clock clock;
    private final IrqLine irq0;
    private final PitChannel[] channels = {new PitChannel(true), new PitChannel(true), new PitChannel(false)};
    private final PortIoDevice portB = new PortB();
    private long irqTick;
    private int portBBits;

    public Pit8254(Clock clock, IrqLine irq0) {
        this.clock = clock;
        this.irq0 = irq0;
    }

    /** Claims 0x40-0x43 and port B at 0x61. */
    public void claim(IoBus bus) {
        bus.claimPorts(BASE, PORT_COUNT, this, "pit");
        bus.claimPorts(PORT_B, 1, portB, "port-b");
    }

    private long now() {
        return INPUT_CLOCK.ticksAt(clock.nanos());
    }

    @Override
    public synchronized int read(int offset, int size) {
        if (offset == CONTROL) {
            return 0xFF; // the control word register cannot be read (datasheet table 1)
        }
        return channels[offset].read(now());
    }

    @Override
    public synchronized void write(int offset, int size, int value) {
        value &= 0xFF;
        long t = now();
        deliverIrq(t);
        if (offset != CONTROL) {
            channels[offset].writeCount(value, t);
            return;
        }
        int sc = value >> 6;
        if (sc == 3) {
            readBack(value, t);
        } else if ((value & 0x30) == 0) {
            channels[sc].latchCount(t);
        } else {
            channels[sc].writeControl(value);
        }
    }

    /** Read-back command: bit 5 low latches counts, bit 4 low latches status, bits 1-3 select counters. */
    private void readBack(int value, long t) {
        for (int i = 0; i < 3; i++) {
            if ((value & 2 << i) == 0) {
                continue;
            }
            if ((value & 0x20) == 0) {
                channels[i].latchCount(t);
            }
            if ((value & 0x10) == 0) {
                channels[i].latchStatus(t);
            }
        }
    }

    /** Pulses IRQ 0 if counter 0's OUT rose since the last delivery, however many times. */
    private void deliverIrq(long t) {
        if (t <= irqTick) {
            return;
        }
        PitChannel c0 = channels[0];
        if (c0.risingEdgesUpTo(t) > c0.risingEdgesUpTo(irqTick)) {
            irq0.pulse();
        }
        irqTick = t;
    }

    @Override
    public synchronized long nextDeadlineNanos() {
        long edge = channels[0].nextRisingEdgeAfter(irqTick);
        return edge < 0 ? Long.MAX_VALUE : INPUT_CLOCK.nanosAt(edge);
    }

    @Override
    public synchronized void advanceTo(long nanos) {
        deliverIrq(INPUT_CLOCK.ticksAt(nanos));
    }

    public synchronized PitState state() {
        List<PitChannelState> list = new ArrayList<>();
        for (PitChannel c : channels) {
            list.add(c.state());
        }
        return new PitState(list, irqTick, portBBits);
    }

    public synchronized void restore(PitState s) {
        if (s.channels().size() != 3) {
            throw new IllegalArgumentException("PIT state needs 3 channels: " + s);
        }
        for (int i = 0; i < 3; i++) {
            channels[i].restore(s.channels().get(i));
        }
        irqTick = s.irqTick();
        portBBits = s.portB() & PORT_B_WRITABLE;
    }

    public static Pit8254 fromState(PitState s, Clock clock, IrqLine irq0) {
        Pit8254 pit = new Pit8254(clock, irq0);
        pit.restore(s);
        return pit;
    }

    private final class PortB implements PortIoDevice {
        @Override
        public int read(int offset, int size) {
            synchronized (Pit8254.this) {
                long t = now();
                return portBBits
                        | ((t / REFRESH_CLOCKS & 1) != 0 ? PORT_B_REFRESH : 0)
                        | (channels[2].out(t) ? PORT_B_OUT2 : 0);
            }
        }

        @Override
        public void write(int offset, int size, int value) {
            synchronized (Pit8254.this) {
                portBBits = value & PORT_B_WRITABLE;
                channels[2].setGate((value & PORT_B_GATE2) != 0, now());
            }
        }
    }
}
