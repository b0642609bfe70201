package dev.restvisor.core.io;

/**
 * A fixed-frequency oscillator seen through the nanosecond {@link Clock}: converts both ways
 * without overflowing for any non-negative clock value.
 */
public record TickRate(long hz) {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    public TickRate {
        if (hz <= 0 || hz > NANOS_PER_SECOND) {
            throw new IllegalArgumentException("hz must be in 1..1e9: " + hz);
        }
    }

    /** Whole ticks elapsed at clock time {@code nanos}. */
    public long ticksAt(long nanos) {
        return nanos / NANOS_PER_SECOND * hz + nanos % NANOS_PER_SECOND * hz / NANOS_PER_SECOND;
    }

    /** The earliest clock time at which {@link #ticksAt} reaches {@code ticks}. */
    public long nanosAt(long ticks) {
        long rem = ticks % hz * NANOS_PER_SECOND;
        return ticks / hz * NANOS_PER_SECOND + (rem + hz - 1) / hz;
    }
}
