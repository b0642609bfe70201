package dev.restvisor.core.cpu.jit;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.exec.Interpreter;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

/**
 * Compiles a run of fast forms into a {@link CompiledBlock}: one hidden class per block, defined in the package of
 * the given lookup (the executor's, whose package-private arithmetic and fast forms the block calls). A hidden
 * class is not held by its class loader, so a block that its code cache dropped is unloaded with its class.
 */
public final class BlockCompiler {
    private static final ClassDesc CD_BLOCK = CompiledBlock.class.describeConstable().orElseThrow();
    private static final ClassDesc CD_INSNS = DecodedInstruction.class.describeConstable().orElseThrow().arrayType();
    private static final ClassDesc CD_INTERPRETER = Interpreter.class.describeConstable().orElseThrow();
    private static final MethodTypeDesc INIT = MethodTypeDesc.of(CD_void, CD_long, CD_int, CD_long.arrayType(),
            CD_long, CD_INSNS);
    private static final MethodType INIT_TYPE = MethodType.methodType(void.class, long.class, int.class, long[].class,
            long.class, DecodedInstruction[].class);

    private final MethodHandles.Lookup lookup;
    private final ClassFile classFile;
    private final ClassDesc name;

    /** @param lookup a full-privilege lookup of the executor package */
    public BlockCompiler(MethodHandles.Lookup lookup) {
        this.lookup = lookup;
        this.classFile = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofClassLoading(lookup))));
        this.name = ClassDesc.of(lookup.lookupClass().getPackageName(), "CompiledCode");
    }

    /**
     * @param run instructions with fast forms, consecutive in one page; only the last may end a block
     * @param rip the RIP of the first
     * @param mode the code size they were decoded for: 16, 32 or 64
     */
    public CompiledBlock compile(List<DecodedInstruction> run, long rip, int mode) {
        DecodedInstruction[] insns = run.toArray(new DecodedInstruction[0]);
        long[] starts = new long[insns.length];
        long[] nexts = new long[insns.length];
        long at = rip;
        for (int k = 0; k < insns.length; k++) {
            starts[k] = at;
            long next = at + insns[k].length;
            at = mode == 64 ? next : next & 0xffffffffL;
            nexts[k] = at;
        }
        long lastByte = (starts[insns.length - 1] + insns[insns.length - 1].length - 1) & 0xffffffffL;
        byte[] bytes = classFile.build(name, cb -> cb
                .withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER)
                .withSuperclass(CD_BLOCK)
                .withMethodBody(ConstantDescs.INIT_NAME, INIT, ClassFile.ACC_PUBLIC, c -> c
                        .aload(0).lload(1).iload(3).aload(4).lload(5).aload(7)
                        .invokespecial(CD_BLOCK, ConstantDescs.INIT_NAME, INIT)
                        .return_())
                .withMethodBody("run", MethodTypeDesc.of(CD_int, CD_INTERPRETER), ClassFile.ACC_PUBLIC,
                        c -> BlockEmitter.emit(c, insns, starts, nexts, mode)));
        try {
            MethodHandles.Lookup block = lookup.defineHiddenClass(bytes, true);
            return (CompiledBlock) block.findConstructor(block.lookupClass(), INIT_TYPE)
                    .invoke(rip, mode, starts, lastByte, insns);
        } catch (Throwable e) {
            throw new IllegalStateException("block at " + Long.toHexString(rip) + " does not load", e);
        }
    }
}
