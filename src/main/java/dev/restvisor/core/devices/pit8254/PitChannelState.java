package dev.restvisor.core.devices.pit8254;

/**
 * One counter of the 8254. {@code controlWord} holds RW (bits 5-4), M (3-1) and BCD (0) as last
 * programmed; {@code reload} is the count register (CR) as written (BCD digits in BCD mode);
 * {@code loaded} says a full count was written since the control word. While {@code counting},
 * the counting element held {@code runCount} at input-clock tick {@code loadTick}; before that
 * tick a mode 2/3 {@code continuation} still runs the previous period of {@code prevCount}.
 * While not counting the element holds {@code heldCount} and OUT holds {@code heldOut}.
 * Access state: {@code writeLsbNext}/{@code pendingLsb} and {@code readLsbNext} for RW=11,
 * {@code latchedCount} and {@code latchedStatus} (-1 when not latched) with
 * {@code latchedMsbNext} for the byte order of a latched count.
 */
public record PitChannelState(int controlWord, int reload, boolean loaded, boolean counting, long loadTick,
                              int runCount, int prevCount, boolean continuation, int heldCount, boolean heldOut,
                              boolean gate, boolean writeLsbNext, int pendingLsb, boolean readLsbNext,
                              int latchedCount, boolean latchedMsbNext, int latchedStatus) {
}
