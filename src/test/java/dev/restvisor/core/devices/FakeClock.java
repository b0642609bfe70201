package dev.restvisor.core.devices;

import dev.restvisor.core.io.Clock;

/** A clock the test moves by hand. */
public final class FakeClock implements Clock {

    private long nanos;

    public FakeClock(long nanos) {
        this.nanos = nanos;
    }

    @Override
    public long nanos() {
        return nanos;
    }

    public void set(long nanos) {
        this.nanos = nanos;
    }

    public void advance(long delta) {
        nanos += delta;
    }
}
