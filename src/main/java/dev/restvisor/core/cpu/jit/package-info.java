/**
 * The block compiler: a hot straight-line run of fast forms (see {@code FastPath} in the executor package) is
 * translated into the bytecode of one JVM method with the {@code java.lang.classfile} API and loaded as a hidden
 * class of the executor's package, so it calls the interpreter's own memory access path and lazy flags and is
 * unloaded with the code page it came from. Guest registers live in JVM locals inside a block and are written
 * back before every instruction that can fault or exit and at the block's end, so a fault leaves the state of the
 * instruction boundary before it. Which runs are compiled, when a block may run and how its end is accounted
 * for (instruction counts, interrupt polls, invalidation by writes to the code page) is the run loop's business.
 */
package dev.restvisor.core.cpu.jit;
