package dev.restvisor.core.cpu.exec;

/**
 * A guest exception raised while executing an instruction (SDM Vol. 3A 6.15). Thrown from anywhere
 * inside an executor and caught at the instruction boundary by the run loop, which rolls RIP back to
 * the faulting instruction and delivers the vector. Stackless: faults are normal guest control flow.
 */
public final class GuestFault extends RuntimeException {
    public static final int DE = 0, DB = 1, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11,
            SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19;

    public final int vector;
    /** The error code pushed with the exception, or -1 when the vector has none. */
    public final int errorCode;

    public GuestFault(int vector, int errorCode) {
        super(null, null, false, false);
        this.vector = vector;
        this.errorCode = errorCode;
    }

    @Override
    public String getMessage() {
        return errorCode < 0 ? "#" + vector : "#" + vector + "(" + Integer.toHexString(errorCode) + ")";
    }

    public static GuestFault ud() {
        return new GuestFault(UD, -1);
    }

    public static GuestFault de() {
        return new GuestFault(DE, -1);
    }

    public static GuestFault gp(int errorCode) {
        return new GuestFault(GP, errorCode);
    }

    public static GuestFault ss(int errorCode) {
        return new GuestFault(SS, errorCode);
    }

    public static GuestFault np(int errorCode) {
        return new GuestFault(NP, errorCode);
    }

    public static GuestFault ts(int errorCode) {
        return new GuestFault(TS, errorCode);
    }

    public static GuestFault pf(int errorCode) {
        return new GuestFault(PF, errorCode);
    }
}
