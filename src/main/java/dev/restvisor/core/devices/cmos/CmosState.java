package dev.restvisor.core.devices.cmos;

import java.util.Arrays;
import java.util.Objects;

/**
 * The RTC and CMOS RAM for snapshots. {@code ram} holds all 128 bytes (time registers are
 * meaningful only while register B's SET bit freezes them); the time of day is
 * {@code baseSeconds} (Unix seconds) at clock time {@code baseNanos}; {@code flags} are register
 * C's PF/AF/UF bits; {@code eventsDoneNanos} is the clock time up to which they were updated.
 */
public record CmosState(int index, boolean nmiMasked, byte[] ram, long baseSeconds, long baseNanos, int flags,
                        long eventsDoneNanos) {

    public CmosState {
        if (ram.length != Mc146818.RAM_SIZE) {
            throw new IllegalArgumentException("CMOS RAM must be 128 bytes: " + ram.length);
        }
        ram = ram.clone();
    }

    @Override
    public byte[] ram() {
        return ram.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CmosState s && index == s.index && nmiMasked == s.nmiMasked && Arrays.equals(ram, s.ram)
                && baseSeconds == s.baseSeconds && baseNanos == s.baseNanos && flags == s.flags
                && eventsDoneNanos == s.eventsDoneNanos;
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, nmiMasked, Arrays.hashCode(ram), baseSeconds, baseNanos, flags, eventsDoneNanos);
    }

    @Override
    public String toString() {
        return "CmosState[index=0x%x, nmiMasked=%b, baseSeconds=%d, baseNanos=%d, flags=0x%x, eventsDoneNanos=%d]"
                .formatted(index, nmiMasked, baseSeconds, baseNanos, flags, eventsDoneNanos);
    }
}
