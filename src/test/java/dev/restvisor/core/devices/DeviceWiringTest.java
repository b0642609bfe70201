package dev.restvisor.core.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.restvisor.core.devices.cmos.Mc146818;
import dev.restvisor.core.devices.pic8259.PicPair;
import dev.restvisor.core.devices.pit8254.Pit8254;
import dev.restvisor.core.devices.uart16550.ComPort;
import dev.restvisor.core.devices.uart16550.Uart16550;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.io.TimedDevice;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Devices wired to the PIC the way a VM does, with virtual time jumping to the next deadline. */
class DeviceWiringTest {

    private final FakeClock clock = new FakeClock(0);
    private final IoBus bus = new IoBus();
    private final PicPair pic = new PicPair();
    private final Pit8254 pit = new Pit8254(clock, pic.irq(0));
    private final Mc146818 rtc = new Mc146818(clock, pic.irq(Mc146818.IRQ), 0);
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final Uart16550 com1 = new Uart16550(clock, pic.irq(ComPort.COM1.irq()), console::write);
    private final List<TimedDevice> timed = List.of(pit, rtc, com1);

    DeviceWiringTest() {
        pic.claim(bus);
        pit.claim(bus);
        rtc.claim(bus);
        com1.claim(bus, ComPort.COM1);
        int[][] init = {{0x20, 0x11}, {0x21, 0x20}, {0x21, 0x04}, {0x21, 0x01},
                        {0xA0, 0x11}, {0xA1, 0x28}, {0xA1, 0x02}, {0xA1, 0x01}, {0x21, 0x00}, {0xA1, 0x00}};
        for (int[] w : init) {
            bus.writePort(w[0], 1, w[1]);
        }
    }

    /** What the VM loop does while every vcpu halts: jump to the earliest deadline and advance all. */
    private void haltUntilNextEvent() {
        long next = timed.stream().mapToLong(TimedDevice::nextDeadlineNanos).min().orElseThrow();
        clock.set(next);
        timed.forEach(d -> d.advanceTo(next));
    }

    @Test
    void pitTicksReachTheVcpuAsVector0x20() {
        bus.writePort(0x43, 1, 0x34);
        bus.writePort(0x40, 1, 11932 & 0xFF); // 100 Hz
        bus.writePort(0x40, 1, 11932 >> 8);
        for (int tick = 1; tick <= 3; tick++) {
            haltUntilNextEvent();
            assertTrue(pic.hasInterrupt());
            assertEquals(0x20, pic.acknowledge());
            bus.writePort(0x20, 1, 0x20);
        }
        assertEquals(Pit8254.INPUT_CLOCK.nanosAt(1 + 3 * 11932), clock.nanos());
    }

    @Test
    void rtcPeriodicInterruptArrivesThroughTheSlave() {
        bus.writePort(0x70, 1, Mc146818.REG_B);
        bus.writePort(0x71, 1, Mc146818.B_24H | Mc146818.B_PIE);
        haltUntilNextEvent();
        assertEquals(0x28, pic.acknowledge());
        bus.writePort(0x70, 1, Mc146818.REG_C);
        assertEquals(Mc146818.C_IRQF | Mc146818.C_PF, bus.readPort(0x71, 1));
        bus.writePort(0xA0, 1, 0x20);
        bus.writePort(0x20, 1, 0x20);
        assertFalse(pic.hasInterrupt());
    }

    @Test
    void uartInterruptsOnIrq4() {
        bus.writePort(0x3F8 + 4, 1, Uart16550.MCR_OUT2);
        bus.writePort(0x3F8 + 1, 1, Uart16550.IER_ERBFI);
        byte[] key = {'k'};
        com1.receive(key, 0, 1);
        assertEquals(0x24, pic.acknowledge());
        assertEquals('k', bus.readPort(0x3F8, 1));
    }
}
