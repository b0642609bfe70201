package dev.restvisor.core.cpu.decode;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decoder lengths and disassembler text against GNU objdump ({@code -M intel}) on the host, the source of
 * truth for bytes-to-text. Every opcode of the 1-byte and 0F maps is tried with a spread of ModRM/SIB
 * forms and prefixes in 64-, 32- and 16-bit code. Each case sits in its own 32-byte slot padded with NOPs,
 * so one objdump run per mode decodes them all. Where both sides decode an instruction, length and
 * text must agree; encodings only one side accepts are listed in target/decoder-vs-objdump.txt. The x87
 * escapes D8-DF are tried with every register form (ModRM C0-FF) and every memory form. Skipped when objdump
 * is absent.
 */
class DisassemblerObjdumpTest {
    private static final int SLOT = 32;
    private static final int[] MODRMS = {0x00, 0x05, 0x0c, 0x18, 0x28, 0x38, 0x44, 0x84, 0xc1, 0xd8, 0xe8, 0xf0, 0xf8, 0x46, 0x80, 0x06};

    /**
     * Differences that are objdump conventions, not decoding disagreements: it names hint NOPs and
     * prefetches by their hint, ignores REX.W on far branches (AMD), marks the 8087/287-only FENI, FDISI and
     * FSETPM (no-ops since the 387) with a note, calls D6 "(bad)" although Intel processors execute SALC outside 64-bit mode, names far pointers with
     * REX.W FWORD (Intel: m16:64), and decodes extensions our CPUID model does not claim (WBNOINVD, CET,
     * WAITPKG, CLFLUSHOPT), whose prefixes an older processor ignores; MOVMSKPS/PD and PMOVMSKB with REX.W
     * name the 64-bit register where we print the 32-bit one that is written (zero-extended).
     */
    private static final Pattern TOLERATED = Pattern.compile(
            "^(prefetch|nop|fneni|fndisi|fnsetpm|fxsave|fxrstor|salc|rex\\.W (call|jmp)|wbnoinvd|incssp|umwait|tpause|umonitor|clflushopt|clwb|l[fgs]s .*FWORD|p?movmsk).*"
            + "|.*(data16|data32|addr16|addr32|rex|ds |es |cs |ss |fs |gs |bnd |notrack |xacquire|xrelease).*");
    /** objdump's line is only a prefix it could not attach (its own length convention). */
    private static final Pattern PREFIX_ONLY = Pattern.compile("^(rex(\\.[WRXB]+)?|data16|addr32|(data16 |addr32 )*rex(\\.[WRXB]+)?|data16 addr32|[a-z]s)$");

    @Test
    void matchesObjdump() throws Exception {
        Assumptions.assumeTrue(objdumpAvailable(), "objdump not installed");
        StringBuilder report = new StringBuilder();
        int compared = 0;
        List<String> mismatches = new ArrayList<>();
        for (int mode : new int[] {64, 32, 16}) {
            List<byte[]> cases = cases(mode);
            byte[] image = new byte[cases.size() * SLOT];
            java.util.Arrays.fill(image, (byte) 0x90);
            for (int i = 0; i < cases.size(); i++) {
                System.arraycopy(cases.get(i), 0, image, i * SLOT, cases.get(i).length);
            }
            Map<Long, String[]> theirs = objdump(image, mode);
            DecodedInstruction d = new DecodedInstruction();
            Decoder.ByteSource src = o -> image[(int) o] & 0xff;
            int onlyUs = 0;
            int onlyThem = 0;
            for (int i = 0; i < cases.size(); i++) {
                long ip = (long) i * SLOT;
                String[] t = theirs.get(ip);
                String ours = Disassembler.disassemble(src, ip, mode, d);
                boolean oursBad = ours.equals("(bad)");
                boolean theirsBad = t == null || t[1].contains("(bad)");
                String hex = hex(cases.get(i));
                if (oursBad && theirsBad) {
                    continue;
                }
                if (oursBad || theirsBad) {
                    if (oursBad) {
                        onlyThem++;
                    } else {
                        onlyUs++;
                    }
                    report.append(String.format("%d-bit %-30s ours: %-40s objdump: %s%n", mode, hex, ours,
                            t == null ? "?" : t[1]));
                    continue;
                }
                compared++;
                int theirLength = Integer.parseInt(t[0]);
                // objdump prints a REP/REPNE it sees on a non-string instruction; the prefix is ignored there
                String theirText = d.op.family == Family.STRING ? t[1] : t[1].replaceFirst("^(repz|repnz|rep) ", "");
                if (d.op == Op.ESC && d.mod == 3) {
                    // objdump prints the segment prefix an x87 register form ignores
                    theirText = theirText.replaceFirst("^(es|cs|ss|ds|fs|gs) ", "");
                }
                if (mode == 16 && d.operandCount == 1 && d.kind[0] == DecodedInstruction.K_REL) {
                    // objdump does not wrap branch targets at 64 KiB; IP does
                    Matcher target = Pattern.compile("0x([0-9a-f]+)$").matcher(theirText);
                    if (target.find()) {
                        long wrapped = Long.parseLong(target.group(1), 16) & (d.opSize == 2 ? 0xffff : 0xffffffffL);
                        theirText = theirText.substring(0, target.start()) + "0x" + Long.toHexString(wrapped);
                    }
                }
                // with both 66 and REX.W objdump lets 66 size some memory operands; REX.W wins on Intel
                boolean both = d.operandSizePrefix && d.rexW();
                if (both || TOLERATED.matcher(theirText).matches() || TOLERATED.matcher(ours).matches()) {
                    if (theirLength != d.length && !PREFIX_ONLY.matcher(theirText).matches()) {
                        mismatches.add(String.format("%d-bit %s: length %d, objdump %d (%s)", mode, hex, d.length, theirLength, theirText));
                    }
                    continue;
                }
                if (theirLength != d.length || !theirText.equals(ours)) {
                    mismatches.add(String.format("%d-bit %s: ours [%s] len %d, objdump [%s] len %d", mode, hex, ours,
                            d.length, theirText, theirLength));
                }
            }
            report.insert(0, String.format("%d-bit: %d cases, %d decoded only by objdump, %d only by us%n", mode,
                    cases.size(), onlyThem, onlyUs));
        }
        report.insert(0, "compared " + compared + ", mismatches " + mismatches.size() + "\n" + String.join("\n", mismatches) + "\n");
        Path out = Path.of("target", "decoder-vs-objdump.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
        assertTrue(mismatches.isEmpty(), () -> mismatches.size() + " mismatches, see " + out.toAbsolutePath() + "\n"
                + String.join("\n", mismatches.subList(0, Math.min(60, mismatches.size()))));
        assertTrue(compared > 2000, "compared only " + compared);
    }

    private static List<byte[]> cases(int mode) {
        Set<String> seen = new LinkedHashSet<>();
        List<byte[]> out = new ArrayList<>();
        List<int[]> prefixSets = new ArrayList<>(List.of(new int[0], new int[] {0x66}, new int[] {0x67},
                new int[] {0xf0}, new int[] {0xf3}, new int[] {0xf2}, new int[] {0x26}, new int[] {0x64}));
        if (mode == 64) {
            prefixSets.addAll(List.of(new int[] {0x48}, new int[] {0x41}, new int[] {0x44}, new int[] {0x42},
                    new int[] {0x4d}, new int[] {0x40}, new int[] {0x66, 0x48}, new int[] {0x67, 0x41}));
        }
        for (int[] prefixes : prefixSets) {
            for (int esc = 0xd8; esc <= 0xdf; esc++) {
                for (int modrm = 0; modrm < 256; modrm++) {
                    if ((modrm >>> 6) != 3 && (modrm & 7) != 3 && (modrm & 7) != 4) {
                        continue;
                    }
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    for (int p : prefixes) {
                        b.write(p);
                    }
                    b.write(esc);
                    b.write(modrm);
                    if ((modrm & 7) == 4 && (modrm >>> 6) != 3) {
                        b.write(0x1d);
                    }
                    for (int k = 0; k < 8; k++) {
                        b.write(k < 4 ? 0x12 + k : 0x90);
                    }
                    byte[] bytes = b.toByteArray();
                    if (seen.add(hex(bytes))) {
                        out.add(bytes);
                    }
                }
            }
            for (int map = 0; map < 2; map++) {
                for (int op = 0; op < 256; op++) {
                    if (map == 0 && (op == 0x0f || isPrefix(op, mode))) {
                        continue;
                    }
                    if (map == 1 && (op == 0x38 || op == 0x3a)) {
                        continue;
                    }
                    for (int modrm : MODRMS) {
                        ByteArrayOutputStream b = new ByteArrayOutputStream();
                        for (int p : prefixes) {
                            b.write(p);
                        }
                        if (map == 1) {
                            b.write(0x0f);
                        }
                        b.write(op);
                        b.write(modrm);
                        if ((modrm & 7) == 4 && (modrm >>> 6) != 3) {
                            b.write(modrm == 0x44 ? 0x88 : 0x1d);
                        }
                        for (int k = 0; k < 4; k++) {
                            b.write(0x12 + k);
                        }
                        for (int k = 0; k < 4; k++) {
                            b.write(0x90);
                        }
                        byte[] bytes = b.toByteArray();
                        // the same instruction bytes reached through another ModRM are one case
                        DecodedInstruction d = new DecodedInstruction();
                        int r = Decoder.decode(o -> bytes[(int) o] & 0xff, 0, mode, d);
                        int keyLength = r != Decoder.OK ? bytes.length : d.hasModrm ? d.length : prefixes.length + map + 1;
                        String key = hex(java.util.Arrays.copyOf(bytes, keyLength));
                        if (seen.add(key)) {
                            out.add(bytes);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static boolean isPrefix(int b, int mode) {
        return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 || b == 0x66 || b == 0x67
                || b == 0xf0 || b == 0xf2 || b == 0xf3 || (mode == 64 && (b & 0xf0) == 0x40);
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xff));
        }
        return sb.toString();
    }

    private static boolean objdumpAvailable() {
        try {
            Process p = new ProcessBuilder("objdump", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t([0-9a-f ]+?)\\s*\\t(.*)$");
    private static final Pattern CONTINUATION = Pattern.compile("^\\s*([0-9a-f]+):\\t([0-9a-f ]+?)\\s*$");

    /** Address -> {length, normalized text} of every instruction objdump prints. */
    private static Map<Long, String[]> objdump(byte[] image, int mode) throws IOException, InterruptedException {
        Path bin = Files.createTempFile("decoder", ".bin");
        try {
            Files.write(bin, image);
            String machine = mode == 64 ? "i386:x86-64" : mode == 32 ? "i386" : "i8086";
            // intel64: Intel's 64-bit rules (near branches ignore 66, SYSENTER/SYSEXIT valid)
            Process p = new ProcessBuilder("objdump", "-D", "-b", "binary", "-m" + machine, "-M",
                    mode == 64 ? "intel,intel64" : "intel",
                    bin.toString()).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            Map<Long, String[]> out = new HashMap<>();
            long last = -1;
            for (String line : text.split("\n")) {
                Matcher m = LINE.matcher(line);
                if (m.matches()) {
                    last = Long.parseLong(m.group(1), 16);
                    int len = m.group(2).trim().split(" ").length;
                    String t = m.group(3).replaceAll("#.*$", "").replaceAll("\\s+", " ").trim();
                    out.put(last, new String[] {Integer.toString(len), t});
                    continue;
                }
                Matcher c = CONTINUATION.matcher(line);
                if (c.matches() && last >= 0) {
                    String[] prev = out.get(last);
                    prev[0] = Integer.toString(Integer.parseInt(prev[0]) + c.group(2).trim().split(" ").length);
                }
            }
            return out;
        } finally {
            Files.deleteIfExists(bin);
        }
    }
}
