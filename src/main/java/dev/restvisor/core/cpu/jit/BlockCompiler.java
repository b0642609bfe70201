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
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

/**
 * Compiles a run of fast forms into a {@link CompiledBlock}: one hidden class per block, defined in the package of
 * the given lookup (the executor's, whose package-private arithmetic and fast forms the block calls). A hidden
 * class is not held by its class loader, so a block that its code cache dropped is unloaded with its class.
 *
 * <p>The code of a block depends only on its bytes, its RIP and its code size, so the classes are shared by all
 * vcpus of all VMs: another vcpu (or VM, or the same one after its page was rewritten with the same bytes) that
 * compiles the same run gets a new instance of the loaded class, which the JVM has already compiled and
 * optimized. The shared table holds the classes weakly: a class no block uses any more can still be unloaded.
 */
public final class BlockCompiler {
    private static final ClassDesc CD_BLOCK = CompiledBlock.class.describeConstable().orElseThrow();
    private static final ClassDesc CD_INSNS = DecodedInstruction.class.describeConstable().orElseThrow().arrayType();
    private static final ClassDesc CD_INTERPRETER = Interpreter.class.describeConstable().orElseThrow();
    private static final MethodTypeDesc INIT = MethodTypeDesc.of(CD_void, CD_long, CD_int, CD_int,
            CD_long.arrayType(), CD_long, CD_INSNS);
    private static final MethodType INIT_TYPE = MethodType.methodType(void.class, long.class, int.class, int.class,
            long[].class, long.class, DecodedInstruction[].class);

    private record Key(int mode, int stackSize, long rip, String bytes) {
    }

    /** Loaded block classes by what their code depends on; entries whose class was unloaded are purged. */
    private static final Map<Key, WeakReference<Class<?>>> LOADED = new ConcurrentHashMap<>();
    private static final int PURGE_SIZE = 1 << 14;

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
     * @param stackSize the stack size (2, 4 or 8 bytes) the block's pushes and pops may assume, 0 when it has none
     */
    public CompiledBlock compile(List<DecodedInstruction> run, long rip, int mode, int stackSize) {
        DecodedInstruction[] insns = run.toArray(new DecodedInstruction[0]);
        long[] rips = CompiledBlock.rips(insns, rip, mode);
        long[] starts = Arrays.copyOf(rips, insns.length);
        long[] nexts = Arrays.copyOfRange(rips, 1, insns.length + 1);
        long lastByte = CompiledBlock.lastByte(insns, starts);
        StringBuilder code = new StringBuilder();
        for (DecodedInstruction d : insns) {
            for (int i = 0; i < d.length; i++) {
                code.append((char) (d.bytes[i] & 0xff));
            }
        }
        Key key = new Key(mode, stackSize, rip, code.toString());
        try {
            WeakReference<Class<?>> loaded = LOADED.get(key);
            Class<?> type = loaded == null ? null : loaded.get();
            if (type == null) {
                type = define(insns, starts, nexts, stackSize);
                if (LOADED.size() >= PURGE_SIZE) {
                    LOADED.values().removeIf(r -> r.get() == null);
                }
                LOADED.put(key, new WeakReference<>(type));
            }
            return (CompiledBlock) lookup.findConstructor(type, INIT_TYPE).invoke(rip, mode, stackSize, starts, lastByte,
                    insns);
        } catch (Throwable e) {
            throw new IllegalStateException("block at " + Long.toHexString(rip) + " does not load", e);
        }
    }

    private Class<?> define(DecodedInstruction[] insns, long[] starts, long[] nexts, int stackSize)
            throws IllegalAccessException {
        byte[] bytes = classFile.build(name, cb -> cb
                .withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER)
                .withSuperclass(CD_BLOCK)
                .withMethodBody(ConstantDescs.INIT_NAME, INIT, ClassFile.ACC_PUBLIC, c -> c
                        .aload(0).lload(1).iload(3).iload(4).aload(5).lload(6).aload(8)
                        .invokespecial(CD_BLOCK, ConstantDescs.INIT_NAME, INIT)
                        .return_())
                .withMethodBody("run", MethodTypeDesc.of(CD_int, CD_INTERPRETER, CD_long), ClassFile.ACC_PUBLIC,
                        c -> BlockEmitter.emit(c, insns, starts, nexts, stackSize)));
        return lookup.defineHiddenClass(bytes, true).lookupClass();
    }
}
