/**
 * Paging (SDM Vol. 3A chapter 4): the 32-bit, PAE and 4-level walks with accessed/dirty updates, #PF error
 * codes and CR2, the software TLB and its flushes, and the side-effect-free walk behind KVM_TRANSLATE.
 * Segmentation lives with the executors (core.cpu.exec.Segmentation) because its faults are raised there.
 */
package dev.restvisor.core.cpu.mmu;
