package dev.restvisor.service.api;

import java.net.URI;
import org.springframework.http.HttpStatus;

/**
 * The stable problem types of the API (RFC 9457 {@code type}), each with its HTTP status. The
 * kvm.h errno a type stands for is in its description.
 */
public enum ProblemType {
    INVALID_ARGUMENT("invalid-argument", HttpStatus.BAD_REQUEST, "Invalid argument (EINVAL)"),
    MALFORMED_REQUEST("malformed-request", HttpStatus.BAD_REQUEST, "Malformed request"),
    TOO_BIG("too-big", HttpStatus.BAD_REQUEST, "Argument too big (E2BIG)"),
    NOT_FOUND("not-found", HttpStatus.NOT_FOUND, "Not found (ENOENT)"),
    METHOD_NOT_ALLOWED("method-not-allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
    NOT_ACCEPTABLE("not-acceptable", HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),
    ALREADY_EXISTS("already-exists", HttpStatus.CONFLICT, "Already exists (EEXIST)"),
    BUSY("busy", HttpStatus.CONFLICT, "Busy (EBUSY)"),
    CONFLICT("conflict", HttpStatus.CONFLICT, "Conflicting state"),
    PAYLOAD_TOO_LARGE("payload-too-large", HttpStatus.CONTENT_TOO_LARGE, "Payload too large"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
    QUOTA_EXCEEDED("quota-exceeded", HttpStatus.UNPROCESSABLE_CONTENT, "Quota exceeded (ENOMEM)"),
    IN_USE("in-use", HttpStatus.CONFLICT, "Still in use"),
    SNAPSHOT_CORRUPT("snapshot-corrupt", HttpStatus.UNPROCESSABLE_CONTENT, "Snapshot corrupt"),
    SNAPSHOT_FORMAT_UNSUPPORTED("snapshot-format-unsupported", HttpStatus.UNPROCESSABLE_CONTENT, "Snapshot format not supported"),
    INSUFFICIENT_STORAGE("insufficient-storage", HttpStatus.INSUFFICIENT_STORAGE, "Insufficient storage"),
    INTERNAL("internal", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error");

    /** Problem type URIs live under this prefix; they are identifiers, not fetched. */
    public static final String BASE = "https://restvisor.dev/problems/";

    private final String slug;
    private final HttpStatus status;
    private final String title;

    ProblemType(String slug, HttpStatus status, String title) {
        this.slug = slug;
        this.status = status;
        this.title = title;
    }

    public URI uri() {
        return URI.create(BASE + slug);
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }
}
