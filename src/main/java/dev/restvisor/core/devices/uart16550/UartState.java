package dev.restvisor.core.devices.uart16550;

import java.util.Arrays;
import java.util.Objects;

/**
 * The registers of one {@link Uart16550} for snapshots. {@code lsrErrors} holds LSR bits 1-4
 * (OE, PE, FE, BI); {@code msrDelta} MSR bits 0-3; {@code rxFifo} the received bytes oldest first;
 * {@code input} the queued console bytes not yet in the FIFO; {@code timeoutDeadline} the clock
 * time of the character timeout, or Long.MAX_VALUE when not armed.
 */
public record UartState(int dll, int dlm, int ier, int fcr, int lcr, int mcr, int scr, int rbr,
                        int lsrErrors, int msrDelta, boolean threPending, boolean timeoutPending,
                        long timeoutDeadline, byte[] rxFifo, byte[] input) {

    public UartState {
        rxFifo = rxFifo.clone();
        input = input.clone();
    }

    @Override
    public byte[] rxFifo() {
        return rxFifo.clone();
    }

    @Override
    public byte[] input() {
        return input.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UartState s && dll == s.dll && dlm == s.dlm && ier == s.ier && fcr == s.fcr
                && lcr == s.lcr && mcr == s.mcr && scr == s.scr && rbr == s.rbr && lsrErrors == s.lsrErrors
                && msrDelta == s.msrDelta && threPending == s.threPending && timeoutPending == s.timeoutPending
                && timeoutDeadline == s.timeoutDeadline && Arrays.equals(rxFifo, s.rxFifo)
                && Arrays.equals(input, s.input);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dll, dlm, ier, fcr, lcr, mcr, scr, rbr, lsrErrors, msrDelta, threPending, timeoutPending,
                timeoutDeadline, Arrays.hashCode(rxFifo), Arrays.hashCode(input));
    }

    @Override
    public String toString() {
        return "UartState[dll=%d, dlm=%d, ier=0x%x, fcr=0x%x, lcr=0x%x, mcr=0x%x, lsrErrors=0x%x, msrDelta=0x%x, rx=%d bytes, input=%d bytes]"
                .formatted(dll, dlm, ier, fcr, lcr, mcr, lsrErrors, msrDelta, rxFifo.length, input.length);
    }
}
