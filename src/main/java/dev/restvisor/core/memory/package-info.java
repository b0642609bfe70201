/**
 * Guest physical memory: the slots of KVM_SET_MEMORY_REGION, their backing storage, and the
 * per-page dirty bitmaps of KVM_GET_DIRTY_LOG. Pure java.base; knows nothing of CPUs or devices.
 */
package dev.restvisor.core.memory;
