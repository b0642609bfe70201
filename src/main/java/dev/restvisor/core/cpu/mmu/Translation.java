package dev.restvisor.core.cpu.mmu;

/**
 * The answer of KVM_TRANSLATE: where a linear address lands under the current paging mode, and
 * the effective permissions of the walk (the AND of R/W and U/S over every level, with CR0.WP
 * not considered, as the paging structures state them).
 */
public record Translation(long linearAddress, long physicalAddress, boolean valid, boolean writeable, boolean usermode) {
}
