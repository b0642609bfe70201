package dev.restvisor.core.vm;

/**
 * KVM_SET_GUEST_DEBUG as this service takes it: single-step and execution breakpoints on guest
 * linear addresses.
 */
public record GuestDebug(boolean enabled, boolean singleStep, long[] breakpoints) {
    /** Most breakpoints one vcpu accepts (kvm.h promises 4; more is an extension). */
    public static final int MAX_BREAKPOINTS = 16;
    public static final GuestDebug OFF = new GuestDebug(false, false, new long[0]);

    public GuestDebug {
        breakpoints = breakpoints.clone();
    }

    @Override
    public long[] breakpoints() {
        return breakpoints.clone();
    }
}
