package dev.restvisor.service.api;

/** A request the API refuses, carrying its problem type and the offending field. */
public final class ApiException extends RuntimeException {
    private final ProblemType type;
    private final String field;

    public ApiException(ProblemType type, String field, String detail) {
        super(detail);
        this.type = type;
        this.field = field;
    }

    public ProblemType type() {
        return type;
    }

    public String field() {
        return field;
    }
}
