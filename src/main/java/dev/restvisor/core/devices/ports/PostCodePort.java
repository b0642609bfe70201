package dev.restvisor.core.devices.ports;

import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.io.PortIoDevice;
import java.util.function.IntConsumer;

/**
 * Port 0x80: firmware writes power-on self-test progress codes here, and guests also use it as
 * an I/O delay. Every code goes to the listener; a read returns the last code.
 */
public final class PostCodePort implements PortIoDevice {

    public static final int PORT = 0x80;

    private final IntConsumer listener;
    private int lastCode;

    public PostCodePort(IntConsumer listener) {
        this.listener = listener;
    }

    public void claim(IoBus bus) {
        bus.claimPorts(PORT, 1, this, "post-code");
    }

    @Override
    public synchronized int read(int offset, int size) {
        return lastCode;
    }

    @Override
    public synchronized void write(int offset, int size, int value) {
        lastCode = value & 0xFF;
        listener.accept(lastCode);
    }

    public synchronized PostCodeState state() {
        return new PostCodeState(lastCode);
    }

    public synchronized void restore(PostCodeState s) {
        lastCode = s.lastCode() & 0xFF;
    }

    public static PostCodePort fromState(PostCodeState s, IntConsumer listener) {
        PostCodePort port = new PostCodePort(listener);
        port.restore(s);
        return port;
    }
}
