package dev.restvisor.core.devices.ports;

import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.io.PortIoDevice;
import java.util.function.IntConsumer;

/**
 * A one-port device whose write ends the VM: the written value (1, 2 or 4 bytes, zero-extended)
 * is the exit status passed to the callback. Reads return all ones.
 */
public final class DebugExit implements PortIoDevice {

    private final IntConsumer onExit;

    public DebugExit(IntConsumer onExit) {
        this.onExit = onExit;
    }

    public void claim(IoBus bus, int port) {
        bus.claimPorts(port, 1, this, "debug-exit");
    }

    @Override
    public int read(int offset, int size) {
        return (int) ((1L << 8 * size) - 1);
    }

    @Override
    public void write(int offset, int size, int value) {
        onExit.accept(size == 4 ? value : value & ((1 << 8 * size) - 1));
    }
}
