package dev.restvisor.core.devices.pit8254;

/**
 * One 8254 counter computed from input-clock ticks rather than stepped. Times are ticks of the
 * 1.193182 MHz input; "the next CLK pulse" after a write at tick t is t + 1.
 */
final class PitChannel {

    static final int RW_LSB = 1;
    static final int RW_MSB = 2;

    private int controlWord;
    private int reload;
    private boolean loaded;
    private boolean counting;
    private long loadTick;
    private int runCount;
    private int prevCount;
    private boolean continuation;
    private int heldCount;
    private boolean heldOut;
    private boolean gate;
    private boolean writeLsbNext = true;
    private int pendingLsb;
    private boolean readLsbNext = true;
    private int latchedCount = -1;
    private boolean latchedMsbNext;
    private int latchedStatus = -1;

    PitChannel(boolean gate) {
        this.gate = gate;
    }

    int mode() {
        int m = controlWord >> 1 & 7;
        return m >= 6 ? m - 4 : m; // modes 6 and 7 are aliases of 2 and 3
    }

    private int rw() {
        return controlWord >> 4 & 3;
    }

    private boolean bcd() {
        return (controlWord & 1) != 0;
    }

    private int modulus() {
        return bcd() ? 10000 : 0x10000;
    }

    /** The written count as a number of input clocks; 0 is the maximum (datasheet, "Counter Loading"). */
    private int effectiveReload() {
        int n = bcd() ? fromBcd(reload) : reload;
        return n == 0 ? modulus() : n;
    }

    // ---- count and OUT at tick t ----

    int count(long t) {
        if (!counting) {
            return heldCount;
        }
        if (t < loadTick) {
            return continuation ? countIn(t - (loadTick - prevCount), prevCount) : heldCount;
        }
        return countIn(t - loadTick, runCount);
    }

    boolean out(long t) {
        if (!counting) {
            return heldOut;
        }
        if (t < loadTick) {
            return continuation ? outIn(t - (loadTick - prevCount), prevCount) : heldOut;
        }
        return outIn(t - loadTick, runCount);
    }

    /** The counting element {@code e} clocks after it was loaded with {@code n}. */
    private int countIn(long e, int n) {
        return switch (mode()) {
            case 2 -> (int) (n - e % n);
            case 3 -> {
                // Mode 3 decrements by two; each half period reloads (datasheet, "Mode 3").
                long p = e % n;
                long high = (n + 1) / 2;
                long q = p < high ? p : p - high;
                yield (int) Math.max(2, (n & ~1) - 2 * q);
            }
            default -> (int) Math.floorMod(n - e, (long) modulus());
        };
    }

    private boolean outIn(long e, int n) {
        return switch (mode()) {
            case 0, 1 -> e >= n;
            case 2 -> n == 1 || e % n != n - 1;
            case 3 -> e % n < (n + 1) / 2;
            default -> e != n; // modes 4 and 5: one clock low at terminal count
        };
    }

    /** Rising OUT edges of the current run at ticks up to and including {@code t}. */
    long risingEdgesUpTo(long t) {
        if (!counting) {
            return 0;
        }
        return switch (mode()) {
            case 0, 1 -> t >= loadTick + runCount ? 1 : 0;
            case 2, 3 -> {
                int first = continuation ? 0 : 1;
                yield t >= loadTick + (long) first * runCount ? (t - loadTick) / runCount + 1 - first : 0;
            }
            default -> t >= loadTick + runCount + 1 ? 1 : 0;
        };
    }

    /** The first tick after {@code t} with a rising OUT edge, or -1 when none is scheduled. */
    long nextRisingEdgeAfter(long t) {
        if (!counting) {
            return -1;
        }
        long edge = switch (mode()) {
            case 0, 1 -> loadTick + runCount;
            case 2, 3 -> {
                long first = loadTick + (continuation ? 0 : runCount);
                yield t < first ? first : loadTick + ((t - loadTick) / runCount + 1) * runCount;
            }
            default -> loadTick + runCount + 1;
        };
        return edge > t ? edge : -1;
    }

    boolean nullCount(long t) {
        return !loaded || counting && t < loadTick;
    }

    // ---- programming ----

    void writeControl(int value) {
        controlWord = value & 0x3F;
        loaded = false;
        counting = false;
        continuation = false;
        heldCount = 0;
        heldOut = mode() != 0; // OUT goes low after a mode 0 control word, high for the others
        writeLsbNext = true;
        readLsbNext = true;
        latchedCount = -1;
        latchedStatus = -1;
    }

    void latchCount(long t) {
        if (latchedCount < 0) {
            latchedCount = register(count(t));
            latchedMsbNext = false;
        }
    }

    void latchStatus(long t) {
        if (latchedStatus < 0) {
            latchedStatus = (out(t) ? 0x80 : 0) | (nullCount(t) ? 0x40 : 0) | controlWord;
        }
    }

    private int register(int count) {
        return bcd() ? toBcd(count % 10000) : count & 0xFFFF;
    }

    int read(long t) {
        if (latchedStatus >= 0) {
            int s = latchedStatus;
            latchedStatus = -1;
            return s;
        }
        if (latchedCount >= 0) {
            int value = latchedCount;
            switch (rw()) {
                case RW_LSB -> latchedCount = -1;
                case RW_MSB -> {
                    latchedCount = -1;
                    return value >> 8;
                }
                default -> {
                    if (latchedMsbNext) {
                        latchedCount = -1;
                        return value >> 8;
                    }
                    latchedMsbNext = true;
                }
            }
            return value & 0xFF;
        }
        int value = register(count(t));
        return switch (rw()) {
            case RW_LSB -> value & 0xFF;
            case RW_MSB -> value >> 8;
            default -> {
                boolean lsb = readLsbNext;
                readLsbNext = !readLsbNext;
                yield lsb ? value & 0xFF : value >> 8;
            }
        };
    }

    void writeCount(int value, long t) {
        switch (rw()) {
            case RW_LSB -> {
                reload = value;
                load(t);
            }
            case RW_MSB -> {
                reload = value << 8;
                load(t);
            }
            default -> {
                if (writeLsbNext) {
                    pendingLsb = value;
                    writeLsbNext = false;
                    if (mode() == 0) {
                        // Mode 0: writing the first byte stops the current count (datasheet, "Mode 0").
                        freeze(t, false);
                    }
                } else {
                    reload = value << 8 | pendingLsb;
                    writeLsbNext = true;
                    load(t);
                }
            }
        }
    }

    private void load(long t) {
        boolean afterControlWord = !loaded;
        loaded = true;
        int n = effectiveReload();
        switch (mode()) {
            case 0, 4 -> {
                if (gate) {
                    start(t, n, mode() == 4);
                } else {
                    counting = false;
                    heldCount = n % modulus();
                    heldOut = mode() == 4;
                }
            }
            case 2, 3 -> {
                if (counting && t >= loadTick) {
                    // A new count takes effect at the end of the current period (datasheet, "Mode 2").
                    long boundary = loadTick + ((t - loadTick) / runCount + 1) * runCount;
                    prevCount = runCount;
                    loadTick = boundary;
                    runCount = n;
                    continuation = true;
                } else if (counting) {
                    runCount = n;
                } else if (gate) {
                    start(t, n, true);
                }
            }
            default -> { } // modes 1 and 5 wait for a gate trigger
        }
        if (afterControlWord) {
            // Until the next CLK loads the count, a read after a control word sees a counting element the
            // datasheet leaves undefined. It reads as the count about to be loaded: software that reads at
            // once expects that, because on a PC each I/O takes about a microsecond, longer than one CLK
            // (Linux's quick PIT calibration reads right after writing 0xFFFF and expects an MSB of 0xFF).
            heldCount = n % modulus();
        }
    }

    private void start(long t, int n, boolean outBefore) {
        heldCount = count(t);
        heldOut = outBefore;
        counting = true;
        continuation = false;
        loadTick = t + 1;
        runCount = n;
    }

    private void freeze(long t, boolean out) {
        heldCount = count(t);
        heldOut = out;
        counting = false;
    }

    /**
     * Gate input (datasheet table "Gate Pin Operations Summary"): low suspends modes 0 and 4 and
     * stops modes 2 and 3 with OUT high; a rising edge triggers modes 1 and 5 and restarts modes
     * 2 and 3 from the count register.
     */
    void setGate(boolean level, long t) {
        if (level == gate) {
            return;
        }
        gate = level;
        if (!loaded) {
            return;
        }
        switch (mode()) {
            case 0, 4 -> {
                if (!level && counting) {
                    freeze(t, out(t));
                } else if (level && !counting) {
                    start(t, heldCount == 0 ? modulus() : heldCount, heldOut);
                }
            }
            case 2, 3 -> {
                if (!level) {
                    freeze(t, true);
                } else {
                    start(t, effectiveReload(), true);
                }
            }
            default -> {
                if (level) {
                    start(t, effectiveReload(), true);
                }
            }
        }
    }

    boolean gate() {
        return gate;
    }

    static int toBcd(int v) {
        return v / 1000 << 12 | v / 100 % 10 << 8 | v / 10 % 10 << 4 | v % 10;
    }

    static int fromBcd(int v) {
        return (v >> 12 & 0xF) * 1000 + (v >> 8 & 0xF) * 100 + (v >> 4 & 0xF) * 10 + (v & 0xF);
    }

    // ---- snapshots ----

    PitChannelState state() {
        return new PitChannelState(controlWord, reload, loaded, counting, loadTick, runCount, prevCount,
                continuation, heldCount, heldOut, gate, writeLsbNext, pendingLsb, readLsbNext, latchedCount,
                latchedMsbNext, latchedStatus);
    }

    void restore(PitChannelState s) {
        controlWord = s.controlWord() & 0x3F;
        reload = s.reload() & 0xFFFF;
        loaded = s.loaded();
        counting = s.counting() && s.runCount() > 0;
        loadTick = s.loadTick();
        runCount = s.runCount();
        prevCount = s.prevCount();
        continuation = s.continuation() && s.prevCount() > 0;
        heldCount = s.heldCount();
        heldOut = s.heldOut();
        gate = s.gate();
        writeLsbNext = s.writeLsbNext();
        pendingLsb = s.pendingLsb();
        readLsbNext = s.readLsbNext();
        latchedCount = s.latchedCount();
        latchedMsbNext = s.latchedMsbNext();
        latchedStatus = s.latchedStatus();
    }
}
