package dev.restvisor.core.devices.ports;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.restvisor.core.io.IoBus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmallPortsTest {

    private final IoBus bus = new IoBus();
    private final List<String> events = new ArrayList<>();
    private final PlatformControl platform = new PlatformControl() {
        @Override
        public void reset() {
            events.add("reset");
        }

        @Override
        public void setA20(boolean enabled) {
            events.add("a20=" + enabled);
        }
    };

    @Test
    void debugExitReportsTheWrittenStatus() {
        new DebugExit(status -> events.add("exit " + status)).claim(bus, 0x501);
        bus.writePort(0x501, 1, 0x1FF);
        bus.writePort(0x501, 4, 0x12345678);
        assertEquals(List.of("exit 255", "exit 305419896"), events);
        assertEquals(0xFFFF, bus.readPort(0x501, 2));
    }

    @Test
    void postCodesAreRecorded() {
        PostCodePort post = new PostCodePort(code -> events.add("post " + code));
        post.claim(bus);
        bus.writePort(0x80, 1, 0x55);
        bus.writePort(0x80, 1, 0xAA);
        assertEquals(List.of("post 85", "post 170"), events);
        assertEquals(0xAA, bus.readPort(0x80, 1));
        PostCodePort copy = PostCodePort.fromState(post.state(), code -> { });
        assertEquals(post.state(), copy.state());
    }

    @Test
    void debugConsoleWritesBytes() {
        StringBuilder out = new StringBuilder();
        new DebugConsole(b -> out.append((char) b)).claim(bus);
        bus.writePort(0xE9, 1, 'O');
        bus.writePort(0xE9, 2, 'k' << 8 | 'K');
        assertEquals("OKk", out.toString());
        assertEquals(0xE9, bus.readPort(0xE9, 1));
    }

    @Test
    void portAGatesA20AndResets() {
        SystemControlPortA portA = new SystemControlPortA(platform);
        portA.claim(bus);
        assertEquals(SystemControlPortA.A20, bus.readPort(0x92, 1));
        bus.writePort(0x92, 1, 0x00);
        bus.writePort(0x92, 1, 0x00);
        bus.writePort(0x92, 1, SystemControlPortA.A20 | SystemControlPortA.RESET);
        assertEquals(List.of("a20=false", "a20=true", "reset"), events);
        assertEquals(SystemControlPortA.A20, bus.readPort(0x92, 1), "the reset bit does not stick");
        SystemControlPortA copy = SystemControlPortA.fromState(portA.state(), platform);
        assertEquals(portA.state(), copy.state());
        assertEquals(3, events.size(), "restore does not call the platform");
    }

    @Test
    void i8042AnswersControllerCommandsAndResets() {
        I8042 kbc = new I8042(platform);
        kbc.claim(bus);
        assertEquals(I8042.STATUS_SYS | I8042.STATUS_UNLOCKED, bus.readPort(0x64, 1));
        bus.writePort(0x64, 1, 0xAA);
        assertEquals(I8042.STATUS_OBF, bus.readPort(0x64, 1) & I8042.STATUS_OBF);
        assertEquals(0x55, bus.readPort(0x60, 1));
        assertEquals(0, bus.readPort(0x64, 1) & I8042.STATUS_OBF);

        bus.writePort(0x64, 1, 0x60);
        bus.writePort(0x60, 1, 0x65);
        bus.writePort(0x64, 1, 0x20);
        assertEquals(0x65, bus.readPort(0x60, 1));

        bus.writePort(0x64, 1, 0xD1);
        bus.writePort(0x60, 1, 0x01); // output port: A20 off, reset line inactive
        bus.writePort(0x64, 1, 0xD0);
        assertEquals(0x01, bus.readPort(0x60, 1));
        bus.writePort(0x64, 1, 0xFE);
        assertEquals(List.of("a20=false", "reset"), events);

        bus.writePort(0x64, 1, 0xFF); // pulse nothing
        bus.writePort(0x60, 1, 0xF4); // a keyboard command with no keyboard: dropped
        assertEquals(2, events.size());
        assertEquals(0, bus.readPort(0x64, 1) & I8042.STATUS_A2, "last write was data");

        I8042 copy = I8042.fromState(kbc.state(), platform);
        assertEquals(kbc.state(), copy.state());
    }

    /** Linux's i8042_check_aux writes 0x5A through the auxiliary loopback and expects it back, marked as mouse data. */
    @Test
    void i8042LoopbackWritesComeBackFromTheirPort() {
        I8042 kbc = new I8042(platform);
        kbc.claim(bus);
        bus.writePort(0x64, 1, 0xD3);
        bus.writePort(0x60, 1, 0x5A);
        assertEquals(I8042.STATUS_OBF | I8042.STATUS_AUX_DATA, bus.readPort(0x64, 1) & (I8042.STATUS_OBF | I8042.STATUS_AUX_DATA));
        I8042 copy = I8042.fromState(kbc.state(), platform);
        assertEquals(0x5A, bus.readPort(0x60, 1));
        assertEquals(0, bus.readPort(0x64, 1) & I8042.STATUS_OBF);

        bus.writePort(0x64, 1, 0xD2);
        bus.writePort(0x60, 1, 0x1C);
        assertEquals(I8042.STATUS_OBF, bus.readPort(0x64, 1) & (I8042.STATUS_OBF | I8042.STATUS_AUX_DATA), "keyboard data");
        assertEquals(0x1C, bus.readPort(0x60, 1));
        assertEquals(I8042.STATUS_AUX_DATA, copy.state().outputFromAux() ? I8042.STATUS_AUX_DATA : 0, "the state record keeps the source");
    }
}
