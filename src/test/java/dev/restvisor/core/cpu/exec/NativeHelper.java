package dev.restvisor.core.cpu.exec;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A C helper that runs the differential tests' cases on the host CPU: its source is written to target/native,
 * built there with gcc, fed the cases as fixed-size records on stdin and read back as fixed-size records from
 * stdout. The calling test is skipped, saying why, where the host is not x86-64 or gcc is missing.
 */
final class NativeHelper {
    private final Path exe;

    private NativeHelper(Path exe) {
        this.exe = exe;
    }

    /** Builds target/native/{@code name} from {@code source} with gcc -O1 and the given further options. */
    static NativeHelper build(String name, String source, String... gccOptions)
            throws IOException, InterruptedException {
        String arch = System.getProperty("os.arch");
        Assumptions.assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "host is not x86-64");
        Path dir = Files.createDirectories(Path.of("target", "native"));
        Path src = dir.resolve(name + ".c");
        Path exe = dir.resolve(name);
        Files.writeString(src, source);
        List<String> command = new ArrayList<>(List.of("gcc", "-O1"));
        command.addAll(List.of(gccOptions));
        command.addAll(List.of("-o", exe.toString(), src.toString()));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return Assumptions.abort("gcc not available");
        }
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("gcc failed: " + log);
        }
        return new NativeHelper(exe);
    }

    /**
     * Builds target/native/{@code name} as a helper of one C function per instruction form: {@code records} (the
     * includes and the typedefs of the In record, whose form field selects the form, and of the Out record), then
     * for each form i {@code static void f<i>(In *in, Out *o)} with the body {@code bodies.get(i)}, and a main
     * that runs the function of in.form on every In record read from stdin and writes the Out record to stdout.
     * Built without a red zone: a PUSH or PUSHFQ inside a body's asm would overwrite locals kept below RSP.
     */
    static NativeHelper buildForms(String name, String records, List<String> bodies)
            throws IOException, InterruptedException {
        StringBuilder c = new StringBuilder(records);
        for (int i = 0; i < bodies.size(); i++) {
            c.append("static void f").append(i).append("(In *in, Out *o) {\n").append(bodies.get(i)).append("}\n");
        }
        c.append("static void (*forms[])(In *, Out *) = {");
        for (int i = 0; i < bodies.size(); i++) {
            c.append(i == 0 ? "" : ",").append("f").append(i);
        }
        c.append("""
                };
                int main(void) {
                  In in; Out o = {0};
                  while (fread(&in, sizeof in, 1, stdin) == 1) { forms[in.form](&in, &o); fwrite(&o, sizeof o, 1, stdout); }
                  return 0;
                }
                """);
        return build(name, c.toString(), "-mno-red-zone");
    }

    /** Instruction bytes written as hex pairs, "0f 58 c1". */
    static byte[] hexBytes(String hex) {
        String[] p = hex.trim().split("\\s+");
        byte[] b = new byte[p.length];
        for (int i = 0; i < p.length; i++) {
            b[i] = (byte) Integer.parseInt(p[i], 16);
        }
        return b;
    }

    /** Instruction bytes as the operand of an assembler .byte directive: 0x0f,0x58,0xc1. */
    static String byteDirective(byte[] code) {
        StringBuilder bytes = new StringBuilder();
        for (byte b : code) {
            bytes.append(bytes.length() == 0 ? "" : ",").append(String.format("0x%02x", b & 0xff));
        }
        return bytes.toString();
    }

    /**
     * Feeds {@code input} to the helper and returns its {@code records} output records of {@code recordSize}
     * bytes. A helper that stops early (a crash on some case) fails the test naming, by {@code describe}, the
     * record it stopped at.
     */
    byte[] run(byte[] input, int recordSize, int records, IntFunction<String> describe)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(exe.toString()).start();
        Thread writer = new Thread(() -> {
            try (OutputStream os = p.getOutputStream()) {
                os.write(input);
            } catch (IOException ignored) {
                // the reader reports the short output
            }
        });
        writer.start();
        byte[] out = new byte[recordSize * records];
        int n;
        try (InputStream in = p.getInputStream()) {
            n = in.readNBytes(out, 0, out.length);
        }
        writer.join();
        int rc = p.waitFor();
        if (n != out.length) {
            throw new IllegalStateException(exe.getFileName() + " stopped (exit " + rc + ") at "
                    + describe.apply(n / recordSize));
        }
        return out;
    }
}
