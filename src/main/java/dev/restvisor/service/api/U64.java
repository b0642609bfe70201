package dev.restvisor.service.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigInteger;

/**
 * A 64-bit unsigned quantity on the wire. Written as a hex string ({@code "0xffffffff81000000"})
 * because JavaScript and signed-64-bit clients cannot hold every u64 as a number; read from a hex
 * string, a decimal string or a non-negative JSON integer.
 */
public record U64(long value) {
    /** The OpenAPI pattern of an accepted u64 string. */
    public static final String PATTERN = "^(0[xX][0-9a-fA-F]{1,16}|[0-9]{1,20})$";
    private static final BigInteger MAX = BigInteger.ONE.shiftLeft(64);

    public static U64 of(long value) {
        return new U64(value);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static U64 parse(Object json) {
        if (json instanceof String s) {
            return parseText(s.trim());
        }
        if (json instanceof Integer || json instanceof Long || json instanceof Short || json instanceof Byte) {
            long v = ((Number) json).longValue();
            if (v < 0) {
                throw new IllegalArgumentException("must be a non-negative integer, got " + v);
            }
            return new U64(v);
        }
        if (json instanceof BigInteger big) {
            return fromBig(big, big.toString());
        }
        throw new IllegalArgumentException("must be a u64: a hex string like \"0x1000\", a decimal string or a non-negative integer");
    }

    private static U64 parseText(String s) {
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                String digits = s.substring(2);
                if (digits.isEmpty() || digits.length() > 16) {
                    throw new NumberFormatException();
                }
                return new U64(Long.parseUnsignedLong(digits, 16));
            }
            return fromBig(new BigInteger(s), s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + s + "\" is not a u64: use a hex string like \"0x1000\" or a decimal string");
        }
    }

    private static U64 fromBig(BigInteger big, String text) {
        if (big.signum() < 0 || big.compareTo(MAX) >= 0) {
            throw new IllegalArgumentException(text + " is outside the u64 range 0 .. 0xffffffffffffffff");
        }
        return new U64(big.longValue());
    }

    @JsonValue
    public String hex() {
        return "0x" + Long.toHexString(value);
    }

    @Override
    public String toString() {
        return hex();
    }
}
