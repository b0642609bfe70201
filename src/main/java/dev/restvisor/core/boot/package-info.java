/**
 * Loaders that put a guest image into guest memory and give the boot vcpu its initial state:
 * flat binaries entered in real mode or in the 32-bit protected-mode state of Multiboot, and
 * the Linux x86 boot protocol (bzImage direct boot). A loader validates everything before it writes anything.
 */
package dev.restvisor.core.boot;
