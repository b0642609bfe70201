package dev.restvisor.core.devices.pit8254;

import java.util.List;

/**
 * The PIT for snapshots: three channels, the tick up to which channel 0's IRQ edges were
 * delivered, and port 0x61's writable bits.
 */
public record PitState(List<PitChannelState> channels, long irqTick, int portB) {

    public PitState {
        channels = List.copyOf(channels);
    }
}
