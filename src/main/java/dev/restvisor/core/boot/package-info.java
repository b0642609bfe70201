/**
 * Loaders that put a guest image into guest memory and give the boot vcpu its initial state:
 * flat binaries entered in real mode or in the 32-bit protected-mode state of Multiboot, and
 * (later) the Linux x86 boot protocol. A loader validates everything before it writes anything.
 */
package dev.restvisor.core.boot;
