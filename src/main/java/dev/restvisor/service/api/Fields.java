package dev.restvisor.service.api;

/** Validation of request members, naming the offending field in every error. */
final class Fields {
    private final String prefix;

    Fields(String prefix) {
        this.prefix = prefix == null || prefix.isEmpty() ? "" : prefix + ".";
    }

    /** A required integer within [min, max]. */
    int range(String name, Integer value, long min, long max) {
        return (int) range(name, value == null ? null : value.longValue(), min, max);
    }

    long range(String name, Long value, long min, long max) {
        if (value == null) {
            throw missing(name);
        }
        if (value < min || value > max) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, prefix + name,
                    prefix + name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    long u64(String name, U64 value) {
        if (value == null) {
            throw missing(name);
        }
        return value.value();
    }

    /** The value, or {@code current} when the member was omitted. */
    static long orElse(U64 value, long current) {
        return value == null ? current : value.value();
    }

    ApiException missing(String name) {
        return new ApiException(ProblemType.INVALID_ARGUMENT, prefix + name, prefix + name + " is required");
    }
}
