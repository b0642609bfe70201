package dev.restvisor.core.cpu.decode;

/** The executor family an {@link Op} belongs to; the interpreter dispatches on it first. */
public enum Family {
    ALU, SHIFT, BIT, MULDIV, BCD, STRING, STACK, BRANCH, DATA, FLAGCTL, IO, SYSTEM, X87, SSE, NOP, UNDEFINED
}
