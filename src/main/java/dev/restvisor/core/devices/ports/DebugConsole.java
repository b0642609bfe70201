package dev.restvisor.core.devices.ports;

import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.io.PortIoDevice;
import java.util.function.IntConsumer;

/**
 * The port 0xE9 debug console: each byte written goes to the sink. Reading returns 0xE9, which is
 * how guests conventionally detect that the port is present.
 */
public final class DebugConsole implements PortIoDevice {

    public static final int PORT = 0xE9;

    private final IntConsumer sink;

    public DebugConsole(IntConsumer sink) {
        this.sink = sink;
    }

    public void claim(IoBus bus) {
        bus.claimPorts(PORT, 1, this, "debug-console");
    }

    @Override
    public int read(int offset, int size) {
        return PORT;
    }

    @Override
    public void write(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            sink.accept(value >>> 8 * i & 0xFF);
        }
    }
}
