package dev.restvisor.core.cpu.state;

/** GDTR or IDTR, as kvm_dtable: a linear base and a 16-bit limit. */
public record DescriptorTable(long base, int limit) {
    public static final DescriptorTable RESET = new DescriptorTable(0, 0xffff);
}
